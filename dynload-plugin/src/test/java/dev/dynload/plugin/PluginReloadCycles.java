package dev.dynload.plugin;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Reload cycles of the store plugin (src/test/c/reload.c) while threads call it: its two builds put in
 * place in turn, each reload handing over 10,000 entries. Every call must succeed and see every entry;
 * none may reach the copy a reload replaced once that reload has returned (checked by the version each
 * call sees, and by the old copy itself, which counts calls after its save and says so at its stop). The
 * JVM's mappings and descriptors after the last cycle must be what they were after the first.
 *
 * <pre>
 *   java -cp ... dev.dynload.plugin.PluginReloadCycles PLUGIN_FOLDER CYCLES THREADS [--rust | --isolated]
 * </pre>
 * The folder holds the tests' libstore-v1.so and libstore-v2.so (and, for {@code --rust}, the Rust store's
 * two builds in rust-v1/ and rust-v2/, run after the C one). Prints one line of figures, the longest
 * time one call took (the pause a reload makes a caller wait) among them; exits 1 on a failed or stale
 * call or a leak.
 */
public final class PluginReloadCycles {

    /** How many entries each reload hands over. */
    static final int ENTRIES = 10_000;

    /** What one run found. */
    public record Result(int cycles, long calls, long failed, long stale, long lateInOldCopies, long longestCallNanos,
                         long longestReloadNanos, Resources before, Resources after) {
        /**
         * {@return whether no call failed or went stale and nothing leaked} A mapping or descriptor of the
         * JVM's own (the JIT's code cache, a GC region) may come and go between the counts: growth beyond
         * a few, which a leak per cycle would give many times over, is what counts.
         */
        public boolean clean() {
            return failed == 0 && stale == 0 && lateInOldCopies == 0 && after.descriptors() <= before.descriptors() + 2
                    && after.mappings() <= before.mappings() + 16
                    && after.storeMappings() <= before.storeMappings();
        }
    }

    /** The JVM's descriptors, its mappings, and the mappings of copies of the store plugin. */
    public record Resources(long descriptors, long mappings, long storeMappings) {
        static Resources now() throws IOException {
            long fds;
            try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
                fds = s.count();
            }
            List<String> maps = Files.readAllLines(Path.of("/proc/self/maps"));
            long store = maps.stream().filter(l -> l.contains("libstore")).count(); // copies show as dynload:libstore.so
            return new Resources(fds, maps.size(), store);
        }
    }

    private PluginReloadCycles() {
    }

    public static void main(String[] args) throws Exception {
        Path builds = Path.of(args[0]);
        Result r = run(builds, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        System.out.println(describe(r));
        if (args.length > 3 && args[3].equals("--isolated")) {
            Result out = run(builds.resolve("libstore-v1.so"), builds.resolve("libstore-v2.so"), "com.example.store",
                    Integer.parseInt(args[1]), Integer.parseInt(args[2]), true);
            System.out.println("Out of process: " + describe(out));
            r = out.clean() ? r : out;
        }
        if (args.length > 3 && args[3].equals("--rust")) {
            Result rust = run(builds.resolve("rust-v1/libstore_rust.so"), builds.resolve("rust-v2/libstore_rust.so"),
                    "com.example.rstore", Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            // Its init registers a thread-local destructor, so each replaced copy stays mapped, with the
            // descriptor of its private copy (the loader knows it by /proc/self/fd/N): the documented cost,
            // said once by the host. What must hold is that no call failed or went stale.
            System.out.println("Rust (each replaced copy stays mapped, by design of the fixture): " + describe(rust));
            if (rust.failed() != 0 || rust.stale() != 0) {
                System.exit(1);
            }
        }
        System.exit(r.clean() ? 0 : 1);
    }

    static String describe(Result r) {
        return r.cycles() + " reloads of 10,000 entries under " + "load: " + r.calls() + " calls, " + r.failed()
                + " failed, " + r.stale() + " reached a replaced copy after its reload returned (the old copies "
                + "counted " + r.lateInOldCopies() + "); longest call " + r.longestCallNanos() / 1_000 + " us, "
                + "longest reload " + r.longestReloadNanos() / 1_000 + " us; after the first cycle " + r.before()
                + ", after the last " + r.after() + (r.clean() ? "" : ": FAILED");
    }

    /** Puts {@code build} in place as {@code libstore.so}, renamed, as a deployment does. */
    static void deploy(Path build, Path dir) throws IOException {
        Path next = dir.resolve(".libstore.so.next");
        Files.copy(build, next, StandardCopyOption.REPLACE_EXISTING);
        Files.move(next, dir.resolve("libstore.so"), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Runs {@code cycles} reloads of the C store with {@code threads} calling threads, in one host. */
    public static Result run(Path builds, int cycles, int threads) throws Exception {
        return run(builds.resolve("libstore-v1.so"), builds.resolve("libstore-v2.so"), "com.example.store", cycles,
                threads);
    }

    /**
     * Runs {@code cycles} reloads between two builds of a store plugin {@code id} (versions 1 and 2) with
     * {@code threads} calling threads, in one host.
     */
    public static Result run(Path v1, Path v2, String id, int cycles, int threads) throws Exception {
        return run(v1, v2, id, cycles, threads, false);
    }

    /** {@link #run(Path, Path, String, int, int)}, the plugin in a process of its own when {@code isolated}. */
    public static Result run(Path v1, Path v2, String id, int cycles, int threads, boolean isolated) throws Exception {
        Path dir = Files.createTempDirectory("reload-cycles");
        List<String> said = Collections.synchronizedList(new ArrayList<>());
        deploy(v1, dir);
        PluginHost host = PluginHost.builder().folder(dir).hostVersion("1.4.0")
                .defaultIsolation(isolated ? Isolation.process() : Isolation.inProcess())
                .logger((plugin, level, message) -> {
                    if (message.contains("after its save")) {
                        said.add(message);
                    }
                    if (System.getProperty("dynload.reload.verbose") != null && message.startsWith("reloaded")) {
                        System.out.println(message);
                    }
                }).build();
        AtomicLong calls = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong stale = new AtomicLong();
        AtomicLong longest = new AtomicLong();
        AtomicLong longestReload = new AtomicLong();
        // Reloads begun and returned: a call that read "returned" = g, and after which no reload began, must
        // see build g's version.
        AtomicInteger begun = new AtomicInteger();
        AtomicInteger returned = new AtomicInteger();
        AtomicReference<Throwable> first = new AtomicReference<>();
        Resources before = null;
        Resources after;
        List<Thread> callers = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean go = new java.util.concurrent.atomic.AtomicBoolean(true);
        try {
            host.start();
            PluginReloadTest.Store store = host.plugin(id).orElseThrow()
                    .bind(PluginReloadTest.Store.class, MethodHandles.lookup());
            for (int k = 0; k < ENTRIES; k++) {
                store.put(k, k * 3);
            }
            java.util.concurrent.CountDownLatch calling = new java.util.concurrent.CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                int me = t;
                callers.add(Thread.ofPlatform().daemon().start(() -> {
                    long n = 0;
                    while (go.get()) {
                        int done = returned.get();
                        long start = System.nanoTime();
                        try {
                            int key = (int) ((me * 7919L + n) % ENTRIES);
                            int v = store.get(key);
                            int version = store.version();
                            long took = System.nanoTime() - start;
                            longest.accumulateAndGet(took, Math::max);
                            if (v != key * 3) {
                                failed.incrementAndGet();
                                first.compareAndSet(null, new AssertionError("key " + key + " gave " + v));
                            }
                            if (begun.get() == done && version != (done % 2 == 0 ? 1 : 2)) {
                                stale.incrementAndGet();
                            }
                            calls.incrementAndGet();
                        } catch (Throwable e) {
                            failed.incrementAndGet();
                            first.compareAndSet(null, e);
                        }
                        if (++n == 100) {
                            calling.countDown();
                        }
                    }
                }));
            }
            calling.await();
            for (int cycle = 1; cycle <= cycles; cycle++) {
                deploy(cycle % 2 == 1 ? v2 : v1, dir);
                begun.incrementAndGet();
                long start = System.nanoTime();
                host.reload(id);
                longestReload.accumulateAndGet(System.nanoTime() - start, Math::max);
                returned.incrementAndGet();
                if (store.count() != ENTRIES) {
                    throw new AssertionError("cycle " + cycle + ": " + store.count() + " entries after the reload");
                }
                if (cycle == 1) {
                    before = Resources.now();
                }
            }
            go.set(false);
            for (Thread t : callers) {
                t.join();
            }
            after = Resources.now();
        } finally {
            go.set(false);
            host.close();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
        if (first.get() != null && failed.get() > 0) {
            first.get().printStackTrace();
        }
        return new Result(cycles, calls.get(), failed.get(), stale.get(), said.size(), longest.get(),
                longestReload.get(), before, after);
    }
}
