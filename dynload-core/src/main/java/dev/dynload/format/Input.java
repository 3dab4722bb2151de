package dev.dynload.format;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Bounded reads of one file, or of one slice of it (an architecture of a universal Mach-O file): every
 * range is checked against the slice before anything is allocated or read, and the reads together are
 * limited to a few times the file's size, so that tables pointing at each other cannot make a reader
 * loop or fill the heap. Reads rather than a mapping: a file truncated while mapped would kill the JVM
 * with SIGBUS.
 */
final class Input {

    /** The largest table read at once; no real library comes near it. */
    static final long MAX_TABLE = 256L << 20;

    private final Path file;
    private final RandomAccessFile raf;
    private final long base;
    private final long size;
    private final ByteOrder order;
    /** What a slice is called in messages, such as "arm64 slice: ", or "". */
    private final String where;
    /** Bytes still to be read or scanned; shared by the slices of one file. */
    private final long[] budget;

    Input(Path file, RandomAccessFile raf, long size, ByteOrder order) {
        this(file, raf, 0, size, order, "", new long[] {8 * size + (4 << 20)});
    }

    private Input(Path file, RandomAccessFile raf, long base, long size, ByteOrder order, String where, long[] budget) {
        this.file = file;
        this.raf = raf;
        this.base = base;
        this.size = size;
        this.order = order;
        this.where = where;
        this.budget = budget;
    }

    /** {@return the bytes from {@code offset} for {@code length}, as a reader of their own} */
    Input slice(long offset, long length, ByteOrder order, String name) throws FormatException {
        check(offset, length, name);
        return new Input(file, raf, base + offset, length, order, name + ": ", budget);
    }

    /** {@return the same bytes in another byte order} */
    Input withOrder(ByteOrder order) {
        return new Input(file, raf, base, size, order, where, budget);
    }

    Path file() {
        return file;
    }

    long size() {
        return size;
    }

    ByteOrder order() {
        return order;
    }

    FormatException error(String detail) {
        return new FormatException(file, where + detail);
    }

    /** Whether {@code length} bytes at {@code offset} lie inside this slice. */
    boolean contains(long offset, long length) {
        return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
    }

    private void check(long offset, long length, String what) throws FormatException {
        if (!contains(offset, length)) {
            throw error(what + " (offset " + hex(offset) + ", " + Long.toUnsignedString(length)
                    + " bytes) runs past the end of the file (" + size + " bytes): the file is truncated or damaged");
        }
    }

    /** Reads {@code length} bytes at {@code offset}, which must lie inside this slice. */
    ByteBuffer read(long offset, long length, String what) throws IOException {
        check(offset, length, what);
        if (length > MAX_TABLE) {
            throw error(what + " is " + length + " bytes, more than the " + MAX_TABLE + " this reader loads");
        }
        spend(length, what);
        return readUncounted(offset, length, what);
    }

    /**
     * Reads a few bytes at {@code offset} without counting them against the budget: for a string whose
     * end is not known yet, which the caller counts once it has found it.
     */
    ByteBuffer peek(long offset, int length, String what) throws IOException {
        check(offset, length, what);
        return readUncounted(offset, length, what);
    }

    private ByteBuffer readUncounted(long offset, long length, String what) throws IOException {
        byte[] bytes = new byte[(int) length];
        try {
            raf.seek(base + offset);
            raf.readFully(bytes);
        } catch (EOFException e) {
            throw error(what + " ends early: the file shrank while it was read");
        }
        return ByteBuffer.wrap(bytes).order(order);
    }

    /** Reads {@code count} entries of {@code entrySize} bytes, with the product checked for overflow. */
    ByteBuffer readTable(long offset, long count, int entrySize, String what) throws IOException {
        if (count < 0 || count > MAX_TABLE / entrySize) {
            throw error(what + " claims " + Long.toUnsignedString(count) + " entries, more than the file can hold");
        }
        return read(offset, count * entrySize, what + " (" + count + " entries of " + entrySize + " bytes)");
    }

    /** Counts {@code n} bytes against the file's budget. */
    void spend(long n, String what) throws FormatException {
        budget[0] -= n;
        if (budget[0] < 0) {
            throw error(what + ": the file's tables add up to more than eight times its size; they point into "
                    + "each other or are damaged");
        }
    }

    /** The NUL-terminated string at {@code index} of {@code table}, which must end inside it. */
    String string(ByteBuffer table, long index, String what) throws FormatException {
        if (index < 0 || index >= table.limit()) {
            throw error(what + ": string offset " + index + " is outside its table (" + table.limit() + " bytes)");
        }
        int start = (int) index;
        for (int i = start; i < table.limit(); i++) {
            if (table.get(i) == 0) {
                spend(i - start + 1, what);
                byte[] bytes = new byte[i - start];
                table.get(start, bytes);
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        throw error(what + ": the string at offset " + index + " has no terminating NUL inside its table");
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** Reads an unsigned LEB128 number at {@code at[0]} of {@code b}, below {@code end}, moving {@code at[0]} past it. */
    static long uleb(ByteBuffer b, int[] at, int end) {
        long value = 0;
        int shift = 0;
        while (true) {
            if (at[0] >= end || shift > 63) {
                return -1;
            }
            int v = b.get(at[0]++) & 0xff;
            value |= (long) (v & 0x7f) << shift;
            if ((v & 0x80) == 0) {
                return value;
            }
            shift += 7;
        }
    }
}
