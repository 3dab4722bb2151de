package dev.dynload.plugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The host's quarantined plugin files, by SHA-256; kept in a file when the host was given one. The file
 * has one line per file: {@code SHA256 TAB ID TAB FILE TAB WHY}; lines starting with {@code #} are comments.
 * Written a line at a time, appended, so a reader never sees half a list.
 */
final class Quarantine {

    /** The largest quarantine file read: a line per file, about 200 bytes each. */
    private static final long MAX_BYTES = 16 << 20;

    private final @Nullable Path store;
    private final Map<String, QuarantinedPlugin> bySha = new LinkedHashMap<>();

    Quarantine(@Nullable Path store) {
        this.store = store;
        if (store != null) {
            for (QuarantinedPlugin q : read(store)) {
                bySha.put(q.sha256(), q);
            }
        }
    }

    /**
     * Reads a quarantine file; a missing file is an empty list, a line that does not read is skipped.
     *
     * @throws java.io.UncheckedIOException if it exists and cannot be read
     */
    static List<QuarantinedPlugin> read(Path file) {
        List<QuarantinedPlugin> found = new ArrayList<>();
        if (!Files.exists(file)) {
            return found;
        }
        List<String> lines;
        try {
            // A FIFO or a device would block the read or never end it; a quarantine file is short.
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES) {
                throw new IOException(Files.isRegularFile(file) ? "it is larger than " + MAX_BYTES + " bytes"
                        : "it is not a regular file");
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the quarantine file " + file + ": " + e.getMessage(), e);
        }
        for (String line : lines) {
            String[] f = line.split("\t", 4);
            if (line.startsWith("#") || f.length != 4 || !f[0].matches("[0-9a-f]{64}")) {
                continue;
            }
            try {
                found.add(new QuarantinedPlugin(f[0], f[1], Path.of(f[2]), f[3]));
            } catch (java.nio.file.InvalidPathException e) {
                // not a line this host wrote
            }
        }
        return found;
    }

    synchronized Optional<QuarantinedPlugin> find(String sha256) {
        return Optional.ofNullable(bySha.get(sha256));
    }

    /** {@return why bytes of this SHA-256 may not run, when they are quarantined: the start's refusal} */
    Optional<String> refusal(String sha256) {
        return find(sha256).map(q -> "it is quarantined (SHA-256 " + sha256 + "): " + q.why()
                + "; delete its line from the host's quarantine file to run these bytes again");
    }

    synchronized boolean isEmpty() {
        return bySha.isEmpty();
    }

    synchronized List<QuarantinedPlugin> all() {
        return List.copyOf(bySha.values());
    }

    /** Adds a file; written to the store, if any (a write that fails is said in the logger, by the caller). */
    void add(String sha256, String pluginId, Path file, String why) {
        QuarantinedPlugin q = new QuarantinedPlugin(sha256, pluginId, file, why.replace('\t', ' ').replace('\n', ' '));
        synchronized (this) {
            if (bySha.putIfAbsent(sha256, q) != null) {
                return;
            }
        }
        if (store != null) {
            String line = q.sha256() + "\t" + q.pluginId() + "\t" + q.file() + "\t" + q.why() + "\n";
            try {
                if (!Files.exists(store)) {
                    Files.writeString(store, "# dynload quarantine: SHA256<TAB>ID<TAB>FILE<TAB>WHY; delete a line to "
                            + "run that file again\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                }
                Files.writeString(store, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write the quarantine file " + store + ": "
                        + e.getMessage(), e);
            }
        }
    }
}
