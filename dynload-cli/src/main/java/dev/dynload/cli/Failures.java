package dev.dynload.cli;

import dev.dynload.LibraryLoadException;
import dev.dynload.SymbolNotFoundException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;

/** Turns what a command threw into one line on stderr and the exit code of its class. */
final class Failures {

    private Failures() {
    }

    static ExitCode report(Exception e, PrintWriter err) {
        ExitCode code = classify(e);
        String message = switch (code) {
            case INTERNAL -> "internal error: " + e + "; please report it with the command line that caused it";
            default -> e.getMessage();
        };
        err.println("dynload: " + message);
        return code;
    }

    static ExitCode classify(Exception e) {
        return switch (e) {
            case LibraryLoadException l when l.reason() == LibraryLoadException.Reason.NOT_FOUND -> ExitCode.NOT_FOUND;
            case LibraryLoadException l -> ExitCode.BAD_LIBRARY;
            case SymbolNotFoundException s -> ExitCode.MISSING_SYMBOL;
            case NoSuchFileException n -> ExitCode.NOT_FOUND;
            case IOException io -> ExitCode.BAD_LIBRARY;
            case IllegalArgumentException i -> ExitCode.USAGE;
            default -> ExitCode.INTERNAL;
        };
    }
}
