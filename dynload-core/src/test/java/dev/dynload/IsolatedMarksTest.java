package dev.dynload;

import dev.dynload.bind.Count;
import dev.dynload.bind.Critical;
import dev.dynload.bind.FreeWith;
import dev.dynload.bind.Heap;
import dev.dynload.bind.In;
import dev.dynload.bind.Out;
import dev.dynload.bind.Size;
import dev.dynload.bind.Symbol;
import dev.dynload.bind.Unsigned;
import dev.dynload.bind.Variadic;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the binding annotations ask, carried out in an isolated call as in process, or refused by name. */
class IsolatedMarksTest {

    public enum Level implements dev.dynload.bind.CEnum {
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

    public enum Color { RED, GREEN, BLUE }

    public record Point(double x, double y) {
    }

    public interface Marks {
        @dev.dynload.bind.ByReference
        Point point_at(int which);

        @dev.dynload.bind.Errno
        @Size(4)
        MemorySegment magic_or_fail(int how);

        Level next_level(Level l);

        Color next_color(Color c);

        @Count(value = 0, elementSize = 8)
        MemorySegment squares(int n);

        @Count(0)
        String[] names(int n);

        @Size(4)
        MemorySegment magic_bytes();

        @FreeWith("describe_free")
        String describe(int n);

        int freed_count();

        long fill_out(@Out int[] out, int n);

        long sum_in(@In int[] in, int n);

        @Unsigned(32)
        long big_unsigned();

        @Unsigned(8)
        int next_u8(@Unsigned(8) int v);

        @Symbol("add")
        int plus(int a, int b);
    }

    public interface Refused {
        @Critical
        int add(int a, int b);

        long sum_in(@Heap int[] in, int n);

        @Variadic(fixed = 1)
        int length_of(String s, int extra);

        MemorySegment squares(int n);

        @Count(3)
        @Symbol("squares")
        MemorySegment counted_by_nothing(int n);

        @Symbol("no_such_function")
        int missing();

        @Size(0)
        @Symbol("magic_bytes")
        MemorySegment sized_nothing();
    }

    @Test
    void countedAndSizedResultsFreedStringsDirectionsUnsignedAndSymbolsActAsInProcess() {
        try (IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED);
             Library local = Library.open(IsolatedLibraryTest.UNTRUSTED)) {
            for (Marks api : List.of(lib.bind(Marks.class), local.bind(Marks.class, java.lang.invoke.MethodHandles.lookup()))) {
                MemorySegment squares = api.squares(5);
                assertEquals(40, squares.byteSize(), "five 8-byte elements");
                assertEquals(16, squares.getAtIndex(ValueLayout.JAVA_LONG, 4));
                assertEquals(MemorySegment.NULL, api.squares(100), "NULL stays NULL");
                assertThrows(IllegalArgumentException.class, () -> api.squares(-1), "a negative count");
                assertArrayEquals(new String[] {"alpha", "", null, "delta"}, api.names(4), "char ** with a NULL in it");
                assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, api.magic_bytes().toArray(ValueLayout.JAVA_BYTE));
                int before = api.freed_count();
                assertEquals("described 5", api.describe(5));
                assertEquals(before + 1, api.freed_count(), "@FreeWith freed the string in the library's process");
                int[] out = new int[100_000]; // more than a slot carries: through the bulk area
                Arrays.fill(out, 7);
                assertEquals(0, api.fill_out(out, out.length), "@Out: C finds zeros");
                assertEquals(100_000, out[99_999], "and what C wrote comes back");
                int[] small = {7, 7, 7};
                assertEquals(0, api.fill_out(small, 3));
                assertArrayEquals(new int[] {1, 2, 3}, small);
                int[] in = new int[100_000];
                Arrays.fill(in, 2);
                assertEquals(200_000, api.sum_in(in, in.length));
                assertEquals(2, in[0], "@In: what C scribbled stays in C");
                int[] few = {1, 2, 3};
                assertEquals(6, api.sum_in(few, 3));
                assertArrayEquals(new int[] {1, 2, 3}, few);
                assertEquals(0xFFFFFFF0L, api.big_unsigned(), "@Unsigned(32): zero-extended");
                assertEquals(0, api.next_u8(255), "wraps in C's uint8_t");
                assertThrows(IllegalArgumentException.class, () -> api.next_u8(256), "out of an unsigned byte's range");
                assertEquals(5, api.plus(2, 3), "@Symbol");
                assertEquals(new Point(3.0, 4.0), api.point_at(1), "a struct pointer's target, read back");
                assertNull(api.point_at(-1), "a NULL struct pointer is null");
                assertEquals(4, api.magic_or_fail(0).byteSize());
                assertEquals(2, assertThrows(dev.dynload.bind.ErrnoException.class, () -> api.magic_or_fail(1)).errno(),
                        "@Errno: NULL is failure");
                assertEquals(22, assertThrows(dev.dynload.bind.ErrnoException.class, () -> api.magic_or_fail(2)).errno(),
                        "(void *) -1 too, never read");
                assertEquals(Level.HIGH, api.next_level(Level.LOW), "a CEnum by its value");
                assertThrows(IllegalStateException.class, () -> api.next_level(Level.HIGH), "30 stands for no level");
                assertEquals(Color.RED, api.next_color(Color.BLUE), "an enum by its ordinal");
                assertThrows(NullPointerException.class, () -> api.next_color(null));
            }
        }
    }

    @Test
    void whatCannotCrossIsRefusedByNameAndNothingIsIgnored() {
        try (IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED)) {
            BindingException e = assertThrows(BindingException.class, () -> lib.bind(Refused.class));
            String m = e.getMessage();
            assertTrue(m.contains("add: the method: @Critical: a call into another process"), m);
            assertTrue(m.contains("sum_in: parameter 0: @Heap: the Java heap array itself"), m);
            assertTrue(m.contains("length_of: the method: @Variadic"), m);
            assertTrue(m.contains("squares: the result: a pointer is an address in the library's process"), m);
            assertTrue(m.contains("counted_by_nothing: the result: @Count(3) must name a parameter"), m);
            assertTrue(m.contains("missing: symbol \"no_such_function\" not found"), m);
            assertTrue(m.contains("sized_nothing: the result: @Size(0) gives no bytes"), m);
        }
    }
}
