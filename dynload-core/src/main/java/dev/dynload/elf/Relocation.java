package dev.dynload.elf;

/** A relocation as the loader reads it; for implicit addends, the word stored at its offset. */
record Relocation(long offset, int type, long symbol, long addend) {
}
