/*
 * PostgreSQL binary wire formats of the types fx-core exchanges: int4, int8,
 * float8 and timestamptz (int8 microseconds since 2000-01-01 UTC). Binary
 * parameters and results skip text formatting and parsing on both sides and
 * keep microseconds and doubles exact.
 */
#ifndef FX_PG_CODEC_H
#define FX_PG_CODEC_H

#include <stdint.h>
#include <string.h>

/* Unix epoch -> PostgreSQL epoch (2000-01-01), in microseconds. */
#define FX_PG_EPOCH_OFFSET_US 946684800000000LL

static inline void fx_pg_put_u32(char *p, uint32_t v)
{
    p[0] = (char)(v >> 24), p[1] = (char)(v >> 16), p[2] = (char)(v >> 8), p[3] = (char)v;
}

static inline void fx_pg_put_u16(char *p, uint16_t v) { p[0] = (char)(v >> 8), p[1] = (char)v; }

static inline void fx_pg_put_i64(char *p, int64_t v)
{
    fx_pg_put_u32(p, (uint32_t)((uint64_t)v >> 32));
    fx_pg_put_u32(p + 4, (uint32_t)v);
}

static inline void fx_pg_put_f64(char *p, double v)
{
    int64_t bits;
    memcpy(&bits, &v, 8);
    fx_pg_put_i64(p, bits);
}

static inline void fx_pg_put_time(char *p, int64_t unix_us) { fx_pg_put_i64(p, unix_us - FX_PG_EPOCH_OFFSET_US); }

static inline int32_t fx_pg_get_i32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (int32_t)(((uint32_t)u[0] << 24) | ((uint32_t)u[1] << 16) | ((uint32_t)u[2] << 8) | u[3]);
}

static inline int64_t fx_pg_get_i64(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | u[i];
    return (int64_t)v;
}

static inline double fx_pg_get_f64(const char *p)
{
    int64_t bits = fx_pg_get_i64(p);
    double v;
    memcpy(&v, &bits, 8);
    return v;
}

static inline int64_t fx_pg_get_time(const char *p) { return fx_pg_get_i64(p) + FX_PG_EPOCH_OFFSET_US; }

#endif
