package dev.dynload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Libraries in a process of their own: calls that cross with every primitive, and a library that
 * segfaults, aborts, exits, loops for ever, overflows its stack or crashes while it loads, each reported
 * with its cause while this JVM goes on; calls from many threads; a process that dies with its JVM.
 */
class IsolatedLibraryTest {

    static final Path UNTRUSTED = Fixtures.NATIVE.resolve("libuntrusted.so");

    @TempDir
    Path dir;

    /** The test library's functions, as Java sees them. */
    public interface Api {
        int add(int a, int b);

        void noop();

        long add6(long a, long b, long c, long d, long e, long f);

        double mul(double a, double b);

        float addf(float a, float b);

        double mixed(int i, double d, long l, float f, byte b);

        boolean is_even(int v);

        short neg16(short v);

        int get_pid();

        int crash();

        void abort_now();

        void exit_with(int status);

        int printing();

        void spin();

        int overflow();

        byte neg8(byte v);

        char next_char(char c);

        double sum6(double a, double b, double c, double d, double e, double f);

        void announce_and_spin();

        String shout(String s);

        int length_of(String s, int extra);

        String nothing();

        String same(String s);

        String too_long();

        void fill_squares(int[] out, int n);

        double sum_doubles(double[] v, int n);

        int reverse_bytes(byte[] b, int n, String tag);

        /** Stays Java: a default method of the bound interface. */
        default int addTwice(int a, int b) {
            return add(add(a, b), b);
        }
    }

    @Test
    void everyPrimitiveCrossesAndTheCallRunsInAnotherProcess() {
        try (IsolatedLibrary lib = IsolatedLibrary.open(UNTRUSTED)) {
            Api api = lib.bind(Api.class);
            assertEquals(5, api.add(2, 3));
            assertEquals(-1, api.add(Integer.MAX_VALUE, Integer.MIN_VALUE));
            assertEquals(21, api.add6(1, 2, 3, 4, 5, 6));
            assertEquals(6.0, api.mul(1.5, 4));
            assertEquals(3.25f, api.addf(1.25f, 2f));
            assertEquals(1 + 0.5 + 10 + 0.25 - 2, api.mixed(1, 0.5, 10, 0.25f, (byte) -2));
            assertTrue(api.is_even(4));
            assertFalse(api.is_even(3));
            assertEquals((short) -5, api.neg16((short) 5));
            assertEquals((byte) 5, api.neg8((byte) -5));
            assertEquals('b', api.next_char('a'));
            assertEquals(21.0, api.sum6(1, 2, 3, 4, 5, 6));
            assertEquals(8, api.addTwice(2, 3), "a default method runs in Java and calls the bound ones");
            assertEquals("HELLO, ISOLATION", api.shout("hello, isolation"));
            assertEquals(6 + 10, api.length_of("héllo", 10), "UTF-8 bytes");
            assertEquals(-1, api.length_of(null, 0), "null is NULL");
            assertEquals(null, api.nothing());
            assertEquals("échos", api.same("échos"));
            IllegalStateException tooLong = assertThrows(IllegalStateException.class, api::too_long);
            assertTrue(tooLong.getMessage().contains("too_long() returned a string of"), tooLong.getMessage());
            IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                    () -> api.shout("y".repeat(5000)));
            assertTrue(tooBig.getMessage().contains("more than the"), tooBig.getMessage());
            assertEquals(3, api.add(1, 2), "a refused call leaves the library usable");
            int[] squares = new int[10];
            api.fill_squares(squares, squares.length);
            assertEquals(81, squares[9], "an array the function fills comes back filled");
            assertEquals(6.5, api.sum_doubles(new double[] {1, 2, 3.5}, 3));
            byte[] bytes = {1, 2, 3, 4, 5};
            assertEquals(3, api.reverse_bytes(bytes, bytes.length, "tag"), "an array beside a string");
            assertEquals(java.util.List.of((byte) 5, (byte) 4, (byte) 3, (byte) 2, (byte) 1),
                    java.util.List.of(bytes[0], bytes[1], bytes[2], bytes[3], bytes[4]));
            assertEquals(-1, api.reverse_bytes(null, 0, ""), "null is NULL");
            int[] large = new int[300_000]; // 1.2 MB: past the slot, through its bulk area, both ways
            api.fill_squares(large, large.length);
            assertEquals(299_999 * 299_999, large[299_999], "a large array the function fills comes back filled");
            double[] ones = new double[200_000];
            java.util.Arrays.fill(ones, 1.0);
            assertEquals(200_000.0, api.sum_doubles(ones, ones.length));
            IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
                    () -> api.fill_squares(new int[600_000], 600_000));
            assertTrue(tooLarge.getMessage().contains("more than the 2097152"), tooLarge.getMessage());
            assertTrue(api.toString().contains("Api"));
            api.noop();
            assertEquals(7, api.printing(), "a printf in the library is no part of the channel");
            assertEquals(lib.pid(), api.get_pid());
            assertNotEquals(ProcessHandle.current().pid(), lib.pid());
            assertTrue(lib.isAlive());
        }
    }

    private static LibraryCrashedException fault(String what) {
        try (IsolatedLibrary lib = IsolatedLibrary.open(UNTRUSTED)) {
            Api api = lib.bind(Api.class);
            LibraryCrashedException e = assertThrows(LibraryCrashedException.class, () -> {
                switch (what) {
                    case "crash" -> api.crash();
                    case "abort" -> api.abort_now();
                    case "exit" -> api.exit_with(42);
                    case "overflow" -> api.overflow();
                    default -> throw new IllegalArgumentException(what);
                }
            });
            assertFalse(lib.isAlive());
            LibraryCrashedException after = assertThrows(LibraryCrashedException.class, () -> api.add(1, 2));
            assertEquals(e.reason(), after.reason(), "a later call says the same");
            assertEquals("add", after.function());
            return e;
        }
    }

    @Test
    void aSegfaultAnAbortAnExitAndAStackOverflowEndOnlyTheLibrarysProcess() {
        LibraryCrashedException crash = fault("crash");
        assertEquals(LibraryCrashedException.Reason.SIGNAL, crash.reason());
        assertEquals(11, crash.signal().orElseThrow());
        assertEquals("crash", crash.function());
        assertTrue(crash.getMessage().contains("SIGSEGV") && crash.getMessage().contains(UNTRUSTED.toString()),
                crash.getMessage());
        assertEquals(6, fault("abort").signal().orElseThrow());
        LibraryCrashedException exit = fault("exit");
        assertEquals(LibraryCrashedException.Reason.EXIT, exit.reason());
        assertEquals(42, exit.exitStatus().orElseThrow());
        assertEquals(11, fault("overflow").signal().orElseThrow(), "a stack overflow is a SIGSEGV in its process");
    }

    @Test
    void aCallThatNeverReturnsEndsAtItsDeadline() {
        try (IsolatedLibrary lib = IsolatedLibrary.open(UNTRUSTED, Duration.ofMillis(300))) {
            Api api = lib.bind(Api.class);
            LibraryCrashedException e = assertThrows(LibraryCrashedException.class, api::spin);
            assertEquals(LibraryCrashedException.Reason.DEADLINE, e.reason());
            assertTrue(e.getMessage().contains("deadline of 300 ms"), e.getMessage());
            assertFalse(lib.isAlive());
        }
    }

    @Test
    void eightThreadsCallAtOnceAndACrashAnswersEveryCallInFlight() throws InterruptedException {
        try (IsolatedLibrary lib = IsolatedLibrary.open(UNTRUSTED)) {
            Api api = lib.bind(Api.class);
            AtomicInteger wrong = new AtomicInteger();
            AtomicInteger crashed = new AtomicInteger();
            AtomicInteger calls = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int base = t * 1_000_000;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; ; i++) {
                            if (api.add(base, i) != base + i) {
                                wrong.incrementAndGet();
                            }
                            calls.incrementAndGet();
                        }
                    } catch (LibraryCrashedException e) {
                        crashed.incrementAndGet();
                    }
                }));
            }
            while (calls.get() < 20_000 && crashed.get() == 0 && threads.stream().allMatch(Thread::isAlive)) {
                Thread.onSpinWait();
            }
            assertThrows(LibraryCrashedException.class, api::crash);
            for (Thread t : threads) {
                t.join(); // each thread ends only with an answer: every call in flight got one
            }
            assertEquals(0, wrong.get());
            assertEquals(8, crashed.get());
        }
    }

    @Test
    void aMethodThatCannotCrossOrAFunctionNotExportedIsRefusedAtBind() {
        interface Wrong {
            int add(StringBuilder a, int b);

            int missing_function();

            java.util.List<String> add6();
        }
        try (IsolatedLibrary lib = IsolatedLibrary.open(UNTRUSTED)) {
            BindingException e = assertThrows(BindingException.class, () -> lib.bind(Wrong.class));
            assertTrue(e.getMessage().contains("add: parameter 0 is a java.lang.StringBuilder, which cannot cross"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("missing_function: symbol \"missing_function\" not found"), e.getMessage());
            assertTrue(e.getMessage().contains("add6: returns a java.util.List"), e.getMessage());
            assertTrue(lib.isAlive(), "a refused bind leaves the library usable");
            assertEquals(3, lib.bind(Api.class).add(1, 2));
        }
    }

    @Test
    void aMissingDamagedOrCrashingLibraryIsRefusedWithItsReason() throws IOException {
        LibraryLoadException missing = assertThrows(LibraryLoadException.class,
                () -> IsolatedLibrary.open(dir.resolve("libnone.so")));
        assertEquals(LibraryLoadException.Reason.NOT_FOUND, missing.reason());
        // Not a library: refused before any process starts.
        Path text = Files.writeString(dir.resolve("libtext.so"), "not a library");
        assertEquals(LibraryLoadException.Reason.NOT_A_SHARED_LIBRARY, assertThrows(LibraryLoadException.class,
                () -> IsolatedLibrary.open(text)).reason());
        LibraryLoadException crashing = assertThrows(LibraryLoadException.class,
                () -> IsolatedLibrary.open(Fixtures.NATIVE.resolve("libctor_crash.so")));
        assertEquals(LibraryLoadException.Reason.FAILED_IN_ISOLATION, crashing.reason());
        assertTrue(crashing.getMessage().contains("SIGSEGV"), crashing.getMessage());
        LibraryLoadException undefined = assertThrows(LibraryLoadException.class,
                () -> IsolatedLibrary.open(Fixtures.NATIVE.resolve("libctor_undefined.so")));
        assertTrue(undefined.getMessage().contains("the runner refused it") && undefined.getMessage().contains("undefined symbol"),
                undefined.getMessage());
    }

    @Test
    void aClosedLibrarysProcessIsGoneAndItsCallsSaySo() {
        IsolatedLibrary lib = IsolatedLibrary.open(UNTRUSTED);
        Api api = lib.bind(Api.class);
        long pid = lib.pid();
        lib.close();
        assertFalse(lib.isAlive());
        assertTrue(ProcessHandle.of(pid).isEmpty() || !ProcessHandle.of(pid).get().isAlive(), "reaped");
        assertEquals(LibraryCrashedException.Reason.CLOSED,
                assertThrows(LibraryCrashedException.class, () -> api.add(1, 2)).reason());
        lib.close();
    }

    @Test
    void aCallRunningWhenTheLibraryClosesGetsAnAnswerThatSaysSo() throws Exception {
        IsolatedLibrary lib = IsolatedLibrary.open(UNTRUSTED);
        Api api = lib.bind(Api.class);
        Path spinning = Path.of("/tmp/dynload-spinning-" + lib.pid());
        java.util.concurrent.CompletableFuture<LibraryCrashedException> answer = new java.util.concurrent.CompletableFuture<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                api.announce_and_spin();
                answer.complete(null);
            } catch (LibraryCrashedException e) {
                answer.complete(e);
            }
        });
        try {
            while (!Files.exists(spinning) && caller.isAlive()) { // the library says the call has begun
                Thread.onSpinWait();
            }
            lib.close();
            caller.join();
            LibraryCrashedException e = answer.get();
            assertTrue(e != null, "the call returned");
            assertEquals(LibraryCrashedException.Reason.CLOSED, e.reason(), e.getMessage());
            assertEquals("announce_and_spin", e.function());
        } finally {
            Files.deleteIfExists(spinning);
        }
    }

    @Test
    void whatTheLibraryPrintsReachesTheGivenOutputLineByLine() throws Exception {
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        try (IsolatedLibrary lib = IsolatedLibrary.open(UNTRUSTED, IsolatedLibrary.DEFAULT_DEADLINE, lines::add)) {
            assertEquals(7, lib.bind(Api.class).printing());
            // Bounded only so that a regression fails instead of hanging the suite.
            assertEquals("a stray printf on the runner's stdout", lines.poll(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void crashAndRestartCyclesLeakNothing() throws Exception {
        // A short run of scripts/fuzz's 1,000 cycles with 8 threads.
        dev.dynload.fuzz.CrashCycles.Result r = dev.dynload.fuzz.CrashCycles.run(UNTRUSTED, 20, 4);
        assertTrue(r.clean(), "leaked: before " + r.before() + ", after " + r.after());
        assertEquals(20L * 4, r.answeredByCrash(), "every caller got its answer from the crash");
    }

    /** A library whose dependency its run path finds through $ORIGIN. */
    public interface OriginUser {
        int origin_user_value();
    }

    @Test
    void aDependencyFoundThroughOriginLoadsInTheRunnerToo() {
        for (String kind : List.of("origin-plain", "origin-soname")) {
            try (IsolatedLibrary lib = IsolatedLibrary.open(Fixtures.NATIVE.resolve(kind).resolve("liborigin_user.so"))) {
                assertTrue(lib.bind(OriginUser.class).origin_user_value() > 0, kind);
            }
        }
    }

    /** Opens the library in a child JVM, prints its process's id, and waits to be killed. */
    public static final class OpensAndWaits {
        public static void main(String[] args) throws IOException {
            IsolatedLibrary lib = IsolatedLibrary.open(Path.of(args[0]));
            System.out.println(lib.pid());
            System.out.flush();
            System.in.read(); // until killed
        }
    }

    @Test
    void theLibrarysProcessDiesWithItsJvmWhateverKillsIt() throws Exception {
        Process jvm = new ProcessBuilder(ChildJvm.command(List.of(), null, OpensAndWaits.class, UNTRUSTED.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long runner;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertTrue(line != null && line.matches("\\d+"), "the child printed " + line);
            runner = Long.parseLong(line);
            ProcessHandle handle = ProcessHandle.of(runner).orElseThrow();
            assertTrue(handle.parent().map(ProcessHandle::pid).orElse(-1L) == jvm.pid(), "the runner is the JVM's child");
            jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
            jvm.waitFor();
            // Bounded only so that a regression fails instead of hanging the suite.
            handle.onExit().get(60, TimeUnit.SECONDS);
        }
        assertTrue(ProcessHandle.of(runner).map(h -> !h.isAlive()).orElse(true), "runner " + runner + " outlived its JVM");
    }
}
