package dev.dynload;

import org.junit.jupiter.api.Test;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Opening, looking up, calling and closing from many threads at once. */
class ConcurrencyTest {

    private static int openCallClose(int i) {
        try (Library lib = Library.open(Fixtures.FIXTURE)) {
            MethodHandle add = lib.downcall("fixture_add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            return (int) add.invokeExact(i, 1);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static void runAll(ExecutorService pool, int tasks, int rounds) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < rounds; i++) {
                    assertEquals(i + 1, openCallClose(i));
                    calls.incrementAndGet();
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get();
        }
        assertEquals(tasks * rounds, calls.get());
    }

    @Test
    void sixteenThreadsOpenLookUpAndCloseTheSameLibraryAThousandTimesEach() throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            runAll(pool, 16, 1000);
        }
    }

    @Test
    void virtualThreadsOpenAndCloseWithTheirOwnLoaderErrors() throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<LibraryLoadException>> failures = new ArrayList<>();
            List<Future<?>> successes = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                failures.add(pool.submit(() -> assertThrows(LibraryLoadException.class,
                        () -> Library.open(Fixtures.DEPENDENT))));
                successes.add(pool.submit(() -> {
                    for (int r = 0; r < 4; r++) {
                        assertEquals(r + 1, openCallClose(r));
                    }
                    return null;
                }));
            }
            for (Future<?> f : successes) {
                f.get();
            }
            for (Future<LibraryLoadException> f : failures) {
                // Each failure carries its own call's dlerror, never another thread's.
                assertEquals(LibraryLoadException.Reason.MISSING_DEPENDENCY, f.get().reason());
                assertEquals(true, f.get().loaderMessage().orElseThrow().contains("libdependency.so"));
            }
        }
    }

    @Test
    void oneLibraryClosedByAnotherThreadNeverCrashesItsCallers() throws Exception {
        for (int round = 0; round < 50; round++) {
            Library lib = Library.open(Fixtures.FIXTURE);
            MethodHandle add = lib.downcall("fixture_add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            AtomicInteger closedSeen = new AtomicInteger();
            try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
                List<Future<?>> callers = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    callers.add(pool.submit(() -> {
                        for (int i = 0; i < 2000; i++) {
                            try {
                                assertEquals(3, (int) add.invokeExact(1, 2));
                                lib.find("fixture_add");
                            } catch (IllegalStateException closed) {
                                closedSeen.incrementAndGet();
                                return null;
                            } catch (Throwable e) {
                                throw new AssertionError(e);
                            }
                        }
                        return null;
                    }));
                }
                pool.submit(lib::close).get();
                for (Future<?> f : callers) {
                    f.get();
                }
            }
            assertEquals(false, lib.isOpen());
        }
    }
}
