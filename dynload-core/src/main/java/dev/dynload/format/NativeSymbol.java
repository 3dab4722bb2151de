package dev.dynload.format;

import org.jspecify.annotations.Nullable;

/**
 * A symbol a native file exports or imports, named as C code names it: Mach-O's leading underscore is
 * taken off ({@code _greet} is {@code greet}), so that the name is what {@code Library.find} takes.
 *
 * @param name the C name
 * @param kind function, data, thread-local or of no declared kind
 * @param library for an import, the library it is bound to when the format records one (Mach-O's two-level
 *                namespace, PE's import directory); for an export forwarded to another library (PE) or
 *                re-exported from one (Mach-O), that library; else null
 */
public record NativeSymbol(String name, Kind kind, @Nullable String library) {

    /** What a symbol names. */
    public enum Kind {
        /** Code. */
        FUNCTION,
        /** A variable or constant. */
        DATA,
        /** A thread-local variable. */
        THREAD_LOCAL,
        /** An address the file does not say more of (an ELF {@code STT_NOTYPE}, an import of unknown kind). */
        UNTYPED
    }

    /** Checks the parts. */
    public NativeSymbol {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(kind, "kind");
    }
}
