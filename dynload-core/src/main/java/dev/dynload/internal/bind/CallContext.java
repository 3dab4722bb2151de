package dev.dynload.internal.bind;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import org.jspecify.annotations.Nullable;

/**
 * What one call through a binding needs beyond its arguments: memory for the native copies of its
 * arguments (the thread's {@link Scratch} stack), the arena that
 * keeps callbacks the caller wants kept, and an exception a callback threw, to be rethrown once the
 * native function has returned. While the call runs it is the thread's current call, which is where a
 * failing callback leaves its exception.
 */
final class CallContext implements AutoCloseable, SegmentAllocator {

    private static final ThreadLocal<CallContext> ACTIVE = new ThreadLocal<>();

    private final @Nullable Arena lifetime;
    private final Scratch scratch = Scratch.current();
    private final long mark = scratch.mark();
    private final @Nullable CallContext outer = ACTIVE.get();
    private @Nullable Throwable pending;

    /** @param lifetime the caller's arena for callbacks, or null to make them live for this call */
    CallContext(@Nullable Arena lifetime) {
        this.lifetime = lifetime;
        ACTIVE.set(this);
    }

    /** Not zeroed, unlike an arena's: every use writes what it allocates before the call reads it. */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        return scratch.allocate(byteSize, byteAlignment);
    }

    /** {@return the thread's scratch stack, where this call's copies go} */
    Scratch scratch() {
        return scratch;
    }

    /** {@return whether the call running on this thread has a callback's exception waiting} */
    static boolean failing() {
        CallContext call = ACTIVE.get();
        return call != null && call.pending != null;
    }

    /** {@return the arena the caller gave for callbacks that outlive the call, or null} */
    Arena lifetime() {
        return lifetime;
    }

    /**
     * Leaves a callback's exception with the call running on this thread, which rethrows the first
     * one once C has returned. A callback called when no bound call runs on its thread (one that
     * outlived its call, in the caller's arena) has nowhere to rethrow: its exception goes to the
     * thread's uncaught-exception handler.
     */
    static void callbackFailed(Throwable t) {
        CallContext call = ACTIVE.get();
        if (call == null) {
            Thread thread = Thread.currentThread();
            thread.getUncaughtExceptionHandler().uncaughtException(thread, t);
        } else if (call.pending == null) {
            call.pending = t;
        } else if (call.pending != t) {
            call.pending.addSuppressed(t);
        }
    }

    /** {@return what a callback threw during this call, as it was thrown, or null; and forgets it} */
    Throwable takePending() {
        Throwable t = pending;
        pending = null;
        return t;
    }

    @Override
    public void close() {
        scratch.reset(mark);
        if (outer != null) {
            ACTIVE.set(outer);
        } else {
            ACTIVE.remove();
        }
    }
}
