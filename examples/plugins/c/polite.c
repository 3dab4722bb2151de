/*
 * com.example.greeter.polite: a greeter built on another plugin. It requires com.example.greeter.c and
 * calls its greeter table, which the host hands it through dlp_host.dependency when it starts.
 */
#include "dynload_plugin.h"

#include <stdio.h>
#include <string.h>

DLP_MANIFEST("id = com.example.greeter.polite\n"
             "version = 1.0.0\n"
             "abi = 1..1\n"
             "description = Greets through the C greeter, then asks how you are\n"
             "provides = com.example.greeter/1.2: greet = str(str); add = i32(i32, i32); farewell = str(str)\n"
             "requires = com.example.greeter.c ^1.2.0\n");

typedef struct {
    dlp_interface header;
    const char *(*greet)(const char *);
    int32_t (*add)(int32_t, int32_t);
    const char *(*farewell)(const char *);
} greeter_table;

static const dlp_host *the_host;
static const greeter_table *inner; /* the C greeter's table: valid until this plugin's stop returns */
static _Thread_local char result[512];

static const char *greet(const char *who) {
    snprintf(result, sizeof result, "%s How are you?", inner->greet(who));
    return result;
}

static int32_t add(int32_t a, int32_t b) { return inner->add(a, b); }

static const char *farewell(const char *who) {
    snprintf(result, sizeof result, "%s Take care.", inner->farewell(who));
    return result;
}

static const greeter_table greeter = { { sizeof greeter, 2 }, greet, add, farewell };

static int32_t init(const dlp_host *host, void **state) { the_host = host; *state = NULL; return 0; }

static int32_t start(void *state) {
    (void) state;
    inner = the_host->dependency(the_host, "com.example.greeter", 1, 2);
    if (!inner) {
        the_host->log(the_host, DLP_LOG_ERROR, "com.example.greeter/1.2 of com.example.greeter.c is not there");
        return 1;
    }
    return 0;
}

static int32_t stop(void *state) { (void) state; inner = NULL; return 0; }
static void destroy(void *state) { (void) state; }
static const dlp_interface *get_interface(void *state, const char *id, uint32_t major, uint32_t min_minor) {
    (void) state;
    return strcmp(id, "com.example.greeter") == 0 && major == 1 && min_minor <= 2 ? &greeter.header : NULL;
}
static const dlp_plugin plugin = { sizeof(dlp_plugin), 0, init, start, stop, destroy, get_interface };
DLP_ENTRY(plugin)
