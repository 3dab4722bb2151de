package dev.dynload.bench;

import dev.dynload.plugin.Isolation;
import dev.dynload.plugin.PluginHost;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The isolated plugin's benchmark computes what raw FFM does, and its runner stays small. */
class IsolatedPluginBenchmarkTest {

    @Test
    void anIsolatedPluginCallAndRawFfmAgree() throws Throwable {
        IsolatedPluginBenchmark b = new IsolatedPluginBenchmark();
        b.start();
        try {
            assertEquals(5, b.add_isolatedPlugin());
            assertEquals(5, b.add_ffm());
            assertEquals(0, b.noop_isolatedPlugin());
        } finally {
            b.stop();
        }
    }

    @Test
    void theRunnersMemoryBeyondThePluginsOwnIsUnderFiveMegabytes() throws Exception {
        PluginHost host = PluginHost.builder().folder(PluginBenchmark.PLUGIN.getParent())
                .defaultIsolation(Isolation.process()).logger((id, level, message) -> { }).build();
        host.start();
        try {
            dev.dynload.plugin.Plugin plugin = host.plugin("com.example.bench.0000").orElseThrow();
            PluginBenchmark.Bench bench = plugin.bind(PluginBenchmark.Bench.class, MethodHandles.lookup());
            assertEquals(5, bench.add(2, 3));
            long pid = plugin.processId().orElseThrow();
            long kb = IsolatedPluginBenchmark.runnerKilobytes(pid, "libbenchplugin.so");
            System.out.println("runner resident beyond the plugin's own: " + kb + " kB");
            assertTrue(kb > 0 && kb < 5 * 1024, kb + " kB");
        } finally {
            host.close();
        }
    }
}
