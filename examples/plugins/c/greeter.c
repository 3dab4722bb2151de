/* com.example.greeter.c: the greeter interface, version 1.2, in C. */
#include "dynload_plugin.h"

#include <stdio.h>
#include <string.h>

DLP_MANIFEST("id = com.example.greeter.c\n"
             "version = 1.2.0\n"
             "abi = 1..1\n"
             "description = Greets in C\n"
             "license = Apache-2.0\n"
             "provides = com.example.greeter/1.2: greet = str(str); add = i32(i32, i32); farewell = str(str)\n");

/* str results: valid until this thread calls the plugin again (the host copies them at once). */
static _Thread_local char result[256];

static const char *greet(const char *who) {
    snprintf(result, sizeof result, "Hello from C, %s!", who);
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
static const dlp_plugin plugin = { sizeof(dlp_plugin), 0, init, start, stop, destroy, get_interface };
DLP_ENTRY(plugin)
