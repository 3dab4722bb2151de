package dev.dynload.plugin;

import dev.dynload.LibraryCrashedException;

import java.util.OptionalInt;

/**
 * A call into an isolated plugin (see {@link Isolation}) that got no answer: the plugin's process ended
 * during it, or before it, through a signal or an {@code exit}, or the call passed its deadline and the
 * process was ended. The JVM goes on; the plugin is {@link PluginState#CRASHED}, and every plugin that
 * shared its process too.
 *
 * {@snippet lang=c :
 * static int32_t crash(void) { return *(volatile int32_t *) 0; }   // SIGSEGV
 * }
 * {@snippet :
 * try {
 *     api.crash();
 * } catch (PluginCrashedException e) {
 *     e.pluginId();    // "com.example.untrusted"
 *     e.signal();      // OptionalInt[11]
 * }
 * }
 */
public final class PluginCrashedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The plugin that was called. */
    private final String pluginId;
    /** The function that was called. */
    private final String function;
    /** How the call ended: a signal, an exit, the deadline, or the plugin's stop. */
    private final LibraryCrashedException.Reason reason;
    /** The signal that ended the process, or 0. */
    private final int signal;
    /** The status the process exited with, or -1. */
    private final int exitStatus;

    PluginCrashedException(String pluginId, String function, String message, LibraryCrashedException cause) {
        super(message, cause);
        this.pluginId = pluginId;
        this.function = function;
        this.reason = cause.reason();
        this.signal = cause.signal().orElse(0);
        this.exitStatus = cause.exitStatus().orElse(-1);
    }

    /** {@return the plugin that was called} */
    public String pluginId() {
        return pluginId;
    }

    /** {@return the function that was called} */
    public String function() {
        return function;
    }

    /** {@return why the call got no answer} */
    public LibraryCrashedException.Reason reason() {
        return reason;
    }

    /** {@return the signal that ended the plugin's process, when one did} */
    public OptionalInt signal() {
        return signal > 0 ? OptionalInt.of(signal) : OptionalInt.empty();
    }

    /** {@return the status the plugin's process exited with, when it exited} */
    public OptionalInt exitStatus() {
        return reason == LibraryCrashedException.Reason.EXIT ? OptionalInt.of(exitStatus) : OptionalInt.empty();
    }
}
