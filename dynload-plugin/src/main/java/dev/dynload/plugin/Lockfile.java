package dev.dynload.plugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The plugins a host may run, each pinned by the SHA-256 of its file: what was reviewed is what runs.
 * Given to {@link PluginHost.Builder#lockfile(Path)}, it makes the host refuse a plugin that is not
 * listed, or whose bytes differ, naming the plugin, both hashes and the command that pins it again; the
 * bytes hashed are the bytes loaded (a sealed copy, in process and out of process). Plugins in jars are
 * checked against their bundle's own index, and not listed here.
 *
 * <p>The file is small, sorted and diff-friendly: comment lines start with {@code #}, and each other line
 * is a plugin's id, version, file name and SHA-256, separated by tabs.
 *
 * <pre>
 * # dynload plugin lockfile ...
 * com.example.base	1.4.2	libbase.so	9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 * </pre>
 *
 * {@snippet :
 * Lockfile.of(host.discover().plugins()).write(Path.of("plugins.lock"));   // or: dynload plugins --lock
 * PluginHost pinned = PluginHost.builder().folder(dir).lockfile(Path.of("plugins.lock")).build();
 * }
 */
public final class Lockfile {

    /** A lockfile larger than this is refused: it would list hundreds of thousands of plugins. */
    private static final long LIMIT = 16L << 20;

    /**
     * One pinned plugin.
     *
     * @param id      its id
     * @param version its version
     * @param file    its file's name (not its folder: a lockfile travels between machines); for a plugin in
     *                a jar, {@code bundle NAME}
     * @param sha256  the SHA-256 of its file (of a bundle: of its index), 64 lower-case hexadecimal digits
     */
    public record Entry(String id, String version, String file, String sha256) {
        /** Checks that no field is empty or holds a tab or a line break, and that the hash is a SHA-256. */
        public Entry {
            for (String field : List.of(id, version, file)) {
                if (field.isEmpty() || field.chars().anyMatch(c -> c == '\t' || c == '\n' || c == '\r')) {
                    throw new IllegalArgumentException("a lockfile field is empty or holds a tab or line break: '"
                            + field + "'");
                }
            }
            if (!sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("'" + sha256 + "' is not a SHA-256 (64 lower-case hex digits)");
            }
        }
    }

    private final Map<String, Entry> entries;

    private Lockfile(Map<String, Entry> entries) {
        this.entries = entries;
    }

    /**
     * {@return the lockfile of {@code plugins}, each file hashed now} A plugin in a jar is pinned by the
     * SHA-256 of its bundle's index (which pins each of the bundle's files by its own), its file named
     * {@code bundle NAME}.
     *
     * @param plugins the plugins to pin, as discovery read them
     * @throws IOException if a file cannot be read
     * @throws IllegalArgumentException if two plugins have one id
     */
    public static Lockfile of(Collection<PluginDescriptor> plugins) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<PluginDescriptor> sorted = new ArrayList<>(plugins);
        sorted.sort(Comparator.comparing(PluginDescriptor::id));
        for (PluginDescriptor d : sorted) {
            Entry e = d.bundle().isPresent()
                    ? new Entry(d.id(), d.version().toString(), String.valueOf(d.file()), d.bundleSha256())
                    : new Entry(d.id(), d.version().toString(), String.valueOf(d.file().getFileName()),
                            dev.dynload.internal.Hashes.sha256(d.file()));
            if (entries.putIfAbsent(e.id(), e) != null) {
                throw new IllegalArgumentException("two plugins have the id " + e.id() + "; a lockfile pins one");
            }
        }
        return new Lockfile(entries);
    }

    /**
     * Reads a lockfile.
     *
     * @param file the lockfile
     * @return what it pins
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException if it is not a regular file, is too large, or a line is damaged (the
     *         message names the file and the line)
     */
    public static Lockfile read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " is not a regular file, so it is no lockfile");
        }
        if (Files.size(file) > LIMIT) {
            throw new IllegalArgumentException(file + " is larger than a lockfile can be (" + LIMIT + " bytes)");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        byte[] bytes;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) LIMIT + 1); // read once: a file grown since the size check stops here
        }
        if (bytes.length > LIMIT) {
            throw new IllegalArgumentException(file + " is larger than a lockfile can be (" + LIMIT + " bytes)");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException bad) {
            throw new IllegalArgumentException(file + " is not UTF-8 text, so it is no lockfile", bad);
        }
        List<String> lines = text.replace("\uFEFF", "").lines().toList(); // a byte-order mark is no field
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            for (int i = 0; i < f.length; i++) {
                f[i] = f[i].strip(); // spaces around a field are an editor's, not the plugin's
            }
            Entry e;
            try {
                if (f.length != 4) {
                    throw new IllegalArgumentException("it has " + f.length + " fields, not 4 (id, version, file, "
                            + "SHA-256, tab-separated)");
                }
                e = new Entry(f[0], f[1], f[2], f[3]);
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException(file + ", line " + (n + 1) + ": " + bad.getMessage()
                        + "; write it again with dynload plugins --lock " + file + " DIR...", bad);
            }
            if (entries.putIfAbsent(e.id(), e) != null) {
                throw new IllegalArgumentException(file + ", line " + (n + 1) + ": " + e.id() + " is listed twice");
            }
        }
        return new Lockfile(entries);
    }

    /**
     * Writes this lockfile, sorted by id, with a comment saying what it is.
     *
     * @param file where to write it; replaced if it exists
     * @throws IOException if it cannot be written
     */
    public void write(Path file) throws IOException {
        StringBuilder text = new StringBuilder()
                .append("# dynload plugin lockfile: the plugins a host may run, pinned by their files' SHA-256.\n")
                .append("# Written by `dynload plugins --lock FILE DIR...`; `dynload plugins --check FILE DIR...` "
                        + "compares.\n")
                .append("# id\tversion\tfile\tsha256\n");
        for (Entry e : entries()) {
            text.append(e.id()).append('\t').append(e.version()).append('\t').append(e.file()).append('\t')
                    .append(e.sha256()).append('\n');
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** {@return the pinned plugins, sorted by id} */
    public List<Entry> entries() {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparing(Entry::id));
        return List.copyOf(sorted);
    }

    /**
     * {@return the entry of plugin {@code id}, if it is pinned}
     *
     * @param id the plugin's id
     */
    public Optional<Entry> entry(String id) {
        return Optional.ofNullable(entries.get(id));
    }

    /**
     * {@return how {@code actual} (the plugins as they are now) differs from this lockfile, one line per
     * plugin: added, missing, or another version or SHA-256; empty when they agree}
     *
     * @param actual the plugins as they are now ({@link #of})
     */
    public List<String> differences(Lockfile actual) {
        List<String> lines = new ArrayList<>();
        for (Entry pinned : entries()) {
            Optional<Entry> now = actual.entry(pinned.id());
            if (now.isEmpty()) {
                lines.add(pinned.id() + " " + pinned.version() + ": pinned, but not found");
            } else if (!now.get().sha256().equals(pinned.sha256())) {
                lines.add(pinned.id() + ": " + now.get().file() + " " + now.get().version() + " has the SHA-256 "
                        + now.get().sha256() + ", not the pinned " + pinned.sha256() + " (" + pinned.version() + ")");
            }
        }
        for (Entry now : actual.entries()) {
            if (entry(now.id()).isEmpty()) {
                lines.add(now.id() + " " + now.version() + ": found (" + now.file() + "), but not pinned");
            }
        }
        return lines;
    }

    /**
     * {@return why plugin {@code d}, whose bytes have {@code sha256} (null: not hashed yet), may not run;
     * empty if it may}
     */
    Optional<String> refusal(PluginDescriptor d, @org.jspecify.annotations.Nullable String sha256, Path lockfile) {
        Optional<Entry> e = entry(d.id());
        if (e.isEmpty()) {
            return Optional.of("is not listed in the lockfile " + lockfile + "; " + repin(lockfile));
        }
        if (sha256 != null && !e.get().sha256().equals(sha256)) {
            return Optional.of("its file has the SHA-256 " + sha256 + ", not the " + e.get().sha256() + " the "
                    + "lockfile " + lockfile + " pins (" + e.get().version() + "): not the bytes reviewed; "
                    + repin(lockfile));
        }
        return Optional.empty();
    }

    /** {@return how to pin plugins again after a review: every folder of the host, so that no pin is lost} */
    static String repin(Path lockfile) {
        return "to run it, review the differences with dynload plugins --check " + lockfile + " DIR... (every "
                + "plugin folder of the host), then pin them with dynload plugins --lock " + lockfile + " DIR...";
    }
}
