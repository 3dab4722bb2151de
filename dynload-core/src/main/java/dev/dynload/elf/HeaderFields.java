package dev.dynload.elf;

/** The ELF header's fixed fields, as {@link HeaderReader} reads them; {@code complete} is false when the file is shorter. */
record HeaderFields(ElfHeader header, long phoff, long shoff, int ehsize, int phentsize, int phnum, int shentsize,
                    int shnum, int version, int osabi, int abiversion, long entry, boolean complete) {
}
