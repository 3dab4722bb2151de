/* com.example.greeter.classic: built against version 1.1 of the greeter interface, before farewell. */
#include "dynload_plugin.h"

#include <stdio.h>
#include <string.h>

DLP_MANIFEST("id = com.example.greeter.classic\n"
             "version = 1.0.0\n"
             "abi = 1..1\n"
             "description = Greets as version 1.1 of the interface did\n"
             "provides = com.example.greeter/1.1: greet = str(str); add = i32(i32, i32)\n");

static _Thread_local char result[256];

static const char *greet(const char *who) {
    snprintf(result, sizeof result, "Good day, %s.", who);
    return result;
}

static int32_t add(int32_t a, int32_t b) { return a + b; }

static const struct {
    dlp_interface header;
    const char *(*greet)(const char *);
    int32_t (*add)(int32_t, int32_t);
} greeter = { { sizeof greeter, 1 }, greet, add };

static int32_t init(const dlp_host *host, void **state) { (void) host; *state = NULL; return 0; }
static int32_t start(void *state) { (void) state; return 0; }
static int32_t stop(void *state) { (void) state; return 0; }
static void destroy(void *state) { (void) state; }
static const dlp_interface *get_interface(void *state, const char *id, uint32_t major, uint32_t min_minor) {
    (void) state;
    return strcmp(id, "com.example.greeter") == 0 && major == 1 && min_minor <= 1 ? &greeter.header : NULL;
}
static const dlp_plugin plugin = { sizeof(dlp_plugin), 0, init, start, stop, destroy, get_interface };
DLP_ENTRY(plugin)
