package dev.dynload.format;

/**
 * The three formats of native library files, each named for the platform whose loader reads it.
 *
 * {@snippet :
 * NativeFile.read(Path.of("libtest.so")).format();     // ELF
 * NativeFile.read(Path.of("libtest.dylib")).format();  // MACH_O
 * NativeFile.read(Path.of("test.dll")).format();       // PE
 * }
 */
public enum BinaryFormat {
    /** ELF: Linux and the other Unix systems; {@code libNAME.so}. */
    ELF("ELF", "linux"),
    /** Mach-O: macOS; {@code libNAME.dylib}, thin or universal. */
    MACH_O("Mach-O", "osx"),
    /** PE (Portable Executable): Windows; {@code NAME.dll}. */
    PE("PE", "windows");

    private final String displayName;
    private final String classifierOs;

    BinaryFormat(String displayName, String classifierOs) {
        this.displayName = displayName;
        this.classifierOs = classifierOs;
    }

    /** {@return the format's usual name: "ELF", "Mach-O" or "PE"} */
    public String displayName() {
        return displayName;
    }

    /**
     * {@return the operating system part of a bundle classifier for files of this format, as
     * os-maven-plugin spells it: {@code linux}, {@code osx} or {@code windows}}
     */
    public String classifierOs() {
        return classifierOs;
    }

    /**
     * The format a file's first bytes announce.
     *
     * @param head the file's first bytes, at least 8 of them for a sure answer
     * @return the format, or null when the bytes are none of the three (a Java class file included)
     */
    static BinaryFormat of(byte[] head) {
        if (head.length >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') {
            return ELF;
        }
        if (head.length >= 2 && head[0] == 'M' && head[1] == 'Z') {
            return PE;
        }
        if (head.length >= 4) {
            int le = (head[0] & 0xff) | (head[1] & 0xff) << 8 | (head[2] & 0xff) << 16 | (head[3] & 0xff) << 24;
            if (MachO.isThinMagic(le) || MachO.isThinMagic(Integer.reverseBytes(le))) {
                return MACH_O;
            }
            if (head.length >= 8 && MachO.isUniversal(head)) {
                return MACH_O;
            }
        }
        return null;
    }
}
