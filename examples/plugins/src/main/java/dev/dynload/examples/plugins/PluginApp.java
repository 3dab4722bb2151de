package dev.dynload.examples.plugins;

import dev.dynload.plugin.Isolation;
import dev.dynload.plugin.Plugin;
import dev.dynload.plugin.PluginHost;
import dev.dynload.plugin.PluginLogger;
import dev.dynload.plugin.PluginState;

import java.nio.file.Path;

/**
 * A host application: starts the plugins in a folder, asks each greeter to greet, stops them. The Rust
 * greeter runs out of process: a crash in it would end its own process, not this JVM.
 *
 * <pre>
 * java --enable-native-access=dev.dynload,dev.dynload.plugin -p ... -m dev.dynload.examples.plugins/dev.dynload.examples.plugins.PluginApp PLUGIN_FOLDER
 * </pre>
 */
public final class PluginApp {

    private PluginApp() {
    }

    public static void main(String[] args) {
        PluginHost host = PluginHost.builder()
                .folder(Path.of(args.length > 0 ? args[0] : "examples/plugins/target/plugins"))
                .hostVersion("1.0.0")
                .isolate("com.example.greeter.rust", Isolation.process())
                .logger((id, level, message) -> {
                    // Warnings and errors only, printed by the default logger, which escapes what plugins say.
                    if (level.compareTo(PluginLogger.Level.WARN) <= 0) {
                        PluginLogger.standardError().log(id, level, message);
                    }
                })
                .build();
        for (Plugin p : host.start()) {
            if (p.state() != PluginState.STARTED) {
                System.out.println(p.id() + ": " + p.failure().orElse(p.state().toString()));
                continue;
            }
            Greeter g = p.bind(Greeter.class);
            String where = p.isolation().isolated() ? " [out of process]" : "";
            System.out.println(p.id() + " " + p.descriptor().version() + where + ": " + g.greet("World") + " | "
                    + g.farewell("World") + " | 2 + 3 = " + g.add(2, 3));
        }
        host.close();
    }
}
