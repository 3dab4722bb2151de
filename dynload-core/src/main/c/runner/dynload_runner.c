/*
 * dynload-runner: runs an untrusted library in a process of its own, for dev.dynload.IsolatedLibrary.
 *
 * The host starts it for a library with:
 *   fd 3  the library, opened and checked by the host (exactly the bytes it verified)
 *   fd 4  the channel: a shared memory file the host made and laid out (see runner.h)
 *   argv[1] the host's process id, argv[2] the channel's protocol version the host speaks
 * or for plugins (plugins.c), with argv[3] "plugins" and argv[4] their count N:
 *   fd 3  the write end of a pipe for the plugins' log messages
 *   fd 4  the channel
 *   fd 5 .. 5+N-1  the plugins, each opened and checked by the host
 * and then the limits and sandbox the host asked for (sandbox.c), applied before any library code runs.
 * Nothing on stdout or stderr is protocol: the library may print what it likes.
 *
 * It dies with the host (PR_SET_PDEATHSIG, and a check that the parent is still the host), loads the
 * library from fd 3, says READY in the channel's header, then serves calls: one worker thread per slot,
 * each spinning briefly and then sleeping on its slot's futex word. A call is a function pointer taken
 * with dlsym and called through the register classes of the platform's C calling convention: up to six
 * integer or pointer arguments and up to six floating-point ones, which the x86-64 System V and AArch64
 * procedure call standards pass in separate registers whatever their order.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436 /* the same on x86-64 and AArch64; Linux 5.9 */
#endif

#include "runner.h"

static unsigned char *channel;
static uint32_t slot_count;
static uint32_t bulk_size;
static void *library;
static void *functions[MAX_FUNCTIONS];
static uint32_t function_count;
static pthread_mutex_t resolving = PTHREAD_MUTEX_INITIALIZER;

int32_t register_function(void *f) {
    pthread_mutex_lock(&resolving);
    int32_t index = -1;
    for (uint32_t k = 0; k < function_count; k++) {
        if (functions[k] == f) {
            index = (int32_t) k; /* bound again: the same index, so the table never fills by rebinding */
        }
    }
    if (index < 0 && function_count < MAX_FUNCTIONS) {
        uint32_t n = function_count;
        functions[n] = f;
        __atomic_store_n(&function_count, n + 1, __ATOMIC_RELEASE); /* publishes functions[n] */
        index = (int32_t) n;
    }
    pthread_mutex_unlock(&resolving);
    return index;
}

static void futex_wake(uint32_t *address) {
    syscall(SYS_futex, address, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void futex_wait(uint32_t *address, uint32_t expected) {
    syscall(SYS_futex, address, FUTEX_WAIT, expected, NULL, NULL, 0);
}

static void refuse(const char *why) {
    if (channel) {
        strncpy((char *) channel + H_MESSAGE, why, 191);
        __atomic_store_n(word(channel, H_STATE), 2, __ATOMIC_SEQ_CST);
        futex_wake(word(channel, H_STATE));
    }
    _exit(112);
}

/*
 * One call shape serves every signature: six integer registers, six SSE registers and, when a call
 * passes structs in memory, 32 eightbytes more, which land on the stack in order because the registers
 * are taken. The callee reads what it declares and ignores the rest.
 */
#define REGISTERS int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, double, double, double, double, double, double
#define STACK_TYPES                                                                                        \
    int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,     \
        int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, \
        int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t
#define REGISTER_VALUES                                                                                    \
    i[0], i[1], i[2], i[3], i[4], i[5], as_double(d[0]), as_double(d[1]), as_double(d[2]), as_double(d[3]), \
        as_double(d[4]), as_double(d[5])
#define STACK_VALUES                                                                                       \
    s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12], s[13], s[14], s[15],  \
        s[16], s[17], s[18], s[19], s[20], s[21], s[22], s[23], s[24], s[25], s[26], s[27], s[28], s[29],  \
        s[30], s[31]
/* Calls f as a function returning T, with the stack arguments only when there are some. */
#define INVOKE(T, f)                                                                                       \
    (stack ? ((T (*)(REGISTERS, STACK_TYPES)) (f))(REGISTER_VALUES, STACK_VALUES)                          \
           : ((T (*)(REGISTERS)) (f))(REGISTER_VALUES))

/* A struct returned in two registers: the call's type picks the registers, the two eightbytes are kept. */
#define TWO_EIGHTBYTES(T)                                                                                   \
    do {                                                                                                    \
        T r = INVOKE(T, f);                                                                                 \
        memcpy(&result, &r.first, 8);                                                                       \
        memcpy(&second, &r.second, 8);                                                                      \
    } while (0)

/* The four ways x86-64 returns a struct of two eightbytes: rax and rdx, xmm0 and xmm1, or one of each. */
typedef struct { int64_t first; int64_t second; } integer_integer;
typedef struct { double first; double second; } sse_sse;
typedef struct { int64_t first; double second; } integer_sse;
typedef struct { double first; int64_t second; } sse_integer;


/* Spins for about this many checks before sleeping: a hot caller's next call finds the worker awake. */
#define SPINS 20000

static void pause_once(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* ---- Java callbacks: calls back to the host on the slot of the call in progress ------------------- */

/* The slot this worker serves a call from, while it does: a callback made on this thread belongs to it. */
static __thread unsigned char *current_slot;

/*
 * Hands callback `k` (the argument position the host gave it) to the host, which waits for this call on
 * the same slot: the arguments in S_INT_ARGS and S_FLOAT_ARGS, state CALLBACK; then waits for
 * CALLBACK_DONE and returns S_RESULT. The host may call the library again meanwhile, on another slot.
 */
uint64_t call_back(int k, const int64_t *ints, const double *doubles) {
    int saved_errno = errno; /* the futex calls below must not change what the library's caller sees */
    unsigned char *slot = current_slot;
    /* A call's Java callback belongs to it: one kept and called during a later call is not it. */
    int stray = slot && k < 0x100 && (*word(slot, S_KIND) != 2 || !(*word(slot, S_CALLBACKS) & (1u << k)));
    if (!slot || stray) {
        static const char why[] = "dynload-runner: a Java callback was called from a thread the library started, "
                                  "or after its call returned; it is not carried to the host and returns 0\n";
        ssize_t ignored = write(2, why, sizeof why - 1);
        (void) ignored;
        errno = saved_errno;
        return 0;
    }
    memcpy(slot + S_INT_ARGS, ints, 6 * sizeof(int64_t));
    memcpy(slot + S_FLOAT_ARGS, doubles, 6 * sizeof(double));
    *word(slot, S_CALLBACK) = (uint32_t) k;
    uint32_t *state = word(slot, S_STATE);
    __atomic_store_n(state, CALLBACK, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(word(slot, S_HOST_SLEEPS), __ATOMIC_SEQ_CST)) {
        futex_wake(state);
    }
    uint32_t s = __atomic_load_n(state, __ATOMIC_SEQ_CST);
    for (int spin = 0; s != CALLBACK_DONE && spin < SPINS; spin++) {
        pause_once();
        s = __atomic_load_n(state, __ATOMIC_SEQ_CST);
    }
    while (s != CALLBACK_DONE) {
        __atomic_store_n(word(slot, S_RUNNER_SLEEPS), 1, __ATOMIC_SEQ_CST);
        s = __atomic_load_n(state, __ATOMIC_SEQ_CST);
        if (s != CALLBACK_DONE) {
            futex_wait(state, s);
        }
        __atomic_store_n(word(slot, S_RUNNER_SLEEPS), 0, __ATOMIC_SEQ_CST);
        s = __atomic_load_n(state, __ATOMIC_SEQ_CST);
    }
    uint64_t result;
    memcpy(&result, slot + S_RESULT, sizeof result);
    __atomic_store_n(state, RUNNING, __ATOMIC_SEQ_CST);
    errno = saved_errno;
    return result;
}

/*
 * One pair of trampolines per integer argument position: the C function pointer a callback argument
 * becomes (callback_int_K, callback_double_K).
 */
#define CALLBACK_TRAMPOLINES(K) REGISTER_TRAMPOLINES(callback, call_back, K)
/*
 * A kept callback called on a thread the library started (no call in progress on it): the thread takes
 * a free slot itself, puts the callback's number and arguments in it, marks it UPCALL and wakes the
 * host's upcall thread (H_UPCALLS), which runs the Java callback and marks it UPCALL_DONE; the thread
 * reads the result and frees the slot. If every slot is busy, it waits for one.
 */
static uint64_t upcall_from_thread(int k, const int64_t *ints, const double *doubles) {
    int saved_errno = errno;
    unsigned char *slot = NULL;
    unsigned waits = 0;
    while (!slot) {
        for (uint32_t s = 0; s < slot_count && !slot; s++) {
            unsigned char *candidate = channel + HEADER_SIZE + (size_t) s * SLOT_SIZE;
            uint32_t expected = FREE;
            if (__atomic_compare_exchange_n(word(candidate, S_STATE), &expected, CLAIMED, 0, __ATOMIC_SEQ_CST,
                                            __ATOMIC_SEQ_CST)) {
                slot = candidate;
            }
        }
        if (!slot && ++waits % 64 == 0) {
            struct timespec nap = {0, 100000}; /* every slot busy for a while: wait without taking a core */
            nanosleep(&nap, NULL);
        } else if (!slot) {
            sched_yield();
        }
    }
    memcpy(slot + S_INT_ARGS, ints, 6 * sizeof(int64_t));
    memcpy(slot + S_FLOAT_ARGS, doubles, 6 * sizeof(double));
    *word(slot, S_CALLBACK) = (uint32_t) k;
    uint32_t *state = word(slot, S_STATE);
    __atomic_store_n(state, UPCALL, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(word(channel, H_UPCALLS), 1, __ATOMIC_SEQ_CST);
    futex_wake(word(channel, H_UPCALLS));
    uint32_t s = __atomic_load_n(state, __ATOMIC_SEQ_CST);
    for (int spin = 0; s == UPCALL && spin < SPINS; spin++) {
        pause_once();
        s = __atomic_load_n(state, __ATOMIC_SEQ_CST);
    }
    while (s == UPCALL) {
        futex_wait(state, s); /* the host wakes the state word when it marks UPCALL_DONE */
        s = __atomic_load_n(state, __ATOMIC_SEQ_CST);
    }
    uint64_t result = 0;
    if (s == UPCALL_DONE) {
        memcpy(&result, slot + S_RESULT, sizeof result);
        uint32_t done = UPCALL_DONE;
        __atomic_compare_exchange_n(state, &done, FREE, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    errno = saved_errno;
    return result;
}

/* Kept callback K: through the slot of the call in progress on this thread, or, on a thread of the library's, an UPCALL. */
static uint64_t kept_call(int k, const int64_t *ints, const double *doubles) {
    return current_slot ? call_back(0x200 + k, ints, doubles) : upcall_from_thread(0x200 + k, ints, doubles);
}

#define KEPT_TRAMPOLINES(K) REGISTER_TRAMPOLINES(kept, kept_call, K)
#define KEPT_INT(K) kept_int_##K,
#define KEPT_DOUBLE(K) kept_double_##K,
NUMBERS_64(KEPT_TRAMPOLINES)
static void *const kept_ints[KEPT_MAX] = {NUMBERS_64(KEPT_INT)};
static void *const kept_doubles[KEPT_MAX] = {NUMBERS_64(KEPT_DOUBLE)};
CALLBACK_TRAMPOLINES(0) CALLBACK_TRAMPOLINES(1) CALLBACK_TRAMPOLINES(2)
CALLBACK_TRAMPOLINES(3) CALLBACK_TRAMPOLINES(4) CALLBACK_TRAMPOLINES(5)
static void *const int_callbacks[6] = {callback_int_0, callback_int_1, callback_int_2, callback_int_3,
                                       callback_int_4, callback_int_5};
static void *const double_callbacks[6] = {callback_double_0, callback_double_1, callback_double_2,
                                          callback_double_3, callback_double_4, callback_double_5};

/*
 * A result whose target the host asked for (@Count, @Size): S_COPY bytes from it (kind 9), or S_COPY
 * C strings through it (kind 10; each an i64 length, -1 for NULL, then its bytes, 8-aligned), into the
 * slot's bulk area at S_COPY_AT. S_RESULT_LENGTH gets the bytes written, or -2 when they do not fit.
 * A wrong count reads outside the library's array: this process may crash, the host does not.
 */
static void copy_result(unsigned char *slot, unsigned char *bulk, const void *from, uint32_t returns) {
    uint64_t n;
    memcpy(&n, slot + S_COPY, sizeof n);
    uint64_t at = *word(slot, S_COPY_AT);
    int64_t written = -2;
    if (at <= bulk_size && returns == 9 && n <= bulk_size - at) {
        memcpy(bulk + at, from, n);
        written = (int64_t) n;
    } else if (at <= bulk_size && returns == 10) {
        const char *const *strings = from;
        uint64_t used = at;
        uint64_t k = 0;
        for (; k < n; k++) {
            const char *text = strings[k];
            uint64_t room = bulk_size - used;
            int64_t length = text ? (int64_t) strnlen(text, room) : -1;
            uint64_t need = (8 + (uint64_t) (length > 0 ? length : 0) + 7) & ~(uint64_t) 7;
            if (room < 8 || need > room) {
                break;
            }
            memcpy(bulk + used, &length, sizeof length);
            if (length > 0) {
                memcpy(bulk + used + 8, text, (size_t) length);
            }
            used += need;
        }
        written = k == n ? (int64_t) (used - at) : -2;
    }
    memcpy(slot + S_RESULT_LENGTH, &written, sizeof written);
}

unsigned char *current_bulk(size_t *size) {
    unsigned char *slot = current_slot;
    if (!slot) {
        return NULL;
    }
    size_t index_of_slot = (size_t) (slot - channel - HEADER_SIZE) / SLOT_SIZE;
    *size = bulk_size;
    return channel + HEADER_SIZE + (size_t) slot_count * SLOT_SIZE + index_of_slot * bulk_size;
}

static void serve(unsigned char *slot) {
    uint32_t kind = *word(slot, S_KIND);
    *word(slot, S_ERROR) = 0;
    if (kind == 1) {
        char name[NAME_MAX_BYTES];
        memcpy(name, slot + S_NAME, NAME_MAX_BYTES);
        name[NAME_MAX_BYTES - 1] = 0;
        void *f = library ? dlsym(library, name) : NULL;
        int32_t index = f ? register_function(f) : -1;
        if (!f) {
            *word(slot, S_ERROR) = 1;
        } else if (index < 0) {
            *word(slot, S_ERROR) = 2;
        } else {
            *word(slot, S_FUNCTION) = (uint32_t) index;
        }
        return;
    }
    if (kind == 3) {
        current_slot = slot; /* a step may call a dependency in another process, back through the host */
        serve_plugin(slot);
        current_slot = NULL;
        return;
    }
    uint32_t index = *word(slot, S_FUNCTION);
    if (index >= __atomic_load_n(&function_count, __ATOMIC_ACQUIRE)) {
        *word(slot, S_ERROR) = 1;
        return;
    }
    void *f = functions[index];
    int64_t *i = (int64_t *) (slot + S_INT_ARGS);
    uint32_t pointers = *word(slot, S_POINTERS);
    uint32_t bulk_pointers = *word(slot, S_BULK_POINTERS);
    uint32_t callbacks = *word(slot, S_CALLBACKS);
    uint32_t kept = *word(slot, S_KEPT);
    /* This slot's bulk area: large arrays, after every slot. */
    size_t index_of_slot = (size_t) (slot - channel - HEADER_SIZE) / SLOT_SIZE;
    unsigned char *bulk = channel + HEADER_SIZE + (size_t) slot_count * SLOT_SIZE + index_of_slot * bulk_size;
    for (int k = 0; k < 6; k++) {
        if (pointers & (1u << k)) {
            i[k] = i[k] >= S_DATA && i[k] < SLOT_SIZE ? (int64_t) (intptr_t) (slot + i[k]) : 0;
        } else if (bulk_pointers & (1u << k)) {
            i[k] = i[k] >= 0 && (uint64_t) i[k] < bulk_size ? (int64_t) (intptr_t) (bulk + i[k]) : 0;
        } else if (callbacks & (1u << k)) {
            i[k] = (int64_t) (intptr_t) (callbacks & (1u << (k + 8)) ? double_callbacks[k] : int_callbacks[k]);
        } else if (kept & (1u << k)) {
            i[k] = i[k] >= 0 && i[k] < KEPT_MAX
                   ? (int64_t) (intptr_t) (kept & (1u << (k + 8)) ? kept_doubles[i[k]] : kept_ints[i[k]]) : 0;
        }
    }
    uint32_t stack = *word(slot, S_STACK);
    if (stack > STACK_MAX) {
        *word(slot, S_ERROR) = 3;
        strcpy((char *) slot + S_DATA, "more stack arguments than a call carries");
        return;
    }
    int64_t s[STACK_MAX]; /* read only when stack > 0 (INVOKE), so a hot call without any pays nothing */
    if (stack) {
        memset(s, 0, sizeof s);
        memcpy(s, slot + S_STACK_ARGS, stack * sizeof(int64_t));
    }
    uint64_t *d = (uint64_t *) (slot + S_FLOAT_ARGS);
    uint64_t result = 0;
    uint64_t second = 0;
    uint32_t returns = *word(slot, S_RETURN);
    current_slot = slot;
    errno = 0;
    if (returns == 4) { /* a string: its bytes copied back into the slot, up to the room there */
        const char *text = (const char *) (intptr_t) INVOKE(int64_t, f);
        int64_t length = -1;
        if (text) {
            length = (int64_t) strnlen(text, DATA_SIZE);
            memmove(slot + S_DATA, text, (size_t) (length < DATA_SIZE ? length : DATA_SIZE)); /* may be an argument's bytes */
        }
        int32_t error = errno;
        uint32_t free_with = *word(slot, S_FREE); /* @FreeWith: the string is the caller's to free */
        if (text && free_with && free_with <= __atomic_load_n(&function_count, __ATOMIC_ACQUIRE)) {
            ((void (*)(void *)) functions[free_with - 1])((void *) text);
        }
        memcpy(slot + S_ERRNO, &error, sizeof error);
        memcpy(slot + S_RESULT_LENGTH, &length, sizeof length);
        current_slot = NULL;
        return;
    }
    if (returns == 2 || returns == 3) {
        double r = INVOKE(double, f);
        memcpy(&result, &r, sizeof r); /* a float's bits are the low 32 of the register */
    } else if (returns == 5) {
        TWO_EIGHTBYTES(integer_integer);
    } else if (returns == 6) {
        TWO_EIGHTBYTES(sse_sse);
    } else if (returns == 7) {
        TWO_EIGHTBYTES(integer_sse);
    } else if (returns == 8) {
        TWO_EIGHTBYTES(sse_integer);
    } else {
        result = (uint64_t) INVOKE(int64_t, f);
    }
    int32_t error = errno; /* right after the call: nothing of the runner's ran in between */
    current_slot = NULL;
    if ((returns == 9 || returns == 10) && result && result != (uint64_t) -1) { /* NULL or (void *) -1: failed */
        copy_result(slot, bulk, (const void *) (intptr_t) result, returns);
    } else if (returns == 9 || returns == 10) {
        int64_t nothing = -1; /* nothing copied: not what an earlier call on this slot left */
        memcpy(slot + S_RESULT_LENGTH, &nothing, sizeof nothing);
    }
    memcpy(slot + S_ERRNO, &error, sizeof error);
    memcpy(slot + S_RESULT, &result, sizeof result);
    memcpy(slot + S_RESULT2, &second, sizeof second);
}

static void *worker(void *argument) {
    unsigned char *slot = argument;
    __atomic_add_fetch(word(channel, H_WORKERS), 1, __ATOMIC_SEQ_CST); /* the host prefers slots with a worker */
    uint32_t *state = word(slot, S_STATE);
    /*
     * Spins only after a call, when the next one is likely soon: a worker that has not served yet, or woke
     * without a request, sleeps at once. Sixteen workers spinning from the start would take both cores of
     * a small machine from the host just while it waits for READY.
     */
    int budget = 0;
    for (;;) {
        uint32_t s = __atomic_load_n(state, __ATOMIC_SEQ_CST);
        for (int spin = 0; s != REQUEST && spin < budget; spin++) {
            pause_once();
            s = __atomic_load_n(state, __ATOMIC_SEQ_CST);
        }
        if (s != REQUEST) {
            __atomic_store_n(word(slot, S_RUNNER_SLEEPS), 1, __ATOMIC_SEQ_CST);
            s = __atomic_load_n(state, __ATOMIC_SEQ_CST);
            if (s != REQUEST) {
                futex_wait(state, s);
            }
            __atomic_store_n(word(slot, S_RUNNER_SLEEPS), 0, __ATOMIC_SEQ_CST);
            budget = 0;
            continue;
        }
        __atomic_store_n(state, RUNNING, __ATOMIC_SEQ_CST);
        serve(slot);
        budget = SPINS;
        __atomic_store_n(state, DONE, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(word(slot, S_HOST_SLEEPS), __ATOMIC_SEQ_CST)) {
            futex_wake(state);
        }
    }
    return NULL;
}

/* Closes every descriptor from `from` up: close_range where the kernel has it (5.9), else each one listed. */
static void close_others(int from) {
    if (syscall(SYS_close_range, (unsigned) from, ~0u, 0) == 0) {
        return;
    }
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        for (int fd = from; fd < 65536; fd++) {
            close(fd);
        }
        return;
    }
    int mine = dirfd(d);
    int open_fds[4096];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 4096) {
        int fd = atoi(e->d_name);
        if (fd >= from && fd != mine) {
            open_fds[n++] = fd;
        }
    }
    closedir(d);
    for (int i = 0; i < n; i++) {
        close(open_fds[i]);
    }
}

/* Each worker's stack, guard page included: as glibc would give a thread by default. */
#define WORKER_STACK (8u << 20)
static unsigned char *worker_stacks;

/*
 * Reserves every worker's stack before READY, so that a memory limit (RLIMIT_AS) counts them at once and
 * refuses the start, by name, rather than end the process later when a call has taken the room; each
 * stack's lowest page is a guard, so an overflow is a SIGSEGV. False if the room is not there.
 */
static int reserve_stacks(uint32_t slots) {
    long page = sysconf(_SC_PAGESIZE);
    void *m = mmap(NULL, (size_t) slots * WORKER_STACK, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        return 0;
    }
    worker_stacks = m;
    for (uint32_t s = 0; s < slots; s++) {
        if (mprotect(worker_stacks + (size_t) s * WORKER_STACK, (size_t) page, PROT_NONE) != 0) {
            return 0;
        }
    }
    return 1;
}

/* Starts the worker of slot s on its reserved stack; false if no thread could be made. */
static int start_worker(uint32_t s) {
    long page = sysconf(_SC_PAGESIZE);
    pthread_t t;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstack(&attributes, worker_stacks + (size_t) s * WORKER_STACK + (size_t) page,
                          WORKER_STACK - (size_t) page);
    int ok = pthread_create(&t, &attributes, worker, channel + HEADER_SIZE + (size_t) s * SLOT_SIZE) == 0;
    pthread_attr_destroy(&attributes);
    return ok;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "dynload-runner: started by dynload, not by hand\n");
        return 2;
    }
    pid_t host = (pid_t) atol(argv[1]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != host) {
        _exit(111); /* the host died before the death signal was armed */
    }
    int plugins = -1;
    int options = 3; /* the limits and sandbox (sandbox.c) follow the mode */
    if (argc >= 5 && strcmp(argv[3], "plugins") == 0) {
        plugins = atoi(argv[4]);
        options = 5;
        if (plugins < 1 || plugins > 64) {
            _exit(114); /* started by a host this runner does not understand */
        }
    }
    close_others(plugins > 0 ? 5 + plugins : 5); /* nothing of the host's but what it handed over */
    struct stat st;
    if (fstat(4, &st) != 0 || st.st_size < HEADER_SIZE) {
        _exit(113);
    }
    channel = mmap(NULL, (size_t) st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, 4, 0);
    if (channel == MAP_FAILED) {
        channel = NULL;
        _exit(113);
    }
    close(4); /* the mapping stays */
    uint64_t magic;
    memcpy(&magic, channel + H_MAGIC, sizeof magic);
    char why[192];
    if (magic != MAGIC || *word(channel, H_VERSION) != VERSION || (uint32_t) atol(argv[2]) != VERSION) {
        snprintf(why, sizeof why, "the host speaks channel version %s with magic %llx; this runner speaks %d",
                 argv[2], (unsigned long long) magic, VERSION);
        refuse(why);
    }
    if (*word(channel, H_HEADER_SIZE) != HEADER_SIZE || *word(channel, H_SLOT_SIZE) != SLOT_SIZE) {
        snprintf(why, sizeof why, "the host lays out a %u-byte header and %u-byte slots; this runner, %d and %d",
                 *word(channel, H_HEADER_SIZE), *word(channel, H_SLOT_SIZE), HEADER_SIZE, SLOT_SIZE);
        refuse(why);
    }
    uint32_t slots = *word(channel, H_SLOTS);
    uint32_t bulk = *word(channel, H_BULK_SIZE);
    if (slots == 0 || HEADER_SIZE + (uint64_t) slots * (SLOT_SIZE + (uint64_t) bulk) > (uint64_t) st.st_size) {
        refuse("the channel is smaller than its slots");
    }
    slot_count = slots;
    bulk_size = bulk;
    if (apply_sandbox(argc, argv, options, plugins > 0 ? 3 : -1, why, sizeof why) != 0) {
        refuse(why);
    }
    if (plugins > 0) {
        fcntl(3, F_SETFD, FD_CLOEXEC); /* the log pipe: a process a plugin starts must not write records */
        const char *e = load_plugins(5, plugins, 3);
        if (e) {
            refuse(e);
        }
    } else {
        library = dlopen("/proc/self/fd/3", RTLD_NOW | RTLD_LOCAL);
        if (!library) {
            const char *e = dlerror();
            refuse(e ? e : "dlopen failed");
        }
        close(3);
    }
    *word(channel, H_RUNNER_PID) = (uint32_t) getpid();
    /*
     * The first slot's worker before READY, the others after: creating sixteen threads with 8 MiB stacks
     * takes a few milliseconds on a small VM, which the host need not wait for. A request in a slot whose
     * worker is not there yet waits in its slot: the worker serves it when it starts (it reads the state
     * before it ever sleeps).
     */
    if (!reserve_stacks(slots)) {
        snprintf(why, sizeof why, "no room for the worker threads' stacks (%u of 8 MiB): the memory limit is too low",
                 slots);
        refuse(why);
    }
    if (!start_worker(0)) {
        refuse("cannot start a worker thread");
    }
    __atomic_store_n(word(channel, H_STATE), 1, __ATOMIC_SEQ_CST);
    futex_wake(word(channel, H_STATE));
    for (uint32_t s = 1; s < slots; s++) {
        if (!start_worker(s)) {
            /* Too late to refuse: end, so that the host reports the end rather than a call that waits. */
            fprintf(stderr, "dynload-runner: cannot start the worker thread of slot %u; ending\n", s);
            _exit(113);
        }
    }
    for (;;) {
        pause(); /* every slot has a thread of its own, with a bounded stack; this one only waits */
    }
}
