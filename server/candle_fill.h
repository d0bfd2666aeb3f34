/*
 * Gap filling of candle queries (fill=prev): every bucket of the range, the
 * ones without ticks carrying the previous close. The buckets are generated
 * in PostgreSQL with the same local-time binning as the query itself (time
 * zone, day start, DST), so filled and real buckets line up.
 *
 * Called by fx_candles_select on the query's worker thread and connection.
 */
#ifndef FX_CANDLE_FILL_H
#define FX_CANDLE_FILL_H

#include "base/arena.h"
#include "fx/tick.h"
#include "server/candle_store.h"
#include "server/db.h"

#include <stddef.h>

/* Fills the gaps between `real[0..n)` (the query's candles with ticks, by
 * bucket) over q's range: *out (from `arena`) gets every bucket start of the
 * range in order, a real candle where there is one, else open = high = low =
 * close = the previous close with tick_count 0 and version 0. Buckets before
 * the first tick ever (no previous close) are left out. At most q->limit. `tz`
 * and `whole_hours` are the zone's canonical name and whether its offsets are
 * whole hours, as fx_time_zone_lookup gave them to the query. */
int fx_candles_fill_prev(struct fx_db *db, const struct fx_candle_query *q, const char *tz, int whole_hours,
    const struct fx_candle *real, size_t n, struct fx_arena *arena, struct fx_candle **out, size_t *nout,
    char *err, size_t errlen);

#endif
