package dev.dynload;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OperatingSystemTest {

    @Test
    void mapNameFollowsEachPlatformsConvention() {
        assertEquals("libtest.so", OperatingSystem.LINUX.mapLibraryName("test"));
        assertEquals("libtest.dylib", OperatingSystem.MACOS.mapLibraryName("test"));
        assertEquals("test.dll", OperatingSystem.WINDOWS.mapLibraryName("test"));
        assertEquals(OperatingSystem.current().mapLibraryName("z"), Library.mapName("z"));
    }

    @Test
    void currentIsDetectedFromOsName() {
        assertEquals(OperatingSystem.LINUX, OperatingSystem.detect("Linux"));
        assertEquals(OperatingSystem.MACOS, OperatingSystem.detect("Mac OS X"));
        assertEquals(OperatingSystem.WINDOWS, OperatingSystem.detect("Windows 11"));
        assertEquals(OperatingSystem.LINUX, OperatingSystem.detect("FreeBSD"));
        assertEquals(OperatingSystem.LINUX, OperatingSystem.current());
    }

    @Test
    void fileNamesAreRecognisedIncludingVersionedOnes() {
        assertTrue(OperatingSystem.LINUX.isLibraryFileName("libz.so.1"));
        assertTrue(OperatingSystem.LINUX.isLibraryFileName("libz.so"));
        assertTrue(OperatingSystem.LINUX.isLibraryFileName("libsqlite3.so.0.8.6"));
        assertFalse(OperatingSystem.LINUX.isLibraryFileName("z"));
        assertFalse(OperatingSystem.LINUX.isLibraryFileName("sodium"));
        assertTrue(OperatingSystem.MACOS.isLibraryFileName("libz.dylib"));
        assertTrue(OperatingSystem.WINDOWS.isLibraryFileName("zlib1.DLL"));
    }

    @Test
    void mapNameRejectsWhatIsNotABareName() {
        assertThrows(IllegalArgumentException.class, () -> Library.mapName(""));
        assertThrows(IllegalArgumentException.class, () -> Library.mapName("dir/test"));
        assertThrows(IllegalArgumentException.class, () -> Library.mapName("te\0st"));
    }
}
