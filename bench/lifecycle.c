/*
 * bench-lifecycle: what compaction buys and costs, on a database of its own
 * (created, and dropped at the end) on the server of DATABASE_URL.
 *
 *   bench-lifecycle [--rounds N]
 *
 * Loads one UTC day of one symbol at 1 tick/s (86 400 ticks) and one at 10
 * ticks/s (864 000), 5-decimal random walks with microsecond jitter, then:
 *   - bytes per tick of each day raw (pg_total_relation_size of its
 *     partition: heap, indexes, TOAST) and compacted (the chunks' partition,
 *     and with the emptied raw partition that stays for late ticks);
 *   - the compaction rate, next to its ceiling: reading the day's ticks out
 *     in order with COPY ... TO STDOUT (what compaction must do at least);
 *   - GetTicks of 1 000 and 10 000 ticks at random places of the 10/s day,
 *     raw and compacted (the store's read, decode included), medians;
 *   - the store rate of 1 000-tick batches of live ticks (the ingest
 *     storer's work) while a day is being compacted, next to the same
 *     without maintenance (its ceiling).
 * Every figure is a median of --rounds rounds (default 3).
 */
#include "base/calendar.h"
#include "server/db.h"
#include "server/lifecycle.h"
#include "server/migrate.h"
#include "server/tick_store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_1S (1740787200LL * 1000000) /* 2025-03-01 */
#define DAY_10S (DAY_1S + FX_US_PER_DAY) /* 2025-03-02 */
#define DB_NAME "fx_bench_lifecycle"

static char url[512];

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, const char *err)
{
    fprintf(stderr, "bench-lifecycle: %s: %s\n", what, err);
    exit(1);
}

static void admin(const char *sql)
{
    PGconn *c = PQconnectdb(getenv("DATABASE_URL"));
    if (PQstatus(c) != CONNECTION_OK) die("connect", PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die(sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static void open_db(struct fx_db *db)
{
    char err[512];
    if (fx_db_open(db, url, err, sizeof err) || fx_db_ensure(db, err, sizeof err)) die("open", err);
}

static long long sql_int(struct fx_db *db, const char *sql)
{
    PGresult *r = PQexec(db->conn, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) die(sql, PQerrorMessage(db->conn));
    long long v = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

/* One day of `symbol` at `per_second` ticks a second. */
static void load_day(struct fx_db *db, const char *symbol, int64_t day_us, int per_second)
{
    enum { BATCH = 10000 };
    struct fx_tick *b = calloc(BATCH, sizeof *b);
    int64_t step = 1000000 / per_second;
    int64_t n = 86400LL * per_second;
    double walk = 1.08;
    char err[512];
    for (int64_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < BATCH && i < n; k++, i++) {
            snprintf(b[k].symbol, sizeof b[k].symbol, "%s", symbol);
            b[k].time_us = day_us + i * step + (int64_t)(rnd() % (uint64_t)step);
            walk += (double)((int)(rnd() % 61) - 30) / 1e5;
            b[k].price = (double)(int64_t)(walk * 1e5 + 0.5) / 1e5;
        }
        struct fx_write w;
        if (fx_ticks_insert_bulk(db, b, k, NULL, &w, err, sizeof err)) die("load", err);
        fx_write_free(&w);
    }
    free(b);
}

static double bytes_of(struct fx_db *db, const char *rel)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT coalesce(pg_total_relation_size(to_regclass('%s')), 0)", rel);
    return (double)sql_int(db, sql);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median seconds of `reads` GetTicks of `limit` ticks at random places. */
static double get_ticks(struct fx_db *db, uint32_t limit, int reads)
{
    double *t = malloc((size_t)reads * sizeof *t);
    char err[512];
    for (int i = 0; i < reads; i++) {
        int64_t start = DAY_10S + (int64_t)(rnd() % (uint64_t)(FX_US_PER_DAY - 3600000000LL));
        struct fx_arena arena = FX_ARENA_INIT;
        struct fx_tick *out;
        size_t n;
        double t0 = now_s();
        if (fx_ticks_select(db, "BENCHB", start, DAY_10S + FX_US_PER_DAY, limit, 0, &arena, &out, &n, err, sizeof err))
            die("get", err);
        t[i] = now_s() - t0;
        if (n != limit) die("get", "short read");
        fx_arena_free(&arena);
    }
    double m = median(t, reads);
    free(t);
    return m;
}

/* Seconds to read the 10/s day's raw ticks out in order (compaction's floor). */
static double read_out(struct fx_db *db, const char *part)
{
    char sql[256];
    snprintf(sql, sizeof sql,
        "COPY (SELECT symbol, time, price, coalesce(seq, 0) FROM %s ORDER BY symbol, time) TO STDOUT (FORMAT binary)",
        part);
    double t0 = now_s();
    PGresult *r = PQexec(db->conn, sql);
    if (PQresultStatus(r) != PGRES_COPY_OUT) die("copy out", PQerrorMessage(db->conn));
    PQclear(r);
    char *buf;
    while (PQgetCopyData(db->conn, &buf, 0) > 0) PQfreemem(buf);
    while ((r = PQgetResult(db->conn)) != NULL) PQclear(r);
    return now_s() - t0;
}

/* Live ticks stored in 1 000-tick batches for `seconds`: ticks per second. */
static int64_t live_clock = 0, live_start;
static double store_rate(struct fx_db *db, double seconds)
{
    if (live_start == 0) {
        struct timespec rt;
        clock_gettime(CLOCK_REALTIME, &rt);
        live_start = (int64_t)rt.tv_sec * 1000000;
    }
    struct fx_tick b[1000];
    char err[512];
    uint64_t stored = 0;
    double t0 = now_s();
    while (now_s() - t0 < seconds) {
        for (int k = 0; k < 1000; k++) {
            memset(&b[k], 0, sizeof b[k]);
            snprintf(b[k].symbol, sizeof b[k].symbol, "LIVE%d", k % 8);
            b[k].time_us = live_start + live_clock++; /* now on: live days, never settled */
            b[k].price = 1.1 + (double)(k % 100) / 1e5;
        }
        struct fx_write w;
        if (fx_ticks_insert_bulk(db, b, 1000, NULL, &w, err, sizeof err)) die("store", err);
        stored += w.created;
        fx_write_free(&w);
    }
    return (double)stored / (now_s() - t0);
}

struct compactor {
    double seconds;
    uint64_t ticks;
    int done;
};

/* One maintenance pass (compaction after 1 day) on a connection of its own. */
static void *compact_all(void *arg)
{
    struct compactor *c = arg;
    struct fx_db db;
    open_db(&db);
    struct fx_lifecycle_policy policy = { .compression_after_days = 1 };
    struct fx_maintenance_report rep;
    char err[512];
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    double t0 = now_s();
    if (fx_maintenance_run(&db, &policy, (int64_t)rt.tv_sec * 1000000, 0, &rep, err, sizeof err)) die("compact", err);
    c->seconds = now_s() - t0;
    c->ticks = rep.ticks_compacted;
    fx_maintenance_report_free(&rep);
    fx_db_close(&db);
    __atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* Live ticks stored in 1 000-tick batches until `c` is done: ticks/s. */
static double store_rate_until(struct fx_db *db, struct compactor *c)
{
    double sum = 0;
    int n = 0;
    while (!__atomic_load_n(&c->done, __ATOMIC_ACQUIRE)) sum += store_rate(db, 0.05), n++;
    return n ? sum / n : 0;
}

int main(int argc, char **argv)
{
    int rounds = 3;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench-lifecycle [--rounds N]   (DATABASE_URL names the server)\n");
            return 2;
        }
    }
    if (rounds < 1 || rounds > 9) rounds = 3;
    const char *base = getenv("DATABASE_URL");
    if (base == NULL) die("DATABASE_URL", "not set");
    const char *slash = strrchr(base, '/');
    snprintf(url, sizeof url, "%.*s/%s", (int)(slash - base), base, DB_NAME);
    admin("DROP DATABASE IF EXISTS " DB_NAME " WITH (FORCE)");
    admin("CREATE DATABASE " DB_NAME);
    struct fx_db db;
    char err[512];
    int applied;
    if (fx_db_open(&db, url, err, sizeof err) || fx_migrate(&db, &applied, err, sizeof err)
        || fx_db_ensure(&db, err, sizeof err))
        die("migrate", err);

    printf("loading 86 400 ticks (1/s) and 864 000 ticks (10/s)...\n");
    load_day(&db, "BENCHA", DAY_1S, 1);
    load_day(&db, "BENCHB", DAY_10S, 10);
    PQclear(PQexec(db.conn, "VACUUM ANALYZE ticks"));
    double raw1 = bytes_of(&db, "ticks_p20250301"), raw10 = bytes_of(&db, "ticks_p20250302");

    double g1k_raw[9], g10k_raw[9], g1k_c[9], g10k_c[9], rate[9], ceil_rate[9], live[9], live_busy[9];
    for (int r = 0; r < rounds; r++) {
        g1k_raw[r] = get_ticks(&db, 1000, 101);
        g10k_raw[r] = get_ticks(&db, 10000, 31);
    }
    struct compactor first = { 0 }; /* both days */
    compact_all(&first);
    double c1 = bytes_of(&db, "tick_chunks_p20250301"), c10 = bytes_of(&db, "tick_chunks_p20250302");
    double e1 = bytes_of(&db, "ticks_p20250301"), e10 = bytes_of(&db, "ticks_p20250302");
    for (int r = 0; r < rounds; r++) {
        g1k_c[r] = get_ticks(&db, 1000, 101);
        g10k_c[r] = get_ticks(&db, 10000, 31);
    }
    /* each round: a new day at 10/s, compacted while live ticks are stored */
    for (int r = 0; r < rounds; r++) {
        printf("round %d: loading a day at 10/s, then compacting it alongside live writes...\n", r + 1);
        load_day(&db, "BENCHC", DAY_10S + (int64_t)(r + 1) * FX_US_PER_DAY, 10);
        char part[32];
        snprintf(part, sizeof part, "ticks_p202503%02d", 3 + r);
        ceil_rate[r] = 864000 / read_out(&db, part);
        live[r] = store_rate(&db, 2.0);
        struct compactor c = { 0 };
        pthread_t th;
        pthread_create(&th, NULL, compact_all, &c);
        live_busy[r] = store_rate_until(&db, &c);
        pthread_join(th, NULL);
        rate[r] = (double)c.ticks / c.seconds;
    }
    printf("\nbytes per tick (pg_total_relation_size: heap + indexes + TOAST)\n");
    printf("  1 tick/s   raw %.1f   compact %.2f (%.1fx)   with the emptied raw partition %.2f (%.1fx)\n",
        raw1 / 86400, c1 / 86400, raw1 / c1, (c1 + e1) / 86400, raw1 / (c1 + e1));
    printf("  10 ticks/s raw %.1f   compact %.2f (%.1fx)   with the emptied raw partition %.2f (%.1fx)\n",
        raw10 / 864000, c10 / 864000, raw10 / c10, (c10 + e10) / 864000, raw10 / (c10 + e10));
    printf("\ncompaction\n");
    printf("  first pass (both days, one run): %llu ticks in %.2f s = %.2f M ticks/s\n",
        (unsigned long long)first.ticks, first.seconds, (double)first.ticks / first.seconds / 1e6);
    double mr = median(rate, rounds), mc = median(ceil_rate, rounds);
    printf("  a day at 10/s with live writes alongside (median of %d): %.2f M ticks/s; its ceiling (reading the day"
           " out in order) %.2f M ticks/s: %.2fx\n",
        rounds, mr / 1e6, mc / 1e6, mr / mc);
    printf("\nGetTicks from the 10/s day, the store's read incl. decode (medians of %d rounds)\n", rounds);
    double a = median(g1k_raw, rounds), b = median(g1k_c, rounds), c = median(g10k_raw, rounds),
           d = median(g10k_c, rounds);
    printf("  1 000 ticks:  raw %.2f ms, compact %.2f ms: %.2fx\n", a * 1e3, b * 1e3, b / a);
    printf("  10 000 ticks: raw %.2f ms, compact %.2f ms: %.2fx\n", c * 1e3, d * 1e3, d / c);
    double l = median(live, rounds), lb = median(live_busy, rounds);
    printf("\nstoring live 1 000-tick batches (medians of %d): %.0f ticks/s alone, %.0f ticks/s while a day is"
           " compacted: %.2fx\n",
        rounds, l, lb, lb / l);
    fx_db_close(&db);
    admin("DROP DATABASE IF EXISTS " DB_NAME " WITH (FORCE)");
    return 0;
}
