/*
 * SIGKILL of fx-core in the middle of maintenance loses and duplicates
 * nothing: a database of this test's own with three old days of ticks, an
 * fx-core process (COMPRESSION_AFTER_DAYS=1) that compacts them at start,
 * killed at several moments of the pass (while it compacts the first day,
 * the second, right after it began one); after each kill every tick reads
 * back exactly (count and checksum of every field), no raw tick lies in a
 * chunk, and a last undisturbed run compacts everything that is left.
 */
#include "base/calendar.h"
#include "server/db.h"
#include "server/migrate.h"
#include "server/tick_codec.h"
#include "server/tick_store.h"
#include "tests/support/fixture.h"
#include "tests/support/proc.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

TestSuite(maintenance_kill, .fini = fx_proc_kill_all, .timeout = 300);

#define DAY0_US (1740787200LL * 1000000) /* 2025-03-01T00:00:00Z */
#define NDAYS 3
#define PER_DAY 40000 /* per symbol */
static const char *const symbols[] = { "MKAAA", "MKBBB" };

static char db_name[64], db_url[512], log_path[256];

static long long sql_int(struct fx_db *db, const char *sql) { return fx_test_sql_int_on(db->conn, sql); }

/* Ticks of both symbols over NDAYS days; returns their checksum in
 * (symbol, time) order. */
static uint64_t load(struct fx_db *db, size_t *total)
{
    struct fx_tick *batch = malloc(10000 * sizeof *batch);
    uint64_t sum = 0;
    *total = 0;
    for (int s = 0; s < 2; s++) {
        double price = 1.1 + s;
        for (int d = 0; d < NDAYS; d++) {
            for (int i = 0; i < PER_DAY; i += 10000) {
                for (int k = 0; k < 10000; k++) {
                    struct fx_tick *t = &batch[k];
                    memset(t, 0, sizeof *t);
                    snprintf(t->symbol, sizeof t->symbol, "%s", symbols[s]);
                    t->time_us = DAY0_US + (int64_t)d * FX_US_PER_DAY + (int64_t)(i + k) * 2000000 + (k * 7919) % 999;
                    price += ((k * 31) % 7 - 3) * 1e-5;
                    t->price = (double)(int64_t)(price * 1e5 + 0.5) / 1e5;
                }
                struct fx_write w;
                char err[512];
                cr_assert_eq(fx_ticks_insert_bulk(db, batch, 10000, NULL, &w, err, sizeof err), 0, "%s", err);
                cr_assert_eq(w.created, 10000);
                sum = fx_tick_checksum(w.ticks, w.created, sum); /* with the seqs the core gave */
                fx_write_free(&w);
                *total += 10000;
            }
        }
    }
    free(batch);
    return sum;
}

/* Reads every tick back through the store, in (symbol, time) order. */
static uint64_t read_all(struct fx_db *db, size_t *total)
{
    uint64_t sum = 0;
    *total = 0;
    char err[512];
    for (int s = 0; s < 2; s++) {
        int64_t from = DAY0_US;
        for (;;) {
            struct fx_arena arena = FX_ARENA_INIT;
            struct fx_tick *t;
            size_t n;
            cr_assert_eq(fx_ticks_select(db, symbols[s], from, DAY0_US + NDAYS * FX_US_PER_DAY, 10000, 0, &arena, &t, &n,
                             err, sizeof err),
                0, "%s", err);
            for (size_t i = 1; i < n; i++) cr_assert_lt(t[i - 1].time_us, t[i].time_us, "a tick read twice");
            sum = fx_tick_checksum(t, n, sum);
            *total += n;
            int64_t last = n ? t[n - 1].time_us : 0;
            fx_arena_free(&arena);
            if (n < 10000) break;
            from = last + 1;
        }
    }
    return sum;
}

/* Whether the log holds `needle` (the core's progress lines). */
static int log_has(const char *needle)
{
    FILE *f = fopen(log_path, "r");
    if (f == NULL) return 0;
    char line[1024];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

static pid_t start_core(void)
{
    static char env[8][600];
    snprintf(env[0], sizeof env[0], "DATABASE_URL=%s", db_url);
    snprintf(env[1], sizeof env[1], "COMPRESSION_AFTER_DAYS=1");
    snprintf(env[2], sizeof env[2], "INGEST_ENABLED=0");
    snprintf(env[3], sizeof env[3], "FX_RPC_URL=tcp://127.0.0.1:%d", fx_proc_free_port());
    snprintf(env[4], sizeof env[4], "FX_FEED_URL=tcp://127.0.0.1:%d", fx_proc_free_port());
    snprintf(env[5], sizeof env[5], "LOG_LEVEL=info");
    snprintf(env[6], sizeof env[6], "LEADER_CHECK_MS=100");
    const char *envp[] = { env[0], env[1], env[2], env[3], env[4], env[5], env[6], NULL };
    truncate(log_path, 0);
    return fx_proc_start(FX_BIN_DIR, "fx-core", envp, log_path);
}

static void check(struct fx_db *db, size_t want_total, uint64_t want_sum, const char *when)
{
    size_t total;
    uint64_t sum = read_all(db, &total);
    cr_assert_eq(total, want_total, "%s: %zu ticks read, %zu stored", when, total, want_total);
    cr_assert_eq(sum, want_sum, "%s: the ticks read back differ", when);
    cr_assert_eq(sql_int(db, "SELECT count(*) + (SELECT coalesce(sum(tick_count), 0) FROM tick_chunks) FROM ticks"),
        (long long)want_total, "%s", when);
    cr_assert_eq(sql_int(db, "SELECT count(*) FROM ticks t JOIN tick_chunks c ON c.symbol = t.symbol"
                             " AND t.time BETWEEN c.first_time AND c.last_time"),
        0, "%s: raw ticks inside a chunk", when);
}

/* A new database of three raw days; *total and *sum describe its ticks. */
static void fresh_database(struct fx_db *db, size_t *total, uint64_t *sum)
{
    char err[512];
    int applied;
    if (db->conn) fx_db_close(db);
    fx_test_database_create(db_name, db_url, sizeof db_url);
    cr_assert_eq(fx_db_open(db, db_url, err, sizeof err), 0, "%s", err);
    cr_assert_eq(fx_migrate(db, &applied, err, sizeof err), 0, "%s", err);
    cr_assert_eq(fx_db_ensure(db, err, sizeof err), 0, "%s", err);
    *sum = load(db, total);
    check(db, *total, *sum, "before");
}

Test(maintenance_kill, sigkill_at_several_moments_of_compaction_loses_and_duplicates_nothing)
{
    snprintf(db_name, sizeof db_name, "fx_mk_%d", (int)getpid());
    snprintf(log_path, sizeof log_path, "/tmp/fx-maintenance-kill-%d.log", (int)getpid());
    fx_test_database_create(db_name, db_url, sizeof db_url);
    struct fx_db db = { 0 };
    size_t total = 0;
    uint64_t sum = 0;

    /* the moment after which to kill: a progress line, then a delay */
    static const struct {
        const char *line;
        int delay_ms;
    } kills[] = {
        { "compacting 2025-03-01", 0 },
        { "compacting 2025-03-01", 30 },
        { "compacting 2025-03-02", 10 },
        { "compacted 2025-03-02", 0 },
        { "compacting 2025-03-03", 60 },
    };
    int killed_mid_pass = 0;
    for (size_t k = 0; k < sizeof kills / sizeof kills[0]; k++) {
        fresh_database(&db, &total, &sum); /* all raw: each kill point is reached */
        pid_t pid = start_core();
        int seen = 0;
        for (int i = 0; i < 1000 && !(seen = log_has(kills[k].line)); i++) usleep(10000);
        if (seen) usleep((useconds_t)kills[k].delay_ms * 1000);
        fx_proc_stop(pid, SIGKILL);
        killed_mid_pass += seen && !log_has("maintenance: ");
        char when[96];
        snprintf(when, sizeof when, "after the kill at \"%s\" + %d ms", kills[k].line, kills[k].delay_ms);
        check(&db, total, sum, when);
    }
    cr_assert_gt(killed_mid_pass, 2, "the kills came after the pass ended: nothing was tested");

    /* an undisturbed run compacts what is left */
    pid_t pid = start_core();
    for (int i = 0; i < 3000 && !log_has("maintenance: "); i++) usleep(10000);
    cr_assert(log_has("maintenance: "), "the pass did not end (see %s)", log_path);
    fx_proc_stop(pid, SIGTERM);
    check(&db, total, sum, "after a whole pass");
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM ticks"), 0);
    cr_assert_eq(sql_int(&db, "SELECT count(*) FROM tick_days WHERE state = 'compact'"), NDAYS);
    fx_db_close(&db);
    fx_test_database_drop(db_name);
    unlink(log_path);
}
