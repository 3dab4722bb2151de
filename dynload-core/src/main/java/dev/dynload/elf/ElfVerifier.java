package dev.dynload.elf;

import dev.dynload.elf.ElfImage.Segment;
import dev.dynload.elf.ElfProblem.Part;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.dynload.elf.ElfImage.hex;
import static dev.dynload.elf.ElfImage.inside;

/**
 * Checks everything in a shared library that the system loader trusts before any of the library's code
 * runs, the way glibc's {@code dlopen} uses it: the program headers it maps, the dynamic entries it reads,
 * the hash, symbol and version tables its lookups walk, the relocations it applies, the memory it
 * protects, and the initializers it calls. Each check stands for a way a damaged file takes the process
 * down inside the loader (a read or write outside the library, an assertion that ends the process, a
 * chain that never ends); each problem found is reported, not only the first.
 *
 * <p>Reads are bounded by the file: every table is read through the segment that maps it, and each walk
 * is bounded by the table it walks.
 */
final class ElfVerifier {


    static final long DT_NEEDED = 1;
    static final long DT_PLTRELSZ = 2;
    static final long DT_PLTGOT = 3;
    static final long DT_HASH = 4;
    static final long DT_STRTAB = 5;
    static final long DT_SYMTAB = 6;
    static final long DT_RELA = 7;
    static final long DT_RELASZ = 8;
    static final long DT_RELAENT = 9;
    static final long DT_STRSZ = 10;
    static final long DT_SYMENT = 11;
    static final long DT_INIT = 12;
    static final long DT_FINI = 13;
    static final long DT_SONAME = 14;
    static final long DT_RPATH = 15;
    static final long DT_REL = 17;
    static final long DT_RELSZ = 18;
    static final long DT_RELENT = 19;
    static final long DT_PLTREL = 20;
    static final long DT_TEXTREL = 22;
    static final long DT_JMPREL = 23;
    static final long DT_INIT_ARRAY = 25;
    static final long DT_FINI_ARRAY = 26;
    static final long DT_INIT_ARRAYSZ = 27;
    static final long DT_FINI_ARRAYSZ = 28;
    static final long DT_RUNPATH = 29;
    static final long DT_FLAGS = 30;
    static final long DT_PREINIT_ARRAY = 32;
    static final long DT_PREINIT_ARRAYSZ = 33;
    static final long DT_RELRSZ = 35;
    static final long DT_RELR = 36;
    static final long DT_RELRENT = 37;
    static final long DT_GNU_HASH = 0x6ffffef5L;
    static final long DT_VERSYM = 0x6ffffff0L;
    static final long DT_RELACOUNT = 0x6ffffff9L;
    static final long DT_RELCOUNT = 0x6ffffffaL;
    static final long DT_FLAGS_1 = 0x6ffffffbL;
    static final long DT_VERDEF = 0x6ffffffcL;
    static final long DT_VERDEFNUM = 0x6ffffffdL;
    static final long DT_VERNEED = 0x6ffffffeL;
    static final long DT_VERNEEDNUM = 0x6fffffffL;
    static final long DT_AUXILIARY = 0x7ffffffdL;
    static final long DT_FILTER = 0x7fffffffL;
    private static final long DF_TEXTREL = 0x4;
    private static final long DF_1_PIE = 0x08000000L;

    private final ElfImage image;
    private final boolean w64;
    private final int word;
    private final List<ElfProblem> problems = new ArrayList<>();
    private final Relocations.Machine machine;
    /** Read when the first function start is judged; see {@link #bounds()}. */
    private FunctionBounds bounds;

    private ByteBuffer strtab;
    /**
     * The bytes {@link #string} may still scan: four times the string table, plus 1 MiB. Names of sound
     * files are read about once each; a file whose thousands of symbols all point at one huge unterminated
     * name would otherwise cost a scan of the whole table per symbol.
     */
    private long stringBudget;
    private final Set<String> needed = new HashSet<>();
    private final LayoutChecks layout;
    private final SymbolTables symbols;
    private final VersionTables versions;
    /** The relocation applied to each word of an init or fini array, by address. */
    private final Map<Long, Relocations.Entry> arraySlots = new HashMap<>();
    private final List<Array> arrays = new ArrayList<>();

    /** An array of functions the loader calls: DT_INIT_ARRAY or DT_FINI_ARRAY. */
    private record Array(String name, long address, long size) {
    }

    private ElfVerifier(ElfImage image) {
        this.image = image;
        this.w64 = image.w64;
        this.word = w64 ? 8 : 4;
        this.machine = Relocations.machine(image.h.header().machine());
        this.layout = new LayoutChecks(this, image);
        this.symbols = new SymbolTables(this, image, problems);
        this.versions = new VersionTables(this, image);
    }

    SymbolTables symbols() {
        return symbols;
    }

    Set<String> needed() {
        return needed;
    }

    /**
     * Whether {@code address} can be the start of a function: code the file holds, and not the middle of
     * a function its unwind tables describe.
     */
    boolean isFunction(long address, FunctionBounds.Caller caller) {
        return image.isCode(address) && !bounds().insideFunction(address) && bounds().plausibleOutsideEntries(address, caller);
    }

    private FunctionBounds bounds() {
        if (bounds == null) {
            bounds = FunctionBounds.of(image);
        }
        return bounds;
    }

    /**
     * The number of dynamic symbols, counted by the hash table lookups use (the loader knows no other
     * count); -1 when there is no usable hash table.
     */
    static long symbolCount(ElfImage image) throws IOException {
        ElfVerifier v = new ElfVerifier(image);
        v.symbols.hashTables();
        return v.problems.isEmpty() ? v.symbols.count() : -1;
    }

    /** The version tables of a library, read as well as they can be; damage just leaves them short. */
    static VersionTables versions(ElfImage image) throws IOException {
        ElfVerifier v = new ElfVerifier(image);
        if (image.hasDynamic()) {
            v.strings();
            v.versions.walk();
        }
        return v.versions;
    }

    static List<ElfProblem> verify(ElfImage image) throws IOException {
        ElfVerifier v = new ElfVerifier(image);
        v.run();
        return List.copyOf(v.problems);
    }

    void problem(Part part, String detail) {
        problems.add(new ElfProblem(part, detail));
    }

    private void run() throws IOException {
        layout.header();
        if (!layout.programHeaders()) {
            return;
        }
        if (!dynamicSection()) {
            return;
        }
        layout.sectionsAgree();
        strings();
        symbols.hashTables();
        symbols.symbols();
        symbols.hashesAgree();
        versions.check();
        symbols.uniqueNames(versions::versionOf);
        relocations();
        initializers();
    }


    // ---- dynamic section -----------------------------------------------------------------------------

    private boolean dynamicSection() throws IOException {
        if (image.dynamicProblem != null) {
            problem(Part.DYNAMIC, image.dynamicProblem);
            return false;
        }
        if (!image.dynamicTerminated) {
            problem(Part.DYNAMIC, "no DT_NULL ends it inside PT_DYNAMIC: the loader would read on past it");
            return false;
        }
        if (!image.has(DT_SYMTAB)) {
            problem(Part.DYNAMIC, "no DT_SYMTAB: the loader reads the symbol table's address whatever the library "
                    + "holds, and would read through a null pointer");
        }
        for (long[] pair : new long[][] {{DT_STRTAB, DT_STRSZ}, {DT_RELA, DT_RELASZ}, {DT_REL, DT_RELSZ},
                {DT_JMPREL, DT_PLTRELSZ}, {DT_RELR, DT_RELRSZ}, {DT_INIT_ARRAY, DT_INIT_ARRAYSZ},
                {DT_FINI_ARRAY, DT_FINI_ARRAYSZ}, {DT_VERNEED, DT_VERNEEDNUM}, {DT_VERDEF, DT_VERDEFNUM},
                {DT_RELA, DT_RELACOUNT}, {DT_REL, DT_RELCOUNT}}) {
            if (image.has(pair[1]) && !image.has(pair[0])) {
                problem(Part.DYNAMIC, tagName(pair[1]) + " without " + tagName(pair[0]) + ": the table it measures is "
                        + "missing, and what it holds would not be applied");
            }
        }
        requirePair(DT_STRTAB, DT_STRSZ);
        requirePair(DT_RELA, DT_RELASZ);
        requirePair(DT_REL, DT_RELSZ);
        requirePair(DT_JMPREL, DT_PLTRELSZ);
        requirePair(DT_RELR, DT_RELRSZ);
        requirePair(DT_INIT_ARRAY, DT_INIT_ARRAYSZ);
        requirePair(DT_FINI_ARRAY, DT_FINI_ARRAYSZ);
        requirePair(DT_VERNEED, DT_VERNEEDNUM);
        requirePair(DT_VERDEF, DT_VERDEFNUM);
        entrySize(DT_RELA, DT_RELAENT, w64 ? 24 : 12);
        entrySize(DT_REL, DT_RELENT, w64 ? 16 : 8);
        entrySize(DT_RELR, DT_RELRENT, word);
        if (image.has(DT_SYMENT) && image.value(DT_SYMENT) != (w64 ? 24 : 16)) {
            problem(Part.DYNAMIC, "DT_SYMENT is " + image.value(DT_SYMENT) + ", not " + (w64 ? 24 : 16));
        }
        if (image.has(DT_PLTREL)) {
            long pltrel = image.value(DT_PLTREL);
            if (pltrel != DT_RELA && pltrel != DT_REL) {
                problem(Part.DYNAMIC, "DT_PLTREL is " + pltrel + ", neither DT_RELA (7) nor DT_REL (17): the loader "
                        + "stops the process on this");
            } else if (machine.rela() && pltrel != DT_RELA) {
                problem(Part.DYNAMIC, "DT_PLTREL is DT_REL, but " + image.h.header().machineName() + " uses DT_RELA");
            }
        }
        if (machine.rela() && image.has(DT_REL)) {
            problem(Part.DYNAMIC, "DT_REL relocations, which the " + image.h.header().machineName()
                    + " loader never applies");
        }
        if (image.has(DT_PLTREL) && (!image.has(DT_JMPREL) || !image.has(DT_PLTRELSZ))) {
            problem(Part.DYNAMIC, "DT_PLTREL without DT_JMPREL and DT_PLTRELSZ: the loader would read through a null "
                    + "pointer");
        }
        if (image.has(DT_JMPREL) && !image.has(DT_PLTREL)) {
            problem(Part.DYNAMIC, "DT_JMPREL without DT_PLTREL: the loader would leave the PLT unrelocated");
        }
        if ((image.has(DT_VERNEED) || image.has(DT_VERDEF)) && !image.has(DT_VERSYM)) {
            problem(Part.DYNAMIC, "version tables without DT_VERSYM: the loader would read through a null pointer");
        }
        if (image.has(DT_VERSYM) && !image.has(DT_VERNEED) && !image.has(DT_VERDEF)) {
            problem(Part.DYNAMIC, "DT_VERSYM without DT_VERNEED or DT_VERDEF: the loader would index a version table "
                    + "it never made");
        }
        if (image.has(DT_PREINIT_ARRAY)) {
            problem(Part.DYNAMIC, "DT_PREINIT_ARRAY in a shared library, where only executables may have one");
        }
        if (image.has(DT_FLAGS_1) && (image.value(DT_FLAGS_1) & DF_1_PIE) != 0) {
            problem(Part.DYNAMIC, "DF_1_PIE: this is a position-independent executable, which the loader refuses to "
                    + "load as a library");
        }
        for (long tag : new long[] {DT_PLTGOT, DT_HASH, DT_STRTAB, DT_SYMTAB, DT_RELA, DT_REL, DT_JMPREL, DT_RELR,
                DT_INIT, DT_FINI, DT_INIT_ARRAY, DT_FINI_ARRAY, DT_GNU_HASH, DT_VERSYM, DT_VERDEF, DT_VERNEED}) {
            if (image.has(tag) && image.loadHolding(image.value(tag), 0) == null) {
                problem(Part.DYNAMIC, tagName(tag) + " (" + hex(image.value(tag)) + ") points outside every loadable segment");
            }
        }
        if (image.has(DT_JMPREL)) {
            Long got = image.value(DT_PLTGOT);
            Segment load = got == null ? null : image.loadHolding(got, 3L * word);
            if (got == null) {
                problem(Part.DYNAMIC, "DT_JMPREL without DT_PLTGOT: lazy binding would write through a null pointer");
            } else if (load == null || !load.writable()) {
                problem(Part.DYNAMIC, "DT_PLTGOT (" + hex(got) + ") is not three words of writable memory: lazy binding "
                        + "writes there");
            }
        }
        return true;
    }

    private void requirePair(long tag, long sizeTag) {
        if (image.has(tag) && !image.has(sizeTag)) {
            problem(Part.DYNAMIC, tagName(tag) + " without " + tagName(sizeTag));
        }
    }

    private void entrySize(long table, long sizeTag, int expected) {
        if (image.has(table)) {
            Long size = image.value(sizeTag);
            if (size == null || size != expected) {
                problem(Part.DYNAMIC, tagName(sizeTag) + " is " + (size == null ? "missing" : String.valueOf(size))
                        + ", not " + expected + ": the loader stops the process on this");
            }
        }
    }


    // ---- strings -----------------------------------------------------------------------------------

    private void strings() throws IOException {
        Long address = image.value(DT_STRTAB);
        Long size = image.value(DT_STRSZ);
        if (address == null || size == null) {
            if (!image.values(DT_NEEDED).isEmpty() || image.has(DT_SONAME)) {
                problem(Part.DYNAMIC, "names libraries but has no string table (DT_STRTAB, DT_STRSZ)");
            }
            return;
        }
        strtab = table(Part.DYNAMIC, address, size, "the string table (DT_STRTAB, DT_STRSZ)");
        stringBudget = strtab == null ? 0 : 4L * strtab.limit() + (1 << 20);
        if (strtab == null) {
            return;
        }
        for (long offset : image.values(DT_NEEDED)) {
            String name = string(Part.DYNAMIC, offset, "DT_NEEDED");
            if (name != null) {
                if (name.isEmpty()) {
                    problem(Part.DYNAMIC, "a DT_NEEDED entry names no library (an empty string)");
                }
                needed.add(name);
            }
        }
        for (long tag : new long[] {DT_SONAME, DT_RPATH, DT_RUNPATH, DT_AUXILIARY, DT_FILTER}) {
            for (long offset : image.values(tag)) {
                string(Part.DYNAMIC, offset, tagName(tag));
            }
        }
    }

    /** The NUL-terminated string at {@code offset} of the string table, or null with a problem. */
    String string(Part part, long offset, String what) {
        if (strtab == null) {
            problem(part, what + " names a string, but there is no string table");
            return null;
        }
        if (offset < 0 || offset >= strtab.limit()) {
            problem(part, what + ": string offset " + Long.toUnsignedString(offset) + " is outside the string table ("
                    + strtab.limit() + " bytes)");
            return null;
        }
        int start = (int) offset;
        for (int i = start; i < strtab.limit(); i++) {
            if (--stringBudget < 0) {
                if (stringBudget == -1) {
                    problem(part, what + ": the names read add up to more than four times the string table ("
                            + strtab.limit() + " bytes); names overlap the way no linker writes them");
                }
                stringBudget = -2;
                return null;
            }
            if (strtab.get(i) == 0) {
                byte[] bytes = new byte[i - start];
                strtab.get(start, bytes);
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        problem(part, what + ": the string at offset " + offset + " has no terminating NUL inside the string table");
        return null;
    }

    /**
     * The hash of the string at {@code offset} of the string table, over its bytes as the loader hashes
     * them: GNU's ({@code h * 33 + c} from 5381) or System V's ELF hash. The string was read before.
     */
    long hash(long offset, boolean gnu) {
        long h = gnu ? 5381 : 0;
        for (int i = (int) offset; i < strtab.limit() && strtab.get(i) != 0; i++) {
            int c = Byte.toUnsignedInt(strtab.get(i));
            if (gnu) {
                h = (h * 33 + c) & 0xffffffffL;
            } else {
                h = (h << 4) + c;
                long g = h & 0xf0000000L;
                if (g != 0) {
                    h ^= g >>> 24;
                }
                h &= ~g & 0xffffffffL;
            }
        }
        return h;
    }

    /** {@return whether the loader may read [address, address + size): its segment is mapped readable} */
    boolean readable(long address, long size) {
        Segment load = image.loadHolding(address, size);
        return load != null && load.readable();
    }

    /** Reads a table the loader reads from memory; null with a problem when it is not inside the file. */
    ByteBuffer table(Part part, long address, long size, String what) throws IOException {
        if (size < 0 || size > image.in.size()) {
            problem(part, what + " claims " + Long.toUnsignedString(size) + " bytes, more than the file holds");
            return null;
        }
        ByteBuffer b = image.readAt(address, size);
        if (b == null) {
            problem(part, what + " (" + hex(address) + ", " + size + " bytes) does not lie inside the file contents "
                    + "of a loadable segment");
            return null;
        }
        if (size > 0 && !readable(address, size)) {
            problem(part, what + " (" + hex(address) + ") lies in a segment mapped without read permission: the loader "
                    + "would fault reading it");
            return null;
        }
        return b;
    }



    // ---- relocations ----------------------------------------------------------------------------------

    private void relocations() throws IOException {
        for (long[] array : new long[][] {{DT_INIT_ARRAY, DT_INIT_ARRAYSZ}, {DT_FINI_ARRAY, DT_FINI_ARRAYSZ}}) {
            if (image.has(array[0]) && image.has(array[1])) {
                arrays.add(new Array(tagName(array[0]), image.value(array[0]), image.value(array[1])));
            }
        }
        boolean textrel = image.has(DT_TEXTREL) || (image.has(DT_FLAGS) && (image.value(DT_FLAGS) & DF_TEXTREL) != 0);
        Relocations r = new Relocations(this, image, machine, textrel);
        if (image.has(DT_RELA) && image.has(DT_RELASZ) && image.value(DT_RELA) != 0) {
            long count = image.has(DT_RELACOUNT) ? image.value(DT_RELACOUNT) : 0;
            long size = image.value(DT_RELASZ);
            // As glibc does: a DT_RELASZ that ends where the PLT relocations end counts them too.
            if (image.has(DT_JMPREL) && image.has(DT_PLTRELSZ) && !image.has(DT_REL)
                    && image.value(DT_RELA) + size == image.value(DT_JMPREL) + image.value(DT_PLTRELSZ)) {
                size -= image.value(DT_PLTRELSZ);
            }
            r.table(image.value(DT_RELA), size, true, false, count);
        }
        if (image.has(DT_REL) && image.has(DT_RELSZ) && image.value(DT_REL) != 0) {
            long count = image.has(DT_RELCOUNT) ? image.value(DT_RELCOUNT) : 0;
            r.table(image.value(DT_REL), image.value(DT_RELSZ), false, false, count);
        }
        if (image.has(DT_JMPREL) && image.has(DT_PLTRELSZ)) {
            boolean rela = !image.has(DT_PLTREL) || image.value(DT_PLTREL) == DT_RELA;
            long words = r.pltWords(image.value(DT_JMPREL), image.value(DT_PLTRELSZ), rela);
            if (image.has(DT_PLTGOT) && words >= 0 && machine.known()) {
                r.pltSlots(image.value(DT_PLTGOT), words);
            }
            r.table(image.value(DT_JMPREL), image.value(DT_PLTRELSZ), rela, true, 0);
        }
        if (image.has(DT_RELR) && image.has(DT_RELRSZ)) {
            r.relr(image.value(DT_RELR), image.value(DT_RELRSZ));
        }
        if (image.dynamicSegment != null) {
            r.reserve(image.dynamicSegment.vaddr(), image.dynamicSegment.memsz(), "the dynamic section");
        }
        if (image.has(DT_PLTGOT) && image.has(DT_JMPREL) && machine.known()) {
            // The loader fills them for lazy binding (its link map, its resolver): a relocation there is one
            // moved from the slot it should have written, which keeps an unrelocated address.
            r.reserve(image.value(DT_PLTGOT), 3L * word, "the three words of DT_PLTGOT the loader reserves");
        }
        for (long[] t : new long[][] {{DT_STRTAB, DT_STRSZ}, {DT_RELA, DT_RELASZ}, {DT_JMPREL, DT_PLTRELSZ},
                {DT_RELR, DT_RELRSZ}}) {
            if (image.has(t[0]) && image.has(t[1])) {
                r.reserve(image.value(t[0]), image.value(t[1]), tagName(t[0]));
            }
        }
        if (image.has(DT_SYMTAB) && symbols.count() > 0) {
            r.reserve(image.value(DT_SYMTAB), symbols.count() * (w64 ? 24 : 16), "the symbol table");
        }
        if (image.has(DT_VERSYM) && symbols.count() > 0) {
            r.reserve(image.value(DT_VERSYM), symbols.count() * 2, "DT_VERSYM");
        }
        r.finish();
    }

    /** Called by {@link Relocations} for each relocation: remembers those that fill init and fini arrays. */
    void applied(Relocations.Entry e) {
        for (Array array : arrays) {
            if (inside(e.offset(), word, array.address(), array.size())) {
                arraySlots.put(e.offset(), e);
            }
        }
    }

    void problem(String detail) {
        problem(Part.RELOCATIONS, detail);
    }

    long symbolCount() {
        return symbols.count();
    }

    boolean hasSymbols() {
        return symbols.present();
    }

    boolean hasTls() {
        return image.segment(ElfImage.PT_TLS) != null;
    }

    String symbolName(long index) {
        return string(Part.SYMBOLS, symbols.symbol(index).name(), "symbol " + index);
    }

    // ---- initializers --------------------------------------------------------------------------------

    private void initializers() throws IOException {
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
                    problem(Part.INITIALIZERS, one.name() + " and " + other.name() + " overlap: a linker writes them "
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
                problem(Part.INITIALIZERS, what + " is " + size + " bytes, not a whole number of pointers");
                continue;
            }
            Segment load = image.loadHolding(array.address(), size);
            if (load == null || !load.writable()) {
                problem(Part.INITIALIZERS, what + " (" + hex(array.address()) + ", " + size + " bytes) does not lie "
                        + "inside writable memory of one loadable segment");
                continue;
            }
            ByteBuffer raw = image.readAt(array.address(), size);
            for (long i = 0; i < size / word; i++) {
                long slot = array.address() + i * word;
                Relocations.Entry e = arraySlots.get(slot);
                long target;
                if (e == null) {
                    long stored = raw == null ? 0 : (w64 ? raw.getLong((int) (i * word)) : Integer.toUnsignedLong(raw.getInt((int) (i * word))));
                    problem(Part.INITIALIZERS, what + "[" + i + "] holds " + hex(stored) + " and no relocation makes it "
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
            problem(Part.INITIALIZERS, what + " (" + hex(address) + ") lies outside the code the file holds: the loader "
                    + "would call data or zeros");
        } else if (bounds().insideFunction(address) || !bounds().plausibleOutsideEntries(address, caller)) {
            problem(Part.INITIALIZERS, what + " (" + hex(address) + ") is not where a function starts: the loader "
                    + "would run code from the middle of something");
        }
    }

    static String tagName(long tag) {
        return switch ((int) tag) {
            case 1 -> "DT_NEEDED";
            case 2 -> "DT_PLTRELSZ";
            case 3 -> "DT_PLTGOT";
            case 4 -> "DT_HASH";
            case 5 -> "DT_STRTAB";
            case 6 -> "DT_SYMTAB";
            case 7 -> "DT_RELA";
            case 8 -> "DT_RELASZ";
            case 9 -> "DT_RELAENT";
            case 10 -> "DT_STRSZ";
            case 11 -> "DT_SYMENT";
            case 12 -> "DT_INIT";
            case 13 -> "DT_FINI";
            case 14 -> "DT_SONAME";
            case 15 -> "DT_RPATH";
            case 17 -> "DT_REL";
            case 18 -> "DT_RELSZ";
            case 19 -> "DT_RELENT";
            case 20 -> "DT_PLTREL";
            case 23 -> "DT_JMPREL";
            case 25 -> "DT_INIT_ARRAY";
            case 26 -> "DT_FINI_ARRAY";
            case 27 -> "DT_INIT_ARRAYSZ";
            case 28 -> "DT_FINI_ARRAYSZ";
            case 29 -> "DT_RUNPATH";
            case 32 -> "DT_PREINIT_ARRAY";
            case 35 -> "DT_RELRSZ";
            case 36 -> "DT_RELR";
            case 37 -> "DT_RELRENT";
            case 0x6ffffef5 -> "DT_GNU_HASH";
            case 0x6ffffff9 -> "DT_RELACOUNT";
            case 0x6ffffffa -> "DT_RELCOUNT";
            case 0x6ffffff0 -> "DT_VERSYM";
            case 0x6ffffffc -> "DT_VERDEF";
            case 0x6ffffffd -> "DT_VERDEFNUM";
            case 0x6ffffffe -> "DT_VERNEED";
            case 0x6fffffff -> "DT_VERNEEDNUM";
            case 0x7ffffffd -> "DT_AUXILIARY";
            case 0x7fffffff -> "DT_FILTER";
            default -> "dynamic tag " + hex(tag);
        };
    }
}
