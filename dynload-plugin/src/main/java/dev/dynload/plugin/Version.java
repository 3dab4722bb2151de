package dev.dynload.plugin;

import java.util.Objects;

/**
 * A Semantic Versioning 2.0 version, {@code MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]}, ordered by SemVer
 * precedence: numbers numerically, a pre-release before its release, build metadata ignored.
 *
 * {@snippet lang=c :
 * // version = 1.2.0-beta.2
 * }
 * {@snippet :
 * Version.parse("1.2.0-beta.2").compareTo(Version.parse("1.2.0"));   // < 0
 * }
 *
 * @param major the major version
 * @param minor the minor version
 * @param patch the patch version
 * @param preRelease the pre-release identifiers, dot-separated, or empty
 * @param build the build metadata, or empty
 */
public record Version(int major, int minor, int patch, String preRelease, String build) implements Comparable<Version> {

    /** Checks the numbers: none is negative. */
    public Version {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("negative version number in " + major + "." + minor + "." + patch);
        }
        Objects.requireNonNull(preRelease, "preRelease");
        Objects.requireNonNull(build, "build");
    }

    /**
     * Parses a version.
     *
     * @param text such as {@code 1.2.0} or {@code 2.0.0-rc.1+abc}
     * @return the version
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    public static Version parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        String build = "";
        int plus = s.indexOf('+');
        if (plus >= 0) {
            build = s.substring(plus + 1);
            s = s.substring(0, plus);
            checkIdentifiers(text, build, false);
        }
        String pre = "";
        int dash = s.indexOf('-');
        if (dash >= 0) {
            pre = s.substring(dash + 1);
            s = s.substring(0, dash);
            checkIdentifiers(text, pre, true);
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("\"" + text + "\" is not a version: write MAJOR.MINOR.PATCH, such as 1.2.0");
        }
        return new Version(number(text, parts[0]), number(text, parts[1]), number(text, parts[2]), pre, build);
    }

    private static int number(String text, String part) {
        if (part.isEmpty() || part.length() > 9 || !digits(part) || (part.length() > 1 && part.charAt(0) == '0')) {
            throw new IllegalArgumentException("\"" + text + "\" is not a version: \"" + part
                    + "\" is not a number without leading zeros (at most 9 digits)");
        }
        return Integer.parseInt(part);
    }

    /** Whether {@code s} is ASCII digits only: a manifest's numbers are, never '+' or another script's digits. */
    static boolean digits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static void checkIdentifiers(String text, String ids, boolean numericNoLeadingZero) {
        for (String id : ids.split("\\.", -1)) {
            if (id.isEmpty() || !id.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '-')) {
                throw new IllegalArgumentException("\"" + text + "\" is not a version: \"" + ids
                        + "\" must be dot-separated identifiers of ASCII letters, digits and '-'");
            }
            if (numericNoLeadingZero && id.length() > 1 && id.charAt(0) == '0' && id.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("\"" + text + "\" is not a version: numeric pre-release \"" + id
                        + "\" has a leading zero");
            }
        }
    }

    @Override
    public int compareTo(Version o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Integer.compare(patch, o.patch);
        }
        if (c != 0) {
            return c;
        }
        if (preRelease.isEmpty() || o.preRelease.isEmpty()) {
            return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty()); // a release follows its pre-releases
        }
        String[] a = preRelease.split("\\.");
        String[] b = o.preRelease.split("\\.");
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            boolean an = a[i].chars().allMatch(Character::isDigit);
            boolean bn = b[i].chars().allMatch(Character::isDigit);
            // Numbers compare as numbers, of any length: without leading zeros, the longer is larger.
            int d = an && bn ? (a[i].length() != b[i].length() ? Integer.compare(a[i].length(), b[i].length())
                    : a[i].compareTo(b[i]))
                    : an != bn ? (an ? -1 : 1) : a[i].compareTo(b[i]);
            if (d != 0) {
                return d;
            }
        }
        return Integer.compare(a.length, b.length);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (preRelease.isEmpty() ? "" : "-" + preRelease)
                + (build.isEmpty() ? "" : "+" + build);
    }
}
