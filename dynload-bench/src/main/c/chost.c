/* The physical floor: the seed's host in C, dlopen and dlsym with nothing in between. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
    void *lib = dlopen(argc > 1 ? argv[1] : "./libtest.so", RTLD_NOW);
    if (!lib) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    const char *(*greet)(void) = (const char *(*)(void)) dlsym(lib, "greet");
    if (!greet) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    puts(greet());
    dlclose(lib);
    return 0;
}
