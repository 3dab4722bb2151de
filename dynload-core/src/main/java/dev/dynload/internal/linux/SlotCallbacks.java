package dev.dynload.internal.linux;

import java.lang.foreign.MemorySegment;

import org.jspecify.annotations.Nullable;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Answers what the runner asks of the host in a slot: a call's Java callback or a dependency's function
 * (state CALLBACK, on the thread waiting for that call), or a kept callback a thread of the library's
 * asked for (state UPCALL, on the upcall thread). S_CALLBACK says which: a callback's argument position,
 * 0x100 + a remote trampoline's number, or 0x200 + a kept callback's. Whatever the handler does, the
 * runner's thread goes on.
 */
final class SlotCallbacks {

    private SlotCallbacks() {
    }

    /** Answers a CALLBACK: the call's own {@code handler}, or {@code remote} or {@code kept} by number. */
    static void answer(MemorySegment slot, @Nullable CallbackHandler handler, @Nullable CallbackHandler remote,
                       @Nullable CallbackHandler kept, MemorySegment bulk) {
        int position = slot.get(JAVA_INT, Channel.S_CALLBACK);
        boolean strings = false;
        if (position >= 0x200) { // a kept callback, called during a call of this slot
            handler = kept;
            position -= 0x200;
        } else if (position >= 0x100) { // a remote trampoline: a dependency's function in another process or the JVM
            handler = remote;
            position -= 0x100;
            strings = true; // its str arguments and result cross through the slot's bulk area
        }
        long[] ints = registers(slot, Channel.S_INT_ARGS);
        long[] floats = registers(slot, Channel.S_FLOAT_ARGS);
        long result = 0;
        try {
            result = handler == null ? 0 : strings ? handler.call(position, ints, floats, bulk)
                    : handler.call(position, ints, floats);
        } finally {
            slot.set(JAVA_LONG, Channel.S_RESULT, result);
            if (Channel.INT.compareAndSet(slot, Channel.S_STATE, Channel.CALLBACK, Channel.CALLBACK_DONE)
                    && Channel.flag(slot, Channel.S_RUNNER_SLEEPS)) {
                Futex.wake(slot.address() + Channel.S_STATE);
            }
        }
    }

    /**
     * Answers an UPCALL: kept callback S_CALLBACK - 0x200, with the registers the library's thread left.
     * Whatever the callback throws, even an {@code Error}, goes to this thread's uncaught-exception handler
     * and the library's thread gets 0. {@code done} runs just before the answer is handed back, when no
     * one may take this UPCALL again.
     */
    static void upcall(MemorySegment slot, @Nullable CallbackHandler kept, Runnable done) {
        int position = slot.get(JAVA_INT, Channel.S_CALLBACK) - 0x200;
        long[] ints = registers(slot, Channel.S_INT_ARGS);
        long[] floats = registers(slot, Channel.S_FLOAT_ARGS);
        long result = 0;
        try {
            result = kept == null || position < 0 ? 0 : kept.call(position, ints, floats);
        } catch (Throwable t) {
            Thread current = Thread.currentThread();
            current.getUncaughtExceptionHandler().uncaughtException(current, t);
        } finally {
            slot.set(JAVA_LONG, Channel.S_RESULT, result);
            done.run(); // before UPCALL_DONE: the slot's next UPCALL can only come after it
            if (Channel.INT.compareAndSet(slot, Channel.S_STATE, Channel.UPCALL, Channel.UPCALL_DONE)) {
                Futex.wake(slot.address() + Channel.S_STATE); // its thread may sleep on the state word
            }
        }
    }

    private static long[] registers(MemorySegment slot, long at) {
        long[] values = new long[6];
        for (int i = 0; i < 6; i++) {
            values[i] = slot.get(JAVA_LONG, at + 8L * i);
        }
        return values;
    }
}
