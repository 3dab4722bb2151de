package dev.dynload.internal.bind;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * A thread's scratch buffer for the native copies of call arguments, used as a stack: a call notes
 * the top, allocates above it, and puts the top back when it returns or throws. A call made from inside
 * another (through a callback) stacks above the outer call's memory and never overwrites it.
 */
final class Scratch implements SegmentAllocator {

    static final long BYTES = 16 * 1024;
    private static final ThreadLocal<Scratch> CURRENT = ThreadLocal.withInitial(Scratch::new);

    final MemorySegment buffer = Arena.ofAuto().allocate(BYTES, 16);
    long top;

    /*
     * Arrays to copy back when the call that copied them returns: the Java array's heap segment and its
     * native copy, as a stack. A call's mark holds the stack's depth beside the top (see mark()), so that
     * a call made from a callback copies back only its own arrays.
     */
    private MemorySegment[] javaSide = new MemorySegment[4];
    private MemorySegment[] nativeSide = new MemorySegment[4];
    private int pending;

    /** {@return the top and the copy-back depth, in one long: the depth in the high half} */
    long mark() {
        return top | ((long) pending << 32);
    }

    /** Copies back the arrays noted since {@code mark}, newest first, then puts the top back. */
    void reset(long mark) {
        int depth = (int) (mark >>> 32);
        while (pending > depth) {
            pending--;
            javaSide[pending].copyFrom(nativeSide[pending]);
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
        MemorySegment s = tryAllocate(size, alignment);
        return s != null ? s : Arena.ofAuto().allocate(size, alignment);
    }

    /** {@return {@code size} bytes at {@code alignment} above the top, or null when they do not fit} */
    MemorySegment tryAllocate(long size, long alignment) {
        long start = (top + alignment - 1) & -alignment;
        if (start + size > BYTES || size < 0) {
            return null;
        }
        top = start + size;
        return buffer.asSlice(start, size);
    }
}
