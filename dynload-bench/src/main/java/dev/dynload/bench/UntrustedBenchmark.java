package dev.dynload.bench;

import dev.dynload.Library;
import dev.dynload.LoadOption;
import dev.dynload.elf.ElfFile;
import dev.dynload.elf.ElfProblem;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What checking an untrusted file costs: {@code ElfFile.verify} on real libraries of three sizes (glibc,
 * zlib, the Rust greeter); a whole open and close of a library the process has not loaded (non-blocking
 * open, structural check, dlopen through the open file, dlclose), against raw FFM's {@code libraryLookup}
 * doing dlopen and dlclose alone; and an open that first loads the library in a child process.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class UntrustedBenchmark {

    static final Path LIBC = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
    static final Path LIBZ = Path.of("/lib/x86_64-linux-gnu/libz.so.1");
    static final Path RUST = Path.of(System.getProperty("dynload.bench.rust", "examples/rust-greeter/target/release/libtest.so"))
            .toAbsolutePath();

    @Benchmark
    public List<ElfProblem> verify_libc() throws IOException {
        return ElfFile.verify(LIBC);
    }

    @Benchmark
    public List<ElfProblem> verify_libz() throws IOException {
        return ElfFile.verify(LIBZ);
    }

    @Benchmark
    public List<ElfProblem> verify_rust() throws IOException {
        return ElfFile.verify(RUST);
    }

    @Benchmark
    public boolean open_dynload() {
        try (Library lib = Library.open(BenchLibrary.PATH)) {
            return lib.isOpen();
        }
    }

    @Benchmark
    public boolean open_ffm() {
        try (Arena arena = Arena.ofConfined()) {
            return SymbolLookup.libraryLookup(BenchLibrary.PATH, arena).find("bench_noop").isPresent();
        }
    }

    @Benchmark
    public boolean open_isolated() {
        try (Library lib = Library.open(BenchLibrary.PATH, LoadOption.isolated(Duration.ofSeconds(30)))) {
            return lib.isOpen();
        }
    }
}
