package dev.dynload;

import dev.dynload.elf.ElfFile;
import dev.dynload.elf.ElfSymbol;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Builds the exception for a symbol a library does not export, with the closest names it does. */
final class Missing {

    private Missing() {
    }

    static SymbolNotFoundException symbol(String symbol, Library library) {
        String where = library.path().map(Path::toString).orElse(library.name());
        List<String> exported = library.path().map(Missing::exportedNames).orElse(List.of());
        String hint = library.path().isEmpty()
                ? "the process sees only the symbols of libraries loaded with LoadOption.GLOBAL"
                : exported.isEmpty() ? "the library exports no symbols" : "run 'dynload symbols " + where
                        + "' to list what it exports";
        return new SymbolNotFoundException(symbol, where, Suggestions.closest(symbol, exported), hint);
    }

    private static List<String> exportedNames(Path file) {
        try {
            return ElfFile.read(file).symbols().stream().map(ElfSymbol::name).toList();
        } catch (IOException | RuntimeException e) {
            // Suggestions are a courtesy: a file that cannot be read again just gets none.
            return List.of();
        }
    }
}
