#!/usr/bin/env bash
# Builds the isolation runner (dynload-runner) for this machine's platform into the jar's resources:
#   OUT/META-INF/dynload/runner/CLASSIFIER/dynload-runner
# IsolatedLibrary and isolated plugins start it from a sealed memory copy. Only Linux has a runner.
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
src="$(cd "$(dirname "$0")" && pwd)/runner"
# The plugin mode is a dynload host of plugins: it speaks dynload_plugin.h, the header plugins build with.
include="$src/../../../../../dynload-plugin/include"
[ -f "$include/dynload_plugin.h" ] || { echo "dynload-runner: $include/dynload_plugin.h is missing" >&2; exit 1; }
${CC:-gcc} -std=c11 -O2 -Wall -Wextra ${CFLAGS:-} -I"$include" -o "$folder/dynload-runner" \
    "$src/dynload_runner.c" "$src/plugins.c" "$src/sandbox.c" -pthread -ldl
