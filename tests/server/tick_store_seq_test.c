/*
 * The per-symbol seq of stored ticks (server/tick_store.c): 1, 2, ... in
 * commit order, dense whatever the write path (single creates, bulk COPY,
 * bulk with duplicates), shared by concurrent writers, on the live feed, and
 * read back with GetTicksAfter. Checked by SQL against the stored rows.
 */
#include "tests/support/fixture.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TestSuite(tick_seq, .init = fx_fixture_start, .fini = fx_fixture_stop, .timeout = 300);

static fxc_tick tick_at(const char *symbol, int64_t second, double price)
{
    fxc_tick t = { .time_us = fx_test_time(second), .price = price };
    snprintf(t.symbol, sizeof t.symbol, "%s", symbol);
    return t;
}

/* The stored seqs of `symbol` are exactly 1..n (no gap, no repeat). */
static void assert_dense(const char *symbol, long long n)
{
    char sql[256];
    snprintf(sql, sizeof sql,
        "SELECT count(*) FILTER (WHERE seq BETWEEN 1 AND %lld) = %lld AND count(DISTINCT seq) = %lld"
        " AND count(*) = %lld FROM ticks WHERE symbol = '%s'",
        n, n, n, n, symbol);
    PGresult *res = PQexec(fx_test_pg(), sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    cr_assert_str_eq(PQgetvalue(res, 0, 0), "t", "the seqs of %s are not exactly 1..%lld", symbol, n);
    PQclear(res);
}

/* The seq of the stored tick at `second`. */
static long long seq_at(const char *symbol, int64_t second)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT seq FROM ticks WHERE symbol = '%s' AND time = to_timestamp(%lld / 1e6)", symbol,
        (long long)fx_test_time(second));
    return fx_test_sql_int(sql);
}

Test(tick_seq, creates_and_bulks_number_a_symbol_in_commit_order)
{
    char sym[17];
    fx_test_symbol(sym, "SQ");
    fxc_err e;
    fxc_tick stored;
    for (int i = 0; i < 3; i++) {
        fxc_tick t = tick_at(sym, 100 - i, 1.1); /* times going back: seq follows commits, not time */
        cr_assert_eq(fxc_tick_create(fx_test_client, &t, &stored, &e), FXC_OK, "%s", e.message);
    }
    cr_assert_eq(seq_at(sym, 100), 1);
    cr_assert_eq(seq_at(sym, 99), 2);
    cr_assert_eq(seq_at(sym, 98), 3);
    fxc_tick batch[4];
    for (int i = 0; i < 4; i++) batch[i] = tick_at(sym, 10 + i, 1.2);
    uint64_t created, dups;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, batch, 4, &created, &dups, &e), FXC_OK, "%s", e.message);
    for (int i = 0; i < 4; i++) cr_assert_eq(seq_at(sym, 10 + i), 4 + i, "batch order");
    assert_dense(sym, 7);
}

Test(tick_seq, duplicates_take_no_number)
{
    char sym[17];
    fx_test_symbol(sym, "SD");
    fxc_err e;
    uint64_t created, dups;
    fxc_tick first[3] = { tick_at(sym, 1, 1.1), tick_at(sym, 2, 1.1), tick_at(sym, 3, 1.1) };
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, first, 3, &created, &dups, &e), FXC_OK, "%s", e.message);
    /* stored ones again, one repeated within the batch, and new ones between */
    fxc_tick again[6] = { tick_at(sym, 2, 9.9), tick_at(sym, 5, 1.5), tick_at(sym, 3, 9.9), tick_at(sym, 4, 1.4),
        tick_at(sym, 5, 9.9), tick_at(sym, 0, 1.0) };
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, again, 6, &created, &dups, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(created, 3);
    cr_assert_eq(dups, 3);
    assert_dense(sym, 6);
    cr_assert_eq(seq_at(sym, 5), 4, "the new ticks numbered in batch order");
    cr_assert_eq(seq_at(sym, 4), 5);
    cr_assert_eq(seq_at(sym, 0), 6);
    double price;
    cr_assert(fx_test_stored_price(sym, fx_test_time(5), &price));
    cr_assert_eq(price, 1.5, "the first of a repeated tick is the one stored");
    /* a create of a stored tick takes no number either */
    fxc_tick dup = tick_at(sym, 1, 7.7);
    cr_assert_eq(fxc_tick_create(fx_test_client, &dup, NULL, &e), FXC_ALREADY_EXISTS);
    fxc_tick next = tick_at(sym, 6, 1.6);
    cr_assert_eq(fxc_tick_create(fx_test_client, &next, NULL, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(seq_at(sym, 6), 7);
}

/* The stored duplicates sit at the batch's first and last time and on
 * another day than the new ticks: none takes a number. */
Test(tick_seq, duplicates_at_the_edges_of_a_batch_take_no_number)
{
    char a[17], b[17];
    fx_test_symbol(a, "SEA");
    fx_test_symbol(b, "SEB");
    const int64_t day = 86400;
    fxc_err e;
    uint64_t created, dups;
    fxc_tick first[3] = { tick_at(a, 0, 1.1), tick_at(b, 2 * day, 1.1), tick_at(a, day + 5, 1.1) };
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, first, 3, &created, &dups, &e), FXC_OK, "%s", e.message);
    fxc_tick again[7]
        = { tick_at(a, 1, 1.2), tick_at(b, 2 * day, 9.9), tick_at(a, 0, 9.9), tick_at(b, 10, 1.2),
              tick_at(a, day + 5, 9.9), tick_at(a, day + 6, 1.2), tick_at(b, 2 * day - 1, 1.2) };
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, again, 7, &created, &dups, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(created, 4);
    cr_assert_eq(dups, 3);
    assert_dense(a, 4);
    assert_dense(b, 3);
    cr_assert_eq(seq_at(a, 1), 3);
    cr_assert_eq(seq_at(a, day + 6), 4);
    cr_assert_eq(seq_at(b, 10), 2);
    cr_assert_eq(seq_at(b, 2 * day - 1), 3);
}

Test(tick_seq, each_symbol_of_a_batch_has_its_own_numbers)
{
    char a[17], b[17];
    fx_test_symbol(a, "SA");
    fx_test_symbol(b, "SB");
    fxc_tick batch[6] = { tick_at(a, 1, 1), tick_at(b, 1, 2), tick_at(b, 2, 2), tick_at(a, 2, 1), tick_at(b, 3, 2),
        tick_at(a, 3, 1) };
    uint64_t created, dups;
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, batch, 6, &created, &dups, &e), FXC_OK, "%s", e.message);
    assert_dense(a, 3);
    assert_dense(b, 3);
    cr_assert_eq(seq_at(b, 1), 1);
    cr_assert_eq(seq_at(a, 3), 3);
}

struct writer {
    const char *symbol;
    int first, n;
};

static void *write_ticks(void *arg)
{
    const struct writer *w = arg;
    for (int i = w->first; i < w->first + w->n; i += 10) {
        fxc_tick batch[10];
        for (int k = 0; k < 10; k++) batch[k] = tick_at(w->symbol, i + k, 1.0 + k);
        uint64_t created, dups;
        fxc_err e;
        if (fxc_ticks_bulk(fx_test_client, batch, 10, &created, &dups, &e) != FXC_OK) return (void *)1;
    }
    return NULL;
}

Test(tick_seq, concurrent_writers_of_a_symbol_share_one_dense_sequence)
{
    char sym[17];
    fx_test_symbol(sym, "SC");
    struct writer w[4];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct writer){ sym, i * 1000, 200 };
        cr_assert_eq(pthread_create(&threads[i], NULL, write_ticks, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *failed;
        pthread_join(threads[i], &failed);
        cr_assert_null(failed, "writer %d failed", i);
    }
    assert_dense(sym, 800);
    /* and each writer's batches kept their own order */
    for (int i = 0; i < 4; i++)
        for (int k = 1; k < 200; k++)
            cr_assert_lt(seq_at(sym, i * 1000 + k - 1), seq_at(sym, i * 1000 + k));
}

Test(tick_seq, ticks_after_a_seq_come_back_by_seq)
{
    char sym[17];
    fx_test_symbol(sym, "SR");
    fxc_tick batch[20];
    for (int i = 0; i < 20; i++) batch[i] = tick_at(sym, 20 - i, 1.0 + i / 100.0); /* seq 1 at the latest time */
    uint64_t created, dups;
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, batch, 20, &created, &dups, &e), FXC_OK, "%s", e.message);
    fxc_tick *t;
    size_t n;
    cr_assert_eq(fxc_ticks_after(fx_test_client, sym, 5, 10, &t, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, 10);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(t[i].seq, (int64_t)(6 + i));
        cr_assert_eq(t[i].time_us, fx_test_time(20 - (int64_t)(5 + i)));
        cr_assert_str_eq(t[i].symbol, sym);
    }
    fxc_ticks_free(t);
    cr_assert_eq(fxc_ticks_after(fx_test_client, sym, 20, 10, &t, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, 0, "nothing after the last");
    fxc_ticks_free(t);
    /* GetTicks carries seq too */
    cr_assert_eq(fxc_ticks_get(fx_test_client, sym, fx_test_time(1), fx_test_time(3), 10, 0, &t, &n, &e), FXC_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(t[0].seq, 20);
    cr_assert_eq(t[1].seq, 19);
    fxc_ticks_free(t);
    cr_assert_eq(fxc_ticks_after(fx_test_client, sym, -1, 10, &t, &n, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "after_seq");
    cr_assert_eq(fxc_ticks_after(fx_test_client, sym, 0, 0, &t, &n, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "limit");
    cr_assert_eq(fxc_ticks_after(fx_test_client, "BAD$", 0, 10, &t, &n, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "symbol");
}

/* Reads after a seq visit only the days holding such seqs (tick_seq_days):
 * 260 days (several windows of partitions) written out of time order, then
 * late ticks into old days, paged through with a small limit, equal the
 * stored rows by seq. */
Test(tick_seq, ticks_after_a_seq_over_many_days_come_back_by_seq)
{
    char sym[17];
    fx_test_symbol(sym, "SRD");
    enum { DAYS = 260, LATE = 40 };
    int64_t day = 86400LL * 1000000, t0 = fx_test_time(0) + 900 * day;
    static fxc_tick batch[DAYS];
    for (int i = 0; i < DAYS; i++) {
        int d = (i * 97) % DAYS; /* every day once, out of order */
        batch[i] = (fxc_tick){ .time_us = t0 + d * day, .price = 1.0 + i / 1000.0 };
        snprintf(batch[i].symbol, sizeof batch[i].symbol, "%s", sym);
    }
    uint64_t created, dups;
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, batch, DAYS, &created, &dups, &e), FXC_OK, "%s", e.message);
    for (int i = 0; i < LATE; i++) { /* late ticks into old days, one commit each */
        fxc_tick t = { .time_us = t0 + (int64_t)((i * 31) % DAYS) * day + 3600LL * 1000000, .price = 2.0 };
        snprintf(t.symbol, sizeof t.symbol, "%s", sym);
        cr_assert_eq(fxc_tick_create(fx_test_client, &t, NULL, &e), FXC_OK, "%s", e.message);
    }
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT seq, (extract(epoch FROM time) * 1000000)::int8 FROM ticks WHERE symbol = '%s'"
        " ORDER BY seq", sym);
    PGresult *ref = PQexec(fx_test_pg(), sql);
    cr_assert_eq(PQresultStatus(ref), PGRES_TUPLES_OK);
    cr_assert_eq(PQntuples(ref), DAYS + LATE);
    int64_t after = 0;
    int row = 0;
    for (int page = 0; page < 100; page++) {
        fxc_tick *t;
        size_t n;
        cr_assert_eq(fxc_ticks_after(fx_test_client, sym, after, 7, &t, &n, &e), FXC_OK, "%s", e.message);
        for (size_t i = 0; i < n; i++, row++) {
            cr_assert_lt(row, DAYS + LATE);
            cr_assert_eq(t[i].seq, atoll(PQgetvalue(ref, row, 0)), "row %d", row);
            cr_assert_eq(t[i].time_us, atoll(PQgetvalue(ref, row, 1)), "row %d", row);
        }
        if (n) after = t[n - 1].seq;
        fxc_ticks_free(t);
        if (n < 7) break;
    }
    cr_assert_eq(row, DAYS + LATE, "every tick read once, by seq");
    PQclear(ref);
    fxc_tick *t;
    size_t n;
    cr_assert_eq(fxc_ticks_after(fx_test_client, sym, DAYS + 10, 1000, &t, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, LATE - 10, "the late ones only");
    for (size_t i = 0; i < n; i++) cr_assert_eq(t[i].seq, (int64_t)(DAYS + 11 + i));
    fxc_ticks_free(t);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM tick_seq_days WHERE symbol = '%s'", sym);
    cr_assert_eq(fx_test_sql_int(sql), DAYS, "one row per day holding its seqs");
}

Test(tick_seq, live_tick_events_carry_their_seq)
{
    char sym[17];
    fx_test_symbol(sym, "SF");
    fxc_feed *f;
    fxc_err e;
    cr_assert_eq(fxc_feed_open(fx_test_feed_url(), &f, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_feed_subscribe_ticks(f, sym, &e), FXC_OK, "%s", e.message);
    usleep(200000);
    fxc_tick one = tick_at(sym, 1, 1.1), batch[3] = { tick_at(sym, 2, 1.2), tick_at(sym, 3, 1.3), tick_at(sym, 4, 1.4) };
    uint64_t created, dups;
    cr_assert_eq(fxc_tick_create(fx_test_client, &one, NULL, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, batch, 3, &created, &dups, &e), FXC_OK, "%s", e.message);
    for (int64_t want = 1; want <= 4; want++) {
        fxc_tick t;
        cr_assert_eq(fxc_feed_next_tick(f, 5000, &t, &e), FXC_OK, "tick %lld: %s", (long long)want, e.message);
        cr_assert_eq(t.seq, want);
        cr_assert_eq(t.time_us, fx_test_time(want));
    }
    fxc_feed_close(f);
}

Test(tick_seq, last_seqs_say_where_each_symbol_stands)
{
    char a[17], b[17], none[17];
    fx_test_symbol(a, "LA");
    fx_test_symbol(b, "LB");
    fx_test_symbol(none, "LN");
    fxc_tick batch[3] = { tick_at(a, 1, 1), tick_at(a, 2, 1), tick_at(b, 1, 1) };
    uint64_t created, dups;
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, batch, 3, &created, &dups, &e), FXC_OK, "%s", e.message);
    const char *names[3] = { b, none, a };
    fxc_symbol_seq *seqs;
    size_t n;
    cr_assert_eq(fxc_last_seqs(fx_test_client, names, 3, &seqs, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, 2, "a symbol without ticks is not listed");
    const fxc_symbol_seq *first = strcmp(seqs[0].symbol, a) == 0 ? &seqs[0] : &seqs[1];
    const fxc_symbol_seq *second = first == &seqs[0] ? &seqs[1] : &seqs[0];
    cr_assert_str_eq(first->symbol, a);
    cr_assert_eq(first->last_seq, 2);
    cr_assert_str_eq(second->symbol, b);
    cr_assert_eq(second->last_seq, 1);
    fxc_last_seqs_free(seqs);
    /* every symbol: ours among them */
    cr_assert_eq(fxc_last_seqs(fx_test_client, NULL, 0, &seqs, &n, &e), FXC_OK, "%s", e.message);
    int found = 0;
    for (size_t i = 0; i < n; i++) found += strcmp(seqs[i].symbol, a) == 0 && seqs[i].last_seq == 2;
    cr_assert_eq(found, 1);
    fxc_last_seqs_free(seqs);
    const char *bad[1] = { "NO WAY" };
    cr_assert_eq(fxc_last_seqs(fx_test_client, bad, 1, &seqs, &n, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "symbol");
}
