package dev.dynload.fuzz;

import dev.dynload.IsolatedLibrary;
import dev.dynload.LibraryCrashedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Crash-and-restart cycles of an isolated library: in each, threads call it while one call crashes its
 * process; every call in flight must get an answer (a result or {@link LibraryCrashedException}), and the
 * library is opened again. At the end, this JVM must hold no more descriptors, threads, child processes or
 * shared-memory mappings than it did after the first cycle.
 *
 * <pre>
 *   java -cp ... dev.dynload.fuzz.CrashCycles LIBRARY CYCLES THREADS
 * </pre>
 * The library is the tests' libuntrusted.so. Prints one line of figures; exits 1 on a leak or a lost call.
 */
public final class CrashCycles {

    /** The functions of libuntrusted.so the cycles use. */
    public interface Api {
        int add(int a, int b);

        int crash();
    }

    /** What one run found. */
    public record Result(int cycles, long calls, long answeredByCrash, long slowestAnswerNanos, Resources before,
                         Resources after) {
        /** {@return whether nothing leaked} */
        public boolean clean() {
            return after.descriptors() <= before.descriptors() && after.children() == 0
                    && after.channels() == 0 && after.threads() == 0;
        }
    }

    /**
     * What this JVM holds that a cycle could leak: its descriptors, dynload's runner threads (a monitor per
     * runner; the one long-lived spawner is not counted), its child processes, its channel mappings.
     */
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

    private CrashCycles() {
    }

    public static void main(String[] args) throws Exception {
        Result r = run(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        System.out.println(r.cycles() + " crash cycles, " + r.calls() + " calls, " + r.answeredByCrash()
                + " answered by the crash, slowest answer after the crash " + r.slowestAnswerNanos() / 1_000_000
                + " ms; before " + r.before() + ", after " + r.after() + (r.clean() ? "" : ": LEAK"));
        System.exit(r.clean() ? 0 : 1);
    }

    /**
     * Runs {@code cycles} cycles with {@code threads} calling threads.
     *
     * <p>The first cycle warms up (the runner's memory file, the spawner and monitor threads' first use);
     * the resources are counted after it, and again after the last.
     */
    public static Result run(Path library, int cycles, int threads) throws Exception {
        AtomicLong calls = new AtomicLong();
        AtomicLong byCrash = new AtomicLong();
        AtomicLong slowest = new AtomicLong();
        Resources before = null;
        for (int cycle = 0; cycle < cycles; cycle++) {
            try (IsolatedLibrary lib = IsolatedLibrary.open(library)) {
                Api api = lib.bind(Api.class);
                AtomicInteger started = new AtomicInteger();
                AtomicLong crashedAt = new AtomicLong();
                List<Thread> callers = new ArrayList<>();
                List<Throwable> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int base = t * 1000;
                    callers.add(Thread.ofPlatform().start(() -> {
                        try {
                            for (int i = 0; ; i++) {
                                started.incrementAndGet();
                                if (api.add(base, i) != base + i) {
                                    wrong.add(new AssertionError("wrong sum"));
                                }
                                calls.incrementAndGet();
                            }
                        } catch (LibraryCrashedException e) {
                            byCrash.incrementAndGet();
                            long at = crashedAt.get();
                            if (at != 0) {
                                slowest.accumulateAndGet(System.nanoTime() - at, Math::max);
                            }
                        } catch (Throwable e) {
                            wrong.add(e);
                        }
                    }));
                }
                while (started.get() < threads * 10 && callers.stream().allMatch(Thread::isAlive)) {
                    Thread.onSpinWait();
                }
                crashedAt.set(System.nanoTime());
                try {
                    api.crash();
                    throw new AssertionError("crash() returned");
                } catch (LibraryCrashedException expected) {
                    // the runner is gone; every caller must now get its answer
                }
                for (Thread t : callers) {
                    t.join();
                }
                if (!wrong.isEmpty()) {
                    throw new AssertionError("cycle " + cycle + ": " + wrong.get(0), wrong.get(0));
                }
            }
            if (cycle == 0) {
                before = Resources.now();
            }
        }
        return new Result(cycles, calls.get(), byCrash.get(), slowest.get(), before, Resources.now());
    }
}
