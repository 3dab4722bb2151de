/*
 * The test plugins: one source, one VARIANT per plugin the tests need. Each defines a manifest (most
 * through DLP_MANIFEST, the damaged ones by hand) and the entry point.
 */
#include "dynload_plugin.h"

#include <string.h>

#define STR2(x) #x
#define STR(x) STR2(x)

#if defined(VARIANT_GREETER)
DLP_MANIFEST("# A plugin that provides the greeter interface.\n"
             "id = com.example.greeter.c\n"
             "version = 1.2.0\n"
             "abi = 1..1\n"
             "host = >=1.0.0 <2.0.0\n"
             "description = Greets, in C\n"
             "license = MIT\n"
             "provides = com.example.greeter/1.2: greet = str(str); add = i32(i32, i32); base_now = i64()\n"
             "requires = com.example.base ^1.0.0\n");
#elif defined(VARIANT_BASE)
DLP_MANIFEST("id = com.example.base\n"
             "version = 1.4.2\n"
             "abi = 1..1\n"
             "provides = com.example.base/1.0: now = i64()\n");
#elif defined(VARIANT_BASE_OLD)
DLP_MANIFEST("id = com.example.base\n"
             "version = 0.9.0\n"
             "abi = 1..1\n");
#elif defined(VARIANT_ABI2)
DLP_MANIFEST("id = com.example.future\n"
             "version = 1.0.0\n"
             "abi = 2..3\n");
#elif defined(VARIANT_HOST2)
DLP_MANIFEST("id = com.example.next\n"
             "version = 1.0.0\n"
             "abi = 1..1\n"
             "host = >=2.0.0\n");
#elif defined(VARIANT_CYCLE_A)
DLP_MANIFEST("id = com.example.cycle.a\n" "version = 1.0.0\n" "abi = 1..1\n" "requires = com.example.cycle.b\n");
#elif defined(VARIANT_CYCLE_B)
DLP_MANIFEST("id = com.example.cycle.b\n" "version = 1.0.0\n" "abi = 1..1\n" "requires = com.example.cycle.a *\n");
#elif defined(VARIANT_NEEDS_MISSING)
DLP_MANIFEST("id = com.example.lonely\n" "version = 1.0.0\n" "abi = 1..1\n" "requires = com.example.absent ^1.0.0\n");
#elif defined(VARIANT_NEEDS_NEWER)
DLP_MANIFEST("id = com.example.eager\n" "version = 1.0.0\n" "abi = 1..1\n" "requires = com.example.base >=2.0.0\n");
#elif defined(VARIANT_NEEDS_UNUSABLE)
DLP_MANIFEST("id = com.example.hopeful\n" "version = 1.0.0\n" "abi = 1..1\n" "requires = com.example.future\n");
#elif defined(VARIANT_NUMBERED)
/* The template for the thousand-plugin scan: the tests patch the four digits of the id in copies. */
DLP_MANIFEST("id = com.example.numbered.0000\n" "version = 1.0.0\n" "abi = 1..1\n");
#elif defined(VARIANT_CHAIN)
/* The template for chains and cycles of thousands: the tests patch the five digits of the id and of the
 * requirement in copies, so that each copy requires the next. */
DLP_MANIFEST("id = com.example.chain.00000\n" "version = 1.0.0\n" "abi = 1..1\n"
             "requires = com.example.chain.00001 *\n");
#elif defined(VARIANT_GREETER_OLD)
DLP_MANIFEST("id = com.example.greeter.old\n" "version = 1.0.0\n" "abi = 1..1\n"
             "provides = com.example.greeter/1.1: greet = str(str); add = i32(i32, i32)\n");
#elif defined(VARIANT_MISMATCH)
DLP_MANIFEST("id = com.example.mismatch\n" "version = 1.0.0\n" "abi = 1..1\n"
             "provides = com.example.greeter/1.2: greet = str(str); add = i64(i64, i64); base_now = i64()\n");
#elif defined(VARIANT_NO_TABLE)
DLP_MANIFEST("id = com.example.notable\n" "version = 1.0.0\n" "abi = 1..1\n"
             "provides = com.example.greeter/1.2: greet = str(str); add = i32(i32, i32)\n");
#elif defined(VARIANT_REFUSES)
DLP_MANIFEST("id = com.example.refuses\n" "version = 1.0.0\n" "abi = 1..1\n");
#elif defined(VARIANT_BAD_ANSWER)
DLP_MANIFEST("id = com.example.badanswer\n" "version = 1.0.0\n" "abi = 1..2\n");
#elif defined(VARIANT_INIT_FAILS)
DLP_MANIFEST("id = com.example.initfails\n" "version = 1.0.0\n" "abi = 1..1\n");
#elif defined(VARIANT_START_FAILS)
DLP_MANIFEST("id = com.example.startfails\n" "version = 1.0.0\n" "abi = 1..1\n");
#elif defined(VARIANT_NEEDS_FAILING)
DLP_MANIFEST("id = com.example.needsfailing\n" "version = 1.0.0\n" "abi = 1..1\n"
             "requires = com.example.initfails\n");
#elif defined(VARIANT_NONE)
/* A library, not a plugin: no manifest. */
#else
/* Damaged manifests, written by hand as DLP_MANIFEST would, then broken one way each. */
#if defined(VARIANT_BAD_MAGIC)
#define MAGIC 'D', 'L', 'P', 'M', 'A', 'N', 'I', '9'
#else
#define MAGIC 'D', 'L', 'P', 'M', 'A', 'N', 'I', '1'
#endif
#if defined(VARIANT_BAD_FORMAT)
#define FORMAT 7u
#else
#define FORMAT 1u
#endif
#if defined(VARIANT_BAD_PARSE)
#define TEXT "version = 1.0.0\nabi = 1..1\n"
#elif defined(VARIANT_BAD_UTF8)
#define TEXT "id = com.example.\xff\xfe\nversion = 1.0.0\nabi = 1..1\n"
#else
#define TEXT "id = com.example.damaged\nversion = 1.0.0\nabi = 1..1\n"
#endif
#if defined(VARIANT_OVERSIZED)
#define LENGTH 100000u
#elif defined(VARIANT_TRUNCATED)
#define LENGTH ((uint32_t) sizeof(TEXT) + 40u)
#elif defined(VARIANT_NO_NUL)
#define LENGTH ((uint32_t) sizeof(TEXT) - 2u)
#else
#define LENGTH ((uint32_t) sizeof(TEXT) - 1u)
#endif
DLP_VISIBLE extern const struct bytes_ { char magic[8]; uint32_t format; uint32_t length; char text[sizeof(TEXT)]; }
    dynload_plugin_manifest;
DLP_EXPORT const struct bytes_ dynload_plugin_manifest = { { MAGIC }, FORMAT, LENGTH, TEXT };
#endif

/* ---- The lifecycle and the greeter interface, shared by every variant. ---- */

#include <stdatomic.h>
#include <stdio.h>

static const dlp_host *the_host;
static const char *prefix = "Hello";
static int64_t (*base_now_fn)(void);
/* Calls running in this plugin's interface functions: stop must never see one. */
static atomic_int in_flight;

static const char *greet(const char *who) {
    static _Thread_local char buffer[256];
    atomic_fetch_add(&in_flight, 1);
    snprintf(buffer, sizeof buffer, "%s, %s!", prefix, who);
    atomic_fetch_sub(&in_flight, 1);
    return buffer;
}

static int32_t add(int32_t a, int32_t b) {
    atomic_fetch_add(&in_flight, 1);
    volatile int32_t spin = 0;
    for (int i = 0; i < 2000; i++) spin += i; /* a call long enough to be caught in flight */
    atomic_fetch_sub(&in_flight, 1);
    return a + b;
}

static int64_t base_now(void) { return base_now_fn ? base_now_fn() * 2 : -1; }
static int64_t now(void) { return 42; }

__attribute__((unused)) static const struct {
    dlp_interface header;
    const char *(*greet)(const char *);
    int32_t (*add)(int32_t, int32_t);
    int64_t (*base_now)(void);
} greeter_v2 = { { sizeof greeter_v2, 2 }, greet, add, base_now };

__attribute__((unused)) static const struct {
    dlp_interface header;
    const char *(*greet)(const char *);
    int32_t (*add)(int32_t, int32_t);
} greeter_v1 = { { sizeof greeter_v1, 1 }, greet, add };

__attribute__((unused)) static const struct {
    dlp_interface header;
    int64_t (*add)(int64_t, int64_t); /* what the mismatch variant's manifest says, honestly */
} mismatch_table = { { sizeof mismatch_table, 2 }, NULL };

__attribute__((unused)) static const struct { dlp_interface header; int64_t (*now)(void); } base_table = { { sizeof base_table, 0 }, now };

static int32_t init(const dlp_host *host, void **state) {
    the_host = host;
    *state = NULL;
    const char *configured = host->config(host, "greeting");
    if (configured) prefix = configured;
    host->log(host, DLP_LOG_INFO, "init");
#if defined(VARIANT_INIT_FAILS)
    host->log(host, DLP_LOG_ERROR, "no database configured");
    return 3;
#else
    return 0;
#endif
}

static int32_t start(void *state) {
    (void) state;
#if defined(VARIANT_START_FAILS)
    return 5;
#else
#if defined(VARIANT_GREETER)
    const struct { dlp_interface header; int64_t (*now)(void); } *base =
        the_host->dependency(the_host, "com.example.base", 1, 0);
    if (!base) {
        the_host->log(the_host, DLP_LOG_ERROR, "com.example.base/1 is not there");
        return 4;
    }
    base_now_fn = base->now;
#endif
    return 0;
#endif
}

static int32_t stop(void *state) {
    (void) state;
    int running = atomic_load(&in_flight);
    if (running != 0) {
        char message[96];
        snprintf(message, sizeof message, "stopped while %d calls were running", running);
        the_host->log(the_host, DLP_LOG_ERROR, message);
        return 9;
    }
    return 0;
}

static void destroy(void *state) { (void) state; }

static const dlp_interface *get_interface(void *state, const char *id, uint32_t major, uint32_t min_minor) {
    (void) state;
#if defined(VARIANT_NO_TABLE)
    (void) id; (void) major; (void) min_minor;
    return NULL;
#else
    if (strcmp(id, "com.example.base") == 0 && major == 1) return &base_table.header;
    if (strcmp(id, "com.example.greeter") != 0 || major != 1) return NULL;
#if defined(VARIANT_GREETER_OLD)
    return min_minor <= 1 ? &greeter_v1.header : NULL;
#elif defined(VARIANT_MISMATCH)
    (void) min_minor;
    return &mismatch_table.header;
#else
    return min_minor <= 2 ? &greeter_v2.header : NULL;
#endif
#endif
}

__attribute__((unused)) static const dlp_plugin plugin = { sizeof(dlp_plugin), 0, init, start, stop, destroy,
                                                            get_interface };

#if defined(VARIANT_REFUSES)
DLP_EXPORT int32_t dynload_plugin_entry(const dlp_offer *offer, dlp_answer *answer) {
    (void) offer;
    answer->abi = 0;
    answer->refusal = "this plugin needs host services that this host lacks";
    return 1;
}
#elif defined(VARIANT_BAD_ANSWER)
DLP_EXPORT int32_t dynload_plugin_entry(const dlp_offer *offer, dlp_answer *answer) {
    (void) offer;
    answer->abi = 2; /* ignores the host's offer of 1..1 */
    answer->refusal = NULL;
    answer->plugin = &plugin;
    return 0;
}
#else
DLP_ENTRY(plugin)
#endif
