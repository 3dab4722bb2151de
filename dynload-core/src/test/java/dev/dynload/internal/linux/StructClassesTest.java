package dev.dynload.internal.linux;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static dev.dynload.internal.linux.StructClasses.INTEGER;
import static dev.dynload.internal.linux.StructClasses.SSE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The x86-64 System V classes of struct layouts; IsolatedStructTest checks them against real calls. */
class StructClassesTest {

    @Test
    void eachEightbyteIsIntegerIfAnyIntegerSharesItElseSse() {
        assertArrayEquals(new int[] {INTEGER}, StructClasses.of(MemoryLayout.structLayout(JAVA_INT, JAVA_INT)));
        assertArrayEquals(new int[] {SSE}, StructClasses.of(MemoryLayout.structLayout(JAVA_FLOAT, JAVA_FLOAT)));
        assertArrayEquals(new int[] {INTEGER}, StructClasses.of(MemoryLayout.structLayout(JAVA_INT, JAVA_FLOAT)),
                "an int and a float in one eightbyte");
        assertArrayEquals(new int[] {SSE, INTEGER}, StructClasses.of(MemoryLayout.structLayout(JAVA_DOUBLE, JAVA_INT,
                MemoryLayout.paddingLayout(4))));
        assertArrayEquals(new int[] {SSE, SSE},
                StructClasses.of(MemoryLayout.structLayout(JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, MemoryLayout.paddingLayout(4))));
        assertArrayEquals(new int[] {INTEGER}, StructClasses.of(MemoryLayout.unionLayout(JAVA_LONG, JAVA_DOUBLE)),
                "a union of a long and a double");
        assertArrayEquals(new int[] {INTEGER, INTEGER}, StructClasses.of(MemoryLayout.sequenceLayout(12, JAVA_BYTE)));
        assertArrayEquals(new int[] {SSE, SSE}, StructClasses.of(MemoryLayout.sequenceLayout(2, JAVA_DOUBLE)));
    }

    @Test
    void largerThanSixteenBytesOrUnalignedIsMemory() {
        assertNull(StructClasses.of(MemoryLayout.structLayout(JAVA_LONG, JAVA_LONG, JAVA_LONG)));
        assertNull(StructClasses.of(MemoryLayout.structLayout(JAVA_BYTE, JAVA_INT.withByteAlignment(1))),
                "a packed struct's int off its alignment");
    }

    @Test
    void resultKindsNameTheRegistersInOrder() {
        assertEquals(1, StructClasses.returnKind(new int[] {INTEGER}));
        assertEquals(2, StructClasses.returnKind(new int[] {SSE}));
        assertEquals(5, StructClasses.returnKind(new int[] {INTEGER, INTEGER}));
        assertEquals(6, StructClasses.returnKind(new int[] {SSE, SSE}));
        assertEquals(7, StructClasses.returnKind(new int[] {INTEGER, SSE}));
        assertEquals(8, StructClasses.returnKind(new int[] {SSE, INTEGER}));
    }
}
