package dev.dynload.bench;

import dev.dynload.plugin.PluginHost;
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
import java.lang.invoke.MethodHandles;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A plugin's first call in a fresh JVM: discover and read its manifest, resolve, load, negotiate, init,
 * start, bind and call; against raw FFM doing dlopen and one call. One sample per JVM.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 10, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class PluginColdBenchmark {

    @Benchmark
    public int first_plugin() {
        PluginHost host = PluginHost.builder().folder(PluginBenchmark.PLUGIN.getParent())
                .logger((id, level, message) -> { }).build();
        host.start();
        return host.plugin("com.example.bench.0000").orElseThrow()
                .bind(PluginBenchmark.Bench.class, MethodHandles.lookup()).add(2, 3);
    }

    @Benchmark
    public int first_ffm() throws Throwable {
        SymbolLookup lookup = SymbolLookup.libraryLookup(PluginBenchmark.PLUGIN, Arena.global());
        MethodHandle add = Linker.nativeLinker().downcallHandle(lookup.findOrThrow("bench_plugin_add"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        return (int) add.invokeExact(2, 3);
    }
}
