package dev.dynload.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The isolated call and raw FFM compute the same results. */
class IsolatedBenchmarkTest {

    @Test
    void anIsolatedCallAndRawFfmAgree() throws Throwable {
        IsolatedBenchmark b = new IsolatedBenchmark();
        b.open();
        try {
            assertEquals(5, b.add_isolated());
            assertEquals(5, b.add_ffm());
            assertEquals(0, b.noop_isolated());
            IsolatedBenchmark.Arrays arrays = new IsolatedBenchmark.Arrays();
            assertEquals(1 << 20, b.touch1MiB_isolated(arrays));
            assertEquals(1, arrays.mebibyte[0], "the byte the library wrote came back");
            assertEquals(1, arrays.mebibyte[(1 << 20) - 1]);
            IsolatedBenchmark.Socket socket = new IsolatedBenchmark.Socket();
            socket.connect();
            try {
                assertEquals(5, b.add_unixSocketRoundTrip(socket), "the echo's 2 + 3");
            } finally {
                socket.close();
            }
        } finally {
            b.close();
        }
    }
}
