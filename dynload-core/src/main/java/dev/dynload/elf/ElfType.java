package dev.dynload.elf;

/** What an ELF file is, from its header's {@code e_type}. */
public enum ElfType {
    /** {@code ET_REL}: an object file ({@code .o}), input to the linker. */
    RELOCATABLE,
    /** {@code ET_EXEC}: an executable at a fixed address. */
    EXECUTABLE,
    /** {@code ET_DYN}: a shared library, or a position-independent executable. */
    SHARED_OBJECT,
    /** {@code ET_CORE}: a core dump. */
    CORE,
    /** Any other value. */
    OTHER;

    static ElfType of(int eType) {
        return switch (eType) {
            case 1 -> RELOCATABLE;
            case 2 -> EXECUTABLE;
            case 3 -> SHARED_OBJECT;
            case 4 -> CORE;
            default -> OTHER;
        };
    }
}
