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

    /** A manifest is read from a macOS or Windows build of a plugin too; a scan here takes only this platform's. */
    @Test
    void anotherPlatformsPluginIsReadButNotScanned(@TempDir Path dir) throws IOException {
        for (String name : List.of("libportable.dylib", "portable.dll")) {
            Path file = PLUGINS.resolve(name);
            org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(file), name + " was not built: install "
                    + (name.endsWith(".dll") ? "gcc-mingw-w64-x86-64-win32" : "clang, lld and llvm")
                    + " (scripts/toolchains does, as root on Debian)");
            PluginManifest m = PluginDescriptor.read(file).manifest();
            assertEquals("com.example.portable", m.id(), name);
            assertEquals("2.1.0", m.version().toString(), name);
            Files.copy(file, dir.resolve(name));
        }
        Files.copy(PLUGINS.resolve("libbase.so"), dir.resolve("libbase.so"));
        Discovery found = PluginHost.builder().folder(dir).build().discover();
        assertEquals(List.of("com.example.base"), found.plugins().stream().map(PluginDescriptor::id).toList());
        assertEquals(List.of(), found.problems());
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

    /**
     * Writes {@code n} copies of the chain template, plugin i requiring plugin i + 1: the last one's
     * dependency is missing, or, with {@code cycle}, is the first plugin.
     */
    static Path chain(Path dir, int n, boolean cycle) throws IOException {
        byte[] template = Files.readAllBytes(PLUGINS.resolve("libchain.so"));
        int id = indexOf(template, "chain.00000\n".getBytes(StandardCharsets.US_ASCII)) + "chain.".length();
        int required = indexOf(template, "chain.00001 ".getBytes(StandardCharsets.US_ASCII)) + "chain.".length();
        assertTrue(id > 0 && required > 0);
        Files.createDirectories(dir);
        for (int i = 0; i < n; i++) {
            byte[] copy = template.clone();
            System.arraycopy(String.format("%05d", i).getBytes(StandardCharsets.US_ASCII), 0, copy, id, 5);
            int next = cycle ? (i + 1) % n : i + 1;
            System.arraycopy(String.format("%05d", next).getBytes(StandardCharsets.US_ASCII), 0, copy, required, 5);
            Files.write(dir.resolve(String.format("libchain%05d.so", i)), copy);
        }
        return dir;
    }

    @Test
    void aChainOfFiveThousandPluginsResolvesWithReasonsThatStayShort(@TempDir Path dir) throws IOException {
        PluginHost host = PluginHost.builder().folder(chain(dir, 5000, false)).build();
        Discovery found = host.discover();
        assertEquals(5000, found.plugins().size(), found.problems().toString());
        Resolution r = host.resolve(found); // was a StackOverflowError: resolution recursed once per link
        assertEquals(List.of(), r.startOrder());
        assertEquals(5000, r.problems().size());
        assertEquals("requires com.example.chain.05000 *, which is not in the plugin folders; add it",
                r.problems().get("com.example.chain.04999"));
        assertEquals("requires com.example.chain.04999, which cannot run: requires com.example.chain.05000 *, which "
                + "is not in the plugin folders; add it", r.problems().get("com.example.chain.04998"));
        assertEquals("requires com.example.chain.00001, which cannot run: it needs com.example.chain.04999, which "
                + "requires com.example.chain.05000 *, which is not in the plugin folders; add it",
                r.problems().get("com.example.chain.00000"), "the first cause, not the whole chain, nested");
        long total = r.problems().values().stream().mapToLong(String::length).sum();
        assertTrue(total < 5000 * 200, "reasons grow with the plugins, not with their square: " + total);
    }

    @Test
    void aCycleOfTwoThousandPluginsIsNamedInFewWordsPerPlugin(@TempDir Path dir) throws IOException {
        PluginHost host = PluginHost.builder().folder(chain(dir, 2000, true)).build();
        Resolution r = host.resolve(host.discover());
        assertEquals(2000, r.problems().size());
        String why = r.problems().get("com.example.chain.01234");
        assertTrue(why.startsWith("is in a dependency cycle, com.example.chain.00000 -> com.example.chain.00001 -> "
                + "com.example.chain.00002 -> com.example.chain.00003 -> ... (1993 more) -> com.example.chain.01997 -> "
                + "com.example.chain.01998 -> com.example.chain.01999 -> com.example.chain.00000 (2000 plugins)"), why);
        long total = r.problems().values().stream().mapToLong(String::length).sum();
        assertTrue(total < 2000 * 400, "a cycle is not spelled out for each of its members: " + total);
    }

    @Test
    void theNewestCopyThatCanRunRunsAndTheOthersArePassedOver(@TempDir Path dir) throws IOException {
        // abi2 is com.example.future 1.0.0 (ABI 2..3); future-old is a copy, 0.9.0, that speaks ABI 1 too.
        Path folder = folder(dir, "abi2", "needs-unusable");
        byte[] older = Files.readAllBytes(PLUGINS.resolve("libabi2.so"));
        int abi = indexOf(older, "abi = 2..3".getBytes(StandardCharsets.US_ASCII));
        int version = indexOf(older, "version = 1.0.0".getBytes(StandardCharsets.US_ASCII));
        assertTrue(abi > 0 && version > 0);
        System.arraycopy("abi = 1..3".getBytes(StandardCharsets.US_ASCII), 0, older, abi, 10);
        System.arraycopy("version = 0.9.0".getBytes(StandardCharsets.US_ASCII), 0, older, version, 15);
        Files.write(folder.resolve("libfuture-old.so"), older);
        PluginHost host = PluginHost.builder().folder(folder).hostVersion("1.4.0").build();
        Resolution r = host.resolve(host.discover());
        assertEquals(List.of("com.example.future", "com.example.hopeful"),
                r.startOrder().stream().map(PluginDescriptor::id).toList());
        assertEquals(Version.parse("0.9.0"), r.startOrder().getFirst().version(), "the older copy, which can run");
        assertEquals(Map.of(), r.problems());
        assertEquals(List.of(), r.cannotRun());
        assertEquals(1, r.passedOver().size());
        assertTrue(r.passedOver().getFirst().contains("libabi2.so (com.example.future 1.0.0) is passed over for "
                + folder.resolve("libfuture-old.so") + " (0.9.0), which this host can run: the one passed over speaks plugin "
                + "ABI 2..3"), r.passedOver().getFirst());
    }

    @Test
    void aFifoGivenAsThePluginFolderIsAProblemNotAHang(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("plugins");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        Discovery found = PluginHost.builder().folder(fifo, dir.resolve("missing")).build().discover();
        assertEquals(List.of(), found.plugins());
        assertEquals(2, found.problems().size());
        assertEquals(fifo + ": is not a folder; give the folder that holds the plugin files",
                found.problems().get(0).getMessage());
        assertTrue(found.problems().get(1).getMessage().contains("missing: does not exist"),
                found.problems().get(1).getMessage());
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
