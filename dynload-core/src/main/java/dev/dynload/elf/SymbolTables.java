package dev.dynload.elf;

import dev.dynload.elf.ElfImage.Segment;
import dev.dynload.elf.ElfProblem.Part;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import static dev.dynload.elf.ElfImage.hex;
import static dev.dynload.elf.ElfImage.inside;
import static dev.dynload.elf.ElfVerifier.*;

/**
 * The hash tables symbol lookups walk (every bucket and chain in range, every chain ending, no loop), the
 * symbol count they give (the loader knows no other), and the symbols themselves: names inside the string
 * table, imports the loader can bind, functions that start where code starts.
 */
final class SymbolTables {

    private final ElfVerifier v;
    private final ElfImage image;
    private final boolean w64;
    private final int word;
    private final List<ElfProblem> problems;

    private ByteBuffer symtab;
    /** The number of symbols the hash table covers, or -1 when unknown. */
    private long symbolCount = -1;

    SymbolTables(ElfVerifier v, ElfImage image, List<ElfProblem> problems) {
        this.v = v;
        this.image = image;
        this.w64 = image.w64;
        this.word = w64 ? 8 : 4;
        this.problems = problems;
    }

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
                if ((chains.getInt(slot * 4) & 1) != 0) {
                    break;
                }
                i++;
            }
            count = Math.max(count, i + 1);
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
                i = Integer.toUnsignedLong(t.getInt((int) (8 + (nbucket + i) * 4)));
            }
        }
        symbolCount = nchain;
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
        for (int i = 1; i < symbolCount; i++) {
            Symbol s = symbol(i);
            String name = v.string(Part.SYMBOLS, s.name, "symbol " + i);
            if (name == null) {
                return; // one broken name says enough about the table
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
                continue; // an import: found in another library
            }
            if (s.shndx == 0xfff1) {
                continue; // absolute: not an address in this library
            }
            switch (s.type) {
                case 2, 10 -> {
                    if (!v.isFunction(s.value, FunctionBounds.Caller.EXPORT)) {
                        v.problem(Part.SYMBOLS, "function " + name + " at " + hex(s.value) + " is not the start of a "
                                + "function the file holds: a call to it would run data, zeros or the middle of code");
                        return;
                    }
                }
                case 1 -> {
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
                    // Untyped or other symbols are addresses nobody calls through the loader.
                }
            }
        }
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
