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
# Initializers that crash, abort, exit and block, for isolated loads.
for what in CRASH ABORT EXIT BLOCK; do
    lower=$(echo "$what" | tr '[:upper:]' '[:lower:]')
    # shellcheck disable=SC2086
    gcc $cflags -DCTOR_$what -o "$out/libctor_$lower.so" "$src/ctor.c"
done
# A library whose dependency is found through $ORIGIN, once with a SONAME and once without one: loading
# through the open file must still find it.
for kind in soname plain; do
    mkdir -p "$out/origin-$kind/sub"
    soname=""
    [ "$kind" = soname ] && soname="-Wl,-soname,liborigin_dep.so"
    # shellcheck disable=SC2086
    gcc $cflags $soname -o "$out/origin-$kind/sub/liborigin_dep.so" "$src/origin_dep.c"
    # shellcheck disable=SC2086
    gcc $cflags -o "$out/origin-$kind/liborigin_user.so" "$src/origin_user.c" -L"$out/origin-$kind/sub" \
        -lorigin_dep -Wl,--enable-new-dtags,-rpath,'$ORIGIN/sub'
done
