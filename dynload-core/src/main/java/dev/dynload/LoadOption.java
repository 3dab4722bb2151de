package dev.dynload;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How {@link Library#open(Path, LoadOption...)} loads a library: the loader's binding and visibility
 * flags, and where to look for a library given by name.
 *
 * <p>In C the flags are OR-ed ints; here they are typed values:
 *
 * {@snippet lang=c :
 * void *h = dlopen("libz.so.1", RTLD_NOW | RTLD_GLOBAL);
 * }
 * {@snippet :
 * Library z = Library.open("libz.so.1", LoadOption.NOW, LoadOption.GLOBAL);
 * Library mine = Library.open("test", LoadOption.searchPath(Path.of("build/native")));
 * }
 *
 * <p>Without options a library is opened {@link #NOW} and {@link #LOCAL}: every missing function is
 * reported when the library opens rather than at the first call, and its symbols do not leak into the
 * process's global scope. Giving both {@code LAZY} and {@code NOW}, or both {@code LOCAL} and
 * {@code GLOBAL}, is an {@link IllegalArgumentException}.
 *
 * <h2>Platform-specific behaviour</h2>
 * The flags are POSIX {@code dlopen} flags; {@link #NODELETE} is a glibc and macOS extension.
 */
public sealed interface LoadOption permits LoadOption.Flag, LoadOption.SearchPath {

    /** Resolve functions at their first call ({@code RTLD_LAZY}). */
    Flag LAZY = Flag.LAZY;
    /** Resolve every function when the library opens ({@code RTLD_NOW}); the default. */
    Flag NOW = Flag.NOW;
    /** Keep the library's symbols out of the global scope ({@code RTLD_LOCAL}); the default. */
    Flag LOCAL = Flag.LOCAL;
    /** Make the library's symbols available to libraries opened later ({@code RTLD_GLOBAL}). */
    Flag GLOBAL = Flag.GLOBAL;
    /** Never unload the library from the process, even after {@link Library#close()} ({@code RTLD_NODELETE}). */
    Flag NODELETE = Flag.NODELETE;

    /**
     * Folders to search first when a library is opened by name, before {@code java.library.path} and the
     * system loader's own search.
     *
     * @param folders the folders, searched in the order given
     * @return the option
     */
    static SearchPath searchPath(Path... folders) {
        return new SearchPath(List.of(folders));
    }

    /** A {@code dlopen} flag. */
    enum Flag implements LoadOption {
        /** See {@link LoadOption#LAZY}. */
        LAZY,
        /** See {@link LoadOption#NOW}. */
        NOW,
        /** See {@link LoadOption#LOCAL}. */
        LOCAL,
        /** See {@link LoadOption#GLOBAL}. */
        GLOBAL,
        /** See {@link LoadOption#NODELETE}. */
        NODELETE
    }

    /**
     * Folders searched first for a library opened by name; ignored when a library is opened by path.
     *
     * @param folders the folders, in search order
     */
    record SearchPath(List<Path> folders) implements LoadOption {
        /** Copies the list and rejects null folders. */
        public SearchPath {
            folders = List.copyOf(folders);
            folders.forEach(Objects::requireNonNull);
        }
    }
}
