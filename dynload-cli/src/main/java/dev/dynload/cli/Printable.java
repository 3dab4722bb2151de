package dev.dynload.cli;

/**
 * Text from a file made safe to print: a symbol name or a soname may hold a newline (forging a line of
 * output) or an escape sequence (driving the terminal). Control characters, and the backslash that
 * introduces the escapes, are shown as visible escapes; everything else is printed as it is.
 */
final class Printable {

    private Printable() {
    }

    static String of(String text) {
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String escape = switch (c) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\\' -> "\\\\";
                default -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029'
                        || Character.getType(c) == Character.FORMAT
                        ? (c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c))
                        : null;
            };
            if (escape != null && b == null) {
                b = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (b != null) {
                if (escape != null) {
                    b.append(escape);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? text : b.toString();
    }
}
