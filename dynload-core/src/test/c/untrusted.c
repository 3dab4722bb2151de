/* The isolated-library tests' library: functions that answer, and functions that crash, abort, exit,
 * loop for ever or overflow their stack, each the way an untrusted library would. */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int32_t add(int32_t a, int32_t b) { return a + b; }
void noop(void) { }
int64_t add6(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f) { return a + b + c + d + e + f; }
double mul(double a, double b) { return a * b; }
float addf(float a, float b) { return a + b; }
/* Integers and floating-point arguments interleaved: each class goes to its own registers. */
double mixed(int32_t i, double d, int64_t l, float f, int8_t b) { return i + d + (double) l + f + b; }
bool is_even(int32_t v) { return v % 2 == 0; }
int16_t neg16(int16_t v) { return (int16_t) -v; }
uint32_t get_pid(void) { return (uint32_t) getpid(); }

static volatile int32_t *nowhere;
int32_t crash(void) { return *nowhere; }
void abort_now(void) { abort(); }
void exit_with(int32_t status) { exit(status); }
int32_t printing(void) { printf("a stray printf on the runner's stdout\n"); fflush(stdout); return 7; }
void spin(void) { for (;;) { } }
static int deeper(volatile int n) { volatile char pad[4096]; pad[0] = (char) n; return deeper(n + 1) + pad[0]; }
int32_t overflow(void) { return deeper(0); }
int8_t neg8(int8_t v) { return (int8_t) -v; }
uint16_t next_char(uint16_t c) { return (uint16_t) (c + 1); }
double sum6(double a, double b, double c, double d, double e, double f) { return a + b + c + d + e + f; }
/* Says it is running (a file named by the process id), then never returns: for a close during a call. */
void announce_and_spin(void) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/dynload-spinning-%d", (int) getpid());
    FILE *f = fopen(path, "w");
    if (f) fclose(f);
    for (;;) { }
}
#include <string.h>
#include <ctype.h>
static char shout_buffer[256];
/* A string in, a string out: the out one in the library's own memory. */
const char *shout(const char *s) {
    size_t n = strlen(s) < 255 ? strlen(s) : 255;
    for (size_t k = 0; k < n; k++) shout_buffer[k] = (char) toupper((unsigned char) s[k]);
    shout_buffer[n] = 0;
    return shout_buffer;
}
int32_t length_of(const char *s, int32_t extra) { return s ? (int32_t) strlen(s) + extra : -1; }
const char *nothing(void) { return NULL; }
/* Returns its argument: the runner copies a string that lies in the slot itself. */
const char *same(const char *s) { return s; }
static char big[8192];
const char *too_long(void) { memset(big, 'x', sizeof big - 1); return big; }
/* Arrays: filled, read, and changed in place. */
void fill_squares(int32_t *out, int32_t n) { for (int32_t k = 0; k < n; k++) out[k] = k * k; }
double sum_doubles(const double *v, int32_t n) { double s = 0; for (int32_t k = 0; k < n; k++) s += v[k]; return s; }
int32_t reverse_bytes(uint8_t *b, int32_t n, const char *tag) {
    if (!b) return -1;
    for (int32_t k = 0; k < n / 2; k++) { uint8_t t = b[k]; b[k] = b[n - 1 - k]; b[n - 1 - k] = t; }
    return (int32_t) strlen(tag);
}
/* What a sandbox refuses: each returns 0 (or a count) on success, or -errno. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
int32_t open_inet_socket(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -errno;
    close(fd);
    return 0;
}
int32_t open_unix_socket(void) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return -errno;
    close(fd);
    return 0;
}
/* execve("/bin/true") in a forked child: the child's status, or -errno from a refused execve. */
int32_t run_true(void) {
    pid_t child = fork();
    if (child == 0) {
        char *argv[] = {"true", NULL};
        execve("/bin/true", argv, NULL);
        _exit(100 + errno);
    }
    int status = 0;
    waitpid(child, &status, 0);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
    return code >= 100 ? -(code - 100) : code;
}
int32_t write_file(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return -errno;
    int32_t r = write(fd, "x", 1) == 1 ? 0 : -errno;
    close(fd);
    return r;
}
/* Whether malloc gave `megabytes` MiB (touched, so they are real). */
int32_t allocate(int32_t megabytes) {
    size_t n = (size_t) megabytes << 20;
    char *p = malloc(n);
    if (!p) return 0;
    memset(p, 1, n);
    free(p);
    return 1;
}
/* Opens /dev/null up to n times; returns how many opened (then closes them). */
int32_t open_many(int32_t n) {
    int fds[1024];
    int opened = 0;
    for (int32_t k = 0; k < n && k < 1024; k++) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0) break;
        fds[opened++] = fd;
    }
    for (int k = 0; k < opened; k++) close(fds[k]);
    return opened;
}
/* Callbacks: Java functions the library calls during a call. */
#include <pthread.h>
int32_t apply_twice(int32_t (*f)(int32_t), int32_t x) { return f(f(x)); }
double integrate(double (*f)(double), double a, double b, int32_t n) {
    double h = (b - a) / n, s = 0;
    for (int32_t k = 0; k < n; k++) s += f(a + (k + 0.5) * h) * h;
    return s;
}
int32_t sum_with(int32_t (*f)(int32_t), int32_t n) {
    int32_t s = 0;
    for (int32_t k = 0; k < n; k++) s += f(k);
    return s;
}
float scale_with(float (*f)(float, int64_t), float x) { return f(x, 3); }
int32_t crash_after_callback(void (*f)(void)) { f(); return *nowhere; }
static int32_t (*thread_callback)(int32_t);
static int32_t thread_result;
static void *callback_thread(void *unused) { (void) unused; thread_result = thread_callback(1); return NULL; }
/* Calls f from a thread of its own, during the call: not carried to the host (f's result is 0). */
int32_t callback_from_thread(int32_t (*f)(int32_t)) {
    pthread_t t;
    thread_callback = f;
    pthread_create(&t, NULL, callback_thread, NULL);
    pthread_join(t, NULL);
    return thread_result;
}
/* Structs through pointers, and errno. */
typedef struct { int64_t seconds; int32_t micros; } stamp;
typedef struct { double x; double y; } point;
int32_t fill_stamp(stamp *s, int64_t seconds) {
    if (!s) return -1;
    s->seconds = seconds + s->seconds;
    s->micros = 250;
    return 0;
}
double length_squared(const point *p) { return p->x * p->x + p->y * p->y; }
int32_t open_missing(const char *path) {
    int fd = open(path, O_RDONLY);
    return fd < 0 ? -1 : (close(fd), 0);
}
/* A struct with an inline string: a value, which crosses. */
typedef struct { char name[16]; int32_t n; } named;
int32_t name_length(const named *p) { return (int32_t) strlen(p->name) + p->n; }

/*
 * Structs and unions by value, one of each way x86-64 System V passes them: in one or two integer
 * registers, in one or two SSE registers, mixed, in memory (on the stack, and returned through a hidden
 * pointer), and spilled to the stack when the registers left are too few.
 */
typedef struct { int32_t a; int32_t b; } pair;              /* INTEGER */
typedef struct { int64_t a; int64_t b; } wide;              /* INTEGER, INTEGER */
typedef struct { float a; float b; float c; } floats3;      /* SSE, SSE (two floats share one) */
typedef struct { int64_t n; double d; } tagged;             /* INTEGER, SSE */
typedef struct { double d; int32_t n; } weighted;           /* SSE, INTEGER */
typedef struct { int64_t a; int64_t b; int64_t c; } triple; /* MEMORY */
typedef union { int64_t i; double d; } number;              /* INTEGER: an int and a double share it */
typedef struct { char name[16]; int32_t n; } named_value;   /* MEMORY: an inline string, 20 bytes */
typedef struct { pair p; float f; } nested;                 /* INTEGER, SSE */

pair swap_pair(pair p) { pair r = {p.b, p.a}; return r; }
wide add_wide(wide x, wide y) { wide r = {x.a + y.a, x.b + y.b}; return r; }
floats3 scale3(floats3 v, float k) { floats3 r = {v.a * k, v.b * k, v.c * k}; return r; }
tagged retag(tagged t, int64_t add) { tagged r = {t.n + add, t.d * 2}; return r; }
weighted reweigh(weighted w) { weighted r = {w.d + 0.5, w.n * 3}; return r; }
triple rotate3(triple t) { triple r = {t.c, t.a, t.b}; return r; }
int64_t sum3(triple t, int32_t k) { return (t.a + t.b + t.c) * k; }
number as_number(int64_t bits) { number r; r.i = bits; return r; }
int64_t number_bits(number n) { return n.i; }
int32_t name_value_length(named_value v) { return (int32_t) strnlen(v.name, 16) + v.n; }
named_value make_name(int32_t n) { named_value v; memset(&v, 0, sizeof v); memcpy(v.name, "value", 5); v.n = n; return v; }
nested nest(nested n) { nested r = {{n.p.a + 1, n.p.b + 1}, n.f * 2}; return r; }
/* Five integer registers taken: the 16-byte wide no longer fits in the one left and goes to the stack; f takes r9. */
int64_t spill(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, wide w, int64_t f) {
    return a + b + c + d + e + w.a * 100 + w.b * 1000 + f * 10000;
}
/* A struct by value returned through memory beside a string argument and a callback. */
triple triple_with(const char *s, int32_t (*f)(int32_t)) { triple r = {(int64_t) strlen(s), f(2), 9}; return r; }

/* What the binding annotations ask of a call (IsolatedMarksTest). */
static int64_t square_table[64];
const int64_t *squares(int32_t n) {
    for (int32_t k = 0; k < n && k < 64; k++) square_table[k] = (int64_t) k * k;
    return n < 0 || n > 64 ? NULL : square_table;
}
static const char *name_table[] = {"alpha", "", NULL, "delta"};
const char **names(int32_t n) { (void) n; return name_table; }
static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
const uint8_t *magic_bytes(void) { return magic; }
static int32_t frees;
char *describe(int32_t n) { char *s = malloc(32); snprintf(s, 32, "described %d", n); return s; }
void describe_free(char *s) { free(s); frees++; }
int32_t freed_count(void) { return frees; }
/* Sums what the caller's array held (zeros for @Out), then writes 1, 2, 3... into it. */
int64_t fill_out(int32_t *out, int32_t n) {
    int64_t seen = 0;
    for (int32_t k = 0; k < n; k++) { seen += out[k]; out[k] = k + 1; }
    return seen;
}
/* Sums the array, then scribbles on it: an @In array's caller never sees that. */
int64_t sum_in(int32_t *in, int32_t n) {
    int64_t sum = 0;
    for (int32_t k = 0; k < n; k++) { sum += in[k]; in[k] = -1; }
    return sum;
}
uint32_t big_unsigned(void) { return 0xFFFFFFF0u; }
uint8_t next_u8(uint8_t v) { return (uint8_t) (v + 1); }
/* Enums as C ints: a level of 10, 20...; a color 0, 1, 2. */
int32_t next_level(int32_t level) { return level + 10; }
int32_t next_color(int32_t color) { return (color + 1) % 3; }
/* A struct pointer returned (@ByReference), NULL for a negative which. */
static const point points[2] = {{1.5, 2.5}, {3.0, 4.0}};
const point *point_at(int32_t which) { return which < 0 || which > 1 ? NULL : &points[which]; }
/* A sized pointer that fails with errno: NULL and ENOENT, or (void *) -1 and EINVAL. */
const uint8_t *magic_or_fail(int32_t how) {
    if (how == 0) return magic;
    errno = how == 1 ? ENOENT : EINVAL;
    return how == 1 ? NULL : (const uint8_t *) (intptr_t) -1;
}
/* A callback kept past its call: fired during later calls, and from a thread of the library's own. */
static int32_t (*kept_handler)(int32_t);
static double (*kept_scaler)(double);
void keep_handler(int32_t (*f)(int32_t), double (*g)(double)) { kept_handler = f; kept_scaler = g; }
int32_t fire(int32_t x) { return kept_handler ? kept_handler(x) : -1; }
double fire_scaler(double x) { return kept_scaler ? kept_scaler(x) : -1; }
static int32_t fired_on_thread;
static void *fire_thread(void *x) { fired_on_thread = kept_handler((int32_t) (intptr_t) x); return NULL; }
int32_t fire_from_thread(int32_t x) {
    pthread_t t;
    if (!kept_handler || pthread_create(&t, NULL, fire_thread, (void *) (intptr_t) x) != 0) return -1;
    pthread_join(t, NULL);
    return fired_on_thread;
}
