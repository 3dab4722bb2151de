package dev.dynload;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadOptionTest {

    @Test
    void conflictingFlagsAreRejectedBeforeLoading() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Library.open(Fixtures.FIXTURE, LoadOption.LAZY, LoadOption.NOW));
        assertTrue(e.getMessage().contains("LoadOption.LAZY and LoadOption.NOW"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Library.open(Fixtures.FIXTURE, LoadOption.LOCAL, LoadOption.GLOBAL));
        assertThrows(NullPointerException.class, () -> Library.open(Fixtures.FIXTURE, (LoadOption) null));
    }

    @Test
    void optionsCollectFlagsAndSearchFoldersInOrder() {
        OptionSet o = OptionSet.of(LoadOption.LAZY, LoadOption.searchPath(Path.of("/a")), LoadOption.NODELETE,
                LoadOption.searchPath(Path.of("/b"), Path.of("/c")));
        assertEquals(Set.of(LoadOption.Flag.LAZY, LoadOption.Flag.NODELETE), o.flags());
        assertEquals(List.of(Path.of("/a"), Path.of("/b"), Path.of("/c")), o.searchPath());
    }

    @Test
    void everyFlagLoadsTheFixture() {
        for (LoadOption.Flag flag : LoadOption.Flag.values()) {
            try (Library lib = Library.open(Fixtures.FIXTURE, flag)) {
                assertTrue(lib.find("fixture_add").isPresent(), flag.toString());
            }
        }
    }

    @Test
    void missingDependencyIsReportedWhateverTheBindingFlag() {
        // LAZY defers resolving functions, not finding files: both report the missing dependency.
        for (LoadOption flag : List.of(LoadOption.LAZY, LoadOption.NOW)) {
            LibraryLoadException e = assertThrows(LibraryLoadException.class, () -> Library.open(Fixtures.DEPENDENT, flag));
            assertEquals(LibraryLoadException.Reason.MISSING_DEPENDENCY, e.reason());
        }
    }
}
