/*
 * ListSymbols (fxc_symbols_list) against the ticks themselves: after bulk
 * and single writes, edits, deletes and a day sealed by retention, each
 * symbol's first and last tick time and count equal what SQL counts in the
 * ticks table, and a symbol whose ticks are all gone is not listed.
 */
#include "tests/support/fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(symbol_list, .init = fx_fixture_start, .fini = fx_fixture_stop, .timeout = 120);

static const int64_t day_us = 86400LL * 1000000;

/* The entry of `symbol` in the core's list, or 0 when it is not listed. */
static int listed(const char *symbol, fxc_symbol_info *out)
{
    fxc_symbol_info *all;
    size_t n;
    fxc_err e;
    cr_assert_eq(fxc_symbols_list(fx_test_client, &all, &n, &e), FXC_OK, "%s", e.message);
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0) cr_assert_lt(strcmp(all[i - 1].symbol, all[i].symbol), 0, "listed by name, each once");
        if (strcmp(all[i].symbol, symbol) == 0) *out = all[i], found = 1;
    }
    fxc_symbols_free(all);
    return found;
}

/* The listing of `symbol` equals min(time), max(time) and count(*) of its
 * ticks by SQL (from `from_day` on: the days before are sealed), or it is
 * absent when it has none. */
static void assert_listing_matches_ticks(const char *symbol, const char *from_day, const char *when)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM ticks WHERE symbol = '%s' AND time >= '%s'", symbol, from_day);
    long long count = fx_test_sql_int(sql);
    fxc_symbol_info s;
    int found = listed(symbol, &s);
    if (count == 0) {
        cr_assert(!found, "%s: %s has no ticks and is still listed (%llu)", when, symbol,
            (unsigned long long)s.tick_count);
        return;
    }
    cr_assert(found, "%s: %s has %lld ticks and is not listed", when, symbol, count);
    snprintf(sql, sizeof sql,
        "SELECT (extract(epoch FROM min(time)) * 1000000)::int8 FROM ticks WHERE symbol = '%s' AND time >= '%s'",
        symbol, from_day);
    long long first = fx_test_sql_int(sql);
    snprintf(sql, sizeof sql,
        "SELECT (extract(epoch FROM max(time)) * 1000000)::int8 FROM ticks WHERE symbol = '%s' AND time >= '%s'",
        symbol, from_day);
    long long last = fx_test_sql_int(sql);
    cr_assert_eq(s.tick_count, (uint64_t)count, "%s: count %llu, ticks %lld", when, (unsigned long long)s.tick_count,
        count);
    cr_assert_eq(s.first_time_us, first, "%s: first %lld, ticks %lld", when, (long long)s.first_time_us, first);
    cr_assert_eq(s.last_time_us, last, "%s: last %lld, ticks %lld", when, (long long)s.last_time_us, last);
}

static void create(const char *symbol, int64_t t, double price)
{
    fxc_tick x = { .time_us = t, .price = price };
    snprintf(x.symbol, sizeof x.symbol, "%s", symbol);
    fxc_err e;
    cr_assert_eq(fxc_tick_create(fx_test_client, &x, NULL, &e), FXC_OK, "%s", e.message);
}

Test(symbol_list, first_last_and_count_follow_every_kind_of_write)
{
    char a[FXC_SYMBOL_MAX + 1], b[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(a, "SYMA");
    fx_test_symbol(b, "SYMB");
    const char *all = "1970-01-01";
    assert_listing_matches_ticks(a, all, "before any write");

    /* 600 ticks over 5 days, 7 minutes and a few seconds apart */
    enum { N = 600 };
    fxc_tick *t = calloc(N, sizeof *t);
    for (int i = 0; i < N; i++) {
        snprintf(t[i].symbol, sizeof t[i].symbol, "%s", a);
        t[i].time_us = fx_test_time((int64_t)i * 727 + i % 13);
        t[i].price = 1.1 + (i % 17) * 0.001;
    }
    uint64_t created, dups;
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, N, &created, &dups, &e), FXC_OK, "%s", e.message);
    assert_listing_matches_ticks(a, all, "after a bulk");

    create(b, fx_test_time(-3 * day_us / 1000000), 2.0); /* a day before a's first */
    create(a, fx_test_time(-5), 1.2); /* a new first tick */
    create(a, fx_test_time((int64_t)N * 727 + 60), 1.3); /* a new last */
    assert_listing_matches_ticks(a, all, "after single creates");
    assert_listing_matches_ticks(b, all, "after b's create");

    cr_assert_eq(fxc_tick_update(fx_test_client, a, fx_test_time(-5), 1.25, NULL, &e), FXC_OK, "%s", e.message);
    assert_listing_matches_ticks(a, all, "after an update");

    cr_assert_eq(fxc_tick_delete(fx_test_client, a, fx_test_time(-5), &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_tick_delete(fx_test_client, a, fx_test_time((int64_t)N * 727 + 60), &e), FXC_OK, "%s",
        e.message);
    assert_listing_matches_ticks(a, all, "after deleting the first and the last tick");

    uint64_t deleted;
    int64_t cut = fx_test_time(2 * 86400);
    cr_assert_eq(fxc_ticks_delete(fx_test_client, a, cut, cut + 10 * day_us, &deleted, &e), FXC_OK, "%s", e.message);
    cr_assert_gt(deleted, 0);
    assert_listing_matches_ticks(a, all, "after deleting the last days");

    cr_assert_eq(fxc_ticks_delete(fx_test_client, b, fx_test_time(-4 * 86400), cut + 10 * day_us, &deleted, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(deleted, 1);
    assert_listing_matches_ticks(b, all, "after deleting all of b");
    assert_listing_matches_ticks(a, all, "a, after deleting all of b");
    free(t);
}

/* Retention seals a day: its candles stay, its ticks are gone, so the list
 * starts at the next day. (The seal is written as the lifecycle writes it;
 * the day is one no other test uses.) */
Test(symbol_list, a_sealed_day_is_not_counted)
{
    char s[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(s, "SYMS");
    const char *sealed = "1987-03-04", *next = "1987-03-05";
    PGconn *pg = fx_test_pg();
    PQclear(PQexec(pg, "DELETE FROM tick_days WHERE day = '1987-03-04'"));
    const int64_t d0 = 541814400LL * 1000000; /* 1987-03-04T00:00:00Z */
    for (int i = 0; i < 5; i++) create(s, d0 + i * 3600LL * 1000000, 1.0 + i);
    for (int i = 0; i < 3; i++) create(s, d0 + day_us + i * 60LL * 1000000, 2.0 + i);
    assert_listing_matches_ticks(s, "1970-01-01", "both days stored");
    PGresult *r = PQexec(pg, "INSERT INTO tick_days (day, state, ticks, raw_bytes, compact_bytes)"
                             " VALUES ('1987-03-04', 'sealed', 5, 0, 0) ON CONFLICT (day) DO NOTHING");
    cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s", PQerrorMessage(pg));
    PQclear(r);
    fxc_symbol_info info;
    int found = listed(s, &info);
    PQclear(PQexec(pg, "DELETE FROM tick_days WHERE day = '1987-03-04'"));
    cr_assert(found);
    cr_assert_eq(info.tick_count, 3, "only the next day's ticks: %llu", (unsigned long long)info.tick_count);
    cr_assert_eq(info.first_time_us, d0 + day_us, "first tick of %s, not of the sealed %s", next, sealed);
    cr_assert_eq(info.last_time_us, d0 + day_us + 2 * 60LL * 1000000);
}
