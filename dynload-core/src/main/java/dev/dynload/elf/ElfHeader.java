package dev.dynload.elf;

import java.nio.ByteOrder;
import java.util.Locale;

/**
 * The fields of an ELF header that say what the file is and what it runs on.
 *
 * @param wordSize 32 or 64 ({@code EI_CLASS})
 * @param byteOrder the byte order ({@code EI_DATA})
 * @param machine the CPU ({@code e_machine}, such as 62 for x86-64)
 * @param type what the file is ({@code e_type})
 */
public record ElfHeader(int wordSize, ByteOrder byteOrder, int machine, ElfType type) {

    /** {@return the CPU's name: "x86-64", "AArch64"... or "machine N" for one this reader does not name} */
    public String machineName() {
        return switch (machine) {
            case 2 -> "SPARC";
            case 3 -> "x86 (i386)";
            case 8 -> "MIPS";
            case 20 -> "PowerPC";
            case 21 -> "PowerPC64";
            case 22 -> "IBM S/390";
            case 40 -> "ARM";
            case 43 -> "SPARC V9";
            case 62 -> "x86-64";
            case 183 -> "AArch64";
            case 243 -> "RISC-V";
            case 258 -> "LoongArch";
            default -> "machine " + machine;
        };
    }

    /** {@return the word size and CPU in words, such as "64-bit x86-64"} */
    public String describe() {
        return wordSize + "-bit " + machineName();
    }

    /**
     * The {@code e_machine} of code that runs on a JVM of the given {@code os.arch}.
     *
     * @param osArch a value of the {@code os.arch} system property, such as {@code amd64}
     * @return the machine number, or -1 when this reader does not know the architecture
     */
    public static int machineOf(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> 62;
            case "x86", "i386", "i486", "i586", "i686" -> 3;
            case "aarch64", "arm64" -> 183;
            case "arm" -> 40;
            case "riscv64" -> 243;
            case "ppc64", "ppc64le" -> 21;
            case "ppc" -> 20;
            case "s390x", "s390" -> 22;
            case "loongarch64" -> 258;
            case "sparcv9" -> 43;
            case "mips", "mips64", "mipsel", "mips64el" -> 8;
            default -> -1;
        };
    }
}
