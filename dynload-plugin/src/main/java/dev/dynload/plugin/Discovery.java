package dev.dynload.plugin;

import java.util.List;

/**
 * What a scan of the plugin folders found: the plugins whose manifests read, and the files that looked
 * like libraries but could not be used, each with why. Nothing was loaded.
 *
 * {@snippet lang=c :
 * DLP_MANIFEST("id = com.example.greeter.c\n" ...);   // what discovery reads, from the file
 * }
 * {@snippet :
 * Discovery found = host.discover();
 * found.problems().forEach(e -> System.err.println(e.getMessage()));
 * }
 *
 * @param plugins the plugins, in file name order
 * @param problems the files that are not usable plugins
 */
public record Discovery(List<PluginDescriptor> plugins, List<PluginException> problems) {

    /** Copies both lists: a discovery does not change. */
    public Discovery {
        plugins = List.copyOf(plugins);
        problems = List.copyOf(problems);
    }
}
