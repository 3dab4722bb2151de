/* The binding tests' library: one or more functions per row of the type table in docs/binding.md. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { int32_t x; int32_t y; double weight; } point;
typedef struct { int8_t tag; int64_t value; int16_t small; } padded;
typedef struct { point from; point to; } line;
typedef int32_t (*binop)(int32_t, int32_t);

int32_t b_answer(void) { return 42; }
int32_t b_add(int32_t a, int32_t b) { return a + b; }
int8_t b_neg_i8(int8_t v) { return (int8_t) -v; }
int16_t b_neg_i16(int16_t v) { return (int16_t) -v; }
uint16_t b_next_char(uint16_t c) { return (uint16_t) (c + 1); }
int64_t b_mul_i64(int64_t a, int64_t b) { return a * b; }
float b_half_f32(float v) { return v / 2; }
double b_half_f64(double v) { return v / 2; }
bool b_not(bool v) { return !v; }
long b_twice_long(long v) { return v * 2; }
size_t b_strlen(const char *s) { return s ? strlen(s) : (size_t) -1; }
void b_nothing(void) { }

const char *b_greet(void) { return "Hello from the binding fixture!"; }
const char *b_echo(const char *s) { return s; }
const char *b_null(void) { return NULL; }

static int frees;
char *b_upper_dup(const char *s) {
    char *copy = strdup(s);
    for (char *p = copy; *p; p++) {
        if (*p >= 'a' && *p <= 'z') *p = (char) (*p - 'a' + 'A');
    }
    return copy;
}
void b_free(char *p) { free(p); frees++; }
int32_t b_frees(void) { return frees; }

void *b_id_ptr(void *p) { return p; }
int64_t b_sum_i64(const int64_t *v, size_t n) {
    int64_t s = 0;
    for (size_t i = 0; i < n; i++) s += v[i];
    return s;
}
void b_fill_i32(int32_t *out, size_t n, int32_t start) {
    for (size_t i = 0; i < n; i++) out[i] = start + (int32_t) i;
}
void b_scale_f64(double *v, size_t n, double k) {
    for (size_t i = 0; i < n; i++) v[i] *= k;
}
int32_t b_bytes_sum(const uint8_t *b, int32_t n) {
    int32_t s = 0;
    for (int32_t i = 0; i < n; i++) s += b[i];
    return s;
}
int32_t b_divmod(int32_t a, int32_t b, int32_t *q, int32_t *r) {
    if (b == 0) return -1;
    *q = a / b;
    *r = a % b;
    return 0;
}
static int32_t handle_target = 7;
int32_t b_open_handle(const char *name, void **out) {
    if (!name || !*name) { *out = NULL; return 1; }
    *out = &handle_target;
    return 0;
}
int32_t b_read_handle(void *h) { return *(int32_t *) h; }

point b_point_scale(point p, int32_t k) {
    point r = { p.x * k, p.y * k, p.weight * k };
    return r;
}
double b_point_sum(const point *p) { return p ? p->x + p->y + p->weight : -1; }
static point shared_point = { 3, 4, 0.5 };
point *b_point_shared(void) { return &shared_point; }
point *b_point_none(void) { return NULL; }
padded b_padded_bump(padded p) { p.tag++; p.value++; p.small++; return p; }
int32_t b_padded_layout(void) {
    return (int32_t) (offsetof(padded, value) * 10000 + offsetof(padded, small) * 100 + sizeof(padded));
}
line b_line_reverse(line l) { line r = { l.to, l.from }; return r; }

int32_t b_apply(binop f, int32_t a, int32_t b) { return f(a, b); }
/* Writes out, calls back (the callback may make calls of its own), then writes out again. */
int32_t b_fill_around(int32_t *out, size_t n, binop f) {
    for (size_t i = 0; i < n; i++) out[i] = (int32_t) i;
    int32_t r = f(1, 2);
    for (size_t i = 0; i < n; i++) out[i] += 100;
    return r;
}
int32_t b_apply_many(binop f, int32_t n) {
    int32_t acc = 0;
    for (int32_t i = 0; i < n; i++) acc = f(acc, i);
    return acc;
}
static binop saved;
void b_register(binop f) { saved = f; }
int32_t b_call_registered(int32_t a, int32_t b) { return saved ? saved(a, b) : -1; }

int32_t b_next_color(int32_t c) { return (c + 1) % 3; }
int32_t b_toggle_level(int32_t level) { return level == 10 ? 20 : 10; }
int32_t b_bad_level(void) { return 99; }

int32_t b_sum_ints(int32_t n, ...) {
    va_list ap;
    va_start(ap, n);
    int32_t s = 0;
    for (int32_t i = 0; i < n; i++) s += va_arg(ap, int32_t);
    va_end(ap);
    return s;
}
int32_t b_format(char *buf, size_t size, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    int32_t n = vsnprintf(buf, size, format, ap);
    va_end(ap);
    return n;
}

int32_t b_fail(int32_t code) { errno = code; return -1; }
int32_t b_succeed(void) { errno = 0; return 5; }
void *b_fail_ptr(int32_t code) { errno = code; return NULL; }
