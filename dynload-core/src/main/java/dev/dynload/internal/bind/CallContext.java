package dev.dynload.internal.bind;

import java.lang.foreign.Arena;

/**
 * What one call through a binding needs beyond its arguments: an arena for the native copies of its
 * arguments, the arena that keeps its callbacks alive, and an exception a callback threw, to be
 * rethrown once the native function has returned.
 */
final class CallContext implements AutoCloseable {

    private final Arena lifetime;
    private Arena temporary;
    private Throwable pending;
    private boolean returned;

    /** @param lifetime the caller's arena for callbacks, or null to make them live for this call */
    CallContext(Arena lifetime) {
        this.lifetime = lifetime;
    }

    /** {@return a confined arena that lives until the call returns} */
    Arena arena() {
        if (temporary == null) {
            temporary = Arena.ofConfined();
        }
        return temporary;
    }

    /** {@return the arena callbacks are allocated in} */
    Arena callbackArena() {
        return lifetime != null ? lifetime : arena();
    }

    /** {@return whether callbacks outlive the call} */
    boolean callbacksOutliveCall() {
        return lifetime != null;
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
        if (temporary != null) {
            temporary.close();
        }
    }
}
