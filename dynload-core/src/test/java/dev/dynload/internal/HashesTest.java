package dev.dynload.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The SHA-256 bundles are checked with gives what the JDK's gives. */
class HashesTest {

    @Test
    void sha256AgreesWithTheJdksOnEveryLengthAroundTheBlockBoundaries() throws Exception {
        Random random = new Random(20261126);
        for (int length = 0; length <= 300; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            assertEquals(expected, Hashes.sha256(bytes), "length " + length);
            // Fed in pieces that straddle block boundaries, as a stream reads them.
            assertEquals(expected, Hashes.sha256(new ByteArrayInputStream(bytes) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    return super.read(b, off, Math.min(len, 7));
                }
            }), "length " + length + ", in pieces");
        }
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hashes.sha256(new byte[0]));
        byte[] large = new byte[1 << 20];
        random.nextBytes(large);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(large)), Hashes.sha256(large));
    }
}
