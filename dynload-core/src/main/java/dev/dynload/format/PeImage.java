package dev.dynload.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A PE file's export directory (what {@code GetProcAddress} finds), its import and delay-import
 * directories (the DLLs it needs, and what it takes from each), each table checked against the file as
 * it is read.
 */
final class PeImage {

    /** Entries read from one table at most: far more than any real DLL's. */
    private static final int MAX_ENTRIES = 1 << 20;

    private PeImage() {
    }

    /** An export: its name, and the RVA it gives, or the "DLL.Function" it forwards to. */
    record Export(String name, long rva, String forward) {
    }

    /** The export directory: the DLL's own name and its named exports. */
    record Exports(String name, List<Export> list) {
        static final Exports NONE = new Exports(null, List.of());
    }

    static Exports exports(Pe.Parsed p) throws IOException {
        long[] d = p.directory(Pe.DIR_EXPORT);
        if (d[1] == 0) {
            return Exports.NONE;
        }
        ByteBuffer dir = p.readRva(d[0], 40, "export directory");
        if (dir == null) {
            throw p.in.error("the export directory at " + Input.hex(d[0]) + " is not in the file contents of a section");
        }
        String name = p.stringAt(Pe.u32(dir, 12), "export directory's name");
        long functions = Pe.u32(dir, 20);
        long names = Pe.u32(dir, 24);
        if (functions > MAX_ENTRIES || names > functions && names > MAX_ENTRIES) {
            throw p.in.error("the export directory claims " + functions + " functions and " + names + " names");
        }
        ByteBuffer addresses = functions == 0 ? ByteBuffer.allocate(0) : p.readRva(Pe.u32(dir, 28), functions * 4, "export address table");
        ByteBuffer nameTable = names == 0 ? ByteBuffer.allocate(0) : p.readRva(Pe.u32(dir, 32), names * 4, "export name table");
        ByteBuffer ordinals = names == 0 ? ByteBuffer.allocate(0) : p.readRva(Pe.u32(dir, 36), names * 2, "export ordinal table");
        if (addresses == null || nameTable == null || ordinals == null) {
            throw p.in.error("the export directory's tables (" + functions + " functions, " + names
                    + " names) are not in the file contents of a section");
        }
        List<Export> list = new ArrayList<>();
        for (int i = 0; i < names; i++) {
            String export = p.stringAt(Pe.u32(nameTable, 4 * i), "export name");
            if (export == null) {
                throw p.in.error("export name " + i + " at " + Input.hex(Pe.u32(nameTable, 4 * i))
                        + " is not a string inside the file");
            }
            int ordinal = ordinals.getShort(2 * i) & 0xffff;
            if (ordinal >= functions) {
                p.problem("export directory", export + " names function " + ordinal + " of " + functions);
                continue;
            }
            long rva = Pe.u32(addresses, 4 * ordinal);
            String forward = null;
            if (rva >= d[0] && rva < d[0] + d[1]) {
                forward = p.stringAt(rva, "forwarder of " + export);
                if (forward == null) {
                    p.problem("export directory", export + " forwards to a string that is not inside the file");
                    continue;
                }
            }
            list.add(new Export(export, rva, forward));
        }
        return new Exports(name, list);
    }

    /** A DLL the file imports from, with the names it takes; {@code delayed} for delay-loaded ones. */
    record Import(String dll, List<String> names, boolean delayed) {
    }

    static List<Import> imports(Pe.Parsed p) throws IOException {
        List<Import> list = new ArrayList<>();
        // A lookup table read once: descriptors that share one (as a hostile file may make thousands do)
        // share its names instead of reading them again.
        java.util.Map<Long, List<String>> walked = new java.util.HashMap<>();
        long[] d = p.directory(Pe.DIR_IMPORT);
        if (d[1] != 0) {
            for (int i = 0; ; i++) {
                if (i >= MAX_ENTRIES) {
                    throw p.in.error("the import directory has no terminating entry");
                }
                ByteBuffer e = p.readRva(d[0] + 20L * i, 20, "import descriptor " + i);
                if (e == null) {
                    throw p.in.error("import descriptor " + i + " at " + Input.hex(d[0] + 20L * i)
                            + " is not in the file contents of a section");
                }
                long lookup = Pe.u32(e, 0);
                long nameRva = Pe.u32(e, 12);
                long firstThunk = Pe.u32(e, 16);
                if (nameRva == 0 || firstThunk == 0) {
                    break; // where Windows's loader stops
                }
                String dll = p.stringAt(nameRva, "imported DLL's name");
                if (dll == null) {
                    throw p.in.error("import descriptor " + i + " names its DLL at " + Input.hex(nameRva)
                            + ", which is not a string inside the file");
                }
                list.add(new Import(dll, thunks(p, lookup != 0 ? lookup : firstThunk, dll, walked), false));
            }
        }
        long[] delay = p.directory(Pe.DIR_DELAY_IMPORT);
        if (delay[1] != 0) {
            for (int i = 0; ; i++) {
                if (i >= MAX_ENTRIES) {
                    throw p.in.error("the delay import directory has no terminating entry");
                }
                ByteBuffer e = p.readRva(delay[0] + 32L * i, 32, "delay import descriptor " + i);
                if (e == null) {
                    throw p.in.error("delay import descriptor " + i + " is not in the file contents of a section");
                }
                long nameRva = Pe.u32(e, 4);
                long names = Pe.u32(e, 16);
                if (nameRva == 0) {
                    break; // where the delay-load helper stops
                }
                boolean rvas = (Pe.u32(e, 0) & 1) != 0;
                long base = rvas ? 0 : p.imageBase;
                String dll = p.stringAt(nameRva - base, "delay-loaded DLL's name");
                if (dll == null) {
                    throw p.in.error("delay import descriptor " + i + "'s DLL name is not a string inside the file");
                }
                list.add(new Import(dll, names == 0 ? List.of() : thunks(p, names - base, dll, walked), true));
            }
        }
        return list;
    }

    /** The names an import lookup table gives; an import by ordinal is "#N". */
    private static List<String> thunks(Pe.Parsed p, long rva, String dll, java.util.Map<Long, List<String>> walked)
            throws IOException {
        List<String> known = walked.get(rva);
        if (known != null) {
            return known;
        }
        List<String> names = thunks(p, rva, dll);
        walked.put(rva, names);
        return names;
    }

    private static List<String> thunks(Pe.Parsed p, long rva, String dll) throws IOException {
        int width = p.plus ? 8 : 4;
        List<String> names = new ArrayList<>();
        for (int i = 0; ; i++) {
            if (i >= MAX_ENTRIES) {
                throw p.in.error("the import table of " + dll + " has no terminating entry");
            }
            ByteBuffer t = p.readRva(rva + (long) i * width, width, "import table of " + dll);
            if (t == null) {
                throw p.in.error("the import table of " + dll + " at " + Input.hex(rva)
                        + " is not in the file contents of a section");
            }
            long entry = p.plus ? t.getLong(0) : Pe.u32(t, 0);
            if (entry == 0) {
                return names;
            }
            boolean byOrdinal = p.plus ? entry < 0 : (entry & 0x80000000L) != 0;
            if (byOrdinal) {
                p.in.spend(Pe.STRING_COST, "import table of " + dll);
                names.add("#" + (entry & 0xffff));
                continue;
            }
            String name = p.stringAt((entry & 0x7fffffffL) + 2, "imported name");
            if (name == null) {
                throw p.in.error("an import from " + dll + " names a function at " + Input.hex(entry & 0x7fffffffL)
                        + ", which is not a string inside the file");
            }
            names.add(name);
        }
    }

    /** The DLLs named by the import directories, in order, each once. */
    static List<String> needed(List<Import> imports) {
        Set<String> names = new LinkedHashSet<>();
        for (Import i : imports) {
            names.add(i.dll());
        }
        return List.copyOf(names);
    }

    static List<NativeSymbol> exportSymbols(Pe.Parsed p, Exports exports) {
        List<NativeSymbol> list = new ArrayList<>();
        for (Export e : exports.list()) {
            if (e.forward() != null) {
                int dot = e.forward().lastIndexOf('.');
                list.add(new NativeSymbol(e.name(), NativeSymbol.Kind.UNTYPED,
                        dot > 0 ? e.forward().substring(0, dot) + ".dll" : e.forward()));
                continue;
            }
            Pe.Section s = p.sectionOf(e.rva());
            NativeSymbol.Kind kind = s == null ? NativeSymbol.Kind.UNTYPED
                    : s.code() ? NativeSymbol.Kind.FUNCTION : NativeSymbol.Kind.DATA;
            list.add(new NativeSymbol(e.name(), kind, null));
        }
        return list;
    }

    static List<NativeSymbol> importSymbols(List<Import> imports) {
        List<NativeSymbol> list = new ArrayList<>();
        java.util.Set<List<String>> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Import i : imports) {
            if (!seen.add(i.names())) {
                continue; // a lookup table another descriptor shares: its names are listed once
            }
            for (String name : i.names()) {
                list.add(new NativeSymbol(name, NativeSymbol.Kind.UNTYPED, i.dll()));
            }
        }
        return list;
    }

    /** Checks the exports against the image: each one inside it, in a section. */
    static void verify(Pe.Parsed p, Exports exports) {
        for (Export e : exports.list()) {
            if (e.forward() == null && p.sectionOf(e.rva()) == null) {
                p.problem("export directory", e.name() + " at " + Input.hex(e.rva()) + " lies in no section");
            }
        }
    }

    /**
     * Reads an exported data object's bytes. PE exports carry no size, so the object runs to the next
     * export of its section, or to the section's end.
     */
    static Optional<SymbolData> data(Pe.Parsed p, Exports exports, String symbol, int limit) throws IOException {
        Export found = null;
        for (Export e : exports.list()) {
            if (e.name().equals(symbol) && e.forward() == null) {
                found = e;
            }
        }
        if (found == null) {
            return Optional.empty();
        }
        Pe.Section s = p.sectionOf(found.rva());
        if (s == null || s.code()) {
            return Optional.empty();
        }
        long end = s.virtualAddress() + Math.min(s.span(), s.rawSize());
        for (Export e : exports.list()) {
            if (e.forward() == null && e.rva() > found.rva() && e.rva() < end) {
                end = e.rva();
            }
        }
        long size = Math.max(0, end - found.rva());
        ByteBuffer bytes = p.readRva(found.rva(), Math.min(size, limit), "data object " + symbol);
        if (bytes == null) {
            throw p.in.error("data object " + symbol + " at " + Input.hex(found.rva()) + " is not in the file");
        }
        return Optional.of(new SymbolData(symbol, size, bytes.asReadOnlyBuffer().order(p.in.order())));
    }
}
