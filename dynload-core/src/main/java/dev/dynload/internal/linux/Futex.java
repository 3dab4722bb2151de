package dev.dynload.internal.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Waits and wake-ups on a 32-bit word of memory shared with another process (not FUTEX_PRIVATE). */
final class Futex {

    private Futex() {
    }

    /** Wakes one waiter on the word at {@code address}. */
    static void wake(long address) {
        try (Arena arena = Arena.ofConfined()) {
            long ignored = (long) Syscalls.SYSCALL6.invokeExact(Syscalls.state(arena), Syscalls.SYS_FUTEX, address,
                    (long) Syscalls.FUTEX_WAKE, (long) Integer.MAX_VALUE, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Sleeps while the word at {@code address} holds {@code expected}, at most {@code nanos}; returns at once
     * when it holds something else. A wake-up, a signal or the time limit all return: the caller checks the
     * word again.
     */
    static void await(long address, int expected, long nanos) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timeout = arena.allocate(16);
            timeout.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, nanos / 1_000_000_000L);
            timeout.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, nanos % 1_000_000_000L);
            long ignored = (long) Syscalls.SYSCALL6.invokeExact(Syscalls.state(arena), Syscalls.SYS_FUTEX, address,
                    (long) Syscalls.FUTEX_WAIT, (long) expected, timeout.address(), 0L, 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
