package dev.dynload.internal.posix;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The folders the system loader searches by default: its path variable, the folders listed in
 * {@code /etc/ld.so.conf} (following {@code include} lines), then the built-in defaults.
 *
 * <p>The loader's own search (through {@code /etc/ld.so.cache}) finds a library by its exact file name;
 * this list serves to find a versioned file ({@code libz.so.1}) when only the unversioned name was asked
 * for and no development symlink ({@code libz.so}) is installed.
 */
public final class SystemFolders {

    private static final Path LD_SO_CONF = Path.of("/etc/ld.so.conf");
    /** Bounds {@code include} nesting, so that a configuration including itself cannot loop. */
    private static final int MAX_INCLUDE_DEPTH = 8;

    private SystemFolders() {
    }

    /**
     * @param pathVariable the loader's environment variable
     * @param defaults its built-in folders
     * @param ldSoConf whether the system keeps {@code /etc/ld.so.conf} (Linux; not macOS)
     */
    public static List<Path> of(String pathVariable, List<String> defaults, boolean ldSoConf) {
        Set<Path> folders = new LinkedHashSet<>();
        String fromEnvironment = System.getenv(pathVariable);
        if (fromEnvironment != null) {
            addAll(folders, List.of(fromEnvironment.split(":")));
        }
        if (ldSoConf) {
            readConf(LD_SO_CONF, folders, 0);
        }
        addAll(folders, defaults);
        return folders.stream().filter(Files::isDirectory).toList();
    }

    private static void addAll(Set<Path> folders, List<String> names) {
        for (String name : names) {
            add(folders, name);
        }
    }

    private static void add(Set<Path> folders, String name) {
        String trimmed = name.strip();
        if (trimmed.startsWith("/")) {
            try {
                folders.add(Path.of(trimmed).normalize());
            } catch (InvalidPathException ignored) {
                // A malformed line in a system file is the system's business; skip it.
            }
        }
    }

    private static void readConf(Path conf, Set<Path> folders, int depth) {
        if (depth > MAX_INCLUDE_DEPTH || !Files.isReadable(conf)) {
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(conf);
        } catch (IOException | RuntimeException e) {
            return;
        }
        for (String raw : lines) {
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
            if (line.startsWith("include ") || line.startsWith("include\t")) {
                for (Path included : glob(conf.getParent(), line.substring("include".length()).strip())) {
                    readConf(included, folders, depth + 1);
                }
            } else if (!line.isEmpty()) {
                add(folders, line);
            }
        }
    }

    /** Expands an include pattern such as {@code /etc/ld.so.conf.d/*.conf}, in name order as ldconfig does. */
    private static List<Path> glob(Path base, String pattern) {
        List<Path> matches = new ArrayList<>();
        try {
            Path full = base.resolve(pattern);
            Path dir = full.getParent();
            String name = full.getFileName().toString();
            if (dir == null || !Files.isDirectory(dir)) {
                return matches;
            }
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, name)) {
                stream.forEach(matches::add);
            }
        } catch (IOException | RuntimeException e) {
            return matches;
        }
        matches.sort(null);
        return matches;
    }
}
