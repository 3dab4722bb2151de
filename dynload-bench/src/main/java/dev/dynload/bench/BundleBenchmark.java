package dev.dynload.bench;

import com.sun.jna.Native;
import dev.dynload.Library;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A library shipped inside a jar, in a fresh JVM: open the Rust greeter and make its first call, from the
 * benchmark jar's bundle {@code rust-greeter} through sealed memory, through the per-user cache on a first
 * run (an empty cache) and on a later one (the files there already), against the same library opened
 * from a plain file and against JNA loading it from the same jar (which extracts it to a temporary file).
 * One sample per JVM.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 10, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class BundleBenchmark {

    /** {@code const char *greet(void)}, bound. */
    interface Greeter {
        String greet();
    }

    /** The same for JNA. */
    public interface JnaGreeter extends com.sun.jna.Library {
        String greet();
    }

    /** An empty cache folder, for the cache's first run. */
    @State(Scope.Benchmark)
    public static class EmptyCache {
        Path cache;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            cache = Files.createTempDirectory("dynload-bench-cache");
            System.setProperty("dynload.bundles", "cache");
            System.setProperty("dynload.cache", cache.toString());
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            delete(cache);
        }
    }

    /** Removes a cache folder the benchmark made. */
    static void delete(Path folder) throws IOException {
        try (var files = Files.walk(folder)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A cache folder that another JVM filled with the bundle, for a later run. */
    @State(Scope.Benchmark)
    public static class FilledCache {
        Path cache;

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            delete(cache);
        }

        @Setup(Level.Trial)
        public void setUp() throws IOException, InterruptedException {
            cache = Files.createTempDirectory("dynload-bench-cache");
            Process fill = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-Ddynload.bundles=cache", "-Ddynload.cache=" + cache,
                    "-cp", System.getProperty("java.class.path"), Fill.class.getName())).inheritIO().start();
            if (fill.waitFor() != 0) {
                throw new IllegalStateException("the JVM filling the cache failed");
            }
            System.setProperty("dynload.bundles", "cache");
            System.setProperty("dynload.cache", cache.toString());
        }
    }

    /** Fills a cache folder: the JVM {@link FilledCache} starts. */
    public static final class Fill {
        public static void main(String[] args) {
            try (Library lib = Library.openBundled("rust-greeter", Fill.class)) {
                lib.bind(Greeter.class).greet();
            }
        }
    }

    @Benchmark
    public String open_memory() {
        try (Library lib = Library.openBundled("rust-greeter", BundleBenchmark.class)) {
            return lib.bind(Greeter.class).greet();
        }
    }

    @Benchmark
    public String open_cacheFirst(EmptyCache cache) {
        try (Library lib = Library.openBundled("rust-greeter", BundleBenchmark.class)) {
            return lib.bind(Greeter.class).greet();
        }
    }

    @Benchmark
    public String open_cacheLater(FilledCache cache) {
        try (Library lib = Library.openBundled("rust-greeter", BundleBenchmark.class)) {
            return lib.bind(Greeter.class).greet();
        }
    }

    @Benchmark
    public String open_file() {
        try (Library lib = Library.open(UntrustedBenchmark.RUST)) {
            return lib.bind(Greeter.class).greet();
        }
    }

    @Benchmark
    public String open_jna() {
        return Native.load("test", JnaGreeter.class).greet();
    }
}
