package dev.dynload.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Finds plugin files and reads their descriptors: the folders' files named as this platform names
 * loadable modules ({@link dev.dynload.OperatingSystem#moduleSuffixes()}), then the bundles in jars.
 * Loads nothing; a folder or file that cannot be used is a problem of its own, never a blocked read.
 */
final class PluginFinder {

    /** The platform whose module file names ({@code .so}, {@code .dylib}, {@code .dll}) a folder is scanned for. */
    private static final dev.dynload.OperatingSystem MODULES = dev.dynload.OperatingSystem.current();

    /** Files by name, as a named class rather than a lambda (a fresh JVM spins a class for each lambda). */
    private static final Comparator<Path> BY_FILE_NAME = new Comparator<>() {
        @Override
        public int compare(Path a, Path b) {
            return a.getFileName().toString().compareTo(b.getFileName().toString());
        }
    };

    private PluginFinder() {
    }

    /** See {@link PluginHost#discover()}. */
    static Discovery discover(List<Path> folders, Map<String, ClassLoader> bundles) {
        List<PluginDescriptor> plugins = new ArrayList<>();
        List<PluginException> problems = new ArrayList<>();
        for (Path folder : folders) {
            List<Path> files = new ArrayList<>();
            if (!Files.isDirectory(folder)) {
                problems.add(new PluginException(PluginException.Reason.UNREADABLE, folder, Files.exists(folder)
                        ? "is not a folder" : "does not exist", "give the folder that holds the plugin files", null));
                continue;
            }
            // Loops, not a stream with lambdas: each lambda costs a fresh JVM a class spun at run time.
            try (java.nio.file.DirectoryStream<Path> list = Files.newDirectoryStream(folder)) {
                for (Path f : list) {
                    if (MODULES.isModuleFileName(f.getFileName().toString())) {
                        files.add(f);
                    }
                }
                files.sort(BY_FILE_NAME);
            } catch (IOException | java.nio.file.DirectoryIteratorException e) {
                problems.add(new PluginException(PluginException.Reason.UNREADABLE, folder,
                        "cannot be listed: " + e.getMessage(), "check that the plugin folder exists and is readable", e));
                continue;
            }
            for (Path f : files) {
                try {
                    plugins.add(PluginDescriptor.read(f));
                } catch (PluginException e) {
                    problems.add(e);
                }
            }
        }
        for (Map.Entry<String, ClassLoader> b : bundles.entrySet()) {
            try {
                plugins.add(PluginDescriptor.readBundled(b.getKey(), b.getValue()));
            } catch (PluginException e) {
                problems.add(e);
            }
        }
        return new Discovery(plugins, problems);
    }
}
