package dev.dynload.elf;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Bounded reads of a file's byte ranges, each checked against the file's size before anything is
 * allocated or read. Reads rather than a mapping: a file truncated while mapped would kill
 * the JVM with SIGBUS.
 */
final class ElfReader {

    /** The largest table this reader loads at once; no real library comes near it. */
    static final long MAX_TABLE = 256L << 20;

    private final Path file;
    private final RandomAccessFile input;
    private final long size;
    private final ByteOrder order;
    /**
     * Bytes that string lookups may still scan. Many symbols naming long strings (or the same long
     * string at many offsets) would otherwise cost time and memory growing with the square of the
     * file's size; no real file scans more than a few times its size.
     */
    private long stringBudget;

    ElfReader(Path file, RandomAccessFile input, long size, ByteOrder order) {
        this.file = file;
        this.input = input;
        this.size = size;
        this.order = order;
        this.stringBudget = 4 * size + (1 << 20);
    }

    long size() {
        return size;
    }

    ByteOrder order() {
        return order;
    }

    ElfFormatException error(String detail) {
        return new ElfFormatException(file, detail);
    }

    /** Reads {@code length} bytes at {@code offset}, which must lie inside the file. */
    ByteBuffer read(long offset, long length, String what) throws IOException {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw error(what + " (offset " + hex(offset) + ", " + Long.toUnsignedString(length)
                    + " bytes) runs past the end of the file (" + size + " bytes): the file is truncated or damaged");
        }
        if (length > MAX_TABLE) {
            throw error(what + " is " + length + " bytes, more than the " + MAX_TABLE + " this reader loads");
        }
        byte[] bytes;
        try {
            bytes = new byte[(int) length];
        } catch (OutOfMemoryError e) {
            // One allocation the file asked for, sized by a field that may be damaged: refuse the file,
            // not the JVM. Nothing else was allocated meanwhile, so the heap is as it was.
            throw error(what + " claims " + length + " bytes, more than this JVM's heap can hold (-Xmx)");
        }
        try {
            input.seek(offset);
            input.readFully(bytes);
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
        return read(offset, count * entrySize, what + " of " + count + " entries of " + entrySize + " bytes");
    }

    /** The NUL-terminated string at {@code index} of a string table. */
    String string(ByteBuffer table, long index, String what) throws ElfFormatException {
        if (index < 0 || index >= table.limit()) {
            throw error(what + ": string offset " + index + " is outside the string table ("
                    + table.limit() + " bytes)");
        }
        int start = (int) index;
        for (int i = start; i < table.limit(); i++) {
            if (--stringBudget < 0) {
                throw error(what + ": the symbol names add up to more than four times the file's size; "
                        + "the string table or the symbols pointing into it are damaged");
            }
            if (table.get(i) == 0) {
                byte[] bytes = new byte[i - start];
                table.get(start, bytes);
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        throw error(what + ": the string at offset " + index + " has no terminating NUL inside its string table");
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
