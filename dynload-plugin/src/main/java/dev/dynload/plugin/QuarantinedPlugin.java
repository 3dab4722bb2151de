package dev.dynload.plugin;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A plugin file the host will not run: an isolated plugin from it crashed more often than the host's
 * {@link RestartPolicy} allows. Keyed by the SHA-256 of the file's bytes, so a rebuilt plugin (other
 * bytes) runs again, and the same bytes under another name do not. {@link PluginHost.Builder#quarantine}
 * keeps the list in a file, which {@code dynload plugins --quarantine FILE} shows; delete a line to lift it.
 *
 * @param sha256 the SHA-256 of the file's bytes, in lowercase hex
 * @param pluginId the plugin's id
 * @param file the file it was read from
 * @param why what it did
 */
public record QuarantinedPlugin(String sha256, String pluginId, Path file, String why) {
    /** Checks the fields. */
    public QuarantinedPlugin {
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(pluginId, "pluginId");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(why, "why");
    }
}
