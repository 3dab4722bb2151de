#!/usr/bin/env bash
# Compiles the test plugins into $1/plugins, one shared library per variant of plugin.c, against the
# module's include/dynload_plugin.h.
set -euo pipefail
out="$1/plugins"
src="$(cd "$(dirname "$0")" && pwd)"
include="$src/../../../include"
mkdir -p "$out"
cflags="${CFLAGS:--shared -fPIC -O2 -Wall -Werror}"
for variant in GREETER GREETER_OLD MISMATCH NO_TABLE REFUSES BAD_ANSWER INIT_FAILS START_FAILS NEEDS_FAILING \
        BASE BASE_OLD ABI2 HOST2 CYCLE_A CYCLE_B NEEDS_MISSING NEEDS_NEWER NEEDS_UNUSABLE NUMBERED CHAIN NONE \
        DAMAGED BAD_MAGIC BAD_FORMAT BAD_PARSE BAD_UTF8 OVERSIZED TRUNCATED NO_NUL; do
    name=$(echo "$variant" | tr '[:upper:]' '[:lower:]' | tr '_' '-')
    # shellcheck disable=SC2086
    gcc $cflags -I"$include" -DVARIANT_$variant -o "$out/lib$name.so" "$src/plugin.c"
done
# The lifecycle plugins; the late caller is never unloaded (-z nodelete), as a Rust library that registered
# thread-local destructors is not, so that its thread outlives destroy.
for variant in BLOCKER LATE_CALLER LATE_DESTROY LATE_WITNESS INIT_THREAD; do
    name=$(echo "$variant" | tr '[:upper:]' '[:lower:]' | tr '_' '-')
    extra=""
    [ "$variant" = LATE_CALLER ] && extra="-Wl,-z,nodelete"
    # shellcheck disable=SC2086
    gcc $cflags -pthread $extra -I"$include" -DVARIANT_$variant -o "$out/lib$name.so" "$src/lifecycle.c"
done
# Strings across processes: a provider of string functions and a plugin that relays to it.
for variant in ECHOER RELAY; do
    name=$(echo "$variant" | tr '[:upper:]' '[:lower:]')
    # shellcheck disable=SC2086
    gcc $cflags -I"$include" -DVARIANT_$variant -o "$out/lib$name.so" "$src/relay.c"
done
# Builds of one store plugin, for reload: each is put at the same path in turn.
for variant in STORE_V1 STORE_V2 STORE_V1_0_ABI STORE_INIT_FAILS STORE_START_FAILS STORE_RESTORE_FAILS STORE_REFUSES \
        STORE_OTHER_ID STORE_ABI2 STORE_CRASH_START; do
    name=$(echo "$variant" | tr '[:upper:]' '[:lower:]' | tr '_' '-')
    # shellcheck disable=SC2086
    gcc $cflags -pthread -I"$include" -DVARIANT_$variant -o "$out/lib$name.so" "$src/reload.c"
done
# A plugin that requires the store and asks to be told of its reloads.
# shellcheck disable=SC2086
gcc $cflags -I"$include" -o "$out/libreader.so" "$src/reader.c"
# The misbehaving plugins, for isolated plugins.
for variant in HOSTILE CRASH_INIT EXIT_INIT HANG_INIT; do
    name=$(echo "$variant" | tr '[:upper:]' '[:lower:]' | tr '_' '-')
    # shellcheck disable=SC2086
    gcc $cflags -pthread -Wno-infinite-recursion -I"$include" -DVARIANT_$variant -o "$out/lib$name.so" "$src/hostile.c"
done
# The portable plugin for macOS (Mach-O, arm64) and Windows (PE): built where scripts/toolchains installed
# the cross tools, and read, never loaded, by the tests.
ld64=$(command -v ld64.lld 2>/dev/null || compgen -G "/usr/lib/llvm-*/bin/ld64.lld" | head -1 || true)
tbd="$src/../../../../dynload-core/src/test/c/foreign/libSystem.tbd"
if command -v clang >/dev/null 2>&1 && [ -n "$ld64" ]; then
    clang --target=arm64-apple-macos11 -ffreestanding -O2 -Wall -Werror -I"$include" -c -o "$out/portable.o" \
        "$src/foreign_plugin.c"
    "$ld64" -arch arm64 -platform_version macos 11.0 11.0 -dylib -install_name @rpath/libportable.dylib \
        -o "$out/libportable.dylib" "$out/portable.o" "$tbd"
    rm -f "$out/portable.o"
fi
if command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
    x86_64-w64-mingw32-gcc -shared -O2 -Wall -Werror -I"$include" -o "$out/portable.dll" "$src/foreign_plugin.c"
fi
