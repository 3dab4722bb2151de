package dev.dynload.plugin;

/**
 * Where a plugin is in its lifecycle. A plugin moves RESOLVED, STARTED, STOPPED; or ends FAILED (with
 * its {@link Plugin#failure()}) when resolution, loading, negotiation, init or start refused it, or when a
 * plugin it requires failed.
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
    /** Loaded, negotiated, initialised and started: its interfaces may be bound and called. */
    STARTED,
    /** Stopped, destroyed and unloaded; its bound interfaces throw. */
    STOPPED,
    /** It cannot run; {@link Plugin#failure()} says why. */
    FAILED
}
