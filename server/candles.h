/*
 * Candle aggregation: pure logic, no I/O. A write path turns the ticks it
 * stored into partial candles per (symbol, bucket) for each rollup level;
 * PostgreSQL merges them into the rollups by the same rule as
 * fx_candle_merge (open of the earlier first tick, close of the later last
 * tick, max, min, sum), so late and out-of-order ticks merge correctly.
 */
#ifndef FX_CANDLES_H
#define FX_CANDLES_H

#include "base/calendar.h"
#include "fx/tick.h"

#include <stddef.h>
#include <stdint.h>

/* Start of the width_us-wide bucket holding t (epoch-aligned, floor). */
int64_t fx_bucket_floor(int64_t t, int64_t width_us);

/* Fills `order` (n entries) with the tick indexes sorted by (symbol, time). */
void fx_ticks_order(const struct fx_tick *ticks, size_t n, uint32_t *order);

/* Candles of width_us over the ticks in `order` (from fx_ticks_order): one
 * per (symbol, bucket), in (symbol, bucket) order. `out` holds n candles;
 * returns how many were written. */
size_t fx_candles_build(const struct fx_tick *ticks, const uint32_t *order, size_t n, int64_t width_us,
    struct fx_candle *out);

/* Merges `from` (same symbol and bucket) into `into`. */
void fx_candle_merge(struct fx_candle *into, const struct fx_candle *from);

#endif
