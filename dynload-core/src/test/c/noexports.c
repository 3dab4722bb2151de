/* A library that exports nothing: all it does, it does in its constructor and destructor (as a plugin
 * that registers itself). GNU ld writes its GNU hash table with no symbol hashed and symoffset 1, though
 * the imports that follow are not hashed either. */
#include <stdlib.h>

static void *kept;

__attribute__((constructor)) static void made(void) { kept = malloc(16); }

__attribute__((destructor)) static void unmade(void) { free(kept); }
