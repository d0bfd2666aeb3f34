/*
 * BulkCreateTicks: one transaction, duplicates skipped and counted,
 * all-or-nothing on invalid input, partitions created for any day.
 */
#include "tests/support/fixture.h"
#include "server/config.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

TestSuite(tick_bulk, .init = fx_fixture_start, .fini = fx_fixture_stop, .timeout = 300);

static fxc_tick *make_ticks(const char *symbol, size_t n, int64_t t0, int64_t step_us)
{
    fxc_tick *t = calloc(n, sizeof *t);
    cr_assert_not_null(t);
    for (size_t i = 0; i < n; i++) {
        snprintf(t[i].symbol, sizeof t[i].symbol, "%s", symbol);
        t[i].time_us = t0 + (int64_t)i * step_us;
        t[i].price = 1.08 + (double)(i % 1000) * 1e-5;
    }
    return t;
}

Test(tick_bulk, five_ticks_are_created)
{
    char sym[17];
    fx_test_symbol(sym, "B5");
    fxc_tick *t = make_ticks(sym, 5, fx_test_time(0), 1000000);
    uint64_t created = 0, dups = 0;
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, 5, &created, &dups, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(created, 5);
    cr_assert_eq(dups, 0);
    cr_assert_eq(fx_test_count_ticks(sym), 5);
    free(t);
}

Test(tick_bulk, duplicates_of_stored_and_of_the_batch_are_skipped_and_counted)
{
    char sym[17];
    fx_test_symbol(sym, "BD");
    fxc_tick *t = make_ticks(sym, 100, fx_test_time(0), 1000);
    uint64_t created, dups;
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, 60, &created, &dups, &e), FXC_OK);
    cr_assert_eq(created, 60);
    /* 40 new ticks, the 60 old ones again, and one of the new ones twice */
    fxc_tick *again = calloc(101, sizeof *again);
    memcpy(again, t, 100 * sizeof *t);
    again[100] = t[99];
    again[100].price = 9.99;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, again, 101, &created, &dups, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(created, 40);
    cr_assert_eq(dups, 61);
    cr_assert_eq(fx_test_count_ticks(sym), 100);
    free(t);
    free(again);
}

Test(tick_bulk, an_empty_bulk_creates_nothing)
{
    uint64_t created = 5, dups = 5;
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, NULL, 0, &created, &dups, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(created, 0);
    cr_assert_eq(dups, 0);
}

Test(tick_bulk, one_bad_tick_in_100000_stores_nothing_and_is_named)
{
    char sym[17];
    fx_test_symbol(sym, "BBAD");
    fxc_tick *t = make_ticks(sym, 100000, fx_test_time(0), 1000);
    t[73456].price = NAN;
    uint64_t created = 123;
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, 100000, &created, NULL, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "ticks[73456].price");
    cr_assert_eq(created, 123);
    t[73456].price = 1.1;
    snprintf(t[99999].symbol, sizeof t[99999].symbol, "BAD SYMBOL");
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, 100000, &created, NULL, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "ticks[99999].symbol");
    cr_assert_eq(fx_test_count_ticks(sym), 0);
    free(t);
}

Test(tick_bulk, the_largest_bulk_is_stored_in_one_go)
{
    char sym[17];
    fx_test_symbol(sym, "BMAX");
    fxc_tick *t = make_ticks(sym, FXC_BULK_MAX, fx_test_time(0), 1000);
    uint64_t created, dups;
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, FXC_BULK_MAX, &created, &dups, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(created, FXC_BULK_MAX);
    cr_assert_eq(fx_test_count_ticks(sym), FXC_BULK_MAX);
    fxc_tick *got;
    size_t n;
    cr_assert_eq(fxc_ticks_get(fx_test_client, sym, t[500].time_us, t[503].time_us, 10, 0, &got, &n, &e), FXC_OK);
    cr_assert_eq(n, 3);
    cr_assert_eq(got[1].price, t[501].price);
    fxc_ticks_free(got);
    free(t);
}

Test(tick_bulk, more_than_the_limit_is_refused_by_the_client)
{
    char sym[17];
    fx_test_symbol(sym, "BOVR");
    fxc_tick *t = make_ticks(sym, FXC_BULK_MAX + 1, fx_test_time(0), 1000);
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, FXC_BULK_MAX + 1, NULL, NULL, &e), FXC_RESOURCE_EXHAUSTED);
    cr_assert_eq(fx_test_count_ticks(sym), 0);
    free(t);
}

Test(tick_bulk, a_backfill_across_a_year_creates_its_partitions)
{
    char sym[17];
    fx_test_symbol(sym, "BY");
    int64_t t2019;
    cr_assert_eq(fxc_time_parse("2019-01-01T12:00:00Z", &t2019), 0);
    /* one tick every 9 hours through 2019: 974 ticks over 365 days */
    size_t n = 974;
    fxc_tick *t = make_ticks(sym, n, t2019, 9LL * 3600 * 1000000);
    uint64_t created;
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, n, &created, NULL, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(created, n);
    cr_assert_eq(fx_test_count_ticks(sym), (long long)n);
    long long parts = fx_test_sql_int("SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                                      " WHERE i.inhparent = 'ticks'::regclass AND c.relname LIKE 'ticks_p2019%'");
    cr_assert_eq(parts, 365, "one partition per day of 2019, got %lld", parts);
    free(t);
}

static void five_days_at_most(struct fx_config *cfg) { cfg->write_days_max = 5; }

/* Every day of a write is a partition to create and lock: a small request
 * over many days is refused whole (422 through the bridge), nothing created. */
TestSuite(tick_bulk_days, .fini = fx_fixture_stop, .timeout = 120);

Test(tick_bulk_days, a_write_over_more_days_than_write_days_max_is_refused_and_creates_nothing)
{
    fx_fixture_start_with(five_days_at_most);
    char sym[17];
    fx_test_symbol(sym, "BD");
    int64_t t2160;
    cr_assert_eq(fxc_time_parse("2160-01-01T12:00:00Z", &t2160), 0);
    fxc_tick *t = make_ticks(sym, 6, t2160, 86400LL * 1000000); /* 6 days */
    uint64_t created;
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, 6, &created, NULL, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "ticks");
    cr_assert(strstr(e.message, "at most 5 days") && strstr(e.message, "touches 6"), "%s", e.message);
    cr_assert_eq(fx_test_count_ticks(sym), 0);
    /* (days 1-5 of 2160 are stored below; the sixth stays without a partition) */
    cr_assert_eq(fx_test_sql_int("SELECT count(*) FROM pg_class WHERE relname = 'ticks_p21600106'"), 0,
        "partitions created for a refused write");
    /* five days are fine, however many ticks */
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, 5, &created, NULL, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(created, 5);
    free(t);
}
