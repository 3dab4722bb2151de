#!/usr/bin/env bash
# Compiles the benchmark's native libraries into $1: libbench.so, libcold.so, plugin/libbenchplugin.so and the JNI wrapper,
# against the JDK at $2.
set -euo pipefail
out=$1
jdk=$2
src=$(cd "$(dirname "$0")" && pwd)
cflags=${CFLAGS:--shared -fPIC -O2 -Wall -Werror}
mkdir -p "$out"
# shellcheck disable=SC2086
{
    gcc $cflags -Wl,-soname,libbench.so -o "$out/libbench.so" "$src/bench.c"
    gcc $cflags -o "$out/libcold.so" "$src/cold.c"
    mkdir -p "$out/plugin"
    gcc $cflags -I"$src/../../../../dynload-plugin/include" -o "$out/plugin/libbenchplugin.so" "$src/plugin.c"
    gcc -O2 -Wall -Werror -o "$out/chost" "$src/chost.c" -ldl
    gcc $cflags -Wno-unused-parameter -I"$jdk/include" -I"$jdk/include/linux" -o "$out/libbenchjni.so" "$src/jni.c" \
        -L"$out" -lbench -Wl,-rpath,'$ORIGIN'
}
