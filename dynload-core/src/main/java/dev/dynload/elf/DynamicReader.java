package dev.dynload.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The reading behind {@link ElfFile}: the dynamic section's names, the dynamic symbols counted as the
 * loader counts them, a data object's bytes, and the section-header walk for files without a dynamic
 * segment.
 */
final class DynamicReader {

    private static final int SHT_STRTAB = 3;
    private static final int SHT_DYNAMIC = 6;
    private static final int SHT_DYNSYM = 11;
    private static final int SHN_UNDEF = 0;
    private static final int SHN_ABS = 0xfff1;

    private DynamicReader() {
    }

    /** The dynamic section's names: the soname, what it needs, its run path. */
    record Names(String soname, List<String> needed, List<String> runPath, boolean rpath, ByteBuffer strings) {
        static Names of(ElfImage image) throws IOException {
            ElfReader in = image.in;
            Long strtab = image.value(DynamicTags.DT_STRTAB);
            Long strsz = image.value(DynamicTags.DT_STRSZ);
            ByteBuffer strings = strtab == null || strsz == null ? null : image.readAt(strtab, strsz);
            boolean names = !image.values(DynamicTags.DT_NEEDED).isEmpty() || image.has(DynamicTags.DT_SONAME)
                    || image.has(DynamicTags.DT_SYMTAB);
            if (strings == null && names) {
                throw in.error("the dynamic string table (DT_STRTAB " + (strtab == null ? "missing" : ElfImage.hex(strtab))
                        + ", DT_STRSZ " + (strsz == null ? "missing" : strsz) + ") does not lie inside the file contents "
                        + "of a loadable segment");
            }
            List<String> needed = new ArrayList<>();
            for (long offset : image.values(DynamicTags.DT_NEEDED)) {
                needed.add(in.string(strings, offset, "DT_NEEDED"));
            }
            List<String> runPath = new ArrayList<>();
            for (long offset : image.values(DynamicTags.DT_RUNPATH)) {
                runPath.addAll(split(in.string(strings, offset, "DT_RUNPATH")));
            }
            boolean rpath = !image.has(DynamicTags.DT_RUNPATH) && image.has(DynamicTags.DT_RPATH);
            if (!image.has(DynamicTags.DT_RUNPATH)) {
                for (long offset : image.values(DynamicTags.DT_RPATH)) {
                    runPath.addAll(split(in.string(strings, offset, "DT_RPATH")));
                }
            }
            Long soname = image.value(DynamicTags.DT_SONAME);
            return new Names(soname == null ? null : in.string(strings, soname, "DT_SONAME"), needed, runPath, rpath,
                    strings);
        }
    }

    /** The dynamic symbols, split into those the library exports and those it imports. */
    record Symbols(List<ElfSymbol> exported, List<ElfSymbol> imported) {
        static final Symbols NONE = new Symbols(List.of(), List.of());
    }

    /** What an {@link ElfFile} holds, read from the dynamic segment or the section headers. */
    record Contents(String soname, List<String> needed, List<String> runPath, boolean rpath, Symbols symbols,
                    VersionTables versions, long flags1) {
    }

    /** A data object's bytes, as {@link ElfFile#readData} gives them. */
    static Optional<ElfData> data(ElfImage image, String symbol, int limit) throws IOException {
    ElfReader in = image.in;
    if (image.dynamicProblem != null) {
        throw in.error(image.dynamicProblem);
    }
    Optional<ByteBuffer> symbols = image.hasDynamic() ? dynamicSymbols(image) : Optional.empty();
    if (symbols.isEmpty()) {
        return Optional.empty();
    }
    ByteBuffer strings = Names.of(image).strings;
    ByteBuffer table = symbols.get();
    int entry = image.w64 ? 24 : 16;
    for (int at = entry; at + entry <= table.limit(); at += entry) {
        int info = Byte.toUnsignedInt(table.get(at + (image.w64 ? 4 : 12)));
        int shndx = Short.toUnsignedInt(table.getShort(at + (image.w64 ? 6 : 14)));
        int type = info & 0xf;
        if (type != 1 || shndx == SHN_UNDEF || shndx == SHN_ABS) {
            continue; // not a defined data object (STT_OBJECT)
        }
        long name = Integer.toUnsignedLong(table.getInt(at));
        if (!in.string(strings, name, "dynamic symbol").equals(symbol)) {
            continue;
        }
        long value = image.w64 ? table.getLong(at + 8) : Integer.toUnsignedLong(table.getInt(at + 4));
        long size = image.w64 ? table.getLong(at + 16) : Integer.toUnsignedLong(table.getInt(at + 8));
        long wanted = Long.compareUnsigned(size, limit) > 0 ? limit : size;
        ByteBuffer bytes = image.readAt(value, wanted);
        if (bytes == null) {
            throw in.error("data object " + symbol + " (" + ElfImage.hex(value) + ", " + Long.toUnsignedString(size)
                    + " bytes) does not lie inside the file contents of a loadable segment");
        }
        return Optional.of(new ElfData(symbol, size, bytes.slice().asReadOnlyBuffer().order(in.order())));
    }
    return Optional.empty();
    }

    /** A shared library read as the loader reads it: through PT_DYNAMIC. */
    static Contents fromDynamic(ElfImage image) throws IOException {
        ElfReader in = image.in;
        Names names = Names.of(image);
        ByteBuffer strings = names.strings;
        Optional<ByteBuffer> table = dynamicSymbols(image);
        Symbols symbols = table.isEmpty() ? Symbols.NONE : symbolTable(in, image.w64, table.get(), strings);
        Long flags1 = image.value(DynamicTags.DT_FLAGS_1);
        return new Contents(names.soname, names.needed, names.runPath, names.rpath, symbols, ElfVerifier.versions(image),
                flags1 == null ? 0 : flags1);
    }

    /**
     * The dynamic symbol table ({@code DT_SYMTAB}), as many entries as the hash table (or, failing that,
     * the section header) counts; empty when the library has none, or nothing counts it.
     *
     * @throws ElfFormatException if the table does not lie in the file contents of a loadable segment
     */
    private static Optional<ByteBuffer> dynamicSymbols(ElfImage image) throws IOException {
        Long symtab = image.value(DynamicTags.DT_SYMTAB);
        if (symtab == null) {
            return Optional.empty();
        }
        long count = ElfVerifier.symbolCount(image);
        if (count < 0) {
            count = dynsymCountFromSections(image);
        }
        if (count <= 0) {
            return Optional.empty();
        }
        ByteBuffer table = image.readAt(symtab, count * (image.w64 ? 24 : 16));
        if (table == null) {
            throw image.in.error("the dynamic symbol table (DT_SYMTAB " + ElfImage.hex(symtab) + ", " + count
                    + " symbols) does not lie inside the file contents of a loadable segment");
        }
        return Optional.of(table);
    }

    /** The number of entries of {@code .dynsym} by its section header, for a library without hash table; or 0. */
    private static long dynsymCountFromSections(ElfImage image) {
        for (ElfImage.Section s : image.sections()) {
            if (s.type() == SHT_DYNSYM) {
                return s.size() / (image.w64 ? 24 : 16);
            }
        }
        return 0; // no readable section headers either: the symbols cannot be counted
    }

    private static List<String> split(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split(":")) {
            if (!p.isEmpty()) {
                parts.add(p);
            }
        }
        return parts;
    }

    private static Symbols symbolTable(ElfReader in, boolean w64, ByteBuffer table, ByteBuffer strings)
            throws IOException {
        int entry = w64 ? 24 : 16;
        Set<String> seen = new LinkedHashSet<>();
        Set<String> seenImports = new LinkedHashSet<>();
        List<ElfSymbol> symbols = new ArrayList<>();
        List<ElfSymbol> imports = new ArrayList<>();
        for (int at = entry; at + entry <= table.limit(); at += entry) { // entry 0 is the null symbol
            long name = Integer.toUnsignedLong(table.getInt(at));
            int info = Byte.toUnsignedInt(table.get(at + (w64 ? 4 : 12)));
            int other = Byte.toUnsignedInt(table.get(at + (w64 ? 5 : 13)));
            int shndx = Short.toUnsignedInt(table.getShort(at + (w64 ? 6 : 14)));
            long size = w64 ? table.getLong(at + 16) : Integer.toUnsignedLong(table.getInt(at + 8));
            int bind = info >> 4;
            int visibility = other & 3;
            ElfSymbol.Kind kind = switch (info & 0xf) {
                case 2, 10 -> ElfSymbol.Kind.FUNCTION;
                case 1, 5 -> ElfSymbol.Kind.DATA;
                case 6 -> ElfSymbol.Kind.THREAD_LOCAL;
                case 0 -> ElfSymbol.Kind.UNTYPED;
                default -> null;
            };
            // SHN_UNDEF is an import; SHN_ABS holds no address in the library (glibc's version names).
            boolean exported = shndx != SHN_UNDEF && shndx != SHN_ABS && (bind == 1 || bind == 2 || bind == 10)
                    && (visibility == 0 || visibility == 3) && kind != null;
            if (exported) {
                String n = in.string(strings, name, "dynamic symbol");
                if (!n.isEmpty() && seen.add(n)) {
                    symbols.add(new ElfSymbol(n, kind, bind == 2, size));
                }
            } else if (shndx == SHN_UNDEF && (bind == 1 || bind == 2) && kind != null) {
                String n = in.string(strings, name, "dynamic symbol");
                if (!n.isEmpty() && seenImports.add(n)) {
                    imports.add(new ElfSymbol(n, kind, bind == 2, size));
                }
            }
        }
        return new Symbols(symbols, imports);
    }

    /** The walk through the section headers, for files without a dynamic segment (object files). */
    static final class SectionParser {
        private final ElfImage image;
        private final ElfReader in;
        private final boolean w64;

        SectionParser(ElfImage image) {
            this.image = image;
            this.in = image.in;
            this.w64 = image.w64;
        }

        Contents parse() throws IOException {
            List<ElfImage.Section> sections = image.readSections();
            String soname = null;
            List<String> needed = new ArrayList<>();
            List<String> runPath = new ArrayList<>();
            List<String> rpath = new ArrayList<>();
            Symbols symbols = Symbols.NONE;
            // A file has one of each; a crafted file with thousands must not cost thousands of reads.
            ElfImage.Section dynamicSection = first(sections, SHT_DYNAMIC);
            ElfImage.Section symbolSection = first(sections, SHT_DYNSYM);
            if (dynamicSection != null) {
                ByteBuffer strings = strings(sections, dynamicSection, "dynamic section");
                ByteBuffer d = in.read(dynamicSection.offset(), dynamicSection.size(), "dynamic section");
                int entry = w64 ? 16 : 8;
                for (int at = 0; at + entry <= d.limit(); at += entry) {
                    long tag = w64 ? d.getLong(at) : d.getInt(at);
                    if (tag == ElfImage.DT_NULL) {
                        break;
                    }
                    long value = w64 ? d.getLong(at + 8) : Integer.toUnsignedLong(d.getInt(at + 4));
                    if (tag == DynamicTags.DT_NEEDED) {
                        needed.add(in.string(strings, value, "DT_NEEDED"));
                    } else if (tag == DynamicTags.DT_SONAME) {
                        soname = in.string(strings, value, "DT_SONAME");
                    } else if (tag == DynamicTags.DT_RUNPATH) {
                        runPath.addAll(split(in.string(strings, value, "DT_RUNPATH")));
                    } else if (tag == DynamicTags.DT_RPATH) {
                        rpath.addAll(split(in.string(strings, value, "DT_RPATH")));
                    }
                }
            }
            if (symbolSection != null) {
                ByteBuffer strings = strings(sections, symbolSection, "dynamic symbol table");
                symbols = symbolTable(in, w64, in.read(symbolSection.offset(), symbolSection.size(), "dynamic symbol table"),
                        strings);
            }
            return new Contents(soname, needed, runPath.isEmpty() ? rpath : runPath, runPath.isEmpty() && !rpath.isEmpty(),
                    symbols, null, 0); // no PT_DYNAMIC, so nothing the loader would read as DT_FLAGS_1
        }

        private static ElfImage.Section first(List<ElfImage.Section> sections, int type) {
            for (ElfImage.Section s : sections) {
                if (s.type() == type) {
                    return s;
                }
            }
            return null;
        }

        private ByteBuffer strings(List<ElfImage.Section> sections, ElfImage.Section owner, String what)
                throws IOException {
            if (owner.link() <= 0 || owner.link() >= sections.size()) {
                throw in.error(what + " links to string table section " + owner.link() + ", which does not exist ("
                        + sections.size() + " sections)");
            }
            ElfImage.Section s = sections.get((int) owner.link());
            if (s.type() != SHT_STRTAB) {
                throw in.error(what + " links to section " + owner.link() + ", which is not a string table");
            }
            return in.read(s.offset(), s.size(), "string table of the " + what);
        }
    }
}
