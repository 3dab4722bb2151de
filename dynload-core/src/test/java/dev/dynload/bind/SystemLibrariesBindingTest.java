package dev.dynload.bind;

import dev.dynload.Library;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Libraries no one here wrote, bound through interfaces only: libc, libm, zlib. */
class SystemLibrariesBindingTest {

    @FunctionalInterface
    interface Comparator {
        int compare(@Size(4) MemorySegment a, @Size(4) MemorySegment b);
    }

    @LibraryInterface
    interface LibC {
        @SizeT long strlen(String s);

        int getpid();

        void qsort(int[] base, @SizeT long count, @SizeT long size, Comparator compare);

        @Errno int open(String path, int flags);
    }

    @LibraryInterface
    interface LibM {
        double cos(double x);

        double pow(double x, double y);
    }

    @LibraryInterface
    interface Zlib {
        String zlibVersion();

        @CLong long crc32(@CLong long crc, byte[] buf, int len);

        @CLong long compressBound(@CLong long sourceLen);

        int compress(byte[] dest, long[] destLen, byte[] source, @CLong long sourceLen);

        int uncompress(byte[] dest, long[] destLen, byte[] source, @CLong long sourceLen);
    }

    @Test
    void libcStrlenGetpidAndQsortWithAJavaComparator() {
        try (Library c = Library.open("c")) {
            LibC libc = c.bind(LibC.class);
            assertEquals(11, libc.strlen("hello world"));
            assertEquals(ProcessHandle.current().pid(), libc.getpid());
            int[] values = new Random(5).ints(1000, -10_000, 10_000).toArray();
            int[] expected = values.clone();
            Arrays.sort(expected);
            libc.qsort(values, values.length, Integer.BYTES,
                    (a, b) -> Integer.compare(a.get(ValueLayout.JAVA_INT, 0), b.get(ValueLayout.JAVA_INT, 0)));
            assertArrayEquals(expected, values);
            int[] descending = {3, 1, 2};
            libc.qsort(descending, 3, 4, (a, b) -> Integer.compare(b.get(ValueLayout.JAVA_INT, 0), a.get(ValueLayout.JAVA_INT, 0)));
            assertArrayEquals(new int[] {3, 2, 1}, descending);
        }
    }

    @Test
    void libcOpenOfAMissingFileThrowsWithErrno() {
        try (Library c = Library.open("c")) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> c.bind(LibC.class).open("/nonexistent/dynload", 0));
            assertEquals(2, e.errno());
            assertEquals("open failed: No such file or directory (errno 2)", e.getMessage());
        }
    }

    @Test
    void libmCosAndPow() {
        try (Library m = Library.open("m")) {
            LibM libm = m.bind(LibM.class);
            assertEquals(1.0, libm.cos(0));
            assertEquals(Math.cos(1.234), libm.cos(1.234), 1e-15);
            assertEquals(1024.0, libm.pow(2, 10));
        }
    }

    @Test
    void zlibVersionCrcAndACompressionRoundTrip() {
        try (Library z = Library.open("z")) {
            Zlib zlib = z.bind(Zlib.class);
            assertTrue(zlib.zlibVersion().matches("1\\.[0-9.]+"), zlib.zlibVersion());
            byte[] text = "dynload binds zlib through an interface. ".repeat(50).getBytes(StandardCharsets.UTF_8);
            CRC32 crc = new CRC32();
            crc.update(text);
            assertEquals(crc.getValue(), zlib.crc32(0, text, text.length));

            byte[] packed = new byte[(int) zlib.compressBound(text.length)];
            long[] packedLength = {packed.length};
            assertEquals(0, zlib.compress(packed, packedLength, text, text.length)); // Z_OK
            assertTrue(packedLength[0] < text.length / 10, "compressed to " + packedLength[0]);

            byte[] unpacked = new byte[text.length];
            long[] unpackedLength = {unpacked.length};
            assertEquals(0, zlib.uncompress(unpacked, unpackedLength, Arrays.copyOf(packed, (int) packedLength[0]),
                    packedLength[0]));
            assertEquals(text.length, unpackedLength[0]);
            assertArrayEquals(text, unpacked);
        }
    }
}
