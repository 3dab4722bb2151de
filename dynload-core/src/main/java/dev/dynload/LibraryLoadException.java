package dev.dynload;

import dev.dynload.elf.ElfProblem;

import java.io.Serial;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A library could not be loaded. The message names the library or file, says what went wrong and
 * what to do; the parts are also available one by one, for tools that print them their own way.
 *
 * {@snippet :
 * try (Library lib = Library.open(Path.of("libc.so"))) {
 *     // ...
 * } catch (LibraryLoadException e) {
 *     e.reason();        // LINKER_SCRIPT
 *     e.file();          // Optional[/usr/lib/x86_64-linux-gnu/libc.so]
 *     e.hint();          // "load /lib/x86_64-linux-gnu/libc.so.6 instead"
 *     e.loaderMessage(); // the loader's own words: "... invalid ELF header"
 * }
 * }
 */
public final class LibraryLoadException extends LibraryException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** What kind of failure it was. */
    public enum Reason {
        /** No file by that path or name was found; {@link #searched()} lists every place looked in. */
        NOT_FOUND,
        /** The path names a directory. */
        IS_DIRECTORY,
        /** The file exists but this process may not read it. */
        PERMISSION_DENIED,
        /** The file is not a shared library: empty, text, an archive, an executable, a FIFO... */
        NOT_A_SHARED_LIBRARY,
        /**
         * An ELF shared library that is truncated or damaged: something the system loader would trust is
         * wrong, and loading it could take the process down. {@link #problems()} lists what was found.
         */
        DAMAGED,
        /** A library for another CPU or word size than this JVM's, or for another platform (a Mach-O or PE file on Linux). */
        WRONG_ARCHITECTURE,
        /** A GNU linker script (such as {@code libc.so}), which only the static linker reads. */
        LINKER_SCRIPT,
        /** The library needs another library that the loader cannot find. */
        MISSING_DEPENDENCY,
        /** The loader refused it for another reason; {@link #loaderMessage()} has its words. */
        LOADER_ERROR,
        /**
         * Loaded first in a child process ({@link LoadOption#isolated}), the library crashed it, aborted,
         * exited or did not finish in time; it was not loaded into this process.
         */
        FAILED_IN_ISOLATION,
        /**
         * A bundle ({@link Library#openBundled}) has no build for this platform; the message lists the
         * platforms it has.
         */
        NOT_BUILT_FOR_PLATFORM,
        /** A bundle's index is missing or malformed, or names a file the bundle does not hold. */
        BAD_BUNDLE,
        /**
         * A bundled file, or its copy in the cache, is not the file its bundle's index names; or a library
         * pinned with {@link LoadOption#sha256(String)} has other bytes: its SHA-256 differs. The message
         * gives both.
         */
        HASH_MISMATCH,
        /**
         * The cache folder for bundled libraries may not be used: another user owns it, others may write
         * it, it is a link, or its file system is mounted {@code noexec}.
         */
        UNSAFE_CACHE,
        /** The disk or the user's quota is full: a bundled library could not be written into the cache. */
        DISK_FULL
    }

    /** What class of failure it is. */
    private final Reason reason;
    /** The library as the caller named it. */
    private final String library;
    private final transient Path file;
    /** What is wrong, in words. */
    private final String detail;
    /** What to do about it. */
    private final String hint;
    /** The system loader's own message, or null. */
    private final String loaderMessage;
    /** The places searched, for a library not found. */
    @SuppressWarnings("serial") // an immutable List.copyOf, which is serializable
    private final List<String> searched;
    private final transient List<ElfProblem> problems;

    LibraryLoadException(Reason reason, String library, Path file, String detail, String hint,
                         String loaderMessage, List<String> searched) {
        this(reason, library, file, detail, hint, loaderMessage, searched, List.of());
    }

    LibraryLoadException(Reason reason, String library, Path file, String detail, String hint,
                         String loaderMessage, List<String> searched, List<ElfProblem> problems) {
        super(compose(library, file, detail, hint, loaderMessage));
        this.reason = reason;
        this.library = library;
        this.file = file;
        this.detail = detail;
        this.hint = hint;
        this.loaderMessage = loaderMessage;
        this.searched = List.copyOf(searched);
        this.problems = List.copyOf(problems);
    }

    private static String compose(String library, Path file, String detail, String hint, String loaderMessage) {
        StringBuilder m = new StringBuilder("cannot load ");
        m.append(file != null ? file.toString() : library).append(": ").append(detail);
        if (hint != null && !hint.isEmpty()) {
            m.append("; ").append(hint);
        }
        if (loaderMessage != null && !loaderMessage.isEmpty()) {
            m.append(" (loader: ").append(loaderMessage).append(')');
        }
        return m.toString();
    }

    /** {@return what kind of failure this is} */
    public Reason reason() {
        return reason;
    }

    /** {@return the library as the caller gave it: a path or a name} */
    public String library() {
        return library;
    }

    /** {@return the file that failed to load, when one was found} */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** {@return what went wrong, without the hint} */
    public String detail() {
        return detail;
    }

    /** {@return what to do about it} */
    public String hint() {
        return hint;
    }

    /** {@return the operating system loader's own message ({@code dlerror}), when it gave one} */
    public Optional<String> loaderMessage() {
        return Optional.ofNullable(loaderMessage);
    }

    /** {@return every place searched for a library opened by name, in order; empty for a path} */
    public List<String> searched() {
        return searched;
    }

    /**
     * {@return for {@link Reason#DAMAGED}, everything the structural check found wrong, in the order the
     * loader would meet it; otherwise empty}
     */
    public List<ElfProblem> problems() {
        return problems == null ? List.of() : problems;
    }
}
