/*
 * The runner's plugin mode: hosts one plugin, or a group of them, for dev.dynload.plugin.PluginHost, and
 * is their host as dynload_plugin.h defines one. The Java host drives each step through kind-3 requests
 * (S_FUNCTION: the plugin's index; S_INT_ARGS[0]: the step) and binds interfaces to the functions their
 * tables point to, which calls then name by index like any other function.
 *
 * Host services, in this process:
 *   log         a record on the log pipe (fd 3), which the host hands to its logger: one write() of at
 *               most PIPE_BUF bytes, so records from several threads never interleave
 *   config      the values the host sent at init, kept here until destroy
 *   dependency  the tables of the plugins in this process that the host named as this plugin's
 *               providers at init; a provider in another process is not reachable from here (NULL)
 *   alloc/free  this process's malloc and free
 * After destroy each refuses (log drops, config and dependency give NULL) and the log says so once.
 */
#define _GNU_SOURCE
#include "runner.h"
#include "dynload_plugin.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The steps, in S_INT_ARGS[0]: the same numbers as dev.dynload.plugin's RunnerPlugin. */
enum { ENTRY = 1, INIT = 2, START = 3, STOP = 4, DESTROY = 5, INTERFACE = 6 };
#define ERROR_REFUSED 3
#define MAX_PLUGINS 64
#define LAST_ERROR 1024

typedef struct hosted {
    dlp_host host;                   /* first: a plugin's dlp_host * is its hosted * */
    int index;
    void *library;
    const dlp_plugin *table;
    void *state;
    uint32_t abi;
    uint64_t providers;              /* bit k: plugin k's tables are this plugin's dependencies */
    char *strings;                   /* id, version and config, as the host sent them at init */
    const char **config;             /* key, value, key, value, ..., NULL */
    int started;                     /* its start returned 0 and its stop has not begun */
    int destroyed;                   /* its destroy has begun: its services refuse */
    int refusal_logged;
    pthread_mutex_t error_lock;
    char last_error[LAST_ERROR];     /* its last ERROR message, carried back with a failed step */
} hosted;

static hosted plugins[MAX_PLUGINS];
static int plugin_count;
static int log_pipe = -1;

/* ---- host services ---------------------------------------------------------------------------- */

static hosted *owner(const dlp_host *host) {
    for (int i = 0; i < plugin_count; i++) {
        if (host == &plugins[i].host) {
            return &plugins[i];
        }
    }
    return NULL; /* not a dlp_host this runner gave: refused */
}

/* One record: u32 plugin, i32 level, u32 length, then the message's bytes (cut to fit one atomic write). */
static void record(int index, int32_t level, const char *message) {
    unsigned char buffer[PIPE_BUF];
    size_t length = strnlen(message, sizeof buffer - 12);
    uint32_t head[3] = {(uint32_t) index, (uint32_t) level, (uint32_t) length};
    memcpy(buffer, head, sizeof head);
    memcpy(buffer + 12, message, length);
    if (log_pipe < 0) {
        return;
    }
    ssize_t written;
    do {
        written = write(log_pipe, buffer, 12 + length);
    } while (written < 0 && errno == EINTR);
}

static void service_refused(hosted *h, const char *service) {
    if (!__atomic_exchange_n(&h->refusal_logged, 1, __ATOMIC_SEQ_CST)) {
        char why[256];
        snprintf(why, sizeof why, "called the host's %s after its destroy (from a thread it did not join); "
                 "refused, and said once", service);
        record(h->index, DLP_LOG_ERROR, why);
    }
}

static void host_log(const dlp_host *host, int32_t level, const char *message) {
    hosted *h = owner(host);
    if (!h || !message) {
        return;
    }
    if (__atomic_load_n(&h->destroyed, __ATOMIC_SEQ_CST)) {
        service_refused(h, "log");
        return;
    }
    if (level == DLP_LOG_ERROR) {
        pthread_mutex_lock(&h->error_lock);
        strncpy(h->last_error, message, LAST_ERROR - 1);
        h->last_error[LAST_ERROR - 1] = 0;
        pthread_mutex_unlock(&h->error_lock);
    }
    record(h->index, level, message);
}

static const char *host_config(const dlp_host *host, const char *key) {
    hosted *h = owner(host);
    if (!h || !key) {
        return NULL;
    }
    if (__atomic_load_n(&h->destroyed, __ATOMIC_SEQ_CST)) {
        service_refused(h, "config");
        return NULL;
    }
    for (const char **c = h->config; c && c[0]; c += 2) {
        if (strcmp(c[0], key) == 0) {
            return c[1];
        }
    }
    return NULL;
}

static const void *host_dependency(const dlp_host *host, const char *id, uint32_t major, uint32_t min_minor) {
    hosted *h = owner(host);
    if (!h || !id) {
        return NULL;
    }
    if (__atomic_load_n(&h->destroyed, __ATOMIC_SEQ_CST)) {
        service_refused(h, "dependency");
        return NULL;
    }
    for (int k = 0; k < plugin_count; k++) {
        hosted *p = &plugins[k];
        if ((h->providers >> k & 1) && __atomic_load_n(&p->started, __ATOMIC_SEQ_CST)) {
            const dlp_interface *t = p->table->get_interface(p->state, id, major, min_minor);
            if (t) {
                return t;
            }
        }
    }
    return NULL;
}

static void *host_alloc(size_t size) { return malloc(size); }
static void host_free(void *pointer) { free(pointer); }

/* ---- loading ---------------------------------------------------------------------------------- */

const char *load_plugins(int first, int count, int log_fd) {
    static char why[192];
    log_pipe = log_fd;
    for (int i = 0; i < count; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", first + i);
        void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!library) {
            const char *e = dlerror();
            snprintf(why, sizeof why, "plugin %d: %s", i, e ? e : "dlopen failed");
            return why;
        }
        close(first + i);
        plugins[i].index = i;
        plugins[i].library = library;
        pthread_mutex_init(&plugins[i].error_lock, NULL);
        plugin_count = i + 1;
    }
    return NULL;
}

/* ---- the steps -------------------------------------------------------------------------------- */

static void refused(unsigned char *slot, const char *why) {
    *word(slot, S_ERROR) = ERROR_REFUSED;
    size_t n = strnlen(why, DATA_SIZE - 1);
    memmove(slot + S_DATA, why, n);
    slot[S_DATA + n] = 0;
}

/* A step's status in S_RESULT; when it failed, the plugin's last ERROR message in S_DATA. */
static void status(unsigned char *slot, hosted *h, int64_t rc) {
    memcpy(slot + S_RESULT, &rc, sizeof rc);
    if (rc != 0) {
        pthread_mutex_lock(&h->error_lock);
        strncpy((char *) slot + S_DATA, h->last_error, DATA_SIZE - 1);
        pthread_mutex_unlock(&h->error_lock);
        slot[SLOT_SIZE - 1] = 0;
    }
}

static void entry(unsigned char *slot, hosted *h, const int64_t *i) {
    dlp_entry_fn entry_fn = (dlp_entry_fn) (intptr_t) dlsym(h->library, DLP_ENTRY_SYMBOL);
    if (!entry_fn) {
        refused(slot, "exports no " DLP_ENTRY_SYMBOL "; define it with DLP_ENTRY (dynload_plugin.h)");
        return;
    }
    char version[256];
    strncpy(version, (const char *) slot + S_DATA, sizeof version - 1);
    version[sizeof version - 1] = 0;
    dlp_offer offer = {sizeof offer, (uint32_t) i[1], (uint32_t) i[2], 0, version};
    dlp_answer answer;
    memset(&answer, 0, sizeof answer);
    answer.size = sizeof answer;
    int32_t rc = entry_fn(&offer, &answer);
    char why[512];
    if (rc != 0 || answer.abi == 0) {
        snprintf(why, sizeof why, "refused the host (ABI %u..%u, status %d): %s", offer.abi_min, offer.abi_max, rc,
                 answer.refusal ? answer.refusal : "it gave no reason");
        refused(slot, why);
        return;
    }
    if (answer.abi < offer.abi_min || answer.abi > offer.abi_max) {
        snprintf(why, sizeof why, "answered ABI %u, outside the host's %u..%u", answer.abi, offer.abi_min,
                 offer.abi_max);
        refused(slot, why);
        return;
    }
    if (!answer.plugin) {
        refused(slot, "accepted, but gave no lifecycle table (dlp_answer.plugin is NULL)");
        return;
    }
    uint32_t size;
    memcpy(&size, answer.plugin, sizeof size); /* read without assuming the plugin aligned it */
    if (size < sizeof(dlp_plugin)) {
        snprintf(why, sizeof why, "gave a lifecycle table of %u bytes; ABI %u needs %zu", size, answer.abi,
                 sizeof(dlp_plugin));
        refused(slot, why);
        return;
    }
    const dlp_plugin *t = answer.plugin;
    if (!t->init || !t->start || !t->stop || !t->destroy || !t->get_interface) {
        refused(slot, "gave a lifecycle table with a NULL function");
        return;
    }
    h->table = t;
    h->abi = answer.abi;
    int64_t abi = answer.abi;
    memcpy(slot + S_RESULT, &abi, sizeof abi);
}

/*
 * S_DATA holds the plugin's id, the host's version, then key and value of each configuration entry, each
 * NUL-terminated; S_INT_ARGS[1] the bit set of its providers, S_INT_ARGS[2] the number of entries.
 */
static void init(unsigned char *slot, hosted *h, const int64_t *i) {
    const char *data = (const char *) slot + S_DATA;
    int64_t pairs = i[2];
    if (pairs < 0 || pairs > DATA_SIZE / 2) {
        refused(slot, "the host sent a damaged init request");
        return;
    }
    int strings = 2 + 2 * (int) pairs;
    size_t length = 0;
    for (int k = 0; k < strings; k++) { /* each string must end within the data area */
        size_t n = strnlen(data + length, DATA_SIZE - length);
        if (length + n >= DATA_SIZE) {
            refused(slot, "the host sent a damaged init request");
            return;
        }
        length += n + 1;
    }
    free(h->strings); /* an init again in this process, after a restart that failed: the old ones go */
    free(h->config);
    h->destroyed = 0;
    h->refusal_logged = 0;
    h->strings = malloc(length);
    h->config = calloc((size_t) (2 * pairs + 2), sizeof(char *));
    if (!h->strings || !h->config) {
        refused(slot, "out of memory");
        return;
    }
    memcpy(h->strings, data, length);
    const char *at = h->strings;
    const char *id = at;
    at += strlen(at) + 1;
    const char *version = at;
    at += strlen(at) + 1;
    for (int64_t k = 0; k < 2 * pairs; k++) {
        h->config[k] = at;
        at += strlen(at) + 1;
    }
    h->providers = (uint64_t) i[1];
    h->host.size = sizeof(dlp_host);
    h->host.abi = h->abi;
    h->host.host_version = version;
    h->host.plugin_id = id;
    h->host.log = host_log;
    h->host.config = host_config;
    h->host.dependency = host_dependency;
    h->host.alloc = host_alloc;
    h->host.free = host_free;
    status(slot, h, h->table->init(&h->host, &h->state));
}

/*
 * S_DATA holds the interface's id; S_INT_ARGS[1..3] its major, the least minor, and how many functions the
 * host's manifest lists. Answers in S_DATA: the table's minor and size (u32 each), then an index per
 * function (i32, -1 for one beyond the table's size or NULL); S_RESULT is 0 when get_interface gave NULL.
 */
static void interface(unsigned char *slot, hosted *h, const int64_t *i) {
    char id[256];
    strncpy(id, (const char *) slot + S_DATA, sizeof id - 1);
    id[sizeof id - 1] = 0;
    uint32_t count = (uint32_t) i[3];
    if (count > (DATA_SIZE - 8) / 4) {
        refused(slot, "the interface lists more functions than a slot carries back");
        return;
    }
    const dlp_interface *t = h->table->get_interface(h->state, id, (uint32_t) i[1], (uint32_t) i[2]);
    int64_t found = t != NULL;
    memcpy(slot + S_RESULT, &found, sizeof found);
    if (!t) {
        return;
    }
    uint32_t head[2];
    memcpy(head, t, sizeof head); /* size, minor: read without assuming the plugin aligned them */
    uint32_t answer[2] = {head[1], head[0]};
    memcpy(slot + S_DATA, answer, sizeof answer);
    for (uint32_t k = 0; k < count; k++) {
        int32_t index = -1;
        size_t at = sizeof(dlp_interface) + k * sizeof(void *);
        if (at + sizeof(void *) <= head[0]) {
            void *f;
            memcpy(&f, (const unsigned char *) t + at, sizeof f);
            index = f ? register_function(f) : -1;
            if (f && index < 0) {
                refused(slot, "the runner's table of functions is full (4096 functions bound)");
                return;
            }
        }
        memcpy(slot + S_DATA + 8 + 4 * k, &index, sizeof index);
    }
}

void serve_plugin(unsigned char *slot) {
    uint32_t index = *word(slot, S_FUNCTION);
    int64_t i[6];
    memcpy(i, slot + S_INT_ARGS, sizeof i);
    if (index >= (uint32_t) plugin_count) {
        refused(slot, "no such plugin in this process");
        return;
    }
    hosted *h = &plugins[index];
    if (i[0] != ENTRY && !h->table) {
        refused(slot, "its entry point has not accepted the host");
        return;
    }
    switch (i[0]) {
    case ENTRY:
        entry(slot, h, i);
        break;
    case INIT:
        init(slot, h, i);
        break;
    case START: {
        int32_t rc = h->table->start(h->state);
        __atomic_store_n(&h->started, rc == 0, __ATOMIC_SEQ_CST);
        status(slot, h, rc);
        break;
    }
    case STOP:
        __atomic_store_n(&h->started, 0, __ATOMIC_SEQ_CST);
        status(slot, h, h->table->stop(h->state));
        break;
    case DESTROY:
        __atomic_store_n(&h->started, 0, __ATOMIC_SEQ_CST);
        h->table->destroy(h->state);
        __atomic_store_n(&h->destroyed, 1, __ATOMIC_SEQ_CST); /* the services end when destroy returns */
        status(slot, h, 0);
        break;
    case INTERFACE:
        interface(slot, h, i);
        break;
    default:
        refused(slot, "no such step");
    }
}
