/*
 * Two plugins for strings across processes: the echoer provides functions that take and return C
 * strings; the relay requires it and calls it from its own functions. Run in different processes (or
 * one in the JVM), each call of the relay's reaches the echoer through the host, strings and all.
 */
#include "dynload_plugin.h"

#include <stdio.h>
#include <string.h>

#if defined(VARIANT_ECHOER)
DLP_MANIFEST("id = com.example.echoer\n" "version = 1.0.0\n" "abi = 1..1\n"
             "provides = com.example.echo/1.0: echo = str(str); length = i32(i32, str); half = f64(f64)\n");
#elif defined(VARIANT_RELAY)
DLP_MANIFEST("id = com.example.relay\n" "version = 1.0.0\n" "abi = 1..1\n"
             "requires = com.example.echoer ^1.0.0\n"
             "provides = com.example.relay/1.0: relay = str(str); relay_length = i32(str); relay_half = f64(f64); "
             "relay_twice = str(str)\n");
#endif

static const dlp_host *the_host;

typedef struct {
    dlp_interface header;
    const char *(*echo)(const char *);
    int32_t (*length)(int32_t, const char *);
    double (*half)(double);
} echo_table;

/* ---- The echoer ---- */

/* NULL for NULL; else "echo: " and the text, valid until this thread calls again. */
__attribute__((unused)) static const char *echo(const char *text) {
    static _Thread_local char buffer[512];
    if (!text) return NULL;
    snprintf(buffer, sizeof buffer, "echo: %s", text);
    return buffer;
}

__attribute__((unused)) static int32_t length(int32_t extra, const char *text) {
    return text ? (int32_t) strlen(text) + extra : -1;
}

__attribute__((unused)) static double half(double v) { return v / 2; }

__attribute__((unused)) static const echo_table echoes = { { sizeof echoes, 0 }, echo, length, half };

/* ---- The relay ---- */

static const echo_table *echoer;

__attribute__((unused)) static const char *relay(const char *text) {
    static _Thread_local char buffer[600];
    const char *echoed = echoer && echoer->echo ? echoer->echo(text) : "no echo function";
    snprintf(buffer, sizeof buffer, "relayed %s", echoed ? echoed : "NULL");
    return buffer;
}

__attribute__((unused)) static int32_t relay_length(const char *text) {
    return echoer && echoer->length ? echoer->length(100, text) : -2;
}

__attribute__((unused)) static double relay_half(double v) { return echoer && echoer->half ? echoer->half(v) : -1; }

/* The echoer's result handed straight back to it: a str result is valid until this thread's next call. */
__attribute__((unused)) static const char *relay_twice(const char *text) {
    return echoer && echoer->echo ? echoer->echo(echoer->echo(text)) : "no echo function";
}

__attribute__((unused)) static const struct {
    dlp_interface header;
    const char *(*relay)(const char *);
    int32_t (*relay_length)(const char *);
    double (*relay_half)(double);
    const char *(*relay_twice)(const char *);
} relays = { { sizeof relays, 0 }, relay, relay_length, relay_half, relay_twice };

/* ---- The lifecycle ---- */

static int32_t init(const dlp_host *host, void **state) {
    the_host = host;
    *state = NULL;
    return 0;
}

static int32_t start(void *state) {
    (void) state;
#if defined(VARIANT_RELAY)
    echoer = the_host->dependency(the_host, "com.example.echo", 1, 0);
    if (!echoer) {
        the_host->log(the_host, DLP_LOG_ERROR, "com.example.echo/1 is not there");
        return 4;
    }
#endif
    return 0;
}

static int32_t stop(void *state) { (void) state; return 0; }

static void destroy(void *state) { (void) state; }

static const dlp_interface *get_interface(void *state, const char *id, uint32_t major, uint32_t min_minor) {
    (void) state;
    (void) min_minor;
#if defined(VARIANT_ECHOER)
    if (strcmp(id, "com.example.echo") == 0 && major == 1) return &echoes.header;
#else
    if (strcmp(id, "com.example.relay") == 0 && major == 1) return &relays.header;
#endif
    return NULL;
}

static const dlp_plugin plugin = { sizeof(dlp_plugin), 0, init, start, stop, destroy, get_interface };
DLP_ENTRY(plugin)
