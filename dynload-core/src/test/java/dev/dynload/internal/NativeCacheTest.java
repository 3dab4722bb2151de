package dev.dynload.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link NativeCache} and its locks ({@link CacheLocks}) on their own: what it writes and with which
 * modes, what it refuses to use and how it says so, and its words for the errors of a cache file.
 */
class NativeCacheTest {

    @TempDir
    Path dir;

    /** One file's bytes, counting how often they were read. */
    record Bytes(String name, String sha256, byte[] bytes, AtomicInteger opened) implements NativeCache.Source {
        Bytes(String name, String text) {
            this(name, "0".repeat(64), text.getBytes(StandardCharsets.UTF_8), new AtomicInteger());
        }

        @Override
        public InputStream open() {
            opened.incrementAndGet();
            return new ByteArrayInputStream(bytes);
        }
    }

    @Test
    void filesGoIntoAPrivateFolderNamedByTheDigestReadOnlyAndWrittenOnce() throws IOException {
        Path root = dir.resolve("cache");
        Bytes a = new Bytes("liba.so", "first");
        Bytes b = new Bytes("libb.so", "second");
        Path folder = NativeCache.store(root, "d1gest", List.of(a, b));
        assertEquals(root.resolve("d1gest"), folder);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
        assertEquals("r-x------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve("liba.so"))));
        assertArrayEquals(a.bytes(), Files.readAllBytes(folder.resolve("liba.so")));
        assertArrayEquals(b.bytes(), Files.readAllBytes(folder.resolve("libb.so")));
        // No temporary file is left, and the lock files are there.
        try (var files = Files.list(folder)) {
            assertEquals(List.of(".in-use", ".writing", "liba.so", "libb.so"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        // A second store finds the files and reads nothing; a rewrite writes the one it is given again.
        NativeCache.store(root, "d1gest", List.of(a, b));
        assertEquals(1, a.opened().get());
        NativeCache.rewrite(folder, a);
        assertEquals(2, a.opened().get());
        assertEquals(1, b.opened().get());
    }

    @Test
    void aFolderOthersMayWriteOrALinkOrAFileIsRefusedByName() throws IOException {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        UnsafeCacheException e = assertThrows(UnsafeCacheException.class,
                () -> NativeCache.store(open, "x", List.of(new Bytes("liba.so", "a"))));
        assertEquals(open + " has mode rwxrwxrwx: others may write into it", e.getMessage());
        assertTrue(e.hint().contains("-D" + NativeCache.PROPERTY), e.hint());
        Path link = Files.createSymbolicLink(dir.resolve("link"), Files.createDirectory(dir.resolve("real")));
        UnsafeCacheException l = assertThrows(UnsafeCacheException.class,
                () -> NativeCache.ensurePrivateFolder(link, false));
        assertTrue(l.getMessage().startsWith(link + " is a symbolic link"), l.getMessage());
        Path file = Files.writeString(dir.resolve("plain"), "x");
        UnsafeCacheException f = assertThrows(UnsafeCacheException.class,
                () -> NativeCache.ensurePrivateFolder(file, false));
        assertTrue(f.getMessage().contains("is not a folder"), f.getMessage());
    }

    @Test
    void anotherUsersFolderIsRefused() throws IOException {
        Path theirs = Files.createDirectory(dir.resolve("theirs"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        UserPrincipal nobody;
        try {
            nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(theirs, nobody);
        } catch (IOException notRoot) {
            assumeTrue(false, "giving a folder to nobody needs root: " + notRoot);
            return;
        }
        UnsafeCacheException e = assertThrows(UnsafeCacheException.class,
                () -> NativeCache.ensurePrivateFolder(theirs, false));
        assertTrue(e.getMessage().contains("is owned by nobody"), e.getMessage());
    }

    @Test
    void somethingPlantedUnderALockFilesNameIsReplacedByAPlainFile() throws Exception {
        Path lock = dir.resolve(".writing");
        Process mkfifo = new ProcessBuilder("mkfifo", lock.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        try (FileChannel channel = CacheLocks.openLock(lock, "remove it")) {
            assertTrue(channel.isOpen());
        }
        assertTrue(Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS), "the FIFO was replaced, without blocking");
        Path folderLock = Files.createDirectories(dir.resolve("planted/.in-use/inside"));
        try (FileChannel channel = CacheLocks.openLock(folderLock.getParent(), "remove it")) {
            assertTrue(channel.isOpen());
        }
        assertTrue(Files.isRegularFile(folderLock.getParent(), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aCacheFilesErrorIsSaidWithItsFile() {
        assertEquals("/c/lib.so: permission denied", NativeCache.explain(new AccessDeniedException("/c/lib.so")));
        assertEquals("/c/lib.so: no such file or folder", NativeCache.explain(new NoSuchFileException("/c/lib.so")));
        assertEquals("/c: Read-only file system",
                NativeCache.explain(new FileSystemException("/c", null, "Read-only file system")));
        assertEquals("odd", NativeCache.explain(new IOException("odd")));
    }

    @Test
    void aFullDiskOrQuotaIsToldFromTheSystemsWords() {
        assertTrue(NativeCache.diskFull(new FileSystemException("/c/x", null, "No space left on device")));
        assertTrue(NativeCache.diskFull(new IOException("Disk quota exceeded")));
        assertFalse(NativeCache.diskFull(new FileSystemException("/c/x", null, "Permission denied")));
        assertFalse(NativeCache.diskFull(new IOException((String) null)));
    }

    @Test
    void theRootComesFromThePropertyFirst() {
        String before = System.getProperty(NativeCache.PROPERTY);
        try {
            System.setProperty(NativeCache.PROPERTY, dir.resolve("mine").toString());
            assertEquals(dir.resolve("mine"), NativeCache.root());
            System.setProperty(NativeCache.PROPERTY, " ");
            assumeTrue(System.getenv(NativeCache.ENVIRONMENT) == null, "DYNLOAD_CACHE is set here");
            assertEquals(NativeLoader.current().conventions().cacheFolder(System.getProperty("user.home")),
                    NativeCache.root(), "a blank property counts as none");
        } finally {
            if (before == null) {
                System.clearProperty(NativeCache.PROPERTY);
            } else {
                System.setProperty(NativeCache.PROPERTY, before);
            }
        }
    }
}
