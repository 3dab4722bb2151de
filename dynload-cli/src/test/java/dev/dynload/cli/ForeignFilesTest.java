package dev.dynload.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The read-only commands on macOS and Windows files, on this Linux machine: symbols, verify, info, plugin,
 * plugins and bundle read Mach-O and PE as they read ELF.
 */
class ForeignFilesTest {

    static final Path FOREIGN = Path.of(System.getProperty("dynload.test.foreign",
            "../dynload-core/target/native/foreign")).toAbsolutePath();

    @TempDir
    Path dir;

    private static Path fixture(Path folder, String name) {
        Path p = folder.resolve(name);
        assumeTrue(Files.isRegularFile(p), name + " was not built: install " + (name.endsWith(".dll")
                ? "gcc-mingw-w64-x86-64-win32" : "clang, lld and llvm") + " (scripts/toolchains does, as root on Debian)");
        return p;
    }

    private static String lines(String... lines) {
        return String.join(System.lineSeparator(), lines) + System.lineSeparator();
    }

    @Test
    void symbolsListsWhatAMachOOrPeFileExports() {
        for (String name : new String[] {"libforeign-universal.dylib", "foreign.dll"}) {
            DynloadToolTest.Run r = DynloadToolTest.run("symbols", fixture(FOREIGN, name).toString());
            assertEquals(0, r.status(), r.err());
            assertEquals(lines("function foreign_answer", "data     foreign_counter", "function foreign_greet",
                    "data     foreign_version"), r.out(), name);
            DynloadToolTest.Run functions = DynloadToolTest.run("symbols", "--functions", fixture(FOREIGN, name).toString());
            assertEquals(lines("function foreign_answer", "function foreign_greet"), functions.out(), name);
        }
    }

    @Test
    void verifyChecksEveryFormat() throws IOException {
        for (String name : new String[] {"libforeign-universal.dylib", "foreign.dll", "foreign-arm64.bundle"}) {
            Path file = fixture(FOREIGN, name);
            DynloadToolTest.Run r = DynloadToolTest.run("verify", file.toString());
            assertEquals(0, r.status(), r.err());
            assertEquals(lines(file + ": no problems found"), r.out());
        }
        // A damaged copy: the first load command of the arm64 file made longer than all of them.
        byte[] bytes = Files.readAllBytes(fixture(FOREIGN, "libforeign-arm64.dylib"));
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(36, 0x7fff0000);
        Path damaged = Files.write(dir.resolve("libdamaged.dylib"), bytes);
        DynloadToolTest.Run r = DynloadToolTest.run("verify", damaged.toString());
        assertEquals(ExitCode.BAD_LIBRARY.code(), r.status());
        assertTrue(r.out().startsWith(damaged + ": load commands: command 0 (LC_SEGMENT_64) is 2147418112 bytes"), r.out());
        assertTrue(r.err().contains("the system loader must not be given it"), r.err());
    }

    @Test
    void infoDescribesAnotherPlatformsLibraryWithoutSearching() {
        Path dll = fixture(FOREIGN, "foreign.dll");
        DynloadToolTest.Run r = DynloadToolTest.run("info", dll.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(lines("file:      " + dll,
                "format:    PE 64-bit x86-64 DLL",
                "platform:  windows-x86_64",
                "name:      foreign.dll",
                "exports:   2 functions, 2 other",
                "needs:",
                "  KERNEL32.dll",
                "  msvcrt.dll",
                "loads:     no: it is a PE 64-bit x86-64 DLL for windows-x86_64, and this JVM's loader takes ELF for "
                        + "x86-64 (its dependencies were not searched for)"), r.out());
        Path universal = fixture(FOREIGN, "libforeign-universal.dylib");
        DynloadToolTest.Run mac = DynloadToolTest.run("info", universal.toString());
        assertTrue(mac.out().contains("(universal: 2 architectures, x86_64, arm64; this is x86_64)"), mac.out());
        assertTrue(mac.out().contains("name:      @rpath/libforeign.dylib"), mac.out());
        assertTrue(mac.out().contains("search:    @loader_path:@loader_path/../lib"), mac.out());
    }

    @Test
    void callSaysAnotherPlatformsLibraryCannotLoadHere() {
        DynloadToolTest.Run r = DynloadToolTest.run("call", fixture(FOREIGN, "foreign.dll").toString(), "foreign_answer");
        assertEquals(ExitCode.BAD_LIBRARY.code(), r.status());
        assertTrue(r.err().contains("is a PE 64-bit x86-64 DLL, built for windows-x86_64, which this platform's loader "
                + "cannot load; load the build of it for linux-"), r.err());
    }

    @Test
    void pluginAndPluginsReadManifestsOfEveryPlatform() throws IOException {
        Path dll = fixture(PluginCommandsTest.PLUGINS, "portable.dll");
        Path dylib = fixture(PluginCommandsTest.PLUGINS, "libportable.dylib");
        DynloadToolTest.Run one = DynloadToolTest.run("plugin", dylib.toString());
        assertEquals(0, one.status(), one.err());
        assertTrue(one.out().startsWith(lines("file: " + dylib,
                "format: Mach-O 64-bit arm64 dynamic library (osx-aarch_64)",
                "id: com.example.portable",
                "version: 2.1.0")), one.out());
        Path folder = Files.createDirectory(dir.resolve("plugins"));
        Files.copy(dll, folder.resolve("portable.dll"));
        Files.copy(dylib, folder.resolve("libportable.dylib"));
        Files.copy(PluginCommandsTest.PLUGINS.resolve("libbase.so"), folder.resolve("libbase.so"));
        DynloadToolTest.Run all = DynloadToolTest.run("plugins", folder.toString());
        assertEquals(0, all.status(), all.err());
        assertTrue(all.out().contains("for another platform: com.example.portable 2.1.0  abi 1..1  "
                + folder.resolve("libportable.dylib") + "  (osx-aarch_64)"), all.out());
        assertTrue(all.out().contains("for another platform: com.example.portable 2.1.0  abi 1..1  "
                + folder.resolve("portable.dll") + "  (windows-x86_64)"), all.out());
        assertEquals(lines("1 plugin can run, 0 cannot, 0 files are not usable plugins, 2 for another platform"), all.err());
    }

    @Test
    void bundleChecksEveryClassifiersFiles() throws Exception {
        byte[] dll = Files.readAllBytes(fixture(FOREIGN, "foreign.dll"));
        byte[] dylib = Files.readAllBytes(fixture(FOREIGN, "libforeign-arm64.dylib"));
        Path jar = dir.resolve("b.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/dynload/greet/index"));
            out.write(("# dynload bundle index 1\n"
                    + "osx-aarch_64 " + sha256(dylib) + " libforeign.dylib\n"
                    + "osx-x86_64 " + sha256(dll) + " foreign.dll\n"
                    + "windows-x86_64 " + sha256(dll) + " foreign.dll\n").getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new JarEntry("META-INF/dynload/greet/osx-aarch_64/libforeign.dylib"));
            out.write(dylib);
            out.putNextEntry(new JarEntry("META-INF/dynload/greet/osx-x86_64/foreign.dll"));
            out.write(dll);
            out.putNextEntry(new JarEntry("META-INF/dynload/greet/windows-x86_64/foreign.dll"));
            out.write(dll);
        }
        DynloadToolTest.Run r = DynloadToolTest.run("bundle", jar.toString());
        assertEquals(ExitCode.BAD_LIBRARY.code(), r.status(), r.out());
        assertTrue(r.out().contains("Mach-O 64-bit arm64 dynamic library, needs /usr/lib/libSystem.B.dylib"), r.out());
        assertTrue(r.out().contains("PE 64-bit x86-64 DLL, needs KERNEL32.dll, msvcrt.dll"), r.out());
        assertTrue(r.out().contains("PROBLEM: filed under osx-x86_64, but its format and CPU say windows-x86_64"), r.out());
        assertTrue(r.err().contains("has 1 problem;"), r.err());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
