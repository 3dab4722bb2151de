package dev.dynload.elf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElfFileTest {

    static final Path NATIVE = Path.of(System.getProperty("dynload.test.native", "target/native")).toAbsolutePath();
    static final Path FIXTURE = NATIVE.resolve("libfixture.so");
    static final Path LIBZ = Path.of("/lib/x86_64-linux-gnu/libz.so.1");
    static final Path LIBC = Path.of("/lib/x86_64-linux-gnu/libc.so.6");

    @TempDir
    Path dir;

    private static List<String> readelf(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(concat("readelf", "--wide", args)).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.waitFor(), String.join("\n", lines));
        return lines;
    }

    private static List<String> concat(String a, String b, String... rest) {
        List<String> all = new java.util.ArrayList<>(List.of(a, b));
        all.addAll(List.of(rest));
        return all;
    }

    /** The exported names as readelf lists them: defined, global or weak, visible, not absolute. */
    private static Set<String> readelfExports(Path file) throws Exception {
        Set<String> names = new TreeSet<>();
        for (String line : readelf("--dyn-syms", file.toString())) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 8 || !f[0].endsWith(":")) {
                continue;
            }
            boolean typed = Set.of("FUNC", "IFUNC", "OBJECT", "TLS", "COMMON").contains(f[3]);
            boolean bound = Set.of("GLOBAL", "WEAK", "UNIQUE").contains(f[4]);
            boolean visible = Set.of("DEFAULT", "PROTECTED").contains(f[5]);
            if (typed && bound && visible && !f[6].equals("UND") && !f[6].equals("ABS")) {
                names.add(f[7].replaceAll("@.*", ""));
            }
        }
        return names;
    }

    @Test
    void libzNeedsLibcAndNamesItselfLikeReadelfSays() throws Exception {
        ElfFile z = ElfFile.read(LIBZ);
        assertEquals(Optional.of("libz.so.1"), z.soname());
        assertEquals(List.of("libc.so.6"), z.needed());
        List<String> dynamic = readelf("-d", LIBZ.toString());
        assertTrue(dynamic.stream().anyMatch(l -> l.contains("(NEEDED)") && l.contains("[libc.so.6]")));
        assertEquals(new ElfHeader(64, ByteOrder.LITTLE_ENDIAN, 62, ElfType.SHARED_OBJECT), z.header());
        assertEquals(LIBZ, z.file());
    }

    @Test
    void exportedSymbolsMatchReadelfForRealSystemLibraries() throws Exception {
        for (Path lib : List.of(LIBZ, LIBC, Path.of("/lib/x86_64-linux-gnu/libm.so.6"), FIXTURE)) {
            Set<String> ours = new TreeSet<>(ElfFile.read(lib).symbols().stream().map(ElfSymbol::name).toList());
            assertEquals(readelfExports(lib), ours, lib.toString());
        }
    }

    @Test
    void symbolKindsAndSizesComeFromTheTable() throws IOException {
        ElfFile fixture = ElfFile.read(FIXTURE);
        assertTrue(fixture.symbols().contains(new ElfSymbol("fixture_counter", ElfSymbol.Kind.DATA, false, 4)));
        assertTrue(fixture.symbols().contains(new ElfSymbol("fixture_name", ElfSymbol.Kind.DATA, false, 8)));
        ElfSymbol add = fixture.symbols().stream().filter(s -> s.name().equals("fixture_add")).findFirst().orElseThrow();
        assertEquals(ElfSymbol.Kind.FUNCTION, add.kind());
        ElfFile libc = ElfFile.read(LIBC);
        assertTrue(libc.symbols().stream().anyMatch(s -> s.name().equals("errno") && s.kind() == ElfSymbol.Kind.THREAD_LOCAL));
        assertTrue(libc.symbols().stream().anyMatch(s -> s.name().equals("memcpy") && s.kind() == ElfSymbol.Kind.FUNCTION));
        assertEquals(libc.symbols().size(), libc.symbols().stream().map(ElfSymbol::name).distinct().count());
    }

    @Test
    void thirtyTwoBitLibraryIsReadWithItsOwnLayout() throws IOException {
        ElfFile i386 = ElfFile.read(NATIVE.resolve("libi386.so"));
        assertEquals(new ElfHeader(32, ByteOrder.LITTLE_ENDIAN, 3, ElfType.SHARED_OBJECT), i386.header());
        assertEquals("32-bit x86 (i386)", i386.header().describe());
        assertEquals(Optional.of("libi386.so"), i386.soname());
        assertEquals(List.of(new ElfSymbol("answer32", ElfSymbol.Kind.FUNCTION, false, i386.symbols().getFirst().size()),
                new ElfSymbol("value32", ElfSymbol.Kind.DATA, false, 4)), i386.symbols());
    }

    @Test
    void fileWithoutSectionHeadersIsReadThroughItsSegments() throws IOException {
        byte[] bytes = Files.readAllBytes(NATIVE.resolve("libfixture-sysv.so"));
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(40, 0);          // e_shoff
        b.putShort(60, (short) 0); // e_shnum
        b.putShort(62, (short) 0); // e_shstrndx
        Path stripped = Files.write(dir.resolve("libstripped.so"), bytes);
        ElfFile elf = ElfFile.read(stripped);
        ElfFile full = ElfFile.read(NATIVE.resolve("libfixture-sysv.so"));
        assertEquals(Optional.of("libfixture-sysv.so"), elf.soname());
        assertEquals(full.needed(), elf.needed());
        assertEquals(full.symbols(), elf.symbols());
    }

    @Test
    void headerOnlyReadWorksWhereTheRestIsMissing() throws IOException {
        Path head = Files.write(dir.resolve("libhead.so"), Arrays.copyOf(Files.readAllBytes(FIXTURE), 64));
        assertEquals(new ElfHeader(64, ByteOrder.LITTLE_ENDIAN, 62, ElfType.SHARED_OBJECT), ElfFile.readHeader(head));
        ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfFile.read(head));
        assertTrue(e.getMessage().startsWith(head + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("runs past the end of the file (64 bytes)"), e.getMessage());
        assertEquals(head, e.file());
    }

    @Test
    void nonElfInputsAreFormatErrorsThatSaySo() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty"));
        Path tiny = Files.write(dir.resolve("tiny"), new byte[] {0x7f, 'E', 'L'});
        Path text = Files.writeString(dir.resolve("text"), "GROUP ( libc.so.6 )");
        for (Path p : List.of(empty, tiny, text)) {
            ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfFile.read(p));
            assertTrue(e.getMessage().contains("not an ELF file"), e.getMessage());
            assertThrows(ElfFormatException.class, () -> ElfFile.readHeader(p));
        }
        Path cut = Files.write(dir.resolve("cut"), Arrays.copyOf(Files.readAllBytes(FIXTURE), 10));
        assertTrue(assertThrows(ElfFormatException.class, () -> ElfFile.readHeader(cut)).getMessage().contains("cut short"));
    }

    @Test
    void invalidClassOrByteOrderIsNamed() throws IOException {
        byte[] bytes = Files.readAllBytes(FIXTURE);
        bytes[4] = 9;
        Path badClass = Files.write(dir.resolve("class"), bytes);
        assertTrue(assertThrows(ElfFormatException.class, () -> ElfFile.read(badClass)).getMessage().contains("EI_CLASS"));
        bytes[4] = 2;
        bytes[5] = 7;
        Path badOrder = Files.write(dir.resolve("order"), bytes);
        assertTrue(assertThrows(ElfFormatException.class, () -> ElfFile.read(badOrder)).getMessage().contains("EI_DATA"));
    }

    private Path patched(String name, int offset, long value, int width) throws IOException {
        byte[] bytes = Files.readAllBytes(FIXTURE);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (width) {
            case 2 -> b.putShort(offset, (short) value);
            case 4 -> b.putInt(offset, (int) value);
            default -> b.putLong(offset, value);
        }
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void tablesPointingOutsideTheFileAreFormatErrors() throws IOException {
        Path farSegments = patched("phoff", 32, -64, 8);
        assertTrue(assertThrows(ElfFormatException.class, () -> ElfFile.checkLoadable(farSegments)).getMessage()
                .contains("program header table"));
        assertTrue(assertThrows(ElfFormatException.class, () -> ElfFile.read(farSegments)).getMessage()
                .contains("program header table"));
        // An object file is read through its section headers, which must then lie inside the file.
        byte[] object = Files.readAllBytes(NATIVE.resolve("fixture.o"));
        ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN).putLong(40, Long.MAX_VALUE - 8);
        Path farSections = Files.write(dir.resolve("far.o"), object);
        assertTrue(assertThrows(ElfFormatException.class, () -> ElfFile.read(farSections)).getMessage()
                .contains("section header table"));
    }

    @Test
    void aLibraryIsReadThroughItsSegmentsSoDamagedSectionHeadersDoNotHideItsSymbols() throws Exception {
        ElfFile intact = ElfFile.read(FIXTURE);
        // The loader never reads section headers: a library whose section header table is cut off, points
        // outside the file or claims 65535 entries loads and calls fine, and still lists its symbols.
        for (Path damaged : List.of(patched("shoff", 40, Long.MAX_VALUE - 8, 8), patched("shnum", 60, 0xffff, 2),
                Files.write(dir.resolve("cut"), Arrays.copyOf(Files.readAllBytes(FIXTURE),
                        (int) ByteBuffer.wrap(Files.readAllBytes(FIXTURE)).order(ByteOrder.LITTLE_ENDIAN).getLong(40))))) {
            ElfFile e = ElfFile.read(damaged);
            assertEquals(intact.symbols(), e.symbols(), damaged.toString());
            assertEquals(intact.needed(), e.needed());
            assertEquals(List.of(), ElfFile.verify(damaged), damaged.toString());
        }
    }

    @Test
    void truncatedLibraryFailsCheckLoadableNamingTheSegment() throws IOException {
        byte[] whole = Files.readAllBytes(FIXTURE);
        Path half = Files.write(dir.resolve("half"), Arrays.copyOf(whole, whole.length / 2));
        ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfFile.checkLoadable(half));
        assertTrue(e.getMessage().contains("loadable segment"), e.getMessage());
        assertEquals(62, ElfFile.checkLoadable(FIXTURE).machine());
    }

    @Test
    void aStringTableOutsideTheSegmentsIsAFormatError() throws IOException {
        ElfFile intact = ElfFile.read(FIXTURE);
        assertTrue(intact.symbols().size() > 5);
        byte[] bytes = Files.readAllBytes(FIXTURE);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        // Find PT_DYNAMIC, then its DT_STRTAB entry, and point that far away.
        long phoff = b.getLong(32);
        int phnum = Short.toUnsignedInt(b.getShort(56));
        for (int i = 0; i < phnum; i++) {
            int ph = (int) phoff + i * 56;
            if (b.getInt(ph) == 2) {
                for (int at = (int) b.getLong(ph + 8); b.getLong(at) != 0; at += 16) {
                    if (b.getLong(at) == 5) {
                        b.putLong(at + 8, 0x7fff_0000L);
                    }
                }
            }
        }
        Path broken = Files.write(dir.resolve("strtab"), bytes);
        assertTrue(assertThrows(ElfFormatException.class, () -> ElfFile.read(broken)).getMessage()
                .contains("string table"));
        assertTrue(ElfFile.verify(broken).stream().anyMatch(p -> p.toString().contains("DT_STRTAB")),
                ElfFile.verify(broken).toString());
    }

    @Test
    void sectionCountOfZeroFallsBackToTheSegments() throws IOException {
        Path sysv = NATIVE.resolve("libfixture-sysv.so");
        byte[] bytes = Files.readAllBytes(sysv);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(60, (short) 0); // e_shnum, e_shoff kept
        Path zero = Files.write(dir.resolve("libzero.so"), bytes);
        ElfFile full = ElfFile.read(sysv);
        ElfFile elf = ElfFile.read(zero);
        assertEquals(full.soname(), elf.soname());
        assertEquals(full.symbols(), elf.symbols());
    }

    @Test
    void thousandsOfSymbolTablesAreNotReadThousandsOfTimes() throws IOException {
        byte[] original = Files.readAllBytes(FIXTURE);
        ByteBuffer b = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN);
        int shoff = (int) b.getLong(40);
        int shnum = Short.toUnsignedInt(b.getShort(60));
        int dynsym = -1;
        for (int i = 0; i < shnum; i++) {
            if (b.getInt(shoff + i * 64 + 4) == 11) {
                dynsym = i;
            }
        }
        int extra = 60_000;
        ByteBuffer out = ByteBuffer.allocate(original.length + (shnum + extra) * 64).order(ByteOrder.LITTLE_ENDIAN);
        out.put(original);
        out.put(original, shoff, shnum * 64);
        for (int i = 0; i < extra; i++) {
            out.put(original, shoff + dynsym * 64, 64);
        }
        out.putLong(40, original.length);
        out.putShort(60, (short) (shnum + extra));
        Path many = Files.write(dir.resolve("libmany.so"), out.array());
        ElfFile elf = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> ElfFile.read(many));
        assertEquals(ElfFile.read(FIXTURE).symbols(), elf.symbols());
    }

    @Test
    void symbolNamesThatCouldExhaustMemoryAreAFormatError() throws IOException {
        // A minimal ELF: one string table of 1 MiB without a NUL but at its end, and 40,000 symbols each
        // naming a different offset in it, which a naive reader turns into 20 GB of names.
        int strings = 1 << 20;
        int symbols = 40_000;
        int strtabAt = 64;
        int symtabAt = strtabAt + strings + 1;
        int shAt = symtabAt + symbols * 24;
        ByteBuffer f = ByteBuffer.allocate(shAt + 3 * 64).order(ByteOrder.LITTLE_ENDIAN);
        f.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        f.putShort(16, (short) 3).putShort(18, (short) 62).putInt(20, 1);
        f.putLong(40, shAt).putShort(52, (short) 64).putShort(58, (short) 64).putShort(60, (short) 3);
        for (int i = 0; i < strings; i++) {
            f.put(strtabAt + i, (byte) 'a');
        }
        for (int i = 1; i < symbols; i++) {
            int at = symtabAt + i * 24;
            f.putInt(at, i * 25).put(at + 4, (byte) 0x12).putShort(at + 6, (short) 1);
        }
        f.putInt(shAt + 64 + 4, 3).putLong(shAt + 64 + 24, strtabAt).putLong(shAt + 64 + 32, strings + 1);
        f.putInt(shAt + 128 + 4, 11).putLong(shAt + 128 + 24, symtabAt).putLong(shAt + 128 + 32, symbols * 24L)
                .putInt(shAt + 128 + 40, 1);
        Path crafted = Files.write(dir.resolve("libnames.so"), f.array());
        ElfFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(ElfFormatException.class, () -> ElfFile.read(crafted)));
        assertTrue(e.getMessage().contains("four times the file's size"), e.getMessage());
    }

    @Test
    void randomDamageNeverEscapesAsAnythingButIOException() throws IOException {
        byte[] original = Files.readAllBytes(FIXTURE);
        Random random = new Random(20261124);
        Path target = dir.resolve("fuzzed.so");
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 2000; round++) {
                byte[] bytes = original.clone();
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    // Most damage goes to the headers, where lengths and offsets live.
                    int at = random.nextInt(4) == 0 ? random.nextInt(bytes.length) : random.nextInt(Math.min(bytes.length, 4096));
                    bytes[at] = (byte) random.nextInt(256);
                }
                if (random.nextInt(5) == 0) {
                    bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
                }
                Files.write(target, bytes);
                for (int check = 0; check < 2; check++) {
                    try {
                        if (check == 0) {
                            ElfFile.read(target);
                        } else {
                            ElfFile.checkLoadable(target);
                        }
                    } catch (IOException expected) {
                        assertInstanceOf(ElfFormatException.class, expected);
                    }
                }
            }
        });
    }

    @Test
    void aFileThatCannotBeOpenedIsReportedAsJavaNioFileDoes(@TempDir Path dir) {
        Path missing = dir.resolve("libmissing.so");
        assertThrows(java.nio.file.NoSuchFileException.class, () -> ElfFile.read(missing));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> ElfFile.checkLoadable(missing));
        assertThrows(java.nio.file.FileSystemException.class, () -> ElfFile.readHeader(dir));
    }

    @Test
    void anExportedDataObjectIsReadFromTheFileWithoutLoadingIt() throws IOException {
        ElfData counter = ElfFile.readData(FIXTURE, "fixture_counter", 64).orElseThrow();
        assertEquals(4, counter.size());
        assertTrue(counter.complete());
        assertEquals(42, counter.bytes().getInt(0), "the initial value, in the file's byte order");
        assertEquals(Optional.empty(), ElfFile.readData(FIXTURE, "fixture_add", 64), "a function is no data object");
        assertEquals(Optional.empty(), ElfFile.readData(FIXTURE, "no_such_object", 64));
        ElfData cut = ElfFile.readData(FIXTURE, "fixture_counter", 2).orElseThrow();
        assertEquals(2, cut.bytes().remaining());
        assertTrue(!cut.complete(), "a limit below the size gives the first bytes, and says so");
        assertThrows(ElfFormatException.class, () -> ElfFile.readData(truncatedCopy(), "fixture_counter", 64));
    }

    @TempDir
    Path dataDir;

    private Path truncatedCopy() throws IOException {
        byte[] bytes = Files.readAllBytes(FIXTURE);
        Path half = dataDir.resolve("libhalf.so");
        Files.write(half, Arrays.copyOf(bytes, bytes.length / 2));
        return half;
    }
}
