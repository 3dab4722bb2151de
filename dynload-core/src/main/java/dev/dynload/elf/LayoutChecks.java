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
 * The layout the loader maps: the ELF header's fields, the program headers (segments inside the file,
 * ascending, not overlapping in memory or in the file, readable where the loader reads), the special
 * segments it uses (PT_DYNAMIC, PT_GNU_RELRO, PT_TLS, PT_PHDR, notes), and the section headers as a
 * witness of where the linker put each table.
 */
final class LayoutChecks {

    private static final long PAGE = 4096;
    /** More memory than any library maps; a claim beyond it is damage. */
    private static final long MAX_SPAN = 1L << 40;
    /** More thread-local storage per thread, and a coarser alignment, than any library asks for. */
    private static final long MAX_TLS = 64L << 20;
    private static final long MAX_TLS_ALIGN = 64L << 10;

    private final Verification v;
    private final ElfImage image;
    private final boolean w64;
    private final int word;

    LayoutChecks(Verification v, ElfImage image) {
        this.v = v;
        this.image = image;
        this.w64 = image.w64;
        this.word = w64 ? 8 : 4;
    }


    void header() {
        HeaderFields h = image.h;
        if (h.version() != 1) {
            v.problem(Part.HEADER, "EI_VERSION is " + h.version() + ", not 1");
        }
        if (h.osabi() != 0 && h.osabi() != 3) {
            v.problem(Part.HEADER, "EI_OSABI is " + h.osabi() + ", neither System V (0) nor GNU (3)");
        }
        if (h.abiversion() != 0 && !(h.osabi() == 3 && h.abiversion() <= 4)) {
            v.problem(Part.HEADER, "EI_ABIVERSION is " + h.abiversion() + ", which the loader does not know");
        }
        if (h.header().type() != ElfType.SHARED_OBJECT) {
            v.problem(Part.HEADER, "e_type says " + h.header().type().toString().toLowerCase(java.util.Locale.ROOT)
                    .replace('_', ' ') + ", not shared object");
        }
        if (h.ehsize() != (w64 ? 64 : 52)) {
            v.problem(Part.HEADER, "e_ehsize is " + h.ehsize() + ", not " + (w64 ? 64 : 52));
        }
        if (h.phnum() == 0xffff) {
            v.problem(Part.HEADER, "e_phnum is 0xffff (PN_XNUM), which the loader does not support");
        }
    }

    // ---- program headers -------------------------------------------------------------------------------

    /** {@return false when the segments are too broken to read anything through them} */
    boolean programHeaders() {
        List<Segment> loads = image.loads;
        if (image.segments.isEmpty()) {
            v.problem(Part.PROGRAM_HEADERS, "there are none: the loader has nothing to map");
            return false;
        }
        if (loads.isEmpty()) {
            v.problem(Part.PROGRAM_HEADERS, "there is no PT_LOAD segment: the loader has nothing to map");
            return false;
        }
        boolean usable = true;
        long size = image.in.size();
        for (Segment s : loads) {
            String name = "PT_LOAD " + s.index();
            if (s.offset() < 0 || s.filesz() < 0 || s.offset() > size || s.filesz() > size - s.offset()) {
                v.problem(Part.PROGRAM_HEADERS, name + " (offset " + hex(s.offset()) + ", " + Long.toUnsignedString(s.filesz())
                        + " bytes) runs past the end of the file (" + size + " bytes): the file is truncated or damaged");
                usable = false;
            }
            if (Long.compareUnsigned(s.memsz(), s.filesz()) < 0) {
                v.problem(Part.PROGRAM_HEADERS, name + " takes " + Long.toUnsignedString(s.memsz())
                        + " bytes of memory for " + Long.toUnsignedString(s.filesz()) + " bytes of file");
                usable = false;
            }
            if (s.vaddr() < 0 || s.memsz() < 0 || s.vaddr() + s.memsz() < 0 || s.vaddr() + s.memsz() > MAX_SPAN) {
                v.problem(Part.PROGRAM_HEADERS, name + " claims memory up to " + hex(s.vaddr()) + " + "
                        + Long.toUnsignedString(s.memsz()) + " bytes, beyond any library's reach");
                usable = false;
            }
            if ((s.flags() & (ElfImage.PF_R | ElfImage.PF_W | ElfImage.PF_X)) == 0) {
                // Mapped PROT_NONE: every read of its data or code, by the library or by the loader, faults.
                v.problem(Part.PROGRAM_HEADERS, name + " may be neither read, written nor run (flags " + hex(s.flags())
                        + "): linkers map every loaded segment readable, so its flags are damaged");
            }
            long align = s.align();
            if (align > 1 && Long.bitCount(align) != 1) {
                v.problem(Part.PROGRAM_HEADERS, name + " has alignment " + Long.toUnsignedString(align)
                        + ", not a power of two");
            } else if (align > 1 && Long.remainderUnsigned(s.vaddr() - s.offset(), align) != 0) {
                v.problem(Part.PROGRAM_HEADERS, name + "'s address " + hex(s.vaddr()) + " and offset " + hex(s.offset())
                        + " disagree modulo its alignment " + hex(align));
            } else if (Long.remainderUnsigned(s.vaddr() - s.offset(), PAGE) != 0) {
                v.problem(Part.PROGRAM_HEADERS, name + "'s address " + hex(s.vaddr()) + " and offset " + hex(s.offset())
                        + " disagree modulo the page size");
            }
        }
        Segment previousInFile = null;
        for (Segment s : loads) {
            if (s.filesz() <= 0) {
                continue;
            }
            if (previousInFile != null && Long.compareUnsigned(previousInFile.offset() + previousInFile.filesz(), s.offset()) > 0) {
                v.problem(Part.PROGRAM_HEADERS, "PT_LOAD " + s.index() + " maps file bytes from " + hex(s.offset())
                        + ", which PT_LOAD " + previousInFile.index() + " maps already (up to "
                        + hex(previousInFile.offset() + previousInFile.filesz()) + "): a segment's offset is damaged");
                usable = false;
            }
            previousInFile = s;
        }
        for (int i = 1; i < loads.size(); i++) {
            Segment a = loads.get(i - 1);
            Segment b = loads.get(i);
            if (Long.compareUnsigned(a.vaddr(), b.vaddr()) >= 0) {
                v.problem(Part.PROGRAM_HEADERS, "PT_LOAD " + b.index() + " (" + hex(b.vaddr()) + ") does not follow PT_LOAD "
                        + a.index() + " (" + hex(a.vaddr()) + ") in ascending order of address: the loader would map it "
                        + "outside the memory it reserves for the library");
                usable = false;
            } else if (Long.compareUnsigned(a.vaddr() + a.memsz(), b.vaddr()) > 0) {
                v.problem(Part.PROGRAM_HEADERS, "PT_LOAD " + a.index() + " (" + hex(a.vaddr()) + ", "
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
                        v.problem(Part.PROGRAM_HEADERS, "PT_DYNAMIC (" + hex(s.vaddr()) + ", " + Long.toUnsignedString(s.filesz())
                                + " bytes) does not lie inside the file contents of one loadable segment");
                        usable = false;
                    } else if (s.writable() && !image.loadHolding(s.vaddr(), s.memsz()).writable()) {
                        v.problem(Part.PROGRAM_HEADERS, "PT_DYNAMIC is marked writable inside a read-only PT_LOAD: the loader "
                                + "would write its addresses into read-only memory");
                    } else if (!v.readable(s.vaddr(), s.memsz())) {
                        v.problem(Part.PROGRAM_HEADERS, "PT_DYNAMIC lies in a segment mapped without read permission");
                        usable = false;
                    }
                }
                case ElfImage.PT_GNU_RELRO -> {
                    relros++;
                    Segment load = image.loadHolding(s.vaddr(), s.memsz());
                    if (load == null) {
                        v.problem(Part.PROGRAM_HEADERS, "PT_GNU_RELRO (" + hex(s.vaddr()) + ", " + Long.toUnsignedString(s.memsz())
                                + " bytes) does not lie inside one loadable segment: the loader would make memory outside "
                                + "the library read-only");
                    } else if (!load.writable()) {
                        v.problem(Part.PROGRAM_HEADERS, "PT_GNU_RELRO lies in a read-only PT_LOAD");
                    }
                }
                case ElfImage.PT_TLS -> {
                    tlss++;
                    if (Long.compareUnsigned(s.memsz(), s.filesz()) < 0) {
                        v.problem(Part.PROGRAM_HEADERS, "PT_TLS takes " + Long.toUnsignedString(s.memsz()) + " bytes for an image of "
                                + Long.toUnsignedString(s.filesz()));
                    } else if (Long.compareUnsigned(s.memsz(), MAX_TLS) > 0) {
                        v.problem(Part.PROGRAM_HEADERS, "PT_TLS asks for " + Long.toUnsignedString(s.memsz())
                                + " bytes of thread-local storage per thread");
                    }
                    if (s.align() > 1 && (Long.bitCount(s.align()) != 1 || Long.compareUnsigned(s.align(), MAX_TLS_ALIGN) > 0)) {
                        v.problem(Part.PROGRAM_HEADERS, "PT_TLS has alignment " + Long.toUnsignedString(s.align())
                                + ", not a power of two up to " + MAX_TLS_ALIGN);
                    }
                    if (s.align() < 0) {
                        v.problem(Part.PROGRAM_HEADERS, "PT_TLS has alignment " + Long.toUnsignedString(s.align()));
                    }
                    if (image.fileOffset(s.vaddr(), s.filesz()) < 0 || (s.filesz() > 0 && !v.readable(s.vaddr(), s.filesz()))) {
                        v.problem(Part.PROGRAM_HEADERS, "PT_TLS's initial image (" + hex(s.vaddr()) + ", "
                                + Long.toUnsignedString(s.filesz()) + " bytes) does not lie inside the readable file "
                                + "contents of a loadable segment");
                    }
                }
                case ElfImage.PT_PHDR -> {
                    long table = (long) image.h.phnum() * image.h.phentsize();
                    if (s.offset() != image.h.phoff() || Long.compareUnsigned(s.filesz(), table) < 0
                            || image.fileOffset(s.vaddr(), table) != image.h.phoff() || !v.readable(s.vaddr(), table)) {
                        v.problem(Part.PROGRAM_HEADERS, "PT_PHDR (" + hex(s.vaddr()) + ") does not map the program header "
                                + "table at offset " + hex(image.h.phoff()) + " into readable memory");
                    }
                }
                case ElfImage.PT_INTERP, ElfImage.PT_GNU_EH_FRAME -> {
                    if (image.fileOffset(s.vaddr(), s.filesz()) < 0) {
                        v.problem(Part.PROGRAM_HEADERS, (s.type() == ElfImage.PT_INTERP ? "PT_INTERP" : "PT_GNU_EH_FRAME")
                                + " (" + hex(s.vaddr()) + ", " + Long.toUnsignedString(s.filesz())
                                + " bytes) does not lie inside the file contents of a loadable segment");
                    }
                }
                case ElfImage.PT_GNU_PROPERTY -> notes(s, "PT_GNU_PROPERTY");
                case ElfImage.PT_NOTE -> {
                    if (s.offset() < 0 || s.filesz() < 0 || s.offset() > size || s.filesz() > size - s.offset()) {
                        v.problem(Part.PROGRAM_HEADERS, "PT_NOTE " + s.index() + " runs past the end of the file");
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
            v.problem(Part.PROGRAM_HEADERS, "there is no PT_DYNAMIC: a shared library needs a dynamic section");
            usable = false;
        } else if (dynamics > 1) {
            v.problem(Part.PROGRAM_HEADERS, "there are " + dynamics + " PT_DYNAMIC segments, not one");
        }
        if (relros > 1) {
            v.problem(Part.PROGRAM_HEADERS, "there are " + relros + " PT_GNU_RELRO segments, not one");
        }
        if (tlss > 1) {
            v.problem(Part.PROGRAM_HEADERS, "there are " + tlss + " PT_TLS segments, not one");
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
                    v.problem(Part.PROGRAM_HEADERS, "PT_LOAD " + s.index() + " maps the program headers, which the loader "
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
        if (notes == null || (s.memsz() > 0 && !v.readable(s.vaddr(), s.memsz()))) {
            v.problem(Part.PROGRAM_HEADERS, what + " (" + hex(s.vaddr()) + ", " + Long.toUnsignedString(s.memsz())
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
                v.problem(Part.PROGRAM_HEADERS, what + " holds a GNU property note of " + descsz + " bytes that runs past "
                        + "the segment (" + notes.limit() + " bytes): the loader would read on past it");
                return;
            }
            at += align(align(12 + namesz, word) + descsz, word);
        }
    }

    private static long align(long v, long to) {
        return (v + to - 1) & -to;
    }
}
