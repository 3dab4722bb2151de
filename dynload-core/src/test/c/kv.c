/* A small key-value store, one of the libraries scripts/fuzz damages: the verifier's rules were written
 * against other libraries, and measured against this one (docs/loading.md). */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <pthread.h>
typedef struct entry { char *key; long value; struct entry *next; } entry;
static entry *table[64];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char banner[48];
static unsigned hash(const char *s) { unsigned h = 5381; while (*s) h = h * 33 + (unsigned char) *s++; return h; }
static void init_banner(void) { snprintf(banner, sizeof banner, "kv %s", "2.1"); }
const char *kv_banner(void) { pthread_once(&once, init_banner); return banner; }
int kv_set(const char *key, long value) { unsigned b = hash(key) % 64; entry *e = malloc(sizeof *e); if (!e) return -1; e->key = strdup(key); e->value = value; e->next = table[b]; table[b] = e; return 0; }
long kv_get(const char *key, long fallback) { for (entry *e = table[hash(key) % 64]; e; e = e->next) if (strcmp(e->key, key) == 0) return e->value; return fallback; }
__attribute__((destructor)) static void kv_clear(void) { for (int i = 0; i < 64; i++) { while (table[i]) { entry *e = table[i]; table[i] = e->next; free(e->key); free(e); } } }
__attribute__((constructor)) static void kv_seed(void) { kv_set("answer", 42); }
