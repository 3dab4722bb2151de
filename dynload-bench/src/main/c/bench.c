/* The benchmark's native library: the same functions for every way of calling them. */
#include <stdint.h>
#include <string.h>

int32_t bench_noop(void) { return 0; }
int32_t bench_add(int32_t a, int32_t b) { return a + b; }
const char *bench_greet(void) { return "Hello from Rust!"; }
size_t bench_strlen(const char *s) { return strlen(s); }
