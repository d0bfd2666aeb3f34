/* Migrations: applied once, recorded, idempotent; the ticks table is partitioned. */
#include "tests/support/fixture.h"

#include "server/config.h"
#include "server/migrate.h"
#include "server/server.h"

#include <criterion/criterion.h>
#include <stdio.h>

TestSuite(migrate, .fini = fx_fixture_stop);

Test(migrate, applying_twice_is_a_no_op)
{
    struct fx_config cfg;
    char err[512];
    cr_assert_eq(fx_config_load(&cfg, err, sizeof err), 0, "%s", err);
    int applied = -1;
    cr_assert_eq(fx_server_migrate(&cfg, &applied, err, sizeof err), 0, "%s", err);
    cr_assert_eq(fx_server_migrate(&cfg, &applied, err, sizeof err), 0, "%s", err);
    cr_assert_eq(applied, 0, "the second run applies nothing");
    cr_assert_eq(fx_test_sql_int("SELECT count(*) FROM schema_migrations"), fx_migrations_count);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT max(version) FROM schema_migrations");
    cr_assert_eq(fx_test_sql_int(sql), fx_migrations[fx_migrations_count - 1].version);
}

Test(migrate, ticks_is_range_partitioned_with_partitions_ahead)
{
    struct fx_config cfg;
    char err[512];
    cr_assert_eq(fx_config_load(&cfg, err, sizeof err), 0, "%s", err);
    snprintf(cfg.rpc_url, sizeof cfg.rpc_url, "inproc://fx-migrate-test");
    snprintf(cfg.feed_url, sizeof cfg.feed_url, "inproc://fx-migrate-feed");
    cfg.ingest_enabled = 0;
    struct fx_server *s;
    cr_assert_eq(fx_server_create(&s, &cfg, err, sizeof err), 0, "%s", err);
    fx_server_destroy(s);
    cr_assert_eq(fx_test_sql_int("SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'ticks'::regclass"
                                 " AND partstrat = 'r'"),
        1);
    char sql[256];
    snprintf(sql, sizeof sql,
        "SELECT count(*) FROM pg_class WHERE relname IN ("
        " 'ticks_p' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD'),"
        " 'ticks_p' || to_char(now() AT TIME ZONE 'UTC' + interval '%d days', 'YYYYMMDD'))",
        cfg.partition_days_ahead);
    cr_assert_eq(fx_test_sql_int(sql), 2, "today and the last day ahead have partitions");
}
