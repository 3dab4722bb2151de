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
enum { ENTRY = 1, INIT = 2, START = 3, STOP = 4, DESTROY = 5, INTERFACE = 6, REMOTE = 7 };
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

#define REMOTE_TRAMPOLINE(K)                                                                               \
    static int64_t remote_int_##K(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,        \
                                  double x, double y, double z, double u, double v, double w) {           \
        int64_t i[6] = {a, b, c, d, e, f};                                                                \
        double r[6] = {x, y, z, u, v, w};                                                                 \
        return (int64_t) remote_call(K, i, r);                                                            \
    }                                                                                                     \
    static double remote_double_##K(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,      \
                                    double x, double y, double z, double u, double v, double w) {         \
        int64_t i[6] = {a, b, c, d, e, f};                                                                \
        double r[6] = {x, y, z, u, v, w};                                                                 \
        uint64_t bits = remote_call(K, i, r);                                                             \
        double out;                                                                                       \
        memcpy(&out, &bits, sizeof out);                                                                  \
        return out; /* a float's bits are the low 32 of the register */                                  \
    }
REMOTE_TRAMPOLINE(0) REMOTE_TRAMPOLINE(1) REMOTE_TRAMPOLINE(2) REMOTE_TRAMPOLINE(3) REMOTE_TRAMPOLINE(4) REMOTE_TRAMPOLINE(5) REMOTE_TRAMPOLINE(6) REMOTE_TRAMPOLINE(7)
REMOTE_TRAMPOLINE(8) REMOTE_TRAMPOLINE(9) REMOTE_TRAMPOLINE(10) REMOTE_TRAMPOLINE(11) REMOTE_TRAMPOLINE(12) REMOTE_TRAMPOLINE(13) REMOTE_TRAMPOLINE(14) REMOTE_TRAMPOLINE(15)
REMOTE_TRAMPOLINE(16) REMOTE_TRAMPOLINE(17) REMOTE_TRAMPOLINE(18) REMOTE_TRAMPOLINE(19) REMOTE_TRAMPOLINE(20) REMOTE_TRAMPOLINE(21) REMOTE_TRAMPOLINE(22) REMOTE_TRAMPOLINE(23)
REMOTE_TRAMPOLINE(24) REMOTE_TRAMPOLINE(25) REMOTE_TRAMPOLINE(26) REMOTE_TRAMPOLINE(27) REMOTE_TRAMPOLINE(28) REMOTE_TRAMPOLINE(29) REMOTE_TRAMPOLINE(30) REMOTE_TRAMPOLINE(31)
REMOTE_TRAMPOLINE(32) REMOTE_TRAMPOLINE(33) REMOTE_TRAMPOLINE(34) REMOTE_TRAMPOLINE(35) REMOTE_TRAMPOLINE(36) REMOTE_TRAMPOLINE(37) REMOTE_TRAMPOLINE(38) REMOTE_TRAMPOLINE(39)
REMOTE_TRAMPOLINE(40) REMOTE_TRAMPOLINE(41) REMOTE_TRAMPOLINE(42) REMOTE_TRAMPOLINE(43) REMOTE_TRAMPOLINE(44) REMOTE_TRAMPOLINE(45) REMOTE_TRAMPOLINE(46) REMOTE_TRAMPOLINE(47)
REMOTE_TRAMPOLINE(48) REMOTE_TRAMPOLINE(49) REMOTE_TRAMPOLINE(50) REMOTE_TRAMPOLINE(51) REMOTE_TRAMPOLINE(52) REMOTE_TRAMPOLINE(53) REMOTE_TRAMPOLINE(54) REMOTE_TRAMPOLINE(55)
REMOTE_TRAMPOLINE(56) REMOTE_TRAMPOLINE(57) REMOTE_TRAMPOLINE(58) REMOTE_TRAMPOLINE(59) REMOTE_TRAMPOLINE(60) REMOTE_TRAMPOLINE(61) REMOTE_TRAMPOLINE(62) REMOTE_TRAMPOLINE(63)
REMOTE_TRAMPOLINE(64) REMOTE_TRAMPOLINE(65) REMOTE_TRAMPOLINE(66) REMOTE_TRAMPOLINE(67) REMOTE_TRAMPOLINE(68) REMOTE_TRAMPOLINE(69) REMOTE_TRAMPOLINE(70) REMOTE_TRAMPOLINE(71)
REMOTE_TRAMPOLINE(72) REMOTE_TRAMPOLINE(73) REMOTE_TRAMPOLINE(74) REMOTE_TRAMPOLINE(75) REMOTE_TRAMPOLINE(76) REMOTE_TRAMPOLINE(77) REMOTE_TRAMPOLINE(78) REMOTE_TRAMPOLINE(79)
REMOTE_TRAMPOLINE(80) REMOTE_TRAMPOLINE(81) REMOTE_TRAMPOLINE(82) REMOTE_TRAMPOLINE(83) REMOTE_TRAMPOLINE(84) REMOTE_TRAMPOLINE(85) REMOTE_TRAMPOLINE(86) REMOTE_TRAMPOLINE(87)
REMOTE_TRAMPOLINE(88) REMOTE_TRAMPOLINE(89) REMOTE_TRAMPOLINE(90) REMOTE_TRAMPOLINE(91) REMOTE_TRAMPOLINE(92) REMOTE_TRAMPOLINE(93) REMOTE_TRAMPOLINE(94) REMOTE_TRAMPOLINE(95)
REMOTE_TRAMPOLINE(96) REMOTE_TRAMPOLINE(97) REMOTE_TRAMPOLINE(98) REMOTE_TRAMPOLINE(99) REMOTE_TRAMPOLINE(100) REMOTE_TRAMPOLINE(101) REMOTE_TRAMPOLINE(102) REMOTE_TRAMPOLINE(103)
REMOTE_TRAMPOLINE(104) REMOTE_TRAMPOLINE(105) REMOTE_TRAMPOLINE(106) REMOTE_TRAMPOLINE(107) REMOTE_TRAMPOLINE(108) REMOTE_TRAMPOLINE(109) REMOTE_TRAMPOLINE(110) REMOTE_TRAMPOLINE(111)
REMOTE_TRAMPOLINE(112) REMOTE_TRAMPOLINE(113) REMOTE_TRAMPOLINE(114) REMOTE_TRAMPOLINE(115) REMOTE_TRAMPOLINE(116) REMOTE_TRAMPOLINE(117) REMOTE_TRAMPOLINE(118) REMOTE_TRAMPOLINE(119)
REMOTE_TRAMPOLINE(120) REMOTE_TRAMPOLINE(121) REMOTE_TRAMPOLINE(122) REMOTE_TRAMPOLINE(123) REMOTE_TRAMPOLINE(124) REMOTE_TRAMPOLINE(125) REMOTE_TRAMPOLINE(126) REMOTE_TRAMPOLINE(127)
static void *const remote_ints[REMOTE_MAX] = {
    remote_int_0, remote_int_1, remote_int_2, remote_int_3, remote_int_4, remote_int_5, remote_int_6, remote_int_7,
    remote_int_8, remote_int_9, remote_int_10, remote_int_11, remote_int_12, remote_int_13, remote_int_14, remote_int_15,
    remote_int_16, remote_int_17, remote_int_18, remote_int_19, remote_int_20, remote_int_21, remote_int_22, remote_int_23,
    remote_int_24, remote_int_25, remote_int_26, remote_int_27, remote_int_28, remote_int_29, remote_int_30, remote_int_31,
    remote_int_32, remote_int_33, remote_int_34, remote_int_35, remote_int_36, remote_int_37, remote_int_38, remote_int_39,
    remote_int_40, remote_int_41, remote_int_42, remote_int_43, remote_int_44, remote_int_45, remote_int_46, remote_int_47,
    remote_int_48, remote_int_49, remote_int_50, remote_int_51, remote_int_52, remote_int_53, remote_int_54, remote_int_55,
    remote_int_56, remote_int_57, remote_int_58, remote_int_59, remote_int_60, remote_int_61, remote_int_62, remote_int_63,
    remote_int_64, remote_int_65, remote_int_66, remote_int_67, remote_int_68, remote_int_69, remote_int_70, remote_int_71,
    remote_int_72, remote_int_73, remote_int_74, remote_int_75, remote_int_76, remote_int_77, remote_int_78, remote_int_79,
    remote_int_80, remote_int_81, remote_int_82, remote_int_83, remote_int_84, remote_int_85, remote_int_86, remote_int_87,
    remote_int_88, remote_int_89, remote_int_90, remote_int_91, remote_int_92, remote_int_93, remote_int_94, remote_int_95,
    remote_int_96, remote_int_97, remote_int_98, remote_int_99, remote_int_100, remote_int_101, remote_int_102, remote_int_103,
    remote_int_104, remote_int_105, remote_int_106, remote_int_107, remote_int_108, remote_int_109, remote_int_110, remote_int_111,
    remote_int_112, remote_int_113, remote_int_114, remote_int_115, remote_int_116, remote_int_117, remote_int_118, remote_int_119,
    remote_int_120, remote_int_121, remote_int_122, remote_int_123, remote_int_124, remote_int_125, remote_int_126, remote_int_127};
static void *const remote_doubles[REMOTE_MAX] = {
    remote_double_0, remote_double_1, remote_double_2, remote_double_3, remote_double_4, remote_double_5, remote_double_6, remote_double_7,
    remote_double_8, remote_double_9, remote_double_10, remote_double_11, remote_double_12, remote_double_13, remote_double_14, remote_double_15,
    remote_double_16, remote_double_17, remote_double_18, remote_double_19, remote_double_20, remote_double_21, remote_double_22, remote_double_23,
    remote_double_24, remote_double_25, remote_double_26, remote_double_27, remote_double_28, remote_double_29, remote_double_30, remote_double_31,
    remote_double_32, remote_double_33, remote_double_34, remote_double_35, remote_double_36, remote_double_37, remote_double_38, remote_double_39,
    remote_double_40, remote_double_41, remote_double_42, remote_double_43, remote_double_44, remote_double_45, remote_double_46, remote_double_47,
    remote_double_48, remote_double_49, remote_double_50, remote_double_51, remote_double_52, remote_double_53, remote_double_54, remote_double_55,
    remote_double_56, remote_double_57, remote_double_58, remote_double_59, remote_double_60, remote_double_61, remote_double_62, remote_double_63,
    remote_double_64, remote_double_65, remote_double_66, remote_double_67, remote_double_68, remote_double_69, remote_double_70, remote_double_71,
    remote_double_72, remote_double_73, remote_double_74, remote_double_75, remote_double_76, remote_double_77, remote_double_78, remote_double_79,
    remote_double_80, remote_double_81, remote_double_82, remote_double_83, remote_double_84, remote_double_85, remote_double_86, remote_double_87,
    remote_double_88, remote_double_89, remote_double_90, remote_double_91, remote_double_92, remote_double_93, remote_double_94, remote_double_95,
    remote_double_96, remote_double_97, remote_double_98, remote_double_99, remote_double_100, remote_double_101, remote_double_102, remote_double_103,
    remote_double_104, remote_double_105, remote_double_106, remote_double_107, remote_double_108, remote_double_109, remote_double_110, remote_double_111,
    remote_double_112, remote_double_113, remote_double_114, remote_double_115, remote_double_116, remote_double_117, remote_double_118, remote_double_119,
    remote_double_120, remote_double_121, remote_double_122, remote_double_123, remote_double_124, remote_double_125, remote_double_126, remote_double_127};

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
    default:
        refused(slot, "no such step");
    }
}
