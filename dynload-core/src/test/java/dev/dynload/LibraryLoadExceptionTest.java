package dev.dynload;

import dev.dynload.LibraryLoadException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kind of bad file gets its own diagnosis, naming the file, and never a crash. */
class LibraryLoadExceptionTest {

    @TempDir
    Path dir;

    private static LibraryLoadException failing(Path file, Reason reason) {
        LibraryLoadException e = assertThrows(LibraryLoadException.class, () -> Library.open(file));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(Optional.of(file), e.file());
        assertTrue(e.getMessage().startsWith("cannot load " + file + ": "), e.getMessage());
        assertTrue(!e.hint().isEmpty(), "no hint: " + e.getMessage());
        return e;
    }

    private static void assertMentions(LibraryLoadException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "\"" + part + "\" missing from: " + e.getMessage());
        }
    }

    @Test
    void nonexistentFileIsNotFound() {
        LibraryLoadException e = failing(dir.resolve("libnothing.so"), Reason.NOT_FOUND);
        assertMentions(e, "no such file");
    }

    @Test
    void relativeNonexistentPathNamesTheWorkingDirectory() {
        Path relative = Path.of("no-such-dir/libnothing.so");
        LibraryLoadException e = failing(relative, Reason.NOT_FOUND);
        assertMentions(e, "relative to the working directory", Path.of("").toAbsolutePath().toString());
    }

    @Test
    void danglingSymlinkIsNotFoundAndSaysSo() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("libdangling.so"), dir.resolve("gone.so"));
        assertMentions(failing(link, Reason.NOT_FOUND), "symbolic link");
    }

    @Test
    void directoryIsDiagnosedAsDirectory() {
        assertMentions(failing(dir, Reason.IS_DIRECTORY), "is a directory", "LoadOption.searchPath");
    }

    @Test
    void emptyFileIsNotASharedLibrary() throws IOException {
        Path empty = Files.createFile(dir.resolve("libempty.so"));
        assertMentions(failing(empty, Reason.NOT_A_SHARED_LIBRARY), "empty (0 bytes)");
    }

    @Test
    void randomBytesAreNotASharedLibraryAndTheMessageShowsTheMagic() throws IOException {
        byte[] junk = new byte[4096];
        new Random(7).nextBytes(junk);
        junk[0] = 0x12;
        junk[1] = 0x34;
        Path file = Files.write(dir.resolve("librandom.so"), junk);
        assertMentions(failing(file, Reason.NOT_A_SHARED_LIBRARY), "ELF magic 7f 45 4c 46", "12 34");
    }

    @Test
    void textFileIsNotASharedLibraryAndTheMessageQuotesIt() throws IOException {
        Path file = Files.writeString(dir.resolve("libtext.so"), "just some notes\nsecond line\n");
        assertMentions(failing(file, Reason.NOT_A_SHARED_LIBRARY), "text file", "just some notes");
    }

    @Test
    void linkerScriptPointsToTheLibraryItStandsFor() throws IOException {
        Path script = Files.writeString(dir.resolve("libscripted.so"), """
                /* GNU ld script */
                OUTPUT_FORMAT(elf64-x86-64)
                GROUP ( %s AS_NEEDED ( /lib64/ld-linux-x86-64.so.2 ) )
                """.formatted(Fixtures.FIXTURE));
        LibraryLoadException e = failing(script, Reason.LINKER_SCRIPT);
        assertMentions(e, "GNU linker script", "load " + Fixtures.FIXTURE + " instead");
        assertTrue(e.loaderMessage().isPresent());
    }

    @Test
    void systemLibcSoIsDiagnosedAsLinkerScriptWithLibcSo6AsHint() {
        Path libcSo = Path.of("/usr/lib/x86_64-linux-gnu/libc.so");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(libcSo), "glibc development files");
        assertMentions(failing(libcSo, Reason.LINKER_SCRIPT), "libc.so.6 instead");
    }

    @Test
    void truncatedElfIsDamagedNotACrash() throws IOException {
        byte[] whole = Files.readAllBytes(Fixtures.FIXTURE);
        for (int length : new int[] {5, 20, 64, 200, whole.length / 2}) {
            Path file = Files.write(dir.resolve("libtruncated" + length + ".so"), Arrays.copyOf(whole, length));
            LibraryLoadException e = failing(file, Reason.DAMAGED);
            assertMentions(e, "truncated");
        }
    }

    @Test
    void elfForAnotherMachineNamesBothMachines() throws IOException {
        // e_machine (offset 18, little-endian) = 183, AArch64.
        Path arm = Fixtures.patchedFixture(dir, "libarm.so", 18, (byte) 183, (byte) 0);
        assertMentions(failing(arm, Reason.WRONG_ARCHITECTURE), "AArch64", "this JVM runs on 64-bit");
    }

    @Test
    void realThirtyTwoBitLibraryIsWrongArchitecture() {
        assertMentions(failing(Fixtures.NATIVE.resolve("libi386.so"), Reason.WRONG_ARCHITECTURE),
                "is a 32-bit x86 (i386) library", "this JVM runs on 64-bit amd64");
    }

    @Test
    void objectFileAndStaticArchiveAreNotSharedLibrariesAndSayHowToLinkThem() {
        assertMentions(failing(Fixtures.NATIVE.resolve("fixture.o"), Reason.NOT_A_SHARED_LIBRARY),
                "object file", "gcc -shared");
        assertMentions(failing(Fixtures.NATIVE.resolve("libfixture.a"), Reason.NOT_A_SHARED_LIBRARY),
                "static archive", "--whole-archive");
    }

    @Test
    void missingDependencyIsNamed() {
        LibraryLoadException e = failing(Fixtures.DEPENDENT, Reason.MISSING_DEPENDENCY);
        assertMentions(e, "needs libdependency.so", "LD_LIBRARY_PATH");
        assertTrue(e.loaderMessage().orElseThrow().contains("libdependency.so"));
    }

    @Test
    void openingTheDependencyFirstLetsTheDependentLoad() throws Throwable {
        try (Library dependency = Library.open(Fixtures.DEPENDENCY);
             Library dependent = Library.open(Fixtures.DEPENDENT)) {
            int answer = (int) dependent.downcall("dependent_answer", FunctionDescriptor.of(JAVA_INT)).invokeExact();
            assertEquals(42, answer);
        }
    }

    @Test
    void fifoIsRejectedWithoutHanging() throws Exception {
        Path fifo = dir.resolve("libfifo.so");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertMentions(failing(fifo, Reason.NOT_A_SHARED_LIBRARY), "not a regular file"));
    }

    @Test
    void unreadableFileIsPermissionDenied() throws Exception {
        Path file = Fixtures.copyFixture(dir, "libunreadable.so");
        Files.setPosixFilePermissions(file, java.util.Set.of());
        if (!"root".equals(System.getProperty("user.name"))) {
            assertMentions(failing(file, Reason.PERMISSION_DENIED), "may not read it", "chmod a+r");
            return;
        }
        // Root reads every file, so the check runs in a child JVM as the unprivileged user nobody.
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path setpriv = Path.of("/usr/bin/setpriv");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(setpriv), "util-linux's setpriv");
        // The build's folders may sit where nobody cannot go, so the child gets copies of the classes.
        Path classes = copyTree(location(Library.class), dir.resolve("classes"));
        Path testClasses = copyTree(location(UnreadableProbe.class), dir.resolve("test-classes"));
        String classPath = classes + java.io.File.pathSeparator + testClasses;
        Process child = new ProcessBuilder(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath, UnreadableProbe.class.getName(), file.toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, child.waitFor(), out);
        assertTrue(out.startsWith("PERMISSION_DENIED\tcannot load " + file + ": "), out);
        assertTrue(out.contains("may not read it") && out.contains("chmod a+r"), out);
    }

    private static Path location(Class<?> c) throws java.net.URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static Path copyTree(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        return to;
    }

    @Test
    void pathWithInteriorNulIsAnIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> Library.open("lib\0evil.so"));
        assertThrows(IllegalArgumentException.class, () -> Library.open("/tmp/lib\0evil.so"));
    }
}
