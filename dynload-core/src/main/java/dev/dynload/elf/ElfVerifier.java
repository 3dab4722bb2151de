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

    private static final long PAGE = 4096;
    /** More memory than any library maps; a claim beyond it is damage. */
    private static final long MAX_SPAN = 1L << 40;
    /** More thread-local storage per thread, and a coarser alignment, than any library asks for. */
    private static final long MAX_TLS = 64L << 20;
    private static final long MAX_TLS_ALIGN = 64L << 10;

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
    private final FunctionBounds bounds;

    private ByteBuffer strtab;
    private ByteBuffer symtab;
    /** The number of symbols the hash table covers, or -1 when unknown. */
    private long symbolCount = -1;
    private ByteBuffer versym;
    /** Version indices that glibc fills from VERNEED and VERDEF. */
    private final Set<Integer> versionIndices = new HashSet<>();
    private int highestVersion;
    private final Set<String> needed = new HashSet<>();
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
        this.bounds = FunctionBounds.of(image);
    }

    /**
     * Whether {@code address} can be the start of a function: code the file holds, and not the middle of
     * a function its unwind tables describe.
     */
    boolean isFunction(long address) {
        return image.isCode(address) && !bounds.insideFunction(address) && bounds.plausibleOutsideEntries(address);
    }

    /**
     * The number of dynamic symbols, counted by the hash table lookups use (the loader knows no other
     * count); -1 when there is no usable hash table.
     */
    static long symbolCount(ElfImage image) throws IOException {
        ElfVerifier v = new ElfVerifier(image);
        v.hashTables();
        return v.problems.isEmpty() ? v.symbolCount : -1;
    }

    static List<ElfProblem> verify(ElfImage image) throws IOException {
        ElfVerifier v = new ElfVerifier(image);
        v.run();
        return List.copyOf(v.problems);
    }

    private void problem(Part part, String detail) {
        problems.add(new ElfProblem(part, detail));
    }

    private void run() throws IOException {
        header();
        if (!programHeaders()) {
            return;
        }
        if (!dynamicSection()) {
            return;
        }
        strings();
        hashTables();
        symbols();
        versions();
        relocations();
        initializers();
    }

    // ---- ELF header ----------------------------------------------------------------------------------

    private void header() {
        ElfImage.Header h = image.h;
        if (h.version() != 1) {
            problem(Part.HEADER, "EI_VERSION is " + h.version() + ", not 1");
        }
        if (h.osabi() != 0 && h.osabi() != 3) {
            problem(Part.HEADER, "EI_OSABI is " + h.osabi() + ", neither System V (0) nor GNU (3)");
        }
        if (h.abiversion() != 0 && !(h.osabi() == 3 && h.abiversion() <= 4)) {
            problem(Part.HEADER, "EI_ABIVERSION is " + h.abiversion() + ", which the loader does not know");
        }
        if (h.header().type() != ElfType.SHARED_OBJECT) {
            problem(Part.HEADER, "e_type says " + h.header().type().toString().toLowerCase(java.util.Locale.ROOT)
                    .replace('_', ' ') + ", not shared object");
        }
        if (h.ehsize() != (w64 ? 64 : 52)) {
            problem(Part.HEADER, "e_ehsize is " + h.ehsize() + ", not " + (w64 ? 64 : 52));
        }
        if (h.phnum() == 0xffff) {
            problem(Part.HEADER, "e_phnum is 0xffff (PN_XNUM), which the loader does not support");
        }
    }

    // ---- program headers -------------------------------------------------------------------------------

    /** {@return false when the segments are too broken to read anything through them} */
    private boolean programHeaders() {
        List<Segment> loads = image.loads;
        if (image.segments.isEmpty()) {
            problem(Part.PROGRAM_HEADERS, "there are none: the loader has nothing to map");
            return false;
        }
        if (loads.isEmpty()) {
            problem(Part.PROGRAM_HEADERS, "there is no PT_LOAD segment: the loader has nothing to map");
            return false;
        }
        boolean usable = true;
        long size = image.in.size();
        for (Segment s : loads) {
            String name = "PT_LOAD " + s.index();
            if (s.offset() < 0 || s.filesz() < 0 || s.offset() > size || s.filesz() > size - s.offset()) {
                problem(Part.PROGRAM_HEADERS, name + " (offset " + hex(s.offset()) + ", " + Long.toUnsignedString(s.filesz())
                        + " bytes) runs past the end of the file (" + size + " bytes): the file is truncated or damaged");
                usable = false;
            }
            if (Long.compareUnsigned(s.memsz(), s.filesz()) < 0) {
                problem(Part.PROGRAM_HEADERS, name + " takes " + Long.toUnsignedString(s.memsz())
                        + " bytes of memory for " + Long.toUnsignedString(s.filesz()) + " bytes of file");
                usable = false;
            }
            if (s.vaddr() < 0 || s.memsz() < 0 || s.vaddr() + s.memsz() < 0 || s.vaddr() + s.memsz() > MAX_SPAN) {
                problem(Part.PROGRAM_HEADERS, name + " claims memory up to " + hex(s.vaddr()) + " + "
                        + Long.toUnsignedString(s.memsz()) + " bytes, beyond any library's reach");
                usable = false;
            }
            long align = s.align();
            if (align > 1 && Long.bitCount(align) != 1) {
                problem(Part.PROGRAM_HEADERS, name + " has alignment " + Long.toUnsignedString(align)
                        + ", not a power of two");
            } else if (align > 1 && Long.remainderUnsigned(s.vaddr() - s.offset(), align) != 0) {
                problem(Part.PROGRAM_HEADERS, name + "'s address " + hex(s.vaddr()) + " and offset " + hex(s.offset())
                        + " disagree modulo its alignment " + hex(align));
            } else if (Long.remainderUnsigned(s.vaddr() - s.offset(), PAGE) != 0) {
                problem(Part.PROGRAM_HEADERS, name + "'s address " + hex(s.vaddr()) + " and offset " + hex(s.offset())
                        + " disagree modulo the page size");
            }
        }
        for (int i = 1; i < loads.size(); i++) {
            Segment a = loads.get(i - 1);
            Segment b = loads.get(i);
            if (Long.compareUnsigned(a.vaddr(), b.vaddr()) >= 0) {
                problem(Part.PROGRAM_HEADERS, "PT_LOAD " + b.index() + " (" + hex(b.vaddr()) + ") does not follow PT_LOAD "
                        + a.index() + " (" + hex(a.vaddr()) + ") in ascending order of address: the loader would map it "
                        + "outside the memory it reserves for the library");
                usable = false;
            } else if (Long.compareUnsigned(a.vaddr() + a.memsz(), b.vaddr()) > 0) {
                problem(Part.PROGRAM_HEADERS, "PT_LOAD " + a.index() + " (" + hex(a.vaddr()) + ", "
                        + Long.toUnsignedString(a.memsz()) + " bytes) overlaps PT_LOAD " + b.index() + " at " + hex(b.vaddr()));
                usable = false;
            }
        }
        int dynamics = 0;
        int relros = 0;
        int tlss = 0;
        for (Segment s : image.segments) {
            switch (s.type()) {
                case ElfImage.PT_DYNAMIC -> {
                    dynamics++;
                    if (image.loadHolding(s.vaddr(), s.memsz()) == null || image.fileOffset(s.vaddr(), s.filesz()) < 0) {
                        problem(Part.PROGRAM_HEADERS, "PT_DYNAMIC (" + hex(s.vaddr()) + ", " + Long.toUnsignedString(s.filesz())
                                + " bytes) does not lie inside the file contents of one loadable segment");
                        usable = false;
                    } else if (s.writable() && !image.loadHolding(s.vaddr(), s.memsz()).writable()) {
                        problem(Part.PROGRAM_HEADERS, "PT_DYNAMIC is marked writable inside a read-only PT_LOAD: the loader "
                                + "would write its addresses into read-only memory");
                    } else if (!readable(s.vaddr(), s.memsz())) {
                        problem(Part.PROGRAM_HEADERS, "PT_DYNAMIC lies in a segment mapped without read permission");
                        usable = false;
                    }
                }
                case ElfImage.PT_GNU_RELRO -> {
                    relros++;
                    Segment load = image.loadHolding(s.vaddr(), s.memsz());
                    if (load == null) {
                        problem(Part.PROGRAM_HEADERS, "PT_GNU_RELRO (" + hex(s.vaddr()) + ", " + Long.toUnsignedString(s.memsz())
                                + " bytes) does not lie inside one loadable segment: the loader would make memory outside "
                                + "the library read-only");
                    } else if (!load.writable()) {
                        problem(Part.PROGRAM_HEADERS, "PT_GNU_RELRO lies in a read-only PT_LOAD");
                    }
                }
                case ElfImage.PT_TLS -> {
                    tlss++;
                    if (Long.compareUnsigned(s.memsz(), s.filesz()) < 0) {
                        problem(Part.PROGRAM_HEADERS, "PT_TLS takes " + Long.toUnsignedString(s.memsz()) + " bytes for an image of "
                                + Long.toUnsignedString(s.filesz()));
                    } else if (Long.compareUnsigned(s.memsz(), MAX_TLS) > 0) {
                        problem(Part.PROGRAM_HEADERS, "PT_TLS asks for " + Long.toUnsignedString(s.memsz())
                                + " bytes of thread-local storage per thread");
                    }
                    if (s.align() > 1 && (Long.bitCount(s.align()) != 1 || Long.compareUnsigned(s.align(), MAX_TLS_ALIGN) > 0)) {
                        problem(Part.PROGRAM_HEADERS, "PT_TLS has alignment " + Long.toUnsignedString(s.align())
                                + ", not a power of two up to " + MAX_TLS_ALIGN);
                    }
                    if (s.align() < 0) {
                        problem(Part.PROGRAM_HEADERS, "PT_TLS has alignment " + Long.toUnsignedString(s.align()));
                    }
                    if (image.fileOffset(s.vaddr(), s.filesz()) < 0 || (s.filesz() > 0 && !readable(s.vaddr(), s.filesz()))) {
                        problem(Part.PROGRAM_HEADERS, "PT_TLS's initial image (" + hex(s.vaddr()) + ", "
                                + Long.toUnsignedString(s.filesz()) + " bytes) does not lie inside the readable file "
                                + "contents of a loadable segment");
                    }
                }
                case ElfImage.PT_PHDR -> {
                    long table = (long) image.h.phnum() * image.h.phentsize();
                    if (s.offset() != image.h.phoff() || Long.compareUnsigned(s.filesz(), table) < 0
                            || image.fileOffset(s.vaddr(), table) != image.h.phoff() || !readable(s.vaddr(), table)) {
                        problem(Part.PROGRAM_HEADERS, "PT_PHDR (" + hex(s.vaddr()) + ") does not map the program header "
                                + "table at offset " + hex(image.h.phoff()) + " into readable memory");
                    }
                }
                case ElfImage.PT_INTERP, ElfImage.PT_GNU_EH_FRAME -> {
                    if (image.fileOffset(s.vaddr(), s.filesz()) < 0) {
                        problem(Part.PROGRAM_HEADERS, (s.type() == ElfImage.PT_INTERP ? "PT_INTERP" : "PT_GNU_EH_FRAME")
                                + " (" + hex(s.vaddr()) + ", " + Long.toUnsignedString(s.filesz())
                                + " bytes) does not lie inside the file contents of a loadable segment");
                    }
                }
                case ElfImage.PT_GNU_PROPERTY -> notes(s, "PT_GNU_PROPERTY");
                case ElfImage.PT_NOTE -> {
                    if (s.offset() < 0 || s.filesz() < 0 || s.offset() > size || s.filesz() > size - s.offset()) {
                        problem(Part.PROGRAM_HEADERS, "PT_NOTE " + s.index() + " runs past the end of the file");
                    } else {
                        notes(s, "PT_NOTE " + s.index());
                    }
                }
                default -> {
                    // Other types are not read by the loader.
                }
            }
        }
        phdrMapping();
        if (dynamics == 0) {
            problem(Part.PROGRAM_HEADERS, "there is no PT_DYNAMIC: a shared library needs a dynamic section");
            usable = false;
        } else if (dynamics > 1) {
            problem(Part.PROGRAM_HEADERS, "there are " + dynamics + " PT_DYNAMIC segments, not one");
        }
        if (relros > 1) {
            problem(Part.PROGRAM_HEADERS, "there are " + relros + " PT_GNU_RELRO segments, not one");
        }
        if (tlss > 1) {
            problem(Part.PROGRAM_HEADERS, "there are " + tlss + " PT_TLS segments, not one");
        }
        return usable;
    }

    /**
     * Without PT_PHDR, the loader reads the program headers again from the first loadable segment whose
     * page-rounded mapping of the file covers them: that segment must be readable.
     */
    private void phdrMapping() {
        for (Segment s : image.segments) {
            if (s.type() == ElfImage.PT_PHDR) {
                return;
            }
        }
        long table = (long) image.h.phnum() * image.h.phentsize();
        for (Segment s : image.loads) {
            long mapoff = s.offset() & -PAGE;
            long mapstart = s.vaddr() & -PAGE;
            long mapend = (s.vaddr() + s.filesz() + PAGE - 1) & -PAGE;
            if (Long.compareUnsigned(mapoff, image.h.phoff()) <= 0
                    && Long.compareUnsigned(mapend - mapstart + mapoff, image.h.phoff() + table) >= 0) {
                if (!s.readable()) {
                    problem(Part.PROGRAM_HEADERS, "PT_LOAD " + s.index() + " maps the program headers, which the loader "
                            + "reads again from memory, without read permission");
                }
                return;
            }
        }
    }

    /**
     * A note segment aligned to the word size, which glibc walks in memory looking for the GNU property
     * note, trusting the property note's size to stay inside the segment.
     */
    private void notes(Segment s, String what) {
        if (s.align() != word) {
            return; // the loader skips notes of any other alignment
        }
        ByteBuffer notes;
        try {
            notes = image.readAt(s.vaddr(), s.memsz());
        } catch (IOException e) {
            notes = null;
        }
        if (notes == null || (s.memsz() > 0 && !readable(s.vaddr(), s.memsz()))) {
            problem(Part.PROGRAM_HEADERS, what + " (" + hex(s.vaddr()) + ", " + Long.toUnsignedString(s.memsz())
                    + " bytes) does not lie inside the readable file contents of a loadable segment");
            return;
        }
        long at = 0;
        while (at + 12 < notes.limit()) {
            long namesz = Integer.toUnsignedLong(notes.getInt((int) at));
            long descsz = Integer.toUnsignedLong(notes.getInt((int) at + 4));
            int type = notes.getInt((int) at + 8);
            boolean gnuProperty = namesz == 4 && type == 5 && at + 16 <= notes.limit()
                    && notes.getInt((int) at + 12) == 0x00554e47; // "GNU\0"
            if (gnuProperty && descsz > notes.limit() - at - 16) {
                problem(Part.PROGRAM_HEADERS, what + " holds a GNU property note of " + descsz + " bytes that runs past "
                        + "the segment (" + notes.limit() + " bytes): the loader would read on past it");
                return;
            }
            at += align(align(12 + namesz, word) + descsz, word);
        }
    }

    private static long align(long v, long to) {
        return (v + to - 1) & -to;
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
    private String string(Part part, long offset, String what) {
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
            if (strtab.get(i) == 0) {
                byte[] bytes = new byte[i - start];
                strtab.get(start, bytes);
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        problem(part, what + ": the string at offset " + offset + " has no terminating NUL inside the string table");
        return null;
    }

    /** {@return whether the loader may read [address, address + size): its segment is mapped readable} */
    boolean readable(long address, long size) {
        Segment load = image.loadHolding(address, size);
        return load != null && load.readable();
    }

    /** Reads a table the loader reads from memory; null with a problem when it is not inside the file. */
    private ByteBuffer table(Part part, long address, long size, String what) throws IOException {
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

    // ---- hash tables and symbol count -------------------------------------------------------------------

    private void hashTables() throws IOException {
        if (image.has(DT_GNU_HASH)) {
            gnuHash(image.value(DT_GNU_HASH));
        } else if (image.has(DT_HASH)) {
            sysvHash(image.value(DT_HASH));
        } else if (image.has(DT_SYMTAB)) {
            problem(Part.HASH_TABLES, "there is a symbol table but neither DT_GNU_HASH nor DT_HASH to look symbols up");
        }
    }

    private void gnuHash(long address) throws IOException {
        ByteBuffer head = table(Part.HASH_TABLES, address, 16, "DT_GNU_HASH's header");
        if (head == null) {
            return;
        }
        long nbuckets = Integer.toUnsignedLong(head.getInt(0));
        long symoffset = Integer.toUnsignedLong(head.getInt(4));
        long bloomWords = Integer.toUnsignedLong(head.getInt(8));
        if (nbuckets == 0) {
            problem(Part.HASH_TABLES, "DT_GNU_HASH has no buckets: every lookup would divide by zero");
            return;
        }
        if (bloomWords == 0 || Long.bitCount(bloomWords) != 1) {
            problem(Part.HASH_TABLES, "DT_GNU_HASH's Bloom filter has " + bloomWords
                    + " words, not a power of two: the loader stops the process on this");
            return;
        }
        long bucketsAt = address + 16 + bloomWords * word;
        ByteBuffer fixed = table(Part.HASH_TABLES, address, 16 + bloomWords * word + nbuckets * 4,
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
                problem(Part.HASH_TABLES, "DT_GNU_HASH bucket " + b + " starts at symbol " + start
                        + ", below the first hashed symbol " + symoffset);
                return;
            }
            long i = start;
            while (true) {
                if (i >= limit) {
                    problem(Part.HASH_TABLES, "DT_GNU_HASH chain of bucket " + b + " runs past the end of its table "
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
        ByteBuffer head = table(Part.HASH_TABLES, address, 8, "DT_HASH's header");
        if (head == null) {
            return;
        }
        long nbucket = Integer.toUnsignedLong(head.getInt(0));
        long nchain = Integer.toUnsignedLong(head.getInt(4));
        if (nbucket == 0) {
            problem(Part.HASH_TABLES, "DT_HASH has no buckets: every lookup would divide by zero");
            return;
        }
        ByteBuffer t = table(Part.HASH_TABLES, address, 8 + (nbucket + nchain) * 4,
                "DT_HASH's " + nbucket + " buckets and " + nchain + " chains");
        if (t == null) {
            return;
        }
        boolean[] seen = new boolean[(int) nchain];
        for (int b = 0; b < nbucket; b++) {
            long i = Integer.toUnsignedLong(t.getInt(8 + b * 4));
            while (i != 0) {
                if (i >= nchain) {
                    problem(Part.HASH_TABLES, "DT_HASH bucket " + b + " leads to symbol " + i + ", past its " + nchain
                            + " chains");
                    return;
                }
                if (seen[(int) i]) {
                    problem(Part.HASH_TABLES, "DT_HASH chains meet or loop at symbol " + i
                            + ": a lookup could go round forever");
                    return;
                }
                seen[(int) i] = true;
                i = Integer.toUnsignedLong(t.getInt((int) (8 + (nbucket + i) * 4)));
            }
        }
        symbolCount = nchain;
    }

    // ---- symbols ------------------------------------------------------------------------------------

    private void symbols() throws IOException {
        Long address = image.value(DT_SYMTAB);
        if (address == null) {
            return;
        }
        if (symbolCount < 0) {
            return; // no usable hash table: reported there
        }
        int entry = w64 ? 24 : 16;
        symtab = table(Part.SYMBOLS, address, symbolCount * entry, "the symbol table (" + symbolCount + " symbols)");
        if (symtab == null) {
            return;
        }
        Segment tls = segment(ElfImage.PT_TLS);
        for (int i = 1; i < symbolCount; i++) {
            Symbol s = symbol(i);
            String name = string(Part.SYMBOLS, s.name, "symbol " + i);
            if (name == null) {
                return; // one broken name says enough about the table
            }
            if (s.shndx == 0) {
                if ((s.bind != 1 && s.bind != 2) || (symtab.get(symbolOther(i)) & 3) != 0) {
                    problem(Part.SYMBOLS, "imported symbol " + name + " is not global or weak with default visibility: "
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
                    if (!isFunction(s.value)) {
                        problem(Part.SYMBOLS, "function " + name + " at " + hex(s.value) + " is not the start of a "
                                + "function the file holds: a call to it would run data, zeros or the middle of code");
                        return;
                    }
                }
                case 1 -> {
                    if (image.loadHolding(s.value, 0) == null) {
                        problem(Part.SYMBOLS, "variable " + name + " at " + hex(s.value) + " lies outside the loaded segments");
                        return;
                    }
                }
                case 6 -> {
                    if (tls == null) {
                        problem(Part.SYMBOLS, "thread-local variable " + name + ", but there is no PT_TLS");
                        return;
                    }
                    if (!inside(s.value, 0, 0, tls.memsz())) {
                        problem(Part.SYMBOLS, "thread-local variable " + name + " at offset " + hex(s.value)
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

    private Segment segment(int type) {
        for (Segment s : image.segments) {
            if (s.type() == type) {
                return s;
            }
        }
        return null;
    }

    // ---- versions -----------------------------------------------------------------------------------

    private void versions() throws IOException {
        if (image.has(DT_VERNEED)) {
            verneed(image.value(DT_VERNEED));
        }
        if (image.has(DT_VERDEF)) {
            verdef(image.value(DT_VERDEF));
        }
        if (image.has(DT_VERSYM) && (image.has(DT_VERNEED) || image.has(DT_VERDEF)) && highestVersion == 0) {
            problem(Part.VERSIONS, "DT_VERSYM, but no version table gives any version an index: the loader would "
                    + "index a version table it never made");
            return;
        }
        if (image.has(DT_VERSYM) && symbolCount >= 0 && symtab != null) {
            versym = table(Part.VERSIONS, image.value(DT_VERSYM), symbolCount * 2,
                    "DT_VERSYM (" + symbolCount + " entries)");
            if (versym == null) {
                return;
            }
            for (int i = 0; i < symbolCount; i++) {
                int index = Short.toUnsignedInt(versym.getShort(i * 2)) & 0x7fff;
                if (index > 1 && !versionIndices.contains(index)) {
                    problem(Part.VERSIONS, "symbol " + i + " has version index " + index + ", which neither DT_VERNEED "
                            + "nor DT_VERDEF defines (the highest is " + highestVersion + ")");
                    return;
                }
            }
        }
    }

    private void verneed(long address) throws IOException {
        Segment load = image.loadHolding(address, 16);
        if (load == null) {
            problem(Part.VERSIONS, "DT_VERNEED (" + hex(address) + ") does not lie inside a loadable segment");
            return;
        }
        long end = load.vaddr() + Math.min(load.filesz(), load.memsz());
        ByteBuffer all = image.readAt(address, end - address);
        if (all == null) {
            problem(Part.VERSIONS, "DT_VERNEED (" + hex(address) + ") does not lie inside the file contents of a "
                    + "loadable segment");
            return;
        }
        long expected = image.has(DT_VERNEEDNUM) ? image.value(DT_VERNEEDNUM) : -1;
        long at = 0;
        int entries = 0;
        while (true) {
            if (at + 16 > all.limit()) {
                problem(Part.VERSIONS, "a DT_VERNEED entry at " + hex(address + at) + " runs past its segment");
                return;
            }
            entries++;
            int version = Short.toUnsignedInt(all.getShort((int) at));
            long file = Integer.toUnsignedLong(all.getInt((int) at + 4));
            long aux = Integer.toUnsignedLong(all.getInt((int) at + 8));
            long next = Integer.toUnsignedLong(all.getInt((int) at + 12));
            if (version != 1) {
                problem(Part.VERSIONS, "a DT_VERNEED entry has version " + version + ", not 1");
                return;
            }
            String fileName = string(Part.VERSIONS, file, "DT_VERNEED's file name");
            if (fileName == null) {
                return;
            }
            if (!needed.contains(fileName)) {
                problem(Part.VERSIONS, "DT_VERNEED asks versions of " + fileName + ", which is not a DT_NEEDED library: "
                        + "the loader stops the process on this");
                return;
            }
            long a = at + aux;
            while (true) {
                if (aux == 0 || a + 16 > all.limit() || a < 0) {
                    problem(Part.VERSIONS, "a version that " + fileName + " must provide lies outside its table");
                    return;
                }
                long hash = Integer.toUnsignedLong(all.getInt((int) a));
                int other = Short.toUnsignedInt(all.getShort((int) a + 6));
                long name = Integer.toUnsignedLong(all.getInt((int) a + 8));
                long auxNext = Integer.toUnsignedLong(all.getInt((int) a + 12));
                String versionName = string(Part.VERSIONS, name, "a version needed from " + fileName);
                if (versionName == null) {
                    return;
                }
                if (versionName.isEmpty()) {
                    problem(Part.VERSIONS, "a version needed from " + fileName + " has an empty name");
                    return;
                }
                if (hash != elfHash(versionName)) {
                    problem(Part.VERSIONS, "version " + versionName + " of " + fileName + " has hash " + hex(hash)
                            + ", not " + hex(elfHash(versionName)));
                    return;
                }
                addVersion(other & 0x7fff);
                if (auxNext == 0) {
                    break;
                }
                a += auxNext;
            }
            if (next == 0) {
                break;
            }
            at += next;
        }
        if (expected >= 0 && entries != expected) {
            problem(Part.VERSIONS, "DT_VERNEEDNUM says " + expected + " entries, but the chain has " + entries);
        }
    }

    private void verdef(long address) throws IOException {
        Segment load = image.loadHolding(address, 20);
        if (load == null) {
            problem(Part.VERSIONS, "DT_VERDEF (" + hex(address) + ") does not lie inside a loadable segment");
            return;
        }
        long end = load.vaddr() + Math.min(load.filesz(), load.memsz());
        ByteBuffer all = image.readAt(address, end - address);
        if (all == null) {
            problem(Part.VERSIONS, "DT_VERDEF (" + hex(address) + ") does not lie inside the file contents of a "
                    + "loadable segment");
            return;
        }
        long expected = image.has(DT_VERDEFNUM) ? image.value(DT_VERDEFNUM) : -1;
        long at = 0;
        int entries = 0;
        while (true) {
            if (at + 20 > all.limit()) {
                problem(Part.VERSIONS, "a DT_VERDEF entry at " + hex(address + at) + " runs past its segment");
                return;
            }
            entries++;
            int version = Short.toUnsignedInt(all.getShort((int) at));
            int index = Short.toUnsignedInt(all.getShort((int) at + 4));
            long hash = Integer.toUnsignedLong(all.getInt((int) at + 8));
            long aux = Integer.toUnsignedLong(all.getInt((int) at + 12));
            long next = Integer.toUnsignedLong(all.getInt((int) at + 16));
            if (version != 1) {
                problem(Part.VERSIONS, "a DT_VERDEF entry has version " + version + ", not 1");
                return;
            }
            long a = at + aux;
            if (aux == 0 || a + 8 > all.limit()) {
                problem(Part.VERSIONS, "the name of version definition " + index + " lies outside its table");
                return;
            }
            String name = string(Part.VERSIONS, Integer.toUnsignedLong(all.getInt((int) a)), "version definition " + index);
            if (name == null) {
                return;
            }
            if (name.isEmpty()) {
                problem(Part.VERSIONS, "version definition " + index + " has an empty name");
                return;
            }
            if (hash != elfHash(name)) {
                problem(Part.VERSIONS, "version definition " + name + " has hash " + hex(hash) + ", not "
                        + hex(elfHash(name)));
                return;
            }
            addVersion(index & 0x7fff);
            if (next == 0) {
                break;
            }
            at += next;
        }
        if (expected >= 0 && entries != expected) {
            problem(Part.VERSIONS, "DT_VERDEFNUM says " + expected + " entries, but the chain has " + entries);
        }
    }

    private void addVersion(int index) {
        versionIndices.add(index);
        highestVersion = Math.max(highestVersion, index);
    }

    /** The System V ELF hash of a name, which version entries carry. */
    static long elfHash(String name) {
        long h = 0;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h << 4) + (b & 0xff);
            long g = h & 0xf0000000L;
            if (g != 0) {
                h ^= g >>> 24;
            }
            h &= ~g;
        }
        return h & 0xffffffffL;
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
        if (image.has(DT_RELA) && image.has(DT_RELASZ)) {
            long count = image.has(DT_RELACOUNT) ? image.value(DT_RELACOUNT) : 0;
            r.table(image.value(DT_RELA), image.value(DT_RELASZ), true, false, count);
        }
        if (image.has(DT_REL) && image.has(DT_RELSZ)) {
            long count = image.has(DT_RELCOUNT) ? image.value(DT_RELCOUNT) : 0;
            r.table(image.value(DT_REL), image.value(DT_RELSZ), false, false, count);
        }
        if (image.has(DT_JMPREL) && image.has(DT_PLTRELSZ)) {
            boolean rela = !image.has(DT_PLTREL) || image.value(DT_PLTREL) == DT_RELA;
            r.table(image.value(DT_JMPREL), image.value(DT_PLTRELSZ), rela, true, 0);
        }
        if (image.has(DT_RELR) && image.has(DT_RELRSZ)) {
            r.relr(image.value(DT_RELR), image.value(DT_RELRSZ));
        }
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
        return symbolCount;
    }

    boolean hasSymbols() {
        return symtab != null;
    }

    boolean hasTls() {
        return segment(ElfImage.PT_TLS) != null;
    }

    String symbolName(long index) {
        return string(Part.SYMBOLS, symbol(index).name, "symbol " + index);
    }

    // ---- initializers --------------------------------------------------------------------------------

    private void initializers() throws IOException {
        for (long tag : new long[] {DT_INIT, DT_FINI}) {
            if (image.has(tag)) {
                function(image.value(tag), tagName(tag));
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
                    Symbol s = symbol(e.symbol());
                    if (s.shndx == 0) {
                        continue; // a function of another library: checked when that one loads
                    }
                    target = s.value + e.addend();
                }
                function(target, what + "[" + i + "]");
            }
        }
    }

    /** A function the loader calls: it must be code of this library. */
    private void function(long address, String what) {
        if (!image.isCode(address)) {
            problem(Part.INITIALIZERS, what + " (" + hex(address) + ") lies outside the code the file holds: the loader "
                    + "would call data or zeros");
        } else if (bounds.insideFunction(address) || !bounds.plausibleOutsideEntries(address)) {
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
