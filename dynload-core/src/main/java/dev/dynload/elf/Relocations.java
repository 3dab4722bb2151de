package dev.dynload.elf;

import dev.dynload.elf.ElfImage.Segment;

import java.io.IOException;
import java.nio.ByteBuffer;

import dev.dynload.elf.RelocationTypes.Kind;
import dev.dynload.elf.RelocationTypes.Machine;
import dev.dynload.elf.RelocationTypes.Role;

import static dev.dynload.elf.ElfImage.hex;

/**
 * Checks relocation tables as the loader applies them: every write lands in the library's own writable
 * memory, every symbol index names a symbol, every type is one the platform's loader knows, and every
 * address the loader calls while relocating ({@code IRELATIVE} resolvers) is code of the library.
 */
final class Relocations {

    private final Verification verifier;
    private final Initializers initializers;
    private final SymbolTables symbols;
    private final ElfImage image;
    private final Writes writes;
    private final Machine machine;
    private final boolean textrel;
    /** The span of the loaded segments, [low, high), which the segment checks bound below 2^40. */
    private final long imageLow;
    private final long imageHigh;
    /** The symbols that have a PLT slot (JUMP_SLOT), and the imports that have a GOT entry: one each. */
    private final java.util.Set<Long> pltSymbols = new java.util.HashSet<>();
    private final java.util.Set<Long> gotImports = new java.util.HashSet<>();
    /** The PLT's slots in the GOT: [first, end), or null when unknown; see {@link #pltSlots}. */
    private long[] pltSlots;
    private final boolean w64;
    private final int word;

    Relocations(Verification verifier, Initializers initializers, SymbolTables symbols, ElfImage image, Machine machine,
                boolean textrel) {
        this.verifier = verifier;
        this.initializers = initializers;
        this.symbols = symbols;
        this.image = image;
        this.machine = machine;
        this.textrel = textrel;
        this.w64 = image.w64;
        this.word = w64 ? 8 : 4;
        long bytes = 0;
        for (Segment load : image.loads) {
            if (load.writable() || textrel) {
                bytes += load.filesz();
            }
        }
        this.writes = new Writes(verifier, bytes / 4 + 16);
        long low = Long.MAX_VALUE;
        long high = 0;
        for (Segment load : image.loads) {
            low = Math.min(low, load.vaddr());
            high = Math.max(high, load.vaddr() + load.memsz());
        }
        this.imageLow = low;
        this.imageHigh = high;
    }

    /** Marks [address, address + size) as read by the loader: no relocation may write there. */
    void reserve(long address, long size, String what) {
        writes.reserve(address, size, what);
    }

    /** After every table: see {@link Writes#finish}. */
    void finish() {
        writes.finish();
    }

    /**
     * Where the PLT's slots lie: {@code DT_PLTGOT} holds three words the loader reserves, then one slot per
     * word the PLT relocations write (two for a TLS descriptor). Each of them writes one of those slots: a
     * slot that none writes keeps its link-time value, an address the loader never relocated, and a call
     * through it jumps there.
     */
    void pltSlots(long pltGot, long slots) {
        long first = pltGot + 3L * word;
        pltSlots = new long[] {first, first + slots * word};
    }

    /**
     * Whether a relative relocation's value is an address of the library: within the span of its segments,
     * give or take 64 KiB. Linkers write pointers into the library there, some just outside an object (past
     * an array's end, or biased before one that starts a segment, as {@code &table[-1]} compiles); a value
     * far outside is a damaged addend.
     */
    private boolean pointsIntoImage(long address) {
        return address >= imageLow - SLACK && address <= imageHigh + SLACK;
    }

    /** How far outside the library's span a pointer of its own may still lie: the largest page size. */
    private static final long SLACK = 64 * 1024;

    /** Checks one table of REL or RELA entries; stops at its first problem, which says enough about it. */
    void table(long address, long size, boolean rela, boolean plt, long relativeCount) throws IOException {
        String name = plt ? "DT_JMPREL" : rela ? "DT_RELA" : "DT_REL";
        int entry = rela ? (w64 ? 24 : 12) : (w64 ? 16 : 8);
        if (size % entry != 0) {
            verifier.problem(name + " is " + size + " bytes, not a whole number of " + entry + "-byte entries");
            return;
        }
        if (size < 0 || size > image.in.size()) {
            verifier.problem(name + " claims " + Long.toUnsignedString(size) + " bytes, more than the file holds");
            return;
        }
        ByteBuffer t = image.readAt(address, size);
        if (t == null) {
            verifier.problem(name + " (" + hex(address) + ", " + size + " bytes) does not lie inside the file contents "
                    + "of a loadable segment");
            return;
        }
        long count = size / entry;
        if (Long.compareUnsigned(relativeCount, count) > 0) {
            verifier.problem(name + "'s count of relative relocations (" + Long.toUnsignedString(relativeCount)
                    + ") is more than its " + count + " entries");
            return;
        }
        for (int i = 0; i < count; i++) {
            int at = i * entry;
            long offset = w64 ? t.getLong(at) : Integer.toUnsignedLong(t.getInt(at));
            long info = w64 ? t.getLong(at + 8) : Integer.toUnsignedLong(t.getInt(at + 4));
            int type = (int) (w64 ? info & 0xffffffffL : info & 0xff);
            long symbol = w64 ? info >>> 32 : info >>> 8;
            long addend;
            if (rela) {
                addend = w64 ? t.getLong(at + 16) : t.getInt(at + 8);
            } else {
                addend = stored(offset);
            }
            String where = name + " entry " + i + " (offset " + hex(offset) + ", type " + type + ")";
            if (!entry(new Relocation(offset, type, symbol, addend), where, plt, i < relativeCount)) {
                return;
            }
        }
    }

    /**
     * {@return how many GOT words the PLT relocations at {@code address} write: one each, two for a TLS
     * descriptor; -1 when the table cannot be read (its own check says why)}
     */
    long pltWords(long address, long size, boolean rela) throws IOException {
        int entry = rela ? (w64 ? 24 : 12) : (w64 ? 16 : 8);
        if (size < 0 || size % entry != 0 || size > image.in.size()) {
            return -1;
        }
        ByteBuffer t = image.readAt(address, size);
        if (t == null) {
            return -1;
        }
        long words = 0;
        for (int at = 0; at < size; at += entry) {
            long info = w64 ? t.getLong(at + 8) : Integer.toUnsignedLong(t.getInt(at + 4));
            Kind kind = machine.kinds().get((int) (w64 ? info & 0xffffffffL : info & 0xff));
            words += kind == null || kind.width() <= word ? 1 : kind.width() / word;
        }
        return words;
    }

    /** The word stored at {@code address}, which an implicit-addend relocation adds to; 0 when not in the file. */
    private long stored(long address) throws IOException {
        ByteBuffer b = image.readAt(address, word);
        return b == null ? 0 : w64 ? b.getLong(0) : Integer.toUnsignedLong(b.getInt(0));
    }

    /** {@return false when the entry has a problem} */
    private boolean entry(Relocation e, String where, boolean plt, boolean countedRelative) {
        Kind kind;
        if (machine.known()) {
            kind = machine.kinds().get(e.type());
            if (kind == null) {
                verifier.problem(where + ": a relocation type the " + machine.name() + " loader does not know");
                return false;
            }
        } else {
            kind = new Kind(e.symbol() == 0 ? Role.RELATIVE : Role.SYMBOL, word, false, plt);
        }
        if (kind.role() == Role.NONE && e.symbol() != 0) {
            verifier.problem(where + ": does nothing, yet names symbol " + Long.toUnsignedString(e.symbol())
                    + ": a relocation's type was damaged to none, and what it should write stays unrelocated");
            return false;
        }
        if (kind.role() == Role.COPY) {
            verifier.problem(where + ": a copy relocation, which only executables may have");
            return false;
        }
        if (kind.role() == Role.CODE && !textrel) {
            verifier.problem(where + ": a relocation of position-dependent code in a library without DT_TEXTREL, "
                    + "which no linker writes");
            return false;
        }
        if (kind.width() == 8 && (kind.plt() || kind.tls() || e.type() == machine.globDat()) && (e.offset() & 7) != 0) {
            verifier.problem(where + ": a GOT entry at a misaligned address");
            return false;
        }
        if (countedRelative && kind.role() != Role.RELATIVE) {
            verifier.problem(where + ": counted as relative by DT_RELACOUNT, but it is not");
            return false;
        }
        if (plt && !kind.plt()) {
            verifier.problem(where + ": a type that does not belong in the PLT relocations");
            return false;
        }
        SymbolTables.Symbol symbol = null;
        if (e.symbol() != 0) {
            if (!verifier.hasSymbols()) {
                verifier.problem(where + ": names symbol " + e.symbol() + ", but there is no usable symbol table");
                return false;
            }
            if (Long.compareUnsigned(e.symbol(), verifier.symbolCount()) >= 0) {
                verifier.problem(where + ": names symbol " + Long.toUnsignedString(e.symbol()) + ", past the "
                        + verifier.symbolCount() + " symbols of the table");
                return false;
            }
            if (verifier.symbolName(e.symbol()) == null) {
                return false;
            }
            symbol = symbols.symbol(e.symbol());
        } else if ((kind.role() == Role.SYMBOL || kind.role() == Role.CODE) && !kind.tls()) {
            verifier.problem(where + ": needs a symbol but names none");
            return false;
        }
        if (kind.width() > 0) {
            Segment target = image.loadHolding(e.offset(), kind.width());
            if (target == null) {
                verifier.problem(where + ": writes " + kind.width() + " bytes outside every loadable segment");
                return false;
            }
            if (!target.writable() && !textrel) {
                verifier.problem(where + ": writes into read-only memory, and DT_TEXTREL does not allow it");
                return false;
            }
        }
        if (machine.known() && kind.role() == Role.RELATIVE && !pointsIntoImage(e.addend())) {
            verifier.problem(where + ": makes a pointer to " + hex(e.addend()) + ", far outside the library's segments: "
                    + "its addend is damaged, and the library would follow that pointer out of itself");
            return false;
        }
        if (kind.role() == Role.RELATIVE && e.symbol() != 0) {
            // Linkers write relative relocations without a symbol; one with a symbol is a symbol relocation
            // whose type was damaged, and would point the slot at the library's base instead of the symbol.
            verifier.problem(where + ": a relative relocation that names symbol " + e.symbol() + ": linkers write "
                    + "relative relocations with none, so its type is damaged");
            return false;
        }
        if (kind.role() == Role.IRELATIVE && !verifier.isFunction(e.addend(), FunctionBounds.Caller.ARRAY_OR_RESOLVER)) {
            verifier.problem(where + ": its resolver " + hex(e.addend()) + " is not the start of a function the file "
                    + "holds");
            return false;
        }
        if (kind.tls() && symbol != null && symbol.type() != 6) {
            // STT_TLS: a thread-local relocation stores a module id or an offset into thread-local storage;
            // naming a function or an object, it leaves in its slot what code then calls or reads as a pointer.
            verifier.problem(where + ": a thread-local relocation naming " + verifier.symbolName(e.symbol())
                    + ", which is not thread-local (symbol type " + symbol.type() + "): its type is damaged");
            return false;
        }
        if (symbol != null) {
            if (!kind.tls() && symbol.type() == 6) {
                verifier.problem(where + ": names the thread-local " + verifier.symbolName(e.symbol()) + ", which only a "
                        + "thread-local relocation may: its symbol index is damaged, and the slot would get a TLS offset "
                        + "as an address");
                return false;
            }
            if (machine.known() && symbol.bind() == 0 && !kind.tls()) {
                // A linker turns a reference to a symbol of its own that nobody may interpose into a relative
                // relocation; the loader would bind a local name to this library's base plus its value.
                verifier.problem(where + ": names the local symbol " + verifier.symbolName(e.symbol()) + ", which a "
                        + "linker never leaves to the loader: its symbol index or the symbol's binding is damaged");
                return false;
            }
            if (machine.known() && !kind.tls() && (symbol.type() == 3 || symbol.type() == 4 || symbol.shndx() == 0xfff1
                    && (e.type() == machine.jumpSlot() || e.type() == machine.globDat()))) {
                verifier.problem(where + ": names " + verifier.symbolName(e.symbol()) + ", a "
                        + (symbol.type() == 3 ? "section symbol" : symbol.type() == 4 ? "file symbol" : "absolute symbol")
                        + ", which no GOT entry or dynamic relocation of a linker refers to: its symbol index is damaged");
                return false;
            }
            if (e.type() == machine.jumpSlot() && symbol.type() != 0 && symbol.type() != 2 && symbol.type() != 10) {
                verifier.problem(where + ": a PLT slot for " + verifier.symbolName(e.symbol()) + ", which is not a "
                        + "function (symbol type " + symbol.type() + "): its symbol index is damaged");
                return false;
            }
        }
        boolean definedHere = symbol != null && symbol.shndx() != 0;
        if (kind.tls() && (symbol == null || definedHere) && !verifier.hasTls()) {
            verifier.problem(where + ": a thread-local relocation in a library without PT_TLS");
            return false;
        }
        if (definedHere && symbol.type() == 10 && symbol.shndx() != 0xfff1 && !verifier.isFunction(symbol.value(), FunctionBounds.Caller.ARRAY_OR_RESOLVER)) {
            verifier.problem(where + ": the resolver of " + verifier.symbolName(e.symbol()) + " lies outside the "
                    + "executable segments");
            return false;
        }
        if (plt && pltSlots != null && !ElfImage.inside(e.offset(), kind.width(), pltSlots[0], pltSlots[1] - pltSlots[0])) {
            verifier.problem(where + ": writes " + hex(e.offset()) + ", outside the PLT's slots in the GOT ("
                    + hex(pltSlots[0]) + " to " + hex(pltSlots[1]) + "): its offset is damaged, and the slot it should "
                    + "write keeps an address the loader never relocated");
            return false;
        }
        // One PLT slot per symbol, and one GOT entry per import (for a function of its own, rustc's linker
        // makes several GOT entries).
        if (e.symbol() != 0 && (e.type() == machine.jumpSlot() && !pltSymbols.add(e.symbol())
                || e.type() == machine.globDat() && !definedHere && !gotImports.add(e.symbol()))) {
            verifier.problem(where + ": a second " + (e.type() == machine.jumpSlot() ? "PLT slot" : "GOT entry")
                    + " for " + verifier.symbolName(e.symbol()) + ", where a linker makes one: its symbol index is damaged");
            return false;
        }
        if (kind.width() > 0 && !writes.record(e.offset(), kind.width())) {
            return false;
        }
        initializers.applied(e);
        return true;
    }

    /** Checks DT_RELR, the packed relative relocations: each address it relocates is writable memory. */
    void relr(long address, long size) throws IOException {
        if (size % word != 0 || size < 0 || size > image.in.size()) {
            verifier.problem("DT_RELR is " + Long.toUnsignedString(size) + " bytes, not a whole number of words "
                    + "inside the file");
            return;
        }
        ByteBuffer t = image.readAt(address, size);
        if (t == null) {
            verifier.problem("DT_RELR (" + hex(address) + ", " + size + " bytes) does not lie inside the file contents "
                    + "of a loadable segment");
            return;
        }
        long base = 0;
        for (int i = 0; i < size / word; i++) {
            long entry = w64 ? t.getLong(i * word) : Integer.toUnsignedLong(t.getInt(i * word));
            if ((entry & 1) == 0) {
                if (!relrWord(entry, i)) {
                    return;
                }
                base = entry + word;
            } else {
                long bits = entry >>> 1;
                for (int bit = 0; bits != 0; bit++, bits >>>= 1) {
                    if ((bits & 1) != 0 && !relrWord(base + (long) bit * word, i)) {
                        return;
                    }
                }
                base += (long) (word * 8 - 1) * word;
            }
        }
    }

    private boolean relrWord(long address, int index) throws IOException {
        Segment target = image.loadHolding(address, word);
        if (target == null || !(target.writable() || textrel)) {
            verifier.problem("DT_RELR entry " + index + " relocates " + hex(address)
                    + ", which is not writable memory of the library");
            return false;
        }
        if (machine.known() && !pointsIntoImage(stored(address))) {
            verifier.problem("DT_RELR entry " + index + " relocates the word at " + hex(address) + ", which holds "
                    + hex(stored(address)) + ", far outside the library's segments: the library would follow that "
                    + "pointer out of itself");
            return false;
        }
        if (!writes.record(address, word)) {
            return false;
        }
        initializers.applied(new Relocation(address, -1, 0, stored(address)));
        return true;
    }
}
