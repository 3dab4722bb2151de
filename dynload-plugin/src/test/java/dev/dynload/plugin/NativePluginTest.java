package dev.dynload.plugin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NativePlugin} on its own, below the host: the negotiation through {@code dynload_plugin_entry},
 * each lifecycle call's status, the interface tables, and what it says when a plugin refuses, answers
 * outside the offer, or is not the file its manifest was read from.
 */
class NativePluginTest {

    static final Path PLUGINS = Path.of(System.getProperty("dynload.test.native", "target/native")).resolve("plugins")
            .toAbsolutePath();

    @TempDir
    Path dir;

    private final List<String> logged = new ArrayList<>();

    private static PluginDescriptor descriptor(String file) {
        return PluginDescriptor.read(PLUGINS.resolve(file));
    }

    private HostServices services(PluginDescriptor d, NativePlugin n) {
        return HostServices.make(d, n.abi(), "1.0.0", (id, level, message) -> logged.add(level + " " + message),
                Map.of(), (id, major, minMinor) -> Optional.empty(), n.arena());
    }

    @Test
    void aPluginNegotiatesRunsItsLifecycleAndHandsOutItsTables() throws NativePlugin.Refused {
        PluginDescriptor d = descriptor("libbase.so");
        NativePlugin n = NativePlugin.load(d, "1.0.0");
        try {
            assertEquals(1, n.abi());
            HostServices s = services(d, n);
            n.init(s.struct());
            assertEquals(List.of("INFO init"), logged);
            n.start();
            MemorySegment base = n.getInterface("com.example.base", 1, 0).orElseThrow();
            assertTrue(base.byteSize() >= 8, "the table is sized by its own size field: " + base.byteSize());
            assertEquals(base.byteSize(), Integer.toUnsignedLong(base.get(ValueLayout.JAVA_INT, 0)));
            assertTrue(n.getInterface("com.example.nothing", 1, 0).isEmpty());
            assertTrue(n.getInterface("com.example.base", 2, 0).isEmpty(), "another major is another interface");
            assertEquals(0, n.stop());
            n.destroy();
            s.retire();
        } finally {
            n.unload();
        }
        assertTrue(!n.library().isOpen());
    }

    @Test
    void aRefusalIsReportedWithThePluginsOwnReason() {
        NativePlugin.Refused r = assertThrows(NativePlugin.Refused.class,
                () -> NativePlugin.load(descriptor("librefuses.so"), "1.0.0"));
        assertEquals("refused the host (ABI 1..1, status 1): this plugin needs host services that this host lacks",
                r.getMessage());
    }

    @Test
    void anAnswerOutsideTheOfferIsRefused() {
        NativePlugin.Refused r = assertThrows(NativePlugin.Refused.class,
                () -> NativePlugin.load(descriptor("libbad-answer.so"), "1.0.0"));
        assertTrue(r.getMessage().startsWith("answered ABI 2, outside the host's 1..1"), r.getMessage());
    }

    @Test
    void aFailedInitOrStartGivesItsStatus() throws NativePlugin.Refused {
        for (String[] c : new String[][] {{"libinit-fails.so", "init failed with status 3"},
                {"libstart-fails.so", "start failed with status 5"}}) {
            PluginDescriptor d = descriptor(c[0]);
            NativePlugin n = NativePlugin.load(d, "1.0.0");
            try {
                HostServices s = services(d, n);
                NativePlugin.Refused r = assertThrows(NativePlugin.Refused.class, () -> {
                    n.init(s.struct());
                    n.start();
                });
                assertEquals(c[1], r.getMessage());
                n.destroy();
                s.retire();
            } finally {
                n.unload();
            }
        }
    }

    @Test
    void aFileReplacedAfterItsManifestWasReadIsRefusedBeforeItsEntryRuns() throws IOException {
        Path file = Files.copy(PLUGINS.resolve("libbase.so"), dir.resolve("libswapped.so"));
        PluginDescriptor read = PluginDescriptor.read(file);
        Files.copy(PLUGINS.resolve("libgreeter-old.so"), file, StandardCopyOption.REPLACE_EXISTING);
        NativePlugin.Refused r = assertThrows(NativePlugin.Refused.class, () -> NativePlugin.load(read, "1.0.0"));
        assertTrue(r.getMessage().contains("(com.example.greeter.old 1.0.0) carries another manifest than the one "
                + "discovery read (com.example.base"), r.getMessage());
    }

    @Test
    void aFileThatDoesNotLoadIsSaidSo() throws IOException {
        Path file = Files.copy(PLUGINS.resolve("libbase.so"), dir.resolve("libgone.so"));
        PluginDescriptor read = PluginDescriptor.read(file);
        Files.delete(file);
        NativePlugin.Refused r = assertThrows(NativePlugin.Refused.class, () -> NativePlugin.load(read, "1.0.0"));
        assertTrue(r.getMessage().startsWith("does not load: ") && r.getMessage().contains("libgone.so"), r.getMessage());
    }

    @Test
    void aPluginsTextIsReadUpToItsNulAndNullIsNone() {
        assertTrue(NativePlugin.text(MemorySegment.NULL).isEmpty());
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(Optional.of("héllo"), NativePlugin.text(arena.allocateFrom("héllo")));
        }
    }
}
