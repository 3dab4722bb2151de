package dev.dynload.bench;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.annotations.In;

/** jnr-ffi's mapping of the benchmark library and libc. */
final class Jnr {

    private Jnr() {
    }

    /** The benchmark library. */
    public interface Bench {
        int bench_noop();

        int bench_add(int a, int b);

        double bench_mul(double a, double b);

        String bench_greet();

        long bench_strlen(String s);

        long bench_sum(@In long[] values, long n); // const int64_t *: copied in, not back
    }

    /** The qsort comparator. */
    public interface Compare {
        @Delegate
        int compare(Pointer a, Pointer b);
    }

    /** libc. */
    public interface LibC {
        void qsort(int[] base, long n, long size, Compare compare);
    }

    static final Bench BENCH = LibraryLoader.create(Bench.class).load(BenchLibrary.PATH.toString());
    static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
}
