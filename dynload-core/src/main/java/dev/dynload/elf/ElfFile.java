package dev.dynload.elf;

import dev.dynload.internal.FileSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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
            DynamicReader.Names names = DynamicReader.Names.of(image);
            return new ElfCheck(problems, Optional.ofNullable(names.soname()), names.needed(), names.runPath(), names.rpath());
        }
    }

    private static ElfProblem asProblem(Path file, ElfFormatException e) {
        String detail = e.getMessage().startsWith(file + ": ")
                ? e.getMessage().substring(file.toString().length() + 2) : e.getMessage();
        return new ElfProblem(ElfProblem.Part.PROGRAM_HEADERS, detail);
    }

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

    private ElfFile(Path file, ElfHeader header, DynamicReader.Contents contents) {
        this(file, header, contents.soname(), contents.needed(), contents.runPath(), contents.rpath(), contents.symbols(),
                contents.versions());
        this.noDelete = (contents.flags1() & DF_1_NODELETE) != 0;
    }

    /** DT_FLAGS_1's DF_1_NODELETE: the loader never unloads the object. */
    private static final long DF_1_NODELETE = 0x8;
    private boolean noDelete;

    /**
     * {@return whether the library is marked never to be unloaded ({@code DF_1_NODELETE} in
     * {@code DT_FLAGS_1}, as {@code ld -z nodelete} marks it): the loader keeps it mapped after
     * {@code dlclose}}
     */
    public boolean noDelete() {
        return noDelete;
    }

    private ElfFile(Path file, ElfHeader header, String soname, List<String> needed, List<String> runPath,
                    boolean rpath, DynamicReader.Symbols symbols, VersionTables versions) {
        this.file = file;
        this.header = header;
        this.soname = soname;
        this.needed = List.copyOf(needed);
        this.runPath = List.copyOf(runPath);
        this.rpath = rpath;
        this.symbols = List.copyOf(symbols.exported());
        this.imports = List.copyOf(symbols.imported());
        Map<String, List<String>> required = new LinkedHashMap<>();
        if (versions != null) {
            for (Map.Entry<String, List<String>> e : versions.required().entrySet()) {
                required.put(e.getKey(), List.copyOf(e.getValue()));
            }
        }
        this.requiredVersions = Collections.unmodifiableMap(required);
        this.definedVersions = versions == null ? List.of() : List.copyOf(versions.defined());
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
            return HeaderReader.checked(file, HeaderReader.read(file, source.input())).header();
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
            DynamicReader.Contents contents = image.hasDynamic() ? DynamicReader.fromDynamic(image)
                    : new DynamicReader.SectionParser(image).parse();
            return new ElfFile(image.file, image.h.header(), contents);
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
            return DynamicReader.data(image, symbol, limit);
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


}
