#!/usr/bin/env bash
# Builds the isolation runner (dynload-runner) for this machine's platform into the jar's resources:
#   OUT/META-INF/dynload/runner/CLASSIFIER/dynload-runner
# IsolatedLibrary starts it from a sealed memory copy. Only Linux has a runner.
set -euo pipefail
out=$1
[ "$(uname -s)" = Linux ] || { echo "dynload-runner: not built on $(uname -s)"; exit 0; }
case "$(uname -m)" in
    x86_64) arch=x86_64 ;;
    aarch64|arm64) arch=aarch_64 ;;
    *) echo "dynload-runner: no runner for $(uname -m)"; exit 0 ;;
esac
folder="$out/META-INF/dynload/runner/linux-$arch"
mkdir -p "$folder"
src="$(dirname "$0")/runner/dynload_runner.c"
${CC:-gcc} -std=c11 -O2 -Wall -Wextra ${CFLAGS:-} -o "$folder/dynload-runner" "$src" -pthread -ldl
