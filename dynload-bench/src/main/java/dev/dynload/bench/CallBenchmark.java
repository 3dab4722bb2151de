package dev.dynload.bench;

import dev.dynload.Library;
import dev.dynload.bind.SizeT;
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
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The cost of one call, the same C function called four ways in one run: dynload's bound interface,
 * hand-written raw FFM, JNA interface mapping and JNA direct mapping. Benchmark names are
 * {@code case_way}, which the report pairs up into ratios.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class CallBenchmark {

    /** The bound interface: the C prototypes as Java methods. */
    public interface Bench {
        int bench_noop();

        int bench_add(int a, int b);

        String bench_greet();

        @SizeT long bench_strlen(String s);
    }

    private static final Library LIBRARY = Library.open(BenchLibrary.PATH);
    static final Bench BOUND = LIBRARY.bind(Bench.class);

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup RAW = SymbolLookup.libraryLookup(BenchLibrary.PATH, Arena.global());
    static final MethodHandle NOOP = LINKER.downcallHandle(RAW.findOrThrow("bench_noop"), FunctionDescriptor.of(JAVA_INT));
    static final MethodHandle ADD = LINKER.downcallHandle(RAW.findOrThrow("bench_add"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle GREET = LINKER.downcallHandle(RAW.findOrThrow("bench_greet"), FunctionDescriptor.of(ADDRESS));
    static final MethodHandle STRLEN = LINKER.downcallHandle(RAW.findOrThrow("bench_strlen"),
            FunctionDescriptor.of(JAVA_LONG, ADDRESS));

    int a = 20;
    int b = 22;
    String text = "Hello from Rust!";

    @Benchmark
    public int noop_dynload() {
        return BOUND.bench_noop();
    }

    @Benchmark
    public int noop_ffm() throws Throwable {
        return (int) NOOP.invokeExact();
    }

    @Benchmark
    public int noop_jnaInterface() {
        return Jna.Interface.INSTANCE.bench_noop();
    }

    @Benchmark
    public int noop_jnaDirect() {
        return Jna.Direct.bench_noop();
    }

    @Benchmark
    public int add_dynload() {
        return BOUND.bench_add(a, b);
    }

    @Benchmark
    public int add_ffm() throws Throwable {
        return (int) ADD.invokeExact(a, b);
    }

    @Benchmark
    public int add_jnaInterface() {
        return Jna.Interface.INSTANCE.bench_add(a, b);
    }

    @Benchmark
    public int add_jnaDirect() {
        return Jna.Direct.bench_add(a, b);
    }

    @Benchmark
    public String greet_dynload() {
        return BOUND.bench_greet();
    }

    @Benchmark
    public String greet_ffm() throws Throwable {
        return ((MemorySegment) GREET.invokeExact()).reinterpret(Long.MAX_VALUE).getString(0);
    }

    @Benchmark
    public String greet_jnaInterface() {
        return Jna.Interface.INSTANCE.bench_greet();
    }

    @Benchmark
    public String greet_jnaDirect() {
        return Jna.Direct.bench_greet();
    }

    @Benchmark
    public long strlen_dynload() {
        return BOUND.bench_strlen(text);
    }

    /** The naive FFM way: a confined arena and a fresh native copy per call. */
    @Benchmark
    public long strlen_ffm() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            return (long) STRLEN.invokeExact(arena.allocateFrom(text));
        }
    }

    @Benchmark
    public long strlen_jnaInterface() {
        return Jna.Interface.INSTANCE.bench_strlen(text);
    }

    @Benchmark
    public long strlen_jnaDirect() {
        return Jna.Direct.bench_strlen(text);
    }
}
