package dev.dynload.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A bundled file as it is read out of its jar: hashed as it goes and bounded by a size limit, so that a
 * small jar whose entry inflates to gigabytes (a zip bomb) is refused after the limit, without that much
 * memory or disk being used. Every reader of bundled files (the memory and cache paths, discovery of
 * bundled plugins, {@code dynload bundle}) reads through it.
 */
public final class BundledStream extends FilterInputStream {

    /** The system property that sets the limit, in bytes or with a {@code k}, {@code m} or {@code g} suffix. */
    public static final String LIMIT_PROPERTY = "dynload.bundles.maxFileSize";
    /** The limit when the property is not set: 512 MiB, above every common native library. */
    public static final long DEFAULT_LIMIT = 512L << 20;

    /** A bundled file longer than the limit. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;
        private final long limit;

        TooLargeException(long limit) {
            super("it holds more than " + describe(limit) + ", the limit for a bundled file");
            this.limit = limit;
        }

        /** {@return the limit it passed, in bytes} */
        public long limit() {
            return limit;
        }
    }

    private final long limit;
    private final Sha256 digest = new Sha256();
    private long size;
    /** Whether reading the jar failed: an IOException of whoever copies this stream is then the jar's. */
    private boolean readFailed;

    /** Reads {@code in} with the configured {@link #limit()}. */
    public BundledStream(InputStream in) {
        this(in, limit());
    }

    public BundledStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    /**
     * {@return the limit for one bundled file: {@value #LIMIT_PROPERTY}, or {@link #DEFAULT_LIMIT}}
     *
     * @throws IllegalArgumentException if the property is set to something that is not a size
     */
    public static long limit() {
        String value = System.getProperty(LIMIT_PROPERTY);
        if (value == null || value.isBlank()) {
            return DEFAULT_LIMIT;
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        int shift = switch (v.charAt(v.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        String digits = shift == 0 ? v : v.substring(0, v.length() - 1);
        try {
            if (!digits.matches("[0-9]{1,12}")) {
                throw new NumberFormatException(digits);
            }
            long n = Long.parseLong(digits);
            if (n <= 0 || n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException(digits);
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + LIMIT_PROPERTY + "=" + Printable.of(value) + " is not a size; give "
                    + "bytes, or a number with k, m or g, such as 2g");
        }
    }

    /** {@code 536870912} as {@code 512 MiB}, for messages. */
    public static String describe(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        return bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = in.read(b, off, (int) Math.min(len, Math.max(1, limit - size + 1)));
        } catch (IOException e) {
            readFailed = true;
            throw e;
        }
        if (n > 0) {
            size += n;
            if (size > limit) {
                throw new TooLargeException(limit);
            }
            digest.update(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        throw new IOException("a bundled file is read whole, to be hashed");
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** {@return whether a read of the underlying stream (the jar) threw, rather than what it was copied to} */
    public boolean readFailed() {
        return readFailed;
    }

    /** {@return the bytes read so far} */
    public long size() {
        return size;
    }

    /** {@return the SHA-256 of what was read, in lower-case hex; call once, at the end} */
    public String sha256() {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Reads to the end. {@return the SHA-256 of all of it} */
    public String drain() throws IOException {
        byte[] buffer = new byte[1 << 16];
        while (read(buffer, 0, buffer.length) >= 0) {
            // hashed as it goes
        }
        return sha256();
    }
}
