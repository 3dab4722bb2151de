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
