package dev.dynload.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dynload bundle JAR} on real jars: sound, tampered, misfiled, incomplete, and none. */
class BundleCommandTest {

    @TempDir
    Path dir;

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** A jar with bundle "greet": {@code files} maps resource names under the bundle to contents. */
    private Path jar(String index, Map<String, byte[]> files) throws IOException {
        Path jar = dir.resolve("bundle.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/dynload/greet/index"));
            out.write(index.getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                out.putNextEntry(new JarEntry("META-INF/dynload/greet/" + f.getKey()));
                out.write(f.getValue());
            }
        }
        return jar;
    }

    @Test
    void aSoundBundleIsListedWithWhatEachFileIs() throws Exception {
        byte[] rust = Files.readAllBytes(DynloadToolTest.RUST);
        Path jar = jar("# dynload bundle index 1\nlinux-x86_64 " + sha256(rust) + " libtest.so\n",
                Map.of("linux-x86_64/libtest.so", rust));
        DynloadToolTest.Run r = DynloadToolTest.run("bundle", jar.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("bundle greet: 1 platform (linux-x86_64)"), r.out());
        assertTrue(r.out().contains("libtest.so  " + rust.length + " bytes  sha256 " + sha256(rust)), r.out());
        assertTrue(r.out().contains("ELF 64-bit x86-64 shared library, needs ") && r.out().contains("libc.so.6"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void tamperedMisfiledAndMissingFilesAreFlagged() throws Exception {
        byte[] rust = Files.readAllBytes(DynloadToolTest.RUST);
        byte[] changed = rust.clone();
        changed[changed.length - 1] ^= 1;
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("linux-x86_64/libtest.so", changed);          // not what the index says
        files.put("linux-aarch_64/libtest.so", rust);           // an x86-64 file filed under aarch_64
        files.put("linux-x86_64/libstray.so", rust);            // in the jar, not in the index
        Path jar = jar("# dynload bundle index 1\n"
                + "linux-x86_64 " + sha256(rust) + " libtest.so\n"
                + "linux-aarch_64 " + sha256(rust) + " libtest.so\n"
                + "linux-aarch_64 " + sha256(rust) + " libmissing.so\n", files);
        DynloadToolTest.Run r = DynloadToolTest.run("bundle", jar.toString());
        assertEquals(ExitCode.BAD_LIBRARY.code(), r.status(), r.out());
        assertTrue(r.out().contains("PROBLEM: its SHA-256 is " + sha256(changed) + ", the index says " + sha256(rust)), r.out());
        assertTrue(r.out().contains("PROBLEM: filed under linux-aarch_64, but its format and CPU say linux-x86_64"), r.out());
        assertTrue(r.out().contains("libmissing.so  PROBLEM: listed in the index, missing from the jar"), r.out());
        assertTrue(r.out().contains("linux-x86_64/libstray.so  not in the index: never loaded"), r.out());
        assertTrue(r.err().contains("has 3 problems"), r.err());
    }

    @Test
    void aJarWithoutBundlesOrNoJarAtAllIsSaidSo() throws Exception {
        Path plain = dir.resolve("plain.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(plain))) {
            out.putNextEntry(new JarEntry("a/B.class"));
            out.write(new byte[] {1});
        }
        DynloadToolTest.Run none = DynloadToolTest.run("bundle", plain.toString());
        assertEquals(ExitCode.BAD_LIBRARY.code(), none.status());
        assertTrue(none.err().contains("carries no bundle"), none.err());
        DynloadToolTest.Run missing = DynloadToolTest.run("bundle", dir.resolve("nothing.jar").toString());
        assertEquals(ExitCode.NOT_FOUND.code(), missing.status());
        assertTrue(missing.err().contains("nothing.jar: no such file"), missing.err());
    }

    @Test
    void aMalformedIndexIsAProblemNamingItsLine() throws Exception {
        Path jar = jar("# dynload bundle index 1\nlinux-x86_64 zz libtest.so\n", Map.of());
        DynloadToolTest.Run r = DynloadToolTest.run("bundle", jar.toString());
        assertEquals(ExitCode.BAD_LIBRARY.code(), r.status());
        assertTrue(r.out().contains("its index is malformed: line 2"), r.out());
    }

    @Test
    void aZipBombIsFlaggedFromItsDeclaredSizeWithoutInflatingIt() throws Exception {
        byte[] zeros = new byte[8 << 20]; // over the limit set below, 8 KB in the jar
        Path jar = jar("# dynload bundle index 1\nlinux-x86_64 " + sha256(zeros) + " libtest.so\n",
                Map.of("linux-x86_64/libtest.so", zeros));
        System.setProperty("dynload.bundles.maxFileSize", "1m"); // the tool runs in this JVM
        try {
            DynloadToolTest.Run r = DynloadToolTest.run("bundle", jar.toString());
            assertEquals(ExitCode.BAD_LIBRARY.code(), r.status(), r.err());
            assertTrue(r.out().contains("libtest.so  8388608 bytes, as the jar says") && r.out().contains(
                    "PROBLEM: it holds more than 1 MiB, the limit for a bundled file"), r.out());
        } finally {
            System.clearProperty("dynload.bundles.maxFileSize");
        }
    }

    @Test
    void aFileThatIsNotElfIsNamedByItsPlaceInTheJar() throws Exception {
        byte[] text = "not a library".getBytes(StandardCharsets.UTF_8);
        Path jar = jar("# dynload bundle index 1\nlinux-x86_64 " + sha256(text) + " libtext.so\n",
                Map.of("linux-x86_64/libtext.so", text));
        DynloadToolTest.Run r = DynloadToolTest.run("bundle", jar.toString());
        assertEquals(ExitCode.BAD_LIBRARY.code(), r.status(), r.err());
        assertTrue(r.out().contains("PROBLEM: filed under linux-x86_64 but not a native library of any platform: "
                + "META-INF/dynload/greet/linux-x86_64/libtext.so: "), r.out());
        assertTrue(!r.out().contains("/proc/self/fd") && !r.out().contains("/tmp"), "no scratch path: " + r.out());
    }

    @Test
    void aDamagedJarAFifoOrADeviceIsNamedNotMistakenForAMissingFile() throws Exception {
        Path corrupt = Files.write(dir.resolve("corrupt.jar"), "PK but not a zip".getBytes(StandardCharsets.UTF_8));
        DynloadToolTest.Run damaged = DynloadToolTest.run("bundle", corrupt.toString());
        assertEquals(ExitCode.BAD_LIBRARY.code(), damaged.status());
        assertTrue(damaged.err().startsWith("dynload: " + corrupt + ": is not a jar or zip file ("), damaged.err());
        Path fifo = dir.resolve("fifo.jar");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        for (String file : new String[] {fifo.toString(), "/dev/zero"}) {
            DynloadToolTest.Run r = DynloadToolTest.run("bundle", file);
            assertEquals(ExitCode.BAD_LIBRARY.code(), r.status(), r.err());
            assertEquals("dynload: " + file + ": is not a jar but a FIFO, socket or device; give the jar's file",
                    r.err().strip());
        }
    }
}
