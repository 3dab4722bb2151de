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
             "provides = com.example.greeter/1.2: greet = str(str); add = i32(i32, i32)\n"
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

static int32_t init(const dlp_host *host, void **state) { (void) host; *state = NULL; return 0; }
static int32_t start(void *state) { (void) state; return 0; }
static int32_t stop(void *state) { (void) state; return 0; }
static void destroy(void *state) { (void) state; }
static const dlp_interface *get_interface(void *state, const char *id, uint32_t major, uint32_t min_minor) {
    (void) state; (void) id; (void) major; (void) min_minor;
    return NULL;
}
static const dlp_plugin plugin = { sizeof(dlp_plugin), 0, init, start, stop, destroy, get_interface };
DLP_ENTRY(plugin)
