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
# The mapping tests' library.
gcc $cflags -o "$out/libmappings.so" "$src/mappings.c"
# One library in two versions, for the tests that unload a bound library and load its rebuild.
gcc $cflags -DVERSION=1 -o "$out/libversion1.so" "$src/unload.c"
gcc $cflags -DVERSION=2 -o "$out/libversion2.so" "$src/unload.c"
# Initializers that crash, abort, exit, block and call an undefined function, for isolated loads.
for what in CRASH ABORT EXIT BLOCK UNDEFINED; do
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
# Sound libraries an earlier verifier refused: one stripped of its local symbols alone (strip -x keeps the
# global ones, without the C runtime's), and one holding a pointer to its own ELF header (a relative
# relocation whose addend is 0).
strip -x -o "$out/libfixture-stripx.so" "$out/libfixture.so"
# shellcheck disable=SC2086
gcc $cflags -o "$out/libehdr.so" "$src/ehdr.c"
# A dependency its user names as "$ORIGIN/liborigin_dep.so" (its SONAME when the user was linked), which
# the loader can expand only from the user's real path.
mkdir -p "$out/origin-needed"
# shellcheck disable=SC2086
gcc $cflags -Wl,-soname,'$ORIGIN/liborigin_dep.so' -o "$out/origin-needed/liborigin_dep.so" "$src/origin_dep.c"
# shellcheck disable=SC2086
gcc $cflags -o "$out/origin-needed/liborigin_user.so" "$src/origin_user.c" "$out/origin-needed/liborigin_dep.so"
# A library with one 2,000,000-character function name, which the tests point every symbol at: each name
# read is then a 2 MB scan, as a hostile file could make it.
longname=$(head -c 2000000 /dev/zero | tr '\0' 'a')
{
    echo "int $longname(void) { return 1; }"
    for i in 1 2 3 4 5 6 7 8; do echo "int short_$i(void) { return $i; }"; done
} > "$out/longname.c"
# shellcheck disable=SC2086
gcc $cflags -o "$out/liblongname.so" "$out/longname.c"
rm -f "$out/longname.c"
# A library that exports nothing, whose GNU hash table counts no symbol: an earlier verifier took its
# imports for symbols past the table.
# shellcheck disable=SC2086
gcc $cflags -o "$out/libnoexports.so" "$src/noexports.c"
# A library for scripts/fuzz that the verifier's rules were not written against (docs/loading.md).
# shellcheck disable=SC2086
gcc $cflags -o "$out/libkv.so" "$src/kv.c"
# An indirect function, linked by GNU ld and, where the Rust toolchain brings one, by lld (rust-lld), which
# marks no file ELFOSABI_GNU: both are sound.
# shellcheck disable=SC2086
gcc $cflags -o "$out/libifunc-bfd.so" "$src/ifunc.c"
if sysroot=$(rustc --print sysroot 2>/dev/null) && [ -x "$sysroot/lib/rustlib/x86_64-unknown-linux-gnu/bin/gcc-ld/ld.lld" ]; then
    # shellcheck disable=SC2086
    gcc $cflags -fuse-ld=lld -B "$sysroot/lib/rustlib/x86_64-unknown-linux-gnu/bin/gcc-ld" \
        -o "$out/libifunc-lld.so" "$src/ifunc.c"
fi
# Mach-O and PE fixtures, for the readers of dev.dynload.format.
bash "$src/foreign/build.sh" "$out/foreign"
# The isolated-library tests' library.
# shellcheck disable=SC2086
gcc -shared -fPIC -O0 -Wall -pthread -o "$out/libuntrusted.so" "$src/untrusted.c"
