package dev.dynload;

import dev.dynload.LibraryLoadException.Reason;
import dev.dynload.format.BinaryFormat;
import dev.dynload.format.ForeignFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Diagnosis} on its own: each explanation it gives, from the file's own bytes and the loader's
 * message, without loading anything. Each exception names the library and the file, says what happened
 * and what to do.
 */
class DiagnosisTest {

    @TempDir
    Path dir;

    private static Diagnosis of(Path file) {
        return new Diagnosis(file.getFileName().toString(), file, List.of("/searched/one"));
    }

    private static void assertNames(LibraryLoadException e, Path file) {
        assertEquals(file.getFileName().toString(), e.library());
        assertEquals(file, e.file().orElseThrow());
        assertEquals(List.of("/searched/one"), e.searched());
        assertFalse(e.hint().isEmpty(), "a hint says what to do: " + e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void aMissingFileIsNotFoundWithTheWorkingDirectoryForARelativePath() {
        Path relative = Path.of("no/such/libx.so");
        LibraryLoadException e = of(relative).cannotOpen(new NoSuchFileException(relative.toString()));
        assertEquals(Reason.NOT_FOUND, e.reason());
        assertEquals("no such file", e.detail());
        assertTrue(e.hint().contains(Path.of("").toAbsolutePath().toString()), e.hint());
        Path absolute = dir.resolve("libgone.so");
        LibraryLoadException abs = of(absolute).cannotOpen(new NoSuchFileException(absolute.toString()));
        assertFalse(abs.hint().contains("working directory"), abs.hint());
        assertNames(abs, absolute);
    }

    @Test
    void aDanglingLinkIsSaidToBeOne() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("libdangling.so"), dir.resolve("missing.so"));
        LibraryLoadException e = of(link).cannotOpen(new NoSuchFileException(link.toString()));
        assertEquals("is a symbolic link to a file that does not exist", e.detail());
    }

    @Test
    void accessDeniedAndOtherFileSystemErrorsKeepTheirReason() {
        Path file = dir.resolve("libsecret.so");
        LibraryLoadException denied = of(file).cannotOpen(new AccessDeniedException(file.toString()));
        assertEquals(Reason.PERMISSION_DENIED, denied.reason());
        assertTrue(denied.hint().contains("chmod"), denied.hint());
        LibraryLoadException other = of(file).cannotOpen(new FileSystemException(file.toString(), null, "Too many levels of symbolic links"));
        assertEquals(Reason.LOADER_ERROR, other.reason());
        assertEquals("cannot be opened: Too many levels of symbolic links", other.detail());
        assertNames(other, file);
    }

    @Test
    void aPrivateCopyThatCannotBeMadeOrCannotBeLoadedSaysWhatToDoInstead() {
        Path file = dir.resolve("libcopy.so");
        LibraryLoadException copy = of(file).cannotCopy(new FileSystemException(file.toString(), null, "No space left on device"));
        assertEquals("cannot be copied into private memory: No space left on device", copy.detail());
        assertTrue(copy.hint().contains("PRIVATE_COPY"), copy.hint());
        LibraryLoadException byPath = of(file).privateCopyByPath("libdep.so");
        assertTrue(byPath.detail().contains("libdep.so") && byPath.detail().contains("$ORIGIN"), byPath.detail());
        assertTrue(byPath.hint().contains("-Wl,-soname"), byPath.hint());
    }

    @Test
    void aFailureInIsolationKeepsTheChildsOutput() {
        Path file = dir.resolve("libcrash.so");
        LibraryLoadException e = of(file).failedInIsolation("crashed the child process (SIGSEGV)", "child said this");
        assertEquals(Reason.FAILED_IN_ISOLATION, e.reason());
        assertEquals("child said this", e.loaderMessage().orElseThrow());
        assertTrue(e.hint().contains("not loaded into this process"), e.hint());
    }

    @Test
    void theFixtureRunsHereAndAnotherCpusCopyDoesNot() throws IOException {
        assertTrue(Diagnosis.runsHere(Fixtures.FIXTURE));
        // e_machine (offset 18) changed to AArch64 (183) or x86-64 (62), whichever this is not.
        byte other = (byte) (Diagnosis.HOST_MACHINE == 62 ? 183 : 62);
        Path foreign = Fixtures.patchedFixture(dir, "libother.so", 18, other, (byte) 0);
        assertFalse(Diagnosis.runsHere(foreign));
        assertFalse(Diagnosis.runsHere(Files.writeString(dir.resolve("notes.txt"), "text")));
        assertFalse(Diagnosis.runsHere(dir.resolve("missing.so")));
        LibraryLoadException e = of(foreign).afterLoading("wrong ELF class or machine");
        assertEquals(Reason.WRONG_ARCHITECTURE, e.reason());
        assertTrue(e.detail().contains("but this JVM runs on " + Diagnosis.hostDescription()), e.detail());
        assertEquals("wrong ELF class or machine", e.loaderMessage().orElseThrow());
    }

    @Test
    void anExecutableOrAnObjectFileIsNotASharedLibrary() throws IOException {
        LibraryLoadException exe = of(Fixtures.FIXTURE).afterLoading("cannot dynamically load executable");
        assertTrue(exe.reason() != Reason.NOT_A_SHARED_LIBRARY, "the intact fixture is a shared object");
        Path executable = Fixtures.patchedFixture(dir, "libexe.so", 16, (byte) 2, (byte) 0); // e_type ET_EXEC
        LibraryLoadException e = of(executable).afterLoading("cannot dynamically load executable");
        assertEquals(Reason.NOT_A_SHARED_LIBRARY, e.reason());
        assertEquals("is an executable, not a shared library", e.detail());
        Path object = Fixtures.patchedFixture(dir, "libobject.so", 16, (byte) 1, (byte) 0); // ET_REL
        LibraryLoadException o = of(object).afterLoading("only ET_DYN and ET_EXEC can be loaded");
        assertTrue(o.detail().contains("object file"), o.detail());
        assertTrue(o.hint().contains("gcc -shared"), o.hint());
    }

    @Test
    void aLinkerScriptPointsAtTheLibraryItNames() throws IOException {
        Path script = Files.writeString(dir.resolve("libc.so"),
                "/* GNU ld script */\nOUTPUT_FORMAT(elf64-x86-64)\nGROUP ( " + Fixtures.FIXTURE + " )\n");
        LibraryLoadException e = of(script).afterLoading("invalid ELF header");
        assertEquals(Reason.LINKER_SCRIPT, e.reason());
        assertTrue(e.hint().contains(Fixtures.FIXTURE.toString()), e.hint());
        assertEquals(List.of(), e.problems());
    }

    @Test
    void anotherPlatformsLibraryIsNamedWithItsPlatform() {
        Path dylib = ForeignFixtures.path("libforeign-arm64.dylib");
        LibraryLoadException e = of(dylib).afterLoading("invalid ELF header");
        assertEquals(Reason.WRONG_ARCHITECTURE, e.reason());
        assertTrue(e.detail().contains("Mach-O") && e.detail().contains("osx-aarch_64"), e.detail());
        Path dll = ForeignFixtures.path("foreign.dll");
        LibraryLoadException d = of(dll).afterLoading(null);
        assertTrue(d.detail().contains("PE") && d.detail().contains("windows-x86_64"), d.detail());
    }

    @Test
    void textAndDeniedLoadsAreSaidInWords() throws IOException {
        Path text = Files.writeString(dir.resolve("libreadme.so"), "This is not a library.\n");
        LibraryLoadException e = of(text).afterLoading("invalid ELF header");
        assertEquals(Reason.NOT_A_SHARED_LIBRARY, e.reason());
        assertTrue(e.hint().contains(OperatingSystem.current().mapLibraryName("NAME")), e.hint());
        assertTrue(of(text).notElf().isPresent());
        assertTrue(of(Fixtures.FIXTURE).notElf().isEmpty());
        LibraryLoadException denied = of(Fixtures.FIXTURE).afterLoading("failed to map segment: Permission denied");
        assertEquals(Reason.PERMISSION_DENIED, denied.reason());
        assertTrue(denied.hint().contains("noexec"), denied.hint());
    }

    @Test
    void theBytesAreReadThroughTheOpenFileOnceGiven() throws IOException {
        Path text = Files.writeString(dir.resolve("libswapped.so"), "not ELF");
        Diagnosis d = of(text);
        d.readThrough(Fixtures.FIXTURE); // what was opened and checked, whatever the path names now
        assertTrue(d.notElf().isEmpty());
        assertTrue(Diagnosis.isElf(new byte[] {0x7f, 'E', 'L', 'F', 2}));
        assertFalse(Diagnosis.isElf(new byte[] {0x7f, 'E', 'L'}));
    }

    @Test
    void onMacOsOrWindowsADamagedLibraryOfTheirFormatIsRefusedBeforeTheLoaderSeesIt() throws IOException {
        Path sound = ForeignFixtures.path("libforeign-arm64.dylib");
        assertTrue(of(sound).structure(BinaryFormat.MACH_O).isEmpty(), "a sound dylib goes on to dyld");
        byte[] bytes = Files.readAllBytes(sound);
        bytes[0x14] = (byte) 0xff; // sizeofcmds: the load commands now run past the end of the file
        bytes[0x15] = (byte) 0xff;
        Path damaged = Files.write(dir.resolve("libdamaged.dylib"), bytes);
        LibraryLoadException e = assertThrows(LibraryLoadException.class, () -> of(damaged).structure(BinaryFormat.MACH_O));
        assertEquals(Reason.DAMAGED, e.reason());
        assertTrue(e.detail().startsWith("is damaged: header: the load commands (65535 bytes) run past the end"), e.detail());
        assertTrue(e.hint().contains("dynload verify " + damaged), e.hint());
        // On Linux the dylib is another platform's file: left to the loader, which refuses it harmlessly.
        assertTrue(of(damaged).structure(BinaryFormat.ELF).isEmpty());
        Path dll = ForeignFixtures.path("foreign.dll");
        assertTrue(of(dll).structure(BinaryFormat.PE).isEmpty(), "a sound DLL goes on to LoadLibraryExW");
        byte[] pe = Files.readAllBytes(dll);
        java.nio.ByteBuffer.wrap(pe).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0x3c, pe.length + 64); // e_lfanew
        Path broken = Files.write(dir.resolve("broken.dll"), pe);
        LibraryLoadException p = assertThrows(LibraryLoadException.class, () -> of(broken).structure(BinaryFormat.PE));
        assertEquals(Reason.DAMAGED, p.reason());
        // A dylib on Windows is not checked as PE: the loader refuses it, and afterLoading names it.
        assertTrue(of(damaged).structure(BinaryFormat.PE).isEmpty());
    }

    @Test
    void ofAUniversalDylibOnlyTheSliceDyldMapsHereIsJudged() throws IOException {
        byte[] bytes = Files.readAllBytes(ForeignFixtures.path("libforeign-universal.dylib"));
        java.nio.ByteBuffer fat = java.nio.ByteBuffer.wrap(bytes); // the universal header is big-endian
        int arm64 = 0x0100000c;
        int other = -1;
        int sliceAt = -1;
        for (int i = 0; i < fat.getInt(4); i++) {
            int entry = 8 + 20 * i;
            boolean isArm = fat.getInt(entry) == arm64;
            boolean hostIsArm = dev.dynload.format.Cpu.current() == dev.dynload.format.Cpu.AARCH64;
            if (isArm != hostIsArm) {
                other = i;
                sliceAt = fat.getInt(entry + 8);
            }
        }
        assertTrue(other >= 0, "the fixture has a slice for another CPU than this one");
        bytes[sliceAt + 0x14] = (byte) 0xff; // that slice's sizeofcmds (little-endian): past the end of the file
        bytes[sliceAt + 0x15] = (byte) 0xff;
        Path universal = Files.write(dir.resolve("libuniversal.dylib"), bytes);
        assertFalse(dev.dynload.format.NativeFile.verify(universal).isEmpty(), "verify reads every slice");
        assertEquals(List.of(), dev.dynload.format.NativeFile.verifyForHost(universal));
        assertTrue(of(universal).structure(BinaryFormat.MACH_O).isEmpty(), "dyld would not read the damaged slice");
    }
}
