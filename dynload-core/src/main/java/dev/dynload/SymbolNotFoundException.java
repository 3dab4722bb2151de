package dev.dynload;

import dev.dynload.internal.NativeLoader;

import java.io.Serial;
import java.nio.file.Path;
import java.util.List;

/**
 * A library does not export the symbol asked for. The message names the symbol and the library, and
 * suggests the closest names the library does export:
 *
 * <pre>
 * symbol "gret" not found in /work/libtest.so; did you mean: greet?
 * </pre>
 */
public final class SymbolNotFoundException extends LibraryException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The symbol looked for. */
    private final String symbol;
    /** The library it was looked for in. */
    private final String library;
    /** The exported names closest to it. */
    @SuppressWarnings("serial") // an immutable List.copyOf, which is serializable
    private final List<String> suggestions;

    SymbolNotFoundException(String symbol, String library, List<String> suggestions, String hint) {
        super(compose(symbol, library, suggestions, hint));
        this.symbol = symbol;
        this.library = library;
        this.suggestions = List.copyOf(suggestions);
    }

    /**
     * The exception for a symbol {@code library} does not export, with the closest names it does: the
     * platform's conventions read its export list (an ELF file's dynamic symbols on Linux).
     */
    static SymbolNotFoundException in(Library library, String symbol) {
        String where = library.path().map(Path::toString).orElse(library.name());
        List<String> exported = library.path().isEmpty() ? List.of()
                : NativeLoader.current().conventions().exports(library.path().get());
        String hint = library.path().isEmpty()
                ? "the process sees only the symbols of libraries loaded with LoadOption.GLOBAL"
                : exported.isEmpty() ? "the library exports no symbols, or dynload cannot list them; run 'dynload "
                        + "symbols " + where + "' to see" : "run 'dynload symbols " + where + "' to list what it exports";
        return new SymbolNotFoundException(symbol, where, Suggestions.closest(symbol, exported), hint);
    }

    private static String compose(String symbol, String library, List<String> suggestions, String hint) {
        String m = "symbol \"" + symbol + "\" not found in " + library;
        if (!suggestions.isEmpty()) {
            m += "; did you mean: " + String.join(", ", suggestions) + "?";
        } else if (hint != null) {
            m += "; " + hint;
        }
        return m;
    }

    /** {@return the symbol that was asked for} */
    public String symbol() {
        return symbol;
    }

    /** {@return the library searched, as its file or name} */
    public String library() {
        return library;
    }

    /** {@return exported names close to the one asked for, closest first; possibly empty} */
    public List<String> suggestions() {
        return suggestions;
    }
}
