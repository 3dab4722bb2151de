/*
 * Test plugins for the host's lifecycle under stress: calls that block until the test releases them,
 * a plugin thread that uses the host services after destroy, and an init that waits for a thread of its
 * own which logs. The test reaches the exported blocker_* and late_* functions by opening the same file
 * (the loader gives it the plugin's own copy), since a stopped plugin's interfaces throw.
 *
 * The late destroyer is the late caller for plugins out of process, which the test cannot reach: its
 * destroy lets its thread go, and the thread waits until the services refuse (destroy has returned),
 * makes its calls, and prints what they gave on stdout, which the host hands to its logger. The late
 * witness shares its process and stops after it (the destroyer requires it); its stop waits for the
 * thread, so that the process outlives the calls.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>
#include "dynload_plugin.h"

#include <pthread.h>
#include <semaphore.h>
#include <stddef.h>
#include <string.h>

#if defined(VARIANT_BLOCKER)
DLP_MANIFEST("id = com.example.blocker\n" "version = 1.0.0\n" "abi = 1..1\n"
             "provides = com.example.blocker/1.0: block = i32(); add = i32(i32, i32)\n"
             "requires = com.example.base ^1.0.0\n");
#elif defined(VARIANT_LATE_CALLER)
DLP_MANIFEST("id = com.example.late\n" "version = 1.0.0\n" "abi = 1..1\n" "requires = com.example.base ^1.0.0\n");
#elif defined(VARIANT_LATE_DESTROY)
DLP_MANIFEST("id = com.example.latedestroy\n" "version = 1.0.0\n" "abi = 1..1\n" "requires = com.example.base ^1.0.0\n"
             "requires = com.example.latewitness ^1.0.0\n");
#elif defined(VARIANT_LATE_WITNESS)
DLP_MANIFEST("id = com.example.latewitness\n" "version = 1.0.0\n" "abi = 1..1\n");
#elif defined(VARIANT_INIT_THREAD)
DLP_MANIFEST("id = com.example.initthread\n" "version = 1.0.0\n" "abi = 1..1\n");
#endif

static const dlp_host *the_host;

/* ---- The blocker: block() waits until the test calls blocker_release(). ---- */

static sem_t entered;
static sem_t released;

__attribute__((unused)) static int32_t block(void) {
    sem_post(&entered);
    while (sem_wait(&released) != 0) {
    }
    return 7;
}

__attribute__((unused)) static int32_t add(int32_t a, int32_t b) { return a + b; }

/* Returns once a call of block() is running. */
DLP_EXPORT void blocker_wait_entered(void) {
    while (sem_wait(&entered) != 0) {
    }
}

/* Lets one call of block() return. */
DLP_EXPORT void blocker_release(void) { sem_post(&released); }

__attribute__((unused)) static const struct {
    dlp_interface header;
    int32_t (*block)(void);
    int32_t (*add)(int32_t, int32_t);
} blocker_table = { { sizeof blocker_table, 0 }, block, add };

/* ---- The late caller: a thread of its own uses the host services before and after destroy. ---- */

static sem_t ready;
static sem_t go;
static sem_t done;
static int results;

__attribute__((unused)) static void *late_thread(void *unused) {
    (void) unused;
    if (the_host->config(the_host, "greeting") != NULL) results |= 1;
    if (the_host->dependency(the_host, "com.example.base", 1, 0) != NULL) results |= 2;
    sem_post(&ready);
    while (sem_wait(&go) != 0) {
    }
    /* The host has destroyed this plugin by now: each service must refuse, not crash. */
    the_host->log(the_host, DLP_LOG_ERROR, "a message after destroy");
    if (the_host->config(the_host, "greeting") == NULL) results |= 4;
    if (the_host->dependency(the_host, "com.example.base", 1, 0) == NULL) results |= 8;
    sem_post(&done);
    return NULL;
}

/* Lets the late thread make its calls, waits for them, and returns what they gave (15: all as expected). */
DLP_EXPORT int32_t late_go_and_wait(void) {
    sem_post(&go);
    while (sem_wait(&done) != 0) {
    }
    return results;
}

/* ---- The late destroyer and its witness, out of process. ---- */

static void late_name(char *name, size_t size) { snprintf(name, size, "/dynload-late-%d", (int) getpid()); }

__attribute__((unused)) static void *late_destroy_thread(void *unused) {
    (void) unused;
    if (the_host->config(the_host, "greeting") != NULL) results |= 1;
    if (the_host->dependency(the_host, "com.example.base", 1, 0) != NULL) results |= 2;
    sem_post(&ready);
    while (sem_wait(&go) != 0) { /* destroy has begun */
    }
    while (the_host->config(the_host, "greeting") != NULL) { /* until it has returned: the services refuse */
        sched_yield();
    }
    results |= 4;
    the_host->log(the_host, DLP_LOG_ERROR, "a message after destroy");
    if (the_host->dependency(the_host, "com.example.base", 1, 0) == NULL) results |= 8;
    printf("late services after destroy: %d\n", results);
    fflush(stdout);
    char name[64];
    late_name(name, sizeof name);
    sem_t *witness = sem_open(name, O_CREAT, 0600, 0);
    if (witness != SEM_FAILED) sem_post(witness);
    return NULL;
}

/* ---- The init thread: init starts a thread that logs, and waits for it. ---- */

__attribute__((unused)) static void *init_thread(void *unused) {
    (void) unused;
    the_host->log(the_host, DLP_LOG_INFO, "from init's own thread");
    return NULL;
}

/* ---- The lifecycle. ---- */

static int32_t init(const dlp_host *host, void **state) {
    the_host = host;
    *state = NULL;
    sem_init(&entered, 0, 0);
    sem_init(&released, 0, 0);
    sem_init(&ready, 0, 0);
    sem_init(&go, 0, 0);
    sem_init(&done, 0, 0);
#if defined(VARIANT_INIT_THREAD)
    pthread_t t;
    if (pthread_create(&t, NULL, init_thread, NULL) != 0) return 1;
    pthread_join(t, NULL);
#endif
    return 0;
}

static int32_t start(void *state) {
    (void) state;
#if defined(VARIANT_LATE_CALLER) || defined(VARIANT_LATE_DESTROY)
    pthread_t t;
#if defined(VARIANT_LATE_DESTROY)
    if (pthread_create(&t, NULL, late_destroy_thread, NULL) != 0) return 1;
#else
    if (pthread_create(&t, NULL, late_thread, NULL) != 0) return 1;
#endif
    pthread_detach(t);
    while (sem_wait(&ready) != 0) { /* start returns once the thread has used the services */
    }
#endif
    return 0;
}

static int32_t stop(void *state) {
    (void) state;
#if defined(VARIANT_LATE_WITNESS)
    char name[64];
    late_name(name, sizeof name);
    sem_t *witness = sem_open(name, O_CREAT, 0600, 0);
    if (witness == SEM_FAILED) return 1;
    while (sem_wait(witness) != 0) { /* the destroyer's thread has made its calls after its destroy */
    }
    sem_unlink(name);
#endif
    return 0;
}

static void destroy(void *state) {
    (void) state;
#if defined(VARIANT_LATE_DESTROY)
    sem_post(&go); /* the thread's calls come once this has returned */
#endif
}

static const dlp_interface *get_interface(void *state, const char *id, uint32_t major, uint32_t min_minor) {
    (void) state;
    (void) min_minor;
#if defined(VARIANT_BLOCKER)
    if (strcmp(id, "com.example.blocker") == 0 && major == 1) return &blocker_table.header;
#else
    (void) id;
    (void) major;
#endif
    return NULL;
}

static const dlp_plugin plugin = { sizeof(dlp_plugin), 0, init, start, stop, destroy, get_interface };

DLP_ENTRY(plugin)
