package dev.dynload.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Mach-O, as macOS's loader (dyld) reads it: a thin file, or a universal ("fat") one holding a thin file
 * per architecture. Parses the header and load commands of one thin image once; {@link MachOImage} turns
 * that into symbols and problems.
 *
 * <p>Field layouts are those of {@code <mach-o/loader.h>}, {@code <mach-o/nlist.h>} and
 * {@code <mach-o/fat.h>}.
 */
final class MachO {

    static final int MH_MAGIC = 0xfeedface;
    static final int MH_MAGIC_64 = 0xfeedfacf;
    static final int FAT_MAGIC = 0xcafebabe;
    static final int FAT_MAGIC_64 = 0xcafebabf;

    static final int CPU_ARCH_ABI64 = 0x01000000;
    static final int CPU_TYPE_X86 = 7;
    static final int CPU_TYPE_ARM = 12;
    static final int CPU_TYPE_POWERPC = 18;

    static final int MH_OBJECT = 1;
    static final int MH_EXECUTE = 2;
    static final int MH_DYLIB = 6;
    static final int MH_BUNDLE = 8;
    static final int MH_TWOLEVEL = 0x80;

    static final int LC_REQ_DYLD = 0x80000000;
    static final int LC_SEGMENT = 0x1;
    static final int LC_SYMTAB = 0x2;
    static final int LC_DYSYMTAB = 0xb;
    static final int LC_LOAD_DYLIB = 0xc;
    static final int LC_ID_DYLIB = 0xd;
    static final int LC_SEGMENT_64 = 0x19;
    static final int LC_UUID = 0x1b;
    static final int LC_CODE_SIGNATURE = 0x1d;
    static final int LC_SEGMENT_SPLIT_INFO = 0x1e;
    static final int LC_LAZY_LOAD_DYLIB = 0x20;
    static final int LC_DYLD_INFO = 0x22;
    static final int LC_FUNCTION_STARTS = 0x26;
    static final int LC_DATA_IN_CODE = 0x29;
    static final int LC_DYLIB_CODE_SIGN_DRS = 0x2b;
    static final int LC_LINKER_OPTIMIZATION_HINT = 0x2e;
    static final int LC_LOAD_WEAK_DYLIB = 0x18 | LC_REQ_DYLD;
    static final int LC_RPATH = 0x1c | LC_REQ_DYLD;
    static final int LC_REEXPORT_DYLIB = 0x1f | LC_REQ_DYLD;
    static final int LC_DYLD_INFO_ONLY = 0x22 | LC_REQ_DYLD;
    static final int LC_LOAD_UPWARD_DYLIB = 0x23 | LC_REQ_DYLD;
    static final int LC_MAIN = 0x28 | LC_REQ_DYLD;
    static final int LC_DYLD_EXPORTS_TRIE = 0x33 | LC_REQ_DYLD;
    static final int LC_DYLD_CHAINED_FIXUPS = 0x34 | LC_REQ_DYLD;

    /** The most problems listed for one image: a file damaged everywhere says so without filling the heap. */
    static final int MAX_PROBLEMS = 200;
    /** A symbol's section is one byte ({@code n_sect}): no image addresses more sections. */
    static final int MAX_SECTIONS = 255;
    /** The most segments read: real images have fewer than twenty. */
    static final int MAX_SEGMENTS = 255;

    /** Section types whose contents are not in the file. */
    static final int S_ZEROFILL = 0x1;
    static final int S_GB_ZEROFILL = 0xc;
    static final int S_THREAD_LOCAL_REGULAR = 0x11;
    static final int S_THREAD_LOCAL_ZEROFILL = 0x12;
    static final int S_THREAD_LOCAL_VARIABLES = 0x13;
    static final int SECTION_TYPE = 0xff;
    static final int S_ATTR_PURE_INSTRUCTIONS = 0x80000000;
    static final int S_ATTR_SOME_INSTRUCTIONS = 0x400;

    private MachO() {
    }

    static boolean isThinMagic(int magic) {
        return magic == MH_MAGIC || magic == MH_MAGIC_64;
    }

    /**
     * Whether the first bytes are a universal header: its magic, big-endian, and a count of architectures
     * small enough that a Java class file (same magic, then its version, 45 or more) is not taken for one.
     */
    static boolean isUniversal(byte[] head) {
        int magic = ByteBuffer.wrap(head).order(ByteOrder.BIG_ENDIAN).getInt(0);
        int count = ByteBuffer.wrap(head).order(ByteOrder.BIG_ENDIAN).getInt(4);
        return (magic == FAT_MAGIC || magic == FAT_MAGIC_64) && count > 0 && count < 45;
    }

    /** The processor of a Mach-O {@code cputype}. */
    static Cpu cpu(int cputype) {
        return switch (cputype) {
            case CPU_TYPE_X86 | CPU_ARCH_ABI64 -> Cpu.X86_64;
            case CPU_TYPE_ARM | CPU_ARCH_ABI64 -> Cpu.AARCH64;
            case CPU_TYPE_X86 -> Cpu.X86;
            case CPU_TYPE_ARM -> Cpu.ARM;
            case CPU_TYPE_POWERPC | CPU_ARCH_ABI64 -> Cpu.PPC64;
            default -> Cpu.OTHER;
        };
    }

    /** The architecture's name as Apple's tools spell it: x86_64, arm64, arm64e, i386... */
    static String archName(int cputype, int cpusubtype) {
        int sub = cpusubtype & 0x00ffffff;
        return switch (cputype) {
            case CPU_TYPE_X86 | CPU_ARCH_ABI64 -> sub == 8 ? "x86_64h" : "x86_64";
            case CPU_TYPE_ARM | CPU_ARCH_ABI64 -> sub == 2 ? "arm64e" : "arm64";
            case CPU_TYPE_ARM | 0x02000000 -> "arm64_32";
            case CPU_TYPE_X86 -> "i386";
            case CPU_TYPE_ARM -> "arm";
            case CPU_TYPE_POWERPC -> "ppc";
            case CPU_TYPE_POWERPC | CPU_ARCH_ABI64 -> "ppc64";
            default -> "cputype " + cputype;
        };
    }

    /** A segment load command. */
    record Segment(String name, long vmaddr, long vmsize, long fileoff, long filesize, int maxprot, int initprot,
                   int command) {
        boolean containsAddress(long address, long length) {
            return Long.compareUnsigned(address, vmaddr) >= 0
                    && Long.compareUnsigned(address - vmaddr, vmsize) <= 0
                    && Long.compareUnsigned(length, vmsize - (address - vmaddr)) <= 0;
        }
    }

    /** A section of a segment. */
    record Section(String segment, String name, long addr, long size, long offset, int flags, int index) {
        boolean zeroFill() {
            int type = flags & SECTION_TYPE;
            return type == S_ZEROFILL || type == S_GB_ZEROFILL || type == S_THREAD_LOCAL_ZEROFILL;
        }

        boolean code() {
            return (flags & (S_ATTR_PURE_INSTRUCTIONS | S_ATTR_SOME_INSTRUCTIONS)) != 0;
        }

        boolean threadLocal() {
            int type = flags & SECTION_TYPE;
            return type == S_THREAD_LOCAL_REGULAR || type == S_THREAD_LOCAL_ZEROFILL || type == S_THREAD_LOCAL_VARIABLES;
        }

        boolean contains(long address) {
            return Long.compareUnsigned(address, addr) >= 0 && Long.compareUnsigned(address - addr, size) < 0;
        }
    }

    /** A library this one loads, with the command that names it. */
    record Dylib(String name, int command) {
    }

    /** A range of {@code __LINKEDIT} that a load command points at. */
    record LinkeditRange(String what, long offset, long size) {
    }

    /**
     * The header and load commands of one thin image, read and checked once. What is wrong but can be
     * read past is in {@link #problems}; what cannot is thrown.
     */
    static final class Parsed {
        final Input in;
        final boolean w64;
        final int cputype;
        final int cpusubtype;
        final int filetype;
        final int flags;
        final int headerSize;
        final long sizeofcmds;
        final List<FormatProblem> problems = new ArrayList<>();
        final List<Segment> segments = new ArrayList<>();
        final List<Section> sections = new ArrayList<>();
        final List<Dylib> dylibs = new ArrayList<>();
        final List<String> rpaths = new ArrayList<>();
        final List<LinkeditRange> linkedit = new ArrayList<>();
        String id;
        /** Whether segments past {@link #MAX_SEGMENTS} were met, and said so. */
        boolean tooManySegments;
        /** LC_SYMTAB: symoff, nsyms, stroff, strsize; null without one. */
        long[] symtab;
        /** LC_DYSYMTAB's fields after cmd and cmdsize; null without one. */
        long[] dysymtab;
        /** The export trie's offset and size; null without one. */
        long[] exportTrie;
        /** LC_DYLD_CHAINED_FIXUPS's offset and size; null without one. */
        long[] chainedFixups;

        private Parsed(Input in, boolean w64, ByteBuffer header) {
            this.in = in;
            this.w64 = w64;
            this.cputype = header.getInt(4);
            this.cpusubtype = header.getInt(8);
            this.filetype = header.getInt(12);
            this.flags = header.getInt(24);
            this.headerSize = w64 ? 32 : 28;
            this.sizeofcmds = Integer.toUnsignedLong(header.getInt(20));
        }

        void problem(String part, String detail) {
            if (problems.size() < MAX_PROBLEMS) {
                problems.add(new FormatProblem(part, detail));
            } else if (problems.size() == MAX_PROBLEMS) {
                problems.add(new FormatProblem("file", "more problems than " + MAX_PROBLEMS + "; the rest are not listed"));
            }
        }

        /** {@return the address the image's header is mapped at: the segment mapping file offset 0} */
        long base() {
            for (Segment s : segments) {
                if (s.fileoff == 0 && s.filesize > 0) {
                    return s.vmaddr;
                }
            }
            return 0;
        }

        /** Sections by address, for lookups in logarithmic time; made when first needed. */
        private Section[] byAddress;

        Section sectionAt(long address) {
            if (byAddress == null) {
                byAddress = sections.toArray(new Section[0]);
                java.util.Arrays.sort(byAddress, (a, b) -> Long.compareUnsigned(a.addr, b.addr));
            }
            int low = 0;
            int high = byAddress.length - 1;
            int found = -1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                if (Long.compareUnsigned(byAddress[mid].addr, address) <= 0) {
                    found = mid;
                    low = mid + 1;
                } else {
                    high = mid - 1;
                }
            }
            // The last section starting at or below the address, or the one before it when two overlap.
            for (int i = found; i >= 0 && i >= found - 1; i--) {
                if (byAddress[i].contains(address)) {
                    return byAddress[i];
                }
            }
            return null;
        }

        /** Segments by address, for lookups in logarithmic time; made when first needed. */
        private Segment[] segmentsByAddress;

        /** {@return the segment whose memory holds {@code address}, or null} */
        Segment segmentAt(long address) {
            if (segmentsByAddress == null) {
                segmentsByAddress = segments.stream().filter(s -> s.vmsize != 0).toArray(Segment[]::new);
                java.util.Arrays.sort(segmentsByAddress, (a, b) -> Long.compareUnsigned(a.vmaddr, b.vmaddr));
            }
            int low = 0;
            int high = segmentsByAddress.length - 1;
            int found = -1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                if (Long.compareUnsigned(segmentsByAddress[mid].vmaddr, address) <= 0) {
                    found = mid;
                    low = mid + 1;
                } else {
                    high = mid - 1;
                }
            }
            for (int i = found; i >= 0 && i >= found - 1; i--) {
                if (segmentsByAddress[i].containsAddress(address, 0)) {
                    return segmentsByAddress[i];
                }
            }
            return null;
        }

        Segment segment(String name) {
            for (Segment s : segments) {
                if (s.name.equals(name)) {
                    return s;
                }
            }
            return null;
        }

        String describe() {
            return archName(cputype, cpusubtype);
        }
    }

    /** The slices of a universal file; a thin file is one slice of itself. */
    record Slice(Input in, int cputype, int cpusubtype, String name) {
    }

    /**
     * Splits a file into its thin images: one for a thin file, one per architecture for a universal one.
     * What is wrong in the universal header goes to {@code problems}.
     */
    static List<Slice> slices(Input whole, List<FormatProblem> problems) throws IOException {
        ByteBuffer head = whole.withOrder(ByteOrder.BIG_ENDIAN).read(0, Math.min(8, whole.size()), "Mach-O header");
        int magic = head.limit() >= 4 ? head.getInt(0) : 0;
        if (magic != FAT_MAGIC && magic != FAT_MAGIC_64) {
            return List.of(new Slice(whole, 0, 0, ""));
        }
        if (head.limit() < 8) {
            throw whole.error("the universal header is cut short");
        }
        boolean fat64 = magic == FAT_MAGIC_64;
        int entry = fat64 ? 32 : 20;
        long count = Integer.toUnsignedLong(head.getInt(4));
        if (count > (whole.size() - 8) / entry) {
            throw whole.error("the universal header lists " + count + " architectures, more than fit in the file");
        }
        ByteBuffer table = whole.withOrder(ByteOrder.BIG_ENDIAN).readTable(8, count, entry, "universal header's architectures");
        List<Slice> slices = new ArrayList<>();
        List<long[]> ranges = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long headerEnd = 8 + count * entry;
        for (int i = 0; i < count; i++) {
            int at = i * entry;
            int cputype = table.getInt(at);
            int cpusubtype = table.getInt(at + 4);
            long offset = fat64 ? table.getLong(at + 8) : Integer.toUnsignedLong(table.getInt(at + 8));
            long size = fat64 ? table.getLong(at + 16) : Integer.toUnsignedLong(table.getInt(at + 12));
            long align = Integer.toUnsignedLong(table.getInt(at + (fat64 ? 24 : 16)));
            String name = archName(cputype, cpusubtype);
            String where = "architecture " + i + " (" + name + ")";
            if (!whole.contains(offset, size) || size < 28) {
                problems.add(new FormatProblem("universal header", where + " lies at " + Input.hex(offset) + " for "
                        + Long.toUnsignedString(size) + " bytes, outside the file (" + whole.size() + " bytes)"));
                continue;
            }
            if (Long.compareUnsigned(offset, headerEnd) < 0) {
                problems.add(new FormatProblem("universal header", where + " begins at " + Input.hex(offset)
                        + ", inside the universal header itself"));
            }
            if (align > 15) {
                problems.add(new FormatProblem("universal header", where + " asks for an alignment of 2^" + align
                        + "; the tools write at most 2^15"));
            } else if ((offset & ((1L << align) - 1)) != 0) {
                problems.add(new FormatProblem("universal header", where + " begins at " + Input.hex(offset)
                        + ", not on its alignment of 2^" + align));
            }
            if (!seen.add(((long) cputype << 32) | (cpusubtype & 0x00ffffffL))) {
                problems.add(new FormatProblem("universal header", where + " is listed twice"));
            }
            for (long[] r : ranges) {
                if (offset < r[0] + r[1] && r[0] < offset + size) {
                    problems.add(new FormatProblem("universal header", where + " overlaps another architecture's "
                            + "bytes at " + Input.hex(r[0])));
                    break;
                }
            }
            ranges.add(new long[] {offset, size});
            slices.add(new Slice(whole.slice(offset, size, ByteOrder.LITTLE_ENDIAN, name + " slice"), cputype,
                    cpusubtype, name));
        }
        if (slices.isEmpty()) {
            throw whole.error("the universal file holds no architecture that lies inside it");
        }
        return slices;
    }

    /** Parses a thin image's header and load commands. */
    static Parsed parse(Slice slice) throws IOException {
        Input raw = slice.in();
        if (raw.size() < 28) {
            throw raw.error("is " + raw.size() + " bytes, too short for a Mach-O header (28 bytes)");
        }
        int le = raw.withOrder(ByteOrder.LITTLE_ENDIAN).read(0, 4, "Mach-O magic").getInt(0);
        ByteOrder order;
        if (isThinMagic(le)) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (isThinMagic(Integer.reverseBytes(le))) {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            throw raw.error("does not begin with a Mach-O magic number but with " + Input.hex(Integer.toUnsignedLong(le)));
        }
        Input in = raw.withOrder(order);
        int magic = isThinMagic(le) ? le : Integer.reverseBytes(le);
        boolean w64 = magic == MH_MAGIC_64;
        ByteBuffer header = in.read(0, w64 ? 32 : 28, "Mach-O header");
        Parsed p = new Parsed(in, w64, header);
        if (slice.cputype() != 0 && (p.cputype != slice.cputype())) {
            p.problem("universal header", "the universal header lists this slice as " + slice.name()
                    + ", and its own header says " + p.describe());
        }
        long ncmds = Integer.toUnsignedLong(header.getInt(16));
        if (p.sizeofcmds > in.size() - p.headerSize) {
            throw in.error("the load commands (" + p.sizeofcmds + " bytes) run past the end of the file ("
                    + in.size() + " bytes)");
        }
        ByteBuffer cmds = in.read(p.headerSize, p.sizeofcmds, "load commands");
        LoadCommands.read(p, cmds, ncmds);
        return p;
    }
}
