/*
 * Daily tick partitions: fx_day_of's floor division (before 1970 too), and
 * fx_partitions_ensure / fx_partitions_ensure_range against the real
 * PostgreSQL: exactly the partitions asked for, with the bounds of their UTC
 * day, repeats and any order fine, the cache, and fx_partitions_forget after a
 * partition was dropped behind its back. The days are in 1931, which no other
 * test uses; the test drops what it created.
 *
 * Day numbers by hand: 1931-01-01 is 39 years of 365 days + 10 leap days
 * (1932 .. 1968) before 1970-01-01, day -14245.
 */
#include "tests/support/fixture.h"

#include "base/errors.h"
#include "server/config.h"
#include "server/db.h"
#include "server/partitions.h"
#include "fx/limits.h"

#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define US_PER_DAY 86400000000LL
#define D19310101 (-14245)

/* ---- fx_day_of --------------------------------------------------------- */

Test(day_of, days_start_at_midnight_utc)
{
    cr_assert_eq(fx_day_of(0), 0);
    cr_assert_eq(fx_day_of(1), 0);
    cr_assert_eq(fx_day_of(US_PER_DAY - 1), 0);
    cr_assert_eq(fx_day_of(US_PER_DAY), 1);
    /* 2025-01-15T10:00:00Z: 55 years of 365 days + 14 leap days + 14 days */
    cr_assert_eq(fx_day_of(1736935200LL * 1000000), 20103);
    cr_assert_eq(fx_day_of(20103 * US_PER_DAY), 20103);
    cr_assert_eq(fx_day_of(20104 * US_PER_DAY - 1), 20103);
}

Test(day_of, times_before_1970_round_down)
{
    cr_assert_eq(fx_day_of(-1), -1, "1969-12-31T23:59:59.999999Z is day -1, not 0");
    cr_assert_eq(fx_day_of(-US_PER_DAY + 1), -1);
    cr_assert_eq(fx_day_of(-US_PER_DAY), -1);
    cr_assert_eq(fx_day_of(-US_PER_DAY - 1), -2);
    cr_assert_eq(fx_day_of((int64_t)D19310101 * US_PER_DAY), D19310101);
    cr_assert_eq(fx_day_of((int64_t)D19310101 * US_PER_DAY - 1), D19310101 - 1);
    cr_assert_eq(fx_day_of((int64_t)D19310101 * US_PER_DAY + 12 * 3600000000LL), D19310101);
}

Test(day_of, the_supported_range)
{
    /* 1900-01-01: 70 * 365 + 17 days before 1970; 2200-01-01: 230 * 365 + 56 after */
    cr_assert_eq(fx_day_of(FX_TIME_MIN_US), -25567);
    cr_assert_eq(fx_day_of(FX_TIME_END_US), 84006);
    cr_assert_eq(fx_day_of(FX_TIME_END_US - 1), 84005);
}

/* ---- against PostgreSQL ------------------------------------------------- */

static struct fx_db db;

/* The partitions of 1931 (and 1932-01) this test may create, dropped before and after. */
static void drop_mine(void)
{
    PGresult *res = PQexec(fx_test_pg(),
        "DO $$ DECLARE r record; BEGIN"
        " FOR r IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        "  WHERE i.inhparent = 'ticks'::regclass"
        "  AND (c.relname LIKE 'ticks\\_p1931%' OR c.relname LIKE 'ticks\\_p193201%') LOOP"
        "  EXECUTE format('DROP TABLE %I', r.relname); END LOOP; END $$");
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
    PQclear(res);
}

static void setup(void)
{
    fx_fixture_start(); /* applies the migrations */
    struct fx_config cfg;
    char err[512];
    cr_assert_eq(fx_config_load(&cfg, err, sizeof err), 0, "%s", err);
    cr_assert_eq(fx_db_open(&db, cfg.database_url, err, sizeof err), 0, "%s", err);
    PQclear(PQexec(fx_test_pg(), "SET TIME ZONE 'UTC'"));
    drop_mine();
    fx_partitions_forget();
}

static void teardown(void)
{
    drop_mine();
    cr_assert_eq(fx_test_sql_int("SELECT count(*) FROM pg_class WHERE relname LIKE 'ticks\\_p1931%'"
                                 " OR relname LIKE 'ticks\\_p193201%'"),
        0);
    fx_db_close(&db);
    fx_fixture_stop();
}

TestSuite(partitions, .init = setup, .fini = teardown);

/* Number of tick partitions of 1931. */
static long long partitions_1931(void)
{
    return fx_test_sql_int("SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                           " WHERE i.inhparent = 'ticks'::regclass AND c.relname LIKE 'ticks\\_p1931%'");
}

/* Whether `name` is a partition of ticks. */
static int is_partition(const char *name)
{
    char sql[256];
    snprintf(sql, sizeof sql,
        "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'ticks'::regclass AND c.relname = '%s'",
        name);
    return (int)fx_test_sql_int(sql);
}

/* The bound of partition `name`, as PostgreSQL prints it (time zone UTC). */
static void assert_bound(const char *name, const char *from, const char *to)
{
    char sql[256], expected[160];
    snprintf(
        sql, sizeof sql, "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = '%s'", name);
    PGresult *res = PQexec(fx_test_pg(), sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    cr_assert_eq(PQntuples(res), 1, "no table %s", name);
    snprintf(expected, sizeof expected, "FOR VALUES FROM ('%s 00:00:00+00') TO ('%s 00:00:00+00')", from, to);
    cr_assert_str_eq(PQgetvalue(res, 0, 0), expected, "%s", name);
    PQclear(res);
}

/* The partition a row at `time` (timestamptz text) would go to, or "" when
 * none takes it. The row is rolled back. */
static void partition_of(const char *time, char out[64])
{
    PGconn *pg = fx_test_pg();
    char sql[256];
    PQclear(PQexec(pg, "BEGIN"));
    snprintf(sql, sizeof sql,
        "INSERT INTO ticks VALUES ('FXPARTTEST', timestamptz '%s', 1) RETURNING tableoid::regclass::text",
        time);
    PGresult *res = PQexec(pg, sql);
    if (PQresultStatus(res) == PGRES_TUPLES_OK) {
        snprintf(out, 64, "%s", PQgetvalue(res, 0, 0));
    } else {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        cr_assert_str_eq(
            state ? state : "", "23514", "not a missing partition: %s", PQresultErrorMessage(res));
        out[0] = '\0';
    }
    PQclear(res);
    PQclear(PQexec(pg, "ROLLBACK"));
}

static void assert_goes_to(const char *time, const char *partition)
{
    char got[64];
    partition_of(time, got);
    cr_assert_str_eq(got, partition, "a row at %s", time);
}

Test(partitions, ensure_creates_exactly_the_days_given)
{
    char err[512] = "";
    /* 1931-02-15 = 1931-01-01 + 45; unsorted, with repeats */
    int32_t days[] = { D19310101 + 45, D19310101, D19310101 + 1, D19310101, D19310101 + 45, D19310101 + 1 };
    cr_assert_eq(partitions_1931(), 0);
    cr_assert_eq(fx_partitions_ensure(&db, days, 6, err, sizeof err), 0, "%s", err);
    cr_assert_eq(partitions_1931(), 3);
    cr_assert(is_partition("ticks_p19310101"));
    cr_assert(is_partition("ticks_p19310102"));
    cr_assert(is_partition("ticks_p19310215"));
    assert_bound("ticks_p19310101", "1931-01-01", "1931-01-02");
    assert_bound("ticks_p19310102", "1931-01-02", "1931-01-03");
    assert_bound("ticks_p19310215", "1931-02-15", "1931-02-16");
}

Test(partitions, each_partition_holds_its_utc_day)
{
    char err[512] = "";
    int32_t days[] = { D19310101, D19310101 + 1 };
    cr_assert_eq(fx_partitions_ensure(&db, days, 2, err, sizeof err), 0, "%s", err);
    assert_goes_to("1930-12-31 23:59:59.999999+00", "");
    assert_goes_to("1931-01-01 00:00:00+00", "ticks_p19310101");
    assert_goes_to("1931-01-01 23:59:59.999999+00", "ticks_p19310101");
    assert_goes_to("1931-01-02 00:00:00+00", "ticks_p19310102");
    /* a local time is placed by its UTC instant: 01:30 at +02:00 is 23:30Z the day before */
    assert_goes_to("1931-01-02 01:30:00+02", "ticks_p19310101");
    assert_goes_to("1931-01-02 23:59:59.999999+00", "ticks_p19310102");
    assert_goes_to("1931-01-03 00:00:00+00", "");
}

Test(partitions, ensuring_again_is_a_no_op)
{
    char err[512] = "";
    int32_t days[] = { D19310101 + 10 };
    cr_assert_eq(fx_partitions_ensure(&db, days, 1, err, sizeof err), 0, "%s", err);
    cr_assert_eq(fx_partitions_ensure(&db, days, 1, err, sizeof err), 0, "%s", err);
    /* also when the cache does not know it: PostgreSQL says it exists */
    fx_partitions_forget();
    cr_assert_eq(fx_partitions_ensure(&db, days, 1, err, sizeof err), 0, "%s", err);
    cr_assert_eq(partitions_1931(), 1);
    cr_assert(is_partition("ticks_p19310111"));
    /* nothing to do */
    cr_assert_eq(fx_partitions_ensure(&db, days, 0, err, sizeof err), 0, "%s", err);
    cr_assert_eq(partitions_1931(), 1);
}

Test(partitions, a_partition_created_elsewhere_is_fine)
{
    char err[512] = "";
    cr_assert_eq(fx_test_sql_int("SELECT fx_ensure_tick_partition(date '1931-03-01')::int"), 1);
    int32_t days[] = { D19310101 + 59 }; /* 31 + 28 days after 1931-01-01 */
    cr_assert_eq(fx_partitions_ensure(&db, days, 1, err, sizeof err), 0, "%s", err);
    cr_assert_eq(partitions_1931(), 1, "no second partition for 1931-03-01");
    assert_bound("ticks_p19310301", "1931-03-01", "1931-03-02");
}

Test(partitions, ensure_range_covers_first_to_last)
{
    char err[512] = "";
    /* 1931-01-16 .. 1931-01-20, one of them there already */
    int32_t one[] = { D19310101 + 17 };
    cr_assert_eq(fx_partitions_ensure(&db, one, 1, err, sizeof err), 0, "%s", err);
    cr_assert_eq(
        fx_partitions_ensure_range(&db, D19310101 + 15, D19310101 + 19, err, sizeof err), 0, "%s", err);
    cr_assert_eq(partitions_1931(), 5);
    const char *names[]
        = { "ticks_p19310116", "ticks_p19310117", "ticks_p19310118", "ticks_p19310119", "ticks_p19310120" };
    for (int i = 0; i < 5; i++)
        cr_assert(is_partition(names[i]), "%s", names[i]);
    assert_bound("ticks_p19310120", "1931-01-20", "1931-01-21");
    /* one day */
    cr_assert_eq(
        fx_partitions_ensure_range(&db, D19310101 + 30, D19310101 + 30, err, sizeof err), 0, "%s", err);
    cr_assert(is_partition("ticks_p19310131"));
    /* an empty range creates nothing */
    cr_assert_eq(
        fx_partitions_ensure_range(&db, D19310101 + 40, D19310101 + 39, err, sizeof err), 0, "%s", err);
    cr_assert_eq(partitions_1931(), 6);
}

Test(partitions, across_a_month_and_a_year_end)
{
    char err[512] = "";
    /* 1931-12-30 .. 1932-01-02: 1931 has 365 days, so 1932-01-01 is day -14245 + 365 */
    cr_assert_eq(
        fx_partitions_ensure_range(&db, D19310101 + 363, D19310101 + 366, err, sizeof err), 0, "%s", err);
    cr_assert_eq(partitions_1931(), 2);
    assert_bound("ticks_p19311230", "1931-12-30", "1931-12-31");
    assert_bound("ticks_p19311231", "1931-12-31", "1932-01-01");
    assert_bound("ticks_p19320101", "1932-01-01", "1932-01-02");
    assert_bound("ticks_p19320102", "1932-01-02", "1932-01-03");
    PQclear(PQexec(fx_test_pg(), "DROP TABLE ticks_p19320101, ticks_p19320102"));
    cr_assert_eq(fx_test_sql_int("SELECT count(*) FROM pg_class WHERE relname LIKE 'ticks\\_p1932%'"), 0);
}

Test(partitions, a_dropped_partition_comes_back_after_forget)
{
    char err[512] = "";
    int32_t days[] = { D19310101 + 5, D19310101 + 6 };
    cr_assert_eq(fx_partitions_ensure(&db, days, 2, err, sizeof err), 0, "%s", err);
    cr_assert_eq(partitions_1931(), 2);
    PGresult *res = PQexec(fx_test_pg(), "DROP TABLE ticks_p19310106");
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
    PQclear(res);
    /* the cache still believes in it: no round trip, nothing recreated */
    days[0] = D19310101 + 5, days[1] = D19310101 + 6;
    cr_assert_eq(fx_partitions_ensure(&db, days, 2, err, sizeof err), 0, "%s", err);
    cr_assert_not(is_partition("ticks_p19310106"), "the cache was asked, not PostgreSQL");
    assert_goes_to("1931-01-06 12:00:00+00", "");
    fx_partitions_forget();
    cr_assert_eq(fx_partitions_ensure(&db, days, 2, err, sizeof err), 0, "%s", err);
    cr_assert(is_partition("ticks_p19310106"));
    assert_bound("ticks_p19310106", "1931-01-06", "1931-01-07");
    assert_goes_to("1931-01-06 12:00:00+00", "ticks_p19310106");
    cr_assert_eq(partitions_1931(), 2);
}

Test(partitions, a_failure_is_reported_and_not_cached)
{
    char err[512] = "";
    /* a day far beyond PostgreSQL's dates: the function call itself fails */
    int32_t days[] = { D19310101 + 2, 2000000000 };
    int rc = fx_partitions_ensure(&db, days, 2, err, sizeof err);
    cr_assert_eq(rc, FX_EDB, "rc %d: %s", rc, err);
    cr_assert(strstr(err, "out of range") != NULL, "err: %s", err);
    /* the day before it (sorted first) was created */
    cr_assert(is_partition("ticks_p19310103"));
    /* and the session is usable afterwards */
    int32_t next[] = { D19310101 + 3 };
    cr_assert_eq(fx_partitions_ensure(&db, next, 1, err, sizeof err), 0, "%s", err);
    cr_assert(is_partition("ticks_p19310104"));
}
