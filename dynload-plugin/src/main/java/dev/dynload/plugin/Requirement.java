package dev.dynload.plugin;

/**
 * Another plugin a plugin depends on, and the versions of it that will do.
 *
 * {@snippet lang=c :
 * DLP_MANIFEST("id = com.example.polite\n" "version = 1.0.0\n" "abi = 1..1\n"
 *              "requires = com.example.greeter.c ^1.2.0\n");
 * }
 * {@snippet :
 * manifest.requires().getFirst().versions().contains(Version.parse("1.4.0"));   // true
 * }
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
