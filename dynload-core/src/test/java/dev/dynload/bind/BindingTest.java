package dev.dynload.bind;

import dev.dynload.Signatures;
import dev.dynload.Structs;
import dev.dynload.BindingException;
import dev.dynload.Library;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every row of the type table, bound through an interface to the C fixture in src/test/c/binding.c. */
class BindingTest {

    static final Path BINDING = Path.of(System.getProperty("dynload.test.native", "target/native"))
            .toAbsolutePath().resolve("libbinding.so");

    record Point(int x, int y, double weight) {
    }

    record Padded(byte tag, long value, short small) {
    }

    record Line(Point from, Point to) {
    }

    enum Color { RED, GREEN, BLUE }

    enum Level implements CEnum {
        LOW(10), HIGH(20);

        private final int value;

        Level(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }

    @FunctionalInterface
    interface BinOp {
        int apply(int a, int b);
    }

    @LibraryInterface
    interface Fixture {
        @Symbol("b_answer") int answer();
        @Symbol("b_add") int add(int a, int b);
        @Symbol("b_neg_i8") byte neg(byte v);
        @Symbol("b_neg_i16") short neg(short v);
        @Symbol("b_next_char") char next(char c);
        @Symbol("b_mul_i64") long mul(long a, long b);
        @Symbol("b_half_f32") float half(float v);
        @Symbol("b_half_f64") double half(double v);
        @Symbol("b_not") boolean not(boolean v);
        @Symbol("b_twice_long") @CLong long twice(@CLong long v);
        @Symbol("b_strlen") @SizeT long strlen(String s);
        @Symbol("b_nothing") void nothing();
        @Critical @Symbol("b_add") int criticalAdd(int a, int b);

        @Symbol("b_greet") String greet();
        @Symbol("b_echo") String echo(String s);
        @Symbol("b_null") String none();
        @Symbol("b_upper_dup") @FreeWith("b_free") String upper(String s);
        @Symbol("b_frees") int frees();

        @Symbol("b_id_ptr") MemorySegment id(MemorySegment p);
        @Symbol("b_point_shared") @Size(16) MemorySegment sharedPointRaw();
        @Symbol("b_sum_i64") long sum(long[] values, @SizeT long n);
        @Symbol("b_sum_i64") @Critical long sumOnHeap(@Heap long[] values, @SizeT long n);
        @Symbol("b_fill_i32") void fill(int[] out, @SizeT long n, int start);
        @Symbol("b_scale_f64") void scale(double[] values, @SizeT long n, double k);
        @Symbol("b_scale_f64") void scaleInput(@In double[] values, @SizeT long n, double k);
        @Symbol("b_sum_i64") long sumInput(@In long[] values, @SizeT long n);
        @Symbol("b_fill_around") int fillAround(int[] out, @SizeT long n, BinOp f);
        @Symbol("b_bytes_sum") int sum(byte[] bytes, int n);
        @Symbol("b_divmod") int divmod(int a, int b, int[] quotient, int[] remainder);
        @Symbol("b_open_handle") int open(String name, MemorySegment[] handle);
        @Symbol("b_read_handle") int read(MemorySegment handle);

        @Symbol("b_point_scale") Point scale(Point p, int k);
        @Symbol("b_point_sum") double sum(@ByReference Point p);
        @Symbol("b_point_shared") @ByReference Point sharedPoint();
        @Symbol("b_point_none") @ByReference Point noPoint();
        @Symbol("b_padded_bump") Padded bump(Padded p);
        @Symbol("b_padded_layout") int paddedLayout();
        @Symbol("b_line_reverse") Line reverse(Line l);

        @Symbol("b_apply") int apply(BinOp f, int a, int b);
        @Symbol("b_apply_many") int applyMany(BinOp f, int n);
        @Symbol("b_register") void register(BinOp f, Arena lifetime);
        @Symbol("b_call_registered") int callRegistered(int a, int b);

        @Symbol("b_next_color") Color next(Color c);
        @Symbol("b_toggle_level") Level toggle(Level l);
        @Symbol("b_bad_level") Level badLevel();

        @Variadic(fixed = 1) @Symbol("b_sum_ints") int sumInts(int n, int a, int b, int c);
        @Variadic(fixed = 1) @Symbol("b_sum_ints") int sumInts(int n, int a);
        @Variadic(fixed = 3) @Symbol("b_format") int format(byte[] buf, @SizeT long size, String format, int i, double d, String s);

        @Errno @Symbol("b_fail") int fail(int code);
        @Errno @Symbol("b_succeed") int succeed();
        @Errno @Symbol("b_fail_ptr") MemorySegment failPointer(int code);

        default int addThenDouble(int a, int b) {
            return 2 * add(a, b);
        }
    }

    static Library lib;
    static Fixture f;

    @BeforeAll
    static void bind() {
        lib = Library.open(BINDING);
        f = lib.bind(Fixture.class);
    }

    @AfterAll
    static void close() {
        lib.close();
    }

    @Test
    void primitivesMapToFixedWidthCTypes() {
        assertEquals(42, f.answer());
        assertEquals(5, f.add(2, 3));
        assertEquals((byte) -7, f.neg((byte) 7));
        assertEquals((short) 300, f.neg((short) -300));
        assertEquals('b', f.next('a'));
        assertEquals(6_000_000_000L, f.mul(3, 2_000_000_000L));
        assertEquals(1.25f, f.half(2.5f));
        assertEquals(0.75, f.half(1.5));
        assertFalse(f.not(true));
        assertTrue(f.not(false));
        assertEquals(8_000_000_000L, f.twice(4_000_000_000L));
        f.nothing();
        assertEquals(7, f.criticalAdd(3, 4));
    }

    @Test
    void defaultMethodsStayJava() {
        assertEquals(10, f.addThenDouble(2, 3));
    }

    @Test
    void stringsGoInAsUtf8AndComeBackAsCopies() {
        assertEquals("Hello from the binding fixture!", f.greet());
        assertEquals("h\u00e9llo \u4e16\u754c", f.echo("h\u00e9llo \u4e16\u754c"));
        assertEquals(6, f.strlen("h\u00e9llo"));
        assertNull(f.echo(null));
        assertEquals(-1L, f.strlen(null));
        assertNull(f.none());
    }

    @Test
    void longAndManyStringsEachGetTheirOwnMemoryForTheCall() {
        assertEquals(10_000, f.strlen("x".repeat(10_000)));
        assertEquals(3_000, f.strlen("é".repeat(1_500)));
        String big = "y".repeat(3_000);
        for (int i = 0; i < 100; i++) {
            // Two strings that together overflow the scratch buffer, checked by the C side's echo.
            assertEquals(big + i, f.echo(big + i));
        }
        byte[] buf = new byte[128];
        int n = f.format(buf, buf.length, "%d %.1f %s", 1, 2.0, "three and four");
        assertEquals("1 2.0 three and four", new String(buf, 0, n, StandardCharsets.UTF_8));
    }

    @Test
    void stringTheCallerMustFreeIsCopiedThenFreedWithTheNamedFunction() {
        int before = f.frees();
        assertEquals("SHOUT", f.upper("shout"));
        assertEquals("TWICE", f.upper("twice"));
        assertEquals(before + 2, f.frees());
    }

    @Test
    void pointersPassThroughAndSizedOnesCanBeRead() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(8);
            assertEquals(block.address(), f.id(block).address());
        }
        MemorySegment raw = f.sharedPointRaw();
        assertEquals(16, raw.byteSize());
        assertEquals(3, raw.get(ValueLayout.JAVA_INT, 0));
    }

    @Test
    void arraysAreCopiedInAndBackOut() {
        long[] values = new long[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        assertEquals(499_500L, f.sum(values, values.length));
        assertEquals(499_500L, f.sumOnHeap(values, values.length));
        int[] out = new int[5];
        f.fill(out, out.length, 10);
        assertArrayEquals(new int[] {10, 11, 12, 13, 14}, out);
        double[] scaled = {1, 2, 3};
        f.scale(scaled, 3, 0.5);
        assertArrayEquals(new double[] {0.5, 1, 1.5}, scaled);
        assertEquals(6, f.sum(new byte[] {1, 2, 3}, 3));
        assertEquals(0L, f.sum((long[]) null, 0));
    }

    @Test
    void inputArraysAreCopiedInButNotBack() {
        double[] values = {1, 2, 3};
        f.scaleInput(values, 3, 0.5);
        assertArrayEquals(new double[] {1, 2, 3}, values, "C wrote to dynload's copy only");
        long[] large = new long[5000]; // 40,000 bytes: more than the scratch stack holds
        java.util.Arrays.fill(large, 3);
        assertEquals(15_000L, f.sumInput(large, large.length));
        assertEquals(0L, f.sumInput(null, 0));
    }

    @Test
    void arraysLargerThanTheScratchStackAreStillCopiedBack() {
        int[] out = new int[6000];
        f.fill(out, out.length, 1);
        assertEquals(1, out[0]);
        assertEquals(6000, out[5999]);
    }

    @Test
    void arraysOfACallMadeFromACallbackAreCopiedBackWhenThatCallReturns() {
        int[] outer = new int[4];
        int[] inner = new int[3];
        int r = f.fillAround(outer, outer.length, (a, b) -> {
            f.fill(inner, inner.length, 7);
            assertArrayEquals(new int[] {7, 8, 9}, inner, "the inner call's array is back before it returns");
            assertArrayEquals(new int[4], outer, "the outer call's array is not back before the outer call returns");
            return a + b;
        });
        assertEquals(3, r);
        assertArrayEquals(new int[] {100, 101, 102, 103}, outer);
        assertArrayEquals(new int[] {7, 8, 9}, inner);
    }

    @Test
    void oneElementArraysServeAsOutParameters() {
        int[] q = new int[1];
        int[] r = new int[1];
        assertEquals(0, f.divmod(17, 5, q, r));
        assertEquals(3, q[0]);
        assertEquals(2, r[0]);
        MemorySegment[] handle = new MemorySegment[1];
        assertEquals(0, f.open("db", handle));
        assertEquals(7, f.read(handle[0]));
        assertEquals(1, f.open("", handle));
        assertEquals(0, handle[0].address());
    }

    @Test
    void recordsAreStructsByValueAndByPointer() {
        assertEquals(new Point(30, -40, 5.0), f.scale(new Point(3, -4, 0.5), 10));
        assertEquals(7.5, f.sum(new Point(3, 4, 0.5)));
        assertEquals(-1, f.sum((Point) null));
        assertEquals(new Point(3, 4, 0.5), f.sharedPoint());
        assertNull(f.noPoint());
        assertEquals(new Line(new Point(3, 4, 0), new Point(1, 2, 0)),
                f.reverse(new Line(new Point(1, 2, 0), new Point(3, 4, 0))));
    }

    @Test
    void recordLayoutFollowsCAlignment() {
        // offsetof(value) = 8, offsetof(small) = 16, sizeof = 24, as gcc lays the struct out
        assertEquals(8 * 10000 + 16 * 100 + 24, f.paddedLayout());
        assertEquals(24, Structs.layout(Padded.class).byteSize());
        assertEquals(16, Structs.layout(Padded.class).byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("small")));
        assertEquals(new Padded((byte) 2, 11L, (short) 4), f.bump(new Padded((byte) 1, 10L, (short) 3)));
    }

    @Test
    void javaCallbacksAreCalledByC() {
        assertEquals(12, f.apply((a, b) -> a * b, 3, 4));
        assertEquals(45, f.applyMany(Integer::sum, 10));
    }

    @Test
    void callbackExceptionReachesTheCallerWithoutKillingTheJvm() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.apply((a, b) -> {
            throw new IllegalStateException("thrown inside a callback");
        }, 1, 2));
        assertEquals("thrown inside a callback", e.getMessage());
        List<Integer> calls = new ArrayList<>();
        ArithmeticException again = assertThrows(ArithmeticException.class, () -> f.applyMany((acc, i) -> {
            calls.add(i);
            return acc / (i - 3);
        }, 6));
        assertEquals(List.of(0, 1, 2, 3), calls, "after it threw, the callback is skipped until C returns");
        assertTrue(again.getMessage().contains("/ by zero"));
        assertEquals(5, f.add(2, 3), "the library still works");
    }

    @Test
    void callbackInACallersArenaOutlivesTheCall() {
        try (Arena arena = Arena.ofShared()) {
            f.register((a, b) -> a - b, arena);
            assertEquals(6, f.callRegistered(10, 4));
            assertEquals(-1, f.callRegistered(1, 2));
        }
    }

    @Test
    void enumsAreIntsByOrdinalOrByTheirCValue() {
        assertEquals(Color.GREEN, f.next(Color.RED));
        assertEquals(Color.RED, f.next(Color.BLUE));
        assertEquals(Level.HIGH, f.toggle(Level.LOW));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.badLevel());
        assertTrue(e.getMessage().contains("99"), e.getMessage());
        assertThrows(NullPointerException.class, () -> f.next((Color) null));
    }

    @Test
    void variadicCallsUseTheDeclaredTypes() {
        assertEquals(6, f.sumInts(3, 1, 2, 3));
        assertEquals(9, f.sumInts(1, 9));
        byte[] buf = new byte[64];
        int n = f.format(buf, buf.length, "%d|%.2f|%s", 42, 2.5, "ok");
        assertEquals("42|2.50|ok", new String(buf, 0, n, StandardCharsets.UTF_8));
    }

    @Test
    void errnoIsCapturedWithTheCallAndThrownWithItsText() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> f.fail(2));
        assertEquals(2, e.errno());
        assertEquals("b_fail", e.function());
        assertEquals("No such file or directory", e.description());
        assertEquals(5, f.succeed());
        assertEquals(13, assertThrows(ErrnoException.class, () -> f.failPointer(13)).errno());
    }

    @Test
    void boundObjectDescribesItself() {
        assertEquals("Fixture bound to " + BINDING, f.toString());
    }

    @Test
    void methodsOfABoundObjectThrowAfterItsLibraryIsClosed() {
        Fixture own;
        try (Library again = Library.open(BINDING)) {
            own = again.bind(Fixture.class);
            assertEquals(3, own.add(1, 2));
        }
        assertThrows(IllegalStateException.class, () -> own.add(1, 2));
        assertThrows(IllegalStateException.class, () -> own.greet());
        assertThrows(IllegalStateException.class, () -> own.scale(new Point(1, 1, 1), 2));
    }

    /** What the callback of firstBoundCallFromACallbackDoesNotHoldUpAClose sees and does. */
    private static Library closing;
    private static Fixture freshlyBound;
    private static Thread closer;
    private static final List<Throwable> closeFailures = java.util.Collections.synchronizedList(new ArrayList<>());

    private static int closeThenCallBound(int a, int b) {
        closer = new Thread(() -> {
            try {
                closing.close(); // waits for the raw call below, which holds the library open
            } catch (Throwable t) {
                closeFailures.add(t);
            }
        });
        closer.start();
        // Until this callback returns, close() waits for the raw call that made it: its stack says so.
        while (!waitingInClose(closer)) {
            Thread.onSpinWait();
        }
        return freshlyBound.add(a, b); // the bound method's first call links it while close() waits
    }

    private static boolean waitingInClose(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getMethodName().equals("closeArena")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void firstBoundCallFromACallbackDoesNotHoldUpAClose() throws Throwable {
        closing = Library.open(BINDING);
        freshlyBound = closing.bind(Fixture.class);
        java.lang.invoke.MethodHandle apply = closing.downcall("b_apply", java.lang.foreign.FunctionDescriptor.of(
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        MemorySegment callback = java.lang.foreign.Linker.nativeLinker().upcallStub(
                java.lang.invoke.MethodHandles.lookup().findStatic(BindingTest.class, "closeThenCallBound",
                        java.lang.invoke.MethodType.methodType(int.class, int.class, int.class)),
                java.lang.foreign.FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                Arena.ofAuto());
        // Had the first bound call waited for close(), which waits for this call, this would never return.
        assertEquals(5, (int) apply.invokeExact(callback, 2, 3));
        closer.join();
        assertEquals(List.of(), closeFailures, "close() completed once the raw call returned");
        assertThrows(IllegalStateException.class, () -> freshlyBound.add(1, 2));
    }

    @Test
    void bindingExportsNothingInternalToTheBoundInterfacesModule() throws Exception {
        // A child JVM, with dynload a named module and the probe in the unnamed module, as in an application.
        Path classes = Path.of(Library.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path tests = Path.of(dev.dynload.probe.ExportProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", classes.toString(), "--add-modules", "dev.dynload",
                "--enable-native-access=dev.dynload", "-cp", tests.toString(),
                dev.dynload.probe.ExportProbe.class.getName(), BINDING.resolveSibling("libversion1.so").toString())
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, child.waitFor(), out);
        assertEquals("named=true version=1 internal=false bind=false", out);
    }

    /** Binds, calls, closes, and gives the bound class weakly: no local of the caller holds it. */
    private static java.lang.ref.WeakReference<Class<?>> bindCallAndClose() {
        try (Library again = Library.open(BINDING)) {
            Fixture own = again.bind(Fixture.class);
            assertEquals(3, own.add(1, 2));
            assertTrue(own.getClass().isHidden());
            return new java.lang.ref.WeakReference<>(own.getClass());
        }
    }

    @Test
    void aBoundClassIsUnloadedWhenNothingUsesIt() {
        java.lang.ref.WeakReference<Class<?>> generated = bindCallAndClose();
        // A full collection clears it unless something holds it; System.gc() runs one before it returns.
        for (int i = 0; i < 20 && generated.get() != null; i++) {
            System.gc();
        }
        assertNull(generated.get(), "no registry keeps a bound class, or its library, reachable");
    }

    @Test
    void aHotBoundMethodThrowsAfterClose() {
        Fixture own;
        try (Library again = Library.open(BINDING)) {
            own = again.bind(Fixture.class);
            long sum = 0;
            for (int i = 0; i < 200_000; i++) { // enough calls for the JIT to compile the call site's target in
                sum += own.add(i, 1);
            }
            assertEquals(20_000_100_000L, sum);
        }
        assertThrows(IllegalStateException.class, () -> own.add(1, 2));
        for (int i = 0; i < 1_000; i++) {
            int n = i;
            assertThrows(IllegalStateException.class, () -> own.add(n, 1));
        }
    }
    interface Broken {
        int b_add(int a, int b);
        int b_ad(int a, int b);
        java.util.List<String> b_greet();
        void b_nothing(Object o);
        @CLong int b_answer();
        @Critical int b_apply(BinOp f, int a, int b);
        @Variadic(fixed = 1) int b_sum_ints(int n, float f);
        @Errno void b_fail(int code);
        @FreeWith("no_such_free") String b_echo(String s);
        int b_strlen(@In String s);
        long b_sum_i64(@In @Heap long[] values, @SizeT long n);
    }

    @Test
    void bindingMistakesAreReportedTogetherInOneException() {
        BindingException e = assertThrows(BindingException.class, () -> lib.bind(Broken.class));
        List<String> problems = e.problems();
        assertEquals(10, problems.size(), String.join("\n", problems));
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("b_ad(int, int): symbol \"b_ad\" not found")
                && p.contains("did you mean: b_add")), e.getMessage());
        assertTrue(problems.stream().anyMatch(p -> p.contains("java.util.List has no C counterpart")), e.getMessage());
        assertTrue(problems.stream().anyMatch(p -> p.contains("java.lang.Object has no C counterpart")), e.getMessage());
        assertTrue(problems.stream().anyMatch(p -> p.contains("@CLong applies to long")), e.getMessage());
        assertTrue(problems.stream().anyMatch(p -> p.contains("cannot call back")), e.getMessage());
        assertTrue(problems.stream().anyMatch(p -> p.contains("declare it as double")), e.getMessage());
        assertTrue(problems.stream().anyMatch(p -> p.contains("@Errno needs a result")), e.getMessage());
        assertTrue(problems.stream().anyMatch(p -> p.contains("no_such_free")), e.getMessage());
        assertTrue(problems.stream().anyMatch(p -> p.contains("@In applies to primitive arrays")), e.getMessage());
        assertTrue(problems.stream().anyMatch(p -> p.contains("@In and @Heap exclude each other")), e.getMessage());
        assertTrue(e.getMessage().startsWith("cannot bind " + Broken.class.getName() + " to " + BINDING + ": 10 problems"));
    }
    interface Ambiguous {
        @Symbol("b_add") int add(int a, int b);
        @Symbol("b_add") long add(long a, long b);
    }

    @Test
    void twoMethodsOnOneSymbolAreAmbiguous() {
        BindingException e = assertThrows(BindingException.class, () -> lib.bind(Ambiguous.class));
        assertTrue(e.problems().getFirst().contains("bind to symbol \"b_add\" with different C signatures"), e.getMessage());
    }

    @Test
    void notAnInterfaceIsAnIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> lib.bind(String.class));
    }

    @Test
    void platformAndVirtualThreadsCallBoundFunctionsAtOnce() throws Exception {
        try (ExecutorService platform = Executors.newFixedThreadPool(8);
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                results.add(platform.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        assertEquals(id + i, f.add(id, i));
                    }
                    return null;
                }));
            }
            for (int t = 0; t < 10_000; t++) {
                int id = t;
                results.add(virtual.submit(() -> {
                    assertEquals(id * 2, f.add(id, id));
                    assertEquals("v" + id, f.echo("v" + id));
                    assertEquals(new Point(id, 0, 0), f.scale(new Point(1, 0, 0), id));
                    return null;
                }));
            }
            for (Future<?> r : results) {
                r.get();
            }
        }
        assertSame(f, f);
    }
}
