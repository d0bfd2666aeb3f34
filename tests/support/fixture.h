/*
 * Integration-test fixture: an fx-core served in-process (the real server
 * library, on an inproc:// URL) against the real PostgreSQL and Redis named by
 * DATABASE_URL and REDIS_URL (scripts/test.sh starts throwaway ones), and an
 * fxclient connected to it. Criterion runs each test in its own process, so
 * each test gets a fresh server; tests use their own symbols (fx_test_symbol)
 * instead of truncating shared tables.
 */
#ifndef FX_TEST_FIXTURE_H
#define FX_TEST_FIXTURE_H

#include "fx/client.h"

#include <libpq-fe.h>
#include <stdint.h>

extern fxc *fx_test_client;

void fx_fixture_start(void); /* use as .init of an integration test */

struct fx_config;
/* Like fx_fixture_start, with `tweak` adjusting the configuration first. */
void fx_fixture_start_with(void (*tweak)(struct fx_config *cfg));
void fx_fixture_stop(void); /* use as .fini */

/* Another fx-core in this process, on `rpc_url` and `feed_url`, against the
 * same database (ingest off). Stop it with fx_server_destroy. */
struct fx_server;
struct fx_server *fx_test_core_start(const char *rpc_url, const char *feed_url);

/* The core's RPC URL of this process's server. */
const char *fx_test_rpc_url(void);

/* The live feed URL of this process's server. */
const char *fx_test_feed_url(void);

/* A symbol unique to this test process: `prefix` (<= 8 chars) + a suffix. */
void fx_test_symbol(char out[FXC_SYMBOL_MAX + 1], const char *prefix);

/* A direct connection to the test database (for checks the API cannot make). */
PGconn *fx_test_pg(void);

/* Number of stored ticks of `symbol`, counted by SQL, not through the core. */
long long fx_test_count_ticks(const char *symbol);

/* The stored price of (symbol, time_us) by SQL; returns 0 if absent. */
int fx_test_stored_price(const char *symbol, int64_t time_us, double *price);

/* A fresh database `name` on the test server (dropped first if it
 * exists), for tests whose work spans whole days of every symbol
 * (maintenance); *url receives its URL. Not migrated. */
void fx_test_database_create(const char *name, char *url, size_t urllen);
void fx_test_database_drop(const char *name);

/* Runs a SQL query that returns one integer (NULL reads 0). */
long long fx_test_sql_int(const char *sql);
/* The same on another connection (a test's own database). */
long long fx_test_sql_int_on(PGconn *conn, const char *sql);

/* 2025-01-15T10:00:00Z + seconds, in microseconds. */
int64_t fx_test_time(int64_t seconds);

#endif
