/* The mapping tests' library: struct out-parameters, arrays inside structs, out-only arrays, callbacks
 * taking and returning structs by value, and the functions the bad-input tests call. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct { int64_t sec; int64_t usec; } stamp;
typedef struct { int32_t x; int32_t y; double weight; } point;
typedef struct { int32_t id; double values[4]; char name[16]; } sample;
typedef point (*point_map)(point);
typedef double (*point_measure)(point);
typedef int32_t (*row_fn)(void *ctx, int32_t n, char **values);

/* An out-parameter: writes the whole struct, reads nothing. */
int32_t m_stamp(stamp *s) {
    if (!s) return -1;
    s->sec = 1700000000;
    s->usec = 123456;
    return 0;
}

/* An in-out parameter: adds microseconds, carrying into seconds. */
int32_t m_stamp_add(stamp *s, int64_t usec) {
    s->usec += usec;
    s->sec += s->usec / 1000000;
    s->usec %= 1000000;
    return 0;
}

/* A const struct pointer, only read. */
int64_t m_stamp_micros(const stamp *s) { return s->sec * 1000000 + s->usec; }

sample m_sample(int32_t id) {
    sample s = { id, { 0.5 * id, 1.5, 2.5, 3.5 }, "" };
    snprintf(s.name, sizeof s.name, "sample-%d", id);
    return s;
}

double m_sample_sum(const sample *s) {
    double sum = s->id;
    for (int i = 0; i < 4; i++) sum += s->values[i];
    return sum;
}

int32_t m_sample_name_length(sample s) { return (int32_t) strnlen(s.name, sizeof s.name); }

/* Returns the sum of what it found in out (zeros for an out-only array), then fills it. */
int32_t m_fill_squares(int32_t *out, size_t n) {
    int32_t found = 0;
    for (size_t i = 0; i < n; i++) {
        found += out[i];
        out[i] = (int32_t) (i * i);
    }
    return found;
}

point m_map_point(point_map f, point p) { return f(p); }

double m_measure(point_measure f, int32_t x) {
    point p = { x, 2 * x, 0.25 };
    return f(p);
}

void m_run(void (*f)(void)) { f(); }

/* Calls back once per row, as sqlite3_exec does; stops when the callback returns non-zero. */
int32_t m_rows(row_fn f, void *ctx, int32_t rows) {
    static char *cells[3][2] = { { "1", "one" }, { "2", "two" }, { "3", "three" } };
    for (int32_t r = 0; r < rows && r < 3; r++) {
        if (f(ctx, 2, cells[r]) != 0) return 4; /* SQLITE_ABORT */
    }
    return 0;
}

size_t m_strlen(const char *s) { return strlen(s); }
int32_t m_sum_ints(int32_t n, ...) { return n; }

/* Unsigned values at the top of their ranges. */
uint8_t m_u8_max(void) { return UINT8_MAX; }
uint16_t m_u16_max(void) { return UINT16_MAX; }
uint32_t m_u32_max(void) { return UINT32_MAX; }
uint32_t m_u32_half(uint32_t v) { return v / 2; }
uint8_t m_u8_next(uint8_t v) { return (uint8_t) (v + 1); }

/* A union, alone and inside a struct. */
typedef union { int32_t i; float f; double d; } number;
typedef struct { int32_t tag; number value; } tagged;

double m_number_read(number n, int32_t member) {
    return member == 0 ? (double) n.i : member == 1 ? (double) n.f : n.d;
}

number m_number_of_float(float f) {
    number n;
    memset(&n, 0, sizeof n);
    n.f = f;
    return n;
}

double m_tagged_read(tagged t) { return m_number_read(t.value, t.tag); }

/* A callback that returns a pointer, handed back to the caller. */
void *m_call_pointer(void *(*f)(void)) { return f(); }

/* Fills squares into out; n is unsigned, for a conversion that can fail after out is copied. */
int32_t m_fill_u32(int32_t *out, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) out[i] = (int32_t) (i * i);
    return (int32_t) n;
}

int64_t m_sum(const int64_t *v, size_t n) {
    int64_t s = 0;
    for (size_t i = 0; i < n; i++) s += v[i];
    return s;
}

/* Calls back, then writes to the struct it was given as const. */
int32_t m_stamp_after(stamp *s, void (*f)(void)) {
    f();
    s->sec = 1;
    return 0;
}

/* Results whose length the caller's argument gives. */
static int64_t squares[8] = { 0, 1, 4, 9, 16, 25, 36, 49 };
static char *words[3] = { "alpha", "beta", "gamma" };
int64_t *m_squares(int32_t n) { return n <= 8 ? squares : NULL; }
char **m_words(int16_t n) { return n <= 3 ? words : NULL; }

/* A table of function pointers, size first, in two versions: version 1 has add only. */
static int32_t t_add(int32_t a, int32_t b) { return a + b; }
static int32_t t_twice(int32_t a) { return 3 * a; } /* not 2a: tells C's from Java's default */
static int32_t t_mul(int32_t a, int32_t b) { return a * b; }
typedef struct { uint32_t size; uint32_t minor; int32_t (*add)(int32_t, int32_t); int32_t (*twice)(int32_t);
                 int32_t (*mul)(int32_t, int32_t); } calc_table;
static const calc_table calc_v1 = { 8 + sizeof(void *), 1, t_add, NULL, NULL };
static const calc_table calc_v2 = { sizeof(calc_table), 2, t_add, t_twice, t_mul };
const calc_table *m_calc(int32_t minor) { return minor == 1 ? &calc_v1 : &calc_v2; }
