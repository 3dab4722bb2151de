package dev.dynload.elf;

/**
 * One thing in a shared library that the system loader would trust and that is wrong: a table that runs
 * outside the file, a relocation that writes outside the library, a hash chain that never ends. Found by
 * {@link ElfFile#verify(java.nio.file.Path)} from the file alone, without loading it.
 *
 * {@snippet :
 * for (ElfProblem p : ElfFile.verify(Path.of("libdamaged.so"))) {
 *     System.out.println(p);   // "dynamic section: DT_RELAENT is 25, not 24 ..."
 * }
 * }
 *
 * @param part where in the file the problem is
 * @param detail what is wrong, in words, with the addresses and values involved
 */
public record ElfProblem(Part part, String detail) {

    /** The parts of a shared library the loader reads, in the order it reads them. */
    public enum Part {
        /** The ELF header: identification, type, table sizes. */
        HEADER("ELF header"),
        /** The program headers: loadable segments and where the other tables are. */
        PROGRAM_HEADERS("program headers"),
        /** The dynamic section: the loader's table of contents. */
        DYNAMIC("dynamic section"),
        /** The hash tables that symbol lookups walk (DT_GNU_HASH, DT_HASH). */
        HASH_TABLES("hash tables"),
        /** The dynamic symbol table and its string table. */
        SYMBOLS("symbol table"),
        /** The symbol version tables (DT_VERSYM, DT_VERNEED, DT_VERDEF). */
        VERSIONS("version tables"),
        /** The relocation tables (DT_RELA, DT_REL, DT_JMPREL, DT_RELR). */
        RELOCATIONS("relocations"),
        /** The functions the loader calls: DT_INIT, DT_FINI and their arrays. */
        INITIALIZERS("initializers");

        private final String label;

        Part(String label) {
            this.label = label;
        }

        /** {@return the part's name in words, such as "dynamic section"} */
        public String label() {
            return label;
        }
    }

    @Override
    public String toString() {
        return part.label() + ": " + detail;
    }
}
