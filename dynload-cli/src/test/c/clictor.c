/*
 * A library whose initializer ends the process. Read-only commands (info, symbols, verify) must never
 * run it; call --isolated must report it without loading it into the JVM.
 */
#include <unistd.h>

__attribute__((constructor)) static void end_the_process(void) { _exit(42); }

int clictor_answer(void) { return 42; }
