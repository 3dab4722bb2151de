package dev.dynload.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The three formats read on Linux: Mach-O and PE fixtures built here by clang/lld and mingw-w64 from one C
 * file, real files built by Apple's and Microsoft's toolchains (JNA's natives), and damaged copies.
 */
class NativeFileTest {

    static final Path FOREIGN = ForeignFixtures.FOLDER;
    static final Set<String> EXPORTED = Set.of("foreign_answer", "foreign_greet", "foreign_version", "foreign_counter");

    static Path fixture(String name) {
        return ForeignFixtures.path(name);
    }

    private static Set<String> names(List<NativeSymbol> symbols) {
        return symbols.stream().map(NativeSymbol::name).collect(Collectors.toSet());
    }

    private static NativeSymbol.Kind kind(NativeFile f, String name) {
        return f.export(name).orElseThrow().kind();
    }

    @Test
    void readsAThinMachODylib() throws IOException {
        NativeFile f = NativeFile.read(fixture("libforeign-arm64.dylib"));
        assertEquals(BinaryFormat.MACH_O, f.format());
        assertEquals(Cpu.AARCH64, f.cpu());
        assertEquals("arm64", f.architecture());
        assertEquals(64, f.wordSize());
        assertEquals(NativeFile.Kind.SHARED_LIBRARY, f.kind());
        assertEquals("@rpath/libforeign.dylib", f.name().orElseThrow());
        assertEquals(List.of("/usr/lib/libSystem.B.dylib"), f.needed());
        assertEquals(List.of("@loader_path", "@loader_path/../lib"), f.searchPath());
        assertEquals(EXPORTED, names(f.exports()), "the exports, with C names and without the hidden function");
        assertEquals(NativeSymbol.Kind.FUNCTION, kind(f, "foreign_answer"));
        assertEquals(NativeSymbol.Kind.DATA, kind(f, "foreign_version"));
        assertEquals(NativeSymbol.Kind.DATA, kind(f, "foreign_counter"));
        NativeSymbol puts = f.imports().stream().filter(s -> s.name().equals("puts")).findFirst().orElseThrow();
        assertEquals("/usr/lib/libSystem.B.dylib", puts.library(), "two-level namespace names the library");
        assertEquals("osx-aarch_64", f.classifier());
        assertEquals("Mach-O 64-bit arm64 dynamic library", f.describe());
        assertEquals(List.of(), NativeFile.verify(f.file()));
    }

    @Test
    void readsEveryArchitectureOfAUniversalFile() throws IOException {
        Path universal = fixture("libforeign-universal.dylib");
        List<NativeFile> all = NativeFile.readAll(universal);
        assertEquals(List.of(Cpu.X86_64, Cpu.AARCH64), all.stream().map(NativeFile::cpu).toList(), "llvm-lipo's order");
        for (NativeFile f : all) {
            assertEquals(EXPORTED, names(f.exports()), f.architecture());
        }
        Cpu host = Cpu.ofOsArch(System.getProperty("os.arch"));
        assertEquals(host == Cpu.AARCH64 ? Cpu.AARCH64 : host == Cpu.X86_64 ? Cpu.X86_64 : Cpu.AARCH64,
                NativeFile.read(universal).cpu(), "read() takes this JVM's architecture when the file has it");
        assertEquals(List.of(), NativeFile.verify(universal));
        assertEquals("foreign 1.0", text(NativeFile.readData(universal, "foreign_version", 64).orElseThrow()));
    }

    @Test
    void readsABundle() throws IOException {
        NativeFile f = NativeFile.read(fixture("foreign-x86_64.bundle"));
        assertEquals(NativeFile.Kind.BUNDLE, f.kind());
        assertEquals(Cpu.X86_64, f.cpu());
        assertTrue(f.name().isEmpty(), "a bundle has no install name");
        assertEquals(EXPORTED, names(f.exports()));
        assertEquals(List.of(), NativeFile.verify(f.file()));
    }

    @Test
    void readsAPeDll() throws IOException {
        for (String name : List.of("foreign.dll", "foreign-stripped.dll")) {
            NativeFile f = NativeFile.read(fixture(name));
            assertEquals(BinaryFormat.PE, f.format());
            assertEquals(Cpu.X86_64, f.cpu());
            assertEquals(64, f.wordSize());
            assertEquals(NativeFile.Kind.SHARED_LIBRARY, f.kind());
            assertEquals(name, f.name().orElseThrow(), "the export directory's DLL name");
            assertTrue(f.needed().contains("KERNEL32.dll"), f.needed().toString());
            assertTrue(f.needed().contains("msvcrt.dll"), f.needed().toString());
            assertEquals(List.of(), f.searchPath());
            assertEquals(EXPORTED, names(f.exports()));
            assertEquals(NativeSymbol.Kind.FUNCTION, kind(f, "foreign_greet"));
            assertEquals(NativeSymbol.Kind.DATA, kind(f, "foreign_version"));
            NativeSymbol puts = f.imports().stream().filter(s -> s.name().equals("puts")).findFirst().orElseThrow();
            assertEquals("msvcrt.dll", puts.library());
            assertEquals("windows-x86_64", f.classifier());
            assertEquals(List.of(), NativeFile.verify(f.file()), name);
            SymbolData version = NativeFile.readData(f.file(), "foreign_version", 64).orElseThrow();
            assertEquals("foreign 1.0", text(version));
            assertTrue(NativeFile.readData(f.file(), "foreign_answer", 64).isEmpty(), "a function is not data");
        }
    }

    @Test
    void readsElfTheSameWay() throws IOException {
        NativeFile f = NativeFile.read(FOREIGN.resolve("libforeign.so"));
        assertEquals(BinaryFormat.ELF, f.format());
        assertEquals("libforeign.so", f.name().orElseThrow());
        assertEquals(EXPORTED, names(f.exports()));
        assertEquals("foreign 1.0", text(NativeFile.readData(f.file(), "foreign_version", 64).orElseThrow()));
        assertEquals(List.of(), NativeFile.verify(f.file()));
        assertEquals(BinaryFormat.ELF, NativeFile.formatOf(f.file()).orElseThrow());
    }

    /** Files linked by Apple's and Microsoft's own toolchains, as JNA ships them in its jar. */
    @Test
    void readsRealFilesOfEveryPlatform(@TempDir Path dir) throws IOException {
        String[][] natives = {
                {"com/sun/jna/darwin-aarch64/libjnidispatch.jnilib", "MACH_O", "AARCH64"},
                {"com/sun/jna/darwin-x86-64/libjnidispatch.jnilib", "MACH_O", "X86_64"},
                {"com/sun/jna/win32-x86-64/jnidispatch.dll", "PE", "X86_64"},
                {"com/sun/jna/win32-aarch64/jnidispatch.dll", "PE", "AARCH64"},
                {"com/sun/jna/win32-x86/jnidispatch.dll", "PE", "X86"},
        };
        for (String[] n : natives) {
            Path file = dir.resolve(n[0].replace('/', '_'));
            try (InputStream in = NativeFileTest.class.getClassLoader().getResourceAsStream(n[0])) {
                assertTrue(in != null, n[0] + " is not on the test class path (JNA)");
                Files.copy(in, file);
            }
            NativeFile f = NativeFile.read(file);
            assertEquals(n[1], f.format().name(), n[0]);
            assertEquals(n[2], f.cpu().name(), n[0]);
            // 32-bit Windows decorates stdcall names: _Java_com_sun_jna_Native_invokeInt@28.
            assertTrue(f.exports().stream().anyMatch(s -> s.name().equals("Java_com_sun_jna_Native_invokeInt")
                    || s.name().startsWith("_Java_com_sun_jna_Native_invokeInt@")), n[0]);
            assertEquals(List.of(), NativeFile.verify(file), n[0]);
        }
    }

    @Test
    void aJavaClassFileIsNoUniversalBinary(@TempDir Path dir) throws IOException {
        Path cls = dir.resolve("Thing.class");
        try (InputStream in = NativeFileTest.class.getResourceAsStream("NativeFileTest.class")) {
            Files.copy(in, cls);
        }
        assertTrue(NativeFile.formatOf(cls).isEmpty());
        FormatException e = assertThrows(FormatException.class, () -> NativeFile.read(cls));
        assertTrue(e.getMessage().contains("neither ELF, Mach-O nor PE"), e.getMessage());
    }

    @Test
    void aFifoIsRefusedWithoutBlocking(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("lib.dylib");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        IOException e = assertThrows(IOException.class, () -> NativeFile.read(fifo));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    // Damaged copies: each a problem that names where it is, or a refusal, never an exception of another kind.

    private static Path damaged(Path dir, Path original, java.util.function.Consumer<ByteBuffer> damage)
            throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(original)).order(ByteOrder.LITTLE_ENDIAN);
        damage.accept(b);
        return Files.write(dir.resolve("damaged-" + original.getFileName()), b.array());
    }

    private static String problems(Path file) throws IOException {
        return NativeFile.verify(file).toString();
    }

    @Test
    void aLoadCommandLongerThanTheCommandsIsAProblem(@TempDir Path dir) throws IOException {
        Path file = damaged(dir, fixture("libforeign-arm64.dylib"), b -> b.putInt(32 + 4, 0x7fff0000));
        String p = problems(file);
        assertTrue(p.contains("load commands: command 0 (LC_SEGMENT_64) is 2147418112 bytes"), p);
    }

    @Test
    void loadCommandsPastTheFileAreRefused(@TempDir Path dir) throws IOException {
        Path file = damaged(dir, fixture("libforeign-arm64.dylib"), b -> b.putInt(20, 0x10000000));
        FormatException e = assertThrows(FormatException.class, () -> NativeFile.read(file));
        assertTrue(e.getMessage().contains("the load commands (268435456 bytes) run past the end of the file"),
                e.getMessage());
        assertTrue(problems(file).contains("header: the load commands"), problems(file));
    }

    @Test
    void aSegmentMappingMoreFileThanMemoryIsAProblem(@TempDir Path dir) throws IOException {
        // The first command is __TEXT: its filesize (offset 48 of the command) set past its vmsize (32).
        Path file = damaged(dir, fixture("libforeign-arm64.dylib"), b -> b.putLong(32 + 48, b.getLong(32 + 32) + 4096));
        String p = problems(file);
        assertTrue(p.contains("segments: command 0 (LC_SEGMENT_64) __TEXT maps"), p);
    }

    @Test
    void anExportTrieThatLoopsIsAProblem(@TempDir Path dir) throws IOException {
        Path original = fixture("libforeign-arm64.dylib");
        MachO.Parsed parsed = parsed(original);
        int trie = (int) parsed.exportTrie[0];
        Path file = damaged(dir, original, b -> {
            // The root: no terminal (0), its child count, one edge ("_foreign_" for all four names) and the
            // child's offset. That child's first edge is pointed back at the child itself.
            assertEquals(0, b.get(trie));
            int at = trie + 2;
            while (b.get(at) != 0) {
                at++;
            }
            int child = b.get(at + 1);
            assumeTrue(child > 0, "a one-byte offset to the root's child");
            int node = trie + child;
            int n = node + 1 + b.get(node); // past the terminal size and the terminal
            n++; // the child count
            while (b.get(n) != 0) {
                n++;
            }
            b.put(n + 1, (byte) child);
        });
        String p = problems(file);
        assertTrue(p.contains("export trie: node") && p.contains("reached twice; the trie loops"), p);
        assertThrows(FormatException.class, () -> NativeFile.read(file));
    }

    @Test
    void aSymbolOutsideItsSectionIsAProblem(@TempDir Path dir) throws IOException {
        Path original = fixture("libforeign-x86_64.dylib");
        MachO.Parsed parsed = parsed(original);
        List<MachOImage.Nlist> symbols = MachOImage.symbols(parsed);
        int index = 0;
        while (!symbols.get(index).name().equals("_foreign_answer")) {
            index++;
        }
        int entry = (int) parsed.symtab[0] + 16 * index;
        Path file = damaged(dir, original, b -> b.putLong(entry + 8, 0x7fff0000L));
        String p = problems(file);
        assertTrue(p.contains("symbol table: symbol " + index + " (_foreign_answer) at 0x7fff0000 lies outside its "
                + "section __TEXT,__text"), p);
    }

    @Test
    void overlappingArchitecturesOfAUniversalFileAreAProblem(@TempDir Path dir) throws IOException {
        // Big-endian: the second architecture's offset (8 + 20 + 8) set to the first's (8 + 8).
        Path file = damaged(dir, fixture("libforeign-universal.dylib"), b -> {
            b.order(ByteOrder.BIG_ENDIAN).putInt(36, b.order(ByteOrder.BIG_ENDIAN).getInt(16));
        });
        String p = problems(file);
        assertTrue(p.contains("universal header: architecture 1 (arm64) overlaps another architecture's bytes"), p);
        assertTrue(p.contains("the universal header lists this slice as arm64, and its own header says x86_64"), p);
    }

    @Test
    void aPeHeaderPointerOutsideTheFileIsRefused(@TempDir Path dir) throws IOException {
        Path file = damaged(dir, fixture("foreign.dll"), b -> b.putInt(0x3c, 0x7fffff00));
        FormatException e = assertThrows(FormatException.class, () -> NativeFile.read(file));
        assertTrue(e.getMessage().contains("PE header pointer (e_lfanew 0x7fffff00) lies outside the file"),
                e.getMessage());
        assertTrue(problems(file).startsWith("[headers: is an MZ (DOS) file"), problems(file));
    }

    @Test
    void aSectionPastTheFileIsAProblem(@TempDir Path dir) throws IOException {
        Path original = fixture("foreign-stripped.dll");
        Pe.Parsed parsed = Pe.parse(input(original));
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(original)).order(ByteOrder.LITTLE_ENDIAN);
        int lfanew = head.getInt(0x3c);
        int table = lfanew + 24 + (head.getShort(lfanew + 20) & 0xffff);
        String first = parsed.sections.get(0).name();
        Path file = damaged(dir, original, b -> b.putInt(table + 20, 0x7fff0000));
        String p = problems(file);
        assertTrue(p.contains("section table: section " + first + " holds"), p);
        assertTrue(p.contains("at file offset 0x7fff0000, past the end of the file"), p);
    }

    @Test
    void anImportDirectoryOutsideTheSectionsIsAProblem(@TempDir Path dir) throws IOException {
        Path original = fixture("foreign-stripped.dll");
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(original)).order(ByteOrder.LITTLE_ENDIAN);
        int lfanew = head.getInt(0x3c);
        int importDirectory = lfanew + 24 + 112 + 8; // PE32+: data directory 1
        Path file = damaged(dir, original, b -> b.putInt(importDirectory, 0x7ff00));
        String p = problems(file);
        assertTrue(p.contains("import directory: ") && p.contains("import descriptor 0 at 0x7ff00"), p);
        assertThrows(FormatException.class, () -> NativeFile.read(file));
    }

    @Test
    void tooManyDataDirectoriesAreAProblem(@TempDir Path dir) throws IOException {
        Path original = fixture("foreign-stripped.dll");
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(original)).order(ByteOrder.LITTLE_ENDIAN);
        int count = head.getInt(0x3c) + 24 + 108;
        String p = problems(damaged(dir, original, b -> b.putInt(count, 1000)));
        assertTrue(p.contains("optional header: NumberOfRvaAndSizes is 1000; there are 16 data directories"), p);
    }

    @Test
    void truncatedCopiesAreRefusedOrReported(@TempDir Path dir) throws IOException {
        for (String name : List.of("libforeign-universal.dylib", "foreign.dll", "foreign-x86_64.bundle")) {
            byte[] bytes = Files.readAllBytes(fixture(name));
            // Cut inside what the loader reads (the end of a DLL may be COFF symbols, which it does not).
            for (int length : new int[] {0, 4, 27, 64, 300, 1024, bytes.length / 2}) {
                Path cut = Files.write(dir.resolve(length + name), java.util.Arrays.copyOf(bytes, length));
                try {
                    NativeFile.readAll(cut);
                    assertFalse(NativeFile.verify(cut).isEmpty(), name + " cut to " + length + " bytes reads as sound");
                } catch (IOException expected) {
                    // refused: as good as a problem
                }
            }
        }
    }

    /** A bounded run of the fuzzing harness of scripts/fuzz: no exception but IOException, in every reader. */
    @Test
    void damagedCopiesNeverThrowAnythingElse(@TempDir Path dir) throws IOException {
        List<Path> files = new java.util.ArrayList<>();
        for (String name : List.of("libforeign-universal.dylib", "foreign.dll", "foreign-arm64.bundle")) {
            files.add(fixture(name));
        }
        dev.dynload.fuzz.FormatFuzz.Result r = dev.dynload.fuzz.FormatFuzz.run(files, 400, 11, dir);
        assertEquals(List.of(), r.defects());
        assertTrue(r.refused() > 0 && r.read() > 0, r.toString());
    }

    /** The linker's __mh_execute_header lies below __text by design: no problem. */
    @Test
    void aProgramsHeaderSymbolIsNoProblem() throws IOException {
        Path program = fixture("foreign-arm64.executable");
        assertEquals(NativeFile.Kind.EXECUTABLE, NativeFile.read(program).kind());
        assertEquals(List.of(), NativeFile.verify(program));
    }

    /** Thousands of segment commands: read up to a bound, said once, in time that grows with the file. */
    @Test
    void manySegmentsAreReadUpToABound(@TempDir Path dir) throws IOException {
        int count = 20_000;
        ByteBuffer b = ByteBuffer.allocate(32 + 72 * count).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MachO.MH_MAGIC_64).putInt(4, 0x0100000c).putInt(12, MachO.MH_BUNDLE)
                .putInt(16, count).putInt(20, 72 * count);
        for (int i = 0; i < count; i++) {
            int at = 32 + 72 * i;
            b.putInt(at, MachO.LC_SEGMENT_64).putInt(at + 4, 72);
            b.putLong(at + 24, 0x1000L * i).putLong(at + 32, 0x1000); // vmaddr, vmsize: no two overlap
        }
        Path file = Files.write(dir.resolve("segments.bundle"), b.array());
        List<FormatProblem> problems = NativeFile.verify(file);
        assertEquals(1, problems.stream().filter(p -> p.detail().startsWith("more than 255 segments")).count(),
                problems.toString());
        assertTrue(problems.size() <= MachO.MAX_PROBLEMS + 1, "problems are capped: " + problems.size());
    }

    /** Two descriptors sharing one lookup table: its names are read and listed once. */
    @Test
    void aSharedImportTableIsReadOnce(@TempDir Path dir) throws IOException {
        Path original = fixture("foreign-stripped.dll");
        Pe.Parsed parsed = Pe.parse(input(original));
        long[] imports = parsed.directory(Pe.DIR_IMPORT);
        long first = parsed.fileOffset(imports[0], 40);
        assumeTrue(first > 0, "the import directory is in the file");
        List<PeImage.Import> before = PeImage.imports(parsed);
        assertEquals(2, before.size(), before.toString());
        Path file = damaged(dir, original, b -> b.putInt((int) first + 20, b.getInt((int) first)));
        NativeFile f = NativeFile.read(file);
        assertEquals(List.of("KERNEL32.dll", "msvcrt.dll"), f.needed());
        assertEquals(before.get(0).names().size(), f.imports().size(), "the shared table's names, once");
    }

    /** Windows's loader stops at the first descriptor without a name or an import address table. */
    @Test
    void importDescriptorsEndWhereTheLoaderStops(@TempDir Path dir) throws IOException {
        Path original = fixture("foreign-stripped.dll");
        Pe.Parsed parsed = Pe.parse(input(original));
        long first = parsed.fileOffset(parsed.directory(Pe.DIR_IMPORT)[0], 40);
        Path file = damaged(dir, original, b -> b.putInt((int) first + 20 + 16, 0)); // msvcrt's FirstThunk
        assertEquals(List.of("KERNEL32.dll"), NativeFile.read(file).needed());
    }

    @Test
    void elfMachinesOfTwoWordSizesAreTold() {
        assertEquals(Cpu.RISCV32, Cpu.ofElfMachine(243, 32));
        assertEquals(Cpu.RISCV64, Cpu.ofElfMachine(243, 64));
        assertEquals(Cpu.S390, Cpu.ofElfMachine(22, 32));
        assertEquals(Cpu.OTHER, Cpu.ofElfMachine(62, 32), "x32 has no classifier");
    }

    private static String text(SymbolData d) {
        byte[] b = new byte[d.bytes().remaining()];
        d.bytes().duplicate().get(b);
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    private static Input input(Path file) throws IOException {
        java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "r");
        return new Input(file, raf, raf.length(), ByteOrder.LITTLE_ENDIAN);
    }

    private static MachO.Parsed parsed(Path file) throws IOException {
        return MachO.parse(MachO.slices(input(file), new java.util.ArrayList<>()).get(0));
    }
}
