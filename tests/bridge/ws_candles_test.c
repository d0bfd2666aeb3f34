/* The hub's memory of candle states: each bucket's states in version order,
 * its close once, and old buckets forgotten. */
#include "bridge/ws_candles.h"

#include <criterion/criterion.h>
#include <stdio.h>

#define MIN 60000000LL
#define T0 (1736935200LL * 1000000) /* 2025-01-15T10:00Z */

static fxc_candle candle(const char *sym, int64_t bucket, uint64_t version, uint64_t count, int complete)
{
    fxc_candle c = { .bucket_us = bucket, .tick_count = count, .complete = complete, .version = version };
    snprintf(c.symbol, sizeof c.symbol, "%s", sym);
    return c;
}

static int pass(struct fx_ws_candles *m, const char *stream, fxc_candle c)
{
    return fx_ws_candles_pass(m, stream, &c, T0 + 30000000);
}

Test(ws_candles, a_stale_version_and_a_repeated_complete_are_dropped)
{
    struct fx_ws_candles *m = fx_ws_candles_create();
    cr_assert_not_null(m);
    cr_assert(pass(m, "minute", candle("EURUSD", T0, 10, 1, 0)));
    cr_assert(pass(m, "minute", candle("EURUSD", T0, 12, 3, 0)), "a newer state (another core's write)");
    cr_assert_not(pass(m, "minute", candle("EURUSD", T0, 11, 2, 0)), "an older state arriving late is dropped");
    cr_assert_not(pass(m, "minute", candle("EURUSD", T0, 12, 3, 0)), "the same state twice");
    cr_assert(pass(m, "minute", candle("EURUSD", T0, 12, 3, 1)), "the close of the last state");
    cr_assert_not(pass(m, "minute", candle("EURUSD", T0, 12, 3, 1)), "a second close (a new leader's)");
    cr_assert_not(pass(m, "minute", candle("EURUSD", T0, 12, 3, 0)), "the open state after its close");
    cr_assert_not(pass(m, "minute", candle("EURUSD", T0, 11, 2, 1)), "an older close");
    cr_assert(pass(m, "minute", candle("EURUSD", T0, 15, 4, 1)), "a late tick: a new state of the ended bucket");
    cr_assert_not(pass(m, "minute", candle("EURUSD", T0, 15, 4, 1)));
    cr_assert_eq(fx_ws_candles_count(m), 1);
    fx_ws_candles_destroy(m);
}

Test(ws_candles, buckets_symbols_and_streams_are_ordered_apart)
{
    struct fx_ws_candles *m = fx_ws_candles_create();
    cr_assert(pass(m, "minute", candle("EURUSD", T0, 20, 1, 1)));
    cr_assert(pass(m, "minute", candle("EURUSD", T0 + MIN, 5, 1, 0)), "another bucket has versions of its own");
    cr_assert(pass(m, "minute", candle("USDJPY", T0, 7, 1, 1)), "another symbol");
    cr_assert(pass(m, "hour", candle("EURUSD", T0, 20, 1, 0)), "another stream, same row version");
    cr_assert(pass(m, "custom-day", candle("EURUSD", T0, 20, 1, 0)));
    cr_assert_eq(fx_ws_candles_count(m), 5);
    fx_ws_candles_destroy(m);
}

Test(ws_candles, version_0_and_unknown_streams_pass_unchecked)
{
    struct fx_ws_candles *m = fx_ws_candles_create();
    cr_assert(pass(m, "minute", candle("EURUSD", T0, 0, 1, 1)), "a core before versions");
    cr_assert(pass(m, "minute", candle("EURUSD", T0, 0, 1, 1)), "as before: no check");
    cr_assert(pass(m, "week", candle("EURUSD", T0, 3, 1, 1)));
    cr_assert(pass(m, "week", candle("EURUSD", T0, 3, 1, 1)));
    cr_assert_eq(fx_ws_candles_count(m), 0);
    fx_ws_candles_destroy(m);
}

Test(ws_candles, buckets_well_in_the_past_are_forgotten_and_open_ones_kept)
{
    struct fx_ws_candles *m = fx_ws_candles_create();
    int64_t now = T0 + 30000000;
    fxc_candle old = candle("EURUSD", T0 - 10 * MIN, 9, 1, 1), cur = candle("EURUSD", T0, 10, 1, 0);
    fxc_candle day = candle("EURUSD", T0 - 10 * MIN, 11, 1, 0);
    cr_assert(fx_ws_candles_pass(m, "minute", &old, now - 6 * MIN));
    cr_assert(fx_ws_candles_pass(m, "minute", &cur, now));
    cr_assert(fx_ws_candles_pass(m, "day", &day, now - 6 * MIN));
    cr_assert_eq(fx_ws_candles_count(m), 3);
    fx_ws_candles_sweep(m, now);
    cr_assert_eq(fx_ws_candles_count(m), 2, "the minute that ended 9 minutes ago is forgotten; the day is open");
    cr_assert(fx_ws_candles_pass(m, "minute", &old, now), "a forgotten bucket starts afresh");
    cr_assert_not(fx_ws_candles_pass(m, "minute", &cur, now), "a kept one is still checked");
    /* an old bucket with a recent event (a backfill) stays while events come */
    fx_ws_candles_sweep(m, now + MIN);
    cr_assert_eq(fx_ws_candles_count(m), 3);
    fx_ws_candles_sweep(m, now + 20 * MIN);
    cr_assert_eq(fx_ws_candles_count(m), 1, "only the day is left");
    fx_ws_candles_destroy(m);
}
