package dev.dynload.internal.posix;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs loader calls whose error state lives in the OS thread ({@code dlerror}) on one OS thread from
 * start to end.
 *
 * <p>A platform thread is its own OS thread, so its calls run in place. A virtual thread may be moved
 * to another carrier between two downcalls and would then read another carrier's {@code dlerror}; its
 * calls are handed to a platform thread instead. Opening and closing libraries is rare enough that the
 * hand-off costs nothing that matters; symbol lookups never go through here.
 */
public final class OsThread {

    /** A piece of loader work that may throw anything a downcall throws. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws Throwable;
    }

    /** Made on first use by a virtual thread: a program of platform threads never starts it. */
    private static final class Platform {
        static final ExecutorService POOL = Executors.newCachedThreadPool(
                Thread.ofPlatform().daemon().name("dynload-loader-", 0).factory());
    }

    private OsThread() {
    }

    public static <T> T call(Work<T> work) {
        if (!Thread.currentThread().isVirtual()) {
            return runHere(work);
        }
        Future<T> result = Platform.POOL.submit(() -> runHere(work));
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    // The loader call cannot be abandoned half-way: wait for it, then restore the flag.
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw Dlfcn.rethrow(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static <T> T runHere(Work<T> work) {
        try {
            return work.run();
        } catch (Throwable t) {
            throw Dlfcn.rethrow(t);
        }
    }
}
