/*
 * Test plugins for reload: a key-value store that hands its entries to the copy that replaces it (ABI
 * 1.1 save and restore). Each variant is one build of com.example.store; the test puts one file after
 * another at the same path and reloads. The copy that saved counts the calls that still reach it: none
 * may, and its stop says how many did. block() waits, in the old copy, until the test lets it go, so that
 * a call is in flight while a reload runs; the test reaches reload_* by opening the first copy's file.
 * Named semaphores (one set per process) are shared by every copy, which have globals of their own.
 */
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "dynload_plugin.h"

#if defined(VARIANT_STORE_V1)
#define VERSION 1
#define VERSION_TEXT "1.0.0"
#elif defined(VARIANT_STORE_V1_0_ABI)
#define VERSION 3
#define VERSION_TEXT "3.0.0"
#define NO_HANDOFF
#elif defined(VARIANT_STORE_OTHER_ID)
#define VERSION 9
#define VERSION_TEXT "9.0.0"
#define OTHER_ID
#else
#define VERSION 2
#define VERSION_TEXT "2.0.0"
#endif

#ifdef OTHER_ID
DLP_MANIFEST("id = com.example.notstore\n" "version = " VERSION_TEXT "\n" "abi = 1..1\n");
#elif defined(VARIANT_STORE_ABI2)
DLP_MANIFEST("id = com.example.store\n" "version = " VERSION_TEXT "\n" "abi = 2..2\n");
#else
DLP_MANIFEST("id = com.example.store\n" "version = " VERSION_TEXT "\n" "abi = 1..1\n"
             "provides = com.example.store/1.0: put = i32(i32, i32); get = i32(i32); count = i32(); "
             "version = i32(); block = i32()\n");
#endif

#define KEYS 65536
static const dlp_host *the_host;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int32_t values[KEYS];
static unsigned char present[KEYS];
static int32_t entries;
/* Set by save: from then on no call may reach this copy. */
static volatile int saved;
static volatile long late;

static void seen(void) {
    if (saved) {
        __atomic_add_fetch(&late, 1, __ATOMIC_RELAXED);
    }
}

static int32_t put(int32_t key, int32_t value) {
    seen();
    if (key < 0 || key >= KEYS) {
        return -1;
    }
    pthread_mutex_lock(&lock);
    if (!present[key]) {
        present[key] = 1;
        entries++;
    }
    values[key] = value;
    pthread_mutex_unlock(&lock);
    return 0;
}

static int32_t get(int32_t key) {
    seen();
    if (key < 0 || key >= KEYS) {
        return -1;
    }
    pthread_mutex_lock(&lock);
    int32_t v = present[key] ? values[key] : -1;
    pthread_mutex_unlock(&lock);
    return v;
}

static int32_t count(void) {
    seen();
    pthread_mutex_lock(&lock);
    int32_t n = entries;
    pthread_mutex_unlock(&lock);
    return n;
}

static int32_t version(void) {
    seen();
    return VERSION;
}

static sem_t *named(const char *what) {
    char name[64];
    snprintf(name, sizeof name, "/dlp-reload-%d-%s", (int) getpid(), what);
    sem_t *s = sem_open(name, O_CREAT, 0600, 0);
    return s == SEM_FAILED ? NULL : s;
}

/* Waits, in this copy, until the test calls reload_release(); returns this copy's version. */
static int32_t block(void) {
    seen();
    sem_post(named("entered"));
    while (sem_wait(named("released")) != 0) {
    }
    return VERSION;
}

DLP_EXPORT void reload_wait_entered(void) {
    while (sem_wait(named("entered")) != 0) {
    }
}

DLP_EXPORT void reload_wait_initialised(void) {
    while (sem_wait(named("initialised")) != 0) {
    }
}

DLP_EXPORT void reload_release(void) { sem_post(named("released")); }

__attribute__((unused)) static const struct {
    dlp_interface header;
    int32_t (*put)(int32_t, int32_t);
    int32_t (*get)(int32_t);
    int32_t (*count)(void);
    int32_t (*version)(void);
    int32_t (*block)(void);
} table = { { sizeof table, 0 }, put, get, count, version, block };

static int32_t init(const dlp_host *host, void **state) {
    the_host = host;
    *state = NULL;
    sem_post(named("initialised"));
#ifdef VARIANT_STORE_INIT_FAILS
    host->log(host, DLP_LOG_ERROR, "no store configured");
    return 3;
#endif
    return 0;
}

static int32_t start(void *state) {
    (void) state;
#ifdef VARIANT_STORE_CRASH_START
    /* Only ever run out of process: the new copy's process ends, and the old copy serves on. */
    raise(SIGSEGV);
#endif
#ifdef VARIANT_STORE_START_FAILS
    the_host->log(the_host, DLP_LOG_ERROR, "cannot start the store");
    return 4;
#endif
    return 0;
}

static int32_t stop(void *state) {
    (void) state;
    if (late > 0) {
        char message[96];
        snprintf(message, sizeof message, "%ld calls reached this copy after its save", (long) late);
        the_host->log(the_host, DLP_LOG_ERROR, message);
        return 1;
    }
    return 0;
}

static void destroy(void *state) { (void) state; }

static const dlp_interface *get_interface(void *state, const char *id, uint32_t major, uint32_t min_minor) {
    (void) state;
    if (strcmp(id, "com.example.store") == 0 && major == 1 && min_minor == 0) {
        return &table.header;
    }
    return NULL;
}

/* The state: "STORE1", the number of entries, then (key, value) pairs, in the host's allocator. */
__attribute__((unused)) static int32_t save(void *state, void **bytes, size_t *length) {
    (void) state;
    pthread_mutex_lock(&lock);
    size_t size = 6 + 4 + (size_t) entries * 8;
    unsigned char *out = the_host->alloc(size);
    if (out == NULL) {
        pthread_mutex_unlock(&lock);
        return 1;
    }
    memcpy(out, "STORE1", 6);
    memcpy(out + 6, &entries, 4);
    size_t at = 10;
    for (int32_t k = 0; k < KEYS; k++) {
        if (present[k]) {
            memcpy(out + at, &k, 4);
            memcpy(out + at + 4, &values[k], 4);
            at += 8;
        }
    }
    /* Only the calls after the last save count: a reload that failed after a save leaves this copy serving. */
    late = 0;
    saved = 1;
    pthread_mutex_unlock(&lock);
    *bytes = out;
    *length = size;
    return 0;
}

__attribute__((unused)) static int32_t restore(void *state, const void *bytes, size_t length) {
    (void) state;
#ifdef VARIANT_STORE_RESTORE_FAILS
    (void) bytes;
    (void) length;
    the_host->log(the_host, DLP_LOG_ERROR, "this build cannot read the saved store");
    return 5;
#else
    const unsigned char *in = bytes;
    int32_t n;
    if (length < 10 || memcmp(in, "STORE1", 6) != 0) {
        the_host->log(the_host, DLP_LOG_ERROR, "the saved store is not STORE1");
        return 2;
    }
    memcpy(&n, in + 6, 4);
    if (n < 0 || (size_t) n * 8 + 10 != length) {
        the_host->log(the_host, DLP_LOG_ERROR, "the saved store is cut short");
        return 2;
    }
    for (int32_t i = 0; i < n; i++) {
        int32_t k;
        int32_t v;
        memcpy(&k, in + 10 + (size_t) i * 8, 4);
        memcpy(&v, in + 14 + (size_t) i * 8, 4);
        put(k, v);
    }
    return 0;
#endif
}

#ifdef NO_HANDOFF
/* Built against ABI 1.0: its table stops before save and restore. */
__attribute__((unused)) static const dlp_plugin plugin = { offsetof(dlp_plugin, save), 0, init, start, stop, destroy, get_interface, NULL,
                                   NULL };
#else
__attribute__((unused)) static const dlp_plugin plugin = { sizeof(dlp_plugin), 0, init, start, stop, destroy, get_interface, save, restore };
#endif

#if defined(VARIANT_STORE_REFUSES)
DLP_EXPORT int32_t dynload_plugin_entry(const dlp_offer *offer, dlp_answer *answer) {
    (void) offer;
    answer->abi = 0;
    answer->refusal = "this build refuses every host";
    return 1;
}
#else
DLP_ENTRY(plugin);
#endif
