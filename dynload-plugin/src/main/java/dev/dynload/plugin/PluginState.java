package dev.dynload.plugin;

/**
 * Where a plugin is in its lifecycle. A plugin moves RESOLVED, STARTED, STOPPED; or ends FAILED (with
 * its {@link Plugin#failure()}) when resolution, loading, negotiation, init or start refused it, or when a
 * plugin it requires failed.
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
