package dev.dynload.internal.posix;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A path's bytes as the operating system knows them, for the C calls that take a file name. */
public final class NativePaths {

    private NativePaths() {
    }

    /**
     * The bytes of an absolute path. {@link Path#toString()} loses the bytes of a name that is not valid in
     * the platform's encoding (a Latin-1 name on a UTF-8 system comes back with U+FFFD in it); the path's
     * URI keeps every byte, percent-encoded, so names the JDK can open can be opened here too.
     */
    public static byte[] bytes(Path absolute) {
        String text = absolute.toString();
        if (isAscii(text)) {
            return text.getBytes(StandardCharsets.US_ASCII); // the common case: ASCII is the same in every encoding
        }
        String raw = absolute.toUri().getRawPath();
        byte[] out = new byte[raw.length()];
        int n = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                out[n++] = (byte) Integer.parseInt(raw, i + 1, i + 3, 16);
                i += 2;
            } else {
                out[n++] = (byte) c;
            }
        }
        // toUri() marks a directory with a trailing '/'; the path itself has none.
        if (n > 1 && out[n - 1] == '/' && !text.endsWith("/")) {
            n--;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
