package dev.dynload.elf;

import dev.dynload.elf.ElfImage.Segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the library's functions begin and end, for judging an address the loader will call: its unwind
 * tables ({@code PT_GNU_EH_FRAME}: the {@code .eh_frame_hdr} search table, sorted by start, and the frame
 * description entries it points to, each giving a function's range), its full symbol table when it kept
 * one, and the starts of its executable sections. Compilers emit one unwind entry per function, so an
 * address strictly inside an entry's range is the middle of a function.
 *
 * <p>Questions are answered as they come, by a binary search in the search table and one entry read, so
 * that checking a library with thousands of functions reads only the few entries its initializers point
 * into. The tables are not something the loader trusts, so damage to them is not a problem of the library
 * here; a table that does not parse just gives no bounds.
 */
final class FunctionBounds {

    private static final int SHT_SYMTAB = 2;
    private static final long SHF_EXECINSTR = 0x4;

    private final ElfImage image;
    /** The search table's (start, entry) pairs, datarel signed 4-byte values; null without a usable table. */
    private final ByteBuffer table;
    private final long tableAddress;
    private final int count;
    private final Map<Long, Integer> cieEncodings = new HashMap<>();
    /** Function symbols of {@code .symtab} and executable section starts, read when first needed. */
    private boolean symbolsRead;
    /** The values of the function symbols of {@code .symtab}, sorted; empty without one. */
    private long[] symbolStarts = new long[0];
    private long[] sectionStarts = new long[0];
    /** The procedure linkage tables: executable sections of fixed-size entries, as [start, end) pairs. */
    private long[] stubs = new long[0];
    /** Whether the file has a full symbol table, which then names every function, the C runtime's too. */
    private boolean hasSymbols;
    /** Whether the full symbol table holds a local function: then it names every function, not only the exported. */
    private boolean localFunctions;

    private FunctionBounds(ElfImage image, ByteBuffer table, long tableAddress, int count) {
        this.image = image;
        this.table = table;
        this.tableAddress = tableAddress;
        this.count = count;
    }

    static FunctionBounds of(ElfImage image) {
        Segment hdr = image.segment(ElfImage.PT_GNU_EH_FRAME);
        if (hdr == null || !image.w64) {
            return new FunctionBounds(image, null, 0, 0);
        }
        try {
            ByteBuffer head = image.readAt(hdr.vaddr(), 12);
            if (head == null || head.get(0) != 1 || (head.get(3) & 0xff) != 0x3b) {
                // Only the search table toolchains write: datarel, signed 4-byte entries.
                return new FunctionBounds(image, null, 0, 0);
            }
            EhDecoder d = new EhDecoder(head, hdr.vaddr(), 4);
            d.read(head.get(1) & 0xff); // eh_frame_ptr
            long count = d.read(head.get(2) & 0xff);
            long at = hdr.vaddr() + d.at;
            ByteBuffer table = count <= 0 || count > Integer.MAX_VALUE / 8 ? null : image.readAt(at, count * 8);
            return new FunctionBounds(image, table, hdr.vaddr(), table == null ? 0 : (int) count);
        } catch (IOException | RuntimeException damaged) {
            return new FunctionBounds(image, null, 0, 0);
        }
    }

    /** The start of search table entry {@code i}. */
    private long start(int i) {
        return tableAddress + table.getInt(i * 8);
    }

    /** The index of the last entry starting at or before {@code address}, or -1. */
    private int entryAtOrBefore(long address) {
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (start(mid) <= address) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** {@return whether {@code address} starts an unwind entry} */
    private boolean entryStart(long address) {
        int i = table == null ? -1 : entryAtOrBefore(address);
        return i >= 0 && start(i) == address;
    }

    /** {@return whether {@code address} lies strictly inside a function, past its first byte} */
    boolean insideFunction(long address) {
        if (table == null) {
            return false;
        }
        int i = entryAtOrBefore(address);
        if (i < 0 || start(i) == address) {
            return false;
        }
        try {
            long range = range(tableAddress + table.getInt(i * 8 + 4));
            return Long.compareUnsigned(address - start(i), range) < 0;
        } catch (IOException | RuntimeException damaged) {
            return false;
        }
    }

    /**
     * Whether {@code address}, not strictly inside an unwind entry, can be a function's start: a function
     * symbol of the full symbol table or an executable section's start is; when the file keeps its full
     * symbol table nothing else is, for what the loader calls; an unwind entry's start is, for what a
     * program calls or in a stripped file; and in a stripped file what the loader calls must at least be
     * aligned as compilers align functions.
     */
    boolean plausibleOutsideEntries(long address, Caller caller) {
        if (caller == Caller.EXPORT && entryStart(address)) {
            return true; // the common case for an exported function, answered without the symbol table
        }
        readSymbols();
        if (caller != Caller.EXPORT && inStubs(address)) {
            return false; // what the loader calls is never a PLT stub: a damaged pointer landed on one
        }
        if (isSymbolStart(address) || contains(sectionStarts, address)) {
            return true; // a function symbol, or the start of an executable section (.init, .fini)
        }
        if (hasSymbols && caller != Caller.EXPORT) {
            // The full symbol table names every function the loader may call, the C runtime's too; an
            // unwind entry alone is not enough (the PLT's first stub has one, and is no function).
            return false;
        }
        if (entryStart(address)) {
            return true;
        }
        if (hasSymbols || (caller == Caller.INIT_OR_FINI && sectionStarts.length > 0)) {
            return false; // _init and _fini begin the .init and .fini sections
        }
        if (landingPad(address)) {
            // Code built for control-flow protection (gcc -fcf-protection, -mbranch-protection) marks every
            // target of an indirect call with an instruction of its own: a pointer damaged into the middle
            // of a function does not land on one.
            return true;
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

    /**
     * Whether {@code address} holds the instruction that marks an indirect call's target: x86-64's
     * {@code endbr64}, or AArch64's {@code bti c}, {@code bti jc} or {@code paciasp}.
     */
    private boolean landingPad(long address) {
        try {
            java.nio.ByteBuffer b = image.readAt(address, 4);
            if (b == null) {
                return false;
            }
            int word = b.order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0);
            return switch (image.h.header().machine()) {
                case 62 -> word == 0xfa1e0ff3;
                case 183 -> word == 0xd503245f || word == 0xd50324df || word == 0xd503233f;
                default -> false;
            };
        } catch (java.io.IOException e) {
            return false;
        }
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

    private static boolean contains(long[] values, long v) {
        for (long x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    /** Reads the section headers once: the full symbol table, if any, and the executable sections' starts. */
    private void readSymbols() {
        if (symbolsRead) {
            return;
        }
        symbolsRead = true;
        List<ElfImage.Section> sections = image.sections();
        int code = 0;
        long[] starts = new long[sections.size()];
        int entry = image.w64 ? 24 : 16;
        long[] plts = new long[sections.size() * 2];
        int stubTables = 0;
        for (ElfImage.Section s : sections) {
            if ((s.flags() & SHF_EXECINSTR) != 0) {
                starts[code++] = s.addr();
                if (s.entsize() > 0 && s.size() > 0) {
                    // .plt, .plt.got, .plt.sec: stubs that jump through the GOT, which no one calls as a
                    // function of this library (the first has an unwind entry all the same).
                    plts[stubTables * 2] = s.addr();
                    plts[stubTables * 2 + 1] = s.addr() + s.size();
                    stubTables++;
                }
            }
            if (s.type() == SHT_SYMTAB && s.size() % entry == 0 && !hasSymbols) {
                try {
                    symbolStarts = functionValues(image.in.read(s.offset(), s.size(), "symbol table"), entry);
                    // Complete only with its local functions: 'strip -x' and 'ld -x' keep the global ones
                    // alone, without the C runtime's frame_dummy and the like that the loader calls.
                    hasSymbols = localFunctions;
                } catch (IOException damaged) {
                    // No usable symbol table: nothing to judge by.
                }
            }
        }
        sectionStarts = java.util.Arrays.copyOf(starts, code);
        stubs = java.util.Arrays.copyOf(plts, stubTables * 2);
    }

    /** {@return whether {@code address} lies in a procedure linkage table, as the section headers tell} */
    private boolean inStubs(long address) {
        for (int i = 0; i < stubs.length; i += 2) {
            if (Long.compareUnsigned(address, stubs[i]) >= 0 && Long.compareUnsigned(address, stubs[i + 1]) < 0) {
                return true;
            }
        }
        return false;
    }

    /** The values of a symbol table's defined functions, sorted. */
    private long[] functionValues(ByteBuffer symtab, int entry) {
        long[] values = new long[symtab.limit() / entry];
        int n = 0;
        for (int at = entry; at + entry <= symtab.limit(); at += entry) {
            int type = symtab.get(at + (image.w64 ? 4 : 12)) & 0xf;
            int shndx = Short.toUnsignedInt(symtab.getShort(at + (image.w64 ? 6 : 14)));
            if ((type == 2 || type == 10) && shndx != 0) {
                values[n++] = image.w64 ? symtab.getLong(at + 8) : Integer.toUnsignedLong(symtab.getInt(at + 4));
                localFunctions |= (symtab.get(at + (image.w64 ? 4 : 12)) & 0xf0) == 0;
            }
        }
        Sorting.sort(values, n);
        return java.util.Arrays.copyOf(values, n);
    }

    /** Whether a function symbol of the full symbol table has {@code address} as its value. */
    private boolean isSymbolStart(long address) {
        return java.util.Arrays.binarySearch(symbolStarts, address) >= 0;
    }

    /** The {@code pc_range} of the FDE at {@code fde}. */
    private long range(long fde) throws IOException {
        ByteBuffer head = image.readAt(fde, 8);
        if (head == null || head.getInt(0) == -1 || head.getInt(0) < 8) {
            throw new IOException("unsupported FDE");
        }
        long cie = fde + 4 - Integer.toUnsignedLong(head.getInt(4));
        Integer encoding = cieEncodings.get(cie);
        if (encoding == null) {
            encoding = fdeEncoding(cie);
            cieEncodings.put(cie, encoding);
        }
        ByteBuffer body = image.readAt(fde + 8, 16);
        if (body == null) {
            throw new IOException("FDE outside the file");
        }
        EhDecoder d = new EhDecoder(body, fde + 8, 0);
        d.read(encoding);
        return d.read(encoding & 0x0f);
    }

    /** The pointer encoding a CIE's augmentation gives its FDEs ('R'); absolute when it gives none. */
    private int fdeEncoding(long cie) throws IOException {
        ByteBuffer head = image.readAt(cie, 8);
        if (head == null || head.getInt(4) != 0) {
            throw new IOException("not a CIE");
        }
        long length = Integer.toUnsignedLong(head.getInt(0));
        ByteBuffer b = image.readAt(cie + 4, Math.min(length, 256));
        if (b == null) {
            throw new IOException("CIE outside the file");
        }
        EhDecoder d = new EhDecoder(b, cie + 4, 4);
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
}
