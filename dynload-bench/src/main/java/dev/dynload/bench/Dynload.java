package dev.dynload.bench;

import dev.dynload.Library;
import dev.dynload.bind.Critical;
import dev.dynload.bind.Heap;
import dev.dynload.bind.In;
import dev.dynload.bind.Size;
import dev.dynload.bind.SizeT;
import dev.dynload.bind.Symbol;

import java.lang.foreign.MemorySegment;

/** The benchmark library and libc, bound with dynload: the plain way and the opt-ins. */
final class Dynload {

    private Dynload() {
    }

    /** {@code struct vec2 { double x, y; }}. */
    record Vec2(double x, double y) {
    }

    /** The qsort comparator, reading the two ints C points to. */
    @FunctionalInterface
    interface Compare {
        int compare(@Size(4) MemorySegment a, @Size(4) MemorySegment b);
    }

    /** The C prototypes as Java methods. */
    interface Bench {
        int bench_noop();

        int bench_add(int a, int b);

        double bench_mul(double a, double b);

        String bench_greet();

        @SizeT long bench_strlen(String s);

        @SizeT long bench_sum(@In long[] values, @SizeT long n); // const int64_t *: copied in, not back

        double bench_dot(Vec2 a, Vec2 b);

        @Critical @Symbol("bench_noop") int noopCritical();

        @Critical @Symbol("bench_add") int addCritical(int a, int b);

        @Critical @Symbol("bench_mul") double mulCritical(double a, double b);

        @Critical @Symbol("bench_greet") String greetCritical();

        @Symbol("bench_sum") long sumHeap(@Heap long[] values, @SizeT long n);
    }

    /** {@link Bench} with its implementation written at compile time by dynload's annotation processor. */
    @dev.dynload.bind.LibraryInterface
    interface WrittenBench extends Bench {
    }

    /** libc's qsort. */
    interface LibC {
        void qsort(int[] base, @SizeT long n, @SizeT long size, Compare compare);
    }

    static final Bench BENCH = Library.open(BenchLibrary.PATH).bind(Bench.class);
    static final Bench WRITTEN = Library.open(BenchLibrary.PATH).bind(WrittenBench.class);
    static final LibC LIBC = Library.open("c").bind(LibC.class);
}
