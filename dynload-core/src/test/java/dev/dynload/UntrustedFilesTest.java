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
        for (String kind : List.of("soname", "plain")) {
            Path user = Fixtures.NATIVE.resolve("origin-" + kind + "/liborigin_user.so");
            try (Library lib = Library.open(user)) {
                assertEquals(42, callInt(lib, "origin_user_value"), kind);
            }
            try (Library lib = Library.open(user, LoadOption.PRIVATE_COPY)) {
                assertEquals(42, callInt(lib, "origin_user_value"), kind + ", private copy");
            }
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
