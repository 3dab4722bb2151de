package dev.dynload.plugin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default logger prints text from files and plugins so that it can neither forge lines nor drive the terminal. */
class PluginLoggerTest {

    /** What {@code run} printed on standard error. */
    private static String stderrOf(Runnable run) {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setErr(saved);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void controlFormatAndTagCharactersAreEscaped() {
        String tag = new String(Character.toChars(0xE0041)); // TAG LATIN CAPITAL LETTER A, beyond 16 bits
        String out = stderrOf(() -> PluginLogger.standardError().log("evil\nid", PluginLogger.Level.INFO,
                "line\r\n[host] ERROR: forged\u001b[31m red \u202e" + tag + " done\\"));
        assertEquals("[evil\\nid] INFO: line\\r\\n[host] ERROR: forged\\x1b[31m red \\u202e\\U000e0041 done\\\\"
                + System.lineSeparator(), out);
    }

    @Test
    void aFileNamedToForgeALineIsLoggedOnOneLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("lib\n[host] INFO: all good\u001b[2J.so"), "not a library");
        String out = stderrOf(() -> {
            PluginHost host = PluginHost.builder().folder(dir).build();
            host.start();
            host.stop();
        });
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.contains("lib\\n[host] INFO: all good\\x1b[2J.so"), out);
    }
}
