package dev.dynload.plugin;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A plugin found on disk: its file and its manifest, read without loading the file.
 *
 * @param file the plugin's shared library
 * @param manifest what it says about itself
 */
public record PluginDescriptor(Path file, PluginManifest manifest) {

    public PluginDescriptor {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(manifest, "manifest");
    }

    /**
     * Reads one plugin file's manifest; loads nothing, runs nothing.
     *
     * @param file a plugin's shared library
     * @return its descriptor
     * @throws PluginException naming the file and what is wrong: unreadable, not a library, not a
     *         plugin, or a bad manifest
     */
    public static PluginDescriptor read(Path file) {
        Objects.requireNonNull(file, "file");
        return new PluginDescriptor(file, ManifestReader.read(file));
    }

    /** {@return the plugin's id} */
    public String id() {
        return manifest.id();
    }

    /** {@return the plugin's version} */
    public Version version() {
        return manifest.version();
    }

    @Override
    public String toString() {
        return manifest.id() + " " + manifest.version() + " (" + file + ")";
    }
}
