package dev.dynload.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The cost of one call: each C function called every way in one run. Benchmark names are
 * {@code case_way}, which the report pairs up into ratios; {@code ffm} is hand-written raw FFM, the
 * naive way where arguments need memory (an arena per call), and {@code ffmCritical} the critical way
 * with heap segments.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class CallBenchmark {

    int a = 20;
    int b = 22;
    double x = 1.5;
    double y = 2.5;
    String text = "Hello from Rust!";
    byte[] textBytes = (text + "\0").getBytes(StandardCharsets.UTF_8);
    long[] longs = BenchLibrary.LONGS.clone();
    MemorySegment vecA = Arena.global().allocate(RawFfm.VEC2);
    MemorySegment vecB = Arena.global().allocate(RawFfm.VEC2);
    Dynload.Compare dynloadCompare = (p, q) -> Integer.compare(p.get(JAVA_INT, 0), q.get(JAVA_INT, 0));
    Jni.IntComparator jniCompare = Integer::compare;
    Jna.Compare jnaCompare = (p, q) -> Integer.compare(p.getInt(0), q.getInt(0));
    Jnr.Compare jnrCompare = (p, q) -> Integer.compare(p.getInt(0), q.getInt(0));

    // ---- int noop(void)

    @Benchmark public int noop_dynload() { return Dynload.BENCH.bench_noop(); }
    @Benchmark public int noop_dynloadWritten() { return Dynload.WRITTEN.bench_noop(); }
    @Benchmark public int noop_dynloadCritical() { return Dynload.BENCH.noopCritical(); }
    @Benchmark public int noop_ffm() throws Throwable { return (int) RawFfm.NOOP.invokeExact(); }
    @Benchmark public int noop_ffmCritical() throws Throwable { return (int) RawFfm.NOOP_CRITICAL.invokeExact(); }
    @Benchmark public int noop_jni() { return Jni.noop(); }
    @Benchmark public int noop_jnaInterface() { return Jna.Interface.INSTANCE.bench_noop(); }
    @Benchmark public int noop_jnaDirect() { return Jna.Direct.bench_noop(); }
    @Benchmark public int noop_jnr() { return Jnr.BENCH.bench_noop(); }

    // ---- int add(int, int)

    @Benchmark public int add_dynload() { return Dynload.BENCH.bench_add(a, b); }
    @Benchmark public int add_dynloadWritten() { return Dynload.WRITTEN.bench_add(a, b); }
    @Benchmark public int add_dynloadCritical() { return Dynload.BENCH.addCritical(a, b); }
    @Benchmark public int add_ffm() throws Throwable { return (int) RawFfm.ADD.invokeExact(a, b); }
    @Benchmark public int add_ffmCritical() throws Throwable { return (int) RawFfm.ADD_CRITICAL.invokeExact(a, b); }
    @Benchmark public int add_jni() { return Jni.add(a, b); }
    @Benchmark public int add_jnaInterface() { return Jna.Interface.INSTANCE.bench_add(a, b); }
    @Benchmark public int add_jnaDirect() { return Jna.Direct.bench_add(a, b); }
    @Benchmark public int add_jnr() { return Jnr.BENCH.bench_add(a, b); }
    @Benchmark public int add_java() { return a + b; }

    // ---- double mul(double, double)

    @Benchmark public double mul_dynload() { return Dynload.BENCH.bench_mul(x, y); }
    @Benchmark public double mul_dynloadWritten() { return Dynload.WRITTEN.bench_mul(x, y); }
    @Benchmark public double mul_dynloadCritical() { return Dynload.BENCH.mulCritical(x, y); }
    @Benchmark public double mul_ffm() throws Throwable { return (double) RawFfm.MUL.invokeExact(x, y); }
    @Benchmark public double mul_ffmCritical() throws Throwable { return (double) RawFfm.MUL_CRITICAL.invokeExact(x, y); }
    @Benchmark public double mul_jni() { return Jni.mul(x, y); }
    @Benchmark public double mul_jnaInterface() { return Jna.Interface.INSTANCE.bench_mul(x, y); }
    @Benchmark public double mul_jnaDirect() { return Jna.Direct.bench_mul(x, y); }
    @Benchmark public double mul_jnr() { return Jnr.BENCH.bench_mul(x, y); }

    // ---- const char *greet(void), to a String

    @Benchmark public String greet_dynload() { return Dynload.BENCH.bench_greet(); }
    @Benchmark public String greet_dynloadWritten() { return Dynload.WRITTEN.bench_greet(); }
    @Benchmark public String greet_dynloadCritical() { return Dynload.BENCH.greetCritical(); }
    @Benchmark public String greet_ffm() throws Throwable {
        return ((MemorySegment) RawFfm.GREET.invokeExact()).reinterpret(Long.MAX_VALUE).getString(0);
    }
    @Benchmark public String greet_ffmCritical() throws Throwable {
        return ((MemorySegment) RawFfm.GREET_CRITICAL.invokeExact()).reinterpret(Long.MAX_VALUE).getString(0);
    }
    @Benchmark public String greet_jni() { return Jni.greet(); }
    @Benchmark public String greet_jnaInterface() { return Jna.Interface.INSTANCE.bench_greet(); }
    @Benchmark public String greet_jnaDirect() { return Jna.Direct.bench_greet(); }
    @Benchmark public String greet_jnr() { return Jnr.BENCH.bench_greet(); }

    // ---- size_t strlen(const char *), from a String

    @Benchmark public long strlen_dynload() { return Dynload.BENCH.bench_strlen(text); }
    @Benchmark public long strlen_ffm() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            return (long) RawFfm.STRLEN.invokeExact(arena.allocateFrom(text));
        }
    }
    @Benchmark public long strlen_ffmCritical() throws Throwable {
        return (long) RawFfm.STRLEN_CRITICAL.invokeExact(MemorySegment.ofArray(textBytes));
    }
    @Benchmark public long strlen_jni() { return Jni.strlen(text); }
    @Benchmark public long strlen_jnaInterface() { return Jna.Interface.INSTANCE.bench_strlen(text); }
    @Benchmark public long strlen_jnaDirect() { return Jna.Direct.bench_strlen(text); }
    @Benchmark public long strlen_jnr() { return Jnr.BENCH.bench_strlen(text); }

    // ---- int64_t sum(const int64_t *, size_t) over long[1000]

    @Benchmark public long sum_dynload() { return Dynload.BENCH.bench_sum(longs, longs.length); }
    @Benchmark public long sum_dynloadCritical() { return Dynload.BENCH.sumHeap(longs, longs.length); }
    @Benchmark public long sum_ffm() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            return (long) RawFfm.SUM.invokeExact(arena.allocateFrom(JAVA_LONG, longs), (long) longs.length);
        }
    }
    @Benchmark public long sum_ffmCritical() throws Throwable {
        return (long) RawFfm.SUM_CRITICAL.invokeExact(MemorySegment.ofArray(longs), (long) longs.length);
    }
    @Benchmark public long sum_jni() { return Jni.sum(longs); }
    @Benchmark public long sum_jnaInterface() { return Jna.Interface.INSTANCE.bench_sum(longs, longs.length); }
    @Benchmark public long sum_jnaDirect() { return Jna.Direct.bench_sum(longs, longs.length); }
    @Benchmark public long sum_jnr() { return Jnr.BENCH.bench_sum(longs, longs.length); }
    @Benchmark public long sum_java() {
        long s = 0;
        for (long v : longs) {
            s += v;
        }
        return s;
    }

    // ---- double dot(struct vec2, struct vec2), structs by value

    @Benchmark public double dot_dynload() {
        return Dynload.BENCH.bench_dot(new Dynload.Vec2(x, y), new Dynload.Vec2(y, x));
    }
    @Benchmark public double dot_ffm() throws Throwable {
        vecA.set(JAVA_DOUBLE, 0, x);
        vecA.set(JAVA_DOUBLE, 8, y);
        vecB.set(JAVA_DOUBLE, 0, y);
        vecB.set(JAVA_DOUBLE, 8, x);
        return (double) RawFfm.DOT.invokeExact(vecA, vecB);
    }
    @Benchmark public double dot_jni() { return Jni.dot(x, y, y, x); }
    @Benchmark public double dot_jnaInterface() {
        return Jna.Interface.INSTANCE.bench_dot(new Jna.Vec2(x, y), new Jna.Vec2(y, x));
    }
    @Benchmark public double dot_jnaDirect() { return Jna.Direct.bench_dot(new Jna.Vec2(x, y), new Jna.Vec2(y, x)); }
    @Benchmark public double dot_java() { return x * y + y * x; }

    // ---- qsort of 16 and 1,000 ints with a Java comparator: one upcall per comparison

    @Benchmark public int[] qsort16_dynload() { return dynloadSort(BenchLibrary.INTS_16); }
    @Benchmark public int[] qsort16_ffm() throws Throwable { return ffmSort(BenchLibrary.INTS_16); }
    @Benchmark public int[] qsort16_jni() { return jniSort(BenchLibrary.INTS_16); }
    @Benchmark public int[] qsort16_jnaInterface() { return jnaSort(BenchLibrary.INTS_16, false); }
    @Benchmark public int[] qsort16_jnaDirect() { return jnaSort(BenchLibrary.INTS_16, true); }
    @Benchmark public int[] qsort16_jnr() { return jnrSort(BenchLibrary.INTS_16); }
    @Benchmark public int[] qsort16_java() { return javaSort(BenchLibrary.INTS_16); }

    @Benchmark public int[] qsort1000_dynload() { return dynloadSort(BenchLibrary.INTS_1000); }
    @Benchmark public int[] qsort1000_ffm() throws Throwable { return ffmSort(BenchLibrary.INTS_1000); }
    @Benchmark public int[] qsort1000_jni() { return jniSort(BenchLibrary.INTS_1000); }
    @Benchmark public int[] qsort1000_jnaInterface() { return jnaSort(BenchLibrary.INTS_1000, false); }
    @Benchmark public int[] qsort1000_jnaDirect() { return jnaSort(BenchLibrary.INTS_1000, true); }
    @Benchmark public int[] qsort1000_jnr() { return jnrSort(BenchLibrary.INTS_1000); }
    @Benchmark public int[] qsort1000_java() { return javaSort(BenchLibrary.INTS_1000); }

    private int[] dynloadSort(int[] source) {
        int[] values = source.clone();
        Dynload.LIBC.qsort(values, values.length, Integer.BYTES, dynloadCompare);
        return values;
    }

    private static int[] ffmSort(int[] source) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment values = ((SegmentAllocator) arena).allocateFrom(JAVA_INT, source);
            RawFfm.QSORT.invokeExact(values, (long) source.length, (long) Integer.BYTES, RawFfm.COMPARE);
            return values.toArray(JAVA_INT);
        }
    }

    private int[] jniSort(int[] source) {
        int[] values = source.clone();
        Jni.qsort(values, jniCompare);
        return values;
    }

    private int[] jnaSort(int[] source, boolean direct) {
        int[] values = source.clone();
        if (direct) {
            Jna.DirectLibC.qsort(values, values.length, Integer.BYTES, jnaCompare);
        } else {
            Jna.LibC.INSTANCE.qsort(values, values.length, Integer.BYTES, jnaCompare);
        }
        return values;
    }

    private int[] jnrSort(int[] source) {
        int[] values = source.clone();
        Jnr.LIBC.qsort(values, values.length, Integer.BYTES, jnrCompare);
        return values;
    }

    private static int[] javaSort(int[] source) {
        Integer[] boxed = Arrays.stream(source).boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, Integer::compare);
        return Arrays.stream(boxed).mapToInt(Integer::intValue).toArray();
    }
}
