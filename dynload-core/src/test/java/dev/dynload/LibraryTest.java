package dev.dynload;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_CHAR;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibraryTest {

    private Library lib;

    @BeforeEach
    void open() {
        lib = Library.open(Fixtures.FIXTURE);
    }

    @AfterEach
    void close() {
        lib.close();
    }

    private MethodHandle identity(String name, ValueLayout layout) {
        return lib.downcall(name, FunctionDescriptor.of(layout, layout));
    }

    @Test
    void integerIdentityCallsReturnTheirArgumentAtEveryExtreme() throws Throwable {
        MethodHandle i8 = identity("fixture_id_i8", JAVA_BYTE);
        MethodHandle i16 = identity("fixture_id_i16", JAVA_SHORT);
        MethodHandle u16 = identity("fixture_id_u16", JAVA_CHAR);
        MethodHandle i32 = identity("fixture_id_i32", JAVA_INT);
        MethodHandle i64 = identity("fixture_id_i64", JAVA_LONG);
        for (byte v : new byte[] {Byte.MIN_VALUE, -1, 0, 1, Byte.MAX_VALUE}) {
            assertEquals(v, (byte) i8.invokeExact(v));
        }
        for (short v : new short[] {Short.MIN_VALUE, -1, 0, 1, Short.MAX_VALUE}) {
            assertEquals(v, (short) i16.invokeExact(v));
        }
        for (char v : new char[] {0, 'A', '\u00e9', Character.MAX_VALUE}) {
            assertEquals(v, (char) u16.invokeExact(v));
        }
        for (int v : new int[] {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE}) {
            assertEquals(v, (int) i32.invokeExact(v));
        }
        for (long v : new long[] {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE}) {
            assertEquals(v, (long) i64.invokeExact(v));
        }
    }

    @Test
    void floatingAndBooleanIdentityCallsPreserveEveryBit() throws Throwable {
        MethodHandle f32 = identity("fixture_id_f32", JAVA_FLOAT);
        MethodHandle f64 = identity("fixture_id_f64", JAVA_DOUBLE);
        MethodHandle bool = identity("fixture_id_bool", JAVA_BOOLEAN);
        for (float v : new float[] {-0.0f, Float.MIN_VALUE, 1.5f, Float.MAX_VALUE, Float.NEGATIVE_INFINITY}) {
            assertEquals(Float.floatToRawIntBits(v), Float.floatToRawIntBits((float) f32.invokeExact(v)));
        }
        assertTrue(Float.isNaN((float) f32.invokeExact(Float.NaN)));
        for (double v : new double[] {-0.0, Double.MIN_VALUE, Math.PI, Double.MAX_VALUE, Double.POSITIVE_INFINITY}) {
            assertEquals(Double.doubleToRawLongBits(v), Double.doubleToRawLongBits((double) f64.invokeExact(v)));
        }
        assertTrue((boolean) bool.invokeExact(true));
        assertFalse((boolean) bool.invokeExact(false));
    }

    @Test
    void pointerIdentityCallReturnsTheSameAddress() throws Throwable {
        MethodHandle ptr = identity("fixture_id_ptr", ADDRESS);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(16);
            assertEquals(block.address(), ((MemorySegment) ptr.invokeExact(block)).address());
        }
        assertEquals(0, ((MemorySegment) ptr.invokeExact(MemorySegment.NULL)).address());
    }

    @Test
    void structPassedAndReturnedByValue() throws Throwable {
        StructLayout point = MemoryLayout.structLayout(
                JAVA_INT.withName("x"), JAVA_INT.withName("y"), JAVA_DOUBLE.withName("weight"));
        MethodHandle scale = lib.downcall("fixture_point_scale", FunctionDescriptor.of(point, point, JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(point);
            p.set(JAVA_INT, 0, 3);
            p.set(JAVA_INT, 4, -4);
            p.set(JAVA_DOUBLE, 8, 0.5);
            MemorySegment r = (MemorySegment) scale.invokeExact((java.lang.foreign.SegmentAllocator) arena, p, 10);
            assertEquals(30, r.get(JAVA_INT, 0));
            assertEquals(-40, r.get(JAVA_INT, 4));
            assertEquals(5.0, r.get(JAVA_DOUBLE, 8));
        }
    }

    @Test
    void exportedDataIsReadAndWrittenInPlace() throws Throwable {
        MemorySegment counter = lib.variable("fixture_counter", JAVA_INT);
        assertEquals(42, counter.get(JAVA_INT, 0));
        counter.set(JAVA_INT, 0, 1234);
        MethodHandle get = lib.downcall("fixture_counter_get", FunctionDescriptor.of(JAVA_INT));
        assertEquals(1234, (int) get.invokeExact());
        MemorySegment name = lib.variable("fixture_name", MemoryLayout.sequenceLayout(8, JAVA_BYTE));
        assertArrayEquals("fixture\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII), name.toArray(JAVA_BYTE));
        assertEquals("fixture", CString.read(name));
        counter.set(JAVA_INT, 0, 42);
    }

    @Test
    void functionReturningNullGivesNullSegmentAndNullString() throws Throwable {
        MethodHandle nul = lib.downcall("fixture_null", FunctionDescriptor.of(ADDRESS));
        MemorySegment r = (MemorySegment) nul.invokeExact();
        assertEquals(MemorySegment.NULL, r);
        assertNull(CString.read(r));
        MethodHandle greet = lib.downcall("fixture_greet", FunctionDescriptor.of(ADDRESS));
        assertEquals("Hello from C!", CString.read((MemorySegment) greet.invokeExact()));
    }

    @Test
    void findIsEmptyForAMissingSymbolAndFindOrThrowSuggestsCloseNames() {
        assertEquals(Optional.empty(), lib.find("fixture_nothing_here"));
        assertTrue(lib.find("fixture_add").isPresent());
        SymbolNotFoundException e = assertThrows(SymbolNotFoundException.class, () -> lib.findOrThrow("fixture_ad"));
        assertEquals("fixture_ad", e.symbol());
        assertEquals("fixture_add", e.suggestions().getFirst());
        assertTrue(e.getMessage().contains("symbol \"fixture_ad\" not found in " + Fixtures.FIXTURE), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean: fixture_add"), e.getMessage());
        SymbolNotFoundException typo = assertThrows(SymbolNotFoundException.class,
                () -> lib.downcall("fixture_grete", FunctionDescriptor.of(ADDRESS)));
        assertTrue(typo.suggestions().contains("fixture_greet"), typo.suggestions().toString());
        SymbolNotFoundException none = assertThrows(SymbolNotFoundException.class, () -> lib.findOrThrow("zzzzzzzzzzzzzzzzz"));
        assertTrue(none.suggestions().isEmpty());
        assertTrue(none.getMessage().contains("dynload symbols"), none.getMessage());
    }

    @Test
    void symbolNameWithInteriorNulIsAnIllegalArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lib.find("fixture_add\0evil"));
        assertTrue(e.getMessage().contains("fixture_add\\x00evil"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> lib.find(""));
        assertThrows(NullPointerException.class, () -> lib.find(null));
    }

    @Test
    void callAfterCloseThrowsInsteadOfCrashing() throws Throwable {
        MethodHandle add = lib.downcall("fixture_add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        MemorySegment counter = lib.variable("fixture_counter", JAVA_INT);
        MemorySegment address = lib.findOrThrow("fixture_add");
        assertEquals(5, (int) add.invokeExact(2, 3));
        lib.close();
        assertFalse(lib.isOpen());
        IllegalStateException call = assertThrows(IllegalStateException.class, () -> {
            int ignored = (int) add.invokeExact(2, 3);
        });
        assertTrue(call.getMessage().contains(lib.name() + " is closed"), call.getMessage());
        assertThrows(IllegalStateException.class, () -> counter.get(JAVA_INT, 0));
        assertThrows(IllegalStateException.class, () -> address.reinterpret(8).get(JAVA_BYTE, 0));
        IllegalStateException find = assertThrows(IllegalStateException.class, () -> lib.find("fixture_add"));
        assertTrue(find.getMessage().contains("is closed"), find.getMessage());
        assertThrows(IllegalStateException.class, () -> lib.downcall("fixture_add", FunctionDescriptor.of(JAVA_INT)));
        lib.close(); // a second close does nothing
    }

    /** The library a callback tries to close, and what that attempt threw. */
    private static Library closing;
    private static Throwable closeFromCallback;

    @SuppressWarnings("unused") // an upcall target
    private static void closeFromCallback() {
        try {
            closing.close();
        } catch (Throwable t) {
            closeFromCallback = t;
        }
    }

    @Test
    void closingFromInsideOneOfItsCallbacksFailsAtOnceAndSaysWhy() throws Throwable {
        MethodHandle callBack = lib.downcall("fixture_call_back", FunctionDescriptor.ofVoid(ADDRESS));
        closing = lib;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stub = Linker.nativeLinker().upcallStub(MethodHandles.lookup().findStatic(LibraryTest.class,
                    "closeFromCallback", MethodType.methodType(void.class)), FunctionDescriptor.ofVoid(), arena);
            callBack.invokeExact(stub);
        }
        assertInstanceOf(IllegalStateException.class, closeFromCallback);
        assertTrue(closeFromCallback.getMessage().contains("this thread is inside a callback"),
                closeFromCallback.getMessage());
        assertTrue(closeFromCallback.getMessage().startsWith(lib.name()), closeFromCallback.getMessage());
        assertTrue(lib.isOpen(), "a close that failed leaves the library open");
        lib.close(); // once the call has returned
        assertFalse(lib.isOpen());
    }

    /**
     * Starts a native call on another thread and returns once the fixture says it is under way; the call
     * returns when the test signals {@code release}.
     */
    private Thread blockedCall(Pipe started, Pipe release) {
        MethodHandle block = lib.downcall("fixture_block", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                assertEquals('r', (int) block.invokeExact(started.writeFd(), release.readFd()));
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        });
        started.await();
        return caller;
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
    void closeFromAnotherThreadWaitsForACallInFlightThenInvalidatesIt() throws Throwable {
        try (Pipe started = Pipe.open(); Pipe release = Pipe.open()) {
            Thread caller = blockedCall(started, release);
            MethodHandle add = lib.downcall("fixture_add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            Thread closer = Thread.ofPlatform().start(lib::close); // waits for the call rather than unmapping its code
            while (!waitingInClose(closer)) {
                Thread.onSpinWait();
            }
            assertTrue(lib.isOpen(), "close() waits while the call runs");
            release.signal((byte) 'r');
            caller.join();
            closer.join();
            assertFalse(lib.isOpen());
            assertThrows(IllegalStateException.class, () -> {
                int ignored = (int) add.invokeExact(1, 2);
            });
        }
    }

    @Test
    void closeGivesUpWhenACallOutlastsTheWaitAndLeavesTheLibraryUsable() throws Throwable {
        try (Pipe started = Pipe.open(); Pipe release = Pipe.open()) {
            Thread caller = blockedCall(started, release);
            // The call returns only when released below, so close() waits its whole second and gives up.
            IllegalStateException e = assertThrows(IllegalStateException.class, lib::close);
            assertTrue(e.getMessage().contains("still in use"), e.getMessage());
            assertTrue(lib.isOpen());
            release.signal((byte) 'r');
            caller.join();
            assertTrue(lib.find("fixture_add").isPresent());
        }
    }

    @Test
    void pathIsTheLoadedFileAndNameIsWhatWasAsked() {
        assertEquals(Optional.of(Fixtures.FIXTURE), lib.path());
        assertEquals(Fixtures.FIXTURE.toString(), lib.name());
        assertTrue(lib.toString().contains("libfixture.so"));
    }

    @Test
    void processSeesLibcButNotALibraryOpenedLocal() {
        try (Library self = Library.process()) {
            assertTrue(self.find("strlen").isPresent());
            assertTrue(self.find("getpid").isPresent());
            assertTrue(self.find("fixture_add").isEmpty(), "a LOCAL library leaked into the global scope");
            SymbolNotFoundException e = assertThrows(SymbolNotFoundException.class, () -> self.findOrThrow("fixture_add"));
            assertTrue(e.getMessage().contains("GLOBAL"), e.getMessage());
            assertEquals(Optional.empty(), self.path());
        }
    }

    @Test
    void processSeesALibraryOpenedGlobal() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("dynload-global");
        // A copy under another name, so that the loader does not reuse the LOCAL one opened above.
        java.nio.file.Path copy = Fixtures.copyFixture(dir, "libfixtureglobal.so");
        try (Library global = Library.open(copy, LoadOption.GLOBAL, LoadOption.NOW);
             Library self = Library.process()) {
            assertTrue(self.find("fixture_add").isPresent());
            assertEquals(global.findOrThrow("fixture_add").address(), self.findOrThrow("fixture_add").address());
        } finally {
            java.nio.file.Files.delete(copy); // the loaded mapping outlives the name
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void processDowncallCallsLibc() throws Throwable {
        try (Library self = Library.process(); Arena arena = Arena.ofConfined()) {
            MethodHandle strlen = self.downcall("strlen", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
            assertEquals(5L, (long) strlen.invokeExact(arena.allocateFrom("hello")));
        }
    }
}
