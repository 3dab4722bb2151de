package dev.dynload.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/** SHA-256 in lower-case hex, as bundles name their files' contents; see {@link Sha256} for why not MessageDigest. */
public final class Hashes {

    private Hashes() {
    }

    /** {@return the SHA-256 of what {@code in} holds to its end, in lower-case hex} */
    public static String sha256(InputStream in) throws IOException {
        Sha256 digest = new Sha256();
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = in.read(buffer)) > 0) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** {@return the SHA-256 of {@code file}'s contents, in lower-case hex} */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    /** {@return the SHA-256 of {@code bytes}, in lower-case hex} */
    public static String sha256(byte[] bytes) {
        Sha256 digest = new Sha256();
        digest.update(bytes, 0, bytes.length);
        return HexFormat.of().formatHex(digest.digest());
    }
}
