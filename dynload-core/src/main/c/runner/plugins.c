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

/* The steps, in S_INT_ARGS[0]: the same numbers as dev.dynload.plugin's PluginProcess. */
enum { ENTRY = 1, INIT = 2, START = 3, STOP = 4, DESTROY = 5, INTERFACE = 6, REMOTE = 7, HANDOFF = 8, SAVE = 9,
       RESTORE = 10 };
#define ERROR_REFUSED 3
#define MAX_PLUGINS 64
#define LAST_ERROR 1024

/*
 * A table of a dependency in another process (or in the JVM): each function a trampoline that calls back
 * to the host, which calls the provider and hands the result back.
 */
typedef struct remote {
    struct remote *next;
    char *id;
    uint32_t major;
    uint32_t minor;
    int first;                       /* its first trampoline: the host's number for its first carried function */
    int64_t provider;                /* which provider the host sent it for (S_INT_ARGS[4]) */
    dlp_interface *table;
} remote;

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
    remote *remotes;                 /* the tables of its dependencies out of this process, from REMOTE steps */
    pthread_mutex_t error_lock;
    char last_error[LAST_ERROR];     /* its last ERROR message, carried back with a failed step */
    unsigned char *saved;            /* a reload's state from its save, carried to the host in chunks */
    size_t saved_length;
    unsigned char *restoring;        /* a reload's state for its restore, carried from the host in chunks */
    size_t restoring_length;
} hosted;

static hosted plugins[MAX_PLUGINS];
static void refused(unsigned char *slot, const char *why);
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

/*
 * The plugin a service call comes from, when the service may serve it: its own dlp_host, an argument that
 * is not NULL, and not after its destroy (then refused, and said once). NULL otherwise.
 */
static hosted *serving(const dlp_host *host, const void *argument, const char *service) {
    hosted *h = owner(host);
    if (!h || !argument) {
        return NULL;
    }
    if (__atomic_load_n(&h->destroyed, __ATOMIC_SEQ_CST)) {
        service_refused(h, service);
        return NULL;
    }
    return h;
}

static void host_log(const dlp_host *host, int32_t level, const char *message) {
    hosted *h = serving(host, message, "log");
    if (!h) {
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
    hosted *h = serving(host, key, "config");
    if (!h) {
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
    hosted *h = serving(host, id, "dependency");
    if (!h) {
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
    for (remote *r = h->remotes; r; r = r->next) {
        if (strcmp(r->id, id) == 0 && r->major == major && r->minor >= min_minor) {
            return r->table;
        }
    }
    return NULL;
}

/* ---- trampolines to dependencies out of this process ------------------------------------------------ */

#define REMOTE_MAX 128
static int remote_next; /* trampolines handed out, atomically: steps of several plugins may run at once */

/* Per trampoline: bit k set where integer argument k is a str; whether it returns a str. */
static uint8_t remote_texts[REMOTE_MAX];
static uint8_t remote_returns_text[REMOTE_MAX];

/*
 * Calls trampoline K's function through the host. A str argument's bytes go into the slot's bulk area,
 * one after the other, and the host gets their offsets (-1 for NULL); a str result comes back as an
 * offset into the same area (-1 for NULL), where the host wrote its bytes after the arguments'. It stays
 * there until this thread's next call through a remote table: as long as the ABI asks a str result to
 * live ("until the same thread calls the plugin again"), or a little less when that next call goes to
 * another dependency. A string too long for the area is not carried: 0, said on stderr.
 */
static uint64_t remote_call(int k, int64_t *i, const double *r) {
    uint8_t texts = remote_texts[k];
    size_t size = 0;
    unsigned char *bulk = texts || remote_returns_text[k] ? current_bulk(&size) : NULL;
    if (bulk) {
        /*
         * An argument may be a str result of an earlier remote call, which lives in this very area: the
         * copies go after the end of every such argument, so that none is overwritten before it is read.
         */
        size_t used = 0;
        for (int a = 0; a < 6; a++) {
            const unsigned char *text = (const unsigned char *) (intptr_t) i[a];
            if ((texts & (1u << a)) && text >= bulk && text < bulk + size) {
                size_t end = (size_t) (text - bulk) + strnlen((const char *) text, size - (size_t) (text - bulk)) + 1;
                end = (end + 7) & ~(size_t) 7;
                used = end > used ? end : used;
            }
        }
        for (int a = 0; a < 6; a++) {
            if (!(texts & (1u << a))) {
                continue;
            }
            const char *text = (const char *) (intptr_t) i[a];
            if (!text) {
                i[a] = -1;
                continue;
            }
            size_t length = used < size ? strnlen(text, size - used) : size;
            if (used >= size || length + 1 > size - used) {
                static const char why[] = "dynload-runner: the strings passed to a dependency in another process "
                                          "are longer than its slot's bulk area carries; the call returns 0\n";
                ssize_t ignored = write(2, why, sizeof why - 1);
                (void) ignored;
                return 0;
            }
            memcpy(bulk + used, text, length + 1);
            i[a] = (int64_t) used;
            used = (used + length + 1 + 7) & ~(size_t) 7;
        }
    }
    uint64_t bits = call_back(0x100 + k, i, r);
    if (remote_returns_text[k]) { /* the host answers 1 + the result's offset; 0 for NULL, and for any failure */
        return bulk && bits != 0 && bits - 1 < size ? (uint64_t) (intptr_t) (bulk + bits - 1) : 0;
    }
    return bits;
}

#define REMOTE_TRAMPOLINES(K) REGISTER_TRAMPOLINES(remote, remote_call, K)
#define REMOTE_INT(K) remote_int_##K,
#define REMOTE_DOUBLE(K) remote_double_##K,
NUMBERS_128(REMOTE_TRAMPOLINES)
static void *const remote_ints[REMOTE_MAX] = {NUMBERS_128(REMOTE_INT)};
static void *const remote_doubles[REMOTE_MAX] = {NUMBERS_128(REMOTE_DOUBLE)};

/*
 * S_DATA holds the interface's id, then two bytes per function of it: first 0 where the host cannot carry
 * the function (a ptr crosses it), 1 where it returns in the integer register, 2 in the floating-point
 * one, 3 where it returns a str; then the bits of its integer arguments that are a str. S_INT_ARGS[1..4]
 * its major, its minor, how many functions it has, and which provider it is (the
 * host's number, so that two providers of one interface get two tables). Builds the table of
 * trampolines that dependency() will give this plugin, and answers the first trampoline's number in
 * S_RESULT: the carried functions take first, first + 1, ... in table order (the others none).
 */
static void add_remote(unsigned char *slot, hosted *h, const int64_t *i) {
    const char *id = (const char *) slot + S_DATA;
    size_t length = strnlen(id, 256);
    uint32_t count = (uint32_t) i[3];
    if (length == 256 || count > (DATA_SIZE - 257) / 2) {
        refused(slot, "the host sent a damaged REMOTE request");
        return;
    }
    for (remote *known = h->remotes; known; known = known->next) {
        if (strcmp(known->id, id) == 0 && known->major == (uint32_t) i[1] && known->provider == i[4]) {
            int64_t again = known->first; /* an init again in this process: the same trampolines */
            memcpy(slot + S_RESULT, &again, sizeof again);
            return;
        }
    }
    const unsigned char *kinds = slot + S_DATA + length + 1;
    int carried = 0;
    for (uint32_t k = 0; k < count; k++) {
        carried += kinds[2 * k] != 0; /* only the functions carried get a trampoline */
    }
    int base = __atomic_load_n(&remote_next, __ATOMIC_SEQ_CST);
    do { /* taken only when they fit: a refused request leaves them to smaller ones */
        if (base + carried > REMOTE_MAX) {
            refused(slot, "this process has no trampolines left for dependencies in other processes (128)");
            return;
        }
    } while (!__atomic_compare_exchange_n(&remote_next, &base, base + carried, 0, __ATOMIC_SEQ_CST,
                                          __ATOMIC_SEQ_CST));
    remote *r = calloc(1, sizeof *r);
    dlp_interface *table = calloc(1, sizeof(dlp_interface) + count * sizeof(void *));
    char *copy = strndup(id, length);
    if (!r || !table || !copy) {
        free(r);
        free(table);
        free(copy);
        refused(slot, "out of memory");
        return;
    }
    int64_t first = base;
    void **functions = (void **) (table + 1);
    int t = base;
    for (uint32_t k = 0; k < count; k++) {
        uint8_t kind = kinds[2 * k];
        functions[k] = kind == 1 || kind == 3 ? remote_ints[t] : kind == 2 ? remote_doubles[t] : NULL;
        if (kind != 0) {
            remote_texts[t] = kinds[2 * k + 1];
            remote_returns_text[t] = kind == 3;
            t++;
        }
    }
    r->first = base;
    r->provider = i[4];
    table->size = (uint32_t) (sizeof(dlp_interface) + count * sizeof(void *));
    table->minor = (uint32_t) i[2];
    r->id = copy;
    r->major = (uint32_t) i[1];
    r->minor = (uint32_t) i[2];
    r->table = table;
    remote **tail = &h->remotes; /* in the order the host sent them: dependency() finds the first, as in process */
    while (*tail) {
        tail = &(*tail)->next;
    }
    *tail = r;
    memcpy(slot + S_RESULT, &first, sizeof first);
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
    /* The table of ABI 1.0, up to get_interface: later minors add fields at its end, which this runner
     * does not call (a reload out of process is the host's, not the runner's), so a 1.0 plugin runs. */
    if (size < offsetof(dlp_plugin, save)) {
        snprintf(why, sizeof why, "gave a lifecycle table of %u bytes; ABI %u needs %zu", size, answer.abi,
                 offsetof(dlp_plugin, save));
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

/* ---- a reload's state handoff (ABI 1.1), in chunks of a slot's data ------------------------------- */

/* Whether its table's size covers save and restore (ABI 1.1; a 1.0 table stops before them). */
static int hands_over(const hosted *h) {
    uint32_t size;
    memcpy(&size, h->table, sizeof size);
    return size >= offsetof(dlp_plugin, restore) + sizeof(void *);
}

/* Its save and restore, or NULL. */
static int32_t (*save_of(const hosted *h))(void *, void **, size_t *) {
    return hands_over(h) ? h->table->save : NULL;
}

static int32_t (*restore_of(const hosted *h))(void *, const void *, size_t) {
    return hands_over(h) ? h->table->restore : NULL;
}

/* SAVE: at offset 0 calls save and keeps its bytes; answers their length, and the chunk from the offset. */
static void save_chunk(unsigned char *slot, hosted *h, const int64_t *i) {
    uint64_t offset = (uint64_t) i[1];
    if (offset == 0) {
        int32_t (*save)(void *, void **, size_t *) = save_of(h);
        if (!save) {
            refused(slot, "it has no save (built for ABI 1.0)");
            return;
        }
        free(h->saved);
        h->saved = NULL;
        void *bytes = NULL;
        size_t length = 0;
        int32_t rc = save(h->state, &bytes, &length);
        if (rc != 0) {
            free(bytes);
            status(slot, h, rc);
            *word(slot, S_ERROR) = ERROR_REFUSED; /* the text is the plugin's last error */
            return;
        }
        if (length > 0 && !bytes) {
            refused(slot, "its save gave a length and no bytes");
            return;
        }
        if (length > ((size_t) 1 << 30)) {
            free(bytes);
            refused(slot, "its save gave more than 1 GiB, more than a state handed over holds");
            return;
        }
        h->saved = bytes;
        h->saved_length = length;
    }
    if (offset > h->saved_length || (offset > 0 && !h->saved)) {
        refused(slot, "no saved state at that offset");
        return;
    }
    size_t n = h->saved_length - offset < DATA_SIZE ? h->saved_length - offset : DATA_SIZE;
    if (n > 0) {
        memcpy(slot + S_DATA, h->saved + offset, n);
    }
    int64_t total = (int64_t) h->saved_length;
    memcpy(slot + S_RESULT, &total, sizeof total);
    if (offset + n >= h->saved_length) {
        free(h->saved); /* from host->alloc, this process's malloc */
        h->saved = NULL;
        h->saved_length = 0;
    }
}

/* RESTORE: i[1] offset, i[2] bytes in this chunk, i[3] the whole length; the last chunk calls restore. */
static void restore_chunk(unsigned char *slot, hosted *h, const int64_t *i) {
    int32_t (*restore)(void *, const void *, size_t) = restore_of(h);
    uint64_t offset = (uint64_t) i[1], n = (uint64_t) i[2], total = (uint64_t) i[3];
    if (!restore) {
        refused(slot, "it has no restore (built for ABI 1.0)");
        return;
    }
    if (n > DATA_SIZE || offset > total || n > total - offset || total > ((uint64_t) 1 << 30)) {
        refused(slot, "a chunk of state outside the state's length");
        return;
    }
    if (offset == 0) {
        free(h->restoring);
        h->restoring = malloc(total ? total : 1);
        h->restoring_length = total;
        if (!h->restoring) {
            refused(slot, "out of memory for the state handed over");
            return;
        }
    } else if (!h->restoring || h->restoring_length != total) {
        refused(slot, "a chunk of state before its first");
        return;
    }
    memcpy(h->restoring + offset, slot + S_DATA, n);
    int64_t rc = 0;
    if (offset + n == total) {
        rc = restore(h->state, total ? h->restoring : NULL, total);
        free(h->restoring);
        h->restoring = NULL;
    }
    status(slot, h, rc);
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
    if (i[0] != ENTRY && i[0] != REMOTE && !h->table) {
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
    case REMOTE:
        add_remote(slot, h, i);
        break;
    case HANDOFF: {
        int64_t can = (save_of(h) ? 1 : 0) | (restore_of(h) ? 2 : 0);
        memcpy(slot + S_RESULT, &can, sizeof can);
        break;
    }
    case SAVE:
        save_chunk(slot, h, i);
        break;
    case RESTORE:
        restore_chunk(slot, h, i);
        break;
    default:
        refused(slot, "no such step");
    }
}
