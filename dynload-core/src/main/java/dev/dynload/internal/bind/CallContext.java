package dev.dynload.internal.bind;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * What one call through a binding needs beyond its arguments: memory for the native copies of its
 * arguments (the thread's {@link Scratch} stack, or an arena when they do not fit), the arena that
 * keeps callbacks the caller wants kept, and an exception a callback threw, to be rethrown once the
 * native function has returned. While the call runs it is the thread's current call, which is where a
 * failing callback leaves its exception.
 */
final class CallContext implements AutoCloseable, SegmentAllocator {

    private static final ThreadLocal<CallContext> ACTIVE = new ThreadLocal<>();

    private final Arena lifetime;
    private final Scratch scratch = Scratch.current();
    private final long mark = scratch.top;
    private final CallContext outer = ACTIVE.get();
    private Arena overflow;
    private Throwable pending;
    private boolean returned;

    /** @param lifetime the caller's arena for callbacks, or null to make them live for this call */
    CallContext(Arena lifetime) {
        this.lifetime = lifetime;
        ACTIVE.set(this);
    }

    /** {@return the call running on this thread, if any} */
    static CallContext active() {
        return ACTIVE.get();
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        // Not zeroed, unlike an arena's: every use writes what it allocates before the call reads it.
        MemorySegment s = scratch.tryAllocate(byteSize, byteAlignment);
        if (s != null) {
            return s;
        }
        if (overflow == null) {
            overflow = Arena.ofConfined();
        }
        return overflow.allocate(byteSize, byteAlignment);
    }

    /** {@return the arena the caller gave for callbacks that outlive the call, or null} */
    Arena lifetime() {
        return lifetime;
    }

    /**
     * Keeps the first exception a callback threw during this call. A callback that outlives its call
     * (it lives in the caller's arena) has no call left to rethrow from; its exception goes to the
     * thread's uncaught-exception handler, and C gets zero.
     */
    void callbackFailed(Throwable t) {
        if (returned) {
            Thread thread = Thread.currentThread();
            thread.getUncaughtExceptionHandler().uncaughtException(thread, t);
        } else if (pending == null) {
            pending = t;
        } else if (pending != t) {
            pending.addSuppressed(t);
        }
    }

    /** Rethrows what a callback threw, as it was thrown. */
    void rethrowPending() throws Throwable {
        if (pending != null) {
            Throwable t = pending;
            pending = null;
            throw t;
        }
    }

    @Override
    public void close() {
        returned = true;
        scratch.top = mark;
        if (outer != null) {
            ACTIVE.set(outer);
        } else {
            ACTIVE.remove();
        }
        if (overflow != null) {
            overflow.close();
        }
    }
}
