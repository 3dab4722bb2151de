/*
 * com.example.greeter.c: the greeter interface, version 1.2, in C. It counts its greetings, and hands the
 * count to the copy that replaces it when the host reloads it (ABI 1.1 save and restore). Built twice:
 * 1.2.0, and with -DGREETER_NEXT the 1.3.0 the example reloads to, which says the count.
 */
#include "dynload_plugin.h"

#include <stdio.h>
#include <string.h>

#ifdef GREETER_NEXT
#define VERSION "1.3.0"
#else
#define VERSION "1.2.0"
#endif

DLP_MANIFEST("id = com.example.greeter.c\n"
             "version = " VERSION "\n"
             "abi = 1..1\n"
             "description = Greets in C\n"
             "license = Apache-2.0\n"
             "provides = com.example.greeter/1.2: greet = str(str); add = i32(i32, i32); farewell = str(str)\n");

static const dlp_host *the_host;
static unsigned long greetings;

/* str results: valid until this thread calls the plugin again (the host copies them at once). */
static _Thread_local char result[256];

static const char *greet(const char *who) {
    unsigned long n = __atomic_add_fetch(&greetings, 1, __ATOMIC_RELAXED);
#ifdef GREETER_NEXT
    snprintf(result, sizeof result, "Hello again from C, %s! (greeting %lu)", who, n);
#else
    (void) n;
    snprintf(result, sizeof result, "Hello from C, %s!", who);
#endif
    return result;
}

static int32_t add(int32_t a, int32_t b) { return a + b; }

static const char *farewell(const char *who) {
    snprintf(result, sizeof result, "Goodbye from C, %s.", who);
    return result;
}

static const struct {
    dlp_interface header;
    const char *(*greet)(const char *);
    int32_t (*add)(int32_t, int32_t);
    const char *(*farewell)(const char *);
} greeter = { { sizeof greeter, 2 }, greet, add, farewell };

static int32_t init(const dlp_host *host, void **state) {
    the_host = host;
    host->log(host, DLP_LOG_INFO, "the C greeter is ready");
    *state = NULL;
    return 0;
}
static int32_t start(void *state) { (void) state; return 0; }
static int32_t stop(void *state) { (void) state; return 0; }
static void destroy(void *state) { (void) state; }
static const dlp_interface *get_interface(void *state, const char *id, uint32_t major, uint32_t min_minor) {
    (void) state;
    return strcmp(id, "com.example.greeter") == 0 && major == 1 && min_minor <= 2 ? &greeter.header : NULL;
}
/* The state a reload hands over: "GREET1" and the count, in the host's allocator (the host frees it). */
static int32_t save(void *state, void **bytes, size_t *length) {
    (void) state;
    unsigned long n = __atomic_load_n(&greetings, __ATOMIC_RELAXED);
    char *out = the_host->alloc(6 + sizeof n);
    if (out == NULL) {
        return 1;
    }
    memcpy(out, "GREET1", 6);
    memcpy(out + 6, &n, sizeof n);
    *bytes = out;
    *length = 6 + sizeof n;
    return 0;
}

static int32_t restore(void *state, const void *bytes, size_t length) {
    (void) state;
    if (length != 6 + sizeof greetings || memcmp(bytes, "GREET1", 6) != 0) {
        the_host->log(the_host, DLP_LOG_ERROR, "the saved state is not GREET1");
        return 1;
    }
    memcpy(&greetings, (const char *) bytes + 6, sizeof greetings);
    return 0;
}

static const dlp_plugin plugin = { sizeof(dlp_plugin), 0, init, start, stop, destroy, get_interface, save, restore };
DLP_ENTRY(plugin)
