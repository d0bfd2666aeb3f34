/*
 * One group of single-tick writes in one transaction (server/tick_group.h):
 * the writes take effect in their order, each with its own answer; repeats
 * of a request key are answered as their first run; the created ticks get
 * their symbol's seqs in group order and their candles.
 */
#include "tests/support/fixture.h"

#include "base/errors.h"
#include "server/db.h"
#include "server/tick_group.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct fx_db db;

static void start(void)
{
    fx_fixture_start(); /* migrates the database */
    char err[512];
    cr_assert_eq(fx_db_open(&db, getenv("DATABASE_URL"), err, sizeof err), 0, "%s", err);
}

static void stop(void)
{
    fx_db_close(&db);
    fx_fixture_stop();
}

TestSuite(tick_group, .init = start, .fini = stop, .timeout = 120);

static struct fx_group_op op_of(
    enum fx_group_kind kind, const char *symbol, int64_t t, double price, uint64_t id)
{
    struct fx_group_op op = { .kind = kind, .tick = { .time_us = t, .price = price } };
    snprintf(op.tick.symbol, sizeof op.tick.symbol, "%s", symbol);
    if (id) op.key = (struct fx_request_key) { ((uint64_t)getpid() << 32) | 7, id };
    return op;
}

static void run_group(struct fx_group_op *ops, size_t n, struct fx_write *w)
{
    char err[512];
    cr_assert_eq(fx_db_ensure(&db, err, sizeof err), 0, "%s", err); /* prepares the statements */
    cr_assert_eq(fx_ticks_write_group(&db, ops, n, w, err, sizeof err), 0, "%s", err);
}

Test(tick_group, writes_of_one_tick_take_effect_in_their_order)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "TG");
    int64_t t = fx_test_time(10);
    struct fx_group_op ops[] = {
        op_of(FX_GROUP_UPDATE, sym, t, 1.5, 0), /* not there yet */
        op_of(FX_GROUP_CREATE, sym, t, 1.1, 0),
        op_of(FX_GROUP_CREATE, sym, t, 1.2, 0), /* a duplicate of the one before */
        op_of(FX_GROUP_UPDATE, sym, t, 1.3, 0), /* finds the create */
        op_of(FX_GROUP_DELETE, sym, t, 0, 0), op_of(FX_GROUP_DELETE, sym, t, 0, 0), /* gone */
        op_of(FX_GROUP_CREATE, sym, t, 1.4, 0), /* again */
    };
    const int want[] = { FX_ENOTFOUND, 0, FX_EEXIST, 0, 0, FX_ENOTFOUND, 0 };
    struct fx_write w;
    run_group(ops, 7, &w);
    for (int i = 0; i < 7; i++)
        cr_expect_eq(ops[i].rc, want[i], "op %d: %d, expected %d", i, ops[i].rc, want[i]);
    cr_assert_eq(w.created, 2, "two creates stored a tick");
    fx_write_free(&w);
    double price = 0;
    cr_assert(fx_test_stored_price(sym, t, &price));
    cr_assert_float_eq(price, 1.4, 1e-12);
    cr_assert_eq(fx_test_count_ticks(sym), 1);
    /* the candle holds the last state: one tick at 1.4 */
    fxc_candle *c;
    size_t n;
    fxc_err e;
    fxc_candle_query q = { .symbol = sym,
        .resolution = "1m",
        .start_us = fx_test_time(0),
        .end_us = fx_test_time(60),
        .limit = 10 };
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, 1);
    cr_assert_eq(c[0].tick_count, 1);
    cr_assert_float_eq(c[0].open, 1.4, 1e-12);
    cr_assert_float_eq(c[0].close, 1.4, 1e-12);
    fxc_candles_free(c);
}

Test(tick_group, creates_get_their_symbols_seqs_in_group_order)
{
    char a[FXC_SYMBOL_MAX + 1], b[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(a, "TGA");
    fx_test_symbol(b, "TGB");
    struct fx_group_op ops[6];
    /* times out of order: seqs follow the group, not time */
    const int64_t secs[6] = { 50, 5, 40, 20, 30, 10 };
    for (int i = 0; i < 6; i++)
        ops[i] = op_of(FX_GROUP_CREATE, i % 2 ? b : a, fx_test_time(secs[i]), 1.0 + i, 0);
    struct fx_write w;
    run_group(ops, 6, &w);
    cr_assert_eq(w.created, 6);
    fx_write_free(&w);
    for (int s = 0; s < 2; s++) {
        long long prev = 0;
        for (int i = s; i < 6; i += 2) {
            char sql[256];
            snprintf(sql, sizeof sql,
                "SELECT seq FROM ticks WHERE symbol = '%s' AND time = to_timestamp(%lld)", s ? b : a,
                (long long)(fx_test_time(secs[i]) / 1000000));
            long long seq = fx_test_sql_int(sql);
            cr_assert_gt(seq, prev, "op %d's seq %lld follows %lld", i, seq, prev);
            prev = seq;
        }
    }
}

Test(tick_group, a_key_repeated_or_run_before_is_answered_as_its_first_run)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "TGK");
    int64_t t = fx_test_time(100);
    struct fx_group_op first[] = { op_of(FX_GROUP_CREATE, sym, t, 1.1, 1) };
    struct fx_write w;
    run_group(first, 1, &w);
    cr_assert_eq(first[0].rc, 0);
    cr_assert_eq(first[0].replayed, 0);
    fx_write_free(&w);
    struct fx_group_op ops[] = {
        op_of(FX_GROUP_CREATE, sym, t, 1.1, 1), /* a resend of the first: not a duplicate */
        op_of(FX_GROUP_UPDATE, sym, t, 2.2, 2),
        op_of(FX_GROUP_UPDATE, sym, t, 2.2, 2), /* resent within the group */
        op_of(FX_GROUP_DELETE, sym, fx_test_time(101), 0, 3), /* no such tick */
        op_of(FX_GROUP_DELETE, sym, fx_test_time(101), 0, 3),
    };
    run_group(ops, 5, &w);
    cr_expect_eq(ops[0].rc, 0, "the resend answers as the first run did");
    cr_expect_eq(ops[0].replayed, 1);
    cr_expect_eq(ops[1].rc, 0);
    cr_expect_eq(ops[1].replayed, 0);
    cr_expect_eq(ops[2].rc, 0);
    cr_expect_eq(ops[2].replayed, 1);
    cr_expect_eq(ops[3].rc, FX_ENOTFOUND);
    cr_expect_eq(ops[4].rc, FX_ENOTFOUND);
    cr_expect_eq(ops[4].replayed, 1);
    cr_assert_eq(w.created, 0, "the resend stored nothing");
    fx_write_free(&w);
    /* and a later group resending the update does not run it again */
    struct fx_group_op later[]
        = { op_of(FX_GROUP_UPDATE, sym, t, 3.3, 4), op_of(FX_GROUP_UPDATE, sym, t, 2.2, 2) };
    run_group(later, 2, &w);
    fx_write_free(&w);
    cr_expect_eq(later[1].replayed, 1);
    double price = 0;
    cr_assert(fx_test_stored_price(sym, t, &price));
    cr_assert_float_eq(price, 3.3, 1e-12, "the resent update did not overwrite the later one");
}

static long long seq_of(const char *symbol, int64_t t)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT seq FROM ticks WHERE symbol = '%s' AND time = to_timestamp(%lld / 1e6)",
        symbol, (long long)t);
    return fx_test_sql_int(sql);
}

/* The stored duplicates sit at the group's first and last time, on other
 * days and symbols than the new ticks: each is ALREADY_EXISTS alone, takes
 * no number and no place in the candles. */
Test(tick_group, creates_of_stored_ticks_fail_alone_across_days_and_symbols)
{
    char a[FXC_SYMBOL_MAX + 1], b[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(a, "TGDA");
    fx_test_symbol(b, "TGDB");
    const int64_t day = 86400;
    struct fx_group_op first[] = { op_of(FX_GROUP_CREATE, a, fx_test_time(0), 1.0, 0),
        op_of(FX_GROUP_CREATE, b, fx_test_time(2 * day), 2.0, 0) };
    struct fx_write w;
    run_group(first, 2, &w);
    cr_assert_eq(w.created, 2);
    fx_write_free(&w);
    struct fx_group_op ops[] = {
        op_of(FX_GROUP_CREATE, a, fx_test_time(1), 1.1, 0),
        op_of(FX_GROUP_CREATE, b, fx_test_time(2 * day), 9.9, 0), /* stored: the group's last time */
        op_of(FX_GROUP_CREATE, a, fx_test_time(0), 9.9, 0), /* stored: the group's first time */
        op_of(FX_GROUP_CREATE, b, fx_test_time(10), 2.1, 0),
        op_of(FX_GROUP_CREATE, a, fx_test_time(day), 1.2, 0),
        op_of(FX_GROUP_CREATE, a, fx_test_time(1), 9.9, 0), /* a repeat within the group */
    };
    const int want[] = { 0, FX_EEXIST, FX_EEXIST, 0, 0, FX_EEXIST };
    run_group(ops, 6, &w);
    for (int i = 0; i < 6; i++)
        cr_expect_eq(ops[i].rc, want[i], "op %d: %d, expected %d", i, ops[i].rc, want[i]);
    cr_assert_eq(w.created, 3);
    fx_write_free(&w);
    cr_expect_eq(seq_of(a, fx_test_time(1)), 2, "numbers only for the new ticks, in group order");
    cr_expect_eq(seq_of(a, fx_test_time(day)), 3);
    cr_expect_eq(seq_of(b, fx_test_time(10)), 2);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM ticks WHERE symbol IN ('%s', '%s') AND price > 9", a, b);
    cr_expect_eq(fx_test_sql_int(sql), 0, "no duplicate overwrote");
    /* a's first minute: the stored tick and the new one, not the duplicates */
    fxc_candle *c;
    size_t n;
    fxc_err e;
    fxc_candle_query q = {
        .symbol = a, .resolution = "1m", .start_us = fx_test_time(0), .end_us = fx_test_time(60), .limit = 10
    };
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, 1);
    cr_expect_eq(c[0].tick_count, 2);
    cr_expect_float_eq(c[0].open, 1.0, 1e-12);
    cr_expect_float_eq(c[0].high, 1.1, 1e-12);
    cr_expect_float_eq(c[0].close, 1.1, 1e-12);
    fxc_candles_free(c);
}
