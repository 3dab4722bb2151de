package dev.dynload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LoadOption.sha256: a library loads only with the bytes pinned, and what is hashed is what is loaded. */
class PinTest {

    static final Path OTHER = Fixtures.NATIVE.resolve("libfixture.so");

    @Test
    void aPinnedLibraryLoadsWithItsBytesAndIsRefusedWithOthersNamingBothHashes(@TempDir Path dir) throws Exception {
        String sha = dev.dynload.internal.Hashes.sha256(IsolatedLibraryTest.UNTRUSTED);
        try (Library lib = Library.open(IsolatedLibraryTest.UNTRUSTED, LoadOption.sha256(sha.toUpperCase()))) {
            assertTrue(lib.find("noop").isPresent());
        }
        String other = dev.dynload.internal.Hashes.sha256(OTHER);
        LibraryLoadException e = assertThrows(LibraryLoadException.class,
                () -> Library.open(OTHER, LoadOption.sha256(sha)));
        assertEquals(LibraryLoadException.Reason.HASH_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains(sha) && e.getMessage().contains(other), e.getMessage());
        assertTrue(e.getMessage().contains("dynload verify --sha256"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LoadOption.sha256("not a hash"));
        assertThrows(IllegalArgumentException.class, () -> Library.open(OTHER, LoadOption.sha256(sha),
                LoadOption.sha256(other)), "two pins");
    }

    @Test
    void aFileRewrittenInPlaceWhileItLoadsIsEitherRefusedOrLoadedAsPinnedNeverAnythingElse(@TempDir Path dir)
            throws Exception {
        byte[] pinned = Files.readAllBytes(IsolatedLibraryTest.UNTRUSTED);
        byte[] other = Files.readAllBytes(OTHER);
        String sha = dev.dynload.internal.Hashes.sha256(pinned);
        Path file = dir.resolve("libswapped.so");
        Files.write(file, pinned);
        AtomicBoolean done = new AtomicBoolean();
        Thread writer = new Thread(() -> { // the same inode written over and over, in place
            for (int i = 0; !done.get(); i++) {
                try {
                    Files.write(file, i % 2 == 0 ? other : pinned, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        writer.start();
        int loaded = 0;
        int refused = 0;
        try {
            for (int i = 0; i < 60; i++) {
                try (Library lib = Library.open(file, LoadOption.sha256(sha))) {
                    assertTrue(lib.find("noop").isPresent() && lib.find("crash").isPresent(),
                            "only the pinned bytes ever load");
                    loaded++;
                } catch (LibraryLoadException e) { // the other bytes, or a file caught empty or half-written
                    refused++;
                }
            }
        } finally {
            done.set(true);
            writer.join();
        }
        assertEquals(60, loaded + refused);
    }
}
