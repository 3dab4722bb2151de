package dev.dynload.bench;

import dev.dynload.IsolatedLibrary;
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

import java.util.concurrent.TimeUnit;

/**
 * A library in a process of its own ({@link IsolatedLibrary}): a hot call, its distribution (p50, p99),
 * and a call after the library's process has slept a second, beside raw FFM calling the same function in
 * process, in one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class IsolatedBenchmark {

    /** The bench library's functions. */
    public interface Bench {
        int bench_noop();

        int bench_add(int a, int b);

        int bench_touch(byte[] b, int n);
    }

    private IsolatedLibrary library;
    private Bench bench;
    int a = 2;
    int b = 3;

    @Setup
    public void open() {
        library = IsolatedLibrary.open(BenchLibrary.PATH);
        bench = library.bind(Bench.class);
    }

    @TearDown
    public void close() {
        library.close();
    }

    @Benchmark
    public int noop_isolated() {
        return bench.bench_noop();
    }

    @Benchmark
    public int add_isolated() {
        return bench.bench_add(a, b);
    }

    /** A 1 MiB array, and a 2 MiB one to copy plainly. */
    @State(Scope.Thread)
    public static class Arrays {
        final byte[] mebibyte = new byte[1 << 20];
        final byte[] twoMebibytes = new byte[2 << 20];
        final byte[] target = new byte[2 << 20];
    }

    /** A 1 MiB byte[] in-out through the slot's bulk area: copied in, and back out after the call. */
    @Benchmark
    public int touch1MiB_isolated(Arrays a) {
        return bench.bench_touch(a.mebibyte, a.mebibyte.length);
    }

    /** The yardstick the issue names: a plain copy of 2 MiB, what the in-out call copies at the least. */
    @Benchmark
    public byte[] copy2MiB(Arrays a) {
        System.arraycopy(a.twoMebibytes, 0, a.target, 0, a.twoMebibytes.length);
        return a.target;
    }

    @Benchmark
    public int add_ffm() throws Throwable {
        return (int) RawFfm.ADD.invokeExact(a, b);
    }

    /**
     * The yardstick the issue names: a round trip of a 64-byte message over a Unix-domain socket to an
     * echoing thread, what a socket-based plugin protocol pays at the least.
     */
    @State(Scope.Thread)
    public static class Socket {
        private java.nio.channels.SocketChannel client;
        private Thread echo;
        private java.nio.file.Path path;
        private final java.nio.ByteBuffer message = java.nio.ByteBuffer.allocateDirect(64);

        @Setup
        public void connect() throws java.io.IOException {
            path = java.nio.file.Files.createTempDirectory("dynload-bench").resolve("echo.sock");
            java.net.UnixDomainSocketAddress address = java.net.UnixDomainSocketAddress.of(path);
            java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open(
                    java.net.StandardProtocolFamily.UNIX).bind(address);
            echo = Thread.ofPlatform().daemon().start(() -> {
                try (server; java.nio.channels.SocketChannel peer = server.accept()) {
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(64);
                    for (;;) {
                        b.clear();
                        while (b.hasRemaining()) {
                            if (peer.read(b) < 0) {
                                return;
                            }
                        }
                        b.flip();
                        while (b.hasRemaining()) {
                            peer.write(b);
                        }
                    }
                } catch (java.io.IOException e) {
                    // the benchmark closed its end
                }
            });
            client = java.nio.channels.SocketChannel.open(address);
        }

        int roundTrip() throws java.io.IOException {
            message.clear();
            message.putInt(0, 2).putInt(4, 3);
            while (message.hasRemaining()) {
                client.write(message);
            }
            message.clear();
            while (message.hasRemaining()) {
                if (client.read(message) < 0) {
                    throw new java.io.EOFException("the echo thread closed the socket");
                }
            }
            return message.getInt(0) + message.getInt(4);
        }

        @TearDown
        public void close() throws java.io.IOException, InterruptedException {
            client.close();
            echo.join();
            java.nio.file.Files.deleteIfExists(path);
            java.nio.file.Files.deleteIfExists(path.getParent());
        }
    }

    @Benchmark
    public int add_unixSocketRoundTrip(Socket socket) throws java.io.IOException {
        return socket.roundTrip();
    }

    /** A call once the library's process has slept a second: it must be woken, not found spinning. */
    @State(Scope.Thread)
    public static class Asleep {
        @Setup(Level.Invocation)
        public void sleep() throws InterruptedException {
            Thread.sleep(1000);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 2)
    @Measurement(iterations = 10)
    public int add_isolated_afterSleep(Asleep asleep) {
        return bench.bench_add(a, b);
    }
}
