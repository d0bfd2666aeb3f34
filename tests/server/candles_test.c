/* Candle aggregation (pure): buckets, order, merge rule. */
#include "server/candles.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static struct fx_tick tk(const char *sym, int64_t t, double p)
{
    struct fx_tick x = { .time_us = t, .price = p };
    snprintf(x.symbol, sizeof x.symbol, "%s", sym);
    return x;
}

Test(candles, bucket_floor_rounds_down_also_before_1970)
{
    cr_assert_eq(fx_bucket_floor(0, FX_US_PER_MINUTE), 0);
    cr_assert_eq(fx_bucket_floor(59999999, FX_US_PER_MINUTE), 0);
    cr_assert_eq(fx_bucket_floor(60000000, FX_US_PER_MINUTE), 60000000);
    cr_assert_eq(fx_bucket_floor(-1, FX_US_PER_MINUTE), -60000000);
    cr_assert_eq(fx_bucket_floor(-60000000, FX_US_PER_MINUTE), -60000000);
}

Test(candles, out_of_order_ticks_of_several_symbols_aggregate_by_time)
{
    struct fx_tick t[] = {
        tk("EURUSD", 30 * 1000000LL, 1.3), tk("GBPUSD", 5 * 1000000LL, 2.0), tk("EURUSD", 10 * 1000000LL, 1.1),
        tk("EURUSD", 70 * 1000000LL, 1.7), tk("EURUSD", 20 * 1000000LL, 1.5), tk("EURUSD", 40 * 1000000LL, 1.0),
    };
    size_t n = sizeof t / sizeof t[0];
    uint32_t order[6];
    struct fx_candle c[6];
    fx_ticks_order(t, n, order);
    size_t m = fx_candles_build(t, order, n, FX_US_PER_MINUTE, c);
    cr_assert_eq(m, 3);
    cr_assert_str_eq(c[0].symbol, "EURUSD");
    cr_assert_eq(c[0].bucket_us, 0);
    cr_assert_eq(c[0].open, 1.1);
    cr_assert_eq(c[0].high, 1.5);
    cr_assert_eq(c[0].low, 1.0);
    cr_assert_eq(c[0].close, 1.0);
    cr_assert_eq(c[0].tick_count, 4);
    cr_assert_eq(c[0].first_us, 10 * 1000000LL);
    cr_assert_eq(c[0].last_us, 40 * 1000000LL);
    cr_assert_eq(c[1].bucket_us, 60 * 1000000LL);
    cr_assert_eq(c[1].tick_count, 1);
    cr_assert_str_eq(c[2].symbol, "GBPUSD");
    m = fx_candles_build(t, order, n, FX_US_PER_HOUR, c);
    cr_assert_eq(m, 2);
    cr_assert_eq(c[0].tick_count, 5);
    cr_assert_eq(c[0].close, 1.7);
}

Test(candles, merging_partials_equals_aggregating_everything)
{
    /* a late partial (earlier ticks) merged into a later one */
    struct fx_candle later = { .open = 1.2, .high = 1.4, .low = 1.2, .close = 1.3, .tick_count = 3, .first_us = 20, .last_us = 50 };
    struct fx_candle late = { .open = 1.0, .high = 1.1, .low = 0.9, .close = 1.1, .tick_count = 2, .first_us = 5, .last_us = 15 };
    fx_candle_merge(&later, &late);
    cr_assert_eq(later.open, 1.0);
    cr_assert_eq(later.close, 1.3, "the close stays the latest tick's");
    cr_assert_eq(later.high, 1.4);
    cr_assert_eq(later.low, 0.9);
    cr_assert_eq(later.tick_count, 5);
    cr_assert_eq(later.first_us, 5);
    cr_assert_eq(later.last_us, 50);
}
