package dev.dynload;

import dev.dynload.internal.linux.CallbackHandler;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

/**
 * The Java callbacks an isolated library keeps past their call: those of a method with an {@code Arena}
 * parameter, as in process, valid while that arena is open. Each gets a number, and the runner a
 * trampoline of that number, which the library may call during a later call (back on that call's slot)
 * or from a thread of its own (an UPCALL, answered on the host's upcall thread). Once the arena is
 * closed, a call of it returns 0 and says so on the library's output, once; its number is then free.
 * An exception does not unwind through C: the callback returns 0, and the exception goes to the calling
 * thread's uncaught-exception handler, since no bound method is there to throw it from.
 */
final class KeptCallbacks implements CallbackHandler {

    /** The runner's kept trampolines (KEPT_MAX in runner.h). */
    static final int MAX = 64;

    private record Kept(Object target, Method method, MemorySegment.Scope scope) {
    }

    private final String library;
    private final Kept[] kept = new Kept[MAX];
    private final java.util.function.Consumer<String> say;
    private boolean saidClosed;

    KeptCallbacks(String library, java.util.function.Consumer<String> say) {
        this.library = library;
        this.say = say;
    }

    /**
     * Keeps callback {@code target} of type {@code t} while {@code arena} is open; {@return its number}
     *
     * @throws IllegalStateException if 64 kept callbacks are alive already
     */
    synchronized int keep(Class<?> t, Object target, Arena arena) {
        for (int k = 0; k < MAX; k++) {
            if (kept[k] == null || !kept[k].scope().isAlive()) {
                kept[k] = new Kept(target, Callbacks.method(t), arena.scope());
                return k;
            }
        }
        throw new IllegalStateException(library + ": " + MAX + " callbacks are kept already, each while its arena "
                + "is open; close the arenas of those no longer needed");
    }

    @Override
    public long call(int number, long[] ints, long[] floats) {
        Kept k;
        synchronized (this) {
            k = number >= 0 && number < MAX ? kept[number] : null;
            if (k != null && !k.scope().isAlive()) {
                kept[number] = null;
                k = null;
            }
            if (k == null) {
                if (!saidClosed) {
                    saidClosed = true;
                    say.accept("dynload: " + library + " called a kept callback whose arena was closed; it returned 0");
                }
                return 0;
            }
        }
        try { // never under the lock: the callback may keep another, or call the library again
            return Callbacks.invoke(k.method(), k.target(), ints, floats);
        } catch (java.lang.reflect.InvocationTargetException e) {
            uncaught(e.getCause());
        } catch (Exception e) {
            uncaught(e);
        }
        return 0;
    }

    private static void uncaught(@Nullable Throwable t) {
        Thread current = Thread.currentThread();
        if (t != null) {
            current.getUncaughtExceptionHandler().uncaughtException(current, t);
        }
    }
}
