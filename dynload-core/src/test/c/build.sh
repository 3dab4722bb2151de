#!/usr/bin/env bash
# Compiles the C fixtures of dynload-core's tests into the folder given as $1.
set -euo pipefail
out=$1
src=$(cd "$(dirname "$0")" && pwd)
cflags=${CFLAGS:--shared -fPIC -O2 -Wall -Werror}
mkdir -p "$out/deps"
# shellcheck disable=SC2086
{
    gcc $cflags -o "$out/libfixture.so" "$src/fixture.c"
    # libdependent.so needs libdependency.so, which stays in deps/, off every search path.
    gcc $cflags -Wl,-soname,libdependency.so -o "$out/deps/libdependency.so" "$src/dependency.c"
    gcc $cflags -o "$out/libdependent.so" "$src/dependent.c" -L"$out/deps" -ldependency
}
# An object file and a static archive, which are not shared libraries.
gcc -c -fPIC -O2 -o "$out/fixture.o" "$src/fixture.c"
rm -f "$out/libfixture.a"
ar rcs "$out/libfixture.a" "$out/fixture.o"
# A real 32-bit x86 library (no libc needed, so no 32-bit C library either), for the word-size checks.
gcc -m32 -shared -fPIC -nostdlib -Wl,-soname,libi386.so -o "$out/libi386.so" "$src/i386.c"
# The fixture with a SysV hash table, which lets the ELF reader count symbols without section headers.
gcc -shared -fPIC -O2 -Wl,--hash-style=sysv -Wl,-soname,libfixture-sysv.so -o "$out/libfixture-sysv.so" "$src/fixture.c"
# The binding tests' library.
gcc $cflags -o "$out/libbinding.so" "$src/binding.c"
