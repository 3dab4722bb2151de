package dev.dynload.plugin;

import java.time.Duration;
import java.util.Objects;

/**
 * What the host does when an isolated plugin's process ends (see {@link Isolation}): leave the plugin
 * {@link PluginState#CRASHED}, or start it again, in a new process, on the next call of one of its bound
 * interfaces (its entry point, init and start run again; the state it had is lost). A plugin that
 * crashes more often than the policy allows is quarantined: it stays CRASHED, and
 * {@link PluginHost#quarantined()} names its file's SHA-256 and why, so that the same bytes are not run
 * again by this host.
 *
 * {@snippet :
 * PluginHost.builder()
 *         .isolate("com.example.untrusted", Isolation.process())
 *         .restart(RestartPolicy.atMost(3, Duration.ofMinutes(1)))   // a fourth crash in a minute: quarantined
 *         .build();
 * }
 */
public final class RestartPolicy {

    private static final RestartPolicy NEVER = new RestartPolicy(0, Duration.ZERO);

    private final int times;
    private final Duration window;

    private RestartPolicy(int times, Duration window) {
        this.times = times;
        this.window = window;
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
        return new RestartPolicy(times, window);
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
        return times == 0 ? "never" : "at most " + times + " in " + window;
    }
}
