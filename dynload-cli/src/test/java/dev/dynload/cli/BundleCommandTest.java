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
        assertTrue(r.out().contains("ELF 64-bit x86-64, needs ") && r.out().contains("libc.so.6"), r.out());
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
        assertTrue(r.out().contains("PROBLEM: filed under linux-aarch_64, but its header and C library say linux-x86_64"), r.out());
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
}
