package dev.dynload.bench;

import dev.dynload.Library;
import dev.dynload.LoadOption;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What pinning a library costs (issue 18): an open and close of a real system library of about 120 KB
 * (zlib) and 1.4 MB (SQLite), plain, as a sealed private copy, and pinned by its SHA-256 (the sealed
 * copy, hashed), in one run; and the SHA-256 of the file alone.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class PinBenchmark {

    @Param({"/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libsqlite3.so.0"})
    public String library;

    protected Path path;
    protected String sha256;

    @Setup
    public void hash() throws IOException {
        path = Path.of(library);
        sha256 = dev.dynload.internal.Hashes.sha256(path);
    }

    @Benchmark
    public boolean open_plain() {
        try (Library lib = Library.open(path)) {
            return lib.isOpen();
        }
    }

    @Benchmark
    public boolean open_privateCopy() {
        try (Library lib = Library.open(path, LoadOption.PRIVATE_COPY)) {
            return lib.isOpen();
        }
    }

    @Benchmark
    public boolean open_pinned() {
        try (Library lib = Library.open(path, LoadOption.sha256(sha256))) {
            return lib.isOpen();
        }
    }

    @Benchmark
    public String sha256_only() throws IOException {
        return dev.dynload.internal.Hashes.sha256(path);
    }
}
