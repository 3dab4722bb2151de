package dev.dynload.elf;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What an ELF shared library says about itself: its header, its {@code SONAME}, the libraries it needs,
 * its run path and the symbols it exports. dynload reads it to explain load failures and to list
 * exports; it never reads out of bounds, whatever the file holds, and any damage is an
 * {@link ElfFormatException} that says where.
 *
 * {@snippet lang=sh :
 * $ readelf -d /usr/lib/x86_64-linux-gnu/libz.so.1
 *  0x0000000000000001 (NEEDED)   Shared library: [libc.so.6]
 *  0x000000000000000e (SONAME)   Library soname: [libz.so.1]
 * }
 * {@snippet :
 * ElfFile elf = ElfFile.read(Path.of("/usr/lib/x86_64-linux-gnu/libz.so.1"));
 * elf.needed();                    // [libc.so.6]
 * elf.soname();                    // Optional[libz.so.1]
 * elf.header().describe();         // "64-bit x86-64"
 * elf.symbols();                   // [ElfSymbol[name=crc32, kind=FUNCTION, ...], ...]
 * }
 *
 * <p>The dynamic section and symbol table are found through the section headers; a file without them
 * (stripped with {@code sstrip}) is read through its program headers, where symbols are listed only when
 * the file has a SysV {@code DT_HASH} table to count them.
 */
public final class ElfFile {

    private static final int SHT_STRTAB = 3;
    private static final int SHT_DYNAMIC = 6;
    private static final int SHT_DYNSYM = 11;
    private static final int SHN_UNDEF = 0;
    private static final int SHN_ABS = 0xfff1;
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;
    private static final long DT_HASH = 4;
    private static final long DT_STRTAB = 5;
    private static final long DT_SYMTAB = 6;
    private static final long DT_STRSZ = 10;
    private static final long DT_SONAME = 14;
    private static final long DT_RPATH = 15;
    private static final long DT_RUNPATH = 29;

    private final Path file;
    private final ElfHeader header;
    private final String soname;
    private final List<String> needed;
    private final List<String> runPath;
    private final List<ElfSymbol> symbols;

    private ElfFile(Path file, ElfHeader header, String soname, List<String> needed, List<String> runPath,
                    List<ElfSymbol> symbols) {
        this.file = file;
        this.header = header;
        this.soname = soname;
        this.needed = List.copyOf(needed);
        this.runPath = List.copyOf(runPath);
        this.symbols = List.copyOf(symbols);
    }

    /**
     * Reads only the identification and the fixed fields of the header: enough to tell an ELF file's
     * word size, byte order, CPU and type, even when the rest is damaged.
     *
     * @param file the file
     * @return its header
     * @throws ElfFormatException if the file is not an ELF file or too short to hold a header
     * @throws IOException if the file cannot be read
     */
    public static ElfHeader readHeader(Path file) throws IOException {
        try (RandomAccessFile input = open(file)) {
            return header(file, input).header;
        }
    }

    /**
     * Checks that the loader can map the file without reading past its end: the header, the program
     * header table and every loadable segment lie inside the file. The system loader maps segments
     * without checking this, and touching a mapped page past the end of a truncated file kills the
     * process with {@code SIGBUS}.
     *
     * @param file the file
     * @return its header
     * @throws ElfFormatException if the file is not an ELF file, or a table or segment runs past its end
     * @throws IOException if the file cannot be read
     */
    public static ElfHeader checkLoadable(Path file) throws IOException {
        try (RandomAccessFile input = open(file)) {
            Parsed h = header(file, input);
            ElfReader in = new ElfReader(file, input, input.length(), h.header.byteOrder());
            if (!h.complete) {
                throw in.error("the ELF header is cut short: the file is only " + in.size() + " bytes");
            }
            new Parser(file, h, in).segments();
            return h.header;
        }
    }

    /**
     * Reads a whole ELF file's dynamic linking information.
     *
     * @param file the file
     * @return what it says about itself
     * @throws ElfFormatException if the file is not an ELF file, or is truncated or damaged
     * @throws IOException if the file cannot be read
     */
    public static ElfFile read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (RandomAccessFile input = open(file)) {
            Parsed h = header(file, input);
            return new Parser(file, h, new ElfReader(file, input, input.length(), h.header.byteOrder())).parse();
        }
    }

    /** {@return the file that was read} */
    public Path file() {
        return file;
    }

    /** {@return the header: word size, byte order, CPU, type} */
    public ElfHeader header() {
        return header;
    }

    /** {@return the library's {@code DT_SONAME}, the name the loader knows it by} */
    public Optional<String> soname() {
        return Optional.ofNullable(soname);
    }

    /** {@return the libraries it needs ({@code DT_NEEDED}), in the order the loader loads them} */
    public List<String> needed() {
        return needed;
    }

    /** {@return the folders of its {@code DT_RUNPATH}, else of its {@code DT_RPATH}, unexpanded} */
    public List<String> runPath() {
        return runPath;
    }

    /**
     * The symbols it exports: defined in the library (not absolute), global or weak, of default or
     * protected visibility, each name once, in table order.
     *
     * @return the exported functions and variables
     */
    public List<ElfSymbol> symbols() {
        return symbols;
    }

    @Override
    public String toString() {
        return "ElfFile[" + file + ", " + header.describe() + ", soname=" + soname + ", needed=" + needed + "]";
    }

    /** The header and where the tables are. */
    private record Parsed(ElfHeader header, long phoff, long shoff, int phentsize, int phnum, int shentsize,
                          int shnum, boolean complete) {
    }

    /*
     * RandomAccessFile rather than FileChannel: it is among the classes every JVM starts with, and
     * checkLoadable runs before every load, where a FileChannel costs milliseconds in a fresh JVM.
     */
    private static RandomAccessFile open(Path file) throws IOException {
        try {
            return new RandomAccessFile(file.toFile(), "r");
        } catch (java.io.FileNotFoundException e) {
            // java.io says "not found" for every failure to open; tell them apart as java.nio.file does.
            if (java.nio.file.Files.notExists(file)) {
                throw new java.nio.file.NoSuchFileException(file.toString());
            }
            if (java.nio.file.Files.isDirectory(file)) {
                throw new java.nio.file.FileSystemException(file.toString(), null, "Is a directory");
            }
            throw new java.nio.file.AccessDeniedException(file.toString(), null, e.getMessage());
        }
    }

    private static Parsed header(Path file, RandomAccessFile input) throws IOException {
        long size = input.length();
        byte[] bytes = new byte[(int) Math.min(size, 64)];
        int read = 0;
        input.seek(0);
        while (read < bytes.length) {
            int n = input.read(bytes, read, bytes.length - read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        ByteBuffer ident = ByteBuffer.wrap(bytes, 0, read).slice();
        if (ident.limit() < 4 || ident.get(0) != 0x7f || ident.get(1) != 'E' || ident.get(2) != 'L'
                || ident.get(3) != 'F') {
            throw new ElfFormatException(file, "not an ELF file: it does not begin with the magic 7f 45 4c 46");
        }
        if (ident.limit() < 20) {
            throw new ElfFormatException(file, "the ELF header is cut short: the file is only " + size + " bytes");
        }
        int wordSize = switch (ident.get(4)) {
            case 1 -> 32;
            case 2 -> 64;
            default -> throw new ElfFormatException(file, "invalid ELF class " + ident.get(4) + " (EI_CLASS)");
        };
        ByteOrder order = switch (ident.get(5)) {
            case 1 -> ByteOrder.LITTLE_ENDIAN;
            case 2 -> ByteOrder.BIG_ENDIAN;
            default -> throw new ElfFormatException(file, "invalid ELF byte order " + ident.get(5) + " (EI_DATA)");
        };
        ident.order(order);
        ElfHeader header = new ElfHeader(wordSize, order, Short.toUnsignedInt(ident.getShort(18)),
                ElfType.of(Short.toUnsignedInt(ident.getShort(16))));
        int headerSize = wordSize == 64 ? 64 : 52;
        if (ident.limit() < headerSize) {
            return new Parsed(header, 0, 0, 0, 0, 0, 0, false);
        }
        boolean w64 = wordSize == 64;
        long phoff = w64 ? ident.getLong(32) : Integer.toUnsignedLong(ident.getInt(28));
        long shoff = w64 ? ident.getLong(40) : Integer.toUnsignedLong(ident.getInt(32));
        int base = w64 ? 54 : 42;
        return new Parsed(header, phoff, shoff,
                Short.toUnsignedInt(ident.getShort(base)), Short.toUnsignedInt(ident.getShort(base + 2)),
                Short.toUnsignedInt(ident.getShort(base + 4)), Short.toUnsignedInt(ident.getShort(base + 6)), true);
    }

    /** The walk through sections or segments to the dynamic section and symbol table. */
    private static final class Parser {
        private final Path file;
        private final Parsed h;
        private final ElfReader in;
        private final boolean w64;

        private String soname;
        private final List<String> needed = new ArrayList<>();
        private final List<String> runPath = new ArrayList<>();
        private final List<String> rpath = new ArrayList<>();
        private final List<ElfSymbol> symbols = new ArrayList<>();

        Parser(Path file, Parsed h, ElfReader in) {
            this.file = file;
            this.h = h;
            this.in = in;
            this.w64 = h.header.wordSize() == 64;
        }

        ElfFile parse() throws IOException {
            if (!h.complete) {
                throw in.error("the ELF header is cut short: the file is only " + in.size() + " bytes");
            }
            if (h.shoff != 0) {
                segments();
                fromSections();
            } else {
                fromSegments();
            }
            return new ElfFile(file, h.header, soname, needed, runPath.isEmpty() ? rpath : runPath, symbols);
        }

        private int sectionEntrySize() {
            return w64 ? 64 : 40;
        }

        private void fromSections() throws IOException {
            int entry = sectionEntrySize();
            if (h.shentsize != entry) {
                throw in.error("section header entries are " + h.shentsize + " bytes, not " + entry);
            }
            long count = h.shnum;
            if (count == 0) {
                // Extended numbering: the real count is in section 0's sh_size.
                count = section(in.read(h.shoff, entry, "section header 0"), 0).size;
            }
            ByteBuffer table = in.readTable(h.shoff, count, entry, "section header table");
            List<Section> sections = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sections.add(section(table, i * entry));
            }
            // A library has one of each; a crafted file with thousands must not cost thousands of reads.
            Section dynamicSection = sections.stream().filter(s -> s.type == SHT_DYNAMIC).findFirst().orElse(null);
            Section symbolSection = sections.stream().filter(s -> s.type == SHT_DYNSYM).findFirst().orElse(null);
            if (dynamicSection == null && symbolSection == null) {
                // No section table to speak of (count 0, or sections stripped of these): use the segments.
                fromSegments();
                return;
            }
            if (dynamicSection != null) {
                ByteBuffer strings = strings(sections, dynamicSection, "dynamic section");
                dynamic(entries(in.read(dynamicSection.offset, dynamicSection.size, "dynamic section")), strings);
            }
            if (symbolSection != null) {
                ByteBuffer strings = strings(sections, symbolSection, "dynamic symbol table");
                symbolTable(in.read(symbolSection.offset, symbolSection.size, "dynamic symbol table"), strings);
            }
        }

        private ByteBuffer strings(List<Section> sections, Section owner, String what) throws IOException {
            if (owner.link <= 0 || owner.link >= sections.size()) {
                throw in.error(what + " links to string table section " + owner.link + ", which does not exist ("
                        + sections.size() + " sections)");
            }
            Section s = sections.get((int) owner.link);
            if (s.type != SHT_STRTAB) {
                throw in.error(what + " links to section " + owner.link + ", which is not a string table");
            }
            return in.read(s.offset, s.size, "string table of the " + what);
        }

        private record Section(int type, long offset, long size, long link) {
        }

        private Section section(ByteBuffer b, int at) {
            int type = b.getInt(at + 4);
            if (w64) {
                return new Section(type, b.getLong(at + 24), b.getLong(at + 32), Integer.toUnsignedLong(b.getInt(at + 40)));
            }
            return new Section(type, Integer.toUnsignedLong(b.getInt(at + 16)), Integer.toUnsignedLong(b.getInt(at + 20)),
                    Integer.toUnsignedLong(b.getInt(at + 24)));
        }

        /** A dynamic section entry: {@code d_tag} and {@code d_val}. */
        private record Dyn(long tag, long value) {
        }

        /** The dynamic section's entries, up to {@code DT_NULL}. */
        private List<Dyn> entries(ByteBuffer d) {
            int entry = w64 ? 16 : 8;
            List<Dyn> entries = new ArrayList<>();
            for (int at = 0; at + entry <= d.limit(); at += entry) {
                long tag = w64 ? d.getLong(at) : d.getInt(at);
                if (tag == DT_NULL) {
                    break;
                }
                entries.add(new Dyn(tag, w64 ? d.getLong(at + 8) : Integer.toUnsignedLong(d.getInt(at + 4))));
            }
            return entries;
        }

        private void dynamic(List<Dyn> entries, ByteBuffer strings) throws IOException {
            for (Dyn e : entries) {
                if (e.tag == DT_NEEDED) {
                    needed.add(in.string(strings, e.value, "DT_NEEDED"));
                } else if (e.tag == DT_SONAME) {
                    soname = in.string(strings, e.value, "DT_SONAME");
                } else if (e.tag == DT_RUNPATH) {
                    runPath.addAll(split(in.string(strings, e.value, "DT_RUNPATH")));
                } else if (e.tag == DT_RPATH) {
                    rpath.addAll(split(in.string(strings, e.value, "DT_RPATH")));
                }
            }
        }

        private static List<String> split(String path) {
            return Arrays.stream(path.split(":")).filter(s -> !s.isEmpty()).toList();
        }

        private void symbolTable(ByteBuffer table, ByteBuffer strings) throws IOException {
            int entry = w64 ? 24 : 16;
            Set<String> seen = new LinkedHashSet<>();
            for (int at = entry; at + entry <= table.limit(); at += entry) { // entry 0 is the null symbol
                long name = Integer.toUnsignedLong(table.getInt(at));
                int info = Byte.toUnsignedInt(table.get(at + (w64 ? 4 : 12)));
                int other = Byte.toUnsignedInt(table.get(at + (w64 ? 5 : 13)));
                int shndx = Short.toUnsignedInt(table.getShort(at + (w64 ? 6 : 14)));
                long size = w64 ? table.getLong(at + 16) : Integer.toUnsignedLong(table.getInt(at + 8));
                int bind = info >> 4;
                int visibility = other & 3;
                ElfSymbol.Kind kind = switch (info & 0xf) {
                    case 2, 10 -> ElfSymbol.Kind.FUNCTION;
                    case 1, 5 -> ElfSymbol.Kind.DATA;
                    case 6 -> ElfSymbol.Kind.THREAD_LOCAL;
                    default -> null;
                };
                // SHN_UNDEF is an import; SHN_ABS holds no address in the library (glibc's version names).
                boolean exported = shndx != SHN_UNDEF && shndx != SHN_ABS && (bind == 1 || bind == 2 || bind == 10)
                        && (visibility == 0 || visibility == 3) && kind != null;
                if (exported) {
                    String n = in.string(strings, name, "dynamic symbol");
                    if (!n.isEmpty() && seen.add(n)) {
                        symbols.add(new ElfSymbol(n, kind, bind == 2, size));
                    }
                }
            }
        }

        /** A program header: its type and where its bytes are in the file and in memory. */
        private record Segment(int type, long offset, long vaddr, long filesz) {
        }

        /** The program headers, each PT_LOAD and PT_DYNAMIC checked to lie inside the file. */
        List<Segment> segments() throws IOException {
            if (h.phoff == 0 || h.phnum == 0) {
                return List.of();
            }
            int entry = w64 ? 56 : 32;
            if (h.phentsize != entry) {
                throw in.error("program header entries are " + h.phentsize + " bytes, not " + entry);
            }
            ByteBuffer table = in.readTable(h.phoff, h.phnum, entry, "program header table");
            List<Segment> segments = new ArrayList<>();
            for (int i = 0; i < h.phnum; i++) {
                int at = i * entry;
                int type = table.getInt(at);
                long offset = w64 ? table.getLong(at + 8) : Integer.toUnsignedLong(table.getInt(at + 4));
                long vaddr = w64 ? table.getLong(at + 16) : Integer.toUnsignedLong(table.getInt(at + 8));
                long filesz = w64 ? table.getLong(at + 32) : Integer.toUnsignedLong(table.getInt(at + 16));
                if ((type == PT_LOAD || type == PT_DYNAMIC)
                        && (offset < 0 || filesz < 0 || offset > in.size() || filesz > in.size() - offset)) {
                    throw in.error((type == PT_LOAD ? "loadable segment " : "dynamic segment ") + i + " (offset "
                            + ElfReader.hex(offset) + ", " + Long.toUnsignedString(filesz)
                            + " bytes) runs past the end of the file (" + in.size()
                            + " bytes): the file is truncated or damaged");
                }
                segments.add(new Segment(type, offset, vaddr, filesz));
            }
            return segments;
        }

        /** The fallback for files without section headers: PT_DYNAMIC, addresses mapped through PT_LOAD. */
        private void fromSegments() throws IOException {
            List<Segment> all = segments();
            List<Segment> loads = all.stream().filter(s -> s.type == PT_LOAD).toList();
            Segment dynamic = all.stream().filter(s -> s.type == PT_DYNAMIC).findFirst().orElse(null);
            if (dynamic == null) {
                return;
            }
            List<Dyn> entries = entries(in.read(dynamic.offset, dynamic.filesz, "dynamic segment"));
            long strtab = value(entries, DT_STRTAB);
            long strsz = value(entries, DT_STRSZ);
            long symtab = value(entries, DT_SYMTAB);
            long hash = value(entries, DT_HASH);
            if (strtab < 0 || strsz < 0) {
                return;
            }
            ByteBuffer strings = in.read(fileOffset(loads, strtab, "DT_STRTAB"), strsz, "dynamic string table");
            dynamic(entries, strings);
            if (symtab >= 0 && hash >= 0) {
                ByteBuffer counts = in.read(fileOffset(loads, hash, "DT_HASH"), 8, "DT_HASH header");
                long nchain = Integer.toUnsignedLong(counts.getInt(4));
                int symEntry = w64 ? 24 : 16;
                symbolTable(in.readTable(fileOffset(loads, symtab, "DT_SYMTAB"), nchain, symEntry,
                        "dynamic symbol table"), strings);
            }
        }

        /** The value of the first entry with {@code tag}, or -1. */
        private static long value(List<Dyn> entries, long tag) {
            return entries.stream().filter(e -> e.tag == tag).mapToLong(Dyn::value).findFirst().orElse(-1);
        }

        private long fileOffset(List<Segment> loads, long address, String what) throws ElfFormatException {
            for (Segment load : loads) {
                long delta = address - load.vaddr;
                if (Long.compareUnsigned(address, load.vaddr) >= 0 && Long.compareUnsigned(delta, load.filesz) < 0) {
                    return load.offset + delta;
                }
            }
            throw in.error(what + " address " + ElfReader.hex(address) + " lies in no loadable segment");
        }
    }
}
