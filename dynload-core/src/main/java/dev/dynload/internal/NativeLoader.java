package dev.dynload.internal;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The operating system's dynamic loader, as dynload's one safe facade needs it: the platform boundary.
 * Everything that depends on the OS, its loader or its files sits behind it: the loader calls, the
 * search rules and the loader's messages ({@link #conventions()}), opening files without blocking, sealed
 * memory copies, the child-process trial, the checks before a first load. One backend per platform, each
 * a few final classes in a package of its own ({@code internal.linux}, {@code internal.macos},
 * {@code internal.windows}, sharing {@code internal.posix}), chosen in {@link Holder} and nowhere else.
 *
 * <p>Handles are raw addresses; the caller ({@code dev.dynload.Library}) owns their lifetime.
 */
public interface NativeLoader {

    /** {@return the loader for the platform this JVM runs on} */
    static NativeLoader current() {
        return Holder.CURRENT;
    }

    /**
     * What a load gave: a handle, or the loader's own error message.
     *
     * @param handle the handle, {@link MemorySegment#NULL} on failure
     * @param error the loader's message on failure, else {@code null}
     * @param pin what the backend keeps for the loaded file until {@link #close(Opened)}, or {@code null}
     */
    record Opened(MemorySegment handle, @Nullable String error, @Nullable Object pin) {
        /** {@return whether the library loaded} */
        public boolean ok() {
            return handle.address() != 0;
        }
    }

    /** {@return what this platform's library names, loader messages and files are like} */
    Conventions conventions();

    /**
     * Opens a file to check and load it, without blocking: a FIFO or a device opens and is then seen to
     * be one.
     *
     * @param file the file; a relative path is taken from the working directory
     * @return the open file, to be loaded or closed by the caller
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws java.nio.file.AccessDeniedException if this process may not read it
     * @throws IOException if it cannot be opened for another reason, which the exception gives
     */
    OpenFile openFile(Path file) throws IOException;

    /**
     * Writes {@code content} into private memory sealed against writes, so that nobody can change what is
     * checked and loaded: a private copy of a file, or a library shipped inside a jar.
     *
     * @param file the path it stands for, in messages and as its {@link OpenFile#file()}
     * @param content the bytes, read to their end; the caller closes it
     * @return the sealed memory file, to be loaded or closed by the caller
     * @throws IOException if the memory file cannot be made, written or sealed
     * @throws UnsupportedOperationException on a platform without sealed memory files
     */
    OpenFile memoryFile(Path file, java.io.InputStream content) throws IOException;

    /**
     * Loads an open file. If the process has the same file (device and inode) loaded already, its object
     * is returned and nothing is checked; otherwise {@code checkIfNew} runs first, and may throw to stop
     * the load. It answers whether the loader must be given the file's path rather than the open file:
     * a library whose {@code $ORIGIN} dependency has no {@code SONAME} can only find it from its own
     * folder. The file stays the caller's to read and close; the loader keeps what it needs.
     *
     * @param file the file, opened by {@link #openFile}
     * @param flags how to load it
     * @param checkIfNew what to do before the loader sees a file it has not loaded yet; true to load by path
     * @return the handle or the loader's error
     */
    Opened load(OpenFile file, LoadFlags flags, java.util.function.BooleanSupplier checkIfNew);

    /**
     * What loading a library in a child process came to.
     *
     * @param outcome how the child ended
     * @param status its exit status, or the signal that ended it
     * @param output what the child printed (the loader's complaints, the library's own output), cut short
     * @param nanos how long the trial took
     */
    record Trial(Outcome outcome, int status, String output, long nanos) {
        /** How a child that loaded a library ended. */
        public enum Outcome {
            /** It loaded the library and went on. */
            LOADED,
            /** Its loader refused the library with a message, as dlopen would: no crash. */
            REFUSED,
            /** It exited while loading (status in {@code status}): the library's code exited. */
            EXITED,
            /** A signal ended it (number in {@code status}): a crash or an abort. */
            SIGNALLED,
            /** It did not finish within the time limit and was killed. */
            TIMED_OUT
        }
    }

    /**
     * Loads a library in a short-lived child process first: the same open file, its initializers and its
     * dependencies, with a time limit; this process loads nothing.
     *
     * @param file the open file
     * @param now whether every symbol is bound at once ({@code RTLD_NOW})
     * @param limit how long the child may take
     * @param libraryPath folders where the child finds what the library's {@code $ORIGIN} would find
     * @return how the child ended
     * @throws UnsupportedOperationException on a platform where this is not available
     */
    Trial tryInChild(OpenFile file, boolean now, java.time.Duration limit, List<Path> libraryPath);

    /** {@return the running process itself, as a handle whose lookups see its global symbols} */
    Opened openProcess();

    /**
     * A library the process has loaded already, found by the file name the loader knows it by (its
     * {@code SONAME}, such as {@code libjvm.so}); loads nothing.
     *
     * @param fileName a file name without folder
     * @return the handle, or a failed result when no such library is loaded
     */
    Opened loadedByName(String fileName);

    /**
     * Looks a symbol up.
     *
     * @param handle a live handle, as a segment whose scope the caller keeps alive
     * @param symbol the symbol's name
     * @return its address, or {@link MemorySegment#NULL} when the library does not export it
     */
    MemorySegment find(MemorySegment handle, String symbol);

    /**
     * Unloads.
     *
     * @param opened what a load gave; never used again
     * @return the loader's error message, if unloading failed
     */
    Optional<String> close(Opened opened);

    /**
     * The file a handle was loaded from, as the loader resolved it.
     *
     * @param handle a live handle
     * @return the path, when the platform can tell
     */
    Optional<Path> pathOf(MemorySegment handle);

    /**
     * Folders the system loader searches by default, for finding a versioned file ({@code libz.so.1})
     * that the loader's own search cannot find under its unversioned name.
     *
     * @return the folders, in the loader's order
     */
    List<Path> systemFolders();

    /**
     * The library that asks for another by name: its folder (for {@code $ORIGIN}) and its run paths.
     *
     * @param origin the folder of the requesting library
     * @param rpath its {@code DT_RPATH} entries, unexpanded
     * @param runPath its {@code DT_RUNPATH} entries, unexpanded
     */
    record Requester(Path origin, List<String> rpath, List<String> runPath) {
    }

    /**
     * Where the system loader would look for a file name.
     *
     * @param candidates the files it would try, in its order
     * @param places the folders and indexes searched, in words, for messages
     * @param throughOrigin the candidates found through a run path entry with {@code $ORIGIN}
     */
    record Search(List<Path> candidates, List<String> places, Set<Path> throughOrigin) {
    }

    /**
     * Follows the system loader's search for a library by file name, without the loader: nothing is
     * loaded and no code runs.
     *
     * @param fileName a file name without folder, such as {@code libz.so.1}
     * @param requester the library whose {@code DT_NEEDED} names it, or {@code null} for a library opened
     *                  from Java
     * @return the candidates in the loader's order
     */
    Search search(String fileName, @Nullable Requester requester);

    /**
     * Sets up what the first load needs, on a thread of the caller's choosing: the foreign linker and the
     * backend's downcall handle.
     */
    void warmUp();

    /**
     * Warms up the checks a first load runs (loads their classes, runs them once on a file of the JDK's
     * own), where that helps: on a second processor while the linker is set up ({@code here} false), or
     * on this thread ({@code here} true) for an open that would otherwise wait for the linker. Once per
     * JVM either way; does nothing where the backend has no such checks.
     *
     * @param here whether to run it on the calling thread
     */
    void warmUpChecks(boolean here);

    /** {@return this process's user id, which owns the cache folders; -1 where the platform has none} */
    long userId();

    /**
     * Whether files in {@code folder} cannot be mapped executable: a {@code noexec} mount.
     *
     * @param folder a folder that exists
     * @return true when the platform says so; false when it cannot tell
     */
    boolean forbidsExecution(Path folder);

    /**
     * Whether an I/O error's message says the disk or the quota is full, in the C library's words (the
     * JDK's message is {@code strerror}'s, in the process's locale).
     *
     * @param message the message
     * @return whether it means a full disk
     */
    boolean diskFull(String message);

    /**
     * Chooses the backend once, on first use: one line per platform. By class name, so that this package
     * does not depend on the backends' packages (each of which depends on it): no package cycle. Loading
     * the class runs its initializer, which {@link #register}s its instance, as JDBC drivers register
     * themselves: no reflective call, which would cost a fresh JVM milliseconds.
     */
    final class Holder {
        /** Set by the chosen backend's initializer; no initializer of its own, which would run after it. */
        private static @Nullable NativeLoader registered;
        static final NativeLoader CURRENT = choose(Host.family());

        private static NativeLoader choose(Host.Family family) {
            // An if chain, not a switch: a switch on an enum costs a fresh JVM a class of its own to load.
            String backend = family == Host.Family.LINUX ? "dev.dynload.internal.linux.LinuxLoader"
                    : family == Host.Family.MACOS ? "dev.dynload.internal.macos.MacLoader"
                    : "dev.dynload.internal.windows.WindowsLoader";
            try {
                Class.forName(backend, true, Holder.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
                return new UnsupportedLoader("dynload's " + family + " backend (" + backend + ") cannot start: " + e);
            }
            NativeLoader chosen = registered;
            return chosen != null ? chosen
                    : new UnsupportedLoader("dynload's " + family + " backend (" + backend + ") did not register");
        }

        /**
         * Called once, by the chosen backend's static initializer.
         *
         * @param backend the backend's one instance
         */
        public static void register(NativeLoader backend) {
            registered = backend;
        }

        private Holder() {
        }
    }
}
