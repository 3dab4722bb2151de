package dev.dynload.elf;

import dev.dynload.elf.ElfImage.Segment;
import dev.dynload.elf.ElfProblem.Part;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.dynload.elf.ElfImage.hex;
import static dev.dynload.elf.DynamicTags.*;
import static dev.dynload.elf.ElfImage.inside;

import org.jspecify.annotations.Nullable;

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
final class ElfVerifier implements Verification {

    private static final long DF_TEXTREL = 0x4;

    private final ElfImage image;
    private final boolean w64;
    private final int word;
    private final List<ElfProblem> problems = new ArrayList<>();
    private final RelocationTypes.Machine machine;
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
    private final Initializers initializers;
    private ElfVerifier(ElfImage image) {
        this.image = image;
        this.w64 = image.w64;
        this.word = w64 ? 8 : 4;
        this.machine = RelocationTypes.machine(image.h.header().machine());
        this.layout = new LayoutChecks(this, image);
        this.symbols = new SymbolTables(this, image, problems);
        this.versions = new VersionTables(this, symbols, image);
        this.initializers = new Initializers(this, image, symbols);
    }

    SymbolTables symbols() {
        return symbols;
    }

    @Override
    public Set<String> needed() {
        return needed;
    }

    /**
     * Whether {@code address} can be the start of a function: code the file holds, and not the middle of
     * a function its unwind tables describe.
     */
    @Override
    public boolean isFunction(long address, FunctionBounds.Caller caller) {
        return image.isCode(address) && !bounds().insideFunction(address) && bounds().plausibleOutsideEntries(address, caller);
    }

    @Override
    public FunctionBounds bounds() {
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

    @Override
    public void problem(Part part, String detail) {
        problems.add(new ElfProblem(part, detail));
    }

    private void run() throws IOException {
        layout.header();
        if (!layout.programHeaders()) {
            return;
        }
        if (!new DynamicChecks(this, image, machine).check()) {
            return;
        }
        new SectionWitness(this, image).check();
        strings();
        symbols.hashTables();
        symbols.symbols();
        symbols.hashesAgree();
        versions.check();
        if (symbols.names() != null) {
            // The tables themselves, not a method reference: a fresh JVM's first open would spin a class for it.
            UniqueNames.check(this, symbols, symbols.names(), versions);
        }
        relocations();
        initializers.check();
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
    @Override
    public @Nullable String string(Part part, long offset, String what) {
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
    @Override
    public long hash(long offset, boolean gnu) {
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
    @Override
    public boolean readable(long address, long size) {
        Segment load = image.loadHolding(address, size);
        return load != null && load.readable();
    }

    /** Reads a table the loader reads from memory; null with a problem when it is not inside the file. */
    @Override
    public @Nullable ByteBuffer table(Part part, long address, long size, String what) throws IOException {
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
        initializers.collectArrays();
        boolean textrel = image.has(DT_TEXTREL) || (image.has(DT_FLAGS) && (image.value(DT_FLAGS) & DF_TEXTREL) != 0);
        Relocations r = new Relocations(this, initializers, symbols, image, machine, textrel);
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

    @Override
    public void problem(String detail) {
        problem(Part.RELOCATIONS, detail);
    }

    @Override
    public long symbolCount() {
        return symbols.count();
    }

    @Override
    public boolean hasSymbols() {
        return symbols.present();
    }

    @Override
    public boolean hasTls() {
        return image.segment(ElfImage.PT_TLS) != null;
    }

    @Override
    public String symbolName(long index) {
        return string(Part.SYMBOLS, symbols.symbol(index).name(), "symbol " + index);
    }

}
