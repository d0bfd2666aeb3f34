/* Migrations: applied once, recorded, idempotent; the ticks table is partitioned. */
#include "tests/support/fixture.h"

#include "server/config.h"
#include "server/db.h"
#include "server/migrate.h"
#include "server/server.h"

#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* ---- two cores starting at once on a fresh database ------------------------ */

struct migrator {
    char url[512];
    int rc, applied;
    char err[512];
};

static void *migrate_main(void *arg)
{
    struct migrator *m = arg;
    struct fx_db db;
    m->rc = fx_db_open(&db, m->url, m->err, sizeof m->err);
    if (m->rc == 0) m->rc = fx_migrate(&db, &m->applied, m->err, sizeof m->err);
    fx_db_close(&db);
    return NULL;
}

static void admin_exec(PGconn *admin, const char *sql)
{
    PGresult *r = PQexec(admin, sql);
    cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(admin));
    PQclear(r);
}

Test(migrate, two_migrators_on_a_fresh_database_both_succeed_and_apply_each_migration_once)
{
    const char *url = getenv("DATABASE_URL");
    cr_assert_not_null(url, "run the tests with ./scripts/test.sh, which starts PostgreSQL");
    const char *slash = strrchr(url, '/');
    cr_assert(slash && strncmp(url, "postgresql://", 13) == 0 && !strchr(slash, '?'), "DATABASE_URL %s", url);
    PGconn *admin = PQconnectdb(url);
    cr_assert_eq(PQstatus(admin), CONNECTION_OK, "%s", PQerrorMessage(admin));
    for (int round = 0; round < 5; round++) { /* the race is narrow: several fresh databases */
        char name[64], sql[128];
        snprintf(name, sizeof name, "fx_migrate_race_%d_%d", (int)getpid(), round);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
        admin_exec(admin, sql);
        struct migrator m[2];
        pthread_t t[2];
        for (int i = 0; i < 2; i++) {
            memset(&m[i], 0, sizeof m[i]);
            snprintf(m[i].url, sizeof m[i].url, "%.*s/%s", (int)(slash - url), url, name);
            cr_assert_eq(pthread_create(&t[i], NULL, migrate_main, &m[i]), 0);
        }
        for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
        snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", name);
        admin_exec(admin, sql);
        for (int i = 0; i < 2; i++) cr_assert_eq(m[i].rc, 0, "round %d, migrator %d: %s", round, i, m[i].err);
        cr_assert_eq(m[0].applied + m[1].applied, fx_migrations_count, "round %d: %d + %d migrations applied", round,
            m[0].applied, m[1].applied);
    }
    PQfinish(admin);
}
