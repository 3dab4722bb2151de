package dev.dynload.plugin;

import dev.dynload.Library;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lifecycle under stress, against the plugins of src/test/c/lifecycle.c: calls that block until the
 * test lets them go, a plugin thread that outlives destroy, an init that waits for a thread that logs.
 * Nothing here waits on the clock: each step waits for what the fixture or a thread's state says.
 */
class PluginLifecycleTest {

    @PluginInterface(id = "com.example.blocker", major = 1, minor = 0)
    interface Blocker {
        int block();

        int add(int a, int b);
    }

    static final java.lang.invoke.MethodHandles.Lookup LOOKUP = java.lang.invoke.MethodHandles.lookup();

    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    PluginHost host(Path dir, Duration stopTimeout, String... plugins) throws IOException {
        // From the files, not private copies: the test reaches a plugin's hooks by opening its file, and
        // the loader gives it the plugin's own copy.
        return PluginHost.builder().folder(PluginHostTest.folder(dir, plugins)).hostVersion("1.4.0")
                .privateCopies(false).stopTimeout(stopTimeout).config("com.example.late", "greeting", "Hi")
                .logger((id, level, message) -> log.add(id + " " + level + " " + message)).build();
    }

    /** The exported test hooks of a plugin file, reached through the loader's own copy of it. */
    static MethodHandle hook(Library lib, String name, FunctionDescriptor shape) {
        return lib.downcall(name, shape);
    }

    @Test
    void theFirstCallOfAMethodAfterStopThrowsInsteadOfCrashing(@TempDir Path dir) throws IOException {
        PluginHost host = PluginRuntimeTest.host(dir, log, "greeter", "base");
        host.start();
        PluginRuntimeTest.Greeter g = host.plugin("com.example.greeter.c").orElseThrow()
                .bind(PluginRuntimeTest.Greeter.class, PluginRuntimeTest.LOOKUP);
        assertEquals("Hi, Ann!", g.greet("Ann")); // add and base_now are never called before the stop
        host.stop();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.add(2, 3),
                "the first call links after the plugin's table was unloaded: it used to read it, and crash");
        assertTrue(e.getMessage().contains("its bound methods cannot be called any more"), e.getMessage());
        assertThrows(IllegalStateException.class, g::baseNow);
    }

    @Test
    void aLibraryTheLoaderKeepsMappedAfterItsUnloadIsSaidOnceAndTheOthersAreNot(@TempDir Path dir) throws Exception {
        List<String> said = java.util.Collections.synchronizedList(new ArrayList<>());
        PluginHost host = PluginHost.builder().folder(PluginHostTest.folder(dir, "late-caller", "base"))
                .hostVersion("1.4.0").config("com.example.late", "greeting", "Hi")
                .logger((id, level, message) -> said.add(id + " " + level + " " + message)).build();
        host.start();
        host.stop(); // no bound call runs: each library is handed back to the loader before stop returns
        // The late caller is built -z nodelete (as a Rust library with thread-local destructors is kept).
        assertTrue(said.stream().anyMatch(l -> l.startsWith("com.example.late WARN stays mapped after its unload")
                && l.contains("because it is marked NODELETE")), said.toString());
        assertTrue(said.stream().noneMatch(l -> l.startsWith("com.example.base") && l.contains("stays mapped")),
                said.toString());
        assertTrue(dev.dynload.elf.ElfFile.read(dir.resolve("liblate-caller.so")).noDelete(), "DF_1_NODELETE read");
        assertTrue(!dev.dynload.elf.ElfFile.read(dir.resolve("libbase.so")).noDelete());
    }

    @Test
    void aPluginThreadThatUsesTheHostServicesAfterDestroyIsRefusedNotCrashed(@TempDir Path dir) throws Throwable {
        PluginHost host = host(dir, PluginHost.STOP_TIMEOUT, "late-caller", "base");
        host.start();
        assertEquals(PluginState.STARTED, host.plugin("com.example.late").orElseThrow().state());
        host.stop();
        assertEquals(PluginState.STOPPED, host.plugin("com.example.late").orElseThrow().state());
        // The plugin is built -z nodelete, so its thread lives on after the unload; now it calls the host.
        try (Library lib = Library.open(dir.resolve("liblate-caller.so"))) {
            int results = (int) hook(lib, "late_go_and_wait", FunctionDescriptor.of(JAVA_INT)).invokeExact();
            assertEquals(0b1111, results, "config and dependency answered before destroy, and refused after it");
        }
        assertEquals(1, log.stream().filter(l -> l.startsWith("com.example.late ERROR called the host's log service "
                + "after it was destroyed")).count(), log.toString());
        assertFalse(log.contains("com.example.late ERROR a message after destroy"), "the late message is dropped");
    }

    @Test
    void stopReturnsWhilePlatformThreadsKeepCallingTheStoppedPlugin(@TempDir Path dir) throws Exception {
        PluginHost host = PluginRuntimeTest.host(dir, log, "greeter", "base");
        host.start();
        PluginRuntimeTest.Greeter g = host.plugin("com.example.greeter.c").orElseThrow()
                .bind(PluginRuntimeTest.Greeter.class, PluginRuntimeTest.LOOKUP);
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (!done.get()) {
                    try {
                        g.add(2, 3);
                        calls.incrementAndGet();
                    } catch (IllegalStateException stopped) {
                        refused.incrementAndGet(); // and call again, as a busy server would
                    }
                }
            }));
        }
        while (calls.get() < 4_000) {
            Thread.onSpinWait();
        }
        host.stop(); // used to wait its whole time limit: a thread building the exception looked busy
        done.set(true);
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(refused.get() > 0);
        Plugin greeter = host.plugin("com.example.greeter.c").orElseThrow();
        assertEquals(PluginState.STOPPED, greeter.state(), greeter.toString());
        assertTrue(log.contains("com.example.greeter.c INFO stopped"), log.toString());
    }

    @Test
    void aSecondStopWaitsForTheFirstAndTheStateSaysStoppingMeanwhile(@TempDir Path dir) throws Throwable {
        PluginHost host = host(dir, PluginHost.STOP_TIMEOUT, "blocker", "base");
        host.start();
        Plugin blocker = host.plugin("com.example.blocker").orElseThrow();
        Blocker b = blocker.bind(Blocker.class, LOOKUP);
        try (Library lib = Library.open(dir.resolve("libblocker.so"))) {
            AtomicReference<Object> blocked = new AtomicReference<>();
            Thread caller = Thread.ofPlatform().start(() -> blocked.set(b.block()));
            hook(lib, "blocker_wait_entered", FunctionDescriptor.ofVoid()).invokeExact();
            Thread first = Thread.ofPlatform().start(host::stop);
            while (blocker.state() != PluginState.STOPPING) {
                Thread.onSpinWait();
            }
            Thread second = Thread.ofPlatform().start(host::stop);
            while (second.getState() != Thread.State.WAITING && second.getState() != Thread.State.TERMINATED) {
                Thread.onSpinWait();
            }
            assertTrue(second.isAlive(), "the second stop returned while the first still waited");
            assertEquals(PluginState.STOPPING, blocker.state(), "not STOPPED while a call still runs in it");
            hook(lib, "blocker_release", FunctionDescriptor.ofVoid()).invokeExact();
            caller.join();
            first.join();
            second.join();
            assertEquals(7, blocked.get(), "the call in flight finished");
            assertEquals(PluginState.STOPPED, blocker.state());
            assertEquals(PluginState.STOPPED, host.plugin("com.example.base").orElseThrow().state());
        }
    }

    @Test
    void aStopThatGivesUpLeavesThePluginStuckAndTheNextStopFinishesIt(@TempDir Path dir) throws Throwable {
        PluginHost host = host(dir, Duration.ofMillis(50), "blocker", "base");
        host.start();
        Blocker b = host.plugin("com.example.blocker").orElseThrow().bind(Blocker.class, LOOKUP);
        try (Library lib = Library.open(dir.resolve("libblocker.so"))) {
            AtomicReference<Object> blocked = new AtomicReference<>();
            Thread caller = Thread.ofPlatform().start(() -> blocked.set(b.block()));
            hook(lib, "blocker_wait_entered", FunctionDescriptor.ofVoid()).invokeExact();
            host.stop(); // the call does not return until released below: the stop gives up
            Plugin blocker = host.plugin("com.example.blocker").orElseThrow();
            Plugin base = host.plugin("com.example.base").orElseThrow();
            assertEquals(PluginState.STUCK, blocker.state());
            assertTrue(blocker.failure().orElseThrow().contains("calls into it did not return within 50 ms"),
                    blocker.toString());
            assertEquals(PluginState.STUCK, base.state(), "the plugin it requires stays: it may still call it");
            assertTrue(base.failure().orElseThrow().contains("plugin com.example.blocker, which requires it, is left "
                    + "loaded"), base.toString());
            assertThrows(IllegalStateException.class, () -> b.add(1, 2), "its interfaces are unbound all the same");
            IllegalStateException again = assertThrows(IllegalStateException.class, host::start);
            assertTrue(again.getMessage().contains("left [com.example.base, com.example.blocker] loaded"),
                    again.getMessage());
            hook(lib, "blocker_release", FunctionDescriptor.ofVoid()).invokeExact();
            caller.join();
            assertEquals(7, blocked.get());
            host.stop();
            assertEquals(PluginState.STOPPED, blocker.state(), blocker.toString());
            assertEquals(PluginState.STOPPED, base.state(), base.toString());
        }
        host.start(); // the host is idle again
        host.stop();
    }

    @Test
    void anInterruptedStopStillWaitsForTheCallsThenStopsAndKeepsTheInterrupt(@TempDir Path dir) throws Throwable {
        PluginHost host = host(dir, PluginHost.STOP_TIMEOUT, "blocker", "base");
        host.start();
        Plugin blocker = host.plugin("com.example.blocker").orElseThrow();
        Blocker b = blocker.bind(Blocker.class, LOOKUP);
        try (Library lib = Library.open(dir.resolve("libblocker.so"))) {
            Thread caller = Thread.ofPlatform().start(b::block);
            hook(lib, "blocker_wait_entered", FunctionDescriptor.ofVoid()).invokeExact();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread stopper = Thread.ofPlatform().start(() -> {
                Thread.currentThread().interrupt(); // as a shutdown thread may be
                host.stop();
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            while (stopper.getState() != Thread.State.TIMED_WAITING && stopper.getState() != Thread.State.TERMINATED) {
                Thread.onSpinWait();
            }
            assertTrue(stopper.isAlive(), "an interrupted stop gave up on the call at once");
            assertEquals(PluginState.STOPPING, blocker.state());
            hook(lib, "blocker_release", FunctionDescriptor.ofVoid()).invokeExact();
            caller.join();
            stopper.join();
            assertEquals(PluginState.STOPPED, blocker.state(), blocker.toString());
            assertTrue(stillInterrupted.get(), "the interrupt was kept for the caller");
        }
    }

    @Test
    void aLoggerMayAskForThePluginsWhileInitWaitsForAThreadThatLogs(@TempDir Path dir) throws IOException {
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        PluginHost[] self = new PluginHost[1];
        PluginHost host = PluginHost.builder().folder(PluginHostTest.folder(dir, "init-thread"))
                .logger((id, level, message) -> {
                    if (message.equals("from init's own thread")) {
                        seen.add(self[0].plugins().size()); // deadlocked when start held the host's lock
                    }
                }).build();
        self[0] = host;
        host.start();
        assertEquals(List.of(1), seen);
        assertEquals(PluginState.STARTED, host.plugin("com.example.initthread").orElseThrow().state());
        host.stop();
    }

    @Test
    void stopFromTheLoggerOnTheStartingThreadIsRefusedInsteadOfWaitingForItself(@TempDir Path dir) throws IOException {
        PluginRuntimeTest.StopFromLogger s = PluginRuntimeTest.stopFromTheLogger(dir,
                (id, message) -> message.startsWith("started"), "base");
        assertEquals(1, s.thrown().size(), s.thrown().toString());
        assertTrue(s.thrown().getFirst().getMessage().contains("on the thread that runs this host's start()"),
                s.thrown().getFirst().getMessage());
        s.host().stop();
        assertEquals(PluginState.STOPPED, s.host().plugin("com.example.base").orElseThrow().state());
    }

    @Test
    void startBindCallAndStopRaceWithoutACrash(@TempDir Path dir) throws Exception {
        // A bounded version of scripts/fuzz's lifecycle soak: each round binds and calls from four threads,
        // two of them virtual, while the main thread stops the host under them.
        PluginHost host = PluginRuntimeTest.host(dir, log, "greeter", "base");
        for (int round = 0; round < 25; round++) {
            host.start();
            Plugin greeter = host.plugin("com.example.greeter.c").orElseThrow();
            AtomicInteger calls = new AtomicInteger();
            List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Runnable caller = () -> {
                    try {
                        while (true) {
                            PluginRuntimeTest.Greeter g = greeter.bind(PluginRuntimeTest.Greeter.class,
                                    PluginRuntimeTest.LOOKUP);
                            for (int i = 0; i < 50; i++) {
                                if (g.add(i, 1) != i + 1) {
                                    throw new AssertionError("wrong sum");
                                }
                                calls.incrementAndGet();
                            }
                            g.baseNow();
                        }
                    } catch (IllegalStateException stopped) {
                        // the end of the round: binding or calling a stopping plugin
                    } catch (Throwable e) {
                        unexpected.add(e);
                    }
                };
                threads.add(t % 2 == 0 ? Thread.ofPlatform().start(caller) : Thread.ofVirtual().start(caller));
            }
            while (calls.get() < 200 * (round % 5 + 1)) {
                Thread.onSpinWait();
            }
            host.stop();
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(List.of(), unexpected);
            assertEquals(PluginState.STOPPED, greeter.state(), greeter.toString());
        }
    }
}
