/* Redis Stream entries of raw ticks: parsing only, no I/O. Any thread. */
#ifndef FX_INGEST_ENTRY_H
#define FX_INGEST_ENTRY_H

#include "fx/tick.h"

#include <stddef.h>

/* Parses one stream entry's fields into a tick. Times are RFC 3339 or a
 * number of Unix seconds (milliseconds above 1e11, microseconds above 1e14).
 * Returns 0, or FX_EINVAL with the reason in `why` (a NUL byte inside a
 * value is refused, never read as its end). */
/* Whether a field of that name is one fx_ingest_parse_entry reads (the
 * others are ignored, however many an entry has). */
int fx_ingest_field_wanted(const char *name, size_t len);

int fx_ingest_parse_entry(const char *const *fields, const size_t *lengths, size_t nfields, struct fx_tick *out,
    char *why, size_t whylen);

#endif
