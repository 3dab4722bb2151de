package dev.dynload;

/**
 * The root of dynload's exceptions for failing native operations: a library that does not load
 * ({@link LibraryLoadException}) and a symbol that is not there ({@link SymbolNotFoundException}).
 *
 * <p>Bad arguments are {@link IllegalArgumentException}s and use of a closed library is an
 * {@link IllegalStateException}, as everywhere in the JDK. dynload never returns {@code null} for a
 * failure and never throws {@link Error}.
 */
public abstract sealed class LibraryException extends RuntimeException
        permits LibraryLoadException, SymbolNotFoundException, BindingException, LibraryCrashedException {

    private static final long serialVersionUID = 1L;

    LibraryException(String message) {
        super(message);
    }
}
