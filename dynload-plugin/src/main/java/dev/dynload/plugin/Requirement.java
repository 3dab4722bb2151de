package dev.dynload.plugin;

/**
 * Another plugin a plugin depends on, and the versions of it that will do.
 *
 * @param pluginId the other plugin's id
 * @param versions the versions of it this plugin works with
 */
public record Requirement(String pluginId, VersionRange versions) {

    @Override
    public String toString() {
        return pluginId + " " + versions;
    }
}
