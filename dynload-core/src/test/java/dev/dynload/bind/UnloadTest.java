package dev.dynload.bind;

import dev.dynload.Library;
import dev.dynload.Pipe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A library with bound interfaces is really unloaded by close(), once its calls in flight have
 * returned: a rebuilt file opened afterwards runs the new code. Against src/test/c/unload.c, built as
 * two versions; the fixture's own pipe bytes say when a call has started, no clock.
 */
class UnloadTest {

    static final Path NATIVE = Path.of(System.getProperty("dynload.test.native", "target/native")).toAbsolutePath();

    interface Versioned {
        @Symbol("u_version") int version();
        @Symbol("u_block") int block(int startedFd, int releaseFd);
    }

    /** Installs a version at {@code target} as a build would: a new file renamed over the old. */
    private static void install(int version, Path target) throws IOException {
        Path fresh = target.resolveSibling(target.getFileName() + ".new");
        Files.copy(NATIVE.resolve("libversion" + version + ".so"), fresh, StandardCopyOption.REPLACE_EXISTING);
        Files.move(fresh, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Whether the process maps the file (or its deleted predecessor) at {@code path}. */
    private static boolean mapped(Path path) throws IOException {
        return Files.readString(Path.of("/proc/self/maps")).contains(path.toString());
    }

    @Test
    void aRebuiltLibraryOpenedAfterCloseRunsTheNewCode(@TempDir Path dir) throws IOException {
        Path lib = dir.resolve("libversioned.so");
        install(1, lib);
        Library first = Library.open(lib);
        assertEquals(1, first.bind(Versioned.class).version());
        first.close();
        first.whenUnloaded().toCompletableFuture().join();
        assertFalse(mapped(lib), "the first version is unmapped");
        install(2, lib);
        try (Library second = Library.open(lib)) {
            assertEquals(2, second.bind(Versioned.class).version());
        }
    }

    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void closeUnloadsOnceTheBoundCallInFlightReturns(boolean virtual, @TempDir Path dir) throws Exception {
        Path lib = dir.resolve("libversioned.so");
        install(1, lib);
        try (Pipe started = Pipe.open(); Pipe release = Pipe.open()) {
            Library library = Library.open(lib);
            Versioned v = library.bind(Versioned.class);
            AtomicInteger result = new AtomicInteger();
            Runnable call = () -> result.set(v.block(started.writeFd(), release.readFd()));
            Thread caller = virtual ? Thread.ofVirtual().start(call) : Thread.ofPlatform().start(call);
            started.await(); // the call has started

            library.close();
            CompletableFuture<Void> unloaded = library.whenUnloaded().toCompletableFuture();
            assertFalse(unloaded.isDone(), "a call is still running in the library");
            assertTrue(mapped(lib));
            assertThrows(IllegalStateException.class, v::version, "no new bound call starts");

            release.signal((byte) 'r');
            caller.join();
            assertEquals(1000 + 'r', result.get(), "the call in flight finished in mapped code");
            unloaded.join();
            assertFalse(mapped(lib), "unloaded once the call returned");
        }
    }

    @Test
    void methodsFirstCalledByManyThreadsAtOnceAllThrowAfterUnload(@TempDir Path dir) throws Exception {
        Path lib = dir.resolve("libversioned.so");
        install(1, lib);
        Library library = Library.open(lib);
        Versioned v = library.bind(Versioned.class);
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(8);
        List<Thread> threads = new java.util.ArrayList<>();
        AtomicInteger sum = new AtomicInteger();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    together.await(); // all make the method's first call, and so run its bootstrap, at once
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                sum.addAndGet(v.version());
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(8, sum.get());
        library.close();
        library.whenUnloaded().toCompletableFuture().join();
        assertFalse(mapped(lib));
        for (int t = 0; t < 8; t++) {
            assertThrows(IllegalStateException.class, v::version, "every call site was unlinked, none jumps");
        }
    }

    @Test
    void aLibraryWithoutCallsInFlightIsUnloadedByCloseItself(@TempDir Path dir) throws IOException {
        Path lib = dir.resolve("libversioned.so");
        install(1, lib);
        Library library = Library.open(lib);
        assertEquals(1, library.bind(Versioned.class).version());
        library.close();
        assertTrue(library.whenUnloaded().toCompletableFuture().isDone());
        assertFalse(mapped(lib));
    }
}
