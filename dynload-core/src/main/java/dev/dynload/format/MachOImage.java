package dev.dynload.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.dynload.format.MachO.*;

/**
 * One thin Mach-O image's symbols: the exports dyld's lookups find (the export trie, else the symbol
 * table's external definitions), the imports with the library each is bound to, and the checks of the
 * tables in {@code __LINKEDIT} that dyld trusts.
 */
final class MachOImage {

    private static final int N_STAB = 0xe0;
    private static final int N_PEXT = 0x10;
    private static final int N_TYPE = 0x0e;
    private static final int N_EXT = 0x01;
    private static final int N_UNDF = 0x0;
    private static final int N_ABS = 0x2;
    private static final int N_SECT = 0xe;
    private static final int N_INDR = 0xa;

    private static final int EXPORT_KIND_MASK = 0x03;
    private static final int EXPORT_THREAD_LOCAL = 0x01;
    private static final int EXPORT_ABSOLUTE = 0x02;
    private static final int EXPORT_REEXPORT = 0x08;
    private static final int EXPORT_STUB_AND_RESOLVER = 0x10;

    /** Nodes of an export trie walked at most: far more than any real library's. */
    private static final int MAX_TRIE_NODES = 4_000_000;

    private MachOImage() {
    }

    /** A symbol table entry. */
    record Nlist(String name, int type, int sect, int desc, long value) {
    }

    /** An export, with the address dyld gives for it (relative to the header), or -1 when it has none. */
    record Export(String name, int flags, long address, String reexportedFrom) {
    }

    /** Reads the symbol table's entries; empty without one. */
    static List<Nlist> symbols(MachO.Parsed p) throws IOException {
        if (p.symtab == null || p.symtab[1] == 0) {
            return List.of();
        }
        int entry = p.w64 ? 16 : 12;
        ByteBuffer table = p.in.readTable(p.symtab[0], p.symtab[1], entry, "symbol table (LC_SYMTAB)");
        ByteBuffer strings = p.in.read(p.symtab[2], p.symtab[3], "string table (LC_SYMTAB)");
        List<Nlist> list = new ArrayList<>();
        for (int at = 0; at + entry <= table.limit(); at += entry) {
            long strx = Integer.toUnsignedLong(table.getInt(at));
            int type = table.get(at + 4) & 0xff;
            int sect = table.get(at + 5) & 0xff;
            int desc = table.getShort(at + 6) & 0xffff;
            long value = p.w64 ? table.getLong(at + 8) : Integer.toUnsignedLong(table.getInt(at + 8));
            String name = strx == 0 ? "" : p.in.string(strings, strx, "symbol " + list.size() + "'s name");
            list.add(new Nlist(name, type, sect, desc, value));
        }
        return list;
    }

    /** Walks the export trie, bounded and loop-free; every name it leads to, with its terminal. */
    static List<Export> exportTrie(MachO.Parsed p) throws IOException {
        if (p.exportTrie == null) {
            return List.of();
        }
        ByteBuffer trie = p.in.read(p.exportTrie[0], p.exportTrie[1], "export trie");
        int end = trie.limit();
        List<Export> exports = new ArrayList<>();
        // A node is marked when it is first reached, so that each is walked once and the stack holds each
        // at most once: a trie whose edges lead back, or to one node from many, is refused at once.
        java.util.BitSet reached = new java.util.BitSet(end);
        reached.set(0);
        List<Object[]> stack = new ArrayList<>();
        stack.add(new Object[] {0, ""});
        while (!stack.isEmpty()) {
            Object[] top = stack.remove(stack.size() - 1);
            int node = (Integer) top[0];
            String prefix = (String) top[1];
            int[] at = {node};
            long terminal = Input.uleb(trie, at, end);
            if (terminal < 0 || terminal > end - at[0]) {
                throw p.in.error("export trie: node " + Input.hex(node) + "'s export information ("
                        + terminal + " bytes) runs past the trie's end");
            }
            int children = at[0] + (int) terminal;
            if (terminal > 0) {
                exports.add(terminal(p, trie, at, children, prefix, node));
            }
            at[0] = children;
            if (at[0] >= end) {
                throw p.in.error("export trie: node " + Input.hex(node) + " has no child count before the trie ends");
            }
            int count = trie.get(at[0]++) & 0xff;
            for (int i = 0; i < count; i++) {
                int start = at[0];
                while (at[0] < end && trie.get(at[0]) != 0) {
                    at[0]++;
                }
                if (at[0] >= end) {
                    throw p.in.error("export trie: an edge of node " + Input.hex(node) + " has no terminating NUL");
                }
                if (at[0] == start) {
                    throw p.in.error("export trie: an edge of node " + Input.hex(node) + " has an empty label");
                }
                byte[] edge = new byte[at[0] - start];
                trie.get(start, edge);
                at[0]++;
                long child = Input.uleb(trie, at, end);
                if (child <= 0 || child >= end) {
                    throw p.in.error("export trie: an edge of node " + Input.hex(node) + " leads to "
                            + Input.hex(child) + ", outside the trie (" + end + " bytes)");
                }
                if (reached.get((int) child)) {
                    throw p.in.error("export trie: node " + Input.hex(child) + " is reached twice; the trie loops "
                            + "or joins");
                }
                reached.set((int) child);
                String name = prefix + new String(edge, java.nio.charset.StandardCharsets.UTF_8);
                p.in.spend(name.length() + 64L, "export trie");
                stack.add(new Object[] {(int) child, name});
            }
        }
        return exports;
    }

    private static Export terminal(MachO.Parsed p, ByteBuffer trie, int[] at, int limit, String name, int node)
            throws FormatException {
        long flags = Input.uleb(trie, at, limit);
        if (flags < 0) {
            throw p.in.error("export trie: " + name + " at node " + Input.hex(node) + " has no flags");
        }
        if ((flags & EXPORT_REEXPORT) != 0) {
            long ordinal = Input.uleb(trie, at, limit);
            int start = at[0];
            while (at[0] < limit && trie.get(at[0]) != 0) {
                at[0]++;
            }
            if (ordinal < 0 || at[0] >= limit) {
                throw p.in.error("export trie: the re-export " + name + " is cut short");
            }
            String from = ordinal >= 1 && ordinal <= p.dylibs.size() ? p.dylibs.get((int) ordinal - 1).name() : null;
            if (from == null) {
                p.problem("export trie", name + " is re-exported from library " + ordinal + ", and the image "
                        + "loads " + p.dylibs.size());
            }
            return new Export(name, (int) flags, -1, from);
        }
        long address = Input.uleb(trie, at, limit);
        if (address < 0) {
            throw p.in.error("export trie: " + name + " has no address");
        }
        if ((flags & EXPORT_STUB_AND_RESOLVER) != 0 && Input.uleb(trie, at, limit) < 0) {
            throw p.in.error("export trie: " + name + "'s resolver is cut short");
        }
        return new Export(name, (int) flags, address, null);
    }

    /** The exports dyld finds: the trie's, else the symbol table's external definitions. */
    static List<NativeSymbol> exports(MachO.Parsed p, List<Nlist> symbols, List<Export> trie) {
        List<NativeSymbol> list = new ArrayList<>();
        long base = p.base();
        if (p.exportTrie != null) {
            for (Export e : trie) {
                NativeSymbol.Kind kind;
                if (e.reexportedFrom != null || e.address < 0) {
                    kind = NativeSymbol.Kind.UNTYPED;
                } else if ((e.flags & EXPORT_KIND_MASK) == EXPORT_THREAD_LOCAL) {
                    kind = NativeSymbol.Kind.THREAD_LOCAL;
                } else if ((e.flags & EXPORT_KIND_MASK) == EXPORT_ABSOLUTE) {
                    kind = NativeSymbol.Kind.UNTYPED;
                } else {
                    kind = kindAt(p, base + e.address);
                }
                list.add(new NativeSymbol(cName(e.name), kind, e.reexportedFrom));
            }
            return list;
        }
        for (Nlist s : symbols) {
            if ((s.type & N_STAB) == 0 && (s.type & N_EXT) != 0 && (s.type & N_PEXT) == 0) {
                int type = s.type & N_TYPE;
                if (type == N_SECT) {
                    list.add(new NativeSymbol(cName(s.name), kindAt(p, s.value), null));
                } else if (type == N_ABS || type == N_INDR) {
                    list.add(new NativeSymbol(cName(s.name), NativeSymbol.Kind.UNTYPED, null));
                }
            }
        }
        return list;
    }

    /** The undefined external symbols, each with the library two-level binding names for it. */
    static List<NativeSymbol> imports(MachO.Parsed p, List<Nlist> symbols) {
        List<NativeSymbol> list = new ArrayList<>();
        for (Nlist s : symbols) {
            if ((s.type & N_STAB) == 0 && (s.type & N_EXT) != 0 && (s.type & N_TYPE) == N_UNDF && s.value == 0) {
                String from = null;
                if ((p.flags & MH_TWOLEVEL) != 0) {
                    int ordinal = (s.desc >> 8) & 0xff;
                    if (ordinal >= 1 && ordinal <= p.dylibs.size()) {
                        from = p.dylibs.get(ordinal - 1).name();
                    }
                }
                list.add(new NativeSymbol(cName(s.name), NativeSymbol.Kind.UNTYPED, from));
            }
        }
        return list;
    }

    private static NativeSymbol.Kind kindAt(MachO.Parsed p, long address) {
        MachO.Section s = p.sectionAt(address);
        if (s == null) {
            return NativeSymbol.Kind.UNTYPED;
        }
        if (s.threadLocal()) {
            return NativeSymbol.Kind.THREAD_LOCAL;
        }
        return s.code() ? NativeSymbol.Kind.FUNCTION : NativeSymbol.Kind.DATA;
    }

    /** C's name for a Mach-O symbol: without the leading underscore the C compiler adds. */
    static String cName(String symbol) {
        return symbol.startsWith("_") ? symbol.substring(1) : symbol;
    }

    /** Checks the tables in {@code __LINKEDIT} and the symbols against the image, adding to its problems. */
    static void verify(MachO.Parsed p, List<Nlist> symbols, List<Export> trie) {
        MachO.Segment linkedit = p.segment("__LINKEDIT");
        if (p.filetype != MH_OBJECT) {
            if (linkedit == null && !p.linkedit.isEmpty()) {
                p.problem("segments", "no __LINKEDIT segment, where the symbol and loader tables must lie");
            }
            boolean headerMapped = false;
            for (MachO.Segment s : p.segments) {
                if (s.fileoff() == 0 && Long.compareUnsigned(s.filesize(), p.headerSize + p.sizeofcmds) >= 0) {
                    headerMapped = true;
                }
            }
            if (!headerMapped) {
                p.problem("segments", "no segment maps the header and load commands (file offset 0, "
                        + (p.headerSize + p.sizeofcmds) + " bytes)");
            }
        }
        for (MachO.LinkeditRange r : p.linkedit) {
            if (r.size() == 0) {
                continue;
            }
            if (!p.in.contains(r.offset(), r.size())) {
                p.problem("linkedit", r.what() + " lies at " + Input.hex(r.offset()) + " for " + r.size()
                        + " bytes, past the end of the file (" + p.in.size() + " bytes)");
            } else if (linkedit != null && p.filetype != MH_OBJECT && (r.offset() < linkedit.fileoff()
                    || r.offset() + r.size() > linkedit.fileoff() + linkedit.filesize())) {
                p.problem("linkedit", r.what() + " lies at " + Input.hex(r.offset()) + " for " + r.size()
                        + " bytes, outside __LINKEDIT (" + Input.hex(linkedit.fileoff()) + ", "
                        + linkedit.filesize() + " bytes)");
            }
        }
        if (p.dysymtab != null && p.symtab != null) {
            long nsyms = p.symtab[1];
            String[] groups = {"local", "external defined", "undefined"};
            for (int g = 0; g < 3; g++) {
                long first = p.dysymtab[2 * g];
                long count = p.dysymtab[2 * g + 1];
                if (first + count > nsyms) {
                    p.problem("symbol table", "LC_DYSYMTAB's " + groups[g] + " symbols (" + first + " to "
                            + (first + count) + ") run past the " + nsyms + " symbols");
                }
            }
        }
        for (int i = 0; i < symbols.size(); i++) {
            Nlist s = symbols.get(i);
            if ((s.type & N_STAB) != 0 || (s.type & N_TYPE) != N_SECT) {
                continue;
            }
            if (s.sect == 0 || s.sect > p.sections.size()) {
                p.problem("symbol table", "symbol " + i + " (" + s.name + ") is in section " + s.sect + ", and the "
                        + "image has " + p.sections.size());
                continue;
            }
            MachO.Section sect = p.sections.get(s.sect - 1);
            if (s.name.startsWith("__mh_") && s.name.endsWith("_header")) {
                continue; // the linker's symbol for the Mach-O header, below its first section by design
            }
            if (Long.compareUnsigned(s.value - sect.addr(), sect.size()) > 0) {
                p.problem("symbol table", "symbol " + i + " (" + s.name + ") at " + Input.hex(s.value)
                        + " lies outside its section " + sect.segment() + "," + sect.name());
            }
        }
        long base = p.base();
        for (Export e : trie) {
            if (e.address < 0 || (e.flags & EXPORT_KIND_MASK) == EXPORT_ABSOLUTE) {
                continue;
            }
            if (p.segmentAt(base + e.address) == null) {
                p.problem("export trie", e.name + " at " + Input.hex(e.address) + " lies outside every segment");
            }
        }
    }

    /**
     * Reads an exported data object's bytes. Mach-O symbols carry no size, so the object runs to the next
     * symbol of its section, or to the section's end.
     */
    static Optional<SymbolData> data(MachO.Parsed p, List<Nlist> symbols, List<Export> trie, String symbol, int limit)
            throws IOException {
        String wanted = "_" + symbol;
        long address = -1;
        if (p.exportTrie != null) {
            for (Export e : trie) {
                if (e.name.equals(wanted) && e.address >= 0 && (e.flags & EXPORT_KIND_MASK) == 0) {
                    address = p.base() + e.address;
                }
            }
        } else {
            for (Nlist s : symbols) {
                if (s.name.equals(wanted) && (s.type & N_STAB) == 0 && (s.type & N_EXT) != 0
                        && (s.type & N_TYPE) == N_SECT) {
                    address = s.value;
                }
            }
        }
        if (address == -1) {
            return Optional.empty();
        }
        MachO.Section section = p.sectionAt(address);
        if (section == null || section.code() || section.zeroFill()) {
            return Optional.empty();
        }
        long end = section.addr() + section.size();
        for (Nlist s : symbols) {
            if ((s.type & N_STAB) == 0 && (s.type & N_TYPE) == N_SECT && Long.compareUnsigned(s.value, address) > 0
                    && Long.compareUnsigned(s.value, end) < 0) {
                end = s.value;
            }
        }
        long size = end - address;
        long offset = section.offset() + (address - section.addr());
        ByteBuffer bytes = p.in.read(offset, Math.min(size, limit), "data object " + symbol);
        return Optional.of(new SymbolData(symbol, size, bytes.asReadOnlyBuffer().order(p.in.order())));
    }
}
