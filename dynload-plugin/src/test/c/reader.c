/*
 * A plugin that requires the reload tests' store and asks to be told, not reloaded, when the store is
 * reloaded (on-dependency-reload = notify): its dependency_reloaded takes the store's table again. total()
 * calls the store through the table it holds; told() says how often it was told.
 */
#include <string.h>
#include "dynload_plugin.h"

DLP_MANIFEST("id = com.example.reader\n" "version = 1.0.0\n" "abi = 1..1\n"
             "requires = com.example.store >=1.0.0\n"
             "on-dependency-reload = notify\n"
             "provides = com.example.reader/1.0: total = i32(); told = i32()\n");

typedef struct {
    dlp_interface header;
    int32_t (*put)(int32_t, int32_t);
    int32_t (*get)(int32_t);
    int32_t (*count)(void);
    int32_t (*version)(void);
} store_table;

static const dlp_host *the_host;
static const store_table *store;
static int32_t told_count;

static int32_t total(void) { return store->count() * 100 + store->version(); }
static int32_t told(void) { return told_count; }

static const struct {
    dlp_interface header;
    int32_t (*total)(void);
    int32_t (*told)(void);
} table = { { sizeof table, 0 }, total, told };

static int32_t init(const dlp_host *host, void **state) { the_host = host; *state = NULL; return 0; }

static int32_t start(void *state) {
    (void) state;
    store = the_host->dependency(the_host, "com.example.store", 1, 0);
    return store == NULL ? 1 : 0;
}

static int32_t stop(void *state) { (void) state; store = NULL; return 0; }
static void destroy(void *state) { (void) state; }

static const dlp_interface *get_interface(void *state, const char *id, uint32_t major, uint32_t min_minor) {
    (void) state;
    return strcmp(id, "com.example.reader") == 0 && major == 1 && min_minor == 0 ? &table.header : NULL;
}

static void dependency_reloaded(void *state, const char *plugin_id) {
    (void) state;
    if (strcmp(plugin_id, "com.example.store") == 0) {
        store = the_host->dependency(the_host, "com.example.store", 1, 0);
        told_count++;
    }
}

static const dlp_plugin plugin = { sizeof(dlp_plugin), 0, init, start, stop, destroy, get_interface, NULL, NULL,
                                   dependency_reloaded };
DLP_ENTRY(plugin)
