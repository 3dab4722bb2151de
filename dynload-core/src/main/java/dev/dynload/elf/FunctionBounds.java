package dev.dynload.elf;

import dev.dynload.elf.ElfImage.Segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the library's compiled functions begin and end, from its unwind tables ({@code PT_GNU_EH_FRAME},
 * the {@code .eh_frame_hdr} search table, and the frame description entries it points to). Compilers emit
 * one entry per function, so an address strictly inside an entry's range is the middle of a function:
 * a function pointer the loader would call there has been damaged. Addresses outside every entry (the
 * C runtime's little functions, {@code _init}) are not judged.
 *
 * <p>The tables are not something the loader trusts, so damage to them is not a problem of the library
 * here; a table that does not parse just gives no bounds.
 */
final class FunctionBounds {

    private static final long[] NONE = new long[0];
    private static final int SHT_SYMTAB = 2;
    private static final long SHF_EXECINSTR = 0x4;

    private final ElfImage image;
    private final long[] starts;
    private final long[] ends;
    /** Function starts from the full symbol table ({@code .symtab}), read when first needed; null until then. */
    private long[] symbols;
    /** Whether the file has a full symbol table, which then names every function, the C runtime's too. */
    private boolean hasSymbols;

    private FunctionBounds(ElfImage image, long[] starts, long[] ends) {
        this.image = image;
        this.starts = starts;
        this.ends = ends;
    }

    /** {@return whether {@code address} lies strictly inside a function, past its first byte} */
    boolean insideFunction(long address) {
        int i = Arrays.binarySearch(starts, address);
        if (i >= 0) {
            return false; // the first byte of a function
        }
        int before = -i - 2;
        return before >= 0 && Long.compareUnsigned(address, ends[before]) < 0;
    }

    /**
     * Whether {@code address}, which lies in no unwind entry, can be a function's start: when the file
     * keeps its full symbol table, it must be a function symbol's value there or an executable section's
     * start; in a stripped file, what the loader calls must at least be aligned as compilers align
     * functions.
     */
    boolean plausibleOutsideEntries(long address, Caller caller) {
        if (Arrays.binarySearch(starts, address) >= 0) {
            return true;
        }
        if (symbols == null) {
            symbols = symbolTableStarts();
        }
        if (Arrays.binarySearch(symbols, address) >= 0) {
            return true; // a function symbol, or the start of an executable section (.init, .fini)
        }
        if (hasSymbols) {
            return false;
        }
        // A stripped file. What the loader calls outside unwind entries is the C runtime's own code,
        // which GCC builds at -O2: frame_dummy and its kin start at a 16-byte boundary on x86-64; _init and
        // _fini begin the .init and .fini sections, aligned to 4; on AArch64 every instruction is 4 bytes.
        // Exported functions may be hand-written assembly at any address, so they are not judged by this.
        int alignment = switch (caller) {
            case EXPORT -> 1;
            case INIT_OR_FINI -> 4;
            case ARRAY_OR_RESOLVER -> image.h.header().machine() == 62 ? 16 : 4;
        };
        return address % alignment == 0;
    }

    /** Who calls a function, which says how its start is aligned when nothing else tells. */
    enum Caller {
        /** A program, through an exported symbol. */
        EXPORT,
        /** The loader, through DT_INIT or DT_FINI. */
        INIT_OR_FINI,
        /** The loader, through an init or fini array, or as an indirect function's resolver. */
        ARRAY_OR_RESOLVER
    }

    /** The values of the function symbols of {@code .symtab}, and the starts of executable sections. */
    private long[] symbolTableStarts() {
        List<ElfImage.Section> sections = image.sections();
        List<Long> found = new ArrayList<>();
        int entry = image.w64 ? 24 : 16;
        for (ElfImage.Section s : sections) {
            if ((s.flags() & SHF_EXECINSTR) != 0) {
                found.add(s.addr());
            }
            if (s.type() != SHT_SYMTAB || s.size() % entry != 0) {
                continue;
            }
            try {
                ByteBuffer t = image.in.read(s.offset(), s.size(), "symbol table");
                for (int at = entry; at + entry <= t.limit(); at += entry) {
                    int type = t.get(at + (image.w64 ? 4 : 12)) & 0xf;
                    int shndx = Short.toUnsignedInt(t.getShort(at + (image.w64 ? 6 : 14)));
                    if ((type == 2 || type == 10) && shndx != 0) {
                        found.add(image.w64 ? t.getLong(at + 8) : Integer.toUnsignedLong(t.getInt(at + 4)));
                    }
                }
                hasSymbols = true;
            } catch (IOException damaged) {
                // No usable symbol table: nothing to judge by.
            }
        }
        long[] values = new long[found.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = found.get(i);
        }
        Arrays.sort(values);
        return values;
    }

    static FunctionBounds of(ElfImage image) {
        Segment hdr = null;
        for (Segment s : image.segments) {
            if (s.type() == ElfImage.PT_GNU_EH_FRAME) {
                hdr = s;
            }
        }
        if (hdr == null || !image.w64) {
            return new FunctionBounds(image, NONE, NONE);
        }
        try {
            return read(image, hdr.vaddr());
        } catch (IOException | RuntimeException damaged) {
            return new FunctionBounds(image, NONE, NONE);
        }
    }

    private static FunctionBounds read(ElfImage image, long hdrAddress) throws IOException {
        ByteBuffer head = image.readAt(hdrAddress, 4);
        if (head == null || head.get(0) != 1) {
            return new FunctionBounds(image, NONE, NONE);
        }
        int framePtrEnc = head.get(1) & 0xff;
        int countEnc = head.get(2) & 0xff;
        int tableEnc = head.get(3) & 0xff;
        Segment load = image.loadHolding(hdrAddress, 4);
        long available = Math.min(load.filesz(), load.memsz()) - (hdrAddress - load.vaddr());
        ByteBuffer hdr = image.readAt(hdrAddress, available);
        if (hdr == null) {
            return new FunctionBounds(image, NONE, NONE);
        }
        Decoder d = new Decoder(hdr, hdrAddress, 4);
        d.read(framePtrEnc);
        long count = d.read(countEnc);
        if (tableEnc != 0x3b || count <= 0 || count > (hdr.limit() - d.at) / 8) {
            return new FunctionBounds(image, NONE, NONE); // only the table toolchains write: datarel, signed 4 bytes
        }
        long[] starts = new long[(int) count];
        long[] ends = new long[(int) count];
        Map<Long, Integer> cieEncodings = new HashMap<>();
        for (int i = 0; i < count; i++) {
            long start = hdrAddress + hdr.getInt(d.at + i * 8);
            long fde = hdrAddress + hdr.getInt(d.at + i * 8 + 4);
            starts[i] = start;
            ends[i] = start + range(image, fde, cieEncodings);
            if (i > 0 && starts[i] <= starts[i - 1]) {
                return new FunctionBounds(image, NONE, NONE);
            }
        }
        return new FunctionBounds(image, starts, ends);
    }

    /** The {@code pc_range} of the FDE at {@code fde}. */
    private static long range(ElfImage image, long fde, Map<Long, Integer> cieEncodings) throws IOException {
        ByteBuffer head = image.readAt(fde, 8);
        if (head == null || head.getInt(0) == -1 || head.getInt(0) < 8) {
            throw new IOException("unsupported FDE");
        }
        long cie = fde + 4 - Integer.toUnsignedLong(head.getInt(4));
        Integer encoding = cieEncodings.get(cie);
        if (encoding == null) {
            encoding = fdeEncoding(image, cie);
            cieEncodings.put(cie, encoding);
        }
        ByteBuffer body = image.readAt(fde + 8, 16);
        if (body == null) {
            throw new IOException("FDE outside the file");
        }
        Decoder d = new Decoder(body, fde + 8, 0);
        d.read(encoding);
        return d.read(encoding & 0x0f);
    }

    /** The pointer encoding a CIE's augmentation gives its FDEs ('R'); absolute when it gives none. */
    private static int fdeEncoding(ElfImage image, long cie) throws IOException {
        ByteBuffer head = image.readAt(cie, 8);
        if (head == null || head.getInt(4) != 0) {
            throw new IOException("not a CIE");
        }
        long length = Integer.toUnsignedLong(head.getInt(0));
        ByteBuffer b = image.readAt(cie + 4, Math.min(length, 256));
        if (b == null) {
            throw new IOException("CIE outside the file");
        }
        Decoder d = new Decoder(b, cie + 4, 4);
        int version = d.u8();
        StringBuilder augmentation = new StringBuilder();
        for (int c = d.u8(); c != 0; c = d.u8()) {
            augmentation.append((char) c);
        }
        d.uleb(); // code alignment
        d.sleb(); // data alignment
        if (version == 1) {
            d.u8();
        } else {
            d.uleb();
        }
        if (augmentation.isEmpty() || augmentation.charAt(0) != 'z') {
            return 0;
        }
        d.uleb(); // augmentation data length
        for (int i = 1; i < augmentation.length(); i++) {
            switch (augmentation.charAt(i)) {
                case 'R' -> {
                    return d.u8();
                }
                case 'P' -> d.read(d.u8());
                case 'L' -> d.u8();
                default -> {
                    // 'S', 'B' and the like carry no data.
                }
            }
        }
        return 0;
    }

    /** Reads DWARF exception-header encoded values (DW_EH_PE_*) from a buffer mapped at {@code base}. */
    private static final class Decoder {
        private final ByteBuffer b;
        private final long base;
        int at;

        Decoder(ByteBuffer b, long base, int at) {
            this.b = b;
            this.base = base;
            this.at = at;
        }

        int u8() {
            return b.get(at++) & 0xff;
        }

        long uleb() {
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
            return v;
        }

        long sleb() {
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
            if (shift < 64 && (byt & 0x40) != 0) {
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
}
