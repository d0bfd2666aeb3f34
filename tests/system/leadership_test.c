/*
 * Candle leadership with real processes: two fx-cores and one fx-bridge
 * listing both, a WebSocket client on a symbol's minute candles, ticks
 * written in real time. The leader is SIGKILLed just before a bucket ends:
 * the other core takes over and closes it within 2 s of its end. After the
 * next bucket has been closed, that leader is killed too: the core that
 * takes over closes the ended buckets again, the bridge drops those
 * repeats, and the client gets one `complete` per bucket, whose tick count
 * is the stored candle's.
 */
#include "tests/support/fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/prom_text.h"
#include "tests/support/proc.h"
#include "tests/support/ws_client.h"
#include "tests/system/cluster.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MINUTE_US 60000000LL
#define BUCKETS_MAX 16

TestSuite(leadership, .fini = fx_proc_kill_all, .timeout = 300);

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_until(int64_t when_us)
{
    int64_t d = when_us - now_us();
    if (d > 0) usleep((useconds_t)d);
}

/* ---- the client's view of each bucket ------------------------------------ */

struct bucket_view {
    int64_t bucket_us;
    int completes; /* frames with "complete": true */
    int64_t first_complete_us; /* when the first of them arrived */
    long long complete_ticks; /* its tick_count */
};

struct candle_client {
    struct fx_ws_client *ws;
    pthread_t thread;
    atomic_int stop;
    pthread_mutex_t lock;
    struct bucket_view b[BUCKETS_MAX];
    int n;
    long frames, unreadable;
};

static void on_frame(struct candle_client *c, const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    const char *bucket = j ? json_string_value(json_object_get(j, "bucket")) : NULL;
    int64_t bucket_us;
    pthread_mutex_lock(&c->lock);
    c->frames++;
    if (!bucket || fxc_time_parse(bucket, &bucket_us) != 0) {
        c->unreadable++;
    } else if (json_is_true(json_object_get(j, "complete"))) {
        int i = 0;
        while (i < c->n && c->b[i].bucket_us != bucket_us) i++;
        if (i == c->n && c->n < BUCKETS_MAX) c->b[c->n++] = (struct bucket_view){ .bucket_us = bucket_us };
        if (i < c->n && c->b[i].completes++ == 0) {
            c->b[i].first_complete_us = now_us();
            c->b[i].complete_ticks = (long long)json_integer_value(json_object_get(j, "tick_count"));
        }
    }
    pthread_mutex_unlock(&c->lock);
    json_decref(j);
}

static void *client_main(void *arg)
{
    struct candle_client *c = arg;
    while (!atomic_load(&c->stop)) {
        char *text;
        int rc = fx_ws_next_text(c->ws, 200, &text);
        if (rc == -2) break;
        if (rc != 0) continue;
        on_frame(c, text);
        free(text);
    }
    return NULL;
}

/* The client's view of `bucket_us` (zeroes when it got no complete). */
static struct bucket_view view_of(struct candle_client *c, int64_t bucket_us)
{
    struct bucket_view v = { .bucket_us = bucket_us };
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < c->n; i++)
        if (c->b[i].bucket_us == bucket_us) v = c->b[i];
    pthread_mutex_unlock(&c->lock);
    return v;
}

/* ---- the cores ----------------------------------------------------------- */

/* Which of the two cores (0 or 1) leads, once exactly one does; -1 when
 * none has within `ms`. `alive` masks the cores that can be asked. */
static int wait_one_leader(const struct fx_cluster_core *cores, const int alive[2], int ms)
{
    for (int waited = 0; waited <= ms; waited += 100) {
        int l0 = alive[0] ? fx_cluster_core_leads(&cores[0]) : 0;
        int l1 = alive[1] ? fx_cluster_core_leads(&cores[1]) : 0;
        cr_assert(!(l0 && l1), "two leaders at once");
        if (l0 || l1) return l0 ? 0 : 1;
        usleep(100000);
    }
    return -1;
}

/* fx_ws_candle_states_dropped_total of the bridge the HTTP client points at */
static double candle_states_dropped(void)
{
    struct fx_http_result r;
    fx_http("GET", "/metrics", NULL, &r);
    cr_assert_eq(r.status, 200);
    double n = fx_prom_sample(r.body, "fx_ws_candle_states_dropped_total");
    fx_http_free(&r);
    return n;
}

static char symbol[FXC_SYMBOL_MAX + 1];

/* `n` ticks through the bridge, stamped now (distinct microseconds). */
static void write_ticks_now(int n)
{
    int64_t t = now_us();
    for (int i = 0; i < n; i++) {
        char when[FXC_TIME_STR_MAX], body[160];
        fxc_time_format(t - i, when);
        snprintf(body, sizeof body, "{\"symbol\":\"%s\",\"time\":\"%s\",\"price\":1.1%d}", symbol, when, i);
        struct fx_http_result r;
        fx_http("POST", "/ticks/", body, &r);
        cr_assert_eq(r.status, 201, "POST /ticks/: %ld %s", r.status, r.body);
        fx_http_free(&r);
    }
}

static long long stored_count(int64_t bucket_us)
{
    char sql[256], when[FXC_TIME_STR_MAX];
    fxc_time_format(bucket_us, when);
    snprintf(sql, sizeof sql, "SELECT coalesce(sum(tick_count), 0) FROM candles_1m WHERE symbol = '%s' AND bucket = '%s'",
        symbol, when);
    return fx_test_sql_int(sql);
}

static void assert_closed_once(struct candle_client *c, int64_t bucket_us, int ticks, const char *what)
{
    struct bucket_view v = view_of(c, bucket_us);
    char when[FXC_TIME_STR_MAX];
    fxc_time_format(bucket_us, when);
    cr_assert_eq(v.completes, 1, "%s (%s): %d complete frames", what, when, v.completes);
    double late_s = (double)(v.first_complete_us - (bucket_us + MINUTE_US)) / 1e6;
    cr_assert_leq(late_s, 2.0, "%s (%s): closed %.2f s after its end", what, when, late_s);
    cr_assert_eq(v.complete_ticks, ticks, "%s (%s): complete with %lld ticks", what, when, v.complete_ticks);
    cr_assert_eq(stored_count(bucket_us), ticks, "%s (%s): the stored candle", what, when);
    fprintf(stderr, "leadership: %s closed %.2f s after its end\n", what, late_s);
}

Test(leadership, a_killed_leader_is_replaced_and_candles_close_once_within_2_s)
{
    cr_assert_not_null(getenv("DATABASE_URL"), "run the tests with ./scripts/test.sh, which starts PostgreSQL and Redis");
    char stream[64];
    snprintf(stream, sizeof stream, "fx:leadership:%d", (int)getpid());
    fx_test_symbol(symbol, "LEAD");
    struct fx_cluster_core cores[2];
    fx_cluster_core_start(&cores[0], "core-a", stream);
    fx_cluster_core_start(&cores[1], "core-b", stream);
    struct fx_cluster_bridge bridge;
    fx_cluster_bridge_start(&bridge, cores, 2);
    fx_cluster_wait_healthy(&bridge);
    cr_assert_eq(fx_proc_wait_port(cores[0].http_port, 15000), 0);
    cr_assert_eq(fx_proc_wait_port(cores[1].http_port, 15000), 0);
    int alive[2] = { 1, 1 };
    int leader = wait_one_leader(cores, alive, 5000);
    cr_assert_geq(leader, 0, "no core leads");

    static struct candle_client client;
    pthread_mutex_init(&client.lock, NULL);
    char path[64];
    snprintf(path, sizeof path, "/ws/ohlc/minute/%s", symbol);
    long status = 0;
    client.ws = fx_ws_connect((unsigned)bridge.port, path, 0, &status, NULL);
    cr_assert_not_null(client.ws, "HTTP %ld instead of 101", status);
    cr_assert_eq(pthread_create(&client.thread, NULL, client_main, &client), 0);
    usleep(300000); /* subscribed */

    /* Bucket 1: ticks, then the leader dies a second before the bucket ends. */
    if (now_us() % MINUTE_US > 50 * 1000000LL) sleep_until((now_us() / MINUTE_US + 1) * MINUTE_US + 500000);
    int64_t m1 = now_us() / MINUTE_US * MINUTE_US;
    write_ticks_now(5);
    sleep_until(m1 + MINUTE_US - 1000000);
    fx_proc_stop(cores[leader].p.pid, SIGKILL);
    alive[leader] = 0;
    int second = wait_one_leader(cores, alive, 5000);
    cr_assert_eq(second, 1 - leader, "the other core took over");
    sleep_until(m1 + MINUTE_US + 2500000);
    assert_closed_once(&client, m1, 5, "the bucket whose leader died before its end");

    /* Bucket 2, closed by the new leader; then it dies too, after the close. */
    fx_cluster_run(&cores[leader].p); /* back, as a follower */
    alive[leader] = 1;
    cr_assert_eq(fx_proc_wait_port(cores[leader].http_port, 15000), 0);
    int64_t m2 = m1 + MINUTE_US;
    write_ticks_now(3);
    cr_assert_eq(now_us() / MINUTE_US * MINUTE_US, m2, "the writes took over a minute");
    sleep_until(m2 + MINUTE_US + 1500000);
    cr_assert_eq(wait_one_leader(cores, alive, 0), second, "the leader stays leader while it lives");
    double dropped = candle_states_dropped();
    fx_proc_stop(cores[second].p.pid, SIGKILL);
    alive[second] = 0;
    cr_assert_eq(wait_one_leader(cores, alive, 5000), leader, "the restarted core took over");
    usleep(1500000);
    cr_assert_gt(candle_states_dropped(), dropped, "the new leader closed the ended bucket again; the bridge dropped it");
    assert_closed_once(&client, m2, 3, "the bucket closed before its leader died");
    assert_closed_once(&client, m1, 5, "the first bucket, after the second takeover");

    atomic_store(&client.stop, 1);
    pthread_join(client.thread, NULL);
    cr_assert_eq(client.unreadable, 0, "%ld frames without a bucket", client.unreadable);
    cr_assert_eq(client.n, 2, "completes for %d buckets, not 2", client.n);
    fx_ws_close(client.ws);
    fx_proc_stop(cores[leader].p.pid, SIGTERM);
    fx_proc_stop(bridge.p.pid, SIGTERM);
}
