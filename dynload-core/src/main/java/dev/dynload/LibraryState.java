package dev.dynload;

import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.Unloader;
import dev.dynload.internal.bind.Bindings;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One {@link Library}'s life: the loader's handle in a shared arena (so that a call using it keeps the
 * library open), closing it while calls may be running, unloading it once bound calls have returned, and
 * the bound interfaces. docs/lifetimes.md explains the design.
 */
final class LibraryState {

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);

    private final NativeLoader loader;
    private final String name;
    private final Arena arena;
    /** The loader's handle, as a segment of {@link #arena} so that a call using it keeps the library open. */
    private final MemorySegment handle;
    /** What the loader gave, handed back to it by {@link #close()}. */
    private final NativeLoader.Opened opened;
    private final Object closeLock = new Object();
    /**
     * The bound interfaces, made by the first bind; guarded by bindLock, not closeLock: close() holds
     * closeLock while it waits for raw calls in flight, and a callback of one of those may bind.
     */
    private Bindings bindings;
    private final Object bindLock = new Object();
    /** Completed once the loader has unloaded the library (see {@link #whenUnloaded()}). */
    private final CompletableFuture<Void> unloaded = new CompletableFuture<>();

    LibraryState(NativeLoader loader, String name, NativeLoader.Opened opened) {
        this.loader = loader;
        this.name = name;
        this.opened = opened;
        this.arena = Arena.ofShared();
        this.handle = opened.handle().reinterpret(arena, null);
    }

    Arena arena() {
        return arena;
    }

    boolean isOpen() {
        return arena.scope().isAlive();
    }

    MemorySegment liveHandle() {
        if (!arena.scope().isAlive()) {
            throw closed(null);
        }
        return handle;
    }

    IllegalStateException closed(Throwable cause) {
        return new IllegalStateException(name + " is closed; open it again to use it", cause);
    }

    /**
     * A downcall handle that, once the library is closed, names it in the exception: after close() the
     * JDK throws "Already closed", naming nothing.
     */
    MethodHandle explainClosed(MethodHandle bound) {
        MethodHandle explain = MethodHandles.insertArguments(Explain.CLOSED, 0, this)
                .asType(MethodType.methodType(bound.type().returnType(), IllegalStateException.class));
        return MethodHandles.catchException(bound, IllegalStateException.class,
                MethodHandles.dropArguments(explain, 1, bound.type().parameterList()));
    }

    /** Made on the first downcall handle, not on every open. */
    private static final class Explain {
        static final MethodHandle CLOSED;

        static {
            try {
                CLOSED = MethodHandles.lookup().findVirtual(LibraryState.class, "closedOrRethrow",
                        MethodType.methodType(Object.class, IllegalStateException.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /** Rethrows what a downcall threw, or, when the library was closed under it, says so with its name. */
    @SuppressWarnings("unused") // called through Explain.CLOSED
    private Object closedOrRethrow(IllegalStateException e) {
        throw isOpen() ? e : closed(e);
    }

    /** The library's bindings, made by the first bind; checks that the library is open. */
    Bindings bindings(Library library) {
        liveHandle();
        synchronized (bindLock) {
            if (bindings == null) {
                bindings = new Bindings(new LibraryTarget(library));
            } else if (bindings.unlinked()) {
                throw new IllegalStateException(name + " had its interfaces unbound (unbind()); it binds no more");
            }
            return bindings;
        }
    }

    /** See {@link Library#close()}. */
    void close() {
        synchronized (closeLock) {
            if (!arena.scope().isAlive()) {
                return;
            }
            closeArena();
            Bindings bound;
            synchronized (bindLock) {
                bound = bindings;
            }
            if (bound != null) {
                bound.unlink();
                if (!bound.idle()) {
                    Unloader.later(bound::idle, this::unload);
                    return;
                }
            }
            Optional<String> error = unload();
            if (error.isPresent()) {
                throw new IllegalStateException("unloading " + name + " failed: " + error.get());
            }
        }
    }

    /** See {@link Library#unbind()}. */
    CompletionStage<Void> unbind(Library library) {
        Bindings bound;
        synchronized (bindLock) {
            bound = bindings;
            if (bound == null) {
                bindings = bound = new Bindings(new LibraryTarget(library));
            }
        }
        bound.unlink();
        CompletableFuture<Void> returned = new CompletableFuture<>();
        if (bound.idle()) {
            returned.complete(null);
        } else {
            // Relinked meanwhile (relink()): nobody waits for this any more, and the library may stay busy.
            Bindings drained = bound;
            Unloader.later(stacks -> !drained.unlinked() || drained.idle(stacks), () -> {
                returned.complete(null);
                return Optional.empty();
            });
        }
        return returned.minimalCompletionStage();
    }

    /** See {@link Library#relink()}. */
    void relink() {
        synchronized (closeLock) {
            liveHandle(); // a closed library's bindings stay unlinked: its code may be gone
            Bindings bound;
            synchronized (bindLock) {
                bound = bindings;
            }
            if (bound != null) {
                bound.relink();
            }
        }
    }

    /** Hands the library back to the loader, and completes {@link #whenUnloaded()}; returns the loader's error. */
    private Optional<String> unload() {
        Optional<String> error;
        try {
            error = loader.close(opened);
        } catch (RuntimeException e) {
            unloaded.completeExceptionally(e);
            throw e;
        }
        if (error.isPresent()) {
            unloaded.completeExceptionally(new IllegalStateException("unloading " + name + " failed: " + error.get()));
        } else {
            unloaded.complete(null);
        }
        return error;
    }

    CompletionStage<Void> whenUnloaded() {
        return unloaded.minimalCompletionStage();
    }

    private void closeArena() {
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        boolean first = true;
        while (true) {
            try {
                arena.close();
                return;
            } catch (IllegalStateException inUse) {
                if (first && insideCallback()) {
                    // Waiting would be for a call that cannot return before this callback does.
                    throw new IllegalStateException(name + " is in use by a native call that has not returned, and "
                            + "this thread is inside a callback, which that call may have made: close " + name
                            + " after the call returns, not from its callback", inUse);
                }
                first = false;
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(name + " is still in use by a native call that has not returned "
                            + "after " + CLOSE_WAIT.toMillis() + " ms; close it once its calls have returned", inUse);
                }
                Thread.onSpinWait();
                Thread.yield();
            }
        }
    }

    /**
     * Whether this thread is running Java code called back from native code: the JDK's upcall stubs are
     * hidden frames of a class named for them. Looked at only when a close cannot proceed.
     */
    private static boolean insideCallback() {
        return StackWalker.getInstance(StackWalker.Option.SHOW_HIDDEN_FRAMES).walk(frames -> frames.anyMatch(
                f -> f.getClassName().startsWith("jdk.internal.foreign.abi.UpcallStub")));
    }
}
