package dev.dynload.elf;

import dev.dynload.elf.ElfImage.Segment;
import dev.dynload.elf.ElfProblem.Part;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.dynload.elf.DynamicTags.*;
import static dev.dynload.elf.ElfImage.hex;
import static dev.dynload.elf.ElfImage.inside;

/**
 * The functions the loader calls at load and unload ({@code DT_INIT}, {@code DT_FINI} and the init and
 * fini arrays): each must be code of this library, where a function starts. An array's words are
 * addresses only once relocated, so the relocation that fills each word is noted as {@link Relocations}
 * walks the tables.
 */
final class Initializers {

    private final Verification verifier;
    private final ElfImage image;
    private final SymbolTables symbols;
    private final boolean w64;
    private final int word;
    /** The relocation applied to each word of an init or fini array, by address. */
    private final Map<Long, Relocation> arraySlots = new HashMap<>();
    private final List<Array> arrays = new ArrayList<>();

    /** An array of functions the loader calls: DT_INIT_ARRAY or DT_FINI_ARRAY. */
    private record Array(String name, long address, long size) {
    }

    Initializers(Verification verifier, ElfImage image, SymbolTables symbols) {
        this.verifier = verifier;
        this.image = image;
        this.symbols = symbols;
        this.w64 = image.w64;
        this.word = w64 ? 8 : 4;
    }

    /** Notes where the init and fini arrays lie, before the relocations are walked. */
    void collectArrays() {
        for (long[] array : new long[][] {{DT_INIT_ARRAY, DT_INIT_ARRAYSZ}, {DT_FINI_ARRAY, DT_FINI_ARRAYSZ}}) {
            if (image.has(array[0]) && image.has(array[1])) {
                arrays.add(new Array(tagName(array[0]), image.value(array[0]), image.value(array[1])));
            }
        }
    }

    /** Remembers, of each relocation, those that fill init and fini arrays. */
    void applied(Relocation e) {
        for (Array array : arrays) {
            if (inside(e.offset(), word, array.address(), array.size())) {
                arraySlots.put(e.offset(), e);
            }
        }
    }

    /** Checks every function the loader calls when it loads or unloads the library. */
    void check() throws IOException {
        for (long tag : new long[] {DT_INIT, DT_FINI}) {
            if (image.has(tag)) {
                function(image.value(tag), tagName(tag), FunctionBounds.Caller.INIT_OR_FINI);
            }
        }
        for (int a = 0; a < arrays.size(); a++) {
            for (int b = a + 1; b < arrays.size(); b++) {
                Array one = arrays.get(a);
                Array other = arrays.get(b);
                if (one.size() > 0 && other.size() > 0 && Long.compareUnsigned(one.address(), other.address() + other.size()) < 0
                        && Long.compareUnsigned(other.address(), one.address() + one.size()) < 0) {
                    // The loader would call the finalizers at load (or the reverse): a size is damaged.
                    verifier.problem(Part.INITIALIZERS, one.name() + " and " + other.name() + " overlap: a linker writes them "
                            + "apart, so one's address or size is damaged, and the loader would call a function of one "
                            + "as the other's");
                    return;
                }
            }
        }
        for (Array array : arrays) {
            String what = array.name();
            long size = array.size();
            if (size % word != 0) {
                verifier.problem(Part.INITIALIZERS, what + " is " + size + " bytes, not a whole number of pointers");
                continue;
            }
            Segment load = image.loadHolding(array.address(), size);
            if (load == null || !load.writable()) {
                verifier.problem(Part.INITIALIZERS, what + " (" + hex(array.address()) + ", " + size + " bytes) does not lie "
                        + "inside writable memory of one loadable segment");
                continue;
            }
            ByteBuffer raw = image.readAt(array.address(), size);
            for (long i = 0; i < size / word; i++) {
                long slot = array.address() + i * word;
                Relocation e = arraySlots.get(slot);
                long target;
                if (e == null) {
                    long stored = raw == null ? 0 : (w64 ? raw.getLong((int) (i * word)) : Integer.toUnsignedLong(raw.getInt((int) (i * word))));
                    verifier.problem(Part.INITIALIZERS, what + "[" + i + "] holds " + hex(stored) + " and no relocation makes it "
                            + "an address in the library: the loader would call " + hex(stored));
                    continue;
                }
                if (e.symbol() == 0) {
                    target = e.addend();
                } else {
                    SymbolTables.Symbol s = symbols.symbol(e.symbol());
                    if (s.shndx() == 0) {
                        continue; // a function of another library: checked when that one loads
                    }
                    target = s.value() + e.addend();
                }
                function(target, what + "[" + i + "]", FunctionBounds.Caller.ARRAY_OR_RESOLVER);
            }
        }
    }

    /** A function the loader calls: it must be code of this library. */
    private void function(long address, String what, FunctionBounds.Caller caller) {
        if (!image.isCode(address)) {
            verifier.problem(Part.INITIALIZERS, what + " (" + hex(address) + ") lies outside the code the file holds: the loader "
                    + "would call data or zeros");
        } else if (verifier.bounds().insideFunction(address) || !verifier.bounds().plausibleOutsideEntries(address, caller)) {
            verifier.problem(Part.INITIALIZERS, what + " (" + hex(address) + ") is not where a function starts: the loader "
                    + "would run code from the middle of something");
        }
    }

}
