package dev.dynload;

import java.nio.file.Path;
import java.time.Duration;
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
 * <h2>Untrusted files</h2>
 * Every file is opened once, checked through that open descriptor by {@link dev.dynload.elf.ElfFile#verify}
 * and, on Linux, loaded as that same open file. Two options go further, for files from places that others
 * can write or that nobody vouches for:
 * {@snippet :
 * Library.open(Path.of("/shared/plugins/libx.so"), LoadOption.PRIVATE_COPY);   // load a sealed private copy
 * Library.open(Path.of("downloaded/libx.so"), LoadOption.isolated(Duration.ofSeconds(5)));  // try it in a child first
 * }
 *
 * <h2>Platform-specific behaviour</h2>
 * The flags are POSIX {@code dlopen} flags; {@link #NODELETE} is a glibc and macOS extension.
 * {@link #PRIVATE_COPY}, {@link #sha256} and {@link #isolated} need Linux.
 */
public sealed interface LoadOption permits LoadOption.Flag, LoadOption.SearchPath, LoadOption.Copy,
        LoadOption.Isolation, LoadOption.Pin {

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
     * Copy the file into private memory sealed against writes (on Linux an anonymous memory file with
     * {@code memfd_create} and write seals), then check the copy and load the copy. Nobody can change the
     * bytes between the check and the load, not even by writing into the file in place, which loading the
     * open file alone cannot prevent. For files in folders that other users can write. The copy has no
     * folder of its own: dependencies found through {@code $ORIGIN} are opened from the original's folder,
     * each also as a private copy, and found by their {@code SONAME}s. A library whose {@code $ORIGIN}
     * dependency has no {@code SONAME}, or which names one as {@code "$ORIGIN/..."}, could be loaded only
     * from its path: it is refused ({@link LibraryLoadException.Reason#LOADER_ERROR}), saying so.
     */
    Copy PRIVATE_COPY = Copy.PRIVATE;

    /**
     * Load the library first in a short-lived child process, and in this one only if the child came
     * through: a library whose loading crashes, aborts, exits or hangs (its initializers run in the child
     * too) is reported as such, with the signal, the exit status or "timed out", and never touches this
     * JVM. No verifier can promise that a library's own code behaves; this option keeps what it does
     * while loading out of this process. The child is not a JVM; it costs a few milliseconds.
     *
     * {@snippet :
     * Library lib = Library.open(Path.of("libuntrusted.so"), LoadOption.isolated(Duration.ofSeconds(5)));
     * }
     *
     * @param timeLimit how long the child may take to load the library before it is killed
     * @return the option
     * @throws IllegalArgumentException if the time limit is not positive
     */
    static Isolation isolated(Duration timeLimit) {
        return new Isolation(timeLimit);
    }

    /** {@link #isolated(Duration)} with a time limit of ten seconds. */
    Isolation ISOLATED = new Isolation(Duration.ofSeconds(10));

    /**
     * Load the library only if its bytes have this SHA-256: the file is copied into sealed private memory
     * (as {@link #PRIVATE_COPY} does), the copy is hashed, and it is checked and loaded only when the hash
     * is the one given. What is hashed is what is loaded: a file replaced or written in place meanwhile is
     * either refused ({@link LibraryLoadException.Reason#HASH_MISMATCH}, naming both hashes) or loaded as
     * it was pinned, never anything else. {@code dynload verify --sha256 FILE} prints a file's hash. Opened
     * by name, a pinned library is never the one the process holds already under that name. Its
     * dependencies are not pinned by it. Like {@link #PRIVATE_COPY}, it needs Linux (sealed memory files).
     *
     * {@snippet :
     * Library lib = Library.open(Path.of("libz.so.1"), LoadOption.sha256("4d2c...e1"));
     * }
     *
     * @param sha256 the expected SHA-256, 64 hexadecimal digits (either case)
     * @return the option
     * @throws IllegalArgumentException if it is not 64 hexadecimal digits
     */
    static Pin sha256(String sha256) {
        return new Pin(sha256);
    }

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

    /** Where the loaded bytes come from; see {@link LoadOption#PRIVATE_COPY}. */
    enum Copy implements LoadOption {
        /** See {@link LoadOption#PRIVATE_COPY}. */
        PRIVATE
    }

    /**
     * The SHA-256 the loaded bytes must have; see {@link LoadOption#sha256(String)}.
     *
     * @param sha256 64 hexadecimal digits, kept in lower case
     */
    record Pin(String sha256) implements LoadOption {
        /** Checks the digits and keeps them in lower case. */
        public Pin {
            Objects.requireNonNull(sha256, "sha256");
            if (!sha256.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("a SHA-256 is 64 hexadecimal digits, not '" + sha256 + "'");
            }
            sha256 = sha256.toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Load in a child process first; see {@link LoadOption#isolated(Duration)}.
     *
     * @param timeLimit how long the child may take
     */
    record Isolation(Duration timeLimit) implements LoadOption {
        /** Rejects a time limit that is not positive. */
        public Isolation {
            Objects.requireNonNull(timeLimit, "timeLimit");
            if (timeLimit.isNegative() || timeLimit.isZero()) {
                throw new IllegalArgumentException("the time limit of an isolated load must be positive, not " + timeLimit);
            }
        }
    }
}
