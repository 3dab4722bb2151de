package dev.dynload;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SuggestionsTest {

    private static final List<String> ZLIB = List.of("crc32", "crc32_z", "crc32_combine", "adler32", "compress",
            "compress2", "uncompress", "zlibVersion", "deflate", "inflate");

    @Test
    void typosFindTheIntendedName() {
        assertEquals("compress", Suggestions.closest("compres", ZLIB).getFirst());
        assertEquals("zlibVersion", Suggestions.closest("zlibversion", ZLIB).getFirst());
        assertEquals("inflate", Suggestions.closest("inflat", ZLIB).getFirst());
    }

    @Test
    void aPrefixOrPartFindsLongerNames() {
        assertTrue(Suggestions.closest("crc", ZLIB).contains("crc32"));
        assertTrue(Suggestions.closest("Version", ZLIB).contains("zlibVersion"));
    }

    @Test
    void unrelatedNamesGiveNothingAndAtMostFiveComeBack() {
        assertTrue(Suggestions.closest("sqlite3_open", ZLIB).isEmpty());
        assertTrue(Suggestions.closest("c", ZLIB).size() <= 5);
    }

    @Test
    void distanceIsLevenshtein() {
        assertEquals(0, Suggestions.distance("greet", "greet"));
        assertEquals(1, Suggestions.distance("gret", "greet"));
        assertEquals(3, Suggestions.distance("kitten", "sitting"));
    }
}
