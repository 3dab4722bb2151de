package dev.dynload.elf;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ELF file as the system loader sees it: the header's fixed fields, the program headers, and the
 * dynamic section found through them. The loader maps the loadable segments and then reads everything
 * else from memory by virtual address; this reads the same bytes from the file, through the segments,
 * so that what is checked is what the loader will read. Section headers are not part of this view: the
 * loader never reads them.
 */
final class ElfImage {

    static final int PT_LOAD = 1;
    static final int PT_DYNAMIC = 2;
    static final int PT_INTERP = 3;
    static final int PT_NOTE = 4;
    static final int PT_PHDR = 6;
    static final int PT_TLS = 7;
    static final int PT_GNU_EH_FRAME = 0x6474e550;
    static final int PT_GNU_RELRO = 0x6474e552;
    static final int PT_GNU_PROPERTY = 0x6474e553;
    static final int PF_X = 1;
    static final int PF_W = 2;
    static final int PF_R = 4;

    static final long DT_NULL = 0;

    /** A program header. */
    record Segment(int index, int type, int flags, long offset, long vaddr, long filesz, long memsz, long align) {
        /** {@return whether [address, address + length) lies inside this segment's memory} */
        boolean holds(long address, long length) {
            return inside(address, length, vaddr, memsz);
        }

        /** {@return whether [address, address + length) lies inside the part of memory read from the file} */
        boolean holdsFromFile(long address, long length) {
            return inside(address, length, vaddr, Math.min(filesz, memsz));
        }

        boolean executable() {
            return (flags & PF_X) != 0;
        }

        boolean readable() {
            return (flags & PF_R) != 0;
        }

        boolean writable() {
            return (flags & PF_W) != 0;
        }
    }

    /** A dynamic section entry: {@code d_tag} and {@code d_val}. */
    record Dyn(long tag, long value) {
    }

    final Path file;
    final ElfReader in;
    final HeaderFields h;
    final boolean w64;
    final List<Segment> segments;
    final List<Segment> loads;
    /** PT_DYNAMIC, or null. */
    final Segment dynamicSegment;
    /** The dynamic entries before DT_NULL, in order; empty without a readable dynamic section. */
    final List<Dyn> dynamic;
    /** Whether a DT_NULL ends the entries inside the dynamic segment's file contents. */
    final boolean dynamicTerminated;
    /** Why the dynamic section could not be read, or null. */
    final String dynamicProblem;
    /** The value of the last entry of each tag, as glibc keeps it (a later entry replaces an earlier one). */
    private final Map<Long, Long> last = new HashMap<>();
    /** The largest segment kept in memory whole. */
    private static final long CACHE_LIMIT = 16L << 20;
    /** Each loadable segment's contents, once read; see {@link #contents}. */
    private ByteBuffer[] contents;

    private ElfImage(Path file, ElfReader in, HeaderFields h, List<Segment> segments) {
        this.file = file;
        this.in = in;
        this.h = h;
        this.w64 = h.header().wordSize() == 64;
        this.segments = List.copyOf(segments);
        List<Segment> loadable = new ArrayList<>();
        for (Segment s : segments) {
            if (s.type == PT_LOAD) {
                loadable.add(s);
            }
        }
        this.loads = List.copyOf(loadable);
        Segment dyn = null;
        for (Segment s : segments) {
            if (s.type == PT_DYNAMIC) {
                dyn = s; // glibc takes the last PT_DYNAMIC
            }
        }
        this.dynamicSegment = dyn;
        List<Dyn> entries = new ArrayList<>();
        boolean terminated = false;
        String problem = null;
        if (dyn != null) {
            int entry = w64 ? 16 : 8;
            long offset = fileOffset(dyn.vaddr, Math.min(dyn.filesz, dyn.memsz));
            if (offset < 0 || dyn.filesz < entry) {
                problem = "PT_DYNAMIC (address " + hex(dyn.vaddr) + ", " + Long.toUnsignedString(dyn.filesz)
                        + " bytes) does not lie inside the file contents of a loadable segment";
            } else {
                ByteBuffer d = readOrNull(offset, Math.min(dyn.filesz, dyn.memsz));
                if (d == null) {
                    problem = "PT_DYNAMIC cannot be read";
                } else {
                    for (int at = 0; at + entry <= d.limit(); at += entry) {
                        long tag = w64 ? d.getLong(at) : d.getInt(at);
                        if (tag == DT_NULL) {
                            terminated = true;
                            break;
                        }
                        long value = w64 ? d.getLong(at + 8) : Integer.toUnsignedLong(d.getInt(at + 4));
                        entries.add(new Dyn(tag, value));
                        last.put(tag, value);
                    }
                }
            }
        }
        this.dynamic = List.copyOf(entries);
        this.dynamicTerminated = terminated;
        this.dynamicProblem = problem;
    }

    /** Reads the header and the program headers; the caller closes {@code input}. */
    static ElfImage read(Path file, RandomAccessFile input) throws IOException {
        HeaderFields h = HeaderReader.checked(file, HeaderReader.read(file, input));
        ElfReader in = new ElfReader(file, input, input.length(), h.header().byteOrder());
        if (!h.complete()) {
            throw in.error("the ELF header is cut short: the file is only " + in.size() + " bytes");
        }
        return new ElfImage(file, in, h, programHeaders(in, h));
    }

    private static List<Segment> programHeaders(ElfReader in, HeaderFields h) throws IOException {
        if (h.phoff() == 0 || h.phnum() == 0) {
            return List.of();
        }
        boolean w64 = h.header().wordSize() == 64;
        int entry = w64 ? 56 : 32;
        if (h.phentsize() != entry) {
            throw in.error("program header entries are " + h.phentsize() + " bytes, not " + entry);
        }
        ByteBuffer table = in.readTable(h.phoff(), h.phnum(), entry, "program header table");
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < h.phnum(); i++) {
            int at = i * entry;
            int type = table.getInt(at);
            if (w64) {
                segments.add(new Segment(i, type, table.getInt(at + 4), table.getLong(at + 8), table.getLong(at + 16),
                        table.getLong(at + 32), table.getLong(at + 40), table.getLong(at + 48)));
            } else {
                segments.add(new Segment(i, type, table.getInt(at + 24), u32(table, at + 4), u32(table, at + 8),
                        u32(table, at + 16), u32(table, at + 20), u32(table, at + 28)));
            }
        }
        return segments;
    }

    private static long u32(ByteBuffer b, int at) {
        return Integer.toUnsignedLong(b.getInt(at));
    }

    /** A section header: what the linker says is where; the loader never reads these. */
    record Section(int type, long flags, long addr, long offset, long size, long link, long entsize) {
    }

    /** {@return the section headers, or an empty list when there are none or they cannot be read} */
    List<Section> sections() {
        try {
            return readSections();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The section headers, read strictly.
     *
     * @throws ElfFormatException if the table's entry size is wrong or it lies outside the file
     */
    List<Section> readSections() throws IOException {
        if (h.shoff() == 0) {
            return List.of();
        }
        int entry = w64 ? 64 : 40;
        if (h.shentsize() != entry) {
            throw in.error("section header entries are " + h.shentsize() + " bytes, not " + entry);
        }
        long count = h.shnum();
        if (count == 0) {
            ByteBuffer first = in.read(h.shoff(), entry, "section header 0");
            count = w64 ? first.getLong(32) : Integer.toUnsignedLong(first.getInt(20)); // extended numbering
        }
        ByteBuffer t = in.readTable(h.shoff(), count, entry, "section header table");
        List<Section> sections = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = i * entry;
            sections.add(w64
                    ? new Section(t.getInt(at + 4), t.getLong(at + 8), t.getLong(at + 16), t.getLong(at + 24),
                            t.getLong(at + 32), u32(t, at + 40), t.getLong(at + 56))
                    : new Section(t.getInt(at + 4), u32(t, at + 8), u32(t, at + 12), u32(t, at + 16),
                            u32(t, at + 20), u32(t, at + 24), u32(t, at + 36)));
        }
        return sections;
    }

    /** {@return whether the file has a dynamic section to read} */
    boolean hasDynamic() {
        return dynamicSegment != null && dynamicProblem == null;
    }

    /** {@return the value of the last entry with {@code tag}, or null} */
    Long value(long tag) {
        return last.get(tag);
    }

    /** {@return whether an entry with {@code tag} exists} */
    boolean has(long tag) {
        return last.containsKey(tag);
    }

    /** {@return the values of every entry with {@code tag}, in order} */
    List<Long> values(long tag) {
        List<Long> found = new ArrayList<>();
        for (Dyn d : dynamic) {
            if (d.tag == tag) {
                found.add(d.value);
            }
        }
        return found;
    }

    /** {@return the first program header of {@code type}, or null} */
    Segment segment(int type) {
        for (Segment s : segments) {
            if (s.type() == type) {
                return s;
            }
        }
        return null;
    }

    /** {@return the loadable segment whose memory holds [address, address + length), or null} */
    Segment loadHolding(long address, long length) {
        for (Segment s : loads) {
            if (s.holds(address, length)) {
                return s;
            }
        }
        return null;
    }

    /** {@return whether {@code address} is code: inside the file contents of an executable loadable segment} */
    boolean isCode(long address) {
        for (Segment s : loads) {
            if (s.executable() && s.holdsFromFile(address, 1)) {
                return true;
            }
        }
        return false;
    }

    /** {@return the file offset of [address, address + length), read from one segment's file contents; -1 if none} */
    long fileOffset(long address, long length) {
        for (Segment s : loads) {
            if (s.holdsFromFile(address, length)) {
                long offset = s.offset + (address - s.vaddr);
                if (offset >= 0 && offset <= in.size() && length <= in.size() - offset) {
                    return offset;
                }
            }
        }
        return -1;
    }

    /** Reads [address, address + length) as the loader would find it in memory; null if it is not in the file. */
    ByteBuffer readAt(long address, long length) throws IOException {
        for (int i = 0; i < loads.size(); i++) {
            Segment s = loads.get(i);
            if (s.holdsFromFile(address, length)) {
                long offset = s.offset + (address - s.vaddr);
                if (offset < 0 || offset > in.size() || length > in.size() - offset) {
                    return null;
                }
                ByteBuffer whole = contents(i);
                if (whole == null) {
                    return readOrNull(offset, length);
                }
                return whole.slice((int) (address - s.vaddr), (int) length).order(in.order());
            }
        }
        return null;
    }

    /**
     * A loadable segment's file contents, read once: the tables a check walks lie in one or two small
     * segments, read this way with one system call each instead of one per table. Null for a segment too
     * large to keep, or one that cannot be read; those are read a table at a time.
     */
    private ByteBuffer contents(int load) {
        if (contents == null) {
            contents = new ByteBuffer[loads.size()];
        }
        if (contents[load] == null) {
            Segment s = loads.get(load);
            long size = Math.min(s.filesz, s.memsz);
            if (size > CACHE_LIMIT) {
                return null;
            }
            contents[load] = readOrNull(s.offset, size);
        }
        return contents[load];
    }

    private ByteBuffer readOrNull(long offset, long length) {
        try {
            return in.read(offset, length, "table");
        } catch (IOException e) {
            return null;
        }
    }

    /** {@return whether [address, address + length) lies inside [start, start + size), without overflow} */
    static boolean inside(long address, long length, long start, long size) {
        if (length < 0 || size < 0) {
            return false;
        }
        long delta = address - start;
        return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(delta, size) <= 0
                && Long.compareUnsigned(length, size - delta) <= 0;
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
