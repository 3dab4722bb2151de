package dev.dynload.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Crash-and-restart cycles of an isolated plugin: in each, threads call it while one call crashes its
 * process; every call in flight must get an answer (a result or {@link PluginCrashedException}), and the
 * next call starts it again in a new process, as the restart policy allows. At the end, this JVM must hold
 * no more descriptors, runner threads, child processes or shared-memory mappings than after the first
 * cycle, and none once the host is closed.
 *
 * <pre>
 *   java -cp ... dev.dynload.plugin.PluginCrashCycles PLUGIN_FOLDER CYCLES THREADS
 * </pre>
 * The folder holds the tests' libhostile.so. Prints one line of figures; exits 1 on a leak or a lost call.
 */
public final class PluginCrashCycles {

    /** The hostile plugin's functions the cycles use. */
    @PluginInterface(id = "com.example.hostile", major = 1, minor = 0)
    public interface Hostile {
        int add(int a, int b);

        int crash();
    }

    /** What one run found. */
    public record Result(int cycles, long calls, long answeredByCrash, long slowestAnswerNanos, Resources before,
                         Resources after, Resources closed) {
        /**
         * {@return whether nothing leaked} Both counts are taken with the plugin started again after a crash
         * (one live process, the crashed one closed and its threads joined); a descriptor of the JVM's own
         * may come and go between them, so growth beyond two, which a leak per cycle would give, is what
         * counts, and all must be gone once the host is closed.
         */
        public boolean clean() {
            return after.descriptors() <= before.descriptors() + 2 && closed.descriptors() <= before.descriptors()
                    && after.children() <= before.children() && after.channels() <= before.channels()
                    && after.threads() <= before.threads() && closed.children() == 0 && closed.channels() == 0
                    && closed.threads() == 0;
        }
    }

    /** What this JVM holds that a cycle could leak (runner threads: monitors, output and log readers). */
    public record Resources(long descriptors, long threads, long children, long channels) {
        static Resources now() throws IOException {
            long fds;
            try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
                fds = s.count();
            }
            long tasks = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("dynload-runner-") && !t.getName().equals("dynload-runner-spawner"))
                    .count();
            long children = ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
            long channels = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(l -> l.contains("dynload-channel")).count();
            return new Resources(fds, tasks, children, channels);
        }
    }

    private PluginCrashCycles() {
    }

    public static void main(String[] args) throws Exception {
        Result r = run(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        System.out.println(r.cycles() + " crash-and-restart cycles, " + r.calls() + " calls, " + r.answeredByCrash()
                + " answered by the crash, slowest answer after the crash " + r.slowestAnswerNanos() / 1_000_000
                + " ms; after the first cycle " + r.before() + ", after the last " + r.after() + ", once closed "
                + r.closed() + (r.clean() ? "" : ": LEAK"));
        System.exit(r.clean() ? 0 : 1);
    }

    /** Runs {@code cycles} cycles with {@code threads} calling threads, in one host. */
    public static Result run(Path folder, int cycles, int threads) throws Exception {
        PluginHost host = PluginHost.builder().folder(folder).defaultIsolation(Isolation.process())
                .restart(RestartPolicy.atMost(cycles + 1, Duration.ofDays(1))).logger((id, level, message) -> { })
                .build();
        AtomicLong calls = new AtomicLong();
        AtomicLong byCrash = new AtomicLong();
        AtomicLong slowest = new AtomicLong();
        Resources before = null;
        Resources after;
        try {
            host.start();
            Plugin plugin = host.plugin("com.example.hostile").orElseThrow();
            Hostile api = plugin.bind(Hostile.class, java.lang.invoke.MethodHandles.lookup());
            for (int cycle = 0; cycle < cycles; cycle++) {
                api.add(0, 0); // restarts it, after the first cycle
                AtomicLong crashedAt = new AtomicLong();
                AtomicLong started = new AtomicLong();
                List<Thread> callers = new ArrayList<>();
                List<Throwable> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int base = t * 1000;
                    callers.add(Thread.ofPlatform().start(() -> {
                        for (int i = 0; ; i++) {
                            long before1 = crashedAt.get();
                            started.incrementAndGet();
                            try {
                                if (api.add(base, i) != base + i) {
                                    wrong.add(new AssertionError("wrong sum"));
                                }
                                calls.incrementAndGet();
                            } catch (PluginCrashedException e) {
                                byCrash.incrementAndGet();
                                long at = crashedAt.get();
                                if (at != 0) {
                                    slowest.accumulateAndGet(System.nanoTime() - at, Math::max);
                                }
                                return;
                            } catch (Throwable e) {
                                wrong.add(e);
                                return;
                            }
                            if (before1 != 0) {
                                return; // a call that began after the crash was answered (by a restart): done
                            }
                        }
                    }));
                }
                while (started.get() < threads * 10L && callers.stream().allMatch(Thread::isAlive)) {
                    Thread.onSpinWait();
                }
                crashedAt.set(System.nanoTime());
                try {
                    api.crash();
                    throw new AssertionError("crash() returned");
                } catch (PluginCrashedException expected) {
                    // its process is gone; every caller must now get its answer
                }
                for (Thread t : callers) {
                    t.join();
                }
                if (!wrong.isEmpty()) {
                    throw new AssertionError("cycle " + cycle + ": " + wrong.get(0), wrong.get(0));
                }
                if (cycle == 0) {
                    api.add(0, 0); // started again: the crashed process closed, its threads joined
                    before = Resources.now();
                }
            }
            api.add(0, 0);
            after = Resources.now();
        } finally {
            host.close();
        }
        return new Result(cycles, calls.get(), byCrash.get(), slowest.get(), before, after, Resources.now());
    }
}
