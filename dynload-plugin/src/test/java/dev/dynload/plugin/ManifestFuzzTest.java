package dev.dynload.plugin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged copies of a real plugin, its manifest's bytes changed at random or the file cut short: each
 * read gives a descriptor or a named PluginException, never another exception, a crash or a hang.
 */
class ManifestFuzzTest {

    @Test
    void damagedManifestsAreReadOrRefusedByName(@TempDir Path dir) throws IOException {
        byte[] original = Files.readAllBytes(PluginHostTest.PLUGINS.resolve("libgreeter.so"));
        int start = PluginHostTest.indexOf(original, "DLPMANI1".getBytes(StandardCharsets.US_ASCII));
        assertTrue(start > 0);
        int length = java.nio.ByteBuffer.wrap(original, start + 12, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        int end = start + 16 + length + 1; // the magic, format, length, text and NUL
        Random random = new Random(11);
        int read = 0;
        int refused = 0;
        Path file = dir.resolve("libmutant.so");
        for (int i = 0; i < 2000; i++) {
            byte[] copy = original.clone();
            if (i % 10 == 9) {
                copy = java.util.Arrays.copyOf(copy, random.nextInt(copy.length)); // cut short anywhere
            } else {
                for (int k = 1 + random.nextInt(4); k > 0; k--) {
                    int at = start + random.nextInt(Math.min(end, copy.length) - start);
                    copy[at] = switch (random.nextInt(4)) {
                        case 0 -> 0;
                        case 1 -> (byte) 0xff;
                        case 2 -> (byte) (copy[at] ^ (1 << random.nextInt(8)));
                        default -> (byte) random.nextInt(256);
                    };
                }
            }
            Files.write(file, copy);
            try {
                PluginDescriptor.read(file);
                read++;
            } catch (PluginException e) {
                assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
                refused++;
            }
        }
        assertTrue(read > 0 && refused > 0, read + " read, " + refused + " refused");
    }
}
