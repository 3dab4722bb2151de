package dev.dynload.internal;

import org.jspecify.annotations.Nullable;

/**
 * Text from outside (a file name, a symbol, a soname, a plugin's log message) made safe to print on one
 * line of a terminal or a log: a newline would forge a line, an escape sequence would drive the terminal,
 * a bidirectional or invisible format character (Unicode tag characters among them, which lie outside
 * the 16-bit range) would make the line read as something else. Each such code point, and the backslash
 * that starts the escapes, is shown as a visible escape; everything else is kept as it is.
 *
 * <p>The one escaper of dynload: the command line tool, the default plugin logger and core's messages
 * about names all use it.
 */
public final class Printable {

    private Printable() {
    }

    /** {@return {@code text} with control, format, separator and unpaired surrogate code points escaped} */
    public static String of(String text) {
        StringBuilder b = null;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            int width = Character.charCount(c);
            String escape = escape(c);
            if (escape != null && b == null) {
                b = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (b != null) {
                if (escape != null) {
                    b.append(escape);
                } else {
                    b.appendCodePoint(c);
                }
            }
            i += width;
        }
        return b == null ? text : b.toString();
    }

    private static @Nullable String escape(int c) {
        switch (c) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            case '\\':
                return "\\\\";
            default:
                break;
        }
        int type = Character.getType(c);
        boolean unsafe = type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.UNASSIGNED && c > 0xff;
        if (!unsafe) {
            return null;
        }
        if (c <= 0xff) {
            return String.format("\\x%02x", c);
        }
        return c <= 0xffff ? String.format("\\u%04x", c) : String.format("\\U%08x", c);
    }
}
