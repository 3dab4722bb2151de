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
}
