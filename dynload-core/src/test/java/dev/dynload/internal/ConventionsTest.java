package dev.dynload.internal;

import dev.dynload.internal.linux.GnuConventions;
import dev.dynload.internal.macos.DarwinConventions;
import dev.dynload.internal.windows.WindowsConventions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each platform's conventions, read from the messages and folders each platform really has. */
class ConventionsTest {

    @Test
    void gnuReadsGlibcMessages() {
        GnuConventions gnu = new GnuConventions();
        assertEquals(Optional.of("libdependency.so"), gnu.missingDependency(
                "libdependency.so: cannot open shared object file: No such file or directory"));
        assertEquals(Optional.of("fixture_missing"), gnu.undefinedSymbol(
                "/tmp/libuser.so: undefined symbol: fixture_missing"));
        assertEquals(Optional.empty(), gnu.missingDependency("/tmp/x.so: invalid ELF header"));
    }

    @Test
    void darwinReadsDyldMessages() {
        DarwinConventions darwin = new DarwinConventions();
        assertEquals(Optional.of("@rpath/libdep.dylib"), darwin.missingDependency(
                "dlopen(/tmp/libuser.dylib, 0x0001): Library not loaded: @rpath/libdep.dylib"));
        assertEquals(Optional.of("helper"), darwin.undefinedSymbol(
                "dlopen(/tmp/libuser.dylib, 0x0001): Symbol not found: _helper"));
    }

    @Test
    void onlyGnuFindsVersionedFilesForAnUnversionedName(@TempDir Path dir) throws IOException {
        for (String name : List.of("libz.so.1", "libz.so.1.2.13", "libz.so.2", "libz.so.old")) {
            Files.createFile(dir.resolve(name));
        }
        assertEquals(List.of(dir.resolve("libz.so.2"), dir.resolve("libz.so.1"), dir.resolve("libz.so.1.2.13")),
                new GnuConventions().candidates(dir, "libz.so"));
        assertEquals(List.of(), new DarwinConventions().candidates(dir, "libz.so"));
        assertEquals(List.of(dir.resolve("libz.so.1")), new DarwinConventions().candidates(dir, "libz.so.1"));
    }

    @Test
    void onlyGnuReadsLdSoConf() throws IOException {
        // Debian lists its multiarch folder in /etc/ld.so.conf.d, and in no built-in default.
        Path multiarch = Path.of("/lib/x86_64-linux-gnu");
        boolean listed = Files.isDirectory(Path.of("/etc/ld.so.conf.d"))
                && Files.list(Path.of("/etc/ld.so.conf.d")).anyMatch(f -> {
                    try {
                        return Files.readString(f).contains(multiarch.toString());
                    } catch (IOException e) {
                        return false;
                    }
                });
        org.junit.jupiter.api.Assumptions.assumeTrue(listed, "this system's ld.so.conf does not list " + multiarch);
        assertTrue(new GnuConventions().systemFolders("DYNLOAD_NO_SUCH_VARIABLE", List.of()).contains(multiarch));
        assertEquals(List.of(), new DarwinConventions().systemFolders("DYNLOAD_NO_SUCH_VARIABLE", List.of()));
    }

    @Test
    void eachPlatformKeepsItsCacheWhereItsUsersLook() {
        assertEquals(Path.of("/home/u/Library/Caches/dynload"), new DarwinConventions().cacheFolder("/home/u"));
        Path windows = new WindowsConventions().cacheFolder("/home/u");
        assertTrue(windows.endsWith(Path.of("dynload")), windows.toString());
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path expected = xdg != null && xdg.startsWith("/") ? Path.of(xdg, "dynload") : Path.of("/home/u/.cache/dynload");
        assertEquals(expected, new GnuConventions().cacheFolder("/home/u"));
    }

    @Test
    void windowsTakesAFileByItsExactNameAndReadsNoModuleFromItsMessages(@TempDir Path dir) throws IOException {
        Files.createFile(dir.resolve("zstd.dll"));
        WindowsConventions windows = new WindowsConventions();
        assertEquals(List.of(dir.resolve("zstd.dll")), windows.candidates(dir, "zstd.dll"));
        assertEquals(List.of(), windows.candidates(dir, "zstd-1.dll"));
        assertEquals(Optional.empty(), windows.missingDependency(
                "C:\\x\\zstd.dll: The specified module could not be found. (error 126)"));
    }

    /** Exports for "did you mean" come from the file, whatever its format: a Mach-O file's, here on Linux. */
    @Test
    void darwinAndWindowsSuggestFromTheirOwnFormats() {
        Path dylib = dev.dynload.format.ForeignFixtures.path("libforeign-arm64.dylib");
        assertTrue(new DarwinConventions().exports(dylib).contains("foreign_answer"));
        Path dll = dev.dynload.format.ForeignFixtures.path("foreign.dll");
        assertTrue(new WindowsConventions().exports(dll).contains("foreign_answer"));
    }
}
