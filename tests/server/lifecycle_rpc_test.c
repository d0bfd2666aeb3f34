/*
 * The data lifecycle through the core's RPC (what fxctl and the bridge's
 * /admin routes call), on a database of this test's own: a dry run changes
 * nothing, a pass compacts the old days and its report, the storage report
 * and the /metrics gauges agree with the ticks written; a second pass while
 * one runs is refused with UNAVAILABLE; a write to a sealed day is refused
 * with FAILED_PRECONDITION naming the day. The test holds the candle
 * leadership lock of its database, so the core never runs a pass by itself.
 */
#include "base/calendar.h"
#include "server/config.h"
#include "server/core_metrics.h"
#include "server/leader.h"
#include "server/lifecycle.h"
#include "tests/support/fixture.h"
#include "tests/support/prom_text.h"

#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DAY0_US (1740787200LL * 1000000) /* 2025-03-01T00:00:00Z */

static char db_name[64], db_url[512];
static PGconn *holder; /* holds the leadership (and, for a while, the maintenance lock) */

static void own_database(struct fx_config *cfg)
{
    snprintf(cfg->database_url, sizeof cfg->database_url, "%s", db_url);
    cfg->compression_after_days = 1;
    cfg->retention_days = 0;
}

static void start(void)
{
    snprintf(db_name, sizeof db_name, "fx_lcr_%d", (int)getpid());
    fx_test_database_create(db_name, db_url, sizeof db_url);
    holder = PQconnectdb(db_url);
    cr_assert_eq(PQstatus(holder), CONNECTION_OK, "%s", PQerrorMessage(holder));
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(%lld)", (long long)FX_LEADER_LOCK_KEY);
    PQclear(PQexec(holder, sql));
    fx_fixture_start_with(own_database);
}

static void stop(void)
{
    fx_fixture_stop();
    PQfinish(holder);
    fx_test_database_drop(db_name);
}

TestSuite(lifecycle_rpc, .init = start, .fini = stop, .timeout = 120);

static long long own_sql_int(const char *sql) { return fx_test_sql_int_on(holder, sql); }

/* `n` ticks of `symbol` from `start_us`, one every 10 s. */
static void write_ticks(const char *symbol, int64_t start_us, int n)
{
    fxc_tick *t = calloc((size_t)n, sizeof *t);
    for (int i = 0; i < n; i++) {
        snprintf(t[i].symbol, sizeof t[i].symbol, "%s", symbol);
        t[i].time_us = start_us + (int64_t)i * 10000000;
        t[i].price = 1.1 + (i % 50) * 1e-5;
    }
    uint64_t created, dups;
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, (size_t)n, &created, &dups, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(created, (uint64_t)n);
    free(t);
}

static size_t count_ticks(const char *symbol, int64_t start, int64_t end)
{
    fxc_tick *t;
    size_t n;
    fxc_err e;
    cr_assert_eq(fxc_ticks_get(fx_test_client, symbol, start, end, 10000, 0, &t, &n, &e), FXC_OK, "%s", e.message);
    fxc_ticks_free(t);
    return n;
}

Test(lifecycle_rpc, a_pass_on_demand_reports_what_it_did_and_storage_and_metrics_agree)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t today = (int64_t)now.tv_sec / 86400 * FX_US_PER_DAY;
    write_ticks("LCRA", DAY0_US, 3000); /* 2025-03-01 .. 03-01 08:20 */
    write_ticks("LCRA", DAY0_US + FX_US_PER_DAY, 2000);
    write_ticks("LCRB", DAY0_US + FX_US_PER_DAY, 1000);
    write_ticks("LCRA", today, 10); /* today: not due */

    fxc_maintenance_report rep;
    fxc_err e;
    cr_assert_eq(fxc_maintenance(fx_test_client, 1, &rep, &e), FXC_OK, "%s", e.message);
    cr_assert(rep.dry_run);
    cr_assert_eq(rep.days_compacted, 2);
    cr_assert_eq(rep.ticks_compacted, 6000);
    cr_assert_eq(rep.compression_after_days, 1);
    cr_assert_eq(rep.retention_days, 0);
    fxc_maintenance_report_free(&rep);
    cr_assert_eq(own_sql_int("SELECT count(*) FROM tick_chunks"), 0, "the dry run compacted");

    cr_assert_eq(fxc_maintenance(fx_test_client, 0, &rep, &e), FXC_OK, "%s", e.message);
    cr_assert(!rep.dry_run);
    cr_assert_eq(rep.days_compacted, 2);
    cr_assert_eq(rep.ndays, 2);
    cr_assert_eq(rep.days[0].day_us, DAY0_US);
    cr_assert_eq(rep.days[0].ticks, 3000);
    cr_assert_eq(rep.days[1].ticks, 3000);
    cr_assert(!rep.days[0].dropped);
    cr_assert_gt(rep.bytes_before, rep.bytes_after);
    cr_assert_gt(rep.bytes_after, 0);
    fxc_maintenance_report_free(&rep);
    cr_assert_eq(own_sql_int("SELECT sum(tick_count) FROM tick_chunks"), 6000);
    cr_assert_eq(count_ticks("LCRA", DAY0_US, DAY0_US + 2 * FX_US_PER_DAY), 5000);
    cr_assert_eq(count_ticks("LCRB", DAY0_US, DAY0_US + 2 * FX_US_PER_DAY), 1000);

    fxc_storage_range *ranges;
    size_t n;
    cr_assert_eq(fxc_storage(fx_test_client, &ranges, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, 3, "%zu ranges", n); /* LCRA compact 2 days, LCRA raw today, LCRB compact 1 day */
    cr_assert_str_eq(ranges[0].symbol, "LCRA");
    cr_assert_str_eq(ranges[0].state, "compact");
    cr_assert_eq(ranges[0].days, 2);
    cr_assert_eq(ranges[0].ticks, 5000);
    cr_assert_eq(ranges[0].first_day_us, DAY0_US);
    cr_assert_eq(ranges[0].last_day_us, DAY0_US + FX_US_PER_DAY);
    cr_assert_str_eq(ranges[1].state, "raw");
    cr_assert_eq(ranges[1].ticks, 10);
    cr_assert_eq(ranges[1].first_day_us, today);
    cr_assert_str_eq(ranges[2].symbol, "LCRB");
    cr_assert_eq(ranges[2].ticks, 1000);
    cr_assert_gt(ranges[0].bytes, ranges[2].bytes);
    fxc_storage_free(ranges);

    size_t len;
    char *text = fx_core_metrics_render(&len);
    cr_assert_eq(fx_prom_sample(text, "fx_core_maintenance_days_total{action=\"compacted\"}"), 2);
    cr_assert_eq(fx_prom_sample(text, "fx_core_maintenance_ticks_total{action=\"compacted\"}"), 6000);
    cr_assert_eq(fx_prom_sample(text, "fx_core_maintenance_runs_total{result=\"ok\"}"), 1, "the dry run counted");
    cr_assert_eq(fx_prom_sample(text, "fx_core_storage_ticks{symbol=\"LCRA\",state=\"compact\"}"), 5000);
    cr_assert_eq(fx_prom_sample(text, "fx_core_storage_ticks{symbol=\"LCRA\",state=\"raw\"}"), 10);
    cr_assert_eq(fx_prom_sample(text, "fx_core_storage_days{symbol=\"LCRB\",state=\"compact\"}"), 1);
    cr_assert_gt(fx_prom_sample(text, "fx_core_storage_bytes{symbol=\"LCRB\",state=\"compact\"}"), 0);
    cr_assert_gt(fx_prom_sample(text, "fx_core_maintenance_last_end_timestamp_seconds"), 1.7e9);
    free(text);

    /* nothing left to do */
    cr_assert_eq(fxc_maintenance(fx_test_client, 0, &rep, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(rep.ndays, 0);
    fxc_maintenance_report_free(&rep);
}

Test(lifecycle_rpc, a_pass_while_another_runs_is_refused_with_unavailable)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(%lld)", (long long)FX_MAINTENANCE_LOCK_KEY);
    PQclear(PQexec(holder, sql)); /* as a pass of another core would */
    fxc_maintenance_report rep;
    fxc_err e;
    cr_assert_eq(fxc_maintenance(fx_test_client, 0, &rep, &e), FXC_UNAVAILABLE);
    cr_assert(strstr(e.message, "running already") != NULL, "%s", e.message);
    snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%lld)", (long long)FX_MAINTENANCE_LOCK_KEY);
    PQclear(PQexec(holder, sql));
    cr_assert_eq(fxc_maintenance(fx_test_client, 1, &rep, &e), FXC_OK, "%s", e.message);
    fxc_maintenance_report_free(&rep);
}

Test(lifecycle_rpc, writes_to_a_sealed_day_fail_with_failed_precondition_naming_the_day)
{
    PQclear(PQexec(holder, "INSERT INTO tick_days (day, state, ticks, raw_bytes, compact_bytes)"
                           " VALUES ('2025-02-10', 'sealed', 5, 0, 0)"));
    fxc_tick t = { .symbol = "LCRS", .time_us = DAY0_US - 19 * FX_US_PER_DAY + 1000, .price = 1.25 };
    fxc_err e;
    cr_assert_eq(fxc_tick_create(fx_test_client, &t, NULL, &e), FXC_FAILED_PRECONDITION);
    cr_assert(strstr(e.message, "2025-02-10") != NULL && strstr(e.message, "sealed") != NULL, "%s", e.message);
    cr_assert_eq(fxc_tick_delete(fx_test_client, "LCRS", t.time_us, &e), FXC_FAILED_PRECONDITION);
    cr_assert_str_eq(fxc_status_name(FXC_FAILED_PRECONDITION), "FAILED_PRECONDITION");
    t.time_us += FX_US_PER_DAY; /* the next day is not sealed */
    cr_assert_eq(fxc_tick_create(fx_test_client, &t, NULL, &e), FXC_OK, "%s", e.message);
}
