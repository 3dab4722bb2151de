package dev.dynload.elf;

import dev.dynload.elf.ElfImage.Segment;
import dev.dynload.elf.ElfProblem.Part;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import static dev.dynload.elf.ElfImage.hex;
import static dev.dynload.elf.ElfImage.inside;
import static dev.dynload.elf.DynamicTags.*;

/**
 * The hash tables symbol lookups walk (every bucket and chain in range, every chain ending, no loop), the
 * symbol count they give (the loader knows no other), and the symbols themselves: names inside the string
 * table, imports the loader can bind, functions that start where code starts.
 */
final class SymbolTables {

    private final Verification v;
    private final ElfImage image;
    private final boolean w64;
    private final int word;
    private final List<ElfProblem> problems;

    private ByteBuffer symtab;
    /** The number of symbols the hash table covers, or -1 when unknown. */
    private long symbolCount = -1;
    /** Each symbol's name, once {@link #symbols()} has read them all; null otherwise. */
    private String[] names;
    /**
     * The hash table's chains as the walk found them: for each symbol it covers (from {@link #hashedFrom}),
     * the bucket whose chain reaches it, or -1; and the hash each chain entry stores (GNU's only).
     */
    private int[] owner;
    private ByteBuffer gnuChains;
    private long hashedFrom;
    private long hashedEnd;
    private long buckets;
    private boolean gnu;

    /** Bindings the ELF specification and the GNU extensions define: local, global, weak, unique. */
    private static boolean knownBinding(int bind) {
        return bind == 0 || bind == 1 || bind == 2 || bind == 10;
    }

    /** Types the specification and the GNU extensions define: none, object, function, section, file, common, TLS, indirect function. */
    private static boolean knownType(int type) {
        return type <= 6 || type == 10;
    }

    SymbolTables(Verification v, ElfImage image, List<ElfProblem> problems) {
        this.v = v;
        this.image = image;
        this.w64 = image.w64;
        this.word = w64 ? 8 : 4;
        this.problems = problems;
    }

    /** See {@link Linkers#gnuLd}: read once, and only for a file that needs the answer. */
    private boolean linkedByGnuLd() {
        if (gnuLd == null) {
            gnuLd = Linkers.gnuLd(image);
        }
        return gnuLd;
    }

    private Boolean gnuLd;

    /** {@return the number of symbols the hash table covers, or -1 when there is no usable hash table} */
    long count() {
        return symbolCount;
    }

    /** {@return whether the symbol table was read} */
    boolean present() {
        return symtab != null;
    }

    void hashTables() throws IOException {
        if (image.has(DT_GNU_HASH)) {
            gnuHash(image.value(DT_GNU_HASH));
        } else if (image.has(DT_HASH)) {
            sysvHash(image.value(DT_HASH));
        } else if (image.has(DT_SYMTAB)) {
            v.problem(Part.HASH_TABLES, "there is a symbol table but neither DT_GNU_HASH nor DT_HASH to look symbols up");
        }
    }

    private void gnuHash(long address) throws IOException {
        ByteBuffer head = v.table(Part.HASH_TABLES, address, 16, "DT_GNU_HASH's header");
        if (head == null) {
            return;
        }
        long nbuckets = Integer.toUnsignedLong(head.getInt(0));
        long symoffset = Integer.toUnsignedLong(head.getInt(4));
        long bloomWords = Integer.toUnsignedLong(head.getInt(8));
        if (nbuckets == 0) {
            v.problem(Part.HASH_TABLES, "DT_GNU_HASH has no buckets: every lookup would divide by zero");
            return;
        }
        if (bloomWords == 0 || Long.bitCount(bloomWords) != 1) {
            v.problem(Part.HASH_TABLES, "DT_GNU_HASH's Bloom filter has " + bloomWords
                    + " words, not a power of two: the loader stops the process on this");
            return;
        }
        long bucketsAt = address + 16 + bloomWords * word;
        ByteBuffer fixed = v.table(Part.HASH_TABLES, address, 16 + bloomWords * word + nbuckets * 4,
                "DT_GNU_HASH's filter and " + nbuckets + " buckets");
        if (fixed == null) {
            return;
        }
        long chainsAt = bucketsAt + nbuckets * 4;
        // The chains run to the last symbol, whose count is only known by walking them: read what the
        // segment holds after the buckets, and walk inside that.
        Segment load = image.loadHolding(chainsAt, 0);
        long available = load == null ? 0 : Math.min(load.filesz(), load.memsz()) - (chainsAt - load.vaddr());
        ByteBuffer chains = available <= 0 ? ByteBuffer.allocate(0) : image.readAt(chainsAt, available);
        if (chains == null) {
            chains = ByteBuffer.allocate(0);
        }
        long limit = symoffset + chains.limit() / 4; // the first index past what the file holds
        long count = symoffset;
        boolean[] seen = new boolean[(int) Math.min(Math.max(chains.limit() / 4, 0), Integer.MAX_VALUE - 8)];
        int[] owners = new int[seen.length];
        java.util.Arrays.fill(owners, -1);
        int base = (int) (16 + bloomWords * word);
        for (int b = 0; b < nbuckets; b++) {
            long start = Integer.toUnsignedLong(fixed.getInt(base + b * 4));
            if (start == 0) {
                continue;
            }
            if (start < symoffset) {
                v.problem(Part.HASH_TABLES, "DT_GNU_HASH bucket " + b + " starts at symbol " + start
                        + ", below the first hashed symbol " + symoffset);
                return;
            }
            long i = start;
            while (true) {
                if (i >= limit) {
                    v.problem(Part.HASH_TABLES, "DT_GNU_HASH chain of bucket " + b + " runs past the end of its table "
                            + "without an end marker: a lookup would read on out of the library");
                    return;
                }
                int slot = (int) (i - symoffset);
                if (seen[slot]) {
                    break; // the rest of this chain was walked already
                }
                seen[slot] = true;
                owners[slot] = b;
                if ((chains.getInt(slot * 4) & 1) != 0) {
                    break;
                }
                i++;
            }
            count = Math.max(count, i + 1);
        }
        gnu = true;
        buckets = nbuckets;
        hashedFrom = symoffset;
        hashedEnd = count;
        owner = owners;
        gnuChains = chains;
        if (count == symoffset) {
            // No symbol is hashed (a library that exports nothing): GNU ld then writes symoffset 1 whatever
            // it imports, so the count comes from the linker's .dynsym section, where there is one.
            for (ElfImage.Section s : image.sections()) {
                if (s.type() == 11 && s.addr() == image.value(DT_SYMTAB) && s.entsize() == (w64 ? 24 : 16)) {
                    count = Math.max(count, s.size() / s.entsize());
                }
            }
        }
        symbolCount = count;
    }

    private void sysvHash(long address) throws IOException {
        ByteBuffer head = v.table(Part.HASH_TABLES, address, 8, "DT_HASH's header");
        if (head == null) {
            return;
        }
        long nbucket = Integer.toUnsignedLong(head.getInt(0));
        long nchain = Integer.toUnsignedLong(head.getInt(4));
        if (nbucket == 0) {
            v.problem(Part.HASH_TABLES, "DT_HASH has no buckets: every lookup would divide by zero");
            return;
        }
        ByteBuffer t = v.table(Part.HASH_TABLES, address, 8 + (nbucket + nchain) * 4,
                "DT_HASH's " + nbucket + " buckets and " + nchain + " chains");
        if (t == null) {
            return;
        }
        boolean[] seen = new boolean[(int) nchain];
        int[] owners = new int[(int) nchain];
        java.util.Arrays.fill(owners, -1);
        for (int b = 0; b < nbucket; b++) {
            long i = Integer.toUnsignedLong(t.getInt(8 + b * 4));
            while (i != 0) {
                if (i >= nchain) {
                    v.problem(Part.HASH_TABLES, "DT_HASH bucket " + b + " leads to symbol " + i + ", past its " + nchain
                            + " chains");
                    return;
                }
                if (seen[(int) i]) {
                    v.problem(Part.HASH_TABLES, "DT_HASH chains meet or loop at symbol " + i
                            + ": a lookup could go round forever");
                    return;
                }
                seen[(int) i] = true;
                owners[(int) i] = b;
                i = Integer.toUnsignedLong(t.getInt((int) (8 + (nbucket + i) * 4)));
            }
        }
        symbolCount = nchain;
        buckets = nbucket;
        hashedFrom = 0; // every symbol, the null one at 0 skipped
        hashedEnd = nchain;
        owner = owners;
    }

    void symbols() throws IOException {
        Long address = image.value(DT_SYMTAB);
        if (address == null) {
            return;
        }
        if (symbolCount < 0) {
            return; // no usable hash table: reported there
        }
        int entry = w64 ? 24 : 16;
        symtab = v.table(Part.SYMBOLS, address, symbolCount * entry, "the symbol table (" + symbolCount + " symbols)");
        if (symtab == null) {
            return;
        }
        Segment tls = image.segment(ElfImage.PT_TLS);
        boolean global = false;
        String[] read = new String[(int) symbolCount];
        for (int i = 1; i < symbolCount; i++) {
            Symbol s = symbol(i);
            String name = v.string(Part.SYMBOLS, s.name, "symbol " + i);
            if (name == null) {
                return; // one broken name says enough about the table
            }
            read[i] = name;
            if (!knownBinding(s.bind)) {
                v.problem(Part.SYMBOLS, "symbol " + name + " has binding " + s.bind + ", which the ELF specification "
                        + "does not define (local, global, weak, or GNU unique): the loader would resolve it as it guesses");
                return;
            }
            if (!knownType(s.type)) {
                v.problem(Part.SYMBOLS, "symbol " + name + " has type " + s.type + ", which the ELF specification does "
                        + "not define: lookups skip it, and a reference to it would resolve to nothing");
                return;
            }
            if (s.type == 10 && s.shndx != 0 && image.h.osabi() != 3 && linkedByGnuLd()) {
                // GNU ld (and gold) mark a library that defines an indirect function ELFOSABI_GNU; lld and
                // mold do not, and say so in .comment. A GNU-linked System V file that has one had a
                // function's type damaged, and the loader would call the function to ask for an address.
                v.problem(Part.SYMBOLS, "symbol " + name + " is an indirect function, in a file GNU ld linked without "
                        + "marking it for GNU extensions (OS ABI " + image.h.osabi() + "), as it marks every file "
                        + "that defines one: its type is damaged");
                return;
            }
            if (s.bind() == 0 && global) {
                v.problem(Part.SYMBOLS, "local symbol " + name + " (" + i + ") follows global ones: linkers put every "
                        + "local symbol first, so its binding is damaged");
                return;
            }
            global |= s.bind() != 0;
            if (s.shndx == 0) {
                if ((s.bind != 1 && s.bind != 2) || (symtab.get(symbolOther(i)) & 3) != 0) {
                    v.problem(Part.SYMBOLS, "imported symbol " + name + " is not global or weak with default visibility: "
                            + "the loader would bind it to the library's own base address");
                    return;
                }
                // An import's type is what the linker saw of the definition: mold writes an imported
                // indirect function (strcmp) as one, type 10.
                if (s.type != 0 && s.type != 1 && s.type != 2 && s.type != 6 && s.type != 10) {
                    v.problem(Part.SYMBOLS, "imported symbol " + name + " has type " + s.type + ", which no library "
                            + "defines for another to import");
                    return;
                }
                continue; // an import: found in another library
            }
            if (s.shndx == 0xfff1) {
                continue; // absolute: not an address in this library
            }
            if (s.shndx >= 0xff00) {
                // Reserved indices: only SHN_ABS, above, has a meaning in a shared library. (A section index
                // past the section table is no witness: strip leaves dynamic symbols pointing at sections it
                // removed; the symbol's value is checked below.)
                v.problem(Part.SYMBOLS, "symbol " + name + " is defined in the reserved section index " + hex(s.shndx)
                        + ", which means nothing in a shared library: its section index is damaged");
                return;
            }
            switch (s.type) {
                case 2, 10 -> {
                    if (!v.isFunction(s.value, FunctionBounds.Caller.EXPORT)) {
                        v.problem(Part.SYMBOLS, "function " + name + " at " + hex(s.value) + " is not the start of a "
                                + "function the file holds: a call to it would run data, zeros or the middle of code");
                        return;
                    }
                }
                case 1, 5 -> {
                    if (image.loadHolding(s.value, 0) == null) {
                        v.problem(Part.SYMBOLS, "variable " + name + " at " + hex(s.value) + " lies outside the loaded segments");
                        return;
                    }
                }
                case 6 -> {
                    if (tls == null) {
                        v.problem(Part.SYMBOLS, "thread-local variable " + name + ", but there is no PT_TLS");
                        return;
                    }
                    if (!inside(s.value, 0, 0, tls.memsz())) {
                        v.problem(Part.SYMBOLS, "thread-local variable " + name + " at offset " + hex(s.value)
                                + " lies outside the " + tls.memsz() + " bytes of PT_TLS");
                        return;
                    }
                }
                default -> {
                    // Untyped, section and file symbols: addresses in the library (an end marker such as
                    // _end may stand just past a segment), which a relocation may still write somewhere.
                    if (image.loadHolding(s.value, 0) == null) {
                        v.problem(Part.SYMBOLS, "symbol " + name + " at " + hex(s.value) + " lies outside the loaded "
                                + "segments: a reference to it would point outside the library");
                        return;
                    }
                }
            }
        }
        names = read;
    }

    /**
     * Every symbol the hash table covers is in the chain of the bucket its name hashes to, and (GNU) the
     * hash its chain entry stores is its name's: a lookup then finds each symbol by its name and by no
     * other. A name or a hash word changed otherwise makes a lookup miss the symbol, or find it for another
     * name: a call meant for one function reaches another (an exported function renamed {@code fprintf},
     * which the library's own calls then reach in the C library).
     */
    void hashesAgree() {
        if (names == null || owner == null) {
            return;
        }
        long end = Math.min(hashedEnd, names.length);
        for (long i = hashedFrom; i < end; i++) {
            int slot = (int) (i - hashedFrom);
            if (i == 0 || names[(int) i] == null || names[(int) i].isEmpty() && !gnu) {
                continue;
            }
            long h = v.hash(symbol(i).name, gnu);
            if (gnu && ((Integer.toUnsignedLong(gnuChains.getInt(slot * 4)) ^ h) & ~1L) != 0) {
                v.problem(Part.HASH_TABLES, "DT_GNU_HASH holds " + hex(Integer.toUnsignedLong(gnuChains.getInt(slot * 4))
                        & ~1L) + " for symbol " + names[(int) i] + " (" + i + "), whose name hashes to " + hex(h & ~1L)
                        + ": a name or a hash word is damaged, and lookups would miss it or find it for another name");
                return;
            }
            if (owner[slot] != Long.remainderUnsigned(h, buckets)) {
                v.problem(Part.HASH_TABLES, "symbol " + names[(int) i] + " (" + i + ") is " + (owner[slot] < 0
                        ? "in no bucket's chain" : "in the chain of bucket " + owner[slot]) + ", but its name hashes to "
                        + "bucket " + Long.remainderUnsigned(h, buckets) + ": a lookup for it would not find it there");
                return;
            }
        }
    }

    /** {@return each symbol's name, once {@link #symbols()} has read them all; null otherwise} */
    String[] names() {
        return names;
    }

    /** {@return the offset in the symbol table of symbol {@code index}'s {@code st_other}} */
    private int symbolOther(int index) {
        return index * (w64 ? 24 : 16) + (w64 ? 5 : 13);
    }

    /** A symbol table entry's fields. */
    record Symbol(long name, int type, int bind, int shndx, long value, long size) {
    }

    Symbol symbol(long index) {
        int entry = w64 ? 24 : 16;
        int at = (int) (index * entry);
        long name = Integer.toUnsignedLong(symtab.getInt(at));
        int info = Byte.toUnsignedInt(symtab.get(at + (w64 ? 4 : 12)));
        int shndx = Short.toUnsignedInt(symtab.getShort(at + (w64 ? 6 : 14)));
        long value = w64 ? symtab.getLong(at + 8) : Integer.toUnsignedLong(symtab.getInt(at + 4));
        long size = w64 ? symtab.getLong(at + 16) : Integer.toUnsignedLong(symtab.getInt(at + 8));
        return new Symbol(name, info & 0xf, info >> 4, shndx, value, size);
    }
}
