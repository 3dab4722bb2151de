package dev.dynload.bench;

import dev.dynload.plugin.Isolation;
import dev.dynload.plugin.PluginHost;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A plugin out of process ({@link Isolation#process()}): calls through its bound interface (hot, and
 * after its process slept a second), beside raw FFM calling the same function in process; the start of an
 * isolated plugin (spawn, load, negotiate, init, start) and of a group of ten in one process, in a warm
 * JVM. {@link #runnerKilobytes} gives the runner's resident memory beyond the plugin's own.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class IsolatedPluginBenchmark {

    private PluginHost host;
    private PluginBenchmark.Bench bench;
    int a = 2;
    int b = 3;

    @Setup
    public void start() {
        host = PluginHost.builder().folder(PluginBenchmark.PLUGIN.getParent()).defaultIsolation(Isolation.process())
                .logger((id, level, message) -> { }).build();
        host.start();
        bench = host.plugin("com.example.bench.0000").orElseThrow().bind(PluginBenchmark.Bench.class,
                MethodHandles.lookup());
    }

    @TearDown
    public void stop() {
        host.close();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public int add_isolatedPlugin() {
        return bench.add(a, b);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public int noop_isolatedPlugin() {
        return bench.noop();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public int add_ffm() throws Throwable {
        return (int) PluginBenchmark.Bound.ADD.invokeExact(a, b);
    }

    /** A call once the plugin's process has slept a second: it must be woken, not found spinning. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 10)
    public int add_isolatedPlugin_afterSleep(IsolatedBenchmark.Asleep asleep) {
        return bench.add(a, b);
    }

    /** A host of {@code n} plugin copies, not started; each invocation starts it, and it is closed after. */
    public abstract static class Fresh {
        Path dir;
        PluginHost host;

        abstract int plugins();

        abstract Isolation isolation();

        @Setup(Level.Trial)
        public void make() throws IOException {
            dir = Files.createTempDirectory("dynload-isolated-");
            PluginBenchmark.copies(dir, plugins());
        }

        @Setup(Level.Invocation)
        public void build() {
            host = PluginHost.builder().folder(dir).defaultIsolation(isolation()).logger((id, level, message) -> { })
                    .build();
        }

        @TearDown(Level.Invocation)
        public void close() {
            host.close();
        }

        @TearDown(Level.Trial)
        public void remove() throws IOException {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** One plugin in a process of its own. */
    @State(Scope.Thread)
    public static class One extends Fresh {
        @Override
        int plugins() {
            return 1;
        }

        @Override
        Isolation isolation() {
            return Isolation.process();
        }
    }

    /** Ten plugins in one group's process. */
    @State(Scope.Thread)
    public static class GroupOfTen extends Fresh {
        @Override
        int plugins() {
            return 10;
        }

        @Override
        Isolation isolation() {
            return Isolation.group("ten");
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 5)
    @Measurement(iterations = 20)
    public int start_isolatedPlugin(One one) {
        return one.host.start().size();
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 5)
    @Measurement(iterations = 20)
    public int start_groupOfTen(GroupOfTen ten) {
        return ten.host.start().size();
    }

    /**
     * The resident memory of a runner process beyond the mappings of {@code plugin} (the plugin's own
     * code and data), in kilobytes, from /proc/PID/smaps.
     */
    static long runnerKilobytes(long pid, String plugin) throws IOException {
        long total = 0;
        long plugins = 0;
        boolean inPlugin = false;
        List<String> lines = Files.readAllLines(Path.of("/proc/" + pid + "/smaps"));
        for (String line : lines) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) { // a mapping's first line; its path ends it
                inPlugin = line.endsWith(plugin);
            } else if (line.startsWith("Rss:")) {
                long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                total += kb;
                plugins += inPlugin ? kb : 0;
            }
        }
        return total - plugins;
    }
}
