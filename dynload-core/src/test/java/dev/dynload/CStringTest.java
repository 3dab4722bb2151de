package dev.dynload;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CStringTest {

    @Test
    void readsUtf8UpToTheNul() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocateFrom("h\u00e9llo w\u00f6rld");
            assertEquals("h\u00e9llo w\u00f6rld", CString.read(s));
            // A zero-length segment at the same address, as native code returns it.
            assertEquals("h\u00e9llo w\u00f6rld", CString.read(MemorySegment.ofAddress(s.address())));
        }
    }

    @Test
    void nullPointerReadsAsNull() {
        assertNull(CString.read(MemorySegment.NULL));
    }

    @Test
    void otherCharsetsDecode() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocateFrom("caf\u00e9", StandardCharsets.ISO_8859_1);
            assertEquals(5, s.byteSize());
            assertEquals("caf\u00e9", CString.read(s, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void stringInAClosedArenaThrowsInsteadOfReadingFreedMemory() {
        Arena arena = Arena.ofConfined();
        MemorySegment s = arena.allocateFrom("gone");
        arena.close();
        assertThrows(IllegalStateException.class, () -> CString.read(s));
    }
}
