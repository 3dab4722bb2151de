package dev.dynload.internal.linux;

/**
 * What an isolated call carries besides its registers and data: the eightbytes it passes on the stack
 * (structs in memory, in order), and, once it returned, the errno it left and a two-eightbyte struct
 * result's second eightbyte.
 */
public final class Frame {
    final long[] stack;
    final int stackCount;
    int errno;
    long second;

    /** A frame passing the first {@code stackCount} eightbytes of {@code stack} on the stack. */
    public Frame(long[] stack, int stackCount) {
        if (stackCount > Channel.STACK_MAX) {
            throw new IllegalArgumentException(stackCount + " eightbytes of stack arguments, more than the "
                    + Channel.STACK_MAX + " a call carries");
        }
        this.stack = stack;
        this.stackCount = stackCount;
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
