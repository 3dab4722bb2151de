package dev.dynload.format;

import java.util.Locale;

/**
 * The processors native files are built for, under one name whatever the format calls them: ELF's
 * {@code e_machine}, Mach-O's {@code cputype} and PE's {@code Machine} all map here.
 *
 * {@snippet :
 * Cpu.X86_64.classifierArch();   // "x86_64", as in the bundle classifier linux-x86_64
 * Cpu.AARCH64.classifierArch();  // "aarch_64"
 * Cpu.ofOsArch("amd64");         // X86_64: what os.arch says on a 64-bit Intel JVM
 * Cpu.current();                 // the processor this JVM runs on
 * }
 */
public enum Cpu {
    /** x86-64 (AMD64, Intel 64). */
    X86_64("x86-64", "x86_64"),
    /** 64-bit ARM (AArch64, arm64). */
    AARCH64("AArch64", "aarch_64"),
    /** 32-bit x86 (i386). */
    X86("x86", "x86_32"),
    /** 32-bit ARM. */
    ARM("ARM", "arm_32"),
    /** 64-bit RISC-V. */
    RISCV64("RISC-V 64", "riscv64"),
    /** 32-bit RISC-V. */
    RISCV32("RISC-V 32", "riscv32"),
    /** 64-bit PowerPC. */
    PPC64("PowerPC64", "ppc_64"),
    /** IBM Z (s390x). */
    S390X("IBM Z", "s390_64"),
    /** 31-bit IBM S/390. */
    S390("IBM S/390", "s390_32"),
    /** 64-bit LoongArch. */
    LOONGARCH64("LoongArch64", "loongarch_64"),
    /** A processor this reader does not name. */
    OTHER("another CPU", "unknown");

    private final String displayName;
    private final String classifierArch;

    Cpu(String displayName, String classifierArch) {
        this.displayName = displayName;
        this.classifierArch = classifierArch;
    }

    /** {@return the processor's usual name, such as "x86-64" or "AArch64"} */
    public String displayName() {
        return displayName;
    }

    /** {@return the architecture part of a bundle classifier, as os-maven-plugin spells it: "x86_64", "aarch_64"} */
    public String classifierArch() {
        return classifierArch;
    }

    /** {@return the processor this JVM runs on, or {@link #OTHER} for one this reader does not name} */
    public static Cpu current() {
        return ofOsArch(dev.dynload.internal.Host.arch());
    }

    /**
     * The processor a JVM whose {@code os.arch} is {@code osArch} runs on.
     *
     * @param osArch a value of the {@code os.arch} system property, such as {@code amd64} or {@code aarch64}
     * @return the processor, or {@link #OTHER} for one this reader does not name
     */
    public static Cpu ofOsArch(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x86-64", "x64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            case "x86", "i386", "i486", "i586", "i686" -> X86;
            case "arm", "arm32" -> ARM;
            case "riscv64" -> RISCV64;
            case "ppc64", "ppc64le" -> PPC64;
            case "s390x" -> S390X;
            case "riscv32" -> RISCV32;
            case "loongarch64" -> LOONGARCH64;
            default -> OTHER;
        };
    }

    /** The processor of an ELF {@code e_machine}, some of which serve two word sizes. */
    static Cpu ofElfMachine(int machine, int wordSize) {
        return switch (machine) {
            case 62 -> wordSize == 64 ? X86_64 : OTHER; // 32-bit x86-64 (x32) has no classifier
            case 183 -> wordSize == 64 ? AARCH64 : OTHER;
            case 3 -> X86;
            case 40 -> ARM;
            case 243 -> wordSize == 64 ? RISCV64 : RISCV32;
            case 21 -> PPC64;
            case 22 -> wordSize == 64 ? S390X : S390;
            case 258 -> LOONGARCH64;
            default -> OTHER;
        };
    }
}
