/*
 * What the live feed does not bring is read back (bridge/backfill.c with
 * bridge/tick_order.c in the hub): a bridge that listens to core A's feed
 * only, with both cores A and B for requests, still sends a WebSocket
 * client every stored tick of its symbol once and in seq order — ticks
 * stored through B are read back at the next gap, and a tick stored but
 * never published (a core dying between its commit and its publish,
 * played here by an INSERT in SQL) is read back when A's feed connection
 * goes away. Real cores, bridge and PostgreSQL.
 */
#include "tests/support/fixture.h"

#include "bridge/config.h"
#include "server/server.h"
#include "tests/support/bridge_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/ws_client.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char rpc_a[96], feed_a[96], rpc_b[96], feed_b[96];
static struct fx_server *core_a, *core_b;

static void addresses(void)
{
    int pid = (int)getpid();
    snprintf(rpc_a, sizeof rpc_a, "ipc:///tmp/fx-backfill-%d-a.rpc", pid);
    snprintf(feed_a, sizeof feed_a, "ipc:///tmp/fx-backfill-%d-a.feed", pid);
    snprintf(rpc_b, sizeof rpc_b, "ipc:///tmp/fx-backfill-%d-b.rpc", pid);
    snprintf(feed_b, sizeof feed_b, "ipc:///tmp/fx-backfill-%d-b.feed", pid);
}

/* The bridge: requests to both cores, the feed of A alone. */
static void bridge_of_two_cores(struct fx_bridge_config *cfg)
{
    snprintf(cfg->rpc_url, sizeof cfg->rpc_url, "%s,%s", rpc_a, rpc_b);
    snprintf(cfg->feed_url, sizeof cfg->feed_url, "%s", feed_a);
}

static void start(void)
{
    addresses();
    core_a = fx_test_core_start(rpc_a, feed_a);
    core_b = fx_test_core_start(rpc_b, feed_b);
    /* after the cores: the bridge's first dial finds them (a failed one
     * is retried only a second later) */
    fx_bridge_fixture_start_with(NULL, bridge_of_two_cores);
}

static void stop(void)
{
    fx_server_destroy(core_a);
    fx_server_destroy(core_b);
    fx_bridge_fixture_stop();
}

TestSuite(backfill, .init = start, .fini = stop, .timeout = 90);

static void create_at(const char *rpc, const char *sym, int64_t time_us)
{
    fxc *c;
    fxc_err e;
    cr_assert_eq(fxc_open(rpc, &c, &e), FXC_OK, "%s", e.message);
    fxc_set_timeout(c, 10000);
    fxc_tick t = { .time_us = time_us, .price = 1.1 };
    snprintf(t.symbol, sizeof t.symbol, "%s", sym);
    cr_assert_eq(fxc_tick_create(c, &t, NULL, &e), FXC_OK, "%s", e.message);
    fxc_close(c);
}

static void create_via(const char *rpc, const char *sym, int64_t second)
{
    fxc *c;
    fxc_err e;
    cr_assert_eq(fxc_open(rpc, &c, &e), FXC_OK, "%s", e.message);
    fxc_set_timeout(c, 10000);
    fxc_tick t = { .time_us = fx_test_time(second), .price = 1.0 + (double)second / 100 };
    snprintf(t.symbol, sizeof t.symbol, "%s", sym);
    cr_assert_eq(fxc_tick_create(c, &t, NULL, &e), FXC_OK, "%s", e.message);
    fxc_close(c);
}

/* The next tick frame's seq and time (asserts one comes within `ms`). */
static int64_t next_seq(struct fx_ws_client *c, int ms, int64_t *time_us)
{
    char *text;
    int rc = fx_ws_next_text(c, ms, &text);
    cr_assert_eq(rc, 0, "no frame within %d ms (%s)", ms, rc == -2 ? "closed" : "timeout");
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    cr_assert_not_null(j, "not JSON: %s", text);
    cr_assert_str_eq(json_string_value(json_object_get(j, "type")), "tick", "%s", text);
    json_t *seq = json_object_get(j, "seq");
    cr_assert(json_is_integer(seq), "a tick frame carries its seq as a JSON number: %s", text);
    int64_t s = json_integer_value(seq);
    if (time_us) cr_assert_eq(fxc_time_parse(json_string_value(json_object_get(j, "time")), time_us), 0);
    json_decref(j);
    free(text);
    return s;
}

static struct fx_ws_client *watch(const char *sym)
{
    char path[64];
    snprintf(path, sizeof path, "/ws/ticks/%s", sym);
    long status;
    struct fx_ws_client *c = fx_ws_connect(fx_test_bridge_port(), path, 0, &status, NULL);
    cr_assert_not_null(c, "HTTP %ld instead of 101", status);
    usleep(300000); /* the hub has subscribed */
    return c;
}

static void assert_quiet(struct fx_ws_client *c, int ms)
{
    char *text;
    int rc = fx_ws_next_text(c, ms, &text);
    if (rc == 0) {
        cr_assert_fail("one frame too many: %s", text);
    }
}

Test(backfill, ticks_the_feed_did_not_bring_are_read_back_in_order)
{
    char sym[17];
    fx_test_symbol(sym, "BF");
    struct fx_ws_client *c = watch(sym);
    create_via(rpc_a, sym, 1); /* seq 1, on A's feed */
    create_via(rpc_b, sym, 2); /* seq 2, on B's feed, which the bridge does not hear */
    create_via(rpc_b, sym, 3); /* seq 3 */
    create_via(rpc_a, sym, 4); /* seq 4: the gap shows */
    for (int64_t want = 1; want <= 4; want++) {
        int64_t t;
        cr_assert_eq(next_seq(c, 5000, &t), want);
        cr_assert_eq(t, fx_test_time(want), "seq %lld is the tick of second %lld", (long long)want, (long long)want);
    }
    assert_quiet(c, 500);
    fx_ws_close(c);
}

Test(backfill, a_tick_stored_and_never_sent_is_read_back_when_a_core_goes)
{
    char sym[17], sql[512];
    fx_test_symbol(sym, "BG");
    struct fx_ws_client *c = watch(sym);
    create_via(rpc_a, sym, 1);
    cr_assert_eq(next_seq(c, 5000, NULL), 1);
    /* seq 2 committed by a core that died before publishing it */
    snprintf(sql, sizeof sql,
        "WITH s AS (UPDATE symbol_seq SET last_seq = last_seq + 1 WHERE symbol = '%s' RETURNING last_seq)"
        " INSERT INTO ticks (symbol, time, price, seq) SELECT '%s', to_timestamp(%lld / 1e6), 1.5, last_seq FROM s"
        " RETURNING seq",
        sym, sym, (long long)fx_test_time(2));
    cr_assert_eq(fx_test_sql_int(sql), 2);
    assert_quiet(c, 500); /* nobody published it */
    fx_server_destroy(core_a); /* the core whose feed the bridge hears goes */
    core_a = NULL;
    int64_t t;
    cr_assert_eq(next_seq(c, 8000, &t), 2, "read back through core B once A's feed went");
    cr_assert_eq(t, fx_test_time(2));
    create_via(rpc_b, sym, 3); /* no feed heard now: nothing more arrives, and nothing twice */
    assert_quiet(c, 500);
    fx_ws_close(c);
}

/* The next candle frame's tick count (asserts one comes within `ms`). */
static long long next_candle_count(struct fx_ws_client *c, int ms)
{
    char *text;
    int rc = fx_ws_next_text(c, ms, &text);
    cr_assert_eq(rc, 0, "no frame within %d ms (%s)", ms, rc == -2 ? "closed" : "timeout");
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    cr_assert_not_null(j, "not JSON: %s", text);
    cr_assert_str_eq(json_string_value(json_object_get(j, "type")), "candle", "%s", text);
    long long n = json_integer_value(json_object_get(j, "tick_count"));
    json_decref(j);
    free(text);
    return n;
}

Test(backfill, candle_states_a_feed_did_not_bring_are_read_again_when_a_core_goes)
{
    char sym[17], path[64];
    fx_test_symbol(sym, "BC");
    snprintf(path, sizeof path, "/ws/ohlc/minute/%s", sym);
    long status;
    struct fx_ws_client *c = fx_ws_connect(fx_test_bridge_port(), path, 0, &status, NULL);
    cr_assert_not_null(c, "HTTP %ld instead of 101", status);
    usleep(300000);
    /* in the current minute (its start, so that both ticks fit in it) */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec % 60 > 54) { /* not at the end of a minute, which the leader would close meanwhile */
        sleep((unsigned)(61 - ts.tv_sec % 60));
        clock_gettime(CLOCK_REALTIME, &ts);
    }
    int64_t minute = (int64_t)(ts.tv_sec - ts.tv_sec % 60) * 1000000;
    create_at(rpc_a, sym, minute);
    cr_assert_eq(next_candle_count(c, 5000), 1);
    create_at(rpc_b, sym, minute + 1); /* B's candle event: not heard */
    assert_quiet(c, 300);
    fx_server_destroy(core_a);
    core_a = NULL;
    long long count = next_candle_count(c, 8000);
    cr_assert_eq(count, 2, "the minute as stored, read again through core B once A's feed went");
    fx_ws_close(c);
}
