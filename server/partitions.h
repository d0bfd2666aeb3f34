/*
 * Daily partitions of the ticks table. Days are numbered since 1970-01-01
 * (UTC). A process-wide cache remembers the days known to exist, so the write
 * path asks PostgreSQL only when it meets a new day (a backfill, or midnight).
 */
#ifndef FX_PARTITIONS_H
#define FX_PARTITIONS_H

#include "fx/tick.h"
#include "server/db.h"

#include <stddef.h>
#include <stdint.h>

/* The name of a day's partitions ends in its date as YYYYMMDD (ticks_p…,
 * tick_chunks_p…, migrations 001 and 006); written into `out`, returned. */
#define FX_PARTITION_SUFFIX_MAX 9
const char *fx_partition_suffix(int32_t day, char out[FX_PARTITION_SUFFIX_MAX]);

/* Day number of a time in microseconds since the epoch (floor division). */
int32_t fx_day_of(int64_t time_us);

/* Sorts day numbers ascending. */
void fx_days_sort(int32_t *days, size_t n);

/* How many distinct UTC days the ticks fall on (SIZE_MAX when out of memory). */
size_t fx_days_touched(const struct fx_tick *t, size_t n);

/* Ensures a partition exists for each of the `n` days (any order, repeats
 * allowed; `days` may be reordered). Returns 0, or FX_EDB / FX_EUNAVAIL. */
int fx_partitions_ensure(struct fx_db *db, int32_t *days, size_t n, char *err, size_t errlen);

/* Ensures partitions for every day in [first, last]. */
int fx_partitions_ensure_range(struct fx_db *db, int32_t first, int32_t last, char *err, size_t errlen);

/* The days in [first, last] that have a partition of ticks or of
 * tick_chunks, ascending (*days malloc'ed, the caller frees it). */
int fx_partitions_days(struct fx_db *db, int32_t first, int32_t last, int32_t **days, size_t *n, char *err,
    size_t errlen);

/* Forgets the cache (after partitions were dropped, or an insert found none). */
void fx_partitions_forget(void);

#endif
