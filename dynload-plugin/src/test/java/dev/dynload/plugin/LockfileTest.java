package dev.dynload.plugin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A lockfile pins the plugins a host runs by their files' SHA-256, in process and out of process. */
class LockfileTest {

    private static PluginHost.Builder host(Path folder, Path lockfile) {
        return PluginHost.builder().folder(folder).hostVersion("1.4.0").config("com.example.greeter.c", "greeting", "Hi")
                .lockfile(lockfile).logger((id, level, message) -> { });
    }

    private static Lockfile lock(Path folder, Path file) throws Exception {
        Lockfile l = Lockfile.of(PluginHost.builder().folder(folder).build().discover().plugins());
        l.write(file);
        return l;
    }

    @Test
    void pinnedPluginsRunAndTheFileReadsBackAsWritten(@TempDir Path dir) throws Exception {
        Path folder = PluginHostTest.folder(dir.resolve("plugins"), "greeter", "base");
        Path file = dir.resolve("plugins.lock");
        Lockfile written = lock(folder, file);
        assertEquals(List.of("com.example.base", "com.example.greeter.c"),
                written.entries().stream().map(Lockfile.Entry::id).toList());
        assertEquals(written.entries(), Lockfile.read(file).entries());
        assertTrue(Files.readString(file).contains("libgreeter.so\t"), Files.readString(file));
        for (Isolation where : List.of(Isolation.inProcess(), Isolation.process())) {
            try (PluginHost host = host(folder, file).isolate("com.example.greeter.c", where).build()) {
                host.start();
                Plugin g = host.plugin("com.example.greeter.c").orElseThrow();
                assertEquals(PluginState.STARTED, g.state(), () -> g.failure().orElse(""));
            }
        }
        assertEquals(List.of(), written.differences(Lockfile.read(file)));
    }

    @Test
    void anUnlistedPluginAndOtherBytesAreRefusedInProcessAndOut(@TempDir Path dir) throws Exception {
        Path folder = PluginHostTest.folder(dir.resolve("plugins"), "greeter", "base");
        Path file = dir.resolve("plugins.lock");
        Lockfile pinned = lock(folder, file);
        String greeterSha = pinned.entry("com.example.greeter.c").orElseThrow().sha256();
        // The greeter's file changed after it was pinned (a byte appended: the same plugin, other bytes).
        Files.write(folder.resolve("libgreeter.so"), new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        for (Isolation where : List.of(Isolation.inProcess(), Isolation.process())) {
            try (PluginHost host = host(folder, file).isolate("com.example.greeter.c", where).build()) {
                host.start();
                Plugin g = host.plugin("com.example.greeter.c").orElseThrow();
                assertEquals(PluginState.FAILED, g.state());
                String why = g.failure().orElseThrow();
                assertTrue(why.contains(greeterSha) && why.contains("dynload plugins --check " + file)
                        && why.contains("dynload plugins --lock " + file), where + ": " + why);
                assertEquals(PluginState.STARTED, host.plugin("com.example.base").orElseThrow().state());
            }
        }
        Files.writeString(file, "# only the greeter\n" + String.join("\t", "com.example.greeter.c", "1.2.0",
                "libgreeter.so", greeterSha) + "\n");
        try (PluginHost host = host(folder, file).build()) {
            host.start();
            Plugin base = host.plugin("com.example.base").orElseThrow();
            assertEquals(PluginState.FAILED, base.state());
            assertTrue(base.failure().orElseThrow().contains("is not listed in the lockfile " + file),
                    base.failure().orElseThrow());
        }
        List<String> differences = Lockfile.read(file).differences(Lockfile.of(PluginHost.builder().folder(folder)
                .build().discover().plugins()));
        assertEquals(2, differences.size(), differences.toString());
    }

    @Test
    void aDamagedLockfileIsRefusedWhenTheHostIsBuiltNamingItsLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("plugins.lock");
        Files.writeString(file, "# pins\ncom.example.base\t1.4.2\tlibbase.so\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PluginHost.builder().folder(dir).lockfile(file).build());
        assertTrue(e.getMessage().contains(file + ", line 2: it has 3 fields"), e.getMessage());
        Files.writeString(file, "\uFEFF# a byte-order mark and spaces are an editor's\n com.example.base \t1.4.2\t"
                + "libbase.so\t" + "0".repeat(64) + "\n");
        assertEquals("com.example.base", Lockfile.read(file).entries().get(0).id());
        Files.writeString(file, "com.example.base\t1.4.2\tlibbase.so\tnot-a-hash\n");
        e = assertThrows(IllegalArgumentException.class, () -> PluginHost.builder().folder(dir).lockfile(file).build());
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("is not a SHA-256"), e.getMessage());
        Path folderAsFile = Files.createDirectory(dir.resolve("a-folder"));
        assertThrows(IllegalArgumentException.class, () -> Lockfile.read(folderAsFile));
    }
}
