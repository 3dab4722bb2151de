package dev.dynload.internal;

import dev.dynload.LoadOption;
import dev.dynload.OperatingSystem;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The operating system's dynamic loader, as dynload's one safe facade needs it. One implementation per
 * platform family, chosen in {@link #current()} and nowhere else.
 *
 * <p>Handles are raw addresses; the caller ({@code dev.dynload.Library}) owns their lifetime.
 */
public sealed interface NativeLoader permits PosixLoader, UnsupportedLoader {

    /** {@return the loader for the platform this JVM runs on} */
    static NativeLoader current() {
        return Holder.CURRENT;
    }

    /**
     * What an open call gave: a handle, or the loader's own error message.
     *
     * @param handle the handle, {@link MemorySegment#NULL} on failure
     * @param error the loader's message on failure, else {@code null}
     */
    record Opened(MemorySegment handle, String error) {
        /** {@return whether the library loaded} */
        public boolean ok() {
            return handle.address() != 0;
        }
    }

    /** {@return the platform family this loader serves} */
    OperatingSystem os();

    /**
     * Loads a file, or gives the running process itself.
     *
     * @param file an absolute path, a bare file name for the system's own search, or {@code null} for the
     *             running process
     * @param flags the flags; never both of a pair
     * @return the handle or the loader's error
     */
    Opened open(String file, Set<LoadOption.Flag> flags);

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
     * @param handle a live handle, never used again
     * @return the loader's error message, if unloading failed
     */
    Optional<String> close(MemorySegment handle);

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

    /** {@return how the system loader searches, in words, for error messages} */
    String systemSearchDescription();

    /** Chooses once, on first use. */
    final class Holder {
        static final NativeLoader CURRENT = choose(OperatingSystem.current());

        // An if chain, not a switch: a switch on an enum costs a class of its own to load.
        private static NativeLoader choose(OperatingSystem os) {
            if (os == OperatingSystem.LINUX) {
                return new PosixLoader(PosixLoader.Flags.GLIBC);
            }
            if (os == OperatingSystem.MACOS) {
                return new PosixLoader(PosixLoader.Flags.DARWIN);
            }
            return new UnsupportedLoader(OperatingSystem.WINDOWS,
                    "dynload has no Windows backend yet (LoadLibraryW/GetProcAddress); on Windows use "
                            + "java.lang.foreign.SymbolLookup.libraryLookup directly");
        }

        private Holder() {
        }
    }
}
