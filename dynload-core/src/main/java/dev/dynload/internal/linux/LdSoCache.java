package dev.dynload.internal.linux;

import dev.dynload.internal.posix.SystemSearch;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * glibc's {@code /etc/ld.so.cache}, the index {@code ldconfig} builds of the libraries in the folders of
 * {@code /etc/ld.so.conf}: file name to paths, in the order the loader tries them. Read, never trusted
 * beyond its bounds: a damaged cache reads as empty, as the loader treats it.
 *
 * <p>The format ("glibc-ld.so.cache1.1"): a 48-byte header (magic, version, entry count, string table
 * size, flags, extension offset), then 24-byte entries of flags, key offset, value offset, OS version and
 * hardware capabilities; string offsets count from the start of that header. Entries for hardware
 * capability subfolders ({@code glibc-hwcaps}) are skipped: the plain build is the one every CPU runs.
 */
final class LdSoCache implements SystemSearch.Cache {

    private static final String MAGIC = "glibc-ld.so.cache1.1";
    private static final String OLD_MAGIC = "ld.so-1.7.0";
    private static final int HEADER = 48;
    private static final int ENTRY = 24;
    /** Larger than any real cache; a bigger file is not read. */
    private static final long MAX_SIZE = 64L << 20;

    private final Map<String, List<Path>> byName;

    private LdSoCache(Map<String, List<Path>> byName) {
        this.byName = byName;
    }

    /** The cache of this system, read on first use. */
    static final class System {
        static final LdSoCache CACHE = read(Path.of("/etc/ld.so.cache"));

        private System() {
        }
    }

    /** {@return the paths the cache gives for a file name, best first; empty when it has none} */
    @Override
    public String name() {
        return "/etc/ld.so.cache";
    }

    @Override
    public List<Path> lookup(String fileName) {
        return byName.getOrDefault(fileName, List.of());
    }

    static LdSoCache read(Path file) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long size = in.length();
            if (size < HEADER || size > MAX_SIZE) {
                return new LdSoCache(Map.of());
            }
            byte[] bytes = new byte[(int) size];
            in.readFully(bytes);
            return new LdSoCache(parse(bytes));
        } catch (IOException | RuntimeException e) {
            return new LdSoCache(Map.of());
        }
    }

    static Map<String, List<Path>> parse(byte[] bytes) {
        int start = indexOf(bytes, MAGIC);
        if (start < 0) {
            return Map.of();
        }
        // An old-format cache puts the new one after its own entries; the magic says where it starts.
        if (start != 0 && !new String(bytes, 0, OLD_MAGIC.length(), StandardCharsets.ISO_8859_1).equals(OLD_MAGIC)) {
            return Map.of();
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        if (start + HEADER > bytes.length) {
            return Map.of();
        }
        long count = Integer.toUnsignedLong(b.getInt(start + 20));
        if (count > (bytes.length - start - HEADER) / ENTRY) {
            return Map.of();
        }
        Map<String, List<Path>> byName = new HashMap<>();
        for (int i = 0; i < count; i++) {
            int at = start + HEADER + i * ENTRY;
            long hwcap = b.getLong(at + 16);
            if (hwcap != 0) {
                continue;
            }
            String key = string(bytes, start, Integer.toUnsignedLong(b.getInt(at + 4)));
            String value = string(bytes, start, Integer.toUnsignedLong(b.getInt(at + 8)));
            if (key == null || value == null || !value.startsWith("/")) {
                continue;
            }
            try {
                byName.computeIfAbsent(key, k -> new ArrayList<>()).add(Path.of(value));
            } catch (InvalidPathException ignored) {
                // A damaged entry names no file we could open.
            }
        }
        return byName;
    }

    private static @Nullable String string(byte[] bytes, int base, long offset) {
        long at = base + offset;
        if (offset < 0 || at >= bytes.length) {
            return null;
        }
        int end = (int) at;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return end == bytes.length ? null : new String(bytes, (int) at, end - (int) at, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] bytes, String magic) {
        byte[] m = magic.getBytes(StandardCharsets.ISO_8859_1);
        int limit = Math.min(bytes.length - m.length, 1 << 20);
        outer:
        for (int i = 0; i <= limit; i++) {
            for (int j = 0; j < m.length; j++) {
                if (bytes[i + j] != m[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
