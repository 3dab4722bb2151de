/*
 * One small library built for macOS (Mach-O, arm64 and x86-64, thin and universal) and Windows (PE32+
 * DLL) on this Linux machine, for the readers of dev.dynload.format. It exports functions and data and
 * imports from the C library, so that every table the readers walk is there.
 */
#ifdef _WIN32
#define FOREIGN_EXPORT __declspec(dllexport)
#else
#define FOREIGN_EXPORT __attribute__((visibility("default"), used))
#endif

int puts(const char *text);

FOREIGN_EXPORT int foreign_answer(void) {
    return 42;
}

FOREIGN_EXPORT int foreign_greet(const char *name) {
    return puts(name);
}

FOREIGN_EXPORT const char foreign_version[16] = "foreign 1.0";

FOREIGN_EXPORT int foreign_counter = 7;

/* Not exported: a reader must not list it. */
__attribute__((used)) static int foreign_hidden(void) {
    return 1;
}
