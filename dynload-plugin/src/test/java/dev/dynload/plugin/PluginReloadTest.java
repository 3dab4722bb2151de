package dev.dynload.plugin;

import dev.dynload.Library;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reload, against the builds of src/test/c/reload.c, each put at the same path in turn, as a deployment
 * renames a new file into place. The copy that saved its state counts the calls that still reach it, and
 * its stop logs them: the tests read that, not the clock.
 */
class PluginReloadTest {

    @PluginInterface(id = "com.example.store", major = 1, minor = 0)
    interface Store {
        int put(int key, int value);

        int get(int key);

        int count();

        int version();

        int block();
    }

    @PluginInterface(id = "com.example.reader", major = 1, minor = 0)
    interface Reader {
        int total();

        int told();
    }

    static final java.lang.invoke.MethodHandles.Lookup LOOKUP = java.lang.invoke.MethodHandles.lookup();

    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    /** Puts the build {@code name} at {@code dir}/libstore.so, renamed into place. */
    static Path deploy(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path next = dir.resolve(".libstore.so.next");
        Files.copy(PluginHostTest.PLUGINS.resolve("lib" + name + ".so"), next, StandardCopyOption.REPLACE_EXISTING);
        return Files.move(next, dir.resolve("libstore.so"), StandardCopyOption.ATOMIC_MOVE);
    }

    PluginHost host(Path dir, String first) throws IOException {
        deploy(dir, first);
        return PluginHost.builder().folder(dir).hostVersion("1.4.0")
                .logger((id, level, message) -> log.add(id + " " + level + " " + message)).build();
    }

    @Test
    void eightThreadsCallThroughAReloadWithTenThousandEntriesHandedOverAndNoneFails(@TempDir Path dir)
            throws Exception {
        try (PluginHost host = host(dir, "store-v1")) {
            host.start();
            Plugin p = host.plugin("com.example.store").orElseThrow();
            Store s = p.bind(Store.class, LOOKUP);
            for (int k = 0; k < 10_000; k++) {
                s.put(k, k * 3);
            }
            AtomicBoolean go = new AtomicBoolean(true);
            AtomicBoolean reloaded = new AtomicBoolean();
            AtomicLong calls = new AtomicLong();
            AtomicLong oldAfterReturn = new AtomicLong();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            CountDownLatch calling = new CountDownLatch(8);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int me = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    int n = 0;
                    try {
                        while (go.get()) {
                            boolean after = reloaded.get();
                            int key = (me * 7919 + n) % 10_000;
                            if (s.get(key) != key * 3) {
                                throw new AssertionError("key " + key + " lost: " + s.get(key));
                            }
                            if (s.version() == 1 && after) {
                                oldAfterReturn.incrementAndGet();
                            }
                            calls.incrementAndGet();
                            if (++n == 100) {
                                calling.countDown();
                            }
                        }
                    } catch (Throwable e) {
                        failed.compareAndSet(null, e);
                        calling.countDown();
                    }
                }));
            }
            calling.await(); // every thread is calling
            deploy(dir, "store-v2");
            long before = calls.get();
            assertSame(p, host.reload("com.example.store"));
            reloaded.set(true);
            long during = calls.get() - before;
            long target = calls.get() + 8_000;
            while (calls.get() < target && failed.get() == null) {
                Thread.onSpinWait(); // until the threads made calls after the reload returned
            }
            go.set(false);
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(null, failed.get(), "a call failed across the reload");
            assertEquals(0, oldAfterReturn.get(), "a call reached the old copy after reload returned");
            assertEquals(2, s.version());
            assertEquals(10_000, s.count(), "the state handed over");
            assertEquals("2.0.0", p.descriptor().version().toString());
            assertTrue(log.stream().anyMatch(l -> l.contains("reloaded: 1.0.0 -> 2.0.0 (80010 bytes of state handed "
                    + "over); calls waited ")), log.toString());
            assertTrue(during >= 0);
            host.stop();
        }
        // The old copy's stop says if a call reached it after its save.
        assertTrue(log.stream().noneMatch(l -> l.contains("reached this copy after its save")), log.toString());
    }

    @Test
    void aCallInFlightFinishesInTheOldCopyWhileTheReloadWaitsForIt(@TempDir Path dir) throws Throwable {
        try (PluginHost host = host(dir, "store-v1");
             Library first = Library.open(dir.resolve("libstore.so"))) {
            MethodHandle entered = first.downcall("reload_wait_entered", FunctionDescriptor.ofVoid());
            MethodHandle initialised = first.downcall("reload_wait_initialised", FunctionDescriptor.ofVoid());
            MethodHandle release = first.downcall("reload_release", FunctionDescriptor.ofVoid());
            host.start();
            initialised.invokeExact(); // the first copy's init
            Store s = host.plugin("com.example.store").orElseThrow().bind(Store.class, LOOKUP);
            AtomicReference<Integer> blocked = new AtomicReference<>();
            Thread caller = Thread.ofPlatform().start(() -> blocked.set(s.block()));
            entered.invokeExact();
            deploy(dir, "store-v2");
            AtomicReference<Throwable> reloadFailed = new AtomicReference<>();
            Thread reloader = Thread.ofPlatform().start(() -> {
                try {
                    host.reload("com.example.store");
                } catch (Throwable e) {
                    reloadFailed.set(e);
                }
            });
            initialised.invokeExact(); // the new copy is initialised: the reload goes on to wait for the call
            release.invokeExact();
            caller.join();
            reloader.join();
            assertEquals(null, reloadFailed.get());
            assertEquals(1, blocked.get(), "the call in flight finished in the copy it started in");
            assertEquals(2, s.version());
        }
    }

    /** Each build that fails at one step: the old copy serves on, its state and bound objects as they were. */
    @Test
    void aNewCopyThatFailsAtAnyStepLeavesTheOldOneServing(@TempDir Path dir) throws Exception {
        try (PluginHost host = host(dir, "store-v1")) {
            host.start();
            Plugin p = host.plugin("com.example.store").orElseThrow();
            Store s = p.bind(Store.class, LOOKUP);
            s.put(5, 55);
            String[][] cases = {
                    {"store-init-fails", "INIT", "init failed with status 3: no store configured"},
                    {"store-start-fails", "START", "start failed with status 4: cannot start the store"},
                    {"store-restore-fails", "HANDOFF", "its restore failed with status 5"},
                    {"store-refuses", "NEGOTIATION", "this build refuses every host"},
                    {"store-other-id", "MANIFEST", "its file now holds plugin com.example.notstore 9.0.0"},
                    {"store-abi2", "MANIFEST", "speaks plugin ABI 2..2, and this host 1..1"},
            };
            for (String[] c : cases) {
                deploy(dir, c[0]);
                PluginReloadException e = assertThrows(PluginReloadException.class,
                        () -> host.reload("com.example.store"), c[0]);
                assertEquals(PluginReloadException.Step.valueOf(c[1]), e.step(), e.getMessage());
                assertTrue(e.getMessage().contains(c[2]) && e.getMessage().endsWith("the running copy (1.0.0) keeps "
                        + "serving"), e.getMessage());
                assertEquals(1, s.version(), c[0]);
                assertEquals(55, s.get(5), c[0]);
                assertEquals(PluginState.STARTED, p.state());
                assertEquals("1.0.0", p.descriptor().version().toString());
            }
            // A file cut short: refused before anything of it runs.
            Path file = dir.resolve("libstore.so");
            byte[] whole = Files.readAllBytes(PluginHostTest.PLUGINS.resolve("libstore-v2.so"));
            Files.write(dir.resolve(".half"), java.util.Arrays.copyOf(whole, whole.length / 3));
            Files.move(dir.resolve(".half"), file, StandardCopyOption.ATOMIC_MOVE);
            PluginReloadException cut = assertThrows(PluginReloadException.class, () -> host.reload("com.example.store"));
            assertTrue(cut.step() == PluginReloadException.Step.MANIFEST || cut.step() == PluginReloadException.Step.LOAD,
                    cut.getMessage());
            assertEquals(1, s.version());
            // And the next good build replaces it, state and all.
            deploy(dir, "store-v2");
            host.reload("com.example.store");
            assertEquals(2, s.version());
            assertEquals(55, s.get(5));
        }
        assertTrue(log.stream().noneMatch(l -> l.contains("reached this copy after its save")), log.toString());
    }

    /**
     * A new build written over the plugin's file in four pieces, in place (the plugin runs from a private
     * copy, so this is safe), by a writer that keeps it open: the watch waits for the writer, though the
     * first three quarters of a library already load, and reloads the whole file once it is closed.
     */
    @Test
    void aWatchWaitsForAFileWrittenInPiecesThenReloadsItOnce(@TempDir Path dir) throws Exception {
        deploy(dir, "store-v1");
        java.util.concurrent.BlockingQueue<String> said = new java.util.concurrent.LinkedBlockingQueue<>();
        try (PluginHost host = PluginHost.builder().folder(dir).hostVersion("1.4.0")
                .logger((id, level, message) -> {
                    log.add(id + " " + level + " " + message);
                    said.add(message);
                }).build()) {
            host.start();
            Store s = host.plugin("com.example.store").orElseThrow().bind(Store.class, LOOKUP);
            s.put(7, 70);
            byte[] whole = Files.readAllBytes(PluginHostTest.PLUGINS.resolve("libstore-v2.so"));
            try (PluginWatch watch = host.watch(java.time.Duration.ZERO)) {
                said.clear();
                try (java.io.OutputStream out = Files.newOutputStream(dir.resolve("libstore.so"))) {
                    int piece = whole.length / 4 + 1;
                    for (int at = 0; at < whole.length; at += piece) {
                        out.write(whole, at, Math.min(piece, whole.length - at));
                        out.flush();
                    }
                    String first = said.take();
                    assertEquals("its file changed and is still open for writing; waiting for the writer to close "
                            + "it", first);
                    assertEquals(1, s.version(), "nothing reloads while the writer has the file open");
                }
                String next = said.take();
                while (!next.startsWith("reloaded:")) {
                    assertTrue(next.startsWith("its file changed"), next);
                    next = said.take();
                }
                assertTrue(next.startsWith("reloaded: 1.0.0 -> 2.0.0 (18 bytes of state handed over); calls waited "),
                        next);
            }
            assertEquals(2, s.version());
            assertEquals(70, s.get(7));
            assertTrue(log.stream().noneMatch(l -> l.contains("reload refused")), log.toString());
            assertEquals(1, log.stream().filter(l -> l.contains("reloaded:")).count(), log.toString());
        }
    }

    /** scripts/fuzz runs 1,000; ten here. */
    @Test
    void tenReloadCyclesUnderLoadLoseNoCallAndLeakNoMapping() throws Exception {
        PluginReloadCycles.Result r = PluginReloadCycles.run(PluginHostTest.PLUGINS, 10, 8);
        assertTrue(r.clean(), PluginReloadCycles.describe(r));
        assertTrue(r.calls() > 0, PluginReloadCycles.describe(r));
    }

    /**
     * The Rust store, whose init touches a thread_local! with a Drop (rust#59629): its state crosses both
     * ways, the copy each reload replaces stays mapped (glibc keeps it for the thread that ran init), the
     * host says so once, and goes on reloading.
     */
    @Test
    void aRustPluginWithAThreadLocalDestructorReloadsAndIsSaidToStayMapped(@TempDir Path dir) throws Exception {
        Path v1 = PluginHostTest.PLUGINS.resolve("rust-v1/libstore_rust.so");
        Path v2 = PluginHostTest.PLUGINS.resolve("rust-v2/libstore_rust.so");
        PluginReloadCycles.deploy(v1, dir);
        java.util.concurrent.BlockingQueue<String> said = new java.util.concurrent.LinkedBlockingQueue<>();
        try (PluginHost host = PluginHost.builder().folder(dir).hostVersion("1.4.0")
                .logger((id, level, message) -> {
                    log.add(id + " " + level + " " + message);
                    said.add(level + " " + message);
                }).build()) {
            host.start();
            Store s = host.plugin("com.example.rstore").orElseThrow().bind(Store.class, LOOKUP);
            for (int k = 0; k < 10_000; k++) {
                s.put(k, -k);
            }
            PluginReloadCycles.deploy(v2, dir);
            host.reload("com.example.rstore");
            String next = said.take();
            while (!next.contains("stays mapped after its unload")) {
                next = said.take();
            }
            assertTrue(next.startsWith("WARN") && next.contains("registered thread-local destructors"), next);
            assertEquals(2, s.version());
            assertEquals(10_000, s.count());
            assertEquals(-9_999, s.get(9_999));
            PluginReloadCycles.deploy(v1, dir);
            host.reload("com.example.rstore");
            assertEquals(1, s.version());
            assertEquals(10_000, s.count(), "and back");
        }
        assertEquals(1, log.stream().filter(l -> l.contains("stays mapped")).count(), "said once: " + log);
    }

    /** A plugin whose manifest asks to be told: drained, told, and running on, now against the new store. */
    @Test
    void aDependentThatAsksToBeToldIsToldNotReloaded(@TempDir Path dir) throws Exception {
        Files.copy(PluginHostTest.PLUGINS.resolve("libreader.so"), dir.resolve("libreader.so"));
        try (PluginHost host = host(dir, "store-v1")) {
            host.start();
            Store s = host.plugin("com.example.store").orElseThrow().bind(Store.class, LOOKUP);
            Plugin reader = host.plugin("com.example.reader").orElseThrow();
            Reader r = reader.bind(Reader.class, LOOKUP);
            s.put(1, 1);
            assertEquals(101, r.total());
            deploy(dir, "store-v2");
            host.reload("com.example.store");
            assertEquals(102, r.total(), "the reader calls the new store, through the table it took again");
            assertEquals(1, r.told());
            assertEquals(PluginState.STARTED, reader.state());
            assertTrue(log.contains("com.example.reader INFO told that com.example.store was reloaded"), log.toString());
            assertTrue(log.stream().noneMatch(l -> l.startsWith("com.example.reader INFO reloaded")), log.toString());
        }
    }

    @Test
    void aCopyBuiltForAbi10ReloadsWithAFreshInit(@TempDir Path dir) throws Exception {
        try (PluginHost host = host(dir, "store-v1")) {
            host.start();
            Store s = host.plugin("com.example.store").orElseThrow().bind(Store.class, LOOKUP);
            s.put(1, 2);
            deploy(dir, "store-v1-0-abi");
            host.reload("com.example.store");
            assertEquals(3, s.version());
            assertEquals(0, s.count(), "no state crosses to a 1.0 plugin");
            assertTrue(log.stream().anyMatch(l -> l.contains("reloaded: 1.0.0 -> 3.0.0 (fresh init: the new copy has "
                    + "no restore (it gives none, or was built for ABI 1.0)); calls waited ")), log.toString());
        }
    }

    /**
     * Out of process: a new process with the new copy, its state carried over in chunks, the same bound
     * object calling it; four threads call throughout. Then builds that fail, one by crashing its new
     * process in start: each time the old process serves on.
     */
    @Test
    void aPluginOutOfProcessIsReloadedIntoANewProcessAndRolledBackWhenTheNewOneCrashes(@TempDir Path dir)
            throws Exception {
        deploy(dir, "store-v1");
        try (PluginHost host = PluginHost.builder().folder(dir).hostVersion("1.4.0").defaultIsolation(Isolation.process())
                .logger((id, level, message) -> log.add(id + " " + level + " " + message)).build()) {
            host.start();
            Plugin p = host.plugin("com.example.store").orElseThrow();
            Store s = p.bind(Store.class, LOOKUP);
            for (int k = 0; k < 2_000; k++) {
                s.put(k, k * 3);
            }
            long first = p.processId().orElseThrow();
            AtomicBoolean go = new AtomicBoolean(true);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            AtomicLong calls = new AtomicLong();
            CountDownLatch calling = new CountDownLatch(4);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int me = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    int n = 0;
                    try {
                        while (go.get()) {
                            int key = (me * 7919 + n) % 2_000;
                            if (s.get(key) != key * 3) {
                                throw new AssertionError("key " + key + " lost");
                            }
                            calls.incrementAndGet();
                            if (++n == 50) {
                                calling.countDown();
                            }
                        }
                    } catch (Throwable e) {
                        failed.compareAndSet(null, e);
                        calling.countDown();
                    }
                }));
            }
            calling.await();
            deploy(dir, "store-v2");
            assertSame(p, host.reload("com.example.store"));
            long target = calls.get() + 400;
            while (calls.get() < target && failed.get() == null) {
                Thread.onSpinWait();
            }
            go.set(false);
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(null, failed.get(), "a call failed across the reload");
            assertEquals(2, s.version());
            assertEquals(2_000, s.count(), "the state crossed between the processes");
            assertTrue(p.processId().orElseThrow() != first, "a new process");
            assertEquals(PluginState.STARTED, p.state());
            assertTrue(log.stream().anyMatch(l -> l.contains("reloaded: 1.0.0 -> 2.0.0 in ") && l.contains("(16010 bytes "
                    + "of state handed over)")), log.toString());
            long second = p.processId().orElseThrow();
            String[][] cases = {
                    {"store-crash-start", "START", "its new copy's process ended"},
                    {"store-init-fails", "INIT", "init failed with status 3: no store configured"},
                    {"store-restore-fails", "HANDOFF", "its restore failed with status 5"},
            };
            for (String[] c : cases) {
                deploy(dir, c[0]);
                PluginReloadException e = assertThrows(PluginReloadException.class,
                        () -> host.reload("com.example.store"), c[0]);
                assertEquals(PluginReloadException.Step.valueOf(c[1]), e.step(), e.getMessage());
                assertTrue(e.getMessage().contains(c[2]), e.getMessage());
                assertEquals(2, s.version(), c[0]);
                assertEquals(2_000, s.count(), c[0]);
                assertEquals(second, p.processId().orElseThrow(), "the old process serves on");
                assertEquals(PluginState.STARTED, p.state());
            }
        }
    }

    /**
     * A plugin in a group moves to a new process with the whole group: the store (reloaded, its state
     * handed over) and the reader that requires it (its own file again, fresh: it has no save), wired to
     * each other in the new process.
     */
    @Test
    void aPluginInAGroupMovesToANewProcessWithItsGroup(@TempDir Path dir) throws Exception {
        deploy(dir, "store-v1");
        Files.copy(PluginHostTest.PLUGINS.resolve("libreader.so"), dir.resolve("libreader.so"));
        try (PluginHost host = PluginHost.builder().folder(dir).hostVersion("1.4.0")
                .defaultIsolation(Isolation.group("shop"))
                .logger((id, level, message) -> log.add(id + " " + level + " " + message)).build()) {
            host.start();
            Plugin store = host.plugin("com.example.store").orElseThrow();
            Plugin reader = host.plugin("com.example.reader").orElseThrow();
            Store s = store.bind(Store.class, LOOKUP);
            Reader r = reader.bind(Reader.class, LOOKUP);
            s.put(1, 10);
            s.put(2, 20);
            assertEquals(201, r.total());
            long first = store.processId().orElseThrow();
            assertEquals(first, reader.processId().orElseThrow());
            deploy(dir, "store-v2");
            host.reload("com.example.store");
            assertEquals(2, s.version());
            assertEquals(20, s.get(2), "the store's state crossed");
            assertEquals(202, r.total(), "the reader, in the new process, calls the new store there");
            long second = store.processId().orElseThrow();
            assertTrue(second != first);
            assertEquals(second, reader.processId().orElseThrow(), "the group moved together");
            assertEquals(PluginState.STARTED, reader.state());
            assertTrue(log.stream().anyMatch(l -> l.contains("with 1 other plugins of its process")), log.toString());
            assertTrue(log.contains("com.example.reader INFO moves to the new process with a fresh init: the running "
                    + "copy has no save (it gives none, or was built for ABI 1.0)"), log.toString());
            // A build that fails to restore: the whole group stays in its process, both serving.
            deploy(dir, "store-restore-fails");
            PluginReloadException e = assertThrows(PluginReloadException.class, () -> host.reload("com.example.store"));
            assertEquals(PluginReloadException.Step.HANDOFF, e.step(), e.getMessage());
            assertEquals(second, store.processId().orElseThrow());
            assertEquals(second, reader.processId().orElseThrow());
            assertEquals(2, s.version());
            assertEquals(202, r.total());
            assertEquals(PluginState.STARTED, reader.state());
        }
    }

    /** The runner takes a plugin whose table stops at ABI 1.0 (it used to ask for the header's whole size). */
    @Test
    void aPluginBuiltForAbi10RunsOutOfProcess(@TempDir Path dir) throws Exception {
        deploy(dir, "store-v1-0-abi");
        try (PluginHost host = PluginHost.builder().folder(dir).hostVersion("1.4.0").defaultIsolation(Isolation.process())
                .logger((id, level, message) -> log.add(id + " " + level + " " + message)).build()) {
            host.start();
            Plugin p = host.plugin("com.example.store").orElseThrow();
            assertEquals(PluginState.STARTED, p.state(), log.toString());
            assertEquals(3, p.bind(Store.class, LOOKUP).version());
        }
    }

    /** A dependent that cannot follow (its file is gone) is stopped and FAILED; the reloaded plugin serves. */
    @Test
    void aDependentThatCannotFollowIsStoppedAndSaysWhy(@TempDir Path dir) throws Exception {
        try (PluginHost host = PluginHost.builder().folder(PluginHostTest.folder(dir, "greeter", "base"))
                .hostVersion("1.4.0").logger((id, level, message) -> log.add(id + " " + level + " " + message)).build()) {
            host.start();
            Plugin greeter = host.plugin("com.example.greeter.c").orElseThrow();
            PluginRuntimeTest.Greeter g = greeter.bind(PluginRuntimeTest.Greeter.class, PluginRuntimeTest.LOOKUP);
            Files.delete(dir.resolve("libgreeter.so"));
            host.reload("com.example.base");
            assertEquals(PluginState.STARTED, host.plugin("com.example.base").orElseThrow().state());
            assertEquals(PluginState.FAILED, greeter.state());
            assertTrue(greeter.failure().orElseThrow().startsWith("a plugin it requires was reloaded, and it could not "
                    + "follow: com.example.greeter.c"), greeter.failure().orElseThrow());
            assertThrows(IllegalStateException.class, () -> g.add(2, 3));
        }
    }

    @Test
    void reloadRefusesWhatItCannotDoAndSaysWhy(@TempDir Path dir) throws Exception {
        try (PluginHost host = host(dir, "store-v1")) {
            assertThrows(IllegalStateException.class, () -> host.reload("com.example.store"));
            host.start();
            assertThrows(java.util.NoSuchElementException.class, () -> host.reload("com.example.none"));
            host.stop();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> host.reload("com.example.store"));
            assertTrue(e.getMessage().contains("reload a plugin once start() has returned"), e.getMessage());
        }
    }

    @Test
    void aLockfilePinsWhatAReloadLoads(@TempDir Path dir) throws Exception {
        deploy(dir, "store-v1");
        Path lock = dir.resolve("plugins.lock");
        Lockfile.of(PluginHost.builder().folder(dir).build().discover().plugins()).write(lock);
        try (PluginHost host = PluginHost.builder().folder(dir).hostVersion("1.4.0").lockfile(lock)
                .logger((id, level, message) -> log.add(id + " " + level + " " + message)).build()) {
            host.start();
            Store s = host.plugin("com.example.store").orElseThrow().bind(Store.class, LOOKUP);
            deploy(dir, "store-v2");
            PluginReloadException e = assertThrows(PluginReloadException.class, () -> host.reload("com.example.store"));
            assertEquals(PluginReloadException.Step.PIN, e.step(), e.getMessage());
            assertEquals(1, s.version());
        }
    }
}
