package dev.dynload.bind;

import dev.dynload.Library;
import dev.dynload.Pipe;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In this module, core's binding and mapping tests are compiled with the annotation processor, so every
 * interface they mark {@code @LibraryInterface} binds through the class the processor wrote (its first
 * bind does: see WrittenClass), so that the same tests, passing here and in core, compare the written
 * and the run-time implementations over the whole type table. This test checks that the classes exist;
 * {@code WrittenClassTest} that bind uses them.
 */
class CompiledBindingTest {

    /** Bound here only, so that its first bind, below, gets the written class. */
    @LibraryInterface
    interface WrittenVersioned {
        @Symbol("u_version") int version();
        @Symbol("u_block") int block(int startedFd, int releaseFd);
    }

    /**
     * The written class's name carries no library mark, so close must know it as the library's own: a
     * call in flight through it, on a platform thread, holds up the unload until it returns.
     */
    @Test
    void aCallInFlightThroughAWrittenClassHoldsUpTheUnload(@TempDir Path dir) throws Exception {
        Path lib = dir.resolve("libversioned.so");
        Files.copy(UnloadTest.NATIVE.resolve("libversion1.so"), lib);
        try (Pipe started = Pipe.open(); Pipe release = Pipe.open()) {
            Library library = Library.open(lib);
            WrittenVersioned v = library.bind(WrittenVersioned.class);
            assertEquals(WrittenVersioned.class.getName() + "$Dynload", v.getClass().getName());
            AtomicInteger result = new AtomicInteger();
            Thread caller = Thread.ofPlatform().start(() -> result.set(v.block(started.writeFd(), release.readFd())));
            started.await(); // the call has started

            library.close();
            CompletableFuture<Void> unloaded = library.whenUnloaded().toCompletableFuture();
            assertFalse(unloaded.isDone(), "a call is still running in the library");
            assertTrue(Files.readString(Path.of("/proc/self/maps")).contains(lib.toString()));
            assertThrows(IllegalStateException.class, v::version, "no new bound call starts");

            release.signal((byte) 'r');
            caller.join();
            assertEquals(1000 + 'r', result.get(), "the call in flight finished in mapped code");
            unloaded.join();
            assertFalse(Files.readString(Path.of("/proc/self/maps")).contains(lib.toString()), "unloaded once it returned");
        }
    }

    /** Every interface core's binding tests mark, each with its written class. */
    @Test
    void everyMarkedInterfaceOfTheBindingTestsHasItsWrittenClass() {
        int marked = 0;
        for (Class<?> test : new Class<?>[] {BindingTest.class, MappingsTest.class, SystemLibrariesBindingTest.class}) {
            for (Class<?> nested : test.getDeclaredClasses()) {
                if (nested.isAnnotationPresent(LibraryInterface.class)) {
                    String file = nested.getName().substring(nested.getPackageName().length() + 1) + "$Dynload.class";
                    assertNotNull(nested.getResource(file), nested.getName() + " has no written class " + file);
                    marked++;
                }
            }
        }
        assertTrue(marked >= 10, marked + " marked interfaces");
    }
}
