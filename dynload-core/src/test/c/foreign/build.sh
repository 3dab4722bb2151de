#!/usr/bin/env bash
# Builds foreign.c for macOS (Mach-O: arm64 and x86-64, thin and universal) and Windows (a PE32+ DLL), and
# for Linux (ELF) to compare, into the folder given as $1. Needs clang, lld and llvm (Mach-O) and
# gcc-mingw-w64-x86-64 (PE), which scripts/toolchains installs; a missing tool skips its files, and the
# tests that need them say which package to install.
set -euo pipefail
out=$1
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
gcc -shared -fPIC -O2 -fvisibility=hidden -Wl,-soname,libforeign.so -o "$out/libforeign.so" "$src/foreign.c"

# The LLVM tools: on the PATH, or in Debian's versioned folder.
tool() {
    local name=$1 dir
    if command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
        return 0
    fi
    for dir in /usr/lib/llvm-*/bin; do
        if [ -x "$dir/$name" ]; then
            echo "$dir/$name"
            return 0
        fi
    done
    return 1
}

if command -v clang >/dev/null 2>&1 && ld64=$(tool ld64.lld) && lipo=$(tool llvm-lipo); then
    for arch in arm64 x86_64; do
        clang --target=$arch-apple-macos11 -O2 -fvisibility=hidden -c "$src/foreign.c" -o "$out/foreign-$arch.o"
        # Linked against a text stub of libSystem (no Apple SDK here), with the install name and run paths a
        # relocatable macOS library has.
        "$ld64" -arch $arch -platform_version macos 11.0 11.0 -dylib -install_name @rpath/libforeign.dylib \
            -rpath @loader_path -rpath @loader_path/../lib -o "$out/libforeign-$arch.dylib" \
            "$out/foreign-$arch.o" "$src/libSystem.tbd"
        # A program, whose linker-made __mh_execute_header lies below its first section by design.
        "$ld64" -arch $arch -platform_version macos 11.0 11.0 -execute -e _foreign_answer \
            -o "$out/foreign-$arch.executable" "$out/foreign-$arch.o" "$src/libSystem.tbd"
        # A bundle, as macOS plugins often are: loadable with dlopen, not linkable against.
        "$ld64" -arch $arch -platform_version macos 11.0 11.0 -bundle -o "$out/foreign-$arch.bundle" \
            "$out/foreign-$arch.o" "$src/libSystem.tbd"
    done
    "$lipo" -create -output "$out/libforeign-universal.dylib" "$out/libforeign-arm64.dylib" "$out/libforeign-x86_64.dylib"
    rm -f "$out"/foreign-*.o
fi
if command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
    x86_64-w64-mingw32-gcc -shared -O2 -o "$out/foreign.dll" "$src/foreign.c"
    # The same DLL stripped of its COFF symbols, as release builds ship.
    x86_64-w64-mingw32-gcc -shared -O2 -s -o "$out/foreign-stripped.dll" "$src/foreign.c"
fi
