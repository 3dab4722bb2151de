/*
 * A library whose initializer does what no verifier can see coming, chosen at build time: crash
 * (-DCTOR_CRASH), abort (-DCTOR_ABORT), exit (-DCTOR_EXIT), block forever (-DCTOR_BLOCK), or call a
 * function no library defines (-DCTOR_UNDEFINED: with lazy binding, the loader ends the process inside
 * dlopen). Loaded only with LoadOption.isolated, which must report each without letting it touch the
 * test JVM.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#if defined(CTOR_UNDEFINED)
void dynload_fixture_defined_nowhere(void);
#endif

__attribute__((constructor)) static void initializer(void) {
#if defined(CTOR_CRASH)
    raise(SIGSEGV);
#elif defined(CTOR_ABORT)
    abort();
#elif defined(CTOR_EXIT)
    exit(3);
#elif defined(CTOR_UNDEFINED)
    dynload_fixture_defined_nowhere();
#elif defined(CTOR_BLOCK)
    for (;;) {
        pause();
    }
#endif
}

int ctor_answer(void) { return 42; }
