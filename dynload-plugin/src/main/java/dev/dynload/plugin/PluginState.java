package dev.dynload.plugin;

/**
 * Where a plugin is in its lifecycle. A plugin moves RESOLVED, STARTING, STARTED, STOPPING, STOPPED; or
 * ends FAILED (with its {@link Plugin#failure()}) when resolution, loading, negotiation, init or start
 * refused it, or when a plugin it requires failed. A stop that gives up, because a call into the plugin
 * did not return in time, leaves it STUCK: loaded, its interfaces unbound, its stop and destroy not run;
 * the next {@link PluginHost#stop()} tries again. A plugin run out of process ({@link Isolation}) whose
 * process ends is CRASHED, with the cause.
 *
 * {@snippet lang=c :
 * static int32_t init(const dlp_host *host, void **state) {
 *     host->log(host, DLP_LOG_ERROR, "no database configured");
 *     return 3;                                   // the plugin ends FAILED
 * }
 * }
 * {@snippet :
 * plugin.state();     // FAILED
 * plugin.failure();   // Optional[init failed with status 3: no database configured]
 * }
 */
public enum PluginState {
    /** Its manifest and its dependencies check out; not loaded yet. */
    RESOLVED,
    /** Being loaded, negotiated, initialised and started, on the thread that runs {@link PluginHost#start()}. */
    STARTING,
    /** Loaded, negotiated, initialised and started: its interfaces may be bound and called. */
    STARTED,
    /**
     * Being stopped: its bound interfaces throw and it binds nothing more; the host waits for the calls
     * and binds under way to return, then runs its stop and destroy and unloads it.
     */
    STOPPING,
    /** Stopped, destroyed and unloaded; its bound interfaces throw. */
    STOPPED,
    /**
     * A stop gave up on it: a call into it (or a bind, or a plugin that requires it and is stuck itself)
     * did not return within the host's time limit. Its bound interfaces throw, but it stays loaded, and its
     * stop and destroy have not run, since code may still run in it; {@link Plugin#failure()} says why.
     * The next {@link PluginHost#stop()} waits for it again, and finishes the stop if its calls have
     * returned.
     */
    STUCK,
    /** It cannot run; {@link Plugin#failure()} says why. */
    FAILED,
    /**
     * It ran in a process of its own (see {@link Isolation}), and that process ended: a signal, an
     * {@code exit}, or a call past its deadline. {@link Plugin#failure()} names the cause; its bound
     * interfaces throw {@link PluginCrashedException}, or, when the host's {@link RestartPolicy} allows,
     * the next call starts it again in a new process. The JVM and the other plugins go on.
     */
    CRASHED
}
