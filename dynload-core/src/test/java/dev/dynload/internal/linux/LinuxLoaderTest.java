package dev.dynload.internal.linux;

import dev.dynload.internal.Host;
import dev.dynload.internal.LoadFlags;
import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Linux backend on its own, below Library: open files, sealed copies, loads by descriptor, its answers. */
class LinuxLoaderTest {

    static final Path FIXTURE = Path.of(System.getProperty("dynload.test.native", "target/native"))
            .toAbsolutePath().resolve("libfixture.so");
    static final LoadFlags NOW = new LoadFlags(false, false, false, List.of());

    @BeforeAll
    static void onLinux() {
        assumeTrue(Host.family() == Host.Family.LINUX, "the Linux backend runs on Linux");
    }

    @Test
    void theChosenBackendIsThisOne() {
        assertTrue(NativeLoader.current() instanceof LinuxLoader, NativeLoader.current().getClass().getName());
    }

    @Test
    void aFileIsOpenedOnceAndReadThroughItsDescriptor() throws IOException {
        LinuxLoader loader = new LinuxLoader();
        try (OpenFile open = loader.openFile(FIXTURE)) {
            assertEquals(OpenFile.Kind.REGULAR, open.kind());
            assertTrue(open.fd() >= 0);
            assertEquals(Path.of("/proc/self/fd/" + open.fd()), open.readable());
            assertEquals(Files.size(FIXTURE), open.size());
            assertEquals(FIXTURE, Files.readSymbolicLink(open.readable()));
        }
        assertThrows(NoSuchFileException.class, () -> loader.openFile(FIXTURE.resolveSibling("no-such.so")));
    }

    @Test
    void aFifoOpensWithoutBlockingAndIsSeenForWhatItIs(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("libfifo.so");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        try (OpenFile open = new LinuxLoader().openFile(fifo)) {
            assertEquals(OpenFile.Kind.OTHER, open.kind());
        }
    }

    @Test
    void aSealedCopyRefusesWritesAndLoadsByItsDescriptor() throws IOException {
        LinuxLoader loader = new LinuxLoader();
        byte[] bytes = Files.readAllBytes(FIXTURE);
        try (OpenFile copy = loader.memoryFile(FIXTURE, new ByteArrayInputStream(bytes))) {
            assertTrue(copy.isCopy());
            assertEquals(bytes.length, copy.size());
            assertThrows(IOException.class, () -> {
                try (FileOutputStream out = new FileOutputStream(copy.readable().toFile(), true)) {
                    out.write(1);
                }
            }, "a sealed memory file refuses writes");
            boolean[] checked = {false};
            NativeLoader.Opened opened = loader.load(copy, NOW, () -> {
                checked[0] = true;
                return false;
            });
            assertTrue(opened.ok(), String.valueOf(opened.error()));
            assertTrue(checked[0], "a file loaded for the first time is checked first");
            MemorySegment answer = loader.find(opened.handle(), "fixture_id_i32");
            assertNotEquals(0, answer.address());
            assertEquals(Optional.empty(), loader.close(opened));
        }
    }

    @Test
    void aFileLoadedAlreadyIsNotCheckedAgain() throws IOException {
        LinuxLoader loader = new LinuxLoader();
        try (OpenFile first = loader.openFile(FIXTURE); OpenFile second = loader.openFile(FIXTURE)) {
            NativeLoader.Opened a = loader.load(first, NOW, () -> false);
            assertTrue(a.ok(), String.valueOf(a.error()));
            NativeLoader.Opened b = loader.load(second, NOW, () -> {
                throw new AssertionError("the same file (device and inode) is loaded already");
            });
            assertTrue(b.ok());
            assertEquals(a.handle().address(), b.handle().address());
            assertEquals(Optional.of(FIXTURE), loader.pathOf(a.handle()), "the descriptor's name resolves to the file");
            loader.close(b);
            loader.close(a);
        }
    }

    @Test
    void theLoadersRefusalIsItsOwnMessageNamingTheFile(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("libtext.so"), "not a library at all, just words");
        LinuxLoader loader = new LinuxLoader();
        try (OpenFile open = loader.openFile(text)) {
            NativeLoader.Opened opened = loader.load(open, NOW, () -> false);
            assertFalse(opened.ok());
            assertTrue(opened.error().contains(text.toString()) && !opened.error().contains("/proc/self/fd"),
                    opened.error());
        }
    }

    @Test
    void itAnswersWhatTheCacheAsks(@TempDir Path dir) throws Exception {
        LinuxLoader loader = new LinuxLoader();
        Process id = new ProcessBuilder("id", "-u").start();
        long uid = Long.parseLong(new String(id.getInputStream().readAllBytes()).strip());
        assertEquals(uid, loader.userId());
        assertFalse(loader.forbidsExecution(dir), dir + " is not mounted noexec here");
        assertTrue(loader.diskFull("write failed: No space left on device"));
        assertFalse(loader.diskFull("Permission denied"));
    }

    @Test
    void theSearchFollowsGlibcsOrder() {
        NativeLoader.Search search = new LinuxLoader().search("libz.so.1", null);
        assertTrue(search.places().contains("/etc/ld.so.cache"), search.places().toString());
        assertTrue(search.candidates().stream().anyMatch(Files::isRegularFile), search.candidates().toString());
    }
}
