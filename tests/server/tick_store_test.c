/*
 * Tick CRUD through fxclient over nng against an in-process fx-core and the
 * real PostgreSQL: every operation round-trips, every invalid request gets a
 * clear INVALID_ARGUMENT naming the field and changes nothing.
 */
#include "tests/support/fixture.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

TestSuite(tick_crud, .init = fx_fixture_start, .fini = fx_fixture_stop);

static fxc_tick tick(const char *symbol, int64_t time_us, double price)
{
    fxc_tick t = { .time_us = time_us, .price = price };
    snprintf(t.symbol, sizeof t.symbol, "%s", symbol);
    return t;
}

static int create(const char *symbol, int64_t time_us, double price, fxc_err *e)
{
    fxc_tick t = tick(symbol, time_us, price);
    return fxc_tick_create(fx_test_client, &t, NULL, e);
}

Test(tick_crud, create_then_get_round_trips)
{
    char sym[17];
    fx_test_symbol(sym, "RT");
    fxc_err e;
    fxc_tick t = tick(sym, fx_test_time(0), 1.085), stored;
    cr_assert_eq(fxc_tick_create(fx_test_client, &t, &stored, &e), FXC_OK, "%s", e.message);
    cr_assert_str_eq(stored.symbol, sym);
    cr_assert_eq(stored.time_us, t.time_us);
    cr_assert_eq(stored.price, 1.085);

    fxc_tick *got;
    size_t n;
    cr_assert_eq(fxc_ticks_get(fx_test_client, sym, fx_test_time(-1), fx_test_time(1), 10, 0, &got, &n, &e), FXC_OK);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(got[0].symbol, sym);
    cr_assert_eq(got[0].time_us, t.time_us);
    cr_assert_eq(got[0].price, 1.085);
    fxc_ticks_free(got);
}

Test(tick_crud, symbol_is_normalised_to_upper_case_without_slash)
{
    fxc_err e;
    fxc_tick t = tick("gbp/jpy", fx_test_time(7), 190.5), stored;
    /* a unique time instead of a unique symbol: the symbol itself is under test */
    t.time_us += (int64_t)getpid() * 1000;
    cr_assert_eq(fxc_tick_create(fx_test_client, &t, &stored, &e), FXC_OK, "%s", e.message);
    cr_assert_str_eq(stored.symbol, "GBPJPY");
    double price;
    cr_assert(fx_test_stored_price("GBPJPY", t.time_us, &price));
    cr_assert_eq(price, 190.5);
}

Test(tick_crud, microseconds_and_doubles_survive_the_round_trip)
{
    char sym[17];
    fx_test_symbol(sym, "US");
    int64_t t0 = fx_test_time(0) + 123456;
    double prices[] = { 1.0849999999999999, 0.1 + 0.2, 150.123456789012, 1e-9 };
    fxc_err e;
    for (int i = 0; i < 4; i++) cr_assert_eq(create(sym, t0 + i, prices[i], &e), FXC_OK, "%s", e.message);
    fxc_tick *got;
    size_t n;
    cr_assert_eq(fxc_ticks_get(fx_test_client, sym, t0, t0 + 4, 10, 0, &got, &n, &e), FXC_OK);
    cr_assert_eq(n, 4);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(got[i].time_us, t0 + i);
        cr_assert_eq(memcmp(&got[i].price, &prices[i], sizeof(double)), 0, "price %d changed", i);
    }
    fxc_ticks_free(got);
}

Test(tick_crud, duplicate_is_already_exists_and_keeps_the_first_price)
{
    char sym[17];
    fx_test_symbol(sym, "DUP");
    fxc_err e;
    cr_assert_eq(create(sym, fx_test_time(0), 1.1, &e), FXC_OK);
    cr_assert_eq(create(sym, fx_test_time(0), 2.2, &e), FXC_ALREADY_EXISTS);
    cr_assert_eq(e.code, FXC_ALREADY_EXISTS);
    cr_assert(strlen(e.message) > 0);
    cr_assert_eq(fx_test_count_ticks(sym), 1);
    double price;
    cr_assert(fx_test_stored_price(sym, fx_test_time(0), &price));
    cr_assert_eq(price, 1.1);
}

Test(tick_crud, invalid_symbols_are_rejected_and_store_nothing)
{
    const char *bad[] = { "", "EUR USD", "EUR$", "EUR/USD/X", "/EUR", "EUR/", "EUR\"X",
        "ÄUR" };
    /* At a time no other test writes: tests run in parallel on one database. */
    const int64_t when = fx_test_time(-86400 * 365 * 3 + 424242);
    char count[160];
    snprintf(count, sizeof count, "SELECT count(*) FROM ticks WHERE time = to_timestamp(%lld / 1e6)", (long long)when);
    long long before = fx_test_sql_int(count);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fxc_err e;
        cr_assert_eq(create(bad[i], when, 1.1, &e), FXC_INVALID_ARGUMENT, "symbol \"%s\"", bad[i]);
        cr_assert_str_eq(e.field, "symbol", "symbol \"%s\": field %s", bad[i], e.field);
    }
    cr_assert_eq(fx_test_sql_int(count), before);
}

Test(tick_crud, a_symbol_over_16_characters_is_rejected_everywhere)
{
    /* fxc_tick holds at most 16 characters, so the string-taking calls carry
     * the too-long symbol to the core */
    const char *longer = "ABCDEFGHIJKLMNOPQ";
    fxc_err e;
    fxc_tick *got;
    size_t n;
    cr_assert_eq(fxc_ticks_get(fx_test_client, longer, fx_test_time(0), fx_test_time(1), 10, 0, &got, &n, &e),
        FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "symbol");
    cr_assert_eq(fxc_tick_update(fx_test_client, longer, fx_test_time(0), 1.1, NULL, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "symbol");
    cr_assert_eq(fxc_tick_delete(fx_test_client, longer, fx_test_time(0), &e), FXC_INVALID_ARGUMENT);
    cr_assert_eq(fxc_ticks_delete(fx_test_client, longer, fx_test_time(0), fx_test_time(1), NULL, &e),
        FXC_INVALID_ARGUMENT);
}

Test(tick_crud, longest_symbol_and_allowed_punctuation_are_accepted)
{
    char sym[17];
    fx_test_symbol(sym, "A.B_C-");
    char longest[17];
    snprintf(longest, sizeof longest, "%-16s", sym);
    for (char *p = longest; *p; p++)
        if (*p == ' ') *p = 'Z';
    fxc_err e;
    cr_assert_eq(create(longest, fx_test_time(0), 1.1, &e), FXC_OK, "%s: %s", longest, e.message);
    cr_assert_eq(fx_test_count_ticks(longest), 1);
}

Test(tick_crud, invalid_prices_are_rejected_and_store_nothing)
{
    char sym[17];
    fx_test_symbol(sym, "PX");
    double bad[] = { 0.0, -0.0, -1.5, NAN, INFINITY, -INFINITY };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fxc_err e;
        cr_assert_eq(create(sym, fx_test_time((int64_t)i), bad[i], &e), FXC_INVALID_ARGUMENT, "price %g", bad[i]);
        cr_assert_str_eq(e.field, "price");
    }
    cr_assert_eq(fx_test_count_ticks(sym), 0);
}

Test(tick_crud, times_outside_the_supported_range_are_rejected)
{
    char sym[17];
    fx_test_symbol(sym, "TM");
    fxc_err e;
    int64_t year_1800 = -5364662400LL * 1000000LL, year_2300 = 10413792000LL * 1000000LL;
    cr_assert_eq(create(sym, year_1800, 1.1, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "time");
    cr_assert_eq(create(sym, year_2300, 1.1, &e), FXC_INVALID_ARGUMENT);
    cr_assert_eq(create(sym, INT64_MIN, 1.1, &e), FXC_INVALID_ARGUMENT);
    cr_assert_eq(fx_test_count_ticks(sym), 0);
}

Test(tick_crud, unparsable_times_never_reach_the_core)
{
    const char *bad[] = { "", "yesterday", "2025-13-01T00:00:00Z", "2025-02-30", "2025-01-01T25:00:00Z",
        "2025-01-01T10:00:00+25:00", "2025-01-01T10:00:00.1234567Z", "2025-01-01T10:00:00Zjunk" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t us = 42;
        cr_assert_eq(fxc_time_parse(bad[i], &us), -1, "\"%s\" parsed", bad[i]);
        cr_assert_eq(us, 42, "output written on failure");
    }
}

Test(tick_crud, ticks_years_outside_the_current_partitions_are_stored)
{
    char sym[17];
    fx_test_symbol(sym, "OLD");
    int64_t t2019, t1995, t2150;
    cr_assert_eq(fxc_time_parse("2019-03-04T05:06:07.000008Z", &t2019), 0);
    cr_assert_eq(fxc_time_parse("1995-07-01T00:00:00Z", &t1995), 0);
    cr_assert_eq(fxc_time_parse("2150-12-31T23:59:59.999999Z", &t2150), 0);
    fxc_err e;
    cr_assert_eq(create(sym, t2019, 1.13, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(create(sym, t1995, 1.29, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(create(sym, t2150, 2.5, &e), FXC_OK, "%s", e.message);
    fxc_tick *got;
    size_t n;
    cr_assert_eq(fxc_ticks_get(fx_test_client, sym, t1995, t2150 + 1, 10, 0, &got, &n, &e), FXC_OK);
    cr_assert_eq(n, 3);
    cr_assert_eq(got[0].time_us, t1995);
    cr_assert_eq(got[1].time_us, t2019);
    cr_assert_eq(got[2].time_us, t2150);
    fxc_ticks_free(got);
    cr_assert_eq(fx_test_sql_int("SELECT count(*) FROM pg_class WHERE relname = 'ticks_p20190304'"), 1);
}

Test(tick_crud, get_is_sorted_end_exclusive_and_honours_limit_and_offset)
{
    char sym[17];
    fx_test_symbol(sym, "RNG");
    fxc_err e;
    /* inserted out of order on purpose */
    int order[] = { 5, 1, 9, 3, 7, 0, 2, 8, 4, 6 };
    for (int i = 0; i < 10; i++) cr_assert_eq(create(sym, fx_test_time(order[i]), 1.0 + order[i], &e), FXC_OK);
    fxc_tick *got;
    size_t n;
    cr_assert_eq(fxc_ticks_get(fx_test_client, sym, fx_test_time(2), fx_test_time(8), 1000, 0, &got, &n, &e), FXC_OK);
    cr_assert_eq(n, 6, "[2, 8) holds 6 ticks, got %zu", n);
    for (size_t i = 0; i < n; i++) cr_assert_eq(got[i].time_us, fx_test_time(2 + (int64_t)i));
    fxc_ticks_free(got);

    cr_assert_eq(fxc_ticks_get(fx_test_client, sym, fx_test_time(0), fx_test_time(10), 3, 4, &got, &n, &e), FXC_OK);
    cr_assert_eq(n, 3);
    cr_assert_eq(got[0].time_us, fx_test_time(4));
    cr_assert_eq(got[2].time_us, fx_test_time(6));
    fxc_ticks_free(got);

    cr_assert_eq(fxc_ticks_get(fx_test_client, sym, fx_test_time(3), fx_test_time(3), 10, 0, &got, &n, &e), FXC_OK);
    cr_assert_eq(n, 0, "an empty range is empty");
    fxc_ticks_free(got);
}

Test(tick_crud, get_rejects_bad_limits_and_start_after_end)
{
    char sym[17];
    fx_test_symbol(sym, "LIM");
    fxc_err e;
    fxc_tick *got = NULL;
    size_t n = 99;
    cr_assert_eq(fxc_ticks_get(fx_test_client, sym, fx_test_time(0), fx_test_time(1), 0, 0, &got, &n, &e),
        FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "limit");
    cr_assert_eq(fxc_ticks_get(fx_test_client, sym, fx_test_time(0), fx_test_time(1), FXC_TICKS_GET_MAX + 1, 0, &got,
                     &n, &e),
        FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "limit");
    cr_assert_eq(fxc_ticks_get(fx_test_client, sym, fx_test_time(5), fx_test_time(1), 10, 0, &got, &n, &e),
        FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "", "start > end is an inconsistent request, not one bad field");
    cr_assert(strstr(e.message, "start") != NULL);
    cr_assert_eq(got, NULL, "outputs are written only on success");
    cr_assert_eq(n, 99);
    cr_assert_eq(fxc_ticks_get(fx_test_client, "BAD SYM", fx_test_time(0), fx_test_time(1), 10, 0, &got, &n, &e),
        FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "symbol");
    cr_assert_eq(fxc_ticks_get(fx_test_client, sym, fx_test_time(0), fx_test_time(1), FXC_TICKS_GET_MAX, 0, &got, &n,
                     &e),
        FXC_OK, "the maximum limit itself is fine");
    fxc_ticks_free(got);
}

Test(tick_crud, update_changes_the_price_and_missing_is_not_found)
{
    char sym[17];
    fx_test_symbol(sym, "UPD");
    fxc_err e;
    cr_assert_eq(create(sym, fx_test_time(0), 1.1, &e), FXC_OK);
    fxc_tick updated;
    cr_assert_eq(fxc_tick_update(fx_test_client, sym, fx_test_time(0), 1.2, &updated, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(updated.price, 1.2);
    cr_assert_eq(updated.time_us, fx_test_time(0));
    double price;
    cr_assert(fx_test_stored_price(sym, fx_test_time(0), &price));
    cr_assert_eq(price, 1.2);

    cr_assert_eq(fxc_tick_update(fx_test_client, sym, fx_test_time(1), 1.3, NULL, &e), FXC_NOT_FOUND);
    cr_assert_eq(fx_test_count_ticks(sym), 1, "update of a missing tick creates nothing");
    cr_assert_eq(fxc_tick_update(fx_test_client, sym, fx_test_time(0), -4, NULL, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "price");
    cr_assert_eq(fxc_tick_update(fx_test_client, sym, fx_test_time(0), NAN, NULL, &e), FXC_INVALID_ARGUMENT);
    cr_assert(fx_test_stored_price(sym, fx_test_time(0), &price));
    cr_assert_eq(price, 1.2, "a rejected update changes nothing");
}

Test(tick_crud, delete_one_then_it_is_not_found)
{
    char sym[17];
    fx_test_symbol(sym, "DEL");
    fxc_err e;
    cr_assert_eq(create(sym, fx_test_time(0), 1.1, &e), FXC_OK);
    cr_assert_eq(create(sym, fx_test_time(1), 1.1, &e), FXC_OK);
    cr_assert_eq(fxc_tick_delete(fx_test_client, sym, fx_test_time(0), &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fx_test_count_ticks(sym), 1);
    cr_assert_eq(fxc_tick_delete(fx_test_client, sym, fx_test_time(0), &e), FXC_NOT_FOUND);
    cr_assert_eq(e.code, FXC_NOT_FOUND);
    cr_assert_eq(fx_test_count_ticks(sym), 1);
}

Test(tick_crud, delete_range_counts_and_rejects_start_after_end)
{
    char sym[17], other[17];
    fx_test_symbol(sym, "DR");
    fx_test_symbol(other, "DRO");
    fxc_err e;
    for (int i = 0; i < 10; i++) {
        cr_assert_eq(create(sym, fx_test_time(i), 1.1, &e), FXC_OK);
        cr_assert_eq(create(other, fx_test_time(i), 1.1, &e), FXC_OK);
    }
    uint64_t deleted = 777;
    cr_assert_eq(fxc_ticks_delete(fx_test_client, sym, fx_test_time(8), fx_test_time(2), &deleted, &e),
        FXC_INVALID_ARGUMENT);
    cr_assert_eq(deleted, 777);
    cr_assert_eq(fx_test_count_ticks(sym), 10);
    cr_assert_eq(fxc_ticks_delete(fx_test_client, sym, fx_test_time(2), fx_test_time(8), &deleted, &e), FXC_OK);
    cr_assert_eq(deleted, 6);
    cr_assert_eq(fx_test_count_ticks(sym), 4);
    cr_assert_eq(fx_test_count_ticks(other), 10, "other symbols are untouched");
    cr_assert_eq(fxc_ticks_delete(fx_test_client, sym, fx_test_time(2), fx_test_time(8), &deleted, &e), FXC_OK);
    cr_assert_eq(deleted, 0);
}

Test(tick_crud, health_reports_database_and_redis)
{
    fxc_health_info h;
    fxc_err e;
    cr_assert_eq(fxc_health(fx_test_client, &h, &e), FXC_OK, "%s", e.message);
    cr_assert(h.database_ok, "database: %s", h.database);
    cr_assert_str_eq(h.database, "connected");
    cr_assert(h.redis_ok, "redis: %s (REDIS_URL=%s)", h.redis, getenv("REDIS_URL") ? getenv("REDIS_URL") : "unset");
    cr_assert(strlen(h.version) > 0);
}

Test(tick_crud, offsets_beyond_a_million_are_refused_naming_the_field)
{
    fxc_tick *got;
    size_t n;
    fxc_err e;
    cr_assert_eq(fxc_ticks_get(fx_test_client, "EURUSD", fx_test_time(0), fx_test_time(1), 10, 1000000, &got, &n, &e),
        FXC_OK, "%s", e.message);
    fxc_ticks_free(got);
    cr_assert_eq(fxc_ticks_get(fx_test_client, "EURUSD", fx_test_time(0), fx_test_time(1), 10, 1000001, &got, &n, &e),
        FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "offset");
    cr_assert(strstr(e.message, "start after the last tick") != NULL, "%s", e.message);
}

/* "NULL" is a valid symbol: the store's array literals must not read it as SQL's NULL. */
Test(tick_crud, the_symbol_null_is_a_symbol)
{
    fxc_err e;
    int64_t t0 = fx_test_time(0) + (int64_t)getpid() * 1000;
    fxc_tick t[2] = { { .symbol = "NULL", .time_us = t0, .price = 1.5 }, { .symbol = "NULL", .time_us = t0 + 1, .price = 1.6 } };
    uint64_t created;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, 2, &created, NULL, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(created, 2);
    cr_assert_eq(fxc_tick_delete(fx_test_client, "NULL", t0, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_tick_delete(fx_test_client, "NULL", t0 + 1, &e), FXC_OK, "%s", e.message);
}
