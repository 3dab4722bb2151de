package dev.dynload.plugin;

import java.io.Serial;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A reload that did not happen: the new copy of the plugin failed at one step, was unloaded, and the copy
 * that ran before keeps serving, its bound interfaces as they were. The message names the plugin, its
 * file, the step and the cause.
 *
 * {@snippet lang=c :
 * static int32_t init(const dlp_host *host, void **state) {
 *     host->log(host, DLP_LOG_ERROR, "no database configured");
 *     return 3;                                   // the new copy refuses to start
 * }
 * }
 * {@snippet :
 * try {
 *     host.reload("com.example.greeter.c");
 * } catch (PluginReloadException e) {
 *     e.step();        // INIT
 *     e.getMessage();  // com.example.greeter.c (plugins/libgreeter.so): init failed with status 3: no database
 *                      // configured; the running copy (1.2.0) keeps serving
 * }
 * }
 */
public final class PluginReloadException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The step of a reload that failed, in the order a reload takes them. */
    public enum Step {
        /** The host's state refused it: not started, stopping, out of process in a group, from a jar. */
        STATE,
        /** The new file's manifest: unreadable, another id, an ABI, host or dependency range that does not fit. */
        MANIFEST,
        /** The lockfile or the quarantine: the new file is not the one pinned, or is quarantined. */
        PIN,
        /** The new file does not load (or its process did not start). */
        LOAD,
        /** Its entry point refused the host, or answered something unusable. */
        NEGOTIATION,
        /** Its init failed. */
        INIT,
        /** A bound interface does not bind to the new copy. */
        BIND,
        /** The calls running in the old copy did not return within the stop timeout. */
        DRAIN,
        /** The old copy's save or the new copy's restore failed. */
        HANDOFF,
        /** The new copy's start failed (or its process ended). */
        START
    }

    /** The step that failed. */
    private final Step step;
    /** The plugin's id. */
    private final String pluginId;
    private final transient Path file;

    PluginReloadException(Step step, String pluginId, Path file, String detail) {
        super(pluginId + " (" + file + "): " + detail);
        this.step = Objects.requireNonNull(step, "step");
        this.pluginId = pluginId;
        this.file = file;
    }

    /** {@return the step that failed} */
    public Step step() {
        return step;
    }

    /** {@return the plugin's id} */
    public String pluginId() {
        return pluginId;
    }

    /** {@return the plugin's file} */
    public Path file() {
        return file;
    }
}
