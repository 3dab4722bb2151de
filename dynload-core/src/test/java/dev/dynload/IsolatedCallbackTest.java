package dev.dynload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Java callbacks given to an isolated library (src/test/c/untrusted.c): called from the library's process
 * back to the host on the call's own slot, re-entrant calls included, each checked against what the same
 * call computes in process.
 */
@Timeout(60)
class IsolatedCallbackTest {

    public interface IntFunction {
        int apply(int x);
    }

    public interface DoubleFunction {
        double apply(double x);
    }

    public interface Scaler {
        float scale(float x, long by);
    }

    public interface Action {
        void run();
    }

    public interface Api {
        int apply_twice(IntFunction f, int x);

        double integrate(DoubleFunction f, double a, double b, int n);

        int sum_with(IntFunction f, int n);

        float scale_with(Scaler f, float x);

        int crash_after_callback(Action f);

        int callback_from_thread(IntFunction f);

        int add(int a, int b);
    }

    public interface NotCrossing {
        int apply_twice(java.util.function.Function<String, String> f, int x);
    }

    private final List<String> output = new ArrayList<>();

    private void printed(String line) {
        synchronized (output) {
            output.add(line);
            output.notifyAll();
        }
    }

    @Test
    void callbacksRunInJavaAndAgreeWithTheSameCallsInProcess() {
        try (IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED);
             Library local = Library.open(IsolatedLibraryTest.UNTRUSTED)) {
            Api isolated = lib.bind(Api.class);
            Api inProcess = local.bind(Api.class, java.lang.invoke.MethodHandles.lookup());
            for (Api api : List.of(isolated, inProcess)) {
                assertEquals(23, api.apply_twice(x -> x * 2 + 1, 5), "f(f(5)) with f = 2x + 1");
                assertEquals(1.0 / 3, api.integrate(x -> x * x, 0, 1, 1000), 1e-6);
                assertEquals(7.5f, api.scale_with((x, by) -> x * by, 2.5f), "a float result and a long argument");
            }
            assertEquals(isolated.sum_with(k -> k * k, 100), inProcess.sum_with(k -> k * k, 100));
        }
    }

    @Test
    void aCallbackMayCallTheLibraryAgain() {
        try (IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED)) {
            Api api = lib.bind(Api.class);
            // Inside the callback, a call on another slot, which calls back again: three levels.
            assertEquals(2 * (2 * 3 + 1 + 1) + 1 + 1, api.apply_twice(x -> api.apply_twice(y -> y + 1, x * 2), 3) - 0,
                    "re-entrant calls through callbacks");
            assertEquals(5, api.add(2, 3));
        }
    }

    @Test
    void anExceptionInACallbackSkipsTheRestAndIsThrownWhenTheCallReturns() {
        try (IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED)) {
            Api api = lib.bind(Api.class);
            AtomicInteger calls = new AtomicInteger();
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> api.sum_with(k -> {
                calls.incrementAndGet();
                if (k == 3) {
                    throw boom;
                }
                return k;
            }, 10));
            assertSame(boom, e, "the callback's own exception, unchanged");
            assertEquals(4, calls.get(), "the callbacks after the one that threw were skipped");
            assertEquals(5, api.add(2, 3), "the library goes on");
        }
    }

    @Test
    void aCrashAfterACallbackEndsOnlyTheLibrarysProcess() {
        try (IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED)) {
            Api api = lib.bind(Api.class);
            AtomicInteger ran = new AtomicInteger();
            LibraryCrashedException e = assertThrows(LibraryCrashedException.class,
                    () -> api.crash_after_callback(ran::incrementAndGet));
            assertEquals(1, ran.get(), "the callback ran in Java before the library crashed");
            assertEquals(11, e.signal().orElseThrow());
            assertFalse(lib.isAlive());
        }
    }

    @Test
    void aCallbackFromAThreadOfTheLibrarysOwnIsNotCarriedAndSaidSo() throws InterruptedException {
        try (IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED, Duration.ofSeconds(30),
                this::printed)) {
            AtomicInteger ran = new AtomicInteger();
            assertEquals(0, lib.bind(Api.class).callback_from_thread(x -> ran.incrementAndGet()));
            assertEquals(0, ran.get());
            synchronized (output) {
                while (output.stream().noneMatch(l -> l.contains("from a thread the library started"))) {
                    output.wait();
                }
            }
        }
    }

    /** untrusted.c's kept callbacks: kept by one call, fired by later ones and by a thread of the library's. */
    public interface Keeping {
        void keep_handler(IntFunction f, DoubleFunction g, java.lang.foreign.Arena arena);

        int fire(int x);

        double fire_scaler(double x);

        int fire_from_thread(int x);
    }

    @Test
    void aCallbackKeptWithAnArenaIsCalledLaterAndFromTheLibrarysThreadsAsInProcess() throws InterruptedException {
        try (IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED, Duration.ofSeconds(30),
                this::printed); Library local = Library.open(IsolatedLibraryTest.UNTRUSTED)) {
            Keeping outOfProcess = lib.bind(Keeping.class);
            for (Keeping api : List.of(outOfProcess, local.bind(Keeping.class, java.lang.invoke.MethodHandles.lookup()))) {
                List<String> threads = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
                try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
                    api.keep_handler(x -> {
                        threads.add(Thread.currentThread().getName());
                        return x * 3;
                    }, x -> x / 4, arena);
                    assertEquals(21, api.fire(7), "during a later call");
                    assertEquals(2.5, api.fire_scaler(10.0), "a double result, kept");
                    assertEquals(12, api.fire_from_thread(4), "from a thread the library started");
                    assertEquals(30, api.fire(api.fire_from_thread(api.fire(1)) + 1), "nested, one after another");
                }
                assertTrue(threads.size() >= 5, threads.toString());
                if (api == outOfProcess) {
                    assertTrue(threads.stream().anyMatch(n -> n.startsWith("dynload-runner-upcalls-")),
                            "the library's own thread was answered on the host's upcall thread: " + threads);
                }
            }
            // Out of process only (in process the stub is freed, and a call of it would crash the JVM):
            // once its arena is closed, the kept callback returns 0 and the library's output says so.
            assertEquals(0, outOfProcess.fire(5));
            assertEquals(0, outOfProcess.fire_from_thread(5));
            synchronized (output) { // said once, where the library's output goes
                assertTrue(output.stream().anyMatch(l -> l.contains("called a kept callback whose arena was closed")),
                        output.toString());
            }
            // An Error in a kept callback called from the library's thread: 0 for that call, and the next works.
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
                outOfProcess.keep_handler(x -> {
                    if (x < 0) {
                        throw new AssertionError("a kept callback that fails");
                    }
                    return x * 3;
                }, x -> x, arena);
                assertEquals(0, outOfProcess.fire_from_thread(-1));
                assertEquals(6, outOfProcess.fire_from_thread(2), "the host still answers the library's threads");
            }
        }
    }

    @Test
    void aCallbackThatClosesTheLibraryEndsItsOwnCall() {
        IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED);
        Api api = lib.bind(Api.class);
        LibraryCrashedException e = assertThrows(LibraryCrashedException.class, () -> api.apply_twice(x -> {
            lib.close(); // from inside the call's own callback: must not wait for that call
            return x;
        }, 1));
        assertEquals(LibraryCrashedException.Reason.CLOSED, e.reason(), e.getMessage());
        assertFalse(lib.isAlive());
    }

    @Test
    void aCallbackThatCannotCrossIsRefusedAtBind() {
        try (IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED)) {
            BindingException e = assertThrows(BindingException.class, () -> lib.bind(NotCrossing.class));
            assertTrue(e.getMessage().contains("primitives only"), e.getMessage());
        }
    }
}
