package dev.dynload.plugin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Discovery and resolution against real plugin files, built by src/test/c/build.sh; nothing is loaded. */
class PluginHostTest {

    static final Path PLUGINS = Path.of(System.getProperty("dynload.test.native", "target/native"))
            .resolve("plugins").toAbsolutePath();

    /** A folder holding copies of the named test plugins. */
    static Path folder(Path dir, String... names) throws IOException {
        Files.createDirectories(dir);
        for (String n : names) {
            Files.copy(PLUGINS.resolve("lib" + n + ".so"), dir.resolve("lib" + n + ".so"));
        }
        return dir;
    }

    static Resolution resolve(Path dir, String... names) throws IOException {
        PluginHost host = PluginHost.builder().folder(folder(dir, names)).hostVersion("1.4.0").build();
        return host.resolve(host.discover());
    }

    @Test
    void aPluginsManifestIsReadFromItsFile() {
        PluginDescriptor d = PluginDescriptor.read(PLUGINS.resolve("libgreeter.so"));
        assertEquals("com.example.greeter.c", d.id());
        assertEquals(Version.parse("1.2.0"), d.version());
        assertEquals("Greets, in C", d.manifest().description());
        assertEquals("com.example.greeter/1.2", d.manifest().provides().getFirst().toString());
        assertEquals("[greet = str(str), add = i32(i32, i32), base_now = i64()]",
                d.manifest().provides().getFirst().functions().toString());
    }

    @Test
    void damagedManifestsAreNamedErrors() {
        assertReason("bad-magic", PluginException.Reason.BAD_MANIFEST, "does not start with DLPMANI1");
        assertReason("bad-format", PluginException.Reason.BAD_MANIFEST, "format 7, and this host reads format 1");
        assertReason("bad-parse", PluginException.Reason.BAD_MANIFEST, "no \"id\" line");
        assertReason("bad-utf8", PluginException.Reason.BAD_MANIFEST, "is not UTF-8");
        assertReason("oversized", PluginException.Reason.BAD_MANIFEST, "is oversized: 100000 bytes");
        assertReason("truncated", PluginException.Reason.BAD_MANIFEST, "is truncated");
        assertReason("no-nul", PluginException.Reason.BAD_MANIFEST, "has no NUL after");
        assertReason("none", PluginException.Reason.NOT_A_PLUGIN, "exports no dynload_plugin_manifest");
        assertEquals("com.example.damaged", PluginDescriptor.read(PLUGINS.resolve("libdamaged.so")).id(),
                "the hand-written manifest the damaged ones start from reads");
    }

    private static void assertReason(String name, PluginException.Reason reason, String part) {
        Path file = PLUGINS.resolve("lib" + name + ".so");
        PluginException e = assertThrows(PluginException.class, () -> PluginDescriptor.read(file));
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void filesThatAreNoLibrariesAreNamedErrors(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("libtext.so"), "not a library");
        byte[] plugin = Files.readAllBytes(PLUGINS.resolve("libgreeter.so"));
        Files.write(dir.resolve("libhalf.so"), java.util.Arrays.copyOf(plugin, plugin.length / 2));
        Files.createDirectory(dir.resolve("libfolder.so"));
        Discovery found = PluginHost.builder().folder(dir).build().discover();
        assertEquals(List.of(), found.plugins());
        assertEquals(3, found.problems().size(), found.problems().toString());
        for (PluginException e : found.problems()) {
            PluginException.Reason expected = e.file().getFileName().toString().equals("libfolder.so")
                    ? PluginException.Reason.UNREADABLE : PluginException.Reason.NOT_A_LIBRARY;
            assertEquals(expected, e.reason(), e.getMessage());
        }
    }

    @Test
    void dependenciesStartFirst(@TempDir Path dir) throws IOException {
        Resolution r = resolve(dir, "greeter", "base");
        assertEquals(List.of("com.example.base", "com.example.greeter.c"),
                r.startOrder().stream().map(PluginDescriptor::id).toList());
        assertEquals(Map.of(), r.problems());
    }

    @Test
    void eachUnusablePluginSaysWhyAndTheOthersGoOn(@TempDir Path dir) throws IOException {
        Resolution r = resolve(dir, "greeter", "base", "abi2", "host2", "cycle-a", "cycle-b", "needs-missing",
                "needs-newer", "needs-unusable", "damaged");
        // (every file here has a distinct id, so nothing is passed over)
        assertEquals(List.of("com.example.base", "com.example.damaged", "com.example.greeter.c"),
                r.startOrder().stream().map(PluginDescriptor::id).toList(), "dependencies first, else file name order");
        assertProblem(r, "com.example.future", "speaks plugin ABI 2..3 and this host 1..1");
        assertProblem(r, "com.example.next", "works with host versions >=2.0.0, and this host is 1.4.0");
        assertProblem(r, "com.example.cycle.a", "dependency cycle, com.example.cycle.a -> com.example.cycle.b -> com.example.cycle.a");
        assertProblem(r, "com.example.cycle.b", "dependency cycle");
        assertProblem(r, "com.example.lonely", "requires com.example.absent ^1.0.0, which is not in the plugin folders");
        assertProblem(r, "com.example.eager", "requires com.example.base >=2.0.0, and the plugin folders have version 1.4.2");
        assertProblem(r, "com.example.hopeful", "requires com.example.future, which cannot run: speaks plugin ABI 2..3");
        assertEquals(7, r.problems().size(), r.problems().toString());
    }

    private static void assertProblem(Resolution r, String id, String part) {
        String why = r.problems().get(id);
        assertTrue(why != null && why.contains(part), id + ": " + why);
    }

    @Test
    void anOlderCopyOfAPluginIsPassedOverSayingSo(@TempDir Path dir) throws IOException {
        Resolution r = resolve(dir, "greeter", "base", "base-old");
        assertEquals(List.of("com.example.base", "com.example.greeter.c"),
                r.startOrder().stream().map(PluginDescriptor::id).toList());
        assertEquals(Version.parse("1.4.2"), r.startOrder().getFirst().version());
        assertEquals(1, r.passedOver().size());
        assertTrue(r.passedOver().getFirst().contains("libbase-old.so (com.example.base 0.9.0) is passed over"),
                r.passedOver().getFirst());
    }

    @Test
    void aThousandPluginsAreDiscoveredWithoutLoadingAny(@TempDir Path dir) throws IOException {
        byte[] template = Files.readAllBytes(PLUGINS.resolve("libnumbered.so"));
        byte[] marker = "numbered.0000".getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(template, marker);
        assertTrue(at > 0);
        for (int i = 0; i < 1000; i++) {
            byte[] copy = template.clone();
            byte[] digits = String.format("%04d", i).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(digits, 0, copy, at + marker.length - 4, 4);
            Files.write(dir.resolve(String.format("libp%04d.so", i)), copy);
        }
        PluginHost host = PluginHost.builder().folder(dir).build();
        Discovery found = host.discover();
        assertEquals(List.of(), found.problems());
        assertEquals(1000, found.plugins().size());
        assertEquals(1000, found.plugins().stream().map(PluginDescriptor::id).distinct().count());
        assertEquals(1000, host.resolve(found).startOrder().size());
        String maps = Files.readString(Path.of("/proc/self/maps"));
        assertTrue(!maps.contains(dir.toString()), "no plugin file is mapped: discovery loads nothing");
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
