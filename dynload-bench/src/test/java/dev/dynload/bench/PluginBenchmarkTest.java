package dev.dynload.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every way of the plugin benchmarks computes the same result. */
class PluginBenchmarkTest {

    @Test
    void aPluginCallAndRawFfmAgree() throws Throwable {
        PluginBenchmark b = new PluginBenchmark();
        assertEquals(5, b.add_plugin());
        assertEquals(5, b.add_ffm());
        assertEquals(0, b.noop_plugin());
        assertEquals(0, b.noop_ffm());
        PluginColdBenchmark cold = new PluginColdBenchmark();
        assertEquals(5, cold.first_plugin());
        assertEquals(5, cold.first_ffm());
    }

    @Test
    void discoveringAndLoadingAThousandFindTheSamePlugins() throws IOException {
        PluginBenchmark.Thousand t = new PluginBenchmark.Thousand();
        t.make();
        try {
            PluginBenchmark b = new PluginBenchmark();
            assertEquals(1000, b.discover1000(t));
            assertEquals(1000, b.load1000(t));
        } finally {
            t.remove();
        }
    }
}
