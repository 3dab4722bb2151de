package dev.dynload.format;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Turns a parsed Mach-O or PE image into a {@link NativeFile}, its problems, or one of its data objects. */
final class FormatReaders {

    private FormatReaders() {
    }

    static NativeFile machO(Path file, MachO.Parsed p) throws IOException {
        List<MachOImage.Nlist> symbols = MachOImage.symbols(p);
        List<MachOImage.Export> trie = MachOImage.exportTrie(p);
        NativeFile.Kind kind = switch (p.filetype) {
            case MachO.MH_DYLIB -> NativeFile.Kind.SHARED_LIBRARY;
            case MachO.MH_BUNDLE -> NativeFile.Kind.BUNDLE;
            case MachO.MH_EXECUTE -> NativeFile.Kind.EXECUTABLE;
            case MachO.MH_OBJECT -> NativeFile.Kind.OBJECT;
            default -> NativeFile.Kind.OTHER;
        };
        List<String> needed = new ArrayList<>();
        for (MachO.Dylib d : p.dylibs) {
            needed.add(d.name());
        }
        return new NativeFile(file, BinaryFormat.MACH_O, MachO.cpu(p.cputype), MachO.archName(p.cputype, p.cpusubtype),
                p.w64 ? 64 : 32, p.in.order(), kind, p.id, needed, p.rpaths, MachOImage.exports(p, symbols, trie),
                MachOImage.imports(p, symbols));
    }

    static NativeFile pe(Path file, Pe.Parsed p) throws IOException {
        PeImage.Exports exports = PeImage.exports(p);
        List<PeImage.Import> imports = PeImage.imports(p);
        NativeFile.Kind kind = (p.characteristics & Pe.FILE_DLL) != 0 ? NativeFile.Kind.SHARED_LIBRARY
                : (p.characteristics & Pe.FILE_EXECUTABLE_IMAGE) != 0 ? NativeFile.Kind.EXECUTABLE : NativeFile.Kind.OTHER;
        return new NativeFile(file, BinaryFormat.PE, Pe.cpu(p.machine), Pe.cpu(p.machine).displayName(),
                p.plus ? 64 : 32, ByteOrder.LITTLE_ENDIAN, kind, exports.name(), PeImage.needed(imports), List.of(),
                PeImage.exportSymbols(p, exports), PeImage.importSymbols(imports));
    }

    static List<FormatProblem> verifyMachO(Input in, boolean hostOnly) throws IOException {
        List<FormatProblem> problems = new ArrayList<>();
        List<MachO.Slice> slices;
        try {
            slices = MachO.slices(in, problems);
            if (hostOnly && slices.size() > 1) {
                slices = List.of(hostSlice(slices)); // the one dyld maps
            }
        } catch (FormatException e) {
            problems.add(new FormatProblem("universal header", detail(e)));
            return problems;
        }
        for (MachO.Slice slice : slices) {
            String prefix = slices.size() > 1 || !slice.name().isEmpty() ? slice.name() + " slice, " : "";
            MachO.Parsed p;
            try {
                p = MachO.parse(slice);
            } catch (FormatException e) {
                problems.add(new FormatProblem(prefix + "header", detail(e)));
                continue;
            }
            // Each table read apart, so that one that cannot be read hides none of the other checks.
            List<MachOImage.Nlist> symbols = List.of();
            List<MachOImage.Export> trie = List.of();
            try {
                symbols = MachOImage.symbols(p);
            } catch (FormatException e) {
                p.problem("symbol table", detail(e));
            }
            try {
                trie = MachOImage.exportTrie(p);
            } catch (FormatException e) {
                p.problem("export trie", detail(e));
            }
            MachOImage.verify(p, symbols, trie);
            for (FormatProblem f : p.problems) {
                problems.add(prefix.isEmpty() ? f : new FormatProblem(prefix + f.part(), f.detail()));
            }
        }
        return problems;
    }

    static List<FormatProblem> verifyPe(Input in) throws IOException {
        Pe.Parsed p;
        try {
            p = Pe.parse(in);
        } catch (FormatException e) {
            return List.of(new FormatProblem("headers", detail(e)));
        }
        try {
            PeImage.Exports exports = PeImage.exports(p);
            PeImage.verify(p, exports);
        } catch (FormatException e) {
            p.problem("export directory", detail(e));
        }
        try {
            PeImage.imports(p);
        } catch (FormatException e) {
            p.problem("import directory", detail(e));
        }
        try {
            PeChecks.relocations(p);
            PeChecks.tls(p);
        } catch (FormatException e) {
            p.problem("headers", detail(e));
        }
        return p.problems;
    }

    /** The slice for this JVM's CPU, else the first. */
    static MachO.Slice hostSlice(List<MachO.Slice> slices) {
        Cpu host = Cpu.current();
        for (MachO.Slice s : slices) {
            if (MachO.cpu(s.cputype()) == host) {
                return s;
            }
        }
        return slices.get(0);
    }

    static Optional<SymbolData> machOData(Input in, String symbol, int limit) throws IOException {
        List<MachO.Slice> slices = MachO.slices(in, new ArrayList<>());
        Cpu host = Cpu.current();
        List<MachO.Slice> ordered = new ArrayList<>();
        for (MachO.Slice s : slices) {
            if (MachO.cpu(s.cputype()) == host) {
                ordered.add(0, s);
            } else {
                ordered.add(s);
            }
        }
        for (MachO.Slice slice : ordered) {
            MachO.Parsed p = MachO.parse(slice);
            Optional<SymbolData> found = MachOImage.data(p, MachOImage.symbols(p), MachOImage.exportTrie(p), symbol, limit);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    static Optional<SymbolData> peData(Input in, String symbol, int limit) throws IOException {
        Pe.Parsed p = Pe.parse(in);
        return PeImage.data(p, PeImage.exports(p), symbol, limit);
    }

    /** A reader's message without the file name, which the problem's context gives. */
    static String detail(FormatException e) {
        String prefix = e.file() + ": ";
        String m = e.getMessage();
        return m != null && m.startsWith(prefix) ? m.substring(prefix.length()) : String.valueOf(m);
    }
}
