package dev.dynload.elf;

import dev.dynload.internal.FileSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What an ELF shared library says about itself: its header, its {@code SONAME}, the libraries it needs,
 * its run path and the symbols it exports; and, through {@link #verify(Path)}, whether the system loader
 * can be trusted with it. dynload reads it to explain load failures, to list exports and to check a file
 * before loading it; it never reads out of bounds, whatever the file holds, never blocks on a FIFO, and
 * any damage is an {@link ElfFormatException} or an {@link ElfProblem} that says where.
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
 * <p>A shared library is read the way the system loader reads it: the dynamic section through the program
 * headers, the symbols counted by the hash table that lookups use, so that what is listed is what
 * {@code dlsym} can find, even when the section headers are stripped or damaged. A file without a
 * dynamic segment (an object file) is read through its section headers.
 */
public final class ElfFile {

    /**
     * Checks a shared library as {@link #verify} does and reads the names its dependencies are found by,
     * in one read of the file: what a loader needs before it loads it.
     *
     * @param file the library
     * @return the problems, and the names when there is none
     * @throws ElfFormatException if it is not an ELF file at all
     * @throws IOException if it cannot be read
     */
    public static ElfCheck check(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileSource source = FileSource.open(file)) {
            ElfImage image;
            try {
                image = ElfImage.read(file, source.input());
            } catch (ElfFormatException e) {
                ElfProblem problem = asProblem(file, e);
                if (problem.detail().startsWith("not an ELF file") || problem.detail().startsWith("the ELF header is cut short")) {
                    throw e;
                }
                return new ElfCheck(List.of(problem), Optional.empty(), List.of(), List.of(), false);
            }
            List<ElfProblem> problems = ElfVerifier.verify(image);
            if (!problems.isEmpty() || !image.hasDynamic()) {
                return new ElfCheck(problems, Optional.empty(), List.of(), List.of(), false);
            }
            Names names = Names.of(image);
            return new ElfCheck(problems, Optional.ofNullable(names.soname), names.needed, names.runPath, names.rpath);
        }
    }

    /** The dynamic section's names: the soname, what it needs, its run path. */
    private record Names(String soname, List<String> needed, List<String> runPath, boolean rpath, ByteBuffer strings) {
        static Names of(ElfImage image) throws IOException {
            ElfReader in = image.in;
            Long strtab = image.value(ElfVerifier.DT_STRTAB);
            Long strsz = image.value(ElfVerifier.DT_STRSZ);
            ByteBuffer strings = strtab == null || strsz == null ? null : image.readAt(strtab, strsz);
            boolean names = !image.values(ElfVerifier.DT_NEEDED).isEmpty() || image.has(ElfVerifier.DT_SONAME)
                    || image.has(ElfVerifier.DT_SYMTAB);
            if (strings == null && names) {
                throw in.error("the dynamic string table (DT_STRTAB " + (strtab == null ? "missing" : ElfImage.hex(strtab))
                        + ", DT_STRSZ " + (strsz == null ? "missing" : strsz) + ") does not lie inside the file contents "
                        + "of a loadable segment");
            }
            List<String> needed = new ArrayList<>();
            for (long offset : image.values(ElfVerifier.DT_NEEDED)) {
                needed.add(in.string(strings, offset, "DT_NEEDED"));
            }
            List<String> runPath = new ArrayList<>();
            for (long offset : image.values(ElfVerifier.DT_RUNPATH)) {
                runPath.addAll(split(in.string(strings, offset, "DT_RUNPATH")));
            }
            boolean rpath = !image.has(ElfVerifier.DT_RUNPATH) && image.has(ElfVerifier.DT_RPATH);
            if (!image.has(ElfVerifier.DT_RUNPATH)) {
                for (long offset : image.values(ElfVerifier.DT_RPATH)) {
                    runPath.addAll(split(in.string(strings, offset, "DT_RPATH")));
                }
            }
            Long soname = image.value(ElfVerifier.DT_SONAME);
            return new Names(soname == null ? null : in.string(strings, soname, "DT_SONAME"), needed, runPath, rpath,
                    strings);
        }
    }

    private static ElfProblem asProblem(Path file, ElfFormatException e) {
        String detail = e.getMessage().startsWith(file + ": ")
                ? e.getMessage().substring(file.toString().length() + 2) : e.getMessage();
        return new ElfProblem(ElfProblem.Part.PROGRAM_HEADERS, detail);
    }

    private static final int SHT_STRTAB = 3;
    private static final int SHT_DYNAMIC = 6;
    private static final int SHT_DYNSYM = 11;
    private static final int SHN_UNDEF = 0;
    private static final int SHN_ABS = 0xfff1;

    private final Path file;
    private final ElfHeader header;
    private final String soname;
    private final List<String> needed;
    private final List<String> runPath;
    private final boolean rpath;
    private final List<ElfSymbol> symbols;
    private final List<ElfSymbol> imports;
    private final Map<String, List<String>> requiredVersions;
    private final List<String> definedVersions;

    private ElfFile(Path file, ElfHeader header, String soname, List<String> needed, List<String> runPath,
                    boolean rpath, Symbols symbols, VersionTables versions) {
        this.file = file;
        this.header = header;
        this.soname = soname;
        this.needed = List.copyOf(needed);
        this.runPath = List.copyOf(runPath);
        this.rpath = rpath;
        this.symbols = List.copyOf(symbols.exported);
        this.imports = List.copyOf(symbols.imported);
        Map<String, List<String>> required = new LinkedHashMap<>();
        if (versions != null) {
            for (Map.Entry<String, List<String>> e : versions.required().entrySet()) {
                required.put(e.getKey(), List.copyOf(e.getValue()));
            }
        }
        this.requiredVersions = Collections.unmodifiableMap(required);
        this.definedVersions = versions == null ? List.of() : List.copyOf(versions.defined());
    }

    /** The dynamic symbols, split into those the library exports and those it imports. */
    private record Symbols(List<ElfSymbol> exported, List<ElfSymbol> imported) {
        static final Symbols NONE = new Symbols(List.of(), List.of());
    }

    /**
     * Reads only the identification and the fixed fields of the header: enough to tell an ELF file's
     * word size, byte order, CPU and type, even when the rest is damaged.
     *
     * @param file the file
     * @return its header
     * @throws ElfFormatException if the file is not an ELF file, too short to hold a header, or claims more
     *                            program headers than the system loader can take
     * @throws IOException if the file cannot be read, or is not a regular file
     */
    public static ElfHeader readHeader(Path file) throws IOException {
        try (FileSource source = FileSource.open(file)) {
            return ElfImage.checked(file, ElfImage.header(file, source.input())).header();
        }
    }

    /**
     * Checks that the loader can map the file without reading past its end: the header, the program
     * header table and every loadable segment lie inside the file. The system loader maps segments
     * without checking this, and touching a mapped page past the end of a truncated file kills the
     * process with {@code SIGBUS}. {@link #verify(Path)} checks this and much more.
     *
     * @param file the file
     * @return its header
     * @throws ElfFormatException if the file is not an ELF file, or a table or segment runs past its end
     * @throws IOException if the file cannot be read, or is not a regular file
     */
    public static ElfHeader checkLoadable(Path file) throws IOException {
        try (FileSource source = FileSource.open(file)) {
            ElfImage image = ElfImage.read(file, source.input());
            for (ElfImage.Segment s : image.segments) {
                if ((s.type() == ElfImage.PT_LOAD || s.type() == ElfImage.PT_DYNAMIC) && (s.offset() < 0
                        || s.filesz() < 0 || s.offset() > image.in.size() || s.filesz() > image.in.size() - s.offset())) {
                    throw image.in.error((s.type() == ElfImage.PT_LOAD ? "loadable segment " : "dynamic segment ")
                            + s.index() + " (offset " + ElfImage.hex(s.offset()) + ", " + Long.toUnsignedString(s.filesz())
                            + " bytes) runs past the end of the file (" + image.in.size()
                            + " bytes): the file is truncated or damaged");
                }
            }
            return image.h.header();
        }
    }

    /**
     * Checks a shared library the way the system loader will use it, before any of its code can run: the
     * program headers it maps, the dynamic entries it reads, the hash, symbol and version tables it walks,
     * the relocations it applies and the initializers it calls. Each problem is one way a damaged or
     * hostile file would take the loading process down (a read or write outside the library, an assertion
     * that ends the process, a lookup that never ends).
     *
     * {@snippet :
     * List<ElfProblem> problems = ElfFile.verify(Path.of("libplugin.so"));
     * if (!problems.isEmpty()) {
     *     throw new IllegalStateException("damaged: " + problems);
     * }
     * }
     *
     * <p>What no reading of a file can promise: a library whose structure is sound may still do anything
     * once its code runs.
     *
     * @param file the library
     * @return every problem found, in the order the loader would meet them; empty when there is none
     * @throws ElfFormatException if the file is not an ELF file at all, or too short to hold its header
     * @throws IOException if the file cannot be read, or is not a regular file
     */
    public static List<ElfProblem> verify(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileSource source = FileSource.open(file)) {
            ElfImage image;
            try {
                image = ElfImage.read(file, source.input());
            } catch (ElfFormatException e) {
                ElfProblem problem = asProblem(file, e);
                if (problem.detail().startsWith("not an ELF file") || problem.detail().startsWith("the ELF header is cut short")) {
                    throw e;
                }
                return List.of(problem);
            }
            return ElfVerifier.verify(image);
        }
    }

    /**
     * Reads a whole ELF file's dynamic linking information.
     *
     * @param file the file
     * @return what it says about itself
     * @throws ElfFormatException if the file is not an ELF file, or is truncated or damaged
     * @throws IOException if the file cannot be read, or is not a regular file
     */
    public static ElfFile read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileSource source = FileSource.open(file)) {
            ElfImage image = ElfImage.read(file, source.input());
            return image.hasDynamic() ? fromDynamic(image) : new SectionParser(image).parse();
        }
    }

    /**
     * Reads an exported data object's bytes from the file, without loading it or running any of its
     * code. The object must be defined in the library, of data type, and lie in the file contents of a
     * loadable segment; everything read is bounded by the file and by {@code limit}.
     *
     * @param file the library
     * @param symbol the object's name
     * @param limit the most bytes to read; a larger object gives its first {@code limit} bytes
     * @return the object, when the library exports a data object of that name
     * @throws ElfFormatException if the file is not an ELF shared library, is damaged, or the object's
     *         bytes lie outside the file
     * @throws IOException if the file cannot be read
     */
    public static Optional<ElfData> readData(Path file, String symbol, int limit) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(symbol, "symbol");
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit " + limit);
        }
        try (FileSource source = FileSource.open(file)) {
            ElfImage image = ElfImage.read(file, source.input());
            ElfReader in = image.in;
            if (image.dynamicProblem != null) {
                throw in.error(image.dynamicProblem);
            }
            Optional<ByteBuffer> symbols = image.hasDynamic() ? dynamicSymbols(image) : Optional.empty();
            if (symbols.isEmpty()) {
                return Optional.empty();
            }
            ByteBuffer strings = Names.of(image).strings;
            ByteBuffer table = symbols.get();
            int entry = image.w64 ? 24 : 16;
            for (int at = entry; at + entry <= table.limit(); at += entry) {
                int info = Byte.toUnsignedInt(table.get(at + (image.w64 ? 4 : 12)));
                int shndx = Short.toUnsignedInt(table.getShort(at + (image.w64 ? 6 : 14)));
                int type = info & 0xf;
                if (type != 1 || shndx == SHN_UNDEF || shndx == SHN_ABS) {
                    continue; // not a defined data object (STT_OBJECT)
                }
                long name = Integer.toUnsignedLong(table.getInt(at));
                if (!in.string(strings, name, "dynamic symbol").equals(symbol)) {
                    continue;
                }
                long value = image.w64 ? table.getLong(at + 8) : Integer.toUnsignedLong(table.getInt(at + 4));
                long size = image.w64 ? table.getLong(at + 16) : Integer.toUnsignedLong(table.getInt(at + 8));
                long wanted = Long.compareUnsigned(size, limit) > 0 ? limit : size;
                ByteBuffer bytes = image.readAt(value, wanted);
                if (bytes == null) {
                    throw in.error("data object " + symbol + " (" + ElfImage.hex(value) + ", " + Long.toUnsignedString(size)
                            + " bytes) does not lie inside the file contents of a loadable segment");
                }
                return Optional.of(new ElfData(symbol, size, bytes.slice().asReadOnlyBuffer().order(in.order())));
            }
            return Optional.empty();
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
     * {@return whether {@link #runPath()} comes from {@code DT_RPATH} (the library has no
     * {@code DT_RUNPATH}): the loader searches those folders before {@code LD_LIBRARY_PATH}, and a
     * {@code DT_RUNPATH}'s after it}
     */
    public boolean runPathIsRpath() {
        return rpath;
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

    /**
     * The symbols it uses from other libraries: undefined in it, global or weak (a weak one may stay
     * missing), each name once, in table order. With immediate binding, the loader refuses the library if
     * a global one is defined nowhere.
     *
     * @return the imported functions and variables
     */
    public List<ElfSymbol> imports() {
        return imports;
    }

    /**
     * The symbol versions it needs from each library it names ({@code DT_VERNEED}), such as
     * {@code libc.so.6 -> [GLIBC_2.2.5, GLIBC_2.34]}: the loader refuses the library if a dependency does
     * not define one of them.
     *
     * @return the versions needed, by the {@code DT_NEEDED} name of the library that must define them
     */
    public Map<String, List<String>> requiredVersions() {
        return requiredVersions;
    }

    /** {@return the symbol versions it defines ({@code DT_VERDEF}), without its base version} */
    public List<String> definedVersions() {
        return definedVersions;
    }

    /**
     * An exported symbol by name.
     *
     * @param name the symbol's name, without version
     * @return the symbol, when the library exports it
     */
    public Optional<ElfSymbol> symbol(String name) {
        for (ElfSymbol s : symbols) {
            if (s.name().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "ElfFile[" + file + ", " + header.describe() + ", soname=" + soname + ", needed=" + needed + "]";
    }

    /** A shared library read as the loader reads it: through PT_DYNAMIC. */
    private static ElfFile fromDynamic(ElfImage image) throws IOException {
        ElfReader in = image.in;
        Names names = Names.of(image);
        ByteBuffer strings = names.strings;
        Optional<ByteBuffer> table = dynamicSymbols(image);
        Symbols symbols = table.isEmpty() ? Symbols.NONE : symbolTable(in, image.w64, table.get(), strings);
        return new ElfFile(image.file, image.h.header(), names.soname, names.needed, names.runPath, names.rpath, symbols,
                ElfVerifier.versions(image));
    }

    /**
     * The dynamic symbol table ({@code DT_SYMTAB}), as many entries as the hash table (or, failing that,
     * the section header) counts; empty when the library has none, or nothing counts it.
     *
     * @throws ElfFormatException if the table does not lie in the file contents of a loadable segment
     */
    private static Optional<ByteBuffer> dynamicSymbols(ElfImage image) throws IOException {
        Long symtab = image.value(ElfVerifier.DT_SYMTAB);
        if (symtab == null) {
            return Optional.empty();
        }
        long count = ElfVerifier.symbolCount(image);
        if (count < 0) {
            count = dynsymCountFromSections(image);
        }
        if (count <= 0) {
            return Optional.empty();
        }
        ByteBuffer table = image.readAt(symtab, count * (image.w64 ? 24 : 16));
        if (table == null) {
            throw image.in.error("the dynamic symbol table (DT_SYMTAB " + ElfImage.hex(symtab) + ", " + count
                    + " symbols) does not lie inside the file contents of a loadable segment");
        }
        return Optional.of(table);
    }

    /** The number of entries of {@code .dynsym} by its section header, for a library without hash table; or 0. */
    private static long dynsymCountFromSections(ElfImage image) {
        for (ElfImage.Section s : image.sections()) {
            if (s.type() == SHT_DYNSYM) {
                return s.size() / (image.w64 ? 24 : 16);
            }
        }
        return 0; // no readable section headers either: the symbols cannot be counted
    }

    private static List<String> split(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split(":")) {
            if (!p.isEmpty()) {
                parts.add(p);
            }
        }
        return parts;
    }

    private static Symbols symbolTable(ElfReader in, boolean w64, ByteBuffer table, ByteBuffer strings)
            throws IOException {
        int entry = w64 ? 24 : 16;
        Set<String> seen = new LinkedHashSet<>();
        Set<String> seenImports = new LinkedHashSet<>();
        List<ElfSymbol> symbols = new ArrayList<>();
        List<ElfSymbol> imports = new ArrayList<>();
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
                case 0 -> ElfSymbol.Kind.UNTYPED;
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
            } else if (shndx == SHN_UNDEF && (bind == 1 || bind == 2) && kind != null) {
                String n = in.string(strings, name, "dynamic symbol");
                if (!n.isEmpty() && seenImports.add(n)) {
                    imports.add(new ElfSymbol(n, kind, bind == 2, size));
                }
            }
        }
        return new Symbols(symbols, imports);
    }

    /** The walk through the section headers, for files without a dynamic segment (object files). */
    private static final class SectionParser {
        private final ElfImage image;
        private final ElfReader in;
        private final boolean w64;

        SectionParser(ElfImage image) {
            this.image = image;
            this.in = image.in;
            this.w64 = image.w64;
        }

        ElfFile parse() throws IOException {
            List<ElfImage.Section> sections = image.readSections();
            String soname = null;
            List<String> needed = new ArrayList<>();
            List<String> runPath = new ArrayList<>();
            List<String> rpath = new ArrayList<>();
            Symbols symbols = Symbols.NONE;
            // A file has one of each; a crafted file with thousands must not cost thousands of reads.
            ElfImage.Section dynamicSection = first(sections, SHT_DYNAMIC);
            ElfImage.Section symbolSection = first(sections, SHT_DYNSYM);
            if (dynamicSection != null) {
                ByteBuffer strings = strings(sections, dynamicSection, "dynamic section");
                ByteBuffer d = in.read(dynamicSection.offset(), dynamicSection.size(), "dynamic section");
                int entry = w64 ? 16 : 8;
                for (int at = 0; at + entry <= d.limit(); at += entry) {
                    long tag = w64 ? d.getLong(at) : d.getInt(at);
                    if (tag == ElfImage.DT_NULL) {
                        break;
                    }
                    long value = w64 ? d.getLong(at + 8) : Integer.toUnsignedLong(d.getInt(at + 4));
                    if (tag == ElfVerifier.DT_NEEDED) {
                        needed.add(in.string(strings, value, "DT_NEEDED"));
                    } else if (tag == ElfVerifier.DT_SONAME) {
                        soname = in.string(strings, value, "DT_SONAME");
                    } else if (tag == ElfVerifier.DT_RUNPATH) {
                        runPath.addAll(split(in.string(strings, value, "DT_RUNPATH")));
                    } else if (tag == ElfVerifier.DT_RPATH) {
                        rpath.addAll(split(in.string(strings, value, "DT_RPATH")));
                    }
                }
            }
            if (symbolSection != null) {
                ByteBuffer strings = strings(sections, symbolSection, "dynamic symbol table");
                symbols = symbolTable(in, w64, in.read(symbolSection.offset(), symbolSection.size(), "dynamic symbol table"),
                        strings);
            }
            return new ElfFile(image.file, image.h.header(), soname, needed, runPath.isEmpty() ? rpath : runPath,
                    runPath.isEmpty() && !rpath.isEmpty(), symbols, null);
        }

        private static ElfImage.Section first(List<ElfImage.Section> sections, int type) {
            for (ElfImage.Section s : sections) {
                if (s.type() == type) {
                    return s;
                }
            }
            return null;
        }

        private ByteBuffer strings(List<ElfImage.Section> sections, ElfImage.Section owner, String what)
                throws IOException {
            if (owner.link() <= 0 || owner.link() >= sections.size()) {
                throw in.error(what + " links to string table section " + owner.link() + ", which does not exist ("
                        + sections.size() + " sections)");
            }
            ElfImage.Section s = sections.get((int) owner.link());
            if (s.type() != SHT_STRTAB) {
                throw in.error(what + " links to section " + owner.link() + ", which is not a string table");
            }
            return in.read(s.offset(), s.size(), "string table of the " + what);
        }
    }
}
