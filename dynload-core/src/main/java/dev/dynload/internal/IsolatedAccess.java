package dev.dynload.internal;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * What {@code dev.dynload.IsolatedLibrary} offers dynload's plugin host and no one else: a runner process
 * for a group of plugins, their lifecycle steps, and calls planned per method. Set once by
 * {@code IsolatedLibrary}'s initialiser, as the JDK shares its internals between its own packages. The
 * process's type is a parameter, so that this package does not depend on the facade's.
 *
 * @param <P> {@code IsolatedLibrary}
 * @param <S> {@code Sandbox}
 */
public interface IsolatedAccess<P extends AutoCloseable, S> {

    /** One method's call, planned at bind (which registers take what, what comes back). */
    interface Planned {
        /** {@return the same call, of the function at {@code index} of the runner's table} */
        Planned at(int index);
    }

    /** Where the plugins' log messages go: a plugin's index in the group, a dlp_host level, the message. */
    interface PluginLog {
        /** Takes one message, on the runner's log thread, in the order the plugins wrote them. */
        void log(int plugin, int level, String message);
    }

    /**
     * A step's answer: its status or value, the runner's error (0 none, 3 refused, with why in
     * {@code text}), and the bytes it left.
     */
    record Step(long result, int error, String text, byte[] data) {
    }

    /**
     * A plugin's library: a file, or the bundle {@code bundle} in {@code loader}'s jars (then {@code file}
     * is what messages call it); with {@code sealed}, a file is copied into sealed memory first, so that
     * the bytes the host hashes are the bytes the runner loads (a pinned plugin).
     */
    record Source(Path file, @Nullable String bundle, @Nullable ClassLoader loader, boolean sealed) {
    }

    /**
     * Opens and checks each file as {@code IsolatedLibrary.open} does (a bundle: its library read into a
     * sealed memory file and checked against the bundle's SHA-256 first), asks {@code vet} about each
     * (given the descriptor's readable path, it answers null or why the file is refused), and starts one
     * runner that loads them all as plugins, limited and confined by {@code sandbox}.
     *
     * @throws dev.dynload.LibraryLoadException naming the file that cannot be opened, is damaged, or is refused
     */
    P startPlugins(String name, List<Source> files, Duration deadline, @Nullable Consumer<String> output,
                                 PluginLog log, Function<Path, @Nullable String> vet, S sandbox);

    /**
     * Runs one step of plugin {@code plugin} (its index in the files given) in the runner.
     *
     * @throws dev.dynload.LibraryCrashedException if the runner ended, or the step passed the deadline
     */
    Step step(P process, int plugin, String name, long[] ints, byte[] data, int length);

    /**
     * {@return the exception a call of {@code function} gets from a runner that has ended already: its
     * signal or exit status}
     */
    RuntimeException ended(P process, String function);

    /** {@return how the runner ended, "signal 11 (SIGSEGV)" or "exit status 42", or "running"} */
    String howEnded(P process);

    /**
     * Runs a default method of a proxy's interface, from dynload's core module, which the interface's
     * package is opened to (as binding in process requires).
     */
    @Nullable Object invokeDefault(Object proxy, Method method, Object @Nullable [] args) throws Throwable;

    /**
     * Where a plugin process's calls to dependencies out of it go: trampoline K, its register arguments,
     * and the calling slot's bulk area, where its {@code str} arguments lie (an integer argument that is
     * one holds the offset of its bytes, -1 for NULL) and where a {@code str} result is written back.
     */
    interface RemoteCalls {
        /** {@return the result's bits} Runs on the thread waiting for the call or step; must not throw. */
        long call(int trampoline, long[] ints, long[] floats, java.lang.foreign.MemorySegment strings);
    }

    /** Sets where {@code process}'s calls to dependencies out of it go. */
    void onRemote(P process, RemoteCalls calls);

    /**
     * Calls function {@code function} of the runner's table with raw register arguments, for a dependency
     * in this process called from another: {@return the result's bits}
     *
     * @throws dev.dynload.LibraryCrashedException if the call got no answer
     */
    long callRaw(P process, int function, String name, boolean floatResult, long[] ints, long[] floats);

    /**
     * As {@link #callRaw}, with {@code str} arguments: integer argument k, where bit k of {@code textMask}
     * is set, is {@code texts[k]} (null for NULL), copied into the call's slot; and, with
     * {@code textResult}, a {@code str} result. {@return the result's bits as a Long, or the String}
     *
     * @throws dev.dynload.LibraryCrashedException if the call got no answer
     */
    @Nullable Object callRawWithTexts(P process, int function, String name, boolean floatResult, boolean textResult,
                                      long[] ints, long[] floats, int textMask, @Nullable String[] texts);

    /** {@return the bytes one step or call carries in the shared memory} */
    int dataSize();

    /** {@return the call of {@code m}, or null with its problems added (what cannot cross to another process)} */
    @Nullable Planned plan(Method m, List<String> problems);

    /**
     * Makes a planned call in the runner.
     *
     * @throws dev.dynload.LibraryCrashedException if the call got no answer
     */
    @Nullable Object invoke(P process, Planned call, Object @Nullable [] args);

    /**
     * {@return the access, set by IsolatedLibrary's initialiser}
     *
     * @param process {@code IsolatedLibrary.class}
     * @param sandbox {@code Sandbox.class}
     */
    @SuppressWarnings("unchecked")
    static <P extends AutoCloseable, S> IsolatedAccess<P, S> get(Class<P> process, Class<S> sandbox) {
        try {
            Class.forName(process.getName(), true, process.getClassLoader()); // runs its initialiser, once
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
        IsolatedAccess<?, ?> a = Holder.access;
        if (a == null || !process.getName().equals("dev.dynload.IsolatedLibrary")) {
            throw new IllegalStateException(process.getName() + " gives no isolated access");
        }
        return (IsolatedAccess<P, S>) a;
    }

    /** Installs the access; IsolatedLibrary only, once. */
    static void set(IsolatedAccess<?, ?> access) {
        Holder.access = access;
    }

    /** Where the access lives. */
    final class Holder {
        private static volatile @Nullable IsolatedAccess<?, ?> access;

        private Holder() {
        }
    }
}
