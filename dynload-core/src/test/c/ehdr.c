/* A pointer to the library's own ELF header: a relative relocation whose addend is 0. */
extern const char __ehdr_start[];
const char *const ehdr_pointer = __ehdr_start;
const char *ehdr_start(void) { return ehdr_pointer; }
