package dev.dynload.elf;

import java.nio.ByteBuffer;

/** Reads DWARF exception-header encoded values (DW_EH_PE_*) from a buffer mapped at {@code base}. */
final class EhDecoder {
    private final ByteBuffer b;
    private final long base;
    int at;

    EhDecoder(ByteBuffer b, long base, int at) {
        this.b = b;
        this.base = base;
        this.at = at;
    }

    int u8() {
        return b.get(at++) & 0xff;
    }

    long uleb() {
        return leb(false);
    }

    long sleb() {
        return leb(true);
    }

    /** A LEB128 number: seven bits per byte, low first; a signed one extends its last byte's sign bit. */
    private long leb(boolean signed) {
        long v = 0;
        int shift = 0;
        int byt;
        do {
            byt = u8();
            if (shift < 64) {
                v |= (long) (byt & 0x7f) << shift;
            }
            shift += 7;
        } while ((byt & 0x80) != 0);
        if (signed && shift < 64 && (byt & 0x40) != 0) {
            v |= -1L << shift;
        }
        return v;
    }

    long read(int encoding) {
        if (encoding == 0xff) {
            return 0;
        }
        long address = base + at;
        long v = switch (encoding & 0x0f) {
            case 0x00, 0x04, 0x0c -> {
                long x = b.getLong(at);
                at += 8;
                yield x;
            }
            case 0x01 -> uleb();
            case 0x02 -> {
                long x = Short.toUnsignedLong(b.getShort(at));
                at += 2;
                yield x;
            }
            case 0x03 -> {
                long x = Integer.toUnsignedLong(b.getInt(at));
                at += 4;
                yield x;
            }
            case 0x09 -> sleb();
            case 0x0a -> {
                long x = b.getShort(at);
                at += 2;
                yield x;
            }
            case 0x0b -> {
                long x = b.getInt(at);
                at += 4;
                yield x;
            }
            default -> throw new IllegalArgumentException("unknown pointer encoding " + encoding);
        };
        return switch (encoding & 0x70) {
            case 0x00 -> v;
            case 0x10 -> address + v;
            default -> throw new IllegalArgumentException("unsupported pointer application " + encoding);
        };
    }
}
