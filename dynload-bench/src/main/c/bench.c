/* The benchmark's native library: the same functions for every way of calling them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct { double x; double y; } vec2;

int32_t bench_noop(void) { return 0; }
int32_t bench_add(int32_t a, int32_t b) { return a + b; }
double bench_mul(double a, double b) { return a * b; }
const char *bench_greet(void) { return "Hello from Rust!"; }
size_t bench_strlen(const char *s) { return strlen(s); }
int64_t bench_sum(const int64_t *values, size_t n) {
    int64_t s = 0;
    for (size_t i = 0; i < n; i++) s += values[i];
    return s;
}
double bench_dot(vec2 a, vec2 b) { return a.x * b.x + a.y * b.y; }
/* Writes the first and last bytes of an in-out array: what an isolated call costs to carry it, both ways. */
int32_t bench_touch(uint8_t *b, int32_t n) {
    b[0]++;
    b[n - 1]++;
    return n;
}
