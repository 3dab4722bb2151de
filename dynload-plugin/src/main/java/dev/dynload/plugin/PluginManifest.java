package dev.dynload.plugin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a plugin says about itself, read from its file before any of its code runs: its id and
 * version, the ABI versions it speaks, the host versions it works with, the interfaces it provides
 * (each function with its C signature) and the plugins it needs. dynload_plugin.h defines the format;
 * {@link PluginHost#discover()} reads it.
 *
 * {@snippet lang=c :
 * DLP_MANIFEST("id = com.example.greeter.c\n"
 *              "version = 1.2.0\n"
 *              "abi = 1..1\n"
 *              "provides = com.example.greeter/1.2: greet = str(str)\n");
 * }
 * {@snippet :
 * PluginManifest m = PluginManifest.parse(text);
 * m.provides().getFirst().functions().getFirst();   // greet = str(str)
 * }
 *
 * @param id the plugin's id
 * @param version its version
 * @param abiMin the oldest ABI version it speaks
 * @param abiMax the newest
 * @param host the host versions it works with, if it says
 * @param description what it is, or empty
 * @param license its license, or empty
 * @param provides the interfaces it provides
 * @param requires the plugins it needs
 * @param other keys this host does not know, kept as written (a newer format's)
 */
public record PluginManifest(String id, Version version, int abiMin, int abiMax, Optional<VersionRange> host,
                             String description, String license, List<ProvidedInterface> provides,
                             List<Requirement> requires, Map<String, String> other) {

    /** The most text a manifest may hold, as dynload_plugin.h says. */
    public static final int MAX_TEXT = 65536;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** Copies the lists and the map: a manifest does not change. */
    public PluginManifest {
        provides = List.copyOf(provides);
        requires = List.copyOf(requires);
        other = Map.copyOf(other);
    }

    /**
     * {@return the interface this plugin provides under {@code id} at {@code major}, if it does}
     *
     * @param id the interface's id
     * @param major its major version
     */
    public Optional<ProvidedInterface> provided(String id, int major) {
        for (ProvidedInterface p : provides) {
            if (p.id().equals(id) && p.major() == major) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Parses manifest text, format 1.
     *
     * @param text the text
     * @return the manifest
     * @throws IllegalArgumentException naming the line and what is wrong with it
     */
    public static PluginManifest parse(String text) {
        if (text.length() > MAX_TEXT) {
            throw new IllegalArgumentException("the manifest holds " + text.length() + " characters, more than the "
                    + MAX_TEXT + " allowed");
        }
        Map<String, String> single = new LinkedHashMap<>();
        Map<String, String> other = new LinkedHashMap<>();
        List<ProvidedInterface> provides = new ArrayList<>();
        List<Requirement> requires = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "line " + (n + 1);
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(where + ": \"" + shorten(line) + "\" is not \"key = value\"");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            try {
                switch (key) {
                    case "id", "version", "abi", "host", "description", "license" -> {
                        if (single.putIfAbsent(key, value) != null) {
                            throw new IllegalArgumentException("\"" + key + "\" is given twice");
                        }
                    }
                    case "provides" -> provides.add(provided(value));
                    case "requires" -> requires.add(required(value));
                    default -> other.put(key, value);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + " (" + key + "): " + e.getMessage(), e);
            }
        }
        for (String key : List.of("id", "version", "abi")) {
            if (!single.containsKey(key)) {
                throw new IllegalArgumentException("the manifest has no \"" + key + "\" line");
            }
        }
        String id = single.get("id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("id \"" + shorten(id) + "\" must be letters, digits, '.', '-' and '_', "
                    + "at most 128, starting with a letter or digit");
        }
        Version version = Version.parse(single.get("version"));
        int[] abi = abi(single.get("abi"));
        Optional<VersionRange> host = single.containsKey("host") ? Optional.of(VersionRange.parse(single.get("host")))
                : Optional.empty();
        checkUnique(provides, requires, id);
        return new PluginManifest(id, version, abi[0], abi[1], host, single.getOrDefault("description", ""),
                single.getOrDefault("license", ""), provides, requires, other);
    }

    private static int[] abi(String value) {
        String[] parts = value.split("\\.\\.", -1);
        try {
            int min = number(parts[0].strip());
            int max = parts.length == 2 ? number(parts[1].strip()) : min;
            if (parts.length > 2 || min < 1 || max < min) {
                throw new NumberFormatException();
            }
            return new int[] {min, max};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("abi \"" + shorten(value) + "\" must be MIN..MAX, such as 1..1");
        }
    }

    /**
     * A number of the manifest: one to nine ASCII digits. {@link Integer#parseInt} alone would also take a
     * sign and the digits of other scripts ({@code ١..+1} read as {@code 1..1}).
     */
    private static int number(String text) {
        if (text.isEmpty() || text.length() > 9 || !Version.digits(text)) {
            throw new NumberFormatException(text);
        }
        return Integer.parseInt(text);
    }

    /** {@code com.example.greeter/1.2: greet = str(str); add = i32(i32, i32)}. */
    private static ProvidedInterface provided(String value) {
        int colon = value.indexOf(':');
        String head = colon < 0 ? value : value.substring(0, colon).strip();
        int slash = head.lastIndexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("\"" + shorten(head) + "\" must be ID/MAJOR.MINOR, such as "
                    + "com.example.greeter/1.2");
        }
        String id = head.substring(0, slash);
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("interface id \"" + shorten(id) + "\" must be letters, digits, '.', '-' "
                    + "and '_'");
        }
        String[] version = head.substring(slash + 1).split("\\.", -1);
        int major;
        int minor;
        try {
            major = number(version[0]);
            minor = version.length > 1 ? number(version[1]) : 0;
            if (version.length > 2 || major < 0 || minor < 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + shorten(head) + "\" must end in /MAJOR.MINOR, such as /1.2");
        }
        List<FunctionSignature> functions = colon < 0 ? List.of() : FunctionSignature.parseAll(value.substring(colon + 1));
        return new ProvidedInterface(id, major, minor, functions);
    }

    /** {@code com.example.base >=1.0.0 <2.0.0}: an id, then a range (any version if none). */
    private static Requirement required(String value) {
        String[] parts = value.split("\\s+", 2);
        if (!ID.matcher(parts[0]).matches()) {
            throw new IllegalArgumentException("\"" + shorten(parts[0]) + "\" is not a plugin id");
        }
        return new Requirement(parts[0], VersionRange.parse(parts.length > 1 ? parts[1] : "*"));
    }

    private static void checkUnique(List<ProvidedInterface> provides, List<Requirement> requires, String id) {
        for (int i = 0; i < provides.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (provides.get(i).id().equals(provides.get(j).id()) && provides.get(i).major() == provides.get(j).major()) {
                    throw new IllegalArgumentException("interface " + provides.get(i).id() + "/" + provides.get(i).major()
                            + " is provided twice");
                }
            }
        }
        for (Requirement r : requires) {
            if (r.pluginId().equals(id)) {
                throw new IllegalArgumentException("the plugin requires itself");
            }
        }
    }

    /** At most 60 characters of user text, control characters escaped, for messages. */
    static String shorten(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 60; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return s.length() > 60 ? b + "..." : b.toString();
    }
}
