package dev.dynload.internal.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jspecify.annotations.Nullable;

/**
 * What an isolated call carries besides its registers and data: the eightbytes it passes on the stack
 * (structs in memory, in order), what to copy back from a pointer it returns ({@code @Count},
 * {@code @Size}) and what frees a string it returns ({@code @FreeWith}); and, once it returned, the
 * errno it left, a two-eightbyte struct result's second eightbyte and the bytes copied back.
 */
public final class Frame {
    final long[] stack;
    final int stackCount;
    /** For results 9 and 10: the bytes or strings to copy from the returned pointer; -1 for none. */
    long copy = -1;
    int copyAt;
    int freeWith;
    int kept;
    int errno;
    long second;
    byte @Nullable [] copied;

    /** A frame passing the first {@code stackCount} eightbytes of {@code stack} on the stack. */
    public Frame(long[] stack, int stackCount) {
        if (stackCount > Channel.STACK_MAX) {
            throw new IllegalArgumentException(stackCount + " eightbytes of stack arguments, more than the "
                    + Channel.STACK_MAX + " a call carries");
        }
        this.stack = stack;
        this.stackCount = stackCount;
    }

    /**
     * Asks the runner to copy back what the returned pointer points to: {@code count} bytes (result 9) or
     * C strings (result 10), into the slot's bulk area at {@code at}.
     */
    public Frame copyBack(long count, int at) {
        this.copy = count;
        this.copyAt = at;
        return this;
    }

    /**
     * Marks integer argument {@code position} as kept callback number (its value) whose trampoline the
     * runner puts there, returning in the floating-point register when {@code floatResult}.
     */
    public Frame keep(int position, boolean floatResult) {
        kept |= (1 << position) | (floatResult ? 1 << (position + 8) : 0);
        return this;
    }

    /** Asks the runner to free a returned string with the function of table index {@code index}. */
    public Frame freeWith(int index) {
        this.freeWith = index + 1;
        return this;
    }

    /** Keeps the bytes the runner copied back ({@code written} of them at {@code copyAt} of the bulk area). */
    void readCopy(long written, MemorySegment area) {
        // Never trusted past the area: a library that damaged its runner must not make the host throw here,
        // before the slot is released.
        copied = written < 0 || copyAt < 0 || written > area.byteSize() - copyAt ? null
                : area.asSlice(copyAt, written).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * {@return the bytes copied back from the returned pointer; null when they did not fit the bulk area
     * (or the pointer was NULL, which the caller knows from the result)}
     */
    public byte @Nullable [] copied() {
        return copied;
    }

    /** {@return errno as the call left it} */
    public int errno() {
        return errno;
    }

    /** {@return the second eightbyte of a struct the call returned in two registers} */
    public long second() {
        return second;
    }

    /** {@return the most eightbytes one call passes on the stack} */
    public static int stackMax() {
        return Channel.STACK_MAX;
    }
}
