package dev.dynload.elf;

import dev.dynload.elf.ElfImage.Segment;
import dev.dynload.elf.ElfProblem.Part;

import static dev.dynload.elf.DynamicTags.*;
import static dev.dynload.elf.ElfImage.hex;

/**
 * The dynamic section's entries on their own: that it ends, that each table comes with its size and
 * entry size, that the loader's choices (DT_PLTREL, the version tables, lazy binding's DT_PLTGOT) have
 * what they need, and that each address lies in a loadable segment.
 */
final class DynamicChecks {

    private static final long DF_1_PIE = 0x08000000L;

    private final Verification verifier;
    private final ElfImage image;
    private final RelocationTypes.Machine machine;
    private final boolean w64;
    private final int word;

    DynamicChecks(Verification verifier, ElfImage image, RelocationTypes.Machine machine) {
        this.verifier = verifier;
        this.image = image;
        this.machine = machine;
        this.w64 = image.w64;
        this.word = w64 ? 8 : 4;
    }

    /** {@return whether the dynamic section can be read on; the problems found go to the verifier} */
    boolean check() {
        if (image.dynamicProblem != null) {
            verifier.problem(Part.DYNAMIC, image.dynamicProblem);
            return false;
        }
        if (!image.dynamicTerminated) {
            verifier.problem(Part.DYNAMIC, "no DT_NULL ends it inside PT_DYNAMIC: the loader would read on past it");
            return false;
        }
        if (!image.has(DT_SYMTAB)) {
            verifier.problem(Part.DYNAMIC, "no DT_SYMTAB: the loader reads the symbol table's address whatever the library "
                    + "holds, and would read through a null pointer");
        }
        for (long[] pair : new long[][] {{DT_STRTAB, DT_STRSZ}, {DT_RELA, DT_RELASZ}, {DT_REL, DT_RELSZ},
                {DT_JMPREL, DT_PLTRELSZ}, {DT_RELR, DT_RELRSZ}, {DT_INIT_ARRAY, DT_INIT_ARRAYSZ},
                {DT_FINI_ARRAY, DT_FINI_ARRAYSZ}, {DT_VERNEED, DT_VERNEEDNUM}, {DT_VERDEF, DT_VERDEFNUM},
                {DT_RELA, DT_RELACOUNT}, {DT_REL, DT_RELCOUNT}}) {
            if (image.has(pair[1]) && !image.has(pair[0])) {
                verifier.problem(Part.DYNAMIC, tagName(pair[1]) + " without " + tagName(pair[0]) + ": the table it measures is "
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
            verifier.problem(Part.DYNAMIC, "DT_SYMENT is " + image.value(DT_SYMENT) + ", not " + (w64 ? 24 : 16));
        }
        if (image.has(DT_PLTREL)) {
            long pltrel = image.value(DT_PLTREL);
            if (pltrel != DT_RELA && pltrel != DT_REL) {
                verifier.problem(Part.DYNAMIC, "DT_PLTREL is " + pltrel + ", neither DT_RELA (7) nor DT_REL (17): the loader "
                        + "stops the process on this");
            } else if (machine.rela() && pltrel != DT_RELA) {
                verifier.problem(Part.DYNAMIC, "DT_PLTREL is DT_REL, but " + image.h.header().machineName() + " uses DT_RELA");
            }
        }
        if (machine.rela() && image.has(DT_REL)) {
            verifier.problem(Part.DYNAMIC, "DT_REL relocations, which the " + image.h.header().machineName()
                    + " loader never applies");
        }
        if (image.has(DT_PLTREL) && (!image.has(DT_JMPREL) || !image.has(DT_PLTRELSZ))) {
            verifier.problem(Part.DYNAMIC, "DT_PLTREL without DT_JMPREL and DT_PLTRELSZ: the loader would read through a null "
                    + "pointer");
        }
        if (image.has(DT_JMPREL) && !image.has(DT_PLTREL)) {
            verifier.problem(Part.DYNAMIC, "DT_JMPREL without DT_PLTREL: the loader would leave the PLT unrelocated");
        }
        if ((image.has(DT_VERNEED) || image.has(DT_VERDEF)) && !image.has(DT_VERSYM)) {
            verifier.problem(Part.DYNAMIC, "version tables without DT_VERSYM: the loader would read through a null pointer");
        }
        if (image.has(DT_VERSYM) && !image.has(DT_VERNEED) && !image.has(DT_VERDEF)) {
            verifier.problem(Part.DYNAMIC, "DT_VERSYM without DT_VERNEED or DT_VERDEF: the loader would index a version table "
                    + "it never made");
        }
        if (image.has(DT_PREINIT_ARRAY)) {
            verifier.problem(Part.DYNAMIC, "DT_PREINIT_ARRAY in a shared library, where only executables may have one");
        }
        if (image.has(DT_FLAGS_1) && (image.value(DT_FLAGS_1) & DF_1_PIE) != 0) {
            verifier.problem(Part.DYNAMIC, "DF_1_PIE: this is a position-independent executable, which the loader refuses to "
                    + "load as a library");
        }
        for (long tag : new long[] {DT_PLTGOT, DT_HASH, DT_STRTAB, DT_SYMTAB, DT_RELA, DT_REL, DT_JMPREL, DT_RELR,
                DT_INIT, DT_FINI, DT_INIT_ARRAY, DT_FINI_ARRAY, DT_GNU_HASH, DT_VERSYM, DT_VERDEF, DT_VERNEED}) {
            if (image.has(tag) && image.loadHolding(image.value(tag), 0) == null) {
                verifier.problem(Part.DYNAMIC, tagName(tag) + " (" + hex(image.value(tag)) + ") points outside every loadable segment");
            }
        }
        if (image.has(DT_JMPREL)) {
            Long got = image.value(DT_PLTGOT);
            Segment load = got == null ? null : image.loadHolding(got, 3L * word);
            if (got == null) {
                verifier.problem(Part.DYNAMIC, "DT_JMPREL without DT_PLTGOT: lazy binding would write through a null pointer");
            } else if (load == null || !load.writable()) {
                verifier.problem(Part.DYNAMIC, "DT_PLTGOT (" + hex(got) + ") is not three words of writable memory: lazy binding "
                        + "writes there");
            }
        }
        return true;
    }

    private void requirePair(long tag, long sizeTag) {
        if (image.has(tag) && !image.has(sizeTag)) {
            verifier.problem(Part.DYNAMIC, tagName(tag) + " without " + tagName(sizeTag));
        }
    }

    private void entrySize(long table, long sizeTag, int expected) {
        if (image.has(table)) {
            Long size = image.value(sizeTag);
            if (size == null || size != expected) {
                verifier.problem(Part.DYNAMIC, tagName(sizeTag) + " is " + (size == null ? "missing" : String.valueOf(size))
                        + ", not " + expected + ": the loader stops the process on this");
            }
        }
    }
}
