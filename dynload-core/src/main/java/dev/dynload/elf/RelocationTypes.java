package dev.dynload.elf;

import java.util.Map;

/**
 * The relocation types each machine's loader applies, and what each does: the table {@link Relocations}
 * checks every entry against. A machine this reader does not know has an empty table, and its entries are
 * checked for what needs no type (bounds, symbol indexes).
 */
final class RelocationTypes {

    private RelocationTypes() {
    }

    /** What the loader does with one relocation type. */
    enum Role {
        /** Nothing. */
        NONE,
        /** Writes the library's base plus the addend. */
        RELATIVE,
        /** Calls the function at base plus the addend and writes what it returns. */
        IRELATIVE,
        /** Copies a variable's bytes from another library: only executables may ask for this. */
        COPY,
        /** Writes a symbol's address, size or thread-local offset. */
        SYMBOL,
        /**
         * Writes a symbol's 32-bit address into code: only position-dependent code compiled into a library
         * that allows text relocations has these; a linker refuses them otherwise.
         */
        CODE
    }

    /** One relocation type: what it does, how many bytes it writes, and where it may appear. */
    record Kind(Role role, int width, boolean tls, boolean plt) {
    }

    /**
     * The relocation types of one machine's loader.
     *
     * @param name the machine's name, for messages
     * @param rela whether its relocations carry explicit addends (DT_RELA), as x86-64's and AArch64's do
     * @param kinds the types its loader applies; empty when this reader does not know the machine's
     */
    record Machine(String name, boolean rela, Map<Integer, Kind> kinds, int globDat, int jumpSlot) {
        boolean known() {
            return !kinds.isEmpty();
        }
    }

    private static final Machine X86_64 = new Machine("x86-64", true, Map.ofEntries(
            Map.entry(0, new Kind(Role.NONE, 0, false, false)),
            Map.entry(1, new Kind(Role.SYMBOL, 8, false, false)),      // R_X86_64_64
            Map.entry(2, new Kind(Role.CODE, 4, false, false)),        // R_X86_64_PC32
            Map.entry(5, new Kind(Role.COPY, 8, false, false)),        // R_X86_64_COPY
            Map.entry(6, new Kind(Role.SYMBOL, 8, false, false)),      // R_X86_64_GLOB_DAT
            Map.entry(7, new Kind(Role.SYMBOL, 8, false, true)),       // R_X86_64_JUMP_SLOT
            Map.entry(8, new Kind(Role.RELATIVE, 8, false, false)),    // R_X86_64_RELATIVE
            Map.entry(10, new Kind(Role.CODE, 4, false, false)),       // R_X86_64_32
            Map.entry(16, new Kind(Role.SYMBOL, 8, true, false)),      // R_X86_64_DTPMOD64
            Map.entry(17, new Kind(Role.SYMBOL, 8, true, false)),      // R_X86_64_DTPOFF64
            Map.entry(18, new Kind(Role.SYMBOL, 8, true, false)),      // R_X86_64_TPOFF64
            Map.entry(32, new Kind(Role.SYMBOL, 4, false, false)),     // R_X86_64_SIZE32
            Map.entry(33, new Kind(Role.SYMBOL, 8, false, false)),     // R_X86_64_SIZE64
            Map.entry(36, new Kind(Role.SYMBOL, 16, true, true)),      // R_X86_64_TLSDESC
            Map.entry(37, new Kind(Role.IRELATIVE, 8, false, true))), 6, 7); // R_X86_64_IRELATIVE
    private static final Machine AARCH64 = new Machine("AArch64", true, Map.ofEntries(
            Map.entry(0, new Kind(Role.NONE, 0, false, false)),
            Map.entry(257, new Kind(Role.SYMBOL, 8, false, false)),     // R_AARCH64_ABS64
            Map.entry(1024, new Kind(Role.COPY, 8, false, false)),      // R_AARCH64_COPY
            Map.entry(1025, new Kind(Role.SYMBOL, 8, false, false)),    // R_AARCH64_GLOB_DAT
            Map.entry(1026, new Kind(Role.SYMBOL, 8, false, true)),     // R_AARCH64_JUMP_SLOT
            Map.entry(1027, new Kind(Role.RELATIVE, 8, false, false)),  // R_AARCH64_RELATIVE
            Map.entry(1028, new Kind(Role.SYMBOL, 8, true, false)),     // R_AARCH64_TLS_DTPMOD
            Map.entry(1029, new Kind(Role.SYMBOL, 8, true, false)),     // R_AARCH64_TLS_DTPREL
            Map.entry(1030, new Kind(Role.SYMBOL, 8, true, false)),     // R_AARCH64_TLS_TPREL
            Map.entry(1031, new Kind(Role.SYMBOL, 16, true, true)),     // R_AARCH64_TLSDESC
            Map.entry(1032, new Kind(Role.IRELATIVE, 8, false, true))), 1025, 1026); // R_AARCH64_IRELATIVE

    static Machine machine(int eMachine) {
        return switch (eMachine) {
            case 62 -> X86_64;
            case 183 -> AARCH64;
            default -> new Machine("machine " + eMachine, false, Map.of(), -1, -1);
        };
    }
}
