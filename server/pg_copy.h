/*
 * PostgreSQL's binary COPY format, in one place: a header, tuples (a field
 * count, then each field as its length and bytes) and a trailer, written
 * into one buffer sized up front and sent with one COPY ... FROM STDIN.
 * The field writers are inline: they run once per tick and rollup row.
 * A copy buffer belongs to one thread.
 */
#ifndef FX_PG_COPY_H
#define FX_PG_COPY_H

#include "server/db.h"
#include "server/pg_codec.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fx_pg_copy {
    char *buf, *p;
};

/* Bytes a tuple of `fields` fields holding `data` bytes in all needs. */
#define FX_PG_COPY_TUPLE_BYTES(fields, data) (2 + 4 * (fields) + (data))

/* Allocates room for `tuples` tuples of at most `tuple_max` bytes each and
 * writes the header. Returns 0 or FX_ENOMEM. */
int fx_pg_copy_begin(struct fx_pg_copy *c, size_t tuples, size_t tuple_max);

/* Writes the trailer, runs `sql` (a COPY ... FROM STDIN (FORMAT binary))
 * with the data and frees the buffer, also on failure. Returns 0 or an FX_E*
 * code with PostgreSQL's message in `err`. */
int fx_pg_copy_send(struct fx_db *db, const char *sql, struct fx_pg_copy *c, char *err, size_t errlen);

/* Frees the buffer of a copy that is not sent. */
void fx_pg_copy_discard(struct fx_pg_copy *c);

static inline void fx_pg_copy_tuple(struct fx_pg_copy *c, uint16_t fields) { fx_pg_put_u16(c->p, fields), c->p += 2; }

static inline void fx_pg_copy_text(struct fx_pg_copy *c, const char *s)
{
    size_t n = strlen(s);
    fx_pg_put_u32(c->p, (uint32_t)n), c->p += 4;
    memcpy(c->p, s, n), c->p += n;
}

static inline void fx_pg_copy_int4(struct fx_pg_copy *c, int32_t v)
{
    fx_pg_put_u32(c->p, 4), fx_pg_put_u32(c->p + 4, (uint32_t)v), c->p += 8;
}

static inline void fx_pg_copy_int8(struct fx_pg_copy *c, int64_t v)
{
    fx_pg_put_u32(c->p, 8), fx_pg_put_i64(c->p + 4, v), c->p += 12;
}

static inline void fx_pg_copy_float8(struct fx_pg_copy *c, double v)
{
    fx_pg_put_u32(c->p, 8), fx_pg_put_f64(c->p + 4, v), c->p += 12;
}

/* A field of `n` raw bytes (bytea). */
static inline void fx_pg_copy_bytes(struct fx_pg_copy *c, const void *data, size_t n)
{
    fx_pg_put_u32(c->p, (uint32_t)n), c->p += 4;
    memcpy(c->p, data, n), c->p += n;
}

/* A NULL field. */
static inline void fx_pg_copy_null(struct fx_pg_copy *c) { fx_pg_put_u32(c->p, 0xffffffffu), c->p += 4; }

static inline void fx_pg_copy_time(struct fx_pg_copy *c, int64_t unix_us)
{
    fx_pg_put_u32(c->p, 8), fx_pg_put_time(c->p + 4, unix_us), c->p += 12;
}

#endif
