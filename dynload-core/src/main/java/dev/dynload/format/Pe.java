package dev.dynload.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * PE (Portable Executable), as Windows's loader reads it: the DOS stub's pointer to the PE header, the
 * COFF file header, the optional header with its data directories, and the section table. Field layouts
 * are those of Microsoft's PE format specification ({@code winnt.h}).
 */
final class Pe {

    static final int MACHINE_I386 = 0x14c;
    static final int MACHINE_AMD64 = 0x8664;
    static final int MACHINE_ARM64 = 0xaa64;
    static final int MACHINE_ARMNT = 0x1c4;
    static final int MACHINE_RISCV64 = 0x5064;
    static final int MACHINE_LOONGARCH64 = 0x6264;

    static final int FILE_EXECUTABLE_IMAGE = 0x0002;
    static final int FILE_DLL = 0x2000;

    static final int SCN_CNT_CODE = 0x20;
    static final int SCN_CNT_UNINITIALIZED_DATA = 0x80;
    static final int SCN_MEM_EXECUTE = 0x20000000;

    static final int DIR_EXPORT = 0;
    static final int DIR_IMPORT = 1;
    static final int DIR_SECURITY = 4;
    static final int DIR_BASERELOC = 5;
    static final int DIR_TLS = 9;
    static final int DIR_DELAY_IMPORT = 13;

    /** What each string read is charged beyond its bytes: the objects it becomes. */
    static final int STRING_COST = 64;
    /** The most sections Windows's loader takes. */
    static final int MAX_SECTIONS = 96;

    static final String[] DIRECTORY_NAMES = {"export", "import", "resource", "exception", "certificate",
            "base relocation", "debug", "architecture", "global pointer", "TLS", "load configuration",
            "bound import", "import address table", "delay import", "CLR runtime", "reserved"};

    private Pe() {
    }

    /** The processor of a COFF {@code Machine}. */
    static Cpu cpu(int machine) {
        return switch (machine) {
            case MACHINE_AMD64 -> Cpu.X86_64;
            case MACHINE_ARM64 -> Cpu.AARCH64;
            case MACHINE_I386 -> Cpu.X86;
            case MACHINE_ARMNT -> Cpu.ARM;
            case MACHINE_RISCV64 -> Cpu.RISCV64;
            case MACHINE_LOONGARCH64 -> Cpu.LOONGARCH64;
            default -> Cpu.OTHER;
        };
    }

    /** A section header. */
    record Section(String name, long virtualSize, long virtualAddress, long rawSize, long rawPointer, int flags) {
        /** How far the section reaches in memory: its virtual size, or its raw size when that is 0. */
        long span() {
            return virtualSize != 0 ? virtualSize : rawSize;
        }

        boolean containsRva(long rva) {
            return rva >= virtualAddress && rva - virtualAddress < span();
        }

        boolean code() {
            return (flags & (SCN_CNT_CODE | SCN_MEM_EXECUTE)) != 0;
        }
    }

    /** The headers of one PE file, read once; what is wrong but can be read past is in {@link #problems}. */
    static final class Parsed {
        final Input in;
        final int machine;
        final int characteristics;
        final boolean plus;
        final long imageBase;
        final long sectionAlignment;
        final long fileAlignment;
        final long sizeOfImage;
        final long sizeOfHeaders;
        final long entryPoint;
        final long[][] directories;
        final List<Section> sections = new ArrayList<>();
        final List<FormatProblem> problems = new ArrayList<>();

        Parsed(Input in, int machine, int characteristics, boolean plus, ByteBuffer optional, long[][] directories) {
            this.in = in;
            this.machine = machine;
            this.characteristics = characteristics;
            this.plus = plus;
            this.entryPoint = u32(optional, 16);
            this.imageBase = plus ? optional.getLong(24) : u32(optional, 28);
            this.sectionAlignment = u32(optional, 32);
            this.fileAlignment = u32(optional, 36);
            this.sizeOfImage = u32(optional, 56);
            this.sizeOfHeaders = u32(optional, 60);
            this.directories = directories;
        }

        void problem(String part, String detail) {
            if (problems.size() < MachO.MAX_PROBLEMS) {
                problems.add(new FormatProblem(part, detail));
            } else if (problems.size() == MachO.MAX_PROBLEMS) {
                problems.add(new FormatProblem("file", "more problems than " + MachO.MAX_PROBLEMS
                        + "; the rest are not listed"));
            }
        }

        /** {@return the section whose memory holds {@code rva}, or null} */
        Section sectionOf(long rva) {
            for (Section s : sections) {
                if (s.containsRva(rva)) {
                    return s;
                }
            }
            return null;
        }

        /**
         * Reads {@code length} bytes at an RVA, which must lie in the file contents of one section (or in
         * the headers); null when they do not.
         */
        ByteBuffer readRva(long rva, long length, String what) throws IOException {
            long offset = fileOffset(rva, length);
            return offset < 0 ? null : in.read(offset, length, what);
        }

        /** The file offset of {@code length} bytes at {@code rva}, or -1 when they are not all in the file. */
        long fileOffset(long rva, long length) {
            if (rva < 0 || length < 0) {
                return -1;
            }
            if (rva + length <= sizeOfHeaders && in.contains(rva, length)) {
                return rva;
            }
            Section s = sectionOf(rva);
            if (s == null) {
                return -1;
            }
            long within = rva - s.virtualAddress();
            if (within + length > Math.min(s.rawSize(), s.span())) {
                return -1;
            }
            long offset = s.rawPointer() + within;
            return in.contains(offset, length) ? offset : -1;
        }

        /**
         * Reads a NUL-terminated string at an RVA, up to 4 KiB; null when it does not lie in the file or has
         * no NUL within that.
         */
        String stringAt(long rva, String what) throws IOException {
            long offset = fileOffset(rva, 1);
            if (offset < 0) {
                return null;
            }
            Section s = sectionOf(rva);
            long room = s == null ? sizeOfHeaders - rva
                    : Math.min(s.rawSize(), s.span()) - (rva - s.virtualAddress());
            int length = (int) Math.min(Math.min(room, 4096), in.size() - offset);
            ByteBuffer b = in.peek(offset, length, what);
            for (int i = 0; i < b.limit(); i++) {
                if (b.get(i) == 0) {
                    // The bytes kept, and the objects a name becomes (a String, a symbol, a list slot).
                    in.spend(i + 1L + STRING_COST, what);
                    byte[] bytes = new byte[i];
                    b.get(0, bytes);
                    return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
                }
            }
            return null;
        }

        long[] directory(int index) {
            return index < directories.length ? directories[index] : new long[] {0, 0};
        }

        String describe() {
            return cpu(machine).displayName();
        }
    }

    /** Whether {@code in} begins with a DOS header pointing at a PE header; reads only a few bytes. */
    static Parsed parse(Input raw) throws IOException {
        Input in = raw.withOrder(ByteOrder.LITTLE_ENDIAN);
        if (in.size() < 0x40) {
            throw in.error("is " + in.size() + " bytes, too short for a DOS header (64 bytes)");
        }
        ByteBuffer dos = in.read(0, 0x40, "DOS header");
        long lfanew = u32(dos, 0x3c);
        if (!in.contains(lfanew, 24)) {
            throw in.error("is an MZ (DOS) file whose PE header pointer (e_lfanew " + Input.hex(lfanew)
                    + ") lies outside the file: a DOS program, or a damaged PE file");
        }
        ByteBuffer coff = in.read(lfanew, 24, "PE header");
        if (coff.getInt(0) != 0x00004550) {
            throw in.error("is an MZ (DOS) file without the PE signature at " + Input.hex(lfanew)
                    + ": a DOS program, or a damaged PE file");
        }
        int machine = coff.getShort(4) & 0xffff;
        int nsections = coff.getShort(6) & 0xffff;
        int optionalSize = coff.getShort(20) & 0xffff;
        int characteristics = coff.getShort(22) & 0xffff;
        long optionalAt = lfanew + 24;
        if (optionalSize < 2 || !in.contains(optionalAt, optionalSize)) {
            throw in.error("the optional header (" + optionalSize + " bytes at " + Input.hex(optionalAt)
                    + ") does not lie inside the file");
        }
        ByteBuffer optional = in.read(optionalAt, optionalSize, "optional header");
        int magic = optional.getShort(0) & 0xffff;
        if (magic != 0x10b && magic != 0x20b) {
            throw in.error("the optional header's magic is " + Input.hex(magic) + ", neither PE32 (0x10b) nor "
                    + "PE32+ (0x20b)");
        }
        boolean plus = magic == 0x20b;
        int fixed = plus ? 112 : 96;
        if (optionalSize < fixed) {
            throw in.error("the optional header is " + optionalSize + " bytes, shorter than the " + fixed
                    + " bytes of a " + (plus ? "PE32+" : "PE32") + " one without data directories");
        }
        long rvaCount = u32(optional, fixed - 4);
        long usable = Math.min(rvaCount, Math.min(16, (optionalSize - fixed) / 8));
        long[][] directories = new long[(int) usable][];
        for (int i = 0; i < usable; i++) {
            directories[i] = new long[] {u32(optional, fixed + 8 * i), u32(optional, fixed + 8 * i + 4)};
        }
        Parsed p = new Parsed(in, machine, characteristics, plus, optional, directories);
        if (rvaCount > 16) {
            p.problem("optional header", "NumberOfRvaAndSizes is " + rvaCount + "; there are 16 data directories");
        }
        if (fixed + rvaCount * 8 > optionalSize && rvaCount <= 16) {
            p.problem("optional header", "NumberOfRvaAndSizes is " + rvaCount + ", and the optional header of "
                    + optionalSize + " bytes holds " + (optionalSize - fixed) / 8);
        }
        long tableAt = optionalAt + optionalSize;
        if (nsections > MAX_SECTIONS) {
            p.problem("section table", nsections + " sections; the loader takes at most " + MAX_SECTIONS
                    + ", and only those are read");
        }
        int read = Math.min(nsections, MAX_SECTIONS);
        ByteBuffer table = in.readTable(tableAt, read, 40, "section table");
        for (int i = 0; i < read; i++) {
            int at = 40 * i;
            byte[] name = new byte[8];
            table.get(at, name);
            int len = 0;
            while (len < 8 && name[len] != 0) {
                len++;
            }
            p.sections.add(new Section(new String(name, 0, len, java.nio.charset.StandardCharsets.ISO_8859_1),
                    u32(table, at + 8), u32(table, at + 12), u32(table, at + 16), u32(table, at + 20),
                    table.getInt(at + 36)));
        }
        PeChecks.headers(p, tableAt + 40L * nsections, plus ? 0x20b : 0x10b);
        return p;
    }

    static long u32(ByteBuffer b, int at) {
        return Integer.toUnsignedLong(b.getInt(at));
    }
}
