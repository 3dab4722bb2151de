package dev.dynload;

import java.io.Serial;
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

    private final String symbol;
    private final String library;
    @SuppressWarnings("serial") // an immutable List.copyOf, which is serializable
    private final List<String> suggestions;

    SymbolNotFoundException(String symbol, String library, List<String> suggestions, String hint) {
        super(compose(symbol, library, suggestions, hint));
        this.symbol = symbol;
        this.library = library;
        this.suggestions = List.copyOf(suggestions);
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
