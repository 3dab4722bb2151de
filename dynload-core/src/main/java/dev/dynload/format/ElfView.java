package dev.dynload.format;

import dev.dynload.elf.ElfData;
import dev.dynload.elf.ElfFile;
import dev.dynload.elf.ElfFormatException;
import dev.dynload.elf.ElfHeader;
import dev.dynload.elf.ElfProblem;
import dev.dynload.elf.ElfSymbol;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** ELF through {@link ElfFile}, in this package's terms. */
final class ElfView {

    private ElfView() {
    }

    static NativeFile read(Path file) throws IOException {
        ElfFile elf;
        try {
            elf = ElfFile.read(file);
        } catch (ElfFormatException e) {
            throw new FormatException(file, strip(e));
        }
        ElfHeader h = elf.header();
        NativeFile.Kind kind = switch (h.type()) {
            case SHARED_OBJECT -> NativeFile.Kind.SHARED_LIBRARY;
            case EXECUTABLE -> NativeFile.Kind.EXECUTABLE;
            case RELOCATABLE -> NativeFile.Kind.OBJECT;
            default -> NativeFile.Kind.OTHER;
        };
        List<NativeSymbol> exports = new ArrayList<>();
        for (ElfSymbol s : elf.symbols()) {
            exports.add(new NativeSymbol(s.name(), kind(s.kind()), null));
        }
        List<NativeSymbol> imports = new ArrayList<>();
        for (ElfSymbol s : elf.imports()) {
            imports.add(new NativeSymbol(s.name(), kind(s.kind()), null));
        }
        return new NativeFile(file, BinaryFormat.ELF, Cpu.ofElfMachine(h.machine(), h.wordSize()), h.machineName(), h.wordSize(),
                h.byteOrder(), kind, elf.soname().orElse(null), elf.needed(), elf.runPath(), exports, imports);
    }

    static List<FormatProblem> verify(Path file) throws IOException {
        List<FormatProblem> problems = new ArrayList<>();
        try {
            for (ElfProblem p : ElfFile.verify(file)) {
                problems.add(new FormatProblem(p.part().label(), p.detail()));
            }
        } catch (ElfFormatException e) {
            problems.add(new FormatProblem("ELF header", strip(e)));
        }
        return problems;
    }

    static Optional<SymbolData> data(Path file, String symbol, int limit) throws IOException {
        try {
            Optional<ElfData> data = ElfFile.readData(file, symbol, limit);
            if (data.isEmpty()) {
                return Optional.empty();
            }
            ElfData d = data.get();
            return Optional.of(new SymbolData(d.symbol(), d.size(), d.bytes()));
        } catch (ElfFormatException e) {
            throw new FormatException(file, strip(e));
        }
    }

    private static NativeSymbol.Kind kind(ElfSymbol.Kind kind) {
        return switch (kind) {
            case FUNCTION -> NativeSymbol.Kind.FUNCTION;
            case DATA -> NativeSymbol.Kind.DATA;
            case THREAD_LOCAL -> NativeSymbol.Kind.THREAD_LOCAL;
            case UNTYPED -> NativeSymbol.Kind.UNTYPED;
        };
    }

    private static String strip(ElfFormatException e) {
        String prefix = e.file() + ": ";
        String m = String.valueOf(e.getMessage());
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
