package dev.dynload.elf;

import dev.dynload.elf.ElfImage.Segment;
import dev.dynload.elf.ElfProblem.Part;

import java.util.List;

import static dev.dynload.elf.DynamicTags.*;
import static dev.dynload.elf.ElfImage.hex;
import static dev.dynload.elf.ElfImage.inside;

/**
 * The loader never reads section headers, but the linker wrote them from the same layout as the
 * program headers and the dynamic section: where they are present, each loaded section must be where
 * the segments map it, and each table the dynamic section names must be the section the linker made
 * for it. A disagreement means one of them is damaged; a file without section headers is not judged.
 */
final class SectionWitness {

    private static final int SHT_RELA = 4;
    private static final int SHT_HASH = 5;
    private static final int SHT_DYNAMIC = 6;
    private static final int SHT_NOBITS = 8;
    private static final int SHT_REL = 9;
    private static final int SHT_DYNSYM = 11;
    private static final int SHT_INIT_ARRAY = 14;
    private static final int SHT_FINI_ARRAY = 15;
    private static final int SHT_GNU_HASH = 0x6ffffff6;
    private static final int SHT_GNU_VERDEF = 0x6ffffffd;
    private static final int SHT_GNU_VERNEED = 0x6ffffffe;
    private static final int SHT_GNU_VERSYM = 0x6fffffff;
    private static final long SHF_ALLOC = 0x2;
    private static final long SHF_TLS = 0x400;

    private final Verification v;
    private final ElfImage image;
    private final boolean w64;

    SectionWitness(Verification v, ElfImage image) {
        this.v = v;
        this.image = image;
        this.w64 = image.w64;
    }

    void check() {
        List<ElfImage.Section> sections = image.sections();
        long relocated = 0;
        for (ElfImage.Section s : sections) {
            if ((s.flags() & SHF_ALLOC) == 0 || s.size() <= 0) {
                continue;
            }
            if (s.type() != SHT_NOBITS && image.fileOffset(s.addr(), s.size()) != s.offset()) {
                v.problem(Part.PROGRAM_HEADERS, "the section at " + hex(s.addr()) + " (file offset " + hex(s.offset())
                        + ") is not where the program headers map it: a segment or the section headers are damaged");
                return;
            }
            if (s.type() == SHT_NOBITS && (s.flags() & SHF_TLS) == 0) {
                // Zero-initialized memory (.bss): the segment's file size ends before it, so the loader fills it
                // with zeros. A file size grown over it fills it with whatever bytes follow in the file instead,
                // and code that trusts its variables start at zero follows garbage.
                boolean mapped = false;
                for (Segment load : image.loads) {
                    long fileEnd = load.vaddr() + Math.min(load.filesz(), load.memsz());
                    if (Long.compareUnsigned(s.addr(), fileEnd) < 0 && load.holds(s.addr(), 0)) {
                        v.problem(Part.PROGRAM_HEADERS, "PT_LOAD " + load.index() + " fills the zero-initialized section at "
                                + hex(s.addr()) + " from the file: its file size (" + Long.toUnsignedString(load.filesz())
                                + ") is damaged");
                        return;
                    }
                    mapped |= load.holds(s.addr(), s.size());
                }
                if (!mapped) {
                    // Its end unmapped: the variables there would fault, past the page the segment ends in.
                    v.problem(Part.PROGRAM_HEADERS, "the zero-initialized section at " + hex(s.addr()) + " ("
                            + s.size() + " bytes) does not lie inside one segment's memory: a memory size is damaged");
                    return;
                }
            }
            String table = switch (s.type()) {
                case SHT_DYNAMIC -> agrees(image.dynamicSegment == null ? null : image.dynamicSegment.vaddr(), s, "PT_DYNAMIC");
                case SHT_DYNSYM -> agrees(image.value(DT_SYMTAB), s, "DT_SYMTAB");
                case SHT_HASH -> agrees(image.value(DT_HASH), s, "DT_HASH");
                case SHT_GNU_HASH -> agrees(image.value(DT_GNU_HASH), s, "DT_GNU_HASH");
                case SHT_GNU_VERSYM -> agrees(image.value(DT_VERSYM), s, "DT_VERSYM");
                case SHT_GNU_VERNEED -> agrees(image.value(DT_VERNEED), s, "DT_VERNEED");
                case SHT_GNU_VERDEF -> agrees(image.value(DT_VERDEF), s, "DT_VERDEF");
                case SHT_INIT_ARRAY -> agrees(image.value(DT_INIT_ARRAY), s, "DT_INIT_ARRAY");
                case SHT_FINI_ARRAY -> agrees(image.value(DT_FINI_ARRAY), s, "DT_FINI_ARRAY");
                case SHT_RELA, SHT_REL -> {
                    relocated += s.size();
                    yield inTable(s, s.type() == SHT_RELA ? DT_RELA : DT_REL, s.type() == SHT_RELA ? DT_RELASZ : DT_RELSZ)
                            || inTable(s, DT_JMPREL, DT_PLTRELSZ) ? null
                            : "the relocation section at " + hex(s.addr()) + " is in no relocation table of the dynamic "
                                    + "section: its relocations would not be applied";
                }
                default -> null;
            };
            if (table != null) {
                v.problem(Part.DYNAMIC, table + " (the section headers and the dynamic section disagree)");
                return;
            }
        }
        long tables = 0;
        for (long[] t : new long[][] {{DT_RELA, DT_RELASZ}, {DT_REL, DT_RELSZ}, {DT_JMPREL, DT_PLTRELSZ}}) {
            if (image.has(t[0]) && image.has(t[1]) && image.value(t[0]) != 0) {
                tables += image.value(t[1]);
            }
        }
        boolean relaCoversPlt = image.has(DT_RELA) && image.has(DT_RELASZ) && image.has(DT_JMPREL) && image.has(DT_PLTRELSZ)
                && image.value(DT_RELA) + image.value(DT_RELASZ) == image.value(DT_JMPREL) + image.value(DT_PLTRELSZ);
        if (relaCoversPlt) {
            tables -= image.value(DT_PLTRELSZ);
        }
        if (relocated > 0 && tables != relocated) {
            v.problem(Part.DYNAMIC, "the relocation tables of the dynamic section hold " + tables + " bytes, but the "
                    + "relocation sections " + relocated + " (the section headers and the dynamic section disagree)");
        }
    }

    private static String agrees(Long address, ElfImage.Section s, String what) {
        if (address == null) {
            return "there is a section for " + what + " at " + hex(s.addr()) + ", but the dynamic section has none";
        }
        if (address != s.addr()) {
            return what + " is " + hex(address) + ", but its section is at " + hex(s.addr());
        }
        return null;
    }

    private boolean inTable(ElfImage.Section s, long tag, long sizeTag) {
        return image.has(tag) && image.has(sizeTag) && inside(s.addr(), s.size(), image.value(tag), image.value(sizeTag));
    }
}
