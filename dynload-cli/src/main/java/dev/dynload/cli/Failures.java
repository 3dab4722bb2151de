package dev.dynload.cli;

import dev.dynload.internal.Printable;
import dev.dynload.LibraryLoadException;
import dev.dynload.SymbolNotFoundException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;

/**
 * Turns what a command threw into one line on stderr and the exit code of its class. The line is made
 * printable: messages quote file names, symbol names and sonames, which a file can fill with newlines
 * and escape sequences. A Java stack trace is never printed.
 */
final class Failures {

    private Failures() {
    }

    /** A symbol that exists but cannot be called: data, thread-local or untyped. */
    static final class NotAFunction extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotAFunction(String message) {
            super(message);
        }
    }

    /**
     * A file a read-only command (verify, symbols) could not find or read: said as "FILE: what", since
     * nothing was being loaded; its exit code is the load failure's.
     */
    static final class NotRead extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient LibraryLoadException failure;

        NotRead(LibraryLoadException failure) {
            super(failure.file().map(Object::toString).orElse(failure.library()) + ": " + failure.detail()
                    + (failure.hint() == null || failure.hint().isEmpty() ? "" : "; " + failure.hint()), failure);
            this.failure = failure;
        }
    }

    static ExitCode report(Throwable e, PrintWriter err) {
        ExitCode code = classify(e);
        String message = switch (e) {
            case OutOfMemoryError oom -> "ran out of memory (" + oom.getMessage() + "), though dynload bounds what it "
                    + "reads of a file; please report it with the command line that caused it";
            case StackOverflowError so -> "internal error: the stack overflowed; please report it with the command line "
                    + "that caused it";
            default -> code == ExitCode.INTERNAL
                    ? "internal error: " + e + "; please report it with the command line that caused it"
                    : e.getMessage();
        };
        err.println("dynload: " + Printable.of(String.valueOf(message)));
        return code;
    }

    static ExitCode classify(Throwable e) {
        return switch (e) {
            case LibraryLoadException l when l.reason() == LibraryLoadException.Reason.NOT_FOUND -> ExitCode.NOT_FOUND;
            case LibraryLoadException l -> ExitCode.BAD_LIBRARY;
            case NotRead n -> classify(n.failure);
            case SymbolNotFoundException s -> ExitCode.MISSING_SYMBOL;
            case dev.dynload.LibraryCrashedException c -> ExitCode.CRASHED;
            case NotAFunction n -> ExitCode.MISSING_SYMBOL;
            case NoSuchFileException n -> ExitCode.NOT_FOUND;
            case IOException io -> ExitCode.BAD_LIBRARY;
            case OutOfMemoryError oom -> ExitCode.INTERNAL; // every read is bounded: running out is a bug
            case IllegalArgumentException i -> ExitCode.USAGE;
            case UnsupportedOperationException u -> ExitCode.USAGE; // such as --isolated where no isolation is
            default -> ExitCode.INTERNAL;
        };
    }
}
