package dev.dynload.examples.plugins;

import dev.dynload.plugin.Isolation;
import dev.dynload.plugin.Plugin;
import dev.dynload.plugin.PluginHost;
import dev.dynload.plugin.PluginLogger;
import dev.dynload.plugin.PluginState;

import dev.dynload.plugin.PluginReloadException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A host application: starts the plugins in a folder, asks each greeter to greet, then replaces the C
 * greeter with its next build while it runs (its greeting count handed over, the polite greeter that
 * requires it reloaded after it) and greets again through the same bound objects; stops them. The Rust
 * greeter runs out of process: a crash in it would end its own process, not this JVM. It works on a
 * copy of the plugin folder, so that each run starts from the build's files.
 *
 * <pre>
 * java --enable-native-access=dev.dynload,dev.dynload.plugin -p ... -m dev.dynload.examples.plugins/dev.dynload.examples.plugins.PluginApp PLUGIN_FOLDER [NEXT_FOLDER]
 * </pre>
 */
public final class PluginApp {

    private PluginApp() {
    }

    public static void main(String[] args) throws IOException {
        Path built = Path.of(args.length > 0 ? args[0] : "examples/plugins/target/plugins");
        Path next = args.length > 1 ? Path.of(args[1]) : built.resolveSibling(built.getFileName() + "-next");
        Path folder = Files.createTempDirectory("plugins");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(built)) {
            for (Path f : files) {
                Files.copy(f, folder.resolve(f.getFileName()));
            }
        }
        try {
            run(folder, next);
        } finally {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
                for (Path f : files) {
                    Files.delete(f);
                }
            }
            Files.delete(folder);
        }
    }

    private static void run(Path folder, Path next) throws IOException {
        PluginHost host = PluginHost.builder()
                .folder(folder)
                .hostVersion("1.0.0")
                .isolate("com.example.greeter.rust", Isolation.process())
                .logger((id, level, message) -> {
                    // Warnings and errors only, printed by the default logger, which escapes what plugins say.
                    if (level.compareTo(PluginLogger.Level.WARN) <= 0) {
                        PluginLogger.standardError().log(id, level, message);
                    }
                })
                .build();
        Map<String, Greeter> bound = new LinkedHashMap<>();
        for (Plugin p : host.start()) {
            if (p.state() != PluginState.STARTED) {
                System.out.println(p.id() + ": " + p.failure().orElse(p.state().toString()));
                continue;
            }
            Greeter g = p.bind(Greeter.class);
            bound.put(p.id(), g);
            String where = p.isolation().isolated() ? " [out of process]" : "";
            System.out.println(p.id() + " " + p.descriptor().version() + where + ": " + g.greet("World") + " | "
                    + g.farewell("World") + " | 2 + 3 = " + g.add(2, 3));
        }
        // A new build of the C greeter arrives: renamed into place, as a deployment does, then reloaded.
        Path file = folder.resolve("libgreeter.so");
        Path incoming = folder.resolve(".libgreeter.so.new");
        Files.copy(next.resolve("libgreeter.so"), incoming);
        Files.move(incoming, file, StandardCopyOption.ATOMIC_MOVE);
        try {
            Plugin c = host.reload("com.example.greeter.c");
            System.out.println("reloaded " + c.id() + " " + c.descriptor().version() + ": "
                    + bound.get(c.id()).greet("World"));
            Greeter polite = bound.get("com.example.greeter.polite");
            if (polite != null) {
                System.out.println("and com.example.greeter.polite, which requires it: " + polite.greet("World"));
            }
        } catch (PluginReloadException e) {
            System.out.println("reload failed at " + e.step() + ": " + e.getMessage());
        }
        host.close();
    }
}
