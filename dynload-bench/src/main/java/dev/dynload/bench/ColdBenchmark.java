package dev.dynload.bench;

import com.sun.jna.Native;
import dev.dynload.Library;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The cost of starting to use a library in a fresh JVM: open it, bind its functions, make the first
 * call. One sample per JVM (JMH forks a new one for each), for 1 function, 50 functions of one
 * signature and 50 of 50 signatures; each way binds all of them, as its users would, then calls one.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 10, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class ColdBenchmark {

    static final Path COLD = BenchLibrary.PATH.resolveSibling("libcold.so");

    /** One function. */
    interface One {
        int same_0(int v);
    }

    /** The same, its implementation written at compile time by dynload's annotation processor. */
    @dev.dynload.bind.LibraryInterface
    interface WrittenOne extends One {
    }

    /** One function, for JNA. */
    public interface JnaOne extends com.sun.jna.Library {
        int same_0(int v);
    }

    @Benchmark
    public int one_dynload() {
        return Library.open(COLD).bind(One.class).same_0(1);
    }

    @Benchmark
    public int one_dynload_written() {
        return Library.open(COLD).bind(WrittenOne.class).same_0(1);
    }

    @Benchmark
    public int one_ffm() throws Throwable {
        SymbolLookup lookup = SymbolLookup.libraryLookup(COLD, Arena.global());
        MethodHandle same0 = Linker.nativeLinker().downcallHandle(lookup.findOrThrow("same_0"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        return (int) same0.invokeExact(1);
    }

    @Benchmark
    public int one_jna() {
        return Native.load(COLD.toString(), JnaOne.class).same_0(1);
    }

    @Benchmark
    public int same50_dynload() {
        return Library.open(COLD).bind(ColdFunctions.DynloadSame.class).same_0(1);
    }

    @Benchmark
    public int same50_dynload_written() {
        return Library.open(COLD).bind(ColdFunctions.WrittenSame.class).same_0(1);
    }

    @Benchmark
    public int same50_ffm() throws Throwable {
        SymbolLookup lookup = SymbolLookup.libraryLookup(COLD, Arena.global());
        Linker linker = Linker.nativeLinker();
        MethodHandle[] handles = new MethodHandle[50];
        for (int i = 0; i < 50; i++) {
            handles[i] = linker.downcallHandle(lookup.findOrThrow("same_" + i), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        }
        return (int) handles[0].invokeExact(1);
    }

    @Benchmark
    public int same50_jna() {
        return Native.load(COLD.toString(), ColdFunctions.JnaSame.class).same_0(1);
    }

    @Benchmark
    public int distinct50_dynload() {
        return Library.open(COLD).bind(ColdFunctions.DynloadDistinct.class).distinct_0(1);
    }

    @Benchmark
    public int distinct50_dynload_written() {
        return Library.open(COLD).bind(ColdFunctions.WrittenDistinct.class).distinct_0(1);
    }

    @Benchmark
    public int distinct50_ffm() throws Throwable {
        SymbolLookup lookup = SymbolLookup.libraryLookup(COLD, Arena.global());
        Linker linker = Linker.nativeLinker();
        MethodHandle[] handles = new MethodHandle[50];
        for (int i = 0; i < 50; i++) {
            handles[i] = linker.downcallHandle(lookup.findOrThrow("distinct_" + i), ColdFunctions.DISTINCT[i]);
        }
        return (int) handles[0].invokeExact(1);
    }

    @Benchmark
    public int distinct50_jna() {
        return Native.load(COLD.toString(), ColdFunctions.JnaDistinct.class).distinct_0(1);
    }

}
