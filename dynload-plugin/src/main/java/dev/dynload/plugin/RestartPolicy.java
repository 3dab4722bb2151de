package dev.dynload.plugin;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What the host does when an isolated plugin's process ends (see {@link Isolation}): leave the plugin
 * {@link PluginState#CRASHED}; start it again, in a new process, on the next call of one of its bound
 * interfaces; or start it again at once, waiting longer after each crash (back-off). Its entry point,
 * init and start run again; the state it had is lost. A plugin that crashes more often than the policy
 * allows is quarantined: it stays CRASHED, and {@link PluginHost#quarantined()} names its file's SHA-256
 * and why, so that the same bytes are not run again by this host.
 *
 * {@snippet :
 * PluginHost.builder()
 *         .isolate("com.example.untrusted", Isolation.process())
 *         .restart(RestartPolicy.atMost(3, Duration.ofMinutes(1)))   // a fourth crash in a minute: quarantined
 *         .build();
 * }
 */
public final class RestartPolicy {

    private static final RestartPolicy NEVER = new RestartPolicy(0, Duration.ZERO, null);

    private final int times;
    private final Duration window;
    /** For a restart at once: the wait after a first crash, doubled after each further one; null: on the next call. */
    private final @Nullable Duration backoff;

    private RestartPolicy(int times, Duration window, @Nullable Duration backoff) {
        this.times = times;
        this.window = window;
        this.backoff = backoff;
    }

    /** {@return never restart: a crashed plugin stays CRASHED until the host is stopped and started again} */
    public static RestartPolicy never() {
        return NEVER;
    }

    /**
     * Restarts a crashed plugin on the next call, at most {@code times} times within any {@code window};
     * a crash beyond that quarantines it.
     *
     * @param times restarts allowed in a window, at least 1
     * @param window the window, positive
     * @return the policy
     */
    public static RestartPolicy atMost(int times, Duration window) {
        Objects.requireNonNull(window, "window");
        if (times < 1) {
            throw new IllegalArgumentException("a restart policy allows at least one restart, not " + times
                    + "; use RestartPolicy.never()");
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the window must be positive, not " + window);
        }
        return new RestartPolicy(times, window, null);
    }

    /**
     * Restarts a crashed plugin at once, without waiting for a call: {@code backoff} after its first crash
     * within the window, twice that after a second, and so on (never more than the window), at most
     * {@code times} times within any {@code window}; a crash beyond that quarantines it. A call that comes
     * before the restart starts it then, as {@link #atMost} does.
     *
     * @param times restarts allowed in a window, at least 1
     * @param window the window, positive
     * @param backoff the wait before the first restart, not negative
     * @return the policy
     */
    public static RestartPolicy atOnce(int times, Duration window, Duration backoff) {
        Objects.requireNonNull(backoff, "backoff");
        if (backoff.isNegative()) {
            throw new IllegalArgumentException("the back-off cannot be negative: " + backoff);
        }
        RestartPolicy limits = atMost(times, window);
        return new RestartPolicy(limits.times, limits.window, backoff);
    }

    /** {@return whether a crashed plugin starts again at once (after its back-off), not on the next call} */
    public boolean atOnce() {
        return backoff != null;
    }

    /**
     * {@return the wait before a restart at once, after the {@code crashes}-th crash within the window:
     * the back-off, doubled for each crash before it, at most the window; zero for a restart on a call}
     *
     * @param crashes the crashes within the window, this one included
     */
    public Duration delayAfter(int crashes) {
        if (backoff == null || crashes <= 1) {
            return backoff == null ? Duration.ZERO : backoff;
        }
        Duration d = backoff;
        for (int i = 1; i < crashes && d.compareTo(window) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(window) > 0 ? window : d;
    }

    /** {@return the restarts allowed within {@link #window()}; 0 for never} */
    public int times() {
        return times;
    }

    /** {@return the window the restarts are counted in} */
    public Duration window() {
        return window;
    }

    @Override
    public String toString() {
        return times == 0 ? "never" : (backoff != null ? "at once after " + backoff + ", doubling, " : "")
                + "at most " + times + " in " + window;
    }
}
