#!/usr/bin/env bash
# Compiles the C fixtures of the CLI's tests into the folder given as $1.
set -euo pipefail
out=$1
src=$(cd "$(dirname "$0")" && pwd)
cflags=${CFLAGS:--shared -fPIC -O2 -Wall -Werror}
mkdir -p "$out/deps"
# shellcheck disable=SC2086
{
    gcc $cflags -Wl,-soname,libclifixture.so -o "$out/libclifixture.so" "$src/clifixture.c"
    # libcliuser.so needs libclidep.so, which stays in deps/, off every search path.
    gcc $cflags -Wl,-soname,libclidep.so -o "$out/deps/libclidep.so" "$src/clidep.c"
    gcc $cflags -o "$out/libcliuser.so" "$src/cliuser.c" -L"$out/deps" -lclidep
}
# shellcheck disable=SC2086
gcc $cflags -Wl,-soname,libclictor.so -o "$out/libclictor.so" "$src/clictor.c"
