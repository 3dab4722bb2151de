/* The fixture library of dynload-core's tests: every primitive type, a struct, data and NULL. */
#ifndef DYNLOAD_FIXTURE_H
#define DYNLOAD_FIXTURE_H
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int32_t x;
    int32_t y;
    double weight;
} fixture_point;

int8_t fixture_id_i8(int8_t v);
int16_t fixture_id_i16(int16_t v);
uint16_t fixture_id_u16(uint16_t v);
int32_t fixture_id_i32(int32_t v);
int64_t fixture_id_i64(int64_t v);
float fixture_id_f32(float v);
double fixture_id_f64(double v);
bool fixture_id_bool(bool v);
void *fixture_id_ptr(void *v);
fixture_point fixture_point_scale(fixture_point p, int32_t factor);
int32_t fixture_add(int32_t a, int32_t b);
const char *fixture_greet(void);
const char *fixture_null(void);
int32_t fixture_block(int32_t started_fd, int32_t release_fd);
int32_t fixture_counter_get(void);
void fixture_call_back(void (*callback)(void));

extern int32_t fixture_counter;
extern const char fixture_name[];

#endif
