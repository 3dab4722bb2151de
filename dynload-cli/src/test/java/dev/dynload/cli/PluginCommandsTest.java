package dev.dynload.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dynload plugins} and {@code dynload plugin}, against the plugin module's test plugins. */
class PluginCommandsTest {

    static final Path PLUGINS = Path.of(System.getProperty("dynload.test.plugins",
            "../dynload-plugin/target/native/plugins")).toAbsolutePath();

    @Test
    void pluginShowsAManifestInFull() {
        DynloadToolTest.Run r = DynloadToolTest.run("plugin", PLUGINS.resolve("libgreeter.so").toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(String.join(System.lineSeparator(),
                "file: " + PLUGINS.resolve("libgreeter.so"),
                "format: ELF 64-bit x86-64 shared library (linux-x86_64)",
                "id: com.example.greeter.c",
                "version: 1.2.0",
                "abi: 1..1",
                "host: >=1.0.0 <2.0.0",
                "description: Greets, in C",
                "license: MIT",
                "provides com.example.greeter/1.2",
                "  greet = str(str)",
                "  add = i32(i32, i32)",
                "  base_now = i64()",
                "requires com.example.base ^1.0.0") + System.lineSeparator(), r.out());
    }

    @Test
    void pluginRefusesDamagedAndForeignFilesWithOneLine() {
        DynloadToolTest.Run bad = DynloadToolTest.run("plugin", PLUGINS.resolve("libtruncated.so").toString());
        assertEquals(ExitCode.BAD_LIBRARY.code(), bad.status());
        assertEquals(1, bad.errLines().size(), bad.err());
        assertTrue(bad.err().contains("its manifest is truncated"), bad.err());
        DynloadToolTest.Run none = DynloadToolTest.run("plugin", PLUGINS.resolve("libnone.so").toString());
        assertEquals(ExitCode.BAD_LIBRARY.code(), none.status());
        assertTrue(none.err().contains("is not a dynload plugin"), none.err());
        DynloadToolTest.Run missing = DynloadToolTest.run("plugin", PLUGINS.resolve("libabsent.so").toString());
        assertEquals(ExitCode.NOT_FOUND.code(), missing.status(), missing.err());
    }

    @Test
    void pluginsListsInStartOrderAndSaysWhatCannotRun(@TempDir Path dir) throws IOException {
        for (String n : new String[] {"greeter", "base", "needs-newer", "bad-magic"}) {
            Files.copy(PLUGINS.resolve("lib" + n + ".so"), dir.resolve("lib" + n + ".so"));
        }
        DynloadToolTest.Run r = DynloadToolTest.run("plugins", dir.toString());
        assertEquals(ExitCode.BAD_LIBRARY.code(), r.status(), r.err());
        String out = r.out();
        assertTrue(out.indexOf("com.example.base 1.4.2") < out.indexOf("com.example.greeter.c 1.2.0"), out);
        assertTrue(out.contains("  provides com.example.greeter/1.2 (3 functions)"), out);
        assertTrue(out.contains("  requires com.example.base ^1.0.0"), out);
        assertTrue(out.contains("  cannot run: requires com.example.base >=2.0.0"), out);
        assertTrue(out.contains("not a usable plugin: " + dir.resolve("libbad-magic.so")), out);
        assertEquals("2 plugins can run, 1 cannot, 1 file is not a usable plugin", r.err().strip());
    }

    @Test
    void pluginsShowsIsolationAndQuarantine(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectory(dir.resolve("plugins"));
        for (String n : new String[] {"greeter", "base", "hostile"}) {
            Files.copy(PLUGINS.resolve("lib" + n + ".so"), plugins.resolve("lib" + n + ".so"));
        }
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(plugins.resolve("libhostile.so"))));
        Path quarantine = Files.writeString(dir.resolve("quarantine.tsv"), "# a host's quarantine\n" + sha
                + "\tcom.example.hostile\t" + plugins.resolve("libhostile.so") + "\tcrashed 4 times within PT1H\n");
        DynloadToolTest.Run r = DynloadToolTest.run("plugins", "--isolate", "com.example.hostile",
                "--isolate", "com.example.base=shared", "--quarantine", quarantine.toString(), plugins.toString());
        assertEquals(ExitCode.BAD_LIBRARY.code(), r.status(), r.err());
        String out = r.out();
        assertTrue(out.contains("  runs out of process: process"), out);
        assertTrue(out.contains("  runs out of process: group shared"), out);
        assertTrue(out.contains("  runs in process"), out);
        assertTrue(out.contains("  quarantined (SHA-256 " + sha + "): crashed 4 times within PT1H"), out);
        assertEquals("2 plugins can run, 1 cannot, 0 files are not usable plugins", r.err().strip());
        DynloadToolTest.Run bad = DynloadToolTest.run("plugins", "--isolate", "=g", plugins.toString());
        assertEquals(ExitCode.USAGE.code(), bad.status(), bad.err());
    }

    @Test
    void pluginsLockPinsTheFilesAndCheckExitsFourOnAnyDifference(@TempDir Path dir) throws IOException {
        Path plugins = Files.createDirectory(dir.resolve("plugins"));
        for (String n : new String[] {"greeter", "base"}) {
            Files.copy(PLUGINS.resolve("lib" + n + ".so"), plugins.resolve("lib" + n + ".so"));
        }
        Path lock = dir.resolve("plugins.lock");
        DynloadToolTest.Run locked = DynloadToolTest.run("plugins", "--lock", lock.toString(), plugins.toString());
        assertEquals(0, locked.status(), locked.err());
        assertTrue(locked.err().contains("pinned 2 plugins in " + lock), locked.err());
        assertTrue(Files.readString(lock).contains("com.example.base\t1.4.2\tlibbase.so\t"), Files.readString(lock));
        DynloadToolTest.Run same = DynloadToolTest.run("plugins", "--check", lock.toString(), plugins.toString());
        assertEquals(0, same.status(), same.err());
        Files.write(plugins.resolve("libbase.so"), new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        Files.delete(plugins.resolve("libgreeter.so"));
        DynloadToolTest.Run changed = DynloadToolTest.run("plugins", "--check", lock.toString(), plugins.toString());
        assertEquals(ExitCode.BAD_LIBRARY.code(), changed.status(), changed.err());
        assertTrue(changed.out().contains("differs: com.example.base: libbase.so 1.4.2 has the SHA-256"), changed.out());
        assertTrue(changed.out().contains("differs: com.example.greeter.c 1.2.0: pinned, but not found"), changed.out());
        Files.writeString(lock, "damaged\n");
        DynloadToolTest.Run damaged = DynloadToolTest.run("plugins", "--check", lock.toString(), plugins.toString());
        assertEquals(ExitCode.BAD_LIBRARY.code(), damaged.status());
        assertTrue(damaged.err().contains(lock + ", line 1"), damaged.err());
    }

    @Test
    void pluginsListsAPassedOverCopyApartFromThoseThatCannotRun(@TempDir Path dir) throws IOException {
        for (String n : new String[] {"greeter", "base", "base-old"}) {
            Files.copy(PLUGINS.resolve("lib" + n + ".so"), dir.resolve("lib" + n + ".so"));
        }
        DynloadToolTest.Run r = DynloadToolTest.run("plugins", dir.toString());
        assertEquals(ExitCode.OK.code(), r.status(), r.err());
        assertTrue(!r.out().contains("cannot run"), r.out());
        assertTrue(r.out().contains("passed over: " + dir.resolve("libbase-old.so") + " (com.example.base 0.9.0) is "
                + "passed over for " + dir.resolve("libbase.so") + " (1.4.2), which is newer; remove one of them"), r.out());
        assertEquals("2 plugins can run, 0 cannot, 0 files are not usable plugins, 1 passed over", r.err().strip());
    }

    @Test
    void pluginsSaysOnStderrWhenAFolderCannotBeScannedOrHoldsNoPlugin(@TempDir Path dir) throws Exception {
        DynloadToolTest.Run missing = DynloadToolTest.run("plugins", dir.resolve("nonexistent").toString());
        assertEquals(ExitCode.NOT_FOUND.code(), missing.status());
        assertEquals("", missing.out());
        assertTrue(missing.errLines().getFirst().equals("dynload: " + dir.resolve("nonexistent") + ": does not exist; "
                + "give the folder that holds the plugin files"), missing.err());

        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        DynloadToolTest.Run pipe = DynloadToolTest.run("plugins", fifo.toString()); // used to block for ever
        assertEquals(ExitCode.NOT_FOUND.code(), pipe.status());
        assertTrue(pipe.err().contains(fifo + ": is not a folder"), pipe.err());

        Path top = dir.resolve("top");
        Files.createDirectories(top.resolve("c"));
        Files.copy(PLUGINS.resolve("libbase.so"), top.resolve("c/libbase.so"));
        DynloadToolTest.Run empty = DynloadToolTest.run("plugins", top.toString());
        assertEquals(ExitCode.NOT_FOUND.code(), empty.status());
        assertTrue(empty.err().contains("dynload: " + top + " holds no plugin file (*.so); subfolders are not scanned, "
                + "and " + top.resolve("c") + " holds some: give it as DIR"), empty.err());
    }

    @Test
    void pluginsResolvesAChainOfFiveThousandWithOutputThatGrowsLinearly(@TempDir Path dir) throws IOException {
        byte[] template = Files.readAllBytes(PLUGINS.resolve("libchain.so"));
        String text = new String(template, java.nio.charset.StandardCharsets.ISO_8859_1);
        int id = text.indexOf("chain.00000\n") + "chain.".length();
        int required = text.indexOf("chain.00001 ") + "chain.".length();
        for (int i = 0; i < 5000; i++) {
            byte[] copy = template.clone();
            System.arraycopy(String.format("%05d", i).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    0, copy, id, 5);
            System.arraycopy(String.format("%05d", i + 1).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    0, copy, required, 5);
            Files.write(dir.resolve(String.format("libchain%05d.so", i)), copy);
        }
        DynloadToolTest.Run r = DynloadToolTest.run("plugins", dir.toString()); // was exit 70, a stack overflow
        assertEquals(ExitCode.BAD_LIBRARY.code(), r.status(), r.err());
        assertEquals("0 plugins can run, 5000 cannot, 0 files are not usable plugins", r.err().strip());
        assertTrue(r.out().length() < 5000 * 400, "output grows with the plugins, not their square: "
                + r.out().length());
    }
}
