package dev.dynload.cli;

/** One exit code per class of failure, so that scripts can tell them apart. */
public enum ExitCode {
    /** The command did what was asked. */
    OK(0),
    /** The command line is wrong: unknown option, missing argument, a value that does not parse. */
    USAGE(2),
    /** The library was not found. */
    NOT_FOUND(3),
    /** A file was found but is not a loadable library: wrong format, CPU, a missing dependency... */
    BAD_LIBRARY(4),
    /** The library does not export the symbol asked for. */
    MISSING_SYMBOL(5),
    /**
     * The call got no answer from the child process it ran in ({@code call --isolated}): the function crashed,
     * aborted, exited or passed the time limit.
     */
    CRASHED(6),
    /** A bug in dynload: please report it with the command that caused it. */
    INTERNAL(70);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** {@return the process exit status} */
    public int code() {
        return code;
    }
}
