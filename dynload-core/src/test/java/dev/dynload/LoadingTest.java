package dev.dynload;

import dev.dynload.LibraryLoadException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opening by name: mapping, search order, versioned files, linker scripts, what a failure lists. */
class LoadingTest {

    @TempDir
    Path dir;

    private static int add(Library lib) throws Throwable {
        return (int) lib.downcall("fixture_add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)).invokeExact(20, 22);
    }

    @Test
    void bareNameIsMappedAndFoundOnTheSearchPath() throws Throwable {
        try (Library lib = Library.open("fixture", LoadOption.searchPath(Fixtures.NATIVE))) {
            assertEquals(Fixtures.FIXTURE, lib.path().orElseThrow());
            assertEquals("fixture", lib.name());
            assertEquals(42, add(lib));
        }
    }

    @Test
    void unversionedNameFindsTheVersionedFileWithTheHighestMajor() throws Throwable {
        Fixtures.copyFixture(dir, "libversioned.so.1");
        Fixtures.copyFixture(dir, "libversioned.so.2");
        Fixtures.copyFixture(dir, "libversioned.so.2.0.7");
        Files.writeString(dir.resolve("libversioned.so.backup"), "not a version");
        try (Library lib = Library.open("versioned", LoadOption.searchPath(dir))) {
            assertEquals(dir.resolve("libversioned.so.2"), lib.path().orElseThrow());
            assertEquals(42, add(lib));
        }
    }

    @Test
    void fileNameIsUsedAsGiven() throws Throwable {
        Fixtures.copyFixture(dir, "libgiven.so.3");
        try (Library lib = Library.open("libgiven.so.3", LoadOption.searchPath(dir))) {
            assertEquals(dir.resolve("libgiven.so.3"), lib.path().orElseThrow());
        }
    }

    @Test
    void nameWithSlashIsAPath() {
        try (Library lib = Library.open(Fixtures.FIXTURE.toString())) {
            assertEquals(Fixtures.FIXTURE, lib.path().orElseThrow());
        }
    }

    @Test
    void searchPathComesBeforeJavaLibraryPath() throws Throwable {
        Path first = Files.createDirectory(dir.resolve("first"));
        Path second = Files.createDirectory(dir.resolve("second"));
        Fixtures.copyFixture(first, "libordered.so");
        Fixtures.copyFixture(second, "libordered.so");
        String saved = System.getProperty("java.library.path");
        System.setProperty("java.library.path", second.toString());
        try (Library lib = Library.open("ordered", LoadOption.searchPath(first))) {
            assertEquals(first.resolve("libordered.so"), lib.path().orElseThrow());
        } finally {
            System.setProperty("java.library.path", saved);
        }
    }

    @Test
    void javaLibraryPathIsSearched() throws Throwable {
        Fixtures.copyFixture(dir, "libviaproperty.so");
        String saved = System.getProperty("java.library.path");
        System.setProperty("java.library.path", "/nonexistent-dynload" + java.io.File.pathSeparator + dir);
        try (Library lib = Library.open("viaproperty")) {
            assertEquals(dir.resolve("libviaproperty.so"), lib.path().orElseThrow());
        } finally {
            System.setProperty("java.library.path", saved);
        }
    }

    @Test
    void libraryForAnotherCpuIsPassedOverForTheNextOne() throws Throwable {
        Path arm = Files.createDirectory(dir.resolve("arm"));
        Path host = Files.createDirectory(dir.resolve("host"));
        Fixtures.patchedFixture(arm, "libmulti.so", 18, (byte) 183, (byte) 0);
        Fixtures.copyFixture(host, "libmulti.so");
        try (Library lib = Library.open("multi", LoadOption.searchPath(arm, host))) {
            assertEquals(host.resolve("libmulti.so"), lib.path().orElseThrow());
        }
        LibraryLoadException e = assertThrows(LibraryLoadException.class,
                () -> Library.open("multi", LoadOption.searchPath(arm)));
        assertEquals(Reason.WRONG_ARCHITECTURE, e.reason());
    }

    @Test
    void notFoundListsEveryPlaceSearched() {
        LibraryLoadException e = assertThrows(LibraryLoadException.class,
                () -> Library.open("dynload_surely_absent", LoadOption.searchPath(dir)));
        assertEquals(Reason.NOT_FOUND, e.reason());
        assertEquals("dynload_surely_absent", e.library());
        assertTrue(e.file().isEmpty());
        assertEquals(dir.toString(), e.searched().getFirst());
        assertTrue(e.searched().contains("/etc/ld.so.cache"), e.searched().toString());
        assertEquals(e.searched().stream().distinct().toList(), e.searched(), "each place once");
        assertTrue(e.getMessage().contains("libdynload_surely_absent.so"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("LoadOption.searchPath"), e.getMessage());
    }

    /**
     * A user's machine has {@code liblz4.so.1} but not the {@code liblz4.so} of the -dev package. The
     * loader's own search lists the system folders (by exact name only), and those folders were then taken
     * as searched, so the versioned file was never looked for. Every library of the system folders in that
     * state is checked here, by reading files only; lz4 and zstd, where present, are loaded and called.
     */
    @Test
    void aSystemLibraryWithoutItsDevelopmentLinkOpensByItsBareName() throws Throwable {
        java.util.List<String> bare = new java.util.ArrayList<>();
        for (String folder : new String[] {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64"}) {
            if (!Files.isDirectory(Path.of(folder))) {
                continue;
            }
            try (var files = Files.list(Path.of(folder))) {
                for (Path f : files.toList()) {
                    String n = f.getFileName().toString();
                    int so = n.indexOf(".so.");
                    if (n.startsWith("lib") && so > 3 && n.substring(so + 4).matches("[0-9]+")
                            && !Files.exists(f.resolveSibling(n.substring(0, so + 3)))) {
                        bare.add(n.substring(3, so));
                    }
                }
            }
        }
        assertTrue(!bare.isEmpty(), "this machine has no versioned library without its development link to test");
        for (String name : bare) {
            Path found = LoadPlan.locate(name);
            assertTrue(found.getFileName().toString().startsWith("lib" + name + ".so."), name + ": " + found);
        }
        if (bare.contains("lz4")) {
            try (Library lz4 = Library.open("lz4")) {
                int version = (int) lz4.downcall("LZ4_versionNumber", FunctionDescriptor.of(JAVA_INT)).invokeExact();
                assertTrue(version >= 10000, "LZ4 " + version);
            }
        }
        if (bare.contains("zstd")) {
            try (Library zstd = Library.open("zstd")) {
                assertTrue(zstd.find("ZSTD_versionNumber").isPresent());
            }
        }
    }

    @Test
    void aFolderInBothJavaLibraryPathAndLdLibraryPathIsListedOnce() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ChildJvm.command(java.util.List.of("-Djava.library.path=" + dir), null,
                SearchedProbe.class)).redirectErrorStream(true);
        pb.environment().put("LD_LIBRARY_PATH", dir.toString());
        Process child = pb.start();
        String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, child.waitFor(), out);
        java.util.List<String> lines = out.lines().toList();
        assertEquals(dir.toString(), lines.getFirst(), out);
        assertEquals(1, lines.stream().filter(l -> l.startsWith(dir.toString())).count(), "listed once: " + out);
    }

    /** Run in a child JVM: prints each place a failed open by name searched, one per line. */
    static final class SearchedProbe {
        public static void main(String[] args) {
            try {
                Library.open("dynload_surely_absent").close();
            } catch (LibraryLoadException e) {
                e.searched().forEach(System.out::println);
            }
        }
    }

    @Test
    void systemLibrariesOpenByBareNameAndFileName() throws Throwable {
        try (Library z = Library.open("z"); Library z1 = Library.open("libz.so.1")) {
            assertTrue(z.find("zlibVersion").isPresent());
            assertTrue(z.path().orElseThrow().getFileName().toString().startsWith("libz.so"), z.path().toString());
            assertTrue(z1.find("crc32").isPresent());
        }
    }

    @Test
    void bareNameOfAGlibcLinkerScriptIsFollowedToTheRealLibrary() throws Throwable {
        try (Library c = Library.open("c"); Library m = Library.open("m")) {
            assertTrue(c.path().orElseThrow().getFileName().toString().startsWith("libc.so."), c.path().toString());
            assertTrue(m.path().orElseThrow().getFileName().toString().startsWith("libm.so."), m.path().toString());
            double cos = (double) m.downcall("cos", FunctionDescriptor.of(
                    java.lang.foreign.ValueLayout.JAVA_DOUBLE, java.lang.foreign.ValueLayout.JAVA_DOUBLE)).invokeExact(0.0);
            assertEquals(1.0, cos);
        }
    }

    @Test
    void linkerScriptFoundByNameInASearchFolderIsFollowed() throws IOException {
        Files.writeString(dir.resolve("libindirect.so"), "/* GNU ld script */\nINPUT ( " + Fixtures.FIXTURE + " )\n");
        try (Library lib = Library.open("indirect", LoadOption.searchPath(dir))) {
            assertEquals(Fixtures.FIXTURE, lib.path().orElseThrow());
        }
    }

    @Test
    void emptyOrNulNamesAreIllegalArguments() {
        assertThrows(IllegalArgumentException.class, () -> Library.open(""));
        assertThrows(IllegalArgumentException.class, () -> Library.open("fix\0ture"));
    }
}
