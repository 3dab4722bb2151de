package dev.dynload.elf;

/**
 * A symbol a shared library exports, from its dynamic symbol table ({@code .dynsym}).
 *
 * @param name the symbol's name, without version
 * @param kind function, data, thread-local or untyped
 * @param weak whether it is a weak definition, which another library may override
 * @param size its size in bytes, as the symbol table gives it (0 when unknown)
 */
public record ElfSymbol(String name, Kind kind, boolean weak, long size) {

    /** What the symbol names. */
    public enum Kind {
        /** Code: {@code STT_FUNC} or {@code STT_GNU_IFUNC}. */
        FUNCTION,
        /** A variable: {@code STT_OBJECT} or {@code STT_COMMON}. */
        DATA,
        /** A thread-local variable: {@code STT_TLS}. */
        THREAD_LOCAL,
        /** An address of no declared kind ({@code STT_NOTYPE}), such as a linker-defined marker: not callable. */
        UNTYPED
    }
}
