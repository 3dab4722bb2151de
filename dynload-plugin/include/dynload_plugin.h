/*
 * dynload_plugin.h: the contract between a dynload host (a Java application) and a native plugin (a
 * shared library written in C, C++ or Rust). ABI version 1.1.
 *
 * A plugin is one shared library that holds two things:
 *
 *   1. a manifest, `dynload_plugin_manifest`: an exported, read-only object of plain bytes (no pointer,
 *      so no relocation) that the host reads from the FILE, without loading it or running any of its
 *      code. It says who the plugin is, which ABI and host versions it speaks, what it provides and
 *      what it needs. Write it with DLP_MANIFEST.
 *   2. an entry point, `dynload_plugin_entry`: the one function the host calls after loading the file.
 *      Host and plugin agree on an ABI version through it, and it hands the host the plugin's lifecycle
 *      table (dlp_plugin).
 *
 * Every struct that may grow starts with `uint32_t size`, the size of the struct as its writer knows
 * it: a reader never reads past `size`, and a writer never writes past the size the reader gave. A
 * newer side fills the new fields; an older side does not see them. No struct holds a bitfield or a C
 * enum: widths are fixed.
 *
 * Ownership and threading are part of the contract and are written beside each pointer and function:
 *   - "host-owned": the host allocated it and frees it; the plugin must not free it or keep it past
 *     the lifetime given.
 *   - "plugin-owned": the plugin keeps it valid for the lifetime given; the host never frees it.
 *   - "lifecycle thread": one thread at a time, the host's, for init, start, stop and destroy.
 *   - "any thread": the function must be safe to call from several threads at once.
 * Memory that crosses the boundary and outlives a call comes from the host's allocator (dlp_host.alloc
 * and dlp_host.free) or stays the plugin's own.
 *
 * Versioning: docs/plugins.md says what a minor version of the ABI or of an interface may change (add
 * fields at the end of a struct, add functions at the end of an interface table) and what needs a new
 * major one (anything else).
 */
#ifndef DYNLOAD_PLUGIN_H
#define DYNLOAD_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI versions this header describes: a plugin built with it speaks DLP_ABI_MIN..DLP_ABI_MAX. */
#define DLP_ABI_MIN 1u
#define DLP_ABI_MAX 1u
/*
 * The minor version of ABI 1 this header describes. Minor versions only add fields at the end of sized
 * structs (docs/plugins.md, "Versioning rules"), so they need no negotiation: each side reads what the
 * other's `size` covers. 1.1 added dlp_plugin.save and dlp_plugin.restore (a reload's state handoff)
 * and dlp_plugin.dependency_reloaded.
 */
#define DLP_ABI_MINOR 1u

/* DLP_VISIBLE exports a declaration; DLP_EXPORT exports a definition and keeps it even if unused. */
#if defined(_WIN32)
#define DLP_VISIBLE __declspec(dllexport)
#define DLP_EXPORT __declspec(dllexport)
#else
#define DLP_VISIBLE __attribute__((visibility("default")))
#define DLP_EXPORT __attribute__((visibility("default"), used))
#endif

/* The macros below define C names, also when expanded in a C++ file. */
#ifdef __cplusplus
#define DLP_EXTERN_C extern "C"
#define DLP_EXTERN_DECLARATION extern "C"
#else
#define DLP_EXTERN_C
#define DLP_EXTERN_DECLARATION extern
#endif

/* ------------------------------------------------------------------------------------------------ */
/* 1. The manifest                                                                                   */
/* ------------------------------------------------------------------------------------------------ */

/*
 * The manifest's bytes, exported as `dynload_plugin_manifest`:
 *
 *   offset 0   char     magic[8]    "DLPMANI1"
 *   offset 8   uint32_t format      1: the text below is manifest format 1
 *   offset 12  uint32_t length      bytes of text, without the NUL after it; at most 65536
 *   offset 16  char     text[length + 1]   UTF-8, then a NUL
 *
 * all in the byte order of the plugin's CPU. Format 1 text is one `key = value` per line:
 *
 *   id          = com.example.greeter.c            required; letters, digits, '.', '-', '_'
 *   version     = 1.2.0                            required; Semantic Versioning 2.0
 *   abi         = 1..1                             required; the ABI versions the plugin speaks
 *   host        = >=1.0.0 <2.0.0                   optional; host versions it works with
 *   description = Greets, in C                     optional
 *   license     = MIT                              optional; an SPDX expression
 *   provides    = com.example.greeter/1.2: greet = str(str); add = i32(i32, i32)
 *   requires    = com.example.base >=1.0.0 <2.0.0
 *
 * `provides` and `requires` may repeat. `provides` names an interface as `id/MAJOR.MINOR` and lists its
 * functions in table order, each as `name = result(parameters)` with the types
 *   void i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 bool ptr str
 * (`str` is a NUL-terminated UTF-8 `const char *`, `ptr` any other pointer). A `str` argument is
 * host-owned and valid during the call only; a `str` result is plugin-owned and must stay valid until
 * the same thread calls into the plugin again (the host copies it at once), so a thread-local buffer
 * will do. `requires` names another
 * plugin's id and the versions of it this plugin works with: comparisons (=, >, >=, <, <=) joined by
 * spaces all hold, `^1.2.0` means >=1.2.0 <2.0.0, `~1.2.0` means >=1.2.0 <1.3.0, and `*` any version.
 * Lines starting with '#' and empty lines are ignored; unknown keys are kept for newer hosts and ignored
 * by older ones.
 */
#define DLP_MANIFEST_FORMAT 1u
#define DLP_MANIFEST_MAX_TEXT 65536u

/*
 * Defines the manifest from a string literal, in a C or C++ file of the plugin (once per plugin):
 *
 *   DLP_MANIFEST(
 *       "id = com.example.greeter.c\n"
 *       "version = 1.2.0\n"
 *       "abi = 1..1\n"
 *       "provides = com.example.greeter/1.2: greet = str(str)\n");
 */
#define DLP_MANIFEST(TEXT)                                                                                  \
    /* A text over DLP_MANIFEST_MAX_TEXT bytes makes this array's size negative: a compile error. */      \
    extern char dlp_manifest_text_fits_[sizeof(TEXT) <= DLP_MANIFEST_MAX_TEXT + 1u ? 1 : -1];             \
    DLP_EXTERN_DECLARATION DLP_VISIBLE const struct dlp_manifest_bytes_ {                                  \
        char magic[8];                                                                                     \
        uint32_t format;                                                                                   \
        uint32_t length;                                                                                   \
        char text[sizeof(TEXT)];                                                                           \
    } dynload_plugin_manifest;                                                                             \
    DLP_EXTERN_C DLP_EXPORT const struct dlp_manifest_bytes_ dynload_plugin_manifest = {                  \
        {'D', 'L', 'P', 'M', 'A', 'N', 'I', '1'}, DLP_MANIFEST_FORMAT, (uint32_t) (sizeof(TEXT) - 1), TEXT}

/* ------------------------------------------------------------------------------------------------ */
/* 2. Host services, given to the plugin at init                                                     */
/* ------------------------------------------------------------------------------------------------ */

#define DLP_LOG_ERROR 0
#define DLP_LOG_WARN 1
#define DLP_LOG_INFO 2
#define DLP_LOG_DEBUG 3

typedef struct dlp_host dlp_host;

/*
 * Each service takes, as `host`, the dlp_host this plugin got at init: the host finds the plugin by it.
 * The services end when destroy returns. A call after that (from a thread the plugin did not join) is a
 * bug in the plugin; the host refuses it rather than crash: log drops the message, config and dependency
 * return NULL, and the host's log says so once. The dlp_host itself stays readable for that reason.
 */
struct dlp_host {
    uint32_t size;                   /* sizeof(dlp_host) as the host knows it */
    uint32_t abi;                    /* the ABI version host and plugin agreed on */
    const char *host_version;        /* host-owned, valid until destroy: the host's SemVer */
    const char *plugin_id;           /* host-owned, valid until destroy: this plugin's id */

    /*
     * Writes a message to the host's log. Any thread, until destroy returns. `message` is read during
     * the call only. Never fails, never calls back into the plugin.
     */
    void (*log)(const dlp_host *host, int32_t level, const char *message);

    /*
     * The configuration value of `key` for this plugin, or NULL when the host has none. Any thread.
     * The returned string is host-owned and valid until destroy.
     */
    const char *(*config)(const dlp_host *host, const char *key);

    /*
     * The interface table `id` at `major` (and at least `min_minor`) of a plugin this one `requires`, or
     * NULL when none of them provides it. Callable from start on, on any thread; the table is owned by
     * the providing plugin and stays valid until this plugin's stop returns (a dependency stops after
     * the plugins that need it).
     */
    const void *(*dependency)(const dlp_host *host, const char *id, uint32_t major, uint32_t min_minor);

    /*
     * The host's allocator, for memory that one side allocates and the other frees: a result the
     * plugin hands to the host to free, or the reverse. Any thread. alloc returns NULL when out of
     * memory; free(NULL) does nothing.
     */
    void *(*alloc)(size_t size);
    void (*free)(void *pointer);
};

/* ------------------------------------------------------------------------------------------------ */
/* 3. The plugin's lifecycle and its interfaces                                                     */
/* ------------------------------------------------------------------------------------------------ */

/*
 * Every interface table starts with this header, then holds one function pointer per function of the
 * interface, in the order the manifest lists them. `size` counts the header and the pointers the
 * plugin fills, so a plugin built for minor 2 of an interface (with fewer functions) works with a host
 * that knows minor 3, and the reverse: the host calls only functions that lie within `size`.
 */
typedef struct dlp_interface {
    uint32_t size;                   /* bytes: this header and the function pointers that follow */
    uint32_t minor;                  /* the interface's minor version the table implements */
} dlp_interface;

typedef struct dlp_plugin {
    uint32_t size;                   /* sizeof(dlp_plugin) as the plugin knows it */
    uint32_t reserved;               /* 0 */

    /*
     * Makes the plugin's state. Lifecycle thread, once, before anything else. `host` is host-owned and
     * valid until destroy returns; keep it. Return 0 and set *state (which may stay NULL), or return
     * non-zero after saying why through host->log: the plugin is then FAILED and destroy is not called.
     */
    int32_t (*init)(const dlp_host *host, void **state);

    /*
     * Starts work; dependencies have started. Lifecycle thread. 0, or non-zero after logging why: the
     * plugin is then FAILED, and the host calls destroy (not stop) before unloading it.
     */
    int32_t (*start)(void *state);

    /* Stops work; the plugins that depend on this one have stopped. Lifecycle thread. 0, or non-zero. */
    int32_t (*stop)(void *state);

    /* Frees the state. Lifecycle thread, once, last; after it no pointer of the plugin is used. */
    void (*destroy)(void *state);

    /*
     * The table of interface `id` at `major`, implementing at least `min_minor`, or NULL. Any thread,
     * after init and before destroy. The table is plugin-owned and valid until destroy.
     */
    const dlp_interface *(*get_interface)(void *state, const char *id, uint32_t major, uint32_t min_minor);

    /* ABI 1.1: a reload's state handoff. Both may be NULL (or lie past a 1.0 plugin's `size`): the new
     * copy then starts from a fresh init. On a reload the host loads the new copy beside the old one and
     * calls its entry point and init; then no call enters the old copy any more and those running return;
     * then the old copy's save, the new copy's restore and start; then the old copy's stop and destroy.
     * Either copy failing leaves the old one serving, and the new one is destroyed (stop first, if it
     * started). Both copies' stateful globals exist at once: they are separate images. */

    /*
     * Writes the state to hand to the copy that replaces this one. Lifecycle thread, while no call from
     * the host runs in this copy; its own threads may run, and so may calls from plugins that require
     * this one through tables they hold (they are reloaded, or told, after this copy is replaced): guard
     * the state against those as their calls need anyway. Set *bytes to memory from host->alloc (the host frees it; NULL
     * when *length is 0) and *length to its size, at most 1 GiB, and return 0; or return non-zero to
     * refuse the reload, after saying why through host->log. Any format: the new copy reads it. Save
     * only reads: if the reload fails after it (the new copy's restore or start), this copy keeps
     * serving as it was, and the calls that waited run on it.
     */
    int32_t (*save)(void *state, void **bytes, size_t *length);

    /*
     * Takes the state the replaced copy saved, after init and before start. Lifecycle thread. `bytes` is
     * host-owned, valid during the call only (NULL when `length` is 0). It may come from an older or a
     * newer build of this plugin: check a version of your own in it. Return 0, or non-zero after logging
     * why: the reload fails, and the old copy keeps serving.
     */
    int32_t (*restore)(void *state, const void *bytes, size_t length);

    /*
     * ABI 1.1, may be NULL: a plugin this one requires, `plugin_id` (host-owned, valid during the call),
     * was reloaded. Called only when this plugin's manifest says `on-dependency-reload = notify`
     * (otherwise, or when this is NULL, this plugin is reloaded after it, with its own save and restore).
     * Lifecycle thread, while no call runs in this plugin (its own threads may): tables it got from that
     * plugin through host->dependency are gone once this returns; take them again from host->dependency.
     */
    void (*dependency_reloaded)(void *state, const char *plugin_id);
} dlp_plugin;

/* ------------------------------------------------------------------------------------------------ */
/* 4. The entry point                                                                               */
/* ------------------------------------------------------------------------------------------------ */

/* What the host offers. Host-owned, valid during the call only. */
typedef struct dlp_offer {
    uint32_t size;                   /* sizeof(dlp_offer) as the host knows it */
    uint32_t abi_min;                /* the oldest ABI version the host speaks */
    uint32_t abi_max;                /* the newest */
    uint32_t reserved;               /* 0 */
    const char *host_version;        /* the host's SemVer */
} dlp_offer;

/* What the plugin answers. Host-owned; the plugin writes fields that lie within `size` only. */
typedef struct dlp_answer {
    uint32_t size;                   /* sizeof(dlp_answer) as the host knows it */
    uint32_t abi;                    /* the version picked, within the offer and the plugin's range */
    const char *refusal;             /* on refusal: why, plugin-owned, static */
    const dlp_plugin *plugin;        /* on acceptance: the lifecycle table, plugin-owned, static */
} dlp_answer;

/*
 * The one function the host calls first, once, on the lifecycle thread, right after loading. Pick the
 * highest ABI version both sides speak, write it and the lifecycle table into `answer`, return 0; or
 * write why into `answer->refusal` and return non-zero. Nothing else of the plugin runs before.
 */
#define DLP_ENTRY_SYMBOL "dynload_plugin_entry"
typedef int32_t (*dlp_entry_fn)(const dlp_offer *offer, dlp_answer *answer);

/*
 * The common case, for a plugin that speaks DLP_ABI_MIN..DLP_ABI_MAX of this header: defines
 * dynload_plugin_entry to negotiate and answer with `PLUGIN`, a `static const dlp_plugin`.
 */
#define DLP_ENTRY(PLUGIN)                                                                                   \
    DLP_EXTERN_C DLP_EXPORT int32_t dynload_plugin_entry(const dlp_offer *offer, dlp_answer *answer) {     \
        uint32_t high = offer->abi_max < DLP_ABI_MAX ? offer->abi_max : DLP_ABI_MAX;                       \
        uint32_t low = offer->abi_min > DLP_ABI_MIN ? offer->abi_min : DLP_ABI_MIN;                        \
        if (answer->size < sizeof(dlp_answer)) {                                                           \
            return 2;                                                                                      \
        }                                                                                                  \
        if (high < low) {                                                                                  \
            answer->abi = 0;                                                                               \
            answer->refusal = "no ABI version in common with the host";                                    \
            return 1;                                                                                      \
        }                                                                                                  \
        answer->abi = high;                                                                                \
        answer->refusal = NULL;                                                                            \
        answer->plugin = &(PLUGIN);                                                                        \
        return 0;                                                                                          \
    }

#ifdef __cplusplus
}
#endif

#endif /* DYNLOAD_PLUGIN_H */
