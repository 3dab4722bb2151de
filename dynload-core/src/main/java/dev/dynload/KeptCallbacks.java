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
 * or from a thread of its own (an UPCALL, answered on a thread of the host's). Once the arena is closed,
 * a call of it returns 0 and says so, once; its number is then free, and numbers are handed out in turn,
 * so that one freed is taken again as late as can be (a library that calls a callback long after its
 * arena closed may still reach a newer callback of the same number: keep arenas open as long as the
 * library may call). An exception does not unwind through C: the callback returns 0, and the exception
 * goes to the calling thread's uncaught-exception handler, since no bound method is there to throw it.
 */
final class KeptCallbacks implements CallbackHandler {

    /** The runner's kept trampolines (KEPT_MAX in runner.h). */
    static final int MAX = 64;

    /** A kept callback; its arena's scope held weakly, so that an automatic arena can still be collected. */
    private record Kept(Object target, Method method, java.lang.ref.WeakReference<MemorySegment.Scope> scope) {
        boolean alive() {
            MemorySegment.Scope s = scope.get();
            return s != null && s.isAlive();
        }
    }

    private final String library;
    private final Kept[] kept = new Kept[MAX];
    private final java.util.function.Consumer<String> say;
    private boolean saidClosed;
    /** Where the search for a free number starts: after the one taken last. */
    private int next;

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
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException(library + ": the Arena that would keep a callback is closed already");
        }
        for (int n = 0; n < MAX; n++) {
            int k = (next + n) % MAX; // in turn: a number freed is taken again as late as can be
            if (kept[k] == null || !kept[k].alive()) {
                kept[k] = new Kept(target, Callbacks.method(t), new java.lang.ref.WeakReference<>(arena.scope()));
                next = (k + 1) % MAX;
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
            if (k != null && !k.alive()) {
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
        } catch (Throwable e) { // an Error too: the library's thread waits for an answer whatever happens
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
