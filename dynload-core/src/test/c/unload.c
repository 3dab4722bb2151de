/* Built twice, as libversion1.so and libversion2.so: the same functions, giving their version, for the
 * tests that close a bound library, rebuild it in place and open it again. */
#include <stdint.h>
#include <unistd.h>

#ifndef VERSION
#define VERSION 1
#endif

int32_t u_version(void) { return VERSION; }

/* Says it has started (one byte to started_fd), then waits for one byte on release_fd: a call in
 * flight for exactly as long as the test wants. */
int32_t u_block(int32_t started_fd, int32_t release_fd) {
    char c = 's';
    if (write(started_fd, &c, 1) != 1) return -1;
    if (read(release_fd, &c, 1) != 1) return -2;
    return VERSION * 1000 + c;
}
