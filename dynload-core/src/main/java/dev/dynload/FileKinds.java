package dev.dynload;

import java.util.HexFormat;

/** What kind of file a file is, from its first bytes, for the messages of {@link Diagnosis}. */
final class FileKinds {

    private FileKinds() {
    }

    /**
     * What a file that is no ELF file is, in words, from its first bytes: an archive, another platform's
     * binary, a class file, a script, text, or bytes that begin no known format.
     */
    static String describe(byte[] head, String text) {
        if (text.startsWith("!<arch>\n")) {
            return "is a static archive (.a), not a shared library; link it into one with "
                    + "gcc -shared -o libNAME.so -Wl,--whole-archive FILE.a -Wl,--no-whole-archive";
        }
        if (startsWith(head, 0x4d, 0x5a)) {
            return "is a Windows PE file (DLL or EXE), which this platform's loader cannot load";
        }
        if (startsWith(head, 0xcf, 0xfa, 0xed, 0xfe) || startsWith(head, 0xce, 0xfa, 0xed, 0xfe)
                || startsWith(head, 0xfe, 0xed, 0xfa, 0xcf) || startsWith(head, 0xfe, 0xed, 0xfa, 0xce)) {
            return "is a macOS Mach-O file, which this platform's loader cannot load";
        }
        if (startsWith(head, 0xca, 0xfe, 0xba, 0xbe)) {
            return "is a Java class file or a macOS universal binary, not a shared library";
        }
        if (text.startsWith("#!")) {
            return "is a script, not a shared library";
        }
        if (isText(head)) {
            String first = text.lines().findFirst().orElse("").strip();
            if (first.length() > 40) {
                first = first.substring(0, 40) + "...";
            }
            return "is a text file (it begins \"" + first + "\"), not a shared library";
        }
        int n = Math.min(head.length, 8);
        return "is not a shared library: it does not begin with the ELF magic 7f 45 4c 46 but with "
                + HexFormat.ofDelimiter(" ").formatHex(head, 0, n);
    }


    static boolean isText(byte[] head) {
        for (byte b : head) {
            int c = b & 0xff;
            if (c < 0x09 || (c > 0x0d && c < 0x20 && c != 0x1b) || c == 0x7f) {
                return false;
            }
        }
        return head.length > 0;
    }

    private static boolean startsWith(byte[] head, int... magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
