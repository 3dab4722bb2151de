/*
 * What the runner's two files share: the channel's layout (the same numbers as
 * dev.dynload.internal.linux.Channel) and the table of functions calls name by index.
 */
#ifndef DYNLOAD_RUNNER_H
#define DYNLOAD_RUNNER_H
#include <stdint.h>
#include <stddef.h>

#define MAGIC 0x314e55524c4e5944ull /* "DYNLRUN1", little-endian */
#define VERSION 7
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
