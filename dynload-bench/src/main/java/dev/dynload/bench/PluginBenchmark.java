package dev.dynload.bench;

import dev.dynload.Library;
import dev.dynload.plugin.PluginHost;
import dev.dynload.plugin.PluginInterface;
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
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Native plugins: a call through a plugin interface against raw FFM calling the same C function, and
 * discovering 1,000 plugin files (manifests read, nothing loaded) against loading them all.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class PluginBenchmark {

    static final Path PLUGIN = BenchLibrary.PATH.resolveSibling("plugin").resolve("libbenchplugin.so");

    /** The host's view of com.example.bench/1.0. */
    @PluginInterface(id = "com.example.bench", major = 1, minor = 0)
    public interface Bench {
        int add(int a, int b);

        int noop();
    }

    /** A started plugin, bound once, kept for the JVM's life; the same function for raw FFM. */
    static final class Bound {
        static final PluginHost HOST = PluginHost.builder().folder(PLUGIN.getParent())
                .logger((id, level, message) -> { }).build();
        static final Bench BENCH;
        static final MethodHandle ADD;
        static final MethodHandle NOOP;

        static {
            HOST.start();
            BENCH = HOST.plugin("com.example.bench.0000").orElseThrow().bind(Bench.class, MethodHandles.lookup());
            SymbolLookup lookup = SymbolLookup.libraryLookup(PLUGIN, Arena.global());
            ADD = Linker.nativeLinker().downcallHandle(lookup.findOrThrow("bench_plugin_add"),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            NOOP = Linker.nativeLinker().downcallHandle(lookup.findOrThrow("bench_plugin_noop"),
                    FunctionDescriptor.of(JAVA_INT));
        }
    }

    int a = 2;
    int b = 3;

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public int add_plugin() {
        return Bound.BENCH.add(a, b);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public int add_ffm() throws Throwable {
        return (int) Bound.ADD.invokeExact(a, b);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public int noop_plugin() {
        return Bound.BENCH.noop();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public int noop_ffm() throws Throwable {
        return (int) Bound.NOOP.invokeExact();
    }

    /** A folder of 1,000 copies of the plugin, each with its own id, made once per run. */
    @State(Scope.Benchmark)
    public static class Thousand {
        Path dir;
        PluginHost host;
        List<Path> files = new ArrayList<>();

        @Setup(Level.Trial)
        public void make() throws IOException {
            dir = Files.createTempDirectory("dynload-plugins-");
            files.addAll(copies(dir, 1000));
            host = PluginHost.builder().folder(dir).logger((id, level, message) -> { }).build();
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

    /** Writes {@code n} copies of the bench plugin into {@code dir}, with the ids com.example.bench.0000 on. */
    static List<Path> copies(Path dir, int n) throws IOException {
        byte[] template = Files.readAllBytes(PLUGIN);
        byte[] marker = "bench.0000".getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(template, marker) + marker.length - 4;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] copy = template.clone();
            System.arraycopy(String.format("%04d", i).getBytes(StandardCharsets.US_ASCII), 0, copy, at, 4);
            Path f = dir.resolve(String.format("libp%04d.so", i));
            Files.write(f, copy);
            files.add(f);
        }
        return files;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("no id in the bench plugin");
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 5, time = 2)
    public int discover1000(Thousand t) {
        return t.host.discover().plugins().size();
    }

    /** What a host without manifests does to learn what 1,000 files are: load each, then unload it. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 5, time = 2)
    public int load1000(Thousand t) {
        int n = 0;
        for (Path f : t.files) {
            try (Library lib = Library.open(f)) {
                n += lib.find("dynload_plugin_entry").isPresent() ? 1 : 0;
            }
        }
        return n;
    }
}
