/*
 * What the runner's two files share: the channel's layout (the same numbers as
 * dev.dynload.internal.linux.Channel) and the table of functions calls name by index.
 */
#ifndef DYNLOAD_RUNNER_H
#define DYNLOAD_RUNNER_H
#include <stdint.h>
#include <stddef.h>

#include <string.h>

/* The bits of a floating-point register as a double (a float's bits are its low 32). */
static inline double as_double(uint64_t bits) {
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/*
 * A pair of trampolines, NAME_int_K and NAME_double_K: C function pointers of the register classes (six
 * integers, six doubles), whatever signature they stand for, which hand their registers to
 * DISPATCH(K, ints, doubles) and return its result in the integer or the floating-point register. Java
 * callbacks, kept callbacks and a dependency's remote functions are each made of them.
 */
#define REGISTER_TRAMPOLINES(NAME, DISPATCH, K)                                                            \
    static int64_t NAME##_int_##K(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,        \
                                  double x, double y, double z, double u, double v, double w) {           \
        int64_t i[6] = {a, b, c, d, e, f};                                                                \
        double r[6] = {x, y, z, u, v, w};                                                                 \
        return (int64_t) DISPATCH(K, i, r);                                                               \
    }                                                                                                     \
    static double NAME##_double_##K(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,      \
                                    double x, double y, double z, double u, double v, double w) {         \
        int64_t i[6] = {a, b, c, d, e, f};                                                                \
        double r[6] = {x, y, z, u, v, w};                                                                 \
        return as_double(DISPATCH(K, i, r));                                                              \
    }

/* The numbers 0 to 63, and 0 to 127, each given to M: to make numbered trampolines and list them. */
#define NUMBERS_64(M) \
    M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15) M(16) M(17) \
    M(18) M(19) M(20) M(21) M(22) M(23) M(24) M(25) M(26) M(27) M(28) M(29) M(30) M(31) M(32) M(33) \
    M(34) M(35) M(36) M(37) M(38) M(39) M(40) M(41) M(42) M(43) M(44) M(45) M(46) M(47) M(48) M(49) \
    M(50) M(51) M(52) M(53) M(54) M(55) M(56) M(57) M(58) M(59) M(60) M(61) M(62) M(63)
#define NUMBERS_128(M) NUMBERS_64(M) \
    M(64) M(65) M(66) M(67) M(68) M(69) M(70) M(71) M(72) M(73) M(74) M(75) M(76) M(77) M(78) M(79) \
    M(80) M(81) M(82) M(83) M(84) M(85) M(86) M(87) M(88) M(89) M(90) M(91) M(92) M(93) M(94) M(95) \
    M(96) M(97) M(98) M(99) M(100) M(101) M(102) M(103) M(104) M(105) M(106) M(107) M(108) M(109) \
    M(110) M(111) M(112) M(113) M(114) M(115) M(116) M(117) M(118) M(119) M(120) M(121) M(122) M(123) \
    M(124) M(125) M(126) M(127)

#define MAGIC 0x314e55524c4e5944ull /* "DYNLRUN1", little-endian */
#define VERSION 8
#define HEADER_SIZE 256
#define SLOT_SIZE 4096
#define NAME_MAX_BYTES 256
#define MAX_FUNCTIONS 4096

/* header offsets */
#define H_MAGIC 0          /* u64 */
#define H_VERSION 8        /* u32 */
#define H_HEADER_SIZE 12   /* u32 */
#define H_SLOT_SIZE 16     /* u32 */
#define H_SLOTS 20         /* u32 */
#define H_STATE 24         /* u32, futex: 0 starting, 1 ready, 2 refused */
#define H_RUNNER_PID 28    /* u32 */
#define H_BULK_SIZE 32     /* u32: the bytes of each slot's bulk area, after all the slots */
#define H_WORKERS 36       /* u32: the worker threads started so far (a hint: they start in slot order, mostly) */
#define H_UPCALLS 40       /* u32, futex: bumped each time a thread of the library's puts an UPCALL in a slot */
#define H_MESSAGE 64       /* char[192]: why the runner refused */

/* slot offsets */
#define S_STATE 0          /* u32, futex */
#define S_RUNNER_SLEEPS 4  /* u32 */
#define S_HOST_SLEEPS 8    /* u32 */
#define S_KIND 12          /* u32: 1 resolve, 2 call, 3 a plugin's lifecycle step (plugins.c) */
#define S_FUNCTION 16      /* u32: the function's index, from a resolve; for kind 3, the plugin's */
#define S_RETURN 20        /* u32: 0 void, 1 integer, 2 double, 3 float, 4 string; a struct of two eightbytes
                              (x86-64): 5 integer, integer; 6 SSE, SSE; 7 integer, SSE; 8 SSE, integer;
                              a pointer whose target is copied back: 9 S_COPY bytes, 10 S_COPY strings */
#define S_INTS 24          /* u32: integer arguments given */
#define S_FLOATS 28        /* u32: floating-point arguments given, each a double or a float's bits */
#define S_INT_ARGS 32      /* i64[6] */
#define S_FLOAT_ARGS 80    /* u64[6], the bits of doubles (or floats in the low 32 bits) */
#define S_RESULT 128       /* u64 */
#define S_ERROR 136        /* u32: 0 ok, 1 no such function, 2 too many functions, 3 refused (why in S_DATA) */
#define S_POINTERS 140     /* u32: bit k set: integer argument k is an offset into this slot, to make an address */
#define S_RESULT_LENGTH 144 /* i64: a returned string's length in bytes, -1 for NULL; for results 9 and 10, the
                               bytes copied, -2 when they did not fit */
#define S_BULK_POINTERS 152 /* u32: bit k set: integer argument k is an offset into the slot's bulk area */
#define S_CALLBACKS 156    /* u32: bit k set: integer argument k is a Java callback (bit k+8: it returns a double or float) */
#define S_CALLBACK 160     /* u32: the argument position of the callback being called back; its arguments reuse
                              S_INT_ARGS and S_FLOAT_ARGS, its result S_RESULT (the call's were read already) */
#define S_ERRNO 164        /* i32: errno as the call left it (0 before the call), for @Errno */
#define S_STACK 168        /* u32: the eightbytes of stack arguments a call passes (structs in memory), at most 32 */
#define S_RESULT2 176      /* u64: a two-eightbyte struct's second eightbyte (S_RESULT its first) */
#define S_COPY 184         /* u64: for results 9 and 10, the bytes (9) or strings (10) to copy from the pointer */
#define S_COPY_AT 192      /* u32: where in the slot's bulk area the copy goes */
#define S_FREE 196         /* u32: for a string result, 1 + the index of the function to free it with; 0 none */
#define S_KEPT 200         /* u32: bit k set: integer argument k is the number of a kept callback (bit k+8: it
                              returns a double or float), whose trampoline the runner puts there */
#define S_NAME 256         /* char[256]: a resolve's symbol name */
#define S_STACK_ARGS 256   /* i64[32]: a call's stack arguments, in order (a call has no name) */
#define STACK_MAX 32
#define S_DATA 512         /* the bytes arguments point to (strings), and a returned string's copy */
#define DATA_SIZE (SLOT_SIZE - S_DATA)


/* slot states */
enum { FREE = 0, CLAIMED = 1, REQUEST = 2, RUNNING = 3, DONE = 4, DEAD = 5, CALLBACK = 6, CALLBACK_DONE = 7,
       UPCALL = 8, UPCALL_DONE = 9 };

/* Kept callbacks (an Arena parameter in Java): trampolines that outlive their call, numbered by the host. */
#define KEPT_MAX 64

static inline uint32_t *word(unsigned char *base, size_t at) { return (uint32_t *) (base + at); }

/* Adds a function to the table calls name by index: its index, or -1 when the table is full. */
int32_t register_function(void *f);

/*
 * Calls back to the host on the slot this thread serves (dynload_runner.c): `which` 0..5 is a Java callback
 * argument, 0x100 + K a function of a dependency in another process (plugins.c's remote trampoline K).
 * Returns 0, saying so on stderr, on a thread that serves no call.
 */
uint64_t call_back(int which, const int64_t *ints, const double *doubles);

/*
 * The bulk area of the slot this thread serves a call from, and its size in *size; NULL on a thread that
 * serves none. A dependency's strings cross through it (plugins.c).
 */
unsigned char *current_bulk(size_t *size);

/* Plugin mode (plugins.c): loads the plugins of descriptors first..first+count-1; 0, or why not. */
const char *load_plugins(int first, int count, int log_fd);
/* Serves a kind-3 request: one lifecycle step of one plugin. */
void serve_plugin(unsigned char *slot);

/*
 * Applies the limits and sandbox of the options argv[first..argc) (sandbox.c); denials are reported on
 * log_fd (a plugin-mode log pipe) or, when it is -1, on stderr. 0, or -1 with why.
 */
int apply_sandbox(int argc, char **argv, int first, int log_fd, char *why, size_t size);

#endif
