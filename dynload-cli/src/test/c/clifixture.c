/* The CLI tests' library: one function per argument and return type the call command knows. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

int32_t cli_counter = 7;

int32_t cli_add(int32_t a, int32_t b) { return a + b; }
int64_t cli_mul64(int64_t a, int64_t b) { return a * b; }
double cli_half(double x) { return x / 2; }
float cli_twice(float x) { return x * 2; }
bool cli_not(bool b) { return !b; }
int8_t cli_neg8(int8_t v) { return (int8_t) -v; }
uint32_t cli_max_u32(void) { return UINT32_MAX; }
size_t cli_len(const char *s) { return strlen(s); }
const char *cli_echo(const char *s) { return s; }
const char *cli_null(void) { return 0; }
void cli_nothing(void) { }

/* Crashes the process: for the launcher's test that a crash report never lands in the working directory. */
void cli_crash(void) { *(volatile int *) 0 = 1; }
