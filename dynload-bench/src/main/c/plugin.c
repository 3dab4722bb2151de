/* The benchmarks' plugin: com.example.bench.NNNN (the discovery benchmark patches the digits in copies),
 * providing com.example.bench/1.0; `add` is also exported by name, for raw FFM to call the same function. */
#include "dynload_plugin.h"

#include <string.h>

DLP_MANIFEST("id = com.example.bench.0000\n"
             "version = 1.0.0\n"
             "abi = 1..1\n"
             "provides = com.example.bench/1.0: add = i32(i32, i32); noop = i32()\n");

DLP_EXPORT int32_t bench_plugin_add(int32_t a, int32_t b) { return a + b; }
DLP_EXPORT int32_t bench_plugin_noop(void) { return 0; }

static const struct {
    dlp_interface header;
    int32_t (*add)(int32_t, int32_t);
    int32_t (*noop)(void);
} table = { { sizeof table, 0 }, bench_plugin_add, bench_plugin_noop };

static int32_t init(const dlp_host *host, void **state) { (void) host; *state = NULL; return 0; }
static int32_t start(void *state) { (void) state; return 0; }
static int32_t stop(void *state) { (void) state; return 0; }
static void destroy(void *state) { (void) state; }
static const dlp_interface *get_interface(void *state, const char *id, uint32_t major, uint32_t min_minor) {
    (void) state;
    return strcmp(id, "com.example.bench") == 0 && major == 1 && min_minor == 0 ? &table.header : NULL;
}
static const dlp_plugin plugin = { sizeof(dlp_plugin), 0, init, start, stop, destroy, get_interface };
DLP_ENTRY(plugin)
