package dev.dynload.bench;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@link PinBenchmark} cold: the first open of a library in a fresh JVM, plain, as a sealed private copy,
 * and pinned, one sample per JVM. The expected hash is computed by the harness before the JVM's first
 * open (in setup, which JMH does not time), so the timed open pays the hashing code's first run, as an
 * application's first pinned load does. The benchmarks are {@link PinBenchmark}'s, {@code sha256_only} cold
 * too.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 8, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class PinColdBenchmark extends PinBenchmark {

    /** The expected hash through the JDK, not dynload's own SHA-256: the timed open must be its first run. */
    @Override
    @Setup
    public void hash() throws IOException {
        path = Path.of(library);
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            sha256 = java.util.HexFormat.of().formatHex(d.digest(java.nio.file.Files.readAllBytes(path)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
