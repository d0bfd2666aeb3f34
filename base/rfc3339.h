/*
 * RFC 3339 times <-> microseconds since the Unix epoch (UTC), as every
 * interface of fxohlc reads and writes them. Pure; any thread.
 */
#ifndef FX_BASE_RFC3339_H
#define FX_BASE_RFC3339_H

#include "fx/limits.h"

#include <stddef.h>
#include <stdint.h>

/* Accepts "Z" or a numeric offset, "T" or a space between date and time, a
 * fraction of up to 6 digits, no offset meaning UTC, and a bare date
 * (midnight UTC), for instants 0001-01-01 .. 9999-12-31. Returns 0 with
 * *out_us, or FX_EINVAL. fx_time_parse_n reads exactly `len` bytes (an
 * embedded NUL is refused). */
int fx_time_parse(const char *s, int64_t *out_us);
int fx_time_parse_n(const char *s, size_t len, int64_t *out_us);

/* "2025-12-05T10:00:00Z", or "...T10:00:00.123456Z" when the fraction is
 * not zero. Returns `buf`, which holds FX_TIME_STR_MAX bytes. */
char *fx_time_format(int64_t us, char buf[FX_TIME_STR_MAX]);

#endif
