#include "fixture.h"

#include <unistd.h>

int32_t fixture_counter = 42;
const char fixture_name[] = "fixture";

int8_t fixture_id_i8(int8_t v) { return v; }
int16_t fixture_id_i16(int16_t v) { return v; }
uint16_t fixture_id_u16(uint16_t v) { return v; }
int32_t fixture_id_i32(int32_t v) { return v; }
int64_t fixture_id_i64(int64_t v) { return v; }
float fixture_id_f32(float v) { return v; }
double fixture_id_f64(double v) { return v; }
bool fixture_id_bool(bool v) { return v; }
void *fixture_id_ptr(void *v) { return v; }

fixture_point fixture_point_scale(fixture_point p, int32_t factor) {
    fixture_point r = { p.x * factor, p.y * factor, p.weight * factor };
    return r;
}

int32_t fixture_add(int32_t a, int32_t b) { return a + b; }

const char *fixture_greet(void) { return "Hello from C!"; }

const char *fixture_null(void) { return 0; }

/* Says it has started (one byte to started_fd), then waits for one byte on release_fd: a call in
 * flight for exactly as long as the test wants, no clock involved. */
int32_t fixture_block(int32_t started_fd, int32_t release_fd) {
    char c = 's';
    if (write(started_fd, &c, 1) != 1) return -1;
    if (read(release_fd, &c, 1) != 1) return -2;
    return c;
}

int32_t fixture_counter_get(void) { return fixture_counter; }

void fixture_call_back(void (*callback)(void)) { callback(); }
