package dev.dynload.plugin;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The manifest text format, versions and ranges, without files. */
class ManifestTest {

    @Test
    void aFullManifestParses() {
        PluginManifest m = PluginManifest.parse("""
                # comment
                id = com.example.greeter.c
                version = 1.2.0-beta.1+build.7
                abi = 1..2
                host = >=1.0.0 <2.0.0
                description = Greets
                license = MIT
                provides = com.example.greeter/1.2: greet = str(str); add = i32(i32, i32); tick = void()
                requires = com.example.base ^1.0.0
                requires = com.example.clock
                future-key = kept
                """);
        assertEquals("com.example.greeter.c", m.id());
        assertEquals(new Version(1, 2, 0, "beta.1", "build.7"), m.version());
        assertEquals(1, m.abiMin());
        assertEquals(2, m.abiMax());
        ProvidedInterface greeter = m.provided("com.example.greeter", 1).orElseThrow();
        assertEquals(2, greeter.minor());
        assertEquals(List.of(new FunctionSignature("greet", CType.STR, List.of(CType.STR)),
                new FunctionSignature("add", CType.I32, List.of(CType.I32, CType.I32)),
                new FunctionSignature("tick", CType.VOID, List.of())), greeter.functions());
        assertEquals("add = i32(i32, i32)", greeter.functions().get(1).toString());
        assertEquals(List.of("com.example.base ^1.0.0", "com.example.clock *"),
                m.requires().stream().map(Requirement::toString).toList());
        assertEquals("kept", m.other().get("future-key"), "a newer format's keys are kept and ignored");
        assertEquals(Optional.empty(), m.provided("com.example.greeter", 2));
    }

    @Test
    void eachMistakeNamesItsLineAndSaysWhatToWrite() {
        assertMessage("version = 1.0.0\nabi = 1..1\n", "no \"id\" line");
        assertMessage("id = a\nid = b\nversion = 1.0.0\nabi = 1..1\n", "line 2 (id): \"id\" is given twice");
        assertMessage("id = a\nversion = 1.0\nabi = 1..1\n", "write MAJOR.MINOR.PATCH");
        assertMessage("id = a\nversion = 1.0.0\nabi = 2..1\n", "must be MIN..MAX");
        assertMessage("id = a\nversion = 1.0.0\nabi = 1..1\nprovides = x/1.0: f = i128(i32)\n",
                "\"i128\" is not a result type");
        assertMessage("id = a\nversion = 1.0.0\nabi = 1..1\nprovides = x/1.0: f = i32(void, i32)\n",
                "\"void\" is not a parameter type");
        assertMessage("id = a\nversion = 1.0.0\nabi = 1..1\nprovides = x: f = i32()\n", "must be ID/MAJOR.MINOR");
        assertMessage("id = a\nversion = 1.0.0\nabi = 1..1\nrequires = b >=x\n", "is not a version range");
        assertMessage("id = a\nversion = 1.0.0\nabi = 1..1\nrequires = a\n", "requires itself");
        assertMessage("id = a b\nversion = 1.0.0\nabi = 1..1\n", "must be letters, digits");
        assertMessage("no equals sign here\n", "line 1: \"no equals sign here\" is not \"key = value\"");
    }

    @Test
    void manifestNumbersAreAsciiDigitsOnly() {
        // An Arabic-Indic one and a plus sign: Integer.parseInt takes both, and read this as 1..1.
        assertMessage("id = a\nversion = 1.0.0\nabi = \u0661..+1\n", "must be MIN..MAX");
        assertMessage("id = a\nversion = 1.0.0\nabi = +1..1\n", "must be MIN..MAX");
        assertMessage("id = a\nversion = 1.0.0\nabi = 1..1\nprovides = x/\u0661.0: f = i32()\n", "must end in /MAJOR.MINOR");
        assertMessage("id = a\nversion = 1.0.0\nabi = 1..1\nprovides = x/1.+2: f = i32()\n", "must end in /MAJOR.MINOR");
        assertMessage("id = a\nversion = \u0661.0.0\nabi = 1..1\n", "is not a version");
        assertEquals(1, PluginManifest.parse("id = a\nversion = 1.0.0\nabi = 1..1\n").abiMax());
    }

    private static void assertMessage(String text, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PluginManifest.parse(text));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void versionsOrderAsSemVerSays() {
        List<String> ordered = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0", "2.0.0");
        for (int i = 1; i < ordered.size(); i++) {
            assertTrue(Version.parse(ordered.get(i - 1)).compareTo(Version.parse(ordered.get(i))) < 0,
                    ordered.get(i - 1) + " < " + ordered.get(i));
        }
        assertEquals(0, Version.parse("1.0.0+a").compareTo(Version.parse("1.0.0+b")), "build metadata is ignored");
        assertTrue(Version.parse("1.0.0-1").compareTo(Version.parse("1.0.0-99999999999999999999")) < 0,
                "numeric identifiers of any length compare as numbers");
        assertTrue(VersionRange.parse(">=1.0.0-99999999999999999999").contains(Version.parse("1.0.0-100000000000000000000")));
        assertThrows(IllegalArgumentException.class, () -> Version.parse("01.0.0"));
        assertThrows(IllegalArgumentException.class, () -> Version.parse("1.0.0-01"));
    }

    @Test
    void rangesHoldWhatTheySay() {
        assertTrue(VersionRange.parse("^1.2.0").contains(Version.parse("1.9.9")));
        assertFalse(VersionRange.parse("^1.2.0").contains(Version.parse("2.0.0")));
        assertFalse(VersionRange.parse("^0.2.0").contains(Version.parse("0.3.0")), "^0.y is minor-bounded");
        assertTrue(VersionRange.parse("~1.2.0").contains(Version.parse("1.2.7")));
        assertFalse(VersionRange.parse("~1.2.0").contains(Version.parse("1.3.0")));
        assertTrue(VersionRange.parse(">=1.0.0 <2.0.0").contains(Version.parse("1.5.0")));
        assertTrue(VersionRange.parse("1.2.3").contains(Version.parse("1.2.3")));
        assertTrue(VersionRange.parse("*").contains(Version.parse("9.9.9")));
        assertFalse(VersionRange.parse(">=1.0.0").contains(Version.parse("2.0.0-beta")),
                "a pre-release needs a range that names one of its own version");
        assertTrue(VersionRange.parse(">=2.0.0-alpha").contains(Version.parse("2.0.0-beta")));
    }
}
