package dev.dynload.format;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What Windows's loader trusts in a PE file's headers, section table, base relocations and TLS callbacks,
 * checked from the file alone.
 */
final class PeChecks {

    private PeChecks() {
    }

    /** The headers and the section table; {@code tableEnd} is where the section table ends in the file. */
    static void headers(Pe.Parsed p, long tableEnd, int magic) {
        if (p.plus != (p.machine == Pe.MACHINE_AMD64 || p.machine == Pe.MACHINE_ARM64
                || p.machine == Pe.MACHINE_RISCV64 || p.machine == Pe.MACHINE_LOONGARCH64) && Pe.cpu(p.machine) != Cpu.OTHER) {
            p.problem("optional header", (magic == 0x20b ? "a PE32+" : "a PE32") + " optional header for a "
                    + p.describe() + " file");
        }
        if (!powerOfTwo(p.fileAlignment) || p.fileAlignment < 512 || p.fileAlignment > 65536) {
            if (!(p.fileAlignment == p.sectionAlignment && powerOfTwo(p.fileAlignment))) {
                p.problem("optional header", "FileAlignment is " + p.fileAlignment + ", not a power of two from 512 "
                        + "to 65536");
            }
        }
        if (!powerOfTwo(p.sectionAlignment) || p.sectionAlignment < p.fileAlignment) {
            p.problem("optional header", "SectionAlignment is " + p.sectionAlignment
                    + ", not a power of two at least FileAlignment (" + p.fileAlignment + ")");
        }
        if (p.sizeOfHeaders < tableEnd) {
            p.problem("optional header", "SizeOfHeaders is " + p.sizeOfHeaders
                    + ", and the headers with the section table take " + tableEnd);
        }
        if (p.sectionAlignment != 0 && p.sizeOfImage % p.sectionAlignment != 0) {
            p.problem("optional header", "SizeOfImage " + Input.hex(p.sizeOfImage)
                    + " is not a multiple of SectionAlignment " + Input.hex(p.sectionAlignment));
        }
        long previousEnd = -1;
        for (Pe.Section s : p.sections) {
            String where = "section " + (s.name().isEmpty() ? "(unnamed)" : s.name());
            if (p.sectionAlignment != 0 && s.virtualAddress() % p.sectionAlignment != 0) {
                p.problem("section table", where + " at " + Input.hex(s.virtualAddress())
                        + " is not aligned to SectionAlignment " + Input.hex(p.sectionAlignment));
            }
            if (s.virtualAddress() < p.sizeOfHeaders) {
                p.problem("section table", where + " at " + Input.hex(s.virtualAddress())
                        + " lies inside the headers (" + p.sizeOfHeaders + " bytes)");
            }
            if (previousEnd >= 0 && s.virtualAddress() < previousEnd) {
                p.problem("section table", where + " at " + Input.hex(s.virtualAddress())
                        + " overlaps the section before it, which ends at " + Input.hex(previousEnd));
            }
            long end = s.virtualAddress() + s.span();
            if (end > p.sizeOfImage) {
                p.problem("section table", where + " ends at " + Input.hex(end) + ", past SizeOfImage "
                        + Input.hex(p.sizeOfImage));
            }
            previousEnd = Math.max(previousEnd, alignUp(end, p.sectionAlignment));
            if (s.rawSize() != 0 && !p.in.contains(s.rawPointer(), s.rawSize())) {
                p.problem("section table", where + " holds " + s.rawSize() + " bytes at file offset "
                        + Input.hex(s.rawPointer()) + ", past the end of the file (" + p.in.size() + " bytes)");
            }
        }
        for (int i = 0; i < p.directories.length; i++) {
            long[] d = p.directories[i];
            if (d[1] == 0 || i == Pe.DIR_SECURITY) {
                continue;
            }
            if (d[0] + d[1] > p.sizeOfImage) {
                p.problem("data directories", "the " + Pe.DIRECTORY_NAMES[i] + " directory (" + Input.hex(d[0])
                        + ", " + d[1] + " bytes) lies past SizeOfImage " + Input.hex(p.sizeOfImage));
            }
        }
        long[] security = p.directory(Pe.DIR_SECURITY);
        if (security[1] != 0 && !p.in.contains(security[0], security[1])) {
            p.problem("data directories", "the certificate table (file offset " + Input.hex(security[0]) + ", "
                    + security[1] + " bytes) lies past the end of the file");
        }
        if (p.entryPoint != 0) {
            Pe.Section s = p.sectionOf(p.entryPoint);
            if (s == null || !s.code()) {
                p.problem("optional header", "the entry point " + Input.hex(p.entryPoint) + " is not in a code section");
            }
        }
    }

    /** The base relocation blocks: each well formed, each target inside the image. */
    static void relocations(Pe.Parsed p) throws IOException {
        long[] d = p.directory(Pe.DIR_BASERELOC);
        if (d[1] == 0) {
            return;
        }
        ByteBuffer b = p.readRva(d[0], d[1], "base relocations");
        if (b == null) {
            p.problem("base relocations", "the table (" + Input.hex(d[0]) + ", " + d[1]
                    + " bytes) is not in the file contents of a section");
            return;
        }
        int at = 0;
        int width = p.plus ? 8 : 4;
        while (at + 8 <= b.limit()) {
            long page = Pe.u32(b, at);
            long size = Pe.u32(b, at + 4);
            if (size < 8 || size % 2 != 0 || size > b.limit() - at) {
                p.problem("base relocations", "the block at " + Input.hex(d[0] + at) + " is " + size
                        + " bytes, which is not an even count from 8 to the " + (b.limit() - at) + " left");
                return;
            }
            for (int e = at + 8; e + 2 <= at + size; e += 2) {
                int entry = b.getShort(e) & 0xffff;
                int type = entry >>> 12;
                long target = page + (entry & 0xfff);
                if (type == 0) {
                    continue; // padding
                }
                if (!knownRelocation(p.machine, type)) {
                    p.problem("base relocations", "an entry of type " + type + " at " + Input.hex(target)
                            + ", which a " + p.describe() + " image does not use");
                    return;
                }
                if (target + width > p.sizeOfImage) {
                    p.problem("base relocations", "an entry writes at " + Input.hex(target) + ", past SizeOfImage "
                            + Input.hex(p.sizeOfImage));
                    return;
                }
            }
            at += (int) size;
        }
    }

    /** The TLS directory's callbacks: each must be code of the image, as the loader calls them. */
    static void tls(Pe.Parsed p) throws IOException {
        long[] d = p.directory(Pe.DIR_TLS);
        if (d[1] == 0) {
            return;
        }
        int width = p.plus ? 8 : 4;
        ByteBuffer t = p.readRva(d[0], p.plus ? 40 : 24, "TLS directory");
        if (t == null) {
            p.problem("TLS", "the TLS directory at " + Input.hex(d[0]) + " is not in the file contents of a section");
            return;
        }
        long callbacks = p.plus ? t.getLong(24) : Pe.u32(t, 12);
        if (callbacks == 0) {
            return;
        }
        long rva = callbacks - p.imageBase;
        for (int i = 0; i < 1024; i++) {
            ByteBuffer slot = p.readRva(rva + (long) i * width, width, "TLS callback");
            if (slot == null) {
                p.problem("TLS", "the callback array at " + Input.hex(callbacks) + " is not in the file");
                return;
            }
            long va = p.plus ? slot.getLong(0) : Pe.u32(slot, 0);
            if (va == 0) {
                return;
            }
            Pe.Section s = p.sectionOf(va - p.imageBase);
            if (s == null || !s.code()) {
                p.problem("TLS", "callback " + i + " at " + Input.hex(va) + " is not in a code section");
            }
        }
        p.problem("TLS", "the callback array at " + Input.hex(callbacks) + " has no end within 1024 entries");
    }

    /**
     * Whether a base relocation type is one the machine's images use: HIGHLOW (3) and DIR64 (10)
     * everywhere; ARM's MOV32 (5) and THUMB_MOV32 (7); RISC-V's HIGH20, LOW12I and LOW12S (5, 7, 8);
     * LoongArch's MARK_LA (8). For a machine this reader does not name, every type is taken.
     */
    private static boolean knownRelocation(int machine, int type) {
        if (type == 3 || type == 10) {
            return true;
        }
        return switch (machine) {
            case Pe.MACHINE_AMD64, Pe.MACHINE_I386, Pe.MACHINE_ARM64 -> false;
            case Pe.MACHINE_ARMNT -> type == 5 || type == 7;
            case Pe.MACHINE_RISCV64 -> type == 5 || type == 7 || type == 8;
            case Pe.MACHINE_LOONGARCH64 -> type == 8;
            default -> true;
        };
    }

    static boolean powerOfTwo(long v) {
        return v > 0 && (v & (v - 1)) == 0;
    }

    private static long alignUp(long v, long alignment) {
        return alignment <= 1 || !powerOfTwo(alignment) ? v : (v + alignment - 1) & -alignment;
    }
}
