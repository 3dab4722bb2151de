package dev.dynload.format;

import dev.dynload.internal.FileSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * A native library file of any platform, read without loading it or running any of its code: an ELF
 * shared object, a Mach-O dynamic library or bundle (thin, or one architecture of a universal file), or a
 * PE DLL. What the three formats share is here under one name; the format-specific parts are in the
 * format's own terms ({@link #needed()} is {@code DT_NEEDED}, {@code LC_LOAD_DYLIB} or the import
 * directory).
 *
 * {@snippet :
 * NativeFile lib = NativeFile.read(Path.of("natives/osx-aarch_64/libtest.dylib"));
 * lib.format();      // MACH_O
 * lib.cpu();         // AARCH64
 * lib.name();        // Optional[@rpath/libtest.dylib]
 * lib.needed();      // [/usr/lib/libSystem.B.dylib]
 * lib.searchPath();  // [@loader_path]
 * lib.export("greet");  // Optional[NativeSymbol[name=greet, kind=FUNCTION, library=null]]
 *
 * NativeFile.verify(Path.of("test.dll"));   // [] for a sound file
 * }
 *
 * The same library in C, built three ways:
 * {@snippet lang=sh :
 * gcc -shared -fPIC -o libtest.so test.c                              # ELF
 * clang --target=arm64-apple-macos11 -shared -o libtest.dylib test.c  # Mach-O
 * x86_64-w64-mingw32-gcc -shared -o test.dll test.c                   # PE
 * }
 *
 * <p>Every read is bounded by the file: a damaged or hostile file gives a {@link FormatException} or
 * problems from {@link #verify}, never another exception or a crash. What a reader reads and keeps is
 * limited to a few times the file's size, lookups among sections and segments take logarithmic time, and
 * a table that points back into itself is refused, so time and memory grow with the file, not with what
 * its fields claim. A FIFO or a device given in place of a file is refused without blocking.
 */
public final class NativeFile {

    /** What a native file is. */
    public enum Kind {
        /** A shared library: an ELF shared object, a Mach-O dynamic library, a PE DLL. */
        SHARED_LIBRARY,
        /** A Mach-O bundle ({@code MH_BUNDLE}): loadable with {@code dlopen}, not linkable against. */
        BUNDLE,
        /** A program. */
        EXECUTABLE,
        /** An object file, not yet linked. */
        OBJECT,
        /** Something else: a core dump, a kernel extension, a dSYM companion. */
        OTHER
    }

    private final Path file;
    private final BinaryFormat format;
    private final Cpu cpu;
    private final String architecture;
    private final int wordSize;
    private final ByteOrder byteOrder;
    private final Kind kind;
    private final @Nullable String name;
    private final List<String> needed;
    private final List<String> searchPath;
    private final List<NativeSymbol> exports;
    private final List<NativeSymbol> imports;

    NativeFile(Path file, BinaryFormat format, Cpu cpu, String architecture, int wordSize, ByteOrder byteOrder,
               Kind kind, @Nullable String name, List<String> needed, List<String> searchPath,
               List<NativeSymbol> exports, List<NativeSymbol> imports) {
        this.file = file;
        this.format = format;
        this.cpu = cpu;
        this.architecture = architecture;
        this.wordSize = wordSize;
        this.byteOrder = byteOrder;
        this.kind = kind;
        this.name = name;
        this.needed = List.copyOf(needed);
        this.searchPath = List.copyOf(searchPath);
        this.exports = List.copyOf(exports);
        this.imports = List.copyOf(imports);
    }

    /**
     * Reads a native file. For a universal Mach-O file, the architecture this JVM runs on is read, else the
     * first; {@link #readAll} reads each.
     *
     * @param file the file
     * @return what it says about itself
     * @throws FormatException if it is none of the three formats, or too damaged to read
     * @throws IOException if it cannot be read (missing, a folder, a FIFO, not readable)
     */
    public static NativeFile read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileSource source = FileSource.open(file)) {
            BinaryFormat format = formatOrRefuse(file, source);
            if (format == BinaryFormat.ELF) {
                return ElfView.read(file);
            }
            Input in = input(file, source);
            if (format == BinaryFormat.MACH_O) {
                return FormatReaders.machO(file, MachO.parse(FormatReaders.hostSlice(MachO.slices(in, new ArrayList<>()))));
            }
            return FormatReaders.pe(file, Pe.parse(in));
        }
    }

    /**
     * Reads every image of a native file: each architecture of a universal Mach-O file, in its order; the
     * one image of any other file.
     *
     * @param file the file
     * @return the images, at least one
     * @throws FormatException if it is none of the three formats, or too damaged to read
     * @throws IOException if it cannot be read
     */
    public static List<NativeFile> readAll(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileSource source = FileSource.open(file)) {
            BinaryFormat format = formatOrRefuse(file, source);
            if (format == BinaryFormat.ELF) {
                return List.of(ElfView.read(file));
            }
            Input in = input(file, source);
            if (format == BinaryFormat.PE) {
                return List.of(FormatReaders.pe(file, Pe.parse(in)));
            }
            List<NativeFile> list = new ArrayList<>();
            for (MachO.Slice slice : MachO.slices(in, new ArrayList<>())) {
                list.add(FormatReaders.machO(file, MachO.parse(slice)));
            }
            return list;
        }
    }

    /**
     * Checks everything the file's own platform loader would trust in it, whatever platform this JVM runs
     * on: for ELF what {@link dev.dynload.elf.ElfFile#verify} checks; for Mach-O the universal header, the
     * load commands, segments and sections, the tables in {@code __LINKEDIT} and the export trie; for PE the
     * headers, the section table, the data directories, the export and import tables, base relocations and
     * TLS callbacks.
     *
     * @param file the file
     * @return the problems, in the order the loader meets them; empty for a sound file
     * @throws FormatException if it is none of the three formats
     * @throws IOException if it cannot be read
     */
    public static List<FormatProblem> verify(Path file) throws IOException {
        return verify(file, false);
    }

    /**
     * Checks what this platform's loader would read of the file, as {@link #verify} does: of a universal
     * Mach-O file, its universal header and the one architecture dyld would map here (this JVM's, else
     * the first); of any other file, all of it.
     *
     * @param file the file
     * @return the problems; empty for a file this platform's loader can be trusted with
     * @throws FormatException if it is none of the three formats
     * @throws IOException if it cannot be read
     */
    public static List<FormatProblem> verifyForHost(Path file) throws IOException {
        return verify(file, true);
    }

    private static List<FormatProblem> verify(Path file, boolean hostOnly) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileSource source = FileSource.open(file)) {
            BinaryFormat format = formatOrRefuse(file, source);
            if (format == BinaryFormat.ELF) {
                return ElfView.verify(file);
            }
            Input in = input(file, source);
            return format == BinaryFormat.MACH_O ? FormatReaders.verifyMachO(in, hostOnly) : FormatReaders.verifyPe(in);
        }
    }

    /**
     * Reads an exported data object's bytes from the file, without loading it: a plugin's manifest, a
     * version string. For a universal Mach-O file, the architecture this JVM runs on is read, else the
     * first that exports the object.
     *
     * @param file the file
     * @param symbol the object's C name
     * @param limit the most bytes to read
     * @return the object, when the file exports data of that name
     * @throws FormatException if the file is none of the three formats, is damaged, or the object's bytes lie
     *                         outside it
     * @throws IOException if it cannot be read
     */
    public static Optional<SymbolData> readData(Path file, String symbol, int limit) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(symbol, "symbol");
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit " + limit);
        }
        try (FileSource source = FileSource.open(file)) {
            BinaryFormat format = formatOrRefuse(file, source);
            if (format == BinaryFormat.ELF) {
                return ElfView.data(file, symbol, limit);
            }
            Input in = input(file, source);
            return format == BinaryFormat.MACH_O ? FormatReaders.machOData(in, symbol, limit)
                    : FormatReaders.peData(in, symbol, limit);
        }
    }

    /**
     * The format a file's first bytes announce, without reading further.
     *
     * @param file the file
     * @return its format, or empty when it is none of the three
     * @throws IOException if it cannot be read
     */
    public static Optional<BinaryFormat> formatOf(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileSource source = FileSource.open(file)) {
            return Optional.ofNullable(BinaryFormat.of(head(source.input())));
        }
    }

    // Plain if-chains rather than a lambda and an enum switch: a plugin's manifest is read on the way to its
    // first call, and each extra class is start-up time (PluginColdBenchmark).
    private static BinaryFormat formatOrRefuse(Path file, FileSource source) throws IOException {
        BinaryFormat format = BinaryFormat.of(head(source.input()));
        if (format == null) {
            throw new FormatException(file, "is not a native library of any platform: it is neither ELF, "
                    + "Mach-O nor PE");
        }
        return format;
    }

    private static Input input(Path file, FileSource source) throws IOException {
        RandomAccessFile raf = source.input();
        return new Input(file, raf, raf.length(), ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] head(RandomAccessFile raf) throws IOException {
        byte[] head = new byte[(int) Math.min(8, raf.length())];
        raf.seek(0);
        raf.readFully(head);
        return head;
    }

    /** {@return the file that was read} */
    public Path file() {
        return file;
    }

    /** {@return the file's format} */
    public BinaryFormat format() {
        return format;
    }

    /** {@return the processor the file is for} */
    public Cpu cpu() {
        return cpu;
    }

    /**
     * {@return the architecture as the format's tools name it: "x86-64" for ELF and PE, "arm64e" or "x86_64"
     * for Mach-O}
     */
    public String architecture() {
        return architecture;
    }

    /** {@return 32 or 64} */
    public int wordSize() {
        return wordSize;
    }

    /** {@return the byte order of the file's fields and of the code's data} */
    public ByteOrder byteOrder() {
        return byteOrder;
    }

    /** {@return what the file is: a shared library, a bundle, a program...} */
    public Kind kind() {
        return kind;
    }

    /**
     * {@return the name the library is known by: ELF's {@code DT_SONAME}, Mach-O's install name
     * ({@code LC_ID_DYLIB}), the DLL name in a PE export directory}
     */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /**
     * {@return the libraries the file needs, as it names them: ELF's {@code DT_NEEDED}, Mach-O's load
     * commands ({@code @rpath/libz.1.dylib}), the DLLs of PE's import and delay-import directories}
     */
    public List<String> needed() {
        return needed;
    }

    /**
     * {@return where the file asks its loader to look for what it needs: ELF's run path
     * ({@code $ORIGIN/../lib}), Mach-O's {@code LC_RPATH} entries ({@code @loader_path}); empty for PE, whose
     * loader searches by its own rules}
     */
    public List<String> searchPath() {
        return searchPath;
    }

    /** {@return what the file exports, named as C names it} */
    public List<NativeSymbol> exports() {
        return exports;
    }

    /** {@return what the file takes from other libraries, with the library when the format records it} */
    public List<NativeSymbol> imports() {
        return imports;
    }

    /**
     * Finds an export by its C name.
     *
     * @param name the name, such as {@code "greet"}
     * @return the export, when the file has it
     */
    public Optional<NativeSymbol> export(String name) {
        Objects.requireNonNull(name, "name");
        for (NativeSymbol s : exports) {
            if (s.name().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** {@return the file in words, such as "Mach-O 64-bit arm64 dynamic library"} */
    public String describe() {
        String what = switch (kind) {
            case SHARED_LIBRARY -> format == BinaryFormat.PE ? "DLL" : format == BinaryFormat.MACH_O
                    ? "dynamic library" : "shared library";
            case BUNDLE -> "bundle";
            case EXECUTABLE -> "executable";
            case OBJECT -> "object file";
            case OTHER -> "file";
        };
        return format.displayName() + " " + wordSize + "-bit " + architecture + " " + what;
    }

    /**
     * {@return the bundle classifier of the platform this file runs on, as os-maven-plugin spells it:
     * {@code linux-x86_64}, {@code osx-aarch_64}, {@code windows-x86_64}; with {@code -musl} for an ELF file
     * that needs musl's C library ({@code libc.so} or {@code libc.musl-ARCH.so.1}) rather than glibc's}
     */
    public String classifier() {
        String arch = cpu == Cpu.PPC64 && byteOrder == ByteOrder.LITTLE_ENDIAN ? "ppcle_64" : cpu.classifierArch();
        boolean musl = false;
        if (format == BinaryFormat.ELF) {
            for (String n : needed) {
                musl |= n.equals("libc.so") || n.startsWith("libc.musl-");
            }
        }
        return format.classifierOs() + "-" + arch + (musl ? "-musl" : "");
    }

    @Override
    public String toString() {
        return "NativeFile[" + file + ", " + describe() + ", name=" + name + ", needed=" + needed + "]";
    }
}
