package dev.dynload.internal.linux;

import org.jspecify.annotations.Nullable;

/** A call or a start that got no answer; {@link #failure} says why. */
public final class NoAnswer extends Exception {

    /** Why a call got no answer. */
    public enum Failure {
        /** The runner ended (a signal, an exit) before or during the call. */
        ENDED,
        /** The call passed its deadline, and the runner was killed. */
        DEADLINE,
        /** The library was closed. */
        CLOSED,
        /** Every slot stayed busy with other calls past the deadline; the runner still runs. */
        BUSY
    }

    private static final long serialVersionUID = 1L;
    private final Failure failure;
    private final transient RunnerProcess.@Nullable Exit exit;

    NoAnswer(Failure failure, RunnerProcess.@Nullable Exit exit, String message) {
        super(message, null, false, false);
        this.failure = failure;
        this.exit = exit;
    }

    /** {@return why there was no answer} */
    public Failure failure() {
        return failure;
    }

    /** {@return how the runner ended, when it did} */
    public RunnerProcess.@Nullable Exit exit() {
        return exit;
    }
}
