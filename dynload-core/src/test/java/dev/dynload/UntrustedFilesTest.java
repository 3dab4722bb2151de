package dev.dynload;

import dev.dynload.LibraryLoadException.Reason;
import dev.dynload.elf.ElfProblem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A library file is input: what it holds, and what happens to it while it loads, never takes the JVM down. */
class UntrustedFilesTest {

    @TempDir
    Path dir;

    private static int callInt(Library lib, String function) throws Throwable {
        MethodHandle h = lib.downcall(function, FunctionDescriptor.of(JAVA_INT));
        return (int) h.invokeExact();
    }

    private static void sh(String script, Path in) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", script).directory(in.toFile()).inheritIO().start();
        assertEquals(0, p.waitFor(), script);
    }

    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        sh("mkfifo libfifo.so", dir);
        LibraryLoadException e = assertThrows(LibraryLoadException.class, () -> Library.open(dir.resolve("libfifo.so")));
        assertEquals(Reason.NOT_A_SHARED_LIBRARY, e.reason());
        assertTrue(e.getMessage().contains("FIFO"), e.getMessage());
        assertThrows(java.nio.file.FileSystemException.class, () -> dev.dynload.elf.ElfFile.read(dir.resolve("libfifo.so")));
    }

    @Test
    void aDamagedLibraryIsRefusedBeforeTheLoaderSeesItWithEveryProblemListed() throws IOException {
        byte[] bytes = Files.readAllBytes(Fixtures.FIXTURE);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int dynamic = dynamicSection(b);
        for (int at = dynamic; b.getLong(at) != 0; at += 16) {
            if (b.getLong(at) == 9) { // DT_RELAENT: glibc asserts it is 24, ending the process
                b.putLong(at + 8, 25);
            }
        }
        Path damaged = Files.write(dir.resolve("libdamaged.so"), bytes);
        LibraryLoadException e = assertThrows(LibraryLoadException.class, () -> Library.open(damaged));
        assertEquals(Reason.DAMAGED, e.reason());
        assertTrue(e.getMessage().contains("DT_RELAENT is 25, not 24"), e.getMessage());
        assertTrue(e.getMessage().contains("dynload verify"), e.getMessage());
        assertEquals(ElfProblem.Part.DYNAMIC, e.problems().getFirst().part());
    }

    static int dynamicSection(ByteBuffer b) {
        long phoff = b.getLong(32);
        for (int i = 0; i < Short.toUnsignedInt(b.getShort(56)); i++) {
            int ph = (int) phoff + i * 56;
            if (b.getInt(ph) == 2) {
                return (int) b.getLong(ph + 8);
            }
        }
        throw new IllegalArgumentException("no PT_DYNAMIC");
    }

    @Test
    void aPathLongerThanPathMaxLoads() throws Throwable {
        // 20 folders of 250 bytes: a path of over 5,000 bytes, which open() and dlopen() refuse whole.
        String name = "d".repeat(250);
        sh("set -e; for i in $(seq 20); do mkdir " + name + "; cd " + name + "; done; cp "
                + Fixtures.FIXTURE + " libfixture.so", dir);
        Path deep = dir;
        for (int i = 0; i < 20; i++) {
            deep = deep.resolve(name);
        }
        Path file = deep.resolve("libfixture.so");
        assertTrue(file.toString().length() > 4096);
        try (Library lib = Library.open(file)) {
            MethodHandle add = lib.downcall("fixture_add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            assertEquals(5, (int) add.invokeExact(2, 3));
            assertEquals(file.toAbsolutePath(), lib.path().orElseThrow());
        } finally {
            sh("rm -rf " + name, dir); // Java cannot delete what it cannot name in one path
        }
    }

    @Test
    void aFileNameThatIsNotUtf8Loads() throws Throwable {
        sh("cp " + Fixtures.FIXTURE + " $'libcaf\\xe9.so'", dir);
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.filter(f -> f.getFileName().toString().startsWith("libcaf")).findFirst().orElseThrow();
        }
        try (Library lib = Library.open(file)) {
            MethodHandle add = lib.downcall("fixture_add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            assertEquals(7, (int) add.invokeExact(3, 4));
        }
    }

    @Test
    void aNameFoundOnlyInTheWorkingDirectorySaysHowToLoadIt() throws IOException {
        Path here = Path.of("libdynload-cwd-hint.so").toAbsolutePath();
        Files.copy(Fixtures.FIXTURE, here);
        try {
            LibraryLoadException e = assertThrows(LibraryLoadException.class, () -> Library.open("libdynload-cwd-hint.so"));
            assertEquals(Reason.NOT_FOUND, e.reason());
            assertTrue(e.hint().contains("give its path: ./libdynload-cwd-hint.so"), e.hint());
        } finally {
            Files.delete(here);
        }
    }

    @Test
    void originDependenciesResolveThoughTheLibraryIsLoadedThroughItsOpenFile() throws Throwable {
        for (String kind : List.of("soname", "plain", "needed")) {
            Path user = Fixtures.NATIVE.resolve("origin-" + kind + "/liborigin_user.so");
            try (Library lib = Library.open(user)) {
                assertEquals(42, callInt(lib, "origin_user_value"), kind);
            }
        }
        Path withSoname = Fixtures.NATIVE.resolve("origin-soname/liborigin_user.so");
        try (Library lib = Library.open(withSoname, LoadOption.PRIVATE_COPY)) {
            assertEquals(42, callInt(lib, "origin_user_value"), "private copy");
        }
    }

    @Test
    void aPrivateCopyWhoseDependencyOnlyTheRealFolderFindsIsRefusedNotLoadedFromThePath() {
        // Without a SONAME, or named "$ORIGIN/...", the dependency is found only from the library's own
        // folder, so the loader would have to be given the original file: not the sealed copy promised.
        for (String kind : List.of("plain", "needed")) {
            Path user = Fixtures.NATIVE.resolve("origin-" + kind + "/liborigin_user.so");
            LibraryLoadException e = assertThrows(LibraryLoadException.class,
                    () -> Library.open(user, LoadOption.PRIVATE_COPY), kind);
            assertEquals(Reason.LOADER_ERROR, e.reason(), kind);
            assertTrue(e.getMessage().contains("cannot be loaded as a private copy") && e.getMessage().contains("SONAME")
                    && e.getMessage().contains("liborigin_dep.so") && e.getMessage().contains(user.toString()), e.getMessage());
        }
    }

    @Test
    void soundLibrariesAnEarlierVerifierRefusedLoad() throws Throwable {
        // 'strip -x' keeps .symtab's global functions only, without frame_dummy, which the init array calls.
        Path stripped = Fixtures.NATIVE.resolve("libfixture-stripx.so");
        assertEquals(List.of(), dev.dynload.elf.ElfFile.verify(stripped));
        try (Library lib = Library.open(stripped)) {
            MethodHandle add = lib.downcall("fixture_add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            assertEquals(5, (int) add.invokeExact(2, 3));
        }
        // A pointer to the library's own ELF header: a relative relocation with addend 0.
        Path ehdr = Fixtures.NATIVE.resolve("libehdr.so");
        assertEquals(List.of(), dev.dynload.elf.ElfFile.verify(ehdr));
        try (Library lib = Library.open(ehdr)) {
            MethodHandle start = lib.downcall("ehdr_start", FunctionDescriptor.of(java.lang.foreign.ValueLayout.ADDRESS));
            java.lang.foreign.MemorySegment header = ((java.lang.foreign.MemorySegment) start.invokeExact()).reinterpret(4);
            assertEquals(0x464c457f, header.get(JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN), 0), "\\x7fELF");
        }
    }

    @Test
    void aPrivateCopyLoadsAndCalls() throws Throwable {
        try (Library lib = Library.open(Fixtures.FIXTURE, LoadOption.PRIVATE_COPY)) {
            MethodHandle add = lib.downcall("fixture_add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            assertEquals(9, (int) add.invokeExact(4, 5));
            assertEquals(Fixtures.FIXTURE, lib.path().orElseThrow());
        }
    }

    @Test
    void isolationReportsInitializersThatCrashAbortExitOrBlockAndLoadsNoneOfThem() {
        record Case(String library, String says) {
        }
        for (Case c : List.of(new Case("libctor_crash.so", "signal SIGSEGV (11)"),
                new Case("libctor_abort.so", "signal SIGABRT (6)"),
                new Case("libctor_exit.so", "exit status 3"),
                new Case("libctor_block.so", "timed out after 2 s"))) {
            LibraryLoadException e = assertThrows(LibraryLoadException.class,
                    () -> Library.open(Fixtures.NATIVE.resolve(c.library()), LoadOption.isolated(Duration.ofSeconds(2))));
            assertEquals(Reason.FAILED_IN_ISOLATION, e.reason(), c.library());
            assertTrue(e.getMessage().contains(c.says()), e.getMessage());
            assertTrue(e.getMessage().contains("not loaded into this process"), e.getMessage());
        }
    }

    @Test
    void namesThatAllPointAtOneHugeNameAreRefusedAfterABoundedScan() throws IOException {
        byte[] bytes = Files.readAllBytes(Fixtures.NATIVE.resolve("liblongname.so"));
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
        int shnum = Short.toUnsignedInt(b.getShort(0x3c));
        int dynsym = -1;
        for (int i = 0; i < shnum; i++) {
            if (b.getInt((int) (shoff + (long) i * shentsize) + 4) == 11) { // SHT_DYNSYM
                dynsym = (int) (shoff + (long) i * shentsize);
            }
        }
        int symbols = (int) b.getLong(dynsym + 0x18);
        int count = (int) (b.getLong(dynsym + 0x20) / 24);
        int strings = (int) b.getLong((int) (shoff + (long) b.getInt(dynsym + 0x28) * shentsize) + 0x18);
        int longest = -1;
        for (int i = 1; i < count && longest < 0; i++) {
            int name = b.getInt(symbols + i * 24);
            if (bytes[strings + name] == 'a' && bytes[strings + name + 100] == 'a') {
                longest = name;
            }
        }
        for (int i = 1; i < count; i++) {
            b.putInt(symbols + i * 24, longest); // every name is now the 2 MB one
        }
        Path hostile = Files.write(dir.resolve("libhostile.so"), bytes);
        List<ElfProblem> problems = dev.dynload.elf.ElfFile.verify(hostile);
        assertTrue(problems.stream().anyMatch(p -> p.toString().contains("more than four times the string table")),
                problems.toString());
        LibraryLoadException e = assertThrows(LibraryLoadException.class, () -> Library.open(hostile));
        assertEquals(Reason.DAMAGED, e.reason());
    }

    @Test
    void isolationTellsALoaderRefusalFromAnInitializerThatEndsTheProcess() {
        Path undefined = Fixtures.NATIVE.resolve("libctor_undefined.so");
        // Bound lazily, the initializer's call to a function defined nowhere ends the process inside
        // dlopen with status 127, and the loader's words: in the child, not here.
        LibraryLoadException lazy = assertThrows(LibraryLoadException.class,
                () -> Library.open(undefined, LoadOption.LAZY, LoadOption.isolated(Duration.ofSeconds(10))));
        assertEquals(Reason.FAILED_IN_ISOLATION, lazy.reason());
        assertTrue(lazy.getMessage().contains("exit status 127"), lazy.getMessage());
        // Bound at once, the loader refuses the library before any of its code runs: harmless here too.
        LibraryLoadException now = assertThrows(LibraryLoadException.class,
                () -> Library.open(undefined, LoadOption.NOW, LoadOption.isolated(Duration.ofSeconds(10))));
        assertTrue(now.reason() != Reason.FAILED_IN_ISOLATION, now.getMessage());
        assertTrue(now.getMessage().contains("dynload_fixture_defined_nowhere"), now.getMessage());
    }

    @Test
    void isolationLoadsALibraryThatComesThrough() throws Throwable {
        try (Library lib = Library.open(Fixtures.FIXTURE, LoadOption.isolated(Duration.ofSeconds(10)))) {
            MethodHandle add = lib.downcall("fixture_add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            assertEquals(11, (int) add.invokeExact(5, 6));
        }
        // A library the loader refuses is refused here too, with the loader's own explanation.
        LibraryLoadException e = assertThrows(LibraryLoadException.class,
                () -> Library.open(Fixtures.DEPENDENT, LoadOption.ISOLATED));
        assertEquals(Reason.MISSING_DEPENDENCY, e.reason());
    }
}
