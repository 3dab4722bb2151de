package dev.dynload.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A bundle's index, {@code META-INF/dynload/BUNDLE/index}: one line per file, in the order to load them
 * (a file after those it needs), each the platform classifier, the file's SHA-256 in hex and its name:
 *
 * <pre>
 * # dynload bundle index 1
 * linux-x86_64 0f3a...e9 libz.so.1
 * linux-x86_64 9c1b...07 libgreeter.so
 * </pre>
 *
 * The file itself lies at {@code META-INF/dynload/BUNDLE/CLASSIFIER/NAME}. Blank lines and lines starting
 * with {@code #} are comments. The build writes it; see {@code docs/bundles.md}.
 */
public final class BundleIndex {

    /** The index's first line. */
    public static final String HEADER = "# dynload bundle index 1";

    private static final Pattern CLASSIFIER = Pattern.compile("[a-z0-9_]+(-[a-z0-9_]+)+");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._+-]+");

    /**
     * One file of the bundle.
     *
     * @param classifier the platform it is built for
     * @param sha256 its SHA-256, 64 lower-case hex digits
     * @param name its file name
     */
    public record Entry(String classifier, String sha256, String name) {
    }

    /** A malformed index: the message says which line and what is wrong with it. */
    public static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    private final List<Entry> entries;

    private BundleIndex(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The longest index read: 1 MiB, some ten thousand files. */
    public static final int MAX_SIZE = 1 << 20;

    /**
     * Reads an index from its resource: all of it or nothing, since a cut would drop entries or cut a name.
     *
     * @throws MalformedException if it is longer than {@link #MAX_SIZE}, or does not parse
     */
    public static BundleIndex read(java.io.InputStream in) throws java.io.IOException, MalformedException {
        byte[] bytes = in.readNBytes(MAX_SIZE + 1);
        if (bytes.length > MAX_SIZE) {
            throw new MalformedException("it is longer than " + MAX_SIZE + " bytes (1 MiB), the most an index may "
                    + "hold; it is not an index a build wrote");
        }
        return parse(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Reads an index.
     *
     * @param text the index's text
     * @throws MalformedException naming the first line that is not a comment, a blank or an entry
     */
    public static BundleIndex parse(String text) throws MalformedException {
        List<Entry> entries = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields.length != 3) {
                throw new MalformedException("line " + (i + 1) + " has " + fields.length + " fields, not 3 "
                        + "(classifier, SHA-256, file name)");
            }
            if (!CLASSIFIER.matcher(fields[0]).matches()) {
                throw new MalformedException("line " + (i + 1) + ": '" + fields[0] + "' is not a platform classifier "
                        + "such as linux-x86_64");
            }
            if (!SHA256.matcher(fields[1]).matches()) {
                throw new MalformedException("line " + (i + 1) + ": '" + fields[1] + "' is not a SHA-256 in lower-case hex");
            }
            if (!NAME.matcher(fields[2]).matches() || fields[2].startsWith(".")) {
                throw new MalformedException("line " + (i + 1) + ": '" + fields[2] + "' is not a plain file name "
                        + "(letters, digits, '.', '_', '+', '-', not starting with '.')");
            }
            if (!seen.add(fields[0] + "/" + fields[2])) {
                throw new MalformedException("line " + (i + 1) + ": " + fields[2] + " is listed twice for " + fields[0]);
            }
            entries.add(new Entry(fields[0], fields[1], fields[2]));
        }
        if (entries.isEmpty()) {
            throw new MalformedException("it lists no file");
        }
        return new BundleIndex(entries);
    }

    /** {@return every entry, in the index's order} */
    public List<Entry> entries() {
        return entries;
    }

    /** {@return the files for {@code classifier}, in the order to load them} */
    public List<Entry> forPlatform(String classifier) {
        List<Entry> files = new ArrayList<>();
        for (Entry e : entries) {
            if (e.classifier().equals(classifier)) {
                files.add(e);
            }
        }
        return files;
    }

    /** {@return the platforms the bundle has files for, in the index's order} */
    public Set<String> platforms() {
        Set<String> platforms = new LinkedHashSet<>();
        for (Entry e : entries) {
            platforms.add(e.classifier());
        }
        return platforms;
    }

    /** {@return the resource path of the bundle's index} */
    public static String indexPath(String bundle) {
        return "META-INF/dynload/" + bundle + "/index";
    }

    /** {@return the resource path of one of the bundle's files} */
    public static String filePath(String bundle, Entry e) {
        return "META-INF/dynload/" + bundle + "/" + e.classifier() + "/" + e.name();
    }

    /** {@return the index's text for {@code entries}, as the build writes it} */
    public static String write(List<Entry> entries) {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        text.append("# classifier sha256 file, in load order: each file after those it needs\n");
        for (Entry e : entries) {
            text.append(e.classifier()).append(' ').append(e.sha256()).append(' ').append(e.name()).append('\n');
        }
        return text.toString();
    }
}
