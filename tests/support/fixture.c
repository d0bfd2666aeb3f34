#include "tests/support/fixture.h"

#include "server/config.h"
#include "server/server.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

fxc *fx_test_client;
static struct fx_server *server;
static PGconn *pg;
static char rpc_url[64];

const char *fx_test_rpc_url(void) { return rpc_url; }

const char *fx_test_feed_url(void)
{
    static char url[64];
    snprintf(url, sizeof url, "inproc://fx-feed-%d", (int)getpid());
    return url;
}

void fx_fixture_start(void) { fx_fixture_start_with(NULL); }

void fx_fixture_start_with(void (*tweak)(struct fx_config *cfg))
{
    if (getenv("DATABASE_URL") == NULL)
        cr_assert_fail("DATABASE_URL is not set: run the tests with ./scripts/test.sh, which starts PostgreSQL");
    struct fx_config cfg;
    char err[1024];
    cr_assert_eq(fx_config_load(&cfg, err, sizeof err), 0, "config: %s", err);
    snprintf(rpc_url, sizeof rpc_url, "inproc://fx-test-%d", (int)getpid());
    snprintf(cfg.rpc_url, sizeof cfg.rpc_url, "%s", rpc_url);
    snprintf(cfg.feed_url, sizeof cfg.feed_url, "%s", fx_test_feed_url());
    cfg.ingest_enabled = 0; /* ingest tests start their own, on streams of their own */
    /* tests share past days (fx_test_time) and count rows by SQL: their
     * cores compact nothing (the lifecycle tests use databases of their own) */
    cfg.compression_after_days = 0;
    if (tweak) tweak(&cfg);
    cr_assert_eq(fx_server_create(&server, &cfg, err, sizeof err), 0, "fx-core: %s", err);
    fxc_err e;
    cr_assert_eq(fxc_open(rpc_url, &fx_test_client, &e), FXC_OK, "fxc_open: %s", e.message);
    fxc_set_timeout(fx_test_client, 60000);
}

struct fx_server *fx_test_core_start(const char *rpc, const char *feed)
{
    struct fx_config cfg;
    char err[1024];
    cr_assert_eq(fx_config_load(&cfg, err, sizeof err), 0, "config: %s", err);
    snprintf(cfg.rpc_url, sizeof cfg.rpc_url, "%s", rpc);
    snprintf(cfg.feed_url, sizeof cfg.feed_url, "%s", feed);
    cfg.ingest_enabled = 0;
    cfg.compression_after_days = 0;
    struct fx_server *s;
    cr_assert_eq(fx_server_create(&s, &cfg, err, sizeof err), 0, "fx-core on %s: %s", rpc, err);
    return s;
}

void fx_fixture_stop(void)
{
    fxc_close(fx_test_client);
    fx_test_client = NULL;
    fx_server_destroy(server);
    server = NULL;
    if (pg) PQfinish(pg);
    pg = NULL;
}

void fx_test_symbol(char out[FXC_SYMBOL_MAX + 1], const char *prefix)
{
    static unsigned serial;
    snprintf(out, FXC_SYMBOL_MAX + 1, "%.8s%X%X", prefix, (unsigned)getpid() & 0xfffff, serial++ & 0xf);
}

PGconn *fx_test_pg(void)
{
    if (pg == NULL) {
        pg = PQconnectdb(getenv("DATABASE_URL"));
        cr_assert_eq(PQstatus(pg), CONNECTION_OK, "test connection: %s", PQerrorMessage(pg));
    }
    return pg;
}

long long fx_test_sql_int(const char *sql) { return fx_test_sql_int_on(fx_test_pg(), sql); }

long long fx_test_sql_int_on(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(res));
    cr_assert_eq(PQntuples(res), 1, "%s returned %d rows", sql, PQntuples(res));
    long long v = PQgetisnull(res, 0, 0) ? 0 : strtoll(PQgetvalue(res, 0, 0), NULL, 10); /* NULL: a sum of nothing */
    PQclear(res);
    return v;
}

long long fx_test_count_ticks(const char *symbol)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM ticks WHERE symbol = '%s'", symbol);
    return fx_test_sql_int(sql);
}

int fx_test_stored_price(const char *symbol, int64_t time_us, double *price)
{
    char sql[256];
    snprintf(sql, sizeof sql,
        "SELECT price::text FROM ticks WHERE symbol = '%s'"
        " AND time = timestamptz 'epoch' + %" PRId64 " * interval '1 microsecond'",
        symbol, time_us);
    PGresult *res = PQexec(fx_test_pg(), sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    int found = PQntuples(res) == 1;
    if (found) *price = strtod(PQgetvalue(res, 0, 0), NULL);
    PQclear(res);
    return found;
}

int64_t fx_test_time(int64_t seconds) { return (1736935200LL + seconds) * 1000000LL; }

static void admin_exec(const char *fmt, const char *name)
{
    PGconn *c = PQconnectdb(getenv("DATABASE_URL"));
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    char sql[256];
    snprintf(sql, sizeof sql, fmt, name);
    PGresult *res = PQexec(c, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
    PQclear(res);
    PQfinish(c);
}

void fx_test_database_create(const char *name, char *url, size_t urllen)
{
    const char *base = getenv("DATABASE_URL");
    cr_assert(base != NULL, "DATABASE_URL is not set: run the tests with ./scripts/test.sh");
    admin_exec("DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    admin_exec("CREATE DATABASE %s", name);
    /* the same URL with the database name replaced */
    const char *slash = strrchr(base, '/'), *query = strchr(base, '?');
    cr_assert(slash != NULL && slash > base + 12, "DATABASE_URL has no database name: %s", base);
    snprintf(url, urllen, "%.*s/%s%s", (int)(slash - base), base, name, query ? query : "");
}

void fx_test_database_drop(const char *name) { admin_exec("DROP DATABASE IF EXISTS %s WITH (FORCE)", name); }
