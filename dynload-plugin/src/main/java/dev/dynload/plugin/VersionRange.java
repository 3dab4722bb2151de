package dev.dynload.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A set of versions, as a manifest writes it: comparisons joined by spaces, all of which hold
 * ({@code >=1.2.0 <2.0.0}); {@code ^1.2.0} for {@code >=1.2.0 <2.0.0} (for {@code 0.y.z},
 * {@code <0.(y+1).0}); {@code ~1.2.0} for {@code >=1.2.0 <1.3.0}; a bare version for exactly it; {@code *}
 * for any. A pre-release satisfies a range only if the range names a pre-release of the same
 * {@code MAJOR.MINOR.PATCH}, as npm and Cargo decide.
 *
 * {@snippet lang=c :
 * // requires = com.example.base ^1.2.0
 * }
 * {@snippet :
 * VersionRange.parse("^1.2.0").contains(Version.parse("1.9.3"));   // true
 * }
 */
public final class VersionRange {

    private record Bound(String op, Version version) {
        boolean holds(Version v) {
            int c = v.compareTo(version);
            return switch (op) {
                case "=" -> c == 0;
                case ">" -> c > 0;
                case ">=" -> c >= 0;
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                default -> throw new IllegalStateException(op);
            };
        }

        @Override
        public String toString() {
            return op + version;
        }
    }

    private final String text;
    private final List<Bound> bounds;

    private VersionRange(String text, List<Bound> bounds) {
        this.text = text;
        this.bounds = List.copyOf(bounds);
    }

    /**
     * Parses a range.
     *
     * @param text such as {@code >=1.2.0 <2.0.0}, {@code ^1.2.0}, {@code ~1.2.0}, {@code 1.2.0} or {@code *}
     * @return the range
     * @throws IllegalArgumentException naming the part that is not a comparison
     */
    public static VersionRange parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("an empty version range; write * for any version");
        }
        List<Bound> bounds = new ArrayList<>();
        if (!s.equals("*")) {
            for (String part : s.split("\\s+")) {
                bounds.addAll(parsePart(text, part));
            }
        }
        return new VersionRange(s, bounds);
    }

    private static List<Bound> parsePart(String text, String part) {
        try {
            if (part.startsWith("^")) {
                Version v = Version.parse(part.substring(1));
                Version upper = v.major() > 0 ? new Version(v.major() + 1, 0, 0, "", "")
                        : new Version(0, v.minor() + 1, 0, "", "");
                return List.of(new Bound(">=", v), new Bound("<", upper));
            }
            if (part.startsWith("~")) {
                Version v = Version.parse(part.substring(1));
                return List.of(new Bound(">=", v), new Bound("<", new Version(v.major(), v.minor() + 1, 0, "", "")));
            }
            for (String op : List.of(">=", "<=", ">", "<", "=")) {
                if (part.startsWith(op)) {
                    return List.of(new Bound(op, Version.parse(part.substring(op.length()))));
                }
            }
            return List.of(new Bound("=", Version.parse(part)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a version range: " + e.getMessage());
        }
    }

    /**
     * {@return whether {@code v} lies in this range}
     *
     * @param v a version
     */
    public boolean contains(Version v) {
        Objects.requireNonNull(v, "v");
        if (!v.preRelease().isEmpty()) {
            boolean named = false;
            for (Bound b : bounds) {
                Version w = b.version();
                named |= !w.preRelease().isEmpty() && w.major() == v.major() && w.minor() == v.minor()
                        && w.patch() == v.patch();
            }
            if (!named) {
                return false;
            }
        }
        for (Bound b : bounds) {
            if (!b.holds(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionRange r && r.bounds.equals(bounds);
    }

    @Override
    public int hashCode() {
        return bounds.hashCode();
    }

    /** {@return the range as written} */
    @Override
    public String toString() {
        return text;
    }
}
