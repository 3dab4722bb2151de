package dev.dynload.elf;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** The ELF header's identification and fixed fields, read before anything else is trusted. */
final class HeaderReader {

    /** More program headers than any linker writes; glibc copies the table onto its stack. */
    static final int MAX_PROGRAM_HEADERS = 1024;

    private HeaderReader() {
    }

    /** The identification and fixed header fields; {@code complete} is false when the file is shorter. */
    static HeaderFields read(Path file, RandomAccessFile input) throws IOException {
        long size = input.length();
        byte[] bytes = new byte[(int) Math.min(size, 64)];
        int read = 0;
        input.seek(0);
        while (read < bytes.length) {
            int n = input.read(bytes, read, bytes.length - read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        ByteBuffer ident = ByteBuffer.wrap(bytes, 0, read).slice();
        if (ident.limit() < 4 || ident.get(0) != 0x7f || ident.get(1) != 'E' || ident.get(2) != 'L'
                || ident.get(3) != 'F') {
            throw new ElfFormatException(file, "not an ELF file: it does not begin with the magic 7f 45 4c 46");
        }
        if (ident.limit() < 20) {
            throw new ElfFormatException(file, "the ELF header is cut short: the file is only " + size + " bytes");
        }
        int wordSize = switch (ident.get(4)) {
            case 1 -> 32;
            case 2 -> 64;
            default -> throw new ElfFormatException(file, "invalid ELF class " + ident.get(4) + " (EI_CLASS)");
        };
        ByteOrder order = switch (ident.get(5)) {
            case 1 -> ByteOrder.LITTLE_ENDIAN;
            case 2 -> ByteOrder.BIG_ENDIAN;
            default -> throw new ElfFormatException(file, "invalid ELF byte order " + ident.get(5) + " (EI_DATA)");
        };
        ident.order(order);
        ElfHeader header = new ElfHeader(wordSize, order, Short.toUnsignedInt(ident.getShort(18)),
                ElfType.of(Short.toUnsignedInt(ident.getShort(16))));
        int version = Byte.toUnsignedInt(ident.get(6));
        int osabi = Byte.toUnsignedInt(ident.get(7));
        int abiversion = Byte.toUnsignedInt(ident.get(8));
        boolean w64 = wordSize == 64;
        int headerSize = w64 ? 64 : 52;
        if (ident.limit() < headerSize) {
            return new HeaderFields(header, 0, 0, 0, 0, 0, 0, 0, version, osabi, abiversion, 0, false);
        }
        long entry = w64 ? ident.getLong(24) : Integer.toUnsignedLong(ident.getInt(24));
        long phoff = w64 ? ident.getLong(32) : Integer.toUnsignedLong(ident.getInt(28));
        long shoff = w64 ? ident.getLong(40) : Integer.toUnsignedLong(ident.getInt(32));
        int base = w64 ? 52 : 40;
        return new HeaderFields(header, phoff, shoff, Short.toUnsignedInt(ident.getShort(base)),
                Short.toUnsignedInt(ident.getShort(base + 2)), Short.toUnsignedInt(ident.getShort(base + 4)),
                Short.toUnsignedInt(ident.getShort(base + 6)), Short.toUnsignedInt(ident.getShort(base + 8)),
                version, osabi, abiversion, entry, true);
    }

    static HeaderFields checked(Path file, HeaderFields h) throws ElfFormatException {
        if (h.complete() && h.phnum() > MAX_PROGRAM_HEADERS) {
            // The loader copies the table onto its stack before it checks anything else.
            throw new ElfFormatException(file, "the ELF header claims " + h.phnum() + " program headers; libraries "
                    + "have a few dozen, and the loader would copy them all onto its stack");
        }
        return h;
    }
}
