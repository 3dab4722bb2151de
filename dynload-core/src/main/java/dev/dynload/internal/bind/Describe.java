package dev.dynload.internal.bind;

/** Short, printable renderings of user values for messages. */
final class Describe {

    private Describe() {
    }

    /** The string in quotes, at most 40 characters of it, control characters escaped. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        int n = Math.min(s.length(), 40);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append(s.length() > n ? "\"..." : "\"").toString();
    }
}
