/*
 * Test plugins that misbehave, for the host's isolated plugins: calls that segfault, abort, exit, loop
 * for ever, overflow their stack, print to stdout, fork, and count (to see a restart's fresh state); and
 * plugins whose init crashes, exits or hangs. Every one is an ordinary plugin: nothing in it knows it
 * runs in another process.
 */
#include "dynload_plugin.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(VARIANT_HOSTILE)
DLP_MANIFEST("id = com.example.hostile\n" "version = 1.0.0\n" "abi = 1..1\n"
             "provides = com.example.hostile/1.0: add = i32(i32, i32); noop = void(); greet = str(str); "
             "crash = i32(); abort_now = void(); exit_now = void(i32); spin = void(); overflow = i32(i32); "
             "print = void(str); count = i32(); pid = i64(); fork_sleeper = i32(); late_log = void(); "
             "scale = f64(f64, f32); address = ptr()\n");
#elif defined(VARIANT_CRASH_INIT)
DLP_MANIFEST("id = com.example.crashinit\n" "version = 1.0.0\n" "abi = 1..1\n");
#elif defined(VARIANT_EXIT_INIT)
DLP_MANIFEST("id = com.example.exitinit\n" "version = 1.0.0\n" "abi = 1..1\n");
#elif defined(VARIANT_HANG_INIT)
DLP_MANIFEST("id = com.example.hanginit\n" "version = 1.0.0\n" "abi = 1..1\n");
#endif

static const dlp_host *the_host;
static char greeting[256];
static int counter;

__attribute__((unused)) static int32_t add(int32_t a, int32_t b) { return a + b; }
__attribute__((unused)) static void noop(void) {}

__attribute__((unused)) static const char *greet(const char *who) {
    static __thread char buffer[512];
    snprintf(buffer, sizeof buffer, "%s, %s!", greeting, who);
    return buffer;
}

__attribute__((unused)) static int32_t crash(void) { return *(volatile int32_t *) 0; }
__attribute__((unused)) static void abort_now(void) { abort(); }
__attribute__((unused)) static void exit_now(int32_t status) { exit(status); }
__attribute__((unused)) static void spin(void) {
    for (;;) {
        __asm__ __volatile__("" ::: "memory");
    }
}

__attribute__((unused)) static int32_t overflow(int32_t n) {
    volatile char pad[4096];
    pad[0] = (char) n;
    return overflow(n + 1) + pad[0]; /* no base case: overflows the worker's stack */
}

__attribute__((unused)) static void print(const char *text) {
    printf("%s\n", text); /* a stray printf: not protocol, only a line in the host's log */
    fflush(stdout);
}

__attribute__((unused)) static int32_t count(void) { return __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST); }
__attribute__((unused)) static int64_t pid(void) { return (int64_t) getpid(); }

/* Forks a child that outlives the call (and holds the runner's stdout); returns its pid. */
__attribute__((unused)) static int32_t fork_sleeper(void) {
    pid_t child = fork();
    if (child == 0) {
        sleep(30);
        _exit(0);
    }
    return (int32_t) child;
}

/* A thread of its own that logs after the plugin's destroy: the host must refuse it, not crash. */
static pthread_t late;
static volatile int late_go;
__attribute__((unused)) static void *late_thread(void *unused) {
    (void) unused;
    while (!__atomic_load_n(&late_go, __ATOMIC_SEQ_CST)) {
        usleep(1000);
    }
    the_host->log(the_host, DLP_LOG_ERROR, "a message after destroy");
    return NULL;
}
__attribute__((unused)) static void late_log(void) { pthread_create(&late, NULL, late_thread, NULL); }

__attribute__((unused)) static double scale(double x, float by) { return x * by; }
__attribute__((unused)) static void *address(void) { return &counter; }

__attribute__((unused)) static const struct {
    dlp_interface header;
    int32_t (*add)(int32_t, int32_t);
    void (*noop)(void);
    const char *(*greet)(const char *);
    int32_t (*crash)(void);
    void (*abort_now)(void);
    void (*exit_now)(int32_t);
    void (*spin)(void);
    int32_t (*overflow)(int32_t);
    void (*print)(const char *);
    int32_t (*count)(void);
    int64_t (*pid)(void);
    int32_t (*fork_sleeper)(void);
    void (*late_log)(void);
    double (*scale)(double, float);
    void *(*address)(void);
} hostile_table = {{sizeof hostile_table, 0}, add, noop, greet, crash, abort_now, exit_now, spin, overflow, print,
                   count, pid, fork_sleeper, late_log, scale, address};

static int32_t init(const dlp_host *host, void **state) {
    the_host = host;
    *state = NULL;
#if defined(VARIANT_CRASH_INIT)
    return *(volatile int32_t *) 0;
#elif defined(VARIANT_EXIT_INIT)
    exit(42);
#elif defined(VARIANT_HANG_INIT)
    while (pause() != 0 || 1) {
    }
    return 0;
#else
    const char *g = host->config(host, "greeting");
    snprintf(greeting, sizeof greeting, "%s", g ? g : "Hello");
    host->log(host, DLP_LOG_INFO, "init in its own process");
    return 0;
#endif
}

static int32_t start(void *state) {
    (void) state;
    return 0;
}

static int32_t stop(void *state) {
    (void) state;
    return 0;
}

static void destroy(void *state) {
    (void) state;
    __atomic_store_n(&late_go, 1, __ATOMIC_SEQ_CST); /* a late thread, if any, logs after this returns */
}

static const dlp_interface *get_interface(void *state, const char *id, uint32_t major, uint32_t min_minor) {
    (void) state;
    (void) min_minor;
#if defined(VARIANT_HOSTILE)
    if (strcmp(id, "com.example.hostile") == 0 && major == 1) {
        return &hostile_table.header;
    }
#else
    (void) id;
    (void) major;
#endif
    return NULL;
}

static const dlp_plugin plugin = {sizeof(dlp_plugin), 0, init, start, stop, destroy, get_interface};
DLP_ENTRY(plugin)
