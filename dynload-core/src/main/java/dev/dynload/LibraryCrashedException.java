package dev.dynload;

import java.io.Serial;
import java.util.OptionalInt;

/**
 * A call into an {@link IsolatedLibrary} got no answer: the process the library runs in ended (a signal
 * such as SIGSEGV or SIGABRT, or an {@code exit}), or the call passed its deadline and the process was
 * killed, or the library was closed. The JVM goes on; every call in flight at that moment throws this.
 *
 * {@snippet lang=c :
 * int32_t crash(void) { return *(volatile int32_t *) 0; }   // SIGSEGV
 * }
 * {@snippet :
 * try {
 *     lib.bind(Api.class).crash();
 * } catch (LibraryCrashedException e) {
 *     e.reason();     // SIGNAL
 *     e.signal();     // OptionalInt[11]
 *     e.function();   // "crash"
 * }
 * }
 */
public final class LibraryCrashedException extends LibraryException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Why the call got no answer. */
    public enum Reason {
        /** A signal ended the library's process: SIGSEGV, SIGABRT, SIGBUS, SIGKILL from outside... */
        SIGNAL,
        /** The library's process called {@code exit} (or returned from its main thread). */
        EXIT,
        /**
         * The call passed its deadline: the process was killed, since running code cannot be stopped otherwise;
         * or every slot of the process stayed busy with other calls until the deadline (the process runs on).
         */
        DEADLINE,
        /** The library was closed. */
        CLOSED
    }

    /** Why the call got no answer. */
    private final Reason reason;
    /** The library's file or name. */
    private final String library;
    /** The function that was called. */
    private final String function;
    /** The signal that ended the process, or 0. */
    private final int signal;
    /** The status the process exited with, or -1. */
    private final int exitStatus;

    LibraryCrashedException(Reason reason, String library, String function, int signal, int exitStatus, String detail,
                            boolean ended) {
        super(library + ": " + function + "() got no answer: " + detail + (ended
                ? "; the library's process has ended, and this JVM goes on; open the library again to call it" : ""));
        this.reason = reason;
        this.library = library;
        this.function = function;
        this.signal = signal;
        this.exitStatus = exitStatus;
    }

    /** {@return why the call got no answer} */
    public Reason reason() {
        return reason;
    }

    /** {@return the library, as it was opened} */
    public String library() {
        return library;
    }

    /** {@return the function that was called} */
    public String function() {
        return function;
    }

    /** {@return the signal that ended the library's process, when one did} */
    public OptionalInt signal() {
        return signal > 0 ? OptionalInt.of(signal) : OptionalInt.empty();
    }

    /** {@return the status the library's process exited with, when it exited} */
    public OptionalInt exitStatus() {
        return reason == Reason.EXIT ? OptionalInt.of(exitStatus) : OptionalInt.empty();
    }
}
