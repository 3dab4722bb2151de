package dev.dynload.internal.bind;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * A thread's scratch buffer for the native copies of call arguments, used as a stack: a call notes
 * the top, allocates above it, and puts the top back when it returns or throws. A call made from inside
 * another (through a callback) stacks above the outer call's memory and never overwrites it.
 */
final class Scratch implements SegmentAllocator {

    static final long BYTES = 16 * 1024;
    private static final ThreadLocal<Scratch> CURRENT = ThreadLocal.withInitial(Scratch::new);

    private final MemorySegment buffer = Arena.ofAuto().allocate(BYTES, 16);
    private long top;

    /*
     * Arrays to copy back when the call that copied them returns: the Java array's heap segment and its
     * native copy, as a stack. A call's mark holds the stack's depth beside the top (see mark()), so that
     * a call made from a callback copies back only its own arrays.
     */
    private @Nullable MemorySegment[] javaSide = new MemorySegment[4];
    private @Nullable MemorySegment[] nativeSide = new MemorySegment[4];
    private int pending;

    /** {@return the top and the copy-back depth, in one long: the depth in the high half} */
    long mark() {
        return top | ((long) pending << 32);
    }

    /** Puts the top back to {@code mark}, with nothing to copy back (the call plan copies back itself). */
    void reset(long mark) {
        reset(mark, false);
    }

    /**
     * Copies back the arrays noted since {@code mark}, newest first, if the call returned, then puts the
     * top back.
     */
    void reset(long mark, boolean copyBack) {
        int depth = (int) (mark >>> 32);
        while (pending > depth) {
            pending--;
            if (copyBack) {
                javaSide[pending].copyFrom(nativeSide[pending]);
            }
            javaSide[pending] = null;
            nativeSide[pending] = null;
        }
        top = mark & 0xffff_ffffL;
    }

    /** Notes that {@code copy} goes back into {@code array} when the current call returns. */
    void copyBackLater(MemorySegment array, MemorySegment copy) {
        if (pending == javaSide.length) {
            javaSide = java.util.Arrays.copyOf(javaSide, pending * 2);
            nativeSide = java.util.Arrays.copyOf(nativeSide, pending * 2);
        }
        javaSide[pending] = array;
        nativeSide[pending] = copy;
        pending++;
    }

    static Scratch current() {
        return CURRENT.get();
    }

    /** Memory above the top, or of its own (freed by the garbage collector) when it does not fit. */
    @Override
    public MemorySegment allocate(long size, long alignment) {
        long start = (top + alignment - 1) & -alignment;
        if (start + size > BYTES || size < 0) {
            return Arena.ofAuto().allocate(size, alignment);
        }
        top = start + size;
        return buffer.asSlice(start, size);
    }

    /**
     * Copies a string above the top as UTF-8 with its NUL: ASCII, the common case, char by char with no
     * {@code byte[]} in between.
     *
     * @throws IllegalArgumentException if the string holds a NUL, which would cut it short in C
     */
    MemorySegment copy(String s) {
        int length = s.length();
        if (length < 256 && top + length + 1 <= BYTES) {
            MemorySegment target = buffer.asSlice(top, length + 1);
            int i = 0;
            for (; i < length; i++) {
                char c = s.charAt(i);
                if (c >= 0x80 || c == 0) {
                    break;
                }
                target.set(ValueLayout.JAVA_BYTE, i, (byte) c);
            }
            if (i == length) {
                target.set(ValueLayout.JAVA_BYTE, length, (byte) 0);
                top += (length + 8) & ~7L;
                return target;
            }
        }
        int nul = s.indexOf('\0');
        if (nul >= 0) {
            throw new IllegalArgumentException("the String " + Describe.quote(s) + " holds a NUL at index " + nul
                    + ", where C would end it; pass the bytes as a byte[] with their length instead");
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        MemorySegment target = allocate(bytes.length + 1L, 1);
        MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, 0, bytes.length);
        target.set(ValueLayout.JAVA_BYTE, bytes.length, (byte) 0);
        return target;
    }
}
