/*
 * The data lifecycle against real PostgreSQL, on databases of this test's
 * own (maintenance works on whole days of every symbol):
 *   - compaction is invisible: random ticks over several days go into a
 *     database that is compacted and into an uncompacted twin; every read,
 *     edit, late write and candle of the two stays equal, through edits
 *     after compaction and a second compaction;
 *   - retention drops whole old days only, seals them, keeps their candles
 *     and refuses writes and edits there; a dry run changes nothing.
 * The stores are called directly (the RPC layer has tests of its own).
 */
#include "base/calendar.h"
#include "base/errors.h"
#include "server/db.h"
#include "server/lifecycle.h"
#include "server/migrate.h"
#include "server/tick_store.h"
#include "tests/support/fixture.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A database of its own, migrated; dropped by drop_database. */
static void create_database(const char *name, struct fx_db *db)
{
    char url[512], err[512];
    fx_test_database_create(name, url, sizeof url);
    cr_assert_eq(fx_db_open(db, url, err, sizeof err), 0, "%s", err);
    int applied;
    cr_assert_eq(fx_migrate(db, &applied, err, sizeof err), 0, "%s", err);
    cr_assert_eq(fx_db_ensure(db, err, sizeof err), 0, "%s", err);
}

static void drop_database(const char *name, struct fx_db *db)
{
    fx_db_close(db);
    fx_test_database_drop(name);
}

static long long sql_int(struct fx_db *db, const char *sql) { return fx_test_sql_int_on(db->conn, sql); }

/* All rows of a query as one text, to compare two databases. */
static char *sql_text(struct fx_db *db, const char *sql)
{
    PGresult *res = PQexec(db->conn, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(db->conn));
    size_t len = 1;
    for (int r = 0; r < PQntuples(res); r++) len += strlen(PQgetvalue(res, r, 0)) + 1;
    char *out = malloc(len), *p = out;
    *p = '\0';
    for (int r = 0; r < PQntuples(res); r++) p += sprintf(p, "%s\n", PQgetvalue(res, r, 0));
    PQclear(res);
    return out;
}

static uint64_t rng_state = 0x5eed1234abcdULL;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int64_t rnd_in(int64_t lo, int64_t hi) { return lo + (int64_t)(rnd() % (uint64_t)(hi - lo)); }

#define DAY0_US (1740787200LL * 1000000) /* 2025-03-01T00:00:00Z */
#define NDAYS 4
static const char *const symbols[] = { "LCAAA", "LCBBB" };

/* A 5-decimal quote mostly; now and then a price no decimal scale holds. */
static double price_at(double *walk)
{
    *walk += (double)rnd_in(-30, 31) / 1e5;
    if (*walk < 0.5) *walk = 0.5;
    if (rnd() % 50 == 0) return *walk + (double)(rnd() % 1000) * 1e-13;
    return (double)(int64_t)(*walk * 1e5 + 0.5) / 1e5;
}

struct twin {
    struct fx_db a, b; /* a is compacted, b never */
};

static void both_insert(struct twin *t, const struct fx_tick *ticks, size_t n)
{
    struct fx_write wa, wb;
    char ea[512], eb[512];
    int ra = fx_ticks_insert_bulk(&t->a, ticks, n, NULL, &wa, ea, sizeof ea);
    int rb = fx_ticks_insert_bulk(&t->b, ticks, n, NULL, &wb, eb, sizeof eb);
    cr_assert_eq(ra, 0, "%s", ea);
    cr_assert_eq(rb, 0, "%s", eb);
    cr_assert_eq(wa.created, wb.created);
    for (size_t i = 0; i < wa.created; i++) cr_assert_eq(wa.ticks[i].seq, wb.ticks[i].seq);
    fx_write_free(&wa), fx_write_free(&wb);
}

static struct fx_tick make_tick(int s, int64_t time_us, double price)
{
    struct fx_tick k = { .time_us = time_us, .price = price };
    snprintf(k.symbol, sizeof k.symbol, "%s", symbols[s]);
    return k;
}

/* Reads of a by time and by seq equal those of b: whole-range pages and
 * random windows with random limits and offsets. */
static void assert_reads_equal(struct twin *t, int windows)
{
    char err[512];
    for (int s = 0; s < 2; s++) {
        for (int w = 0; w < windows; w++) {
            int64_t start, end;
            uint32_t limit = (uint32_t)rnd_in(1, 3000), offset = (uint32_t)rnd_in(0, 2000);
            if (w == 0)
                start = DAY0_US - FX_US_PER_DAY, end = DAY0_US + (NDAYS + 1) * FX_US_PER_DAY, limit = 10000, offset = 0;
            else {
                start = rnd_in(DAY0_US - 3600000000LL, DAY0_US + NDAYS * FX_US_PER_DAY);
                end = start + rnd_in(1, FX_US_PER_DAY);
            }
            struct fx_arena arena = FX_ARENA_INIT;
            struct fx_tick *ra, *rb;
            size_t na, nb;
            cr_assert_eq(fx_ticks_select(&t->a, symbols[s], start, end, limit, offset, &arena, &ra, &na, err, sizeof err), 0,
                "%s", err);
            cr_assert_eq(fx_ticks_select(&t->b, symbols[s], start, end, limit, offset, &arena, &rb, &nb, err, sizeof err), 0,
                "%s", err);
            cr_assert_eq(na, nb, "window %d of %s: %zu vs %zu ticks", w, symbols[s], na, nb);
            for (size_t i = 0; i < na; i++) {
                cr_assert_str_eq(ra[i].symbol, rb[i].symbol);
                cr_assert_eq(ra[i].time_us, rb[i].time_us, "tick %zu of window %d", i, w);
                cr_assert_eq(memcmp(&ra[i].price, &rb[i].price, sizeof(double)), 0, "price of tick %zu", i);
                cr_assert_eq(ra[i].seq, rb[i].seq);
            }
            int64_t after = w == 0 ? 0 : rnd_in(0, 30000);
            uint32_t lim = (uint32_t)rnd_in(1, 5000);
            cr_assert_eq(fx_ticks_after(&t->a, symbols[s], after, lim, &arena, &ra, &na, err, sizeof err), 0, "%s", err);
            cr_assert_eq(fx_ticks_after(&t->b, symbols[s], after, lim, &arena, &rb, &nb, err, sizeof err), 0, "%s", err);
            cr_assert_eq(na, nb, "after %lld of %s: %zu vs %zu ticks", (long long)after, symbols[s], na, nb);
            for (size_t i = 0; i < na; i++) {
                cr_assert_eq(ra[i].seq, rb[i].seq);
                cr_assert_eq(ra[i].time_us, rb[i].time_us);
                cr_assert_eq(memcmp(&ra[i].price, &rb[i].price, sizeof(double)), 0);
            }
            fx_arena_free(&arena);
        }
    }
}

static void assert_candles_equal(struct twin *t)
{
    static const char *const tables[] = { "candles_1m", "candles_1h", "candles_1d" };
    for (int i = 0; i < 3; i++) {
        char sql[512];
        snprintf(sql, sizeof sql,
            "SELECT concat_ws(' ', symbol, bucket, open, high, low, close, tick_count, first_time, last_time)"
            " FROM %s ORDER BY symbol, bucket",
            tables[i]);
        char *a = sql_text(&t->a, sql), *b = sql_text(&t->b, sql);
        cr_assert(strcmp(a, b) == 0, "%s differ", tables[i]);
        cr_assert(strlen(a) > 0);
        free(a), free(b);
    }
}

/* The rule reads and edits rely on: no raw tick inside a chunk of its
 * symbol, no two chunks of a symbol overlapping. */
static void assert_disjoint(struct fx_db *db)
{
    cr_assert_eq(sql_int(db, "SELECT count(*) FROM ticks t JOIN tick_chunks c ON c.symbol = t.symbol"
                             " AND t.time BETWEEN c.first_time AND c.last_time"),
        0, "raw ticks inside chunks");
    cr_assert_eq(sql_int(db, "SELECT count(*) FROM tick_chunks a JOIN tick_chunks b ON a.symbol = b.symbol"
                             " AND a.first_time < b.first_time AND b.first_time <= a.last_time"),
        0, "overlapping chunks");
}

static void compact(struct fx_db *db, struct fx_maintenance_report *rep)
{
    struct fx_lifecycle_policy policy = { .compression_after_days = 1 };
    char err[512];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    cr_assert_eq(fx_maintenance_run(db, &policy, (int64_t)now.tv_sec * 1000000, 0, rep, err, sizeof err), 0, "%s", err);
    assert_disjoint(db);
}

/* A random existing tick of b (the twin). */
static int pick_tick(struct twin *t, int s, struct fx_tick *out)
{
    char err[512];
    struct fx_arena arena = FX_ARENA_INIT;
    struct fx_tick *r;
    size_t n;
    int64_t start = rnd_in(DAY0_US, DAY0_US + NDAYS * FX_US_PER_DAY);
    cr_assert_eq(fx_ticks_select(&t->b, symbols[s], start, start + 4 * 3600000000LL, 100, 0, &arena, &r, &n, err,
                     sizeof err),
        0);
    if (n) *out = r[rnd() % n];
    fx_arena_free(&arena);
    return n > 0;
}

/* One random edit, applied to both; the answers must agree. */
static void random_edit(struct twin *t, double *walk)
{
    char ea[512], eb[512];
    int s = (int)(rnd() % 2), kind = (int)(rnd() % 5);
    struct fx_tick k;
    if (kind == 0) { /* late ticks, some of them repeats of stored ones */
        struct fx_tick batch[40];
        size_t n = 0;
        int64_t base = rnd_in(DAY0_US, DAY0_US + NDAYS * FX_US_PER_DAY - 60000000);
        for (int i = 0; i < 30; i++) batch[n++] = make_tick(s, (base + rnd_in(0, 60000000)) & ~1LL, price_at(walk));
        for (int i = 0; i < 10; i++)
            if (pick_tick(t, s, &k)) batch[n++] = make_tick(s, k.time_us, price_at(walk));
        both_insert(t, batch, n);
    } else if (kind == 1 && pick_tick(t, s, &k)) {
        double p = price_at(walk);
        cr_assert_eq(fx_tick_update_price(&t->a, k.symbol, k.time_us, p, NULL, ea, sizeof ea), 0, "%s", ea);
        cr_assert_eq(fx_tick_update_price(&t->b, k.symbol, k.time_us, p, NULL, eb, sizeof eb), 0, "%s", eb);
    } else if (kind == 2 && pick_tick(t, s, &k)) {
        cr_assert_eq(fx_tick_delete(&t->a, k.symbol, k.time_us, NULL, ea, sizeof ea), 0, "%s", ea);
        cr_assert_eq(fx_tick_delete(&t->b, k.symbol, k.time_us, NULL, eb, sizeof eb), 0, "%s", eb);
        cr_assert_eq(fx_tick_delete(&t->a, k.symbol, k.time_us, NULL, ea, sizeof ea), FX_ENOTFOUND);
    } else if (kind == 3) { /* a range: from seconds to hours, often across chunks */
        int64_t start = rnd_in(DAY0_US, DAY0_US + NDAYS * FX_US_PER_DAY);
        int64_t end = start + rnd_in(1000000, rnd() % 2 ? 60000000LL : 3 * 3600000000LL);
        uint64_t da = 0, db = 0;
        cr_assert_eq(fx_ticks_delete_range(&t->a, symbols[s], start, end, NULL, &da, ea, sizeof ea), 0, "%s", ea);
        cr_assert_eq(fx_ticks_delete_range(&t->b, symbols[s], start, end, NULL, &db, eb, sizeof eb), 0, "%s", eb);
        cr_assert_eq(da, db, "range delete: %llu vs %llu", (unsigned long long)da, (unsigned long long)db);
    } else { /* a time with no tick: both say so */
        int64_t time_us = rnd_in(DAY0_US, DAY0_US + NDAYS * FX_US_PER_DAY) | 1; /* stored times are even */
        int ra = fx_tick_update_price(&t->a, symbols[s], time_us, 1.5, NULL, ea, sizeof ea);
        int rb = fx_tick_update_price(&t->b, symbols[s], time_us, 1.5, NULL, eb, sizeof eb);
        cr_assert_eq(ra, FX_ENOTFOUND);
        cr_assert_eq(rb, FX_ENOTFOUND);
    }
}

Test(lifecycle, compacted_days_read_and_edit_exactly_like_an_uncompacted_twin, .timeout = 300)
{
    struct twin t;
    char a_name[64], b_name[64];
    snprintf(a_name, sizeof a_name, "fx_lc_%d_a", (int)getpid());
    snprintf(b_name, sizeof b_name, "fx_lc_%d_b", (int)getpid());
    create_database(a_name, &t.a);
    create_database(b_name, &t.b);

    /* ~3 000 ticks per symbol and day, in batches with repeats inside */
    double walk[2] = { 1.08, 150.2 };
    enum { BATCH = 500 };
    struct fx_tick *batch = malloc(BATCH * sizeof *batch);
    size_t total = 0;
    for (int s = 0; s < 2; s++) {
        int64_t time_us = DAY0_US + 2;
        while (time_us < DAY0_US + NDAYS * FX_US_PER_DAY) {
            size_t n = 0;
            while (n < BATCH && time_us < DAY0_US + NDAYS * FX_US_PER_DAY) {
                batch[n++] = make_tick(s, time_us, price_at(&walk[s]));
                if (rnd() % 40 == 0 && n < BATCH) { batch[n] = batch[n - 1]; n++; } /* a repeat: skipped */
                time_us += 2 * rnd_in(1, 30000000); /* even microseconds (see random_edit) */
            }
            both_insert(&t, batch, n);
            total += n;
        }
    }
    free(batch);
    for (int i = 0; i < 20; i++) random_edit(&t, &walk[i % 2]); /* before compaction too */
    long long stored = sql_int(&t.b, "SELECT count(*) FROM ticks");
    cr_assert_gt(stored, 20000);

    struct fx_maintenance_report rep;
    compact(&t.a, &rep);
    cr_assert_eq(rep.days_compacted, NDAYS, "%u days compacted", rep.days_compacted);
    cr_assert_eq(rep.ticks_compacted, (uint64_t)stored);
    cr_assert_eq(rep.days_dropped, 0);
    cr_assert_lt(rep.bytes_after * 5, rep.bytes_before, "%llu -> %llu bytes", (unsigned long long)rep.bytes_before,
        (unsigned long long)rep.bytes_after);
    fx_maintenance_report_free(&rep);
    cr_assert_eq(sql_int(&t.a, "SELECT count(*) FROM ticks"), 0, "raw ticks left after compaction");
    cr_assert_eq(sql_int(&t.a, "SELECT sum(tick_count) FROM tick_chunks"), stored);
    cr_assert_eq(sql_int(&t.a, "SELECT count(*) FROM tick_days WHERE state = 'compact'"), NDAYS);
    assert_reads_equal(&t, 30);
    assert_candles_equal(&t);

    /* a second pass has nothing to do */
    compact(&t.a, &rep);
    cr_assert_eq(rep.ndays, 0);
    fx_maintenance_report_free(&rep);

    for (int i = 0; i < 150; i++) {
        random_edit(&t, &walk[i % 2]);
        if (i % 25 == 24) assert_reads_equal(&t, 8);
    }
    assert_reads_equal(&t, 20);
    assert_candles_equal(&t);
    assert_disjoint(&t.a);
    cr_assert_gt(sql_int(&t.a, "SELECT count(*) FROM ticks"), 0, "edits inflated no chunk");

    /* compacting again folds the late ticks in; still equal */
    compact(&t.a, &rep);
    cr_assert_gt(rep.days_compacted, 0);
    fx_maintenance_report_free(&rep);
    cr_assert_eq(sql_int(&t.a, "SELECT count(*) FROM ticks"), 0);
    cr_assert_eq(sql_int(&t.a, "SELECT sum(tick_count) FROM tick_chunks"), sql_int(&t.b, "SELECT count(*) FROM ticks"));
    assert_reads_equal(&t, 20);
    assert_candles_equal(&t);
    (void)total;
    drop_database(a_name, &t.a);
    drop_database(b_name, &t.b);
}

/* ---- retention ---- */

static int64_t day_us(int d) { return DAY0_US + (int64_t)d * FX_US_PER_DAY; }

static void insert_day(struct fx_db *db, const char *symbol, int d, int n)
{
    struct fx_tick *ticks = calloc((size_t)n, sizeof *ticks);
    for (int i = 0; i < n; i++) {
        snprintf(ticks[i].symbol, sizeof ticks[i].symbol, "%s", symbol);
        ticks[i].time_us = day_us(d) + (int64_t)i * 10000000;
        ticks[i].price = 1.1 + i * 1e-5;
    }
    struct fx_write w;
    char err[512];
    cr_assert_eq(fx_ticks_insert_bulk(db, ticks, (size_t)n, NULL, &w, err, sizeof err), 0, "%s", err);
    cr_assert_eq(w.created, (uint64_t)n);
    fx_write_free(&w);
    free(ticks);
}

static size_t read_count(struct fx_db *db, const char *symbol, int64_t start, int64_t end)
{
    struct fx_arena arena = FX_ARENA_INIT;
    struct fx_tick *r;
    size_t n;
    char err[512];
    cr_assert_eq(fx_ticks_select(db, symbol, start, end, 10000, 0, &arena, &r, &n, err, sizeof err), 0, "%s", err);
    fx_arena_free(&arena);
    return n;
}

Test(lifecycle, retention_drops_whole_old_days_seals_them_and_keeps_their_candles, .timeout = 120)
{
    struct fx_db db;
    char name[64], err[512];
    snprintf(name, sizeof name, "fx_lc_%d_r", (int)getpid());
    create_database(name, &db);
    for (int d = 0; d < 4; d++) insert_day(&db, "RETX", d, 100 + d);
    /* a partition of an old day that never had ticks */
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM (SELECT fx_ensure_tick_partition(date '2025-02-20')) x"), 1);

    /* "now" is 2025-03-05 12:00: with RETENTION_DAYS=2 the days that ended by
     * 03-03 00:00 (03-01, 03-02 and the empty 02-20) are due, 03-03 is not */
    int64_t now = day_us(4) + FX_US_PER_DAY / 2;
    struct fx_lifecycle_policy policy = { .retention_days = 2, .candle_retention_days = 3 };
    struct fx_maintenance_report rep;
    cr_assert_eq(fx_maintenance_run(&db, &policy, now, 1, &rep, err, sizeof err), 0, "%s", err);
    cr_assert(rep.dry_run);
    cr_assert_eq(rep.days_dropped, 3);
    cr_assert_eq(rep.ticks_dropped, 100 + 101);
    cr_assert_gt(rep.candles_dropped, 0);
    fx_maintenance_report_free(&rep);
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM ticks"), 100 + 101 + 102 + 103, "the dry run changed something");
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM tick_days"), 0);

    long long candles_day1 = sql_int(&db, "SELECT count(*) FROM candles_1m WHERE bucket >= '2025-03-02' AND bucket < '2025-03-03'");
    cr_assert_gt(candles_day1, 0);
    cr_assert_eq(fx_maintenance_run(&db, &policy, now, 0, &rep, err, sizeof err), 0, "%s", err);
    cr_assert_eq(rep.days_dropped, 3);
    cr_assert_eq(rep.ticks_dropped, 100 + 101);
    fx_maintenance_report_free(&rep);

    /* partitions dropped, not rows deleted; only days with ticks are sealed */
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM pg_class WHERE relname IN ('ticks_p20250301', 'ticks_p20250302',"
                              " 'ticks_p20250220')"),
        0);
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM tick_days WHERE state = 'sealed'"), 2);
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM ticks"), 102 + 103);
    /* candles: 03-02 kept (CANDLE_RETENTION_DAYS=3 keeps buckets from 03-02 on), 03-01 deleted */
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM candles_1m WHERE bucket >= '2025-03-02' AND bucket < '2025-03-03'"),
        candles_day1);
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM candles_1m WHERE bucket < '2025-03-02'"), 0);
    cr_assert_eq(sql_int(&db, "SELECT tick_count FROM candles_1d WHERE bucket = '2025-03-02'"), 101);

    /* reads of a sealed day: no ticks; the kept days read as before */
    cr_assert_eq(read_count(&db, "RETX", day_us(1), day_us(2)), 0);
    cr_assert_eq(read_count(&db, "RETX", day_us(0), day_us(4)), 102 + 103);

    /* writes and edits of a sealed day are refused, and change nothing */
    struct fx_tick k = { .symbol = "RETX", .time_us = day_us(1) + 5, .price = 1.2 };
    struct fx_write w;
    cr_assert_eq(fx_ticks_insert_bulk(&db, &k, 1, NULL, &w, err, sizeof err), FX_ESEALED);
    cr_assert(strstr(err, "2025-03-02") != NULL && strstr(err, "sealed") != NULL, "%s", err);
    fx_write_free(&w);
    struct fx_tick mixed[2] = { { .symbol = "RETX", .time_us = day_us(3) + 7, .price = 1.3 }, k };
    cr_assert_eq(fx_ticks_insert_bulk(&db, mixed, 2, NULL, &w, err, sizeof err), FX_ESEALED);
    fx_write_free(&w);
    cr_assert_eq(fx_tick_update_price(&db, "RETX", day_us(1), 1.5, NULL, err, sizeof err), FX_ESEALED);
    cr_assert_eq(fx_tick_delete(&db, "RETX", day_us(1), NULL, err, sizeof err), FX_ESEALED);
    uint64_t deleted = 0;
    cr_assert_eq(fx_ticks_delete_range(&db, "RETX", day_us(0), day_us(4), NULL, &deleted, err, sizeof err), FX_ESEALED);
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM ticks"), 102 + 103);
    cr_assert_eq(sql_int(&db, "SELECT tick_count FROM candles_1d WHERE bucket = '2025-03-02'"), 101);

    /* an old day that was never dropped stays writable, whatever its age */
    k.time_us = day_us(-9);
    cr_assert_eq(fx_ticks_insert_bulk(&db, &k, 1, NULL, &w, err, sizeof err), 0, "%s", err);
    cr_assert_eq(w.created, 1);
    fx_write_free(&w);
    /* and so do the days retention kept */
    cr_assert_eq(fx_ticks_insert_bulk(&db, mixed, 1, NULL, &w, err, sizeof err), 0, "%s", err);
    fx_write_free(&w);
    cr_assert_eq(fx_ticks_delete_range(&db, "RETX", day_us(2), day_us(4), NULL, &deleted, err, sizeof err), 0, "%s", err);
    cr_assert_eq(deleted, 102 + 103 + 1);
    drop_database(name, &db);
}

Test(lifecycle, nothing_happens_with_both_settings_zero, .timeout = 60)
{
    struct fx_db db;
    char name[64], err[512];
    snprintf(name, sizeof name, "fx_lc_%d_z", (int)getpid());
    create_database(name, &db);
    insert_day(&db, "ZERO", 0, 50);
    struct fx_lifecycle_policy policy = { 0 };
    struct fx_maintenance_report rep;
    cr_assert_eq(fx_maintenance_run(&db, &policy, day_us(900), 0, &rep, err, sizeof err), 0, "%s", err);
    cr_assert_eq(rep.ndays, 0);
    cr_assert_eq(rep.candles_dropped, 0);
    fx_maintenance_report_free(&rep);
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM ticks"), 50);
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM tick_chunks"), 0);

    /* the storage report: one raw range of one day */
    struct fx_storage_range *ranges;
    size_t n;
    cr_assert_eq(fx_storage_read(&db, &ranges, &n, err, sizeof err), 0, "%s", err);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(ranges[0].symbol, "ZERO");
    cr_assert_eq(ranges[0].state, FX_DAY_RAW);
    cr_assert_eq(ranges[0].ticks, 50);
    cr_assert_gt(ranges[0].bytes, 0);
    free(ranges);
    drop_database(name, &db);
}

/* ---- compaction alongside late writes ---- */

struct late_writer {
    struct fx_db db;
    int64_t day_us;
    volatile int stop;
    size_t written;
};

/* Late ticks into the day being compacted, one per write, until stopped. */
static void *write_late(void *arg)
{
    struct late_writer *w = arg;
    char err[512];
    for (int64_t i = 0; !w->stop; i++) {
        struct fx_tick k = { .symbol = "LATE", .time_us = w->day_us + 7 + i * 1000003, .price = 1.5 };
        struct fx_write out;
        cr_assert_eq(fx_ticks_insert_bulk(&w->db, &k, 1, NULL, &out, err, sizeof err), 0, "%s", err);
        w->written += out.created;
        fx_write_free(&out);
    }
    return NULL;
}

Test(lifecycle, late_ticks_written_while_their_day_is_compacted_are_never_lost, .timeout = 180)
{
    struct fx_db db;
    char name[64], err[512];
    snprintf(name, sizeof name, "fx_lc_%d_w", (int)getpid());
    create_database(name, &db);
    /* a day big enough that its compaction takes a while */
    for (int s = 0; s < 4; s++) {
        char sym[8];
        snprintf(sym, sizeof sym, "BIG%d", s);
        struct fx_tick *t = calloc(50000, sizeof *t);
        for (int i = 0; i < 50000; i++) {
            snprintf(t[i].symbol, sizeof t[i].symbol, "%s", sym);
            t[i].time_us = DAY0_US + (int64_t)i * 1700000 + s;
            t[i].price = 1.2 + (i % 97) * 1e-5;
        }
        struct fx_write w;
        cr_assert_eq(fx_ticks_insert_bulk(&db, t, 50000, NULL, &w, err, sizeof err), 0, "%s", err);
        fx_write_free(&w);
        free(t);
    }
    struct late_writer lw = { .day_us = DAY0_US };
    char url[512];
    snprintf(url, sizeof url, "%s", db.url);
    cr_assert_eq(fx_db_open(&lw.db, url, err, sizeof err), 0, "%s", err);
    cr_assert_eq(fx_db_ensure(&lw.db, err, sizeof err), 0, "%s", err);
    pthread_t th;
    pthread_create(&th, NULL, write_late, &lw);
    usleep(100000);
    struct fx_maintenance_report rep;
    compact(&db, &rep);
    cr_assert_eq(rep.days_compacted, 1);
    fx_maintenance_report_free(&rep);
    usleep(100000);
    lw.stop = 1;
    pthread_join(th, NULL);
    cr_assert_gt(lw.written, 10, "the writer wrote nothing alongside");
    /* every late tick is there: raw (after the pass) or in its chunks */
    cr_assert_eq(read_count(&db, "LATE", DAY0_US, DAY0_US + FX_US_PER_DAY), lw.written);
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM ticks") + sql_int(&db, "SELECT sum(tick_count) FROM tick_chunks"),
        200000 + (long long)lw.written);
    cr_assert_eq(sql_int(&db, "SELECT tick_count FROM candles_1d WHERE symbol = 'LATE'"), (long long)lw.written);
    assert_disjoint(&db);
    fx_db_close(&lw.db);
    drop_database(name, &db);
}

/* ---- long ranges over many partitions ---- */

/* A read or delete over more daily partitions than one statement should
 * lock runs in windows (tick_store.c): offsets and limits across windows,
 * raw and compacted days alike, give what one statement would. */
Test(lifecycle, reads_and_deletes_over_hundreds_of_days_are_answered_whole, .timeout = 240)
{
    struct fx_db db;
    char name[64], err[512];
    snprintf(name, sizeof name, "fx_lc_%d_l", (int)getpid());
    create_database(name, &db);
    enum { DAYS = 260, PER_DAY = 3 };
    const int64_t day0 = 946684800LL * 1000000; /* 2000-01-01 */
    struct fx_tick *t = calloc(DAYS * PER_DAY, sizeof *t);
    for (int d = 0; d < DAYS; d++)
        for (int k = 0; k < PER_DAY; k++) {
            struct fx_tick *x = &t[d * PER_DAY + k];
            snprintf(x->symbol, sizeof x->symbol, "LONG");
            x->time_us = day0 + (int64_t)d * 2 * FX_US_PER_DAY + k * 3600000000LL; /* every other day */
            x->price = 1.0 + d * 1e-4 + k * 1e-5;
        }
    struct fx_write w;
    cr_assert_eq(fx_ticks_insert_bulk(&db, t, DAYS * PER_DAY, NULL, &w, err, sizeof err), 0, "%s", err);
    fx_write_free(&w);
    /* the first half compacted, one late raw tick in a compacted day */
    struct fx_lifecycle_policy policy = { .compression_after_days = 1 };
    struct fx_maintenance_report rep;
    int64_t half = day0 + (int64_t)DAYS * FX_US_PER_DAY; /* "now": days before it are due */
    cr_assert_eq(fx_maintenance_run(&db, &policy, half, 0, &rep, err, sizeof err), 0, "%s", err);
    cr_assert_gt(rep.days_compacted, 100);
    fx_maintenance_report_free(&rep);
    struct fx_tick late = t[10 * PER_DAY];
    late.time_us += 60000000;
    cr_assert_eq(fx_ticks_insert_bulk(&db, &late, 1, NULL, &w, err, sizeof err), 0, "%s", err);
    fx_write_free(&w);
    cr_assert_gt(sql_int(&db, "SELECT count(*) FROM fx_day_partitions WHERE parent = 'ticks'"), 200);

    int64_t start = day0 - FX_US_PER_DAY, end = day0 + (int64_t)DAYS * 2 * FX_US_PER_DAY;
    size_t total = DAYS * PER_DAY + 1;
    struct fx_arena arena = FX_ARENA_INIT;
    struct fx_tick *all, *page;
    size_t n, m;
    cr_assert_eq(fx_ticks_select(&db, "LONG", start, end, 10000, 0, &arena, &all, &n, err, sizeof err), 0, "%s", err);
    cr_assert_eq(n, total);
    for (size_t i = 1; i < n; i++) cr_assert_lt(all[i - 1].time_us, all[i].time_us);
    static const uint32_t offsets[] = { 0, 1, 299, 300, 301, 450, 779, 780, 781, 5000 };
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        cr_assert_eq(fx_ticks_select(&db, "LONG", start, end, 37, offsets[i], &arena, &page, &m, err, sizeof err), 0,
            "%s", err);
        size_t want = offsets[i] >= total ? 0 : total - offsets[i] < 37 ? total - offsets[i] : 37;
        cr_assert_eq(m, want, "offset %u: %zu ticks", offsets[i], m);
        for (size_t k = 0; k < m; k++) cr_assert_eq(page[k].time_us, all[offsets[i] + k].time_us, "offset %u", offsets[i]);
    }
    fx_arena_free(&arena);

    uint64_t deleted = 0;
    cr_assert_eq(fx_ticks_delete_range(&db, "LONG", start, end, NULL, &deleted, err, sizeof err), 0, "%s", err);
    cr_assert_eq(deleted, total);
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM ticks") + sql_int(&db, "SELECT count(*) FROM tick_chunks"), 0);
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM candles_1d"), 0, "candles left after the delete");
    free(t);
    drop_database(name, &db);
}
