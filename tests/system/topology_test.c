/*
 * Two fx-core and two fx-bridge processes on one PostgreSQL and one Redis
 * Stream, each bridge listing both cores: 20 000 ticks XADDed while one core
 * is SIGKILLed midway (and not restarted), then 100 REST writes through
 * each bridge. Every tick must be stored once and counted once in the minute
 * candles, nothing left pending, and every WebSocket tick client on either
 * bridge must receive each of the 20 200 ticks exactly once, in seq order.
 */
#include "tests/support/fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/proc.h"
#include "tests/support/ws_client.h"

#include "base/redis_conn.h"

#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef FX_BIN_DIR
#error "FX_BIN_DIR must name the folder of fx-core and fx-bridge"
#endif

#define STREAM_TICKS 20000
#define REST_TICKS 100 /* through each bridge */
#define TOTAL (STREAM_TICKS + 2 * REST_TICKS)

TestSuite(topology, .fini = fx_proc_kill_all, .timeout = 240);

struct core {
    char rpc[64], feed[64], consumer[32];
    pid_t pid;
};

struct bridge {
    int port;
    pid_t pid;
};

static char stream[64], symbol[FXC_SYMBOL_MAX + 1];

static void start_core(struct core *c, const char *name)
{
    static char env[4][8][160];
    static int used;
    char (*e)[160] = env[used++];
    snprintf(c->rpc, sizeof c->rpc, "tcp://127.0.0.1:%d", fx_proc_free_port());
    snprintf(c->feed, sizeof c->feed, "tcp://127.0.0.1:%d", fx_proc_free_port());
    snprintf(e[0], 160, "FX_RPC_URL=%s", c->rpc);
    snprintf(e[1], 160, "FX_FEED_URL=%s", c->feed);
    snprintf(e[2], 160, "REDIS_STREAM=%s", stream);
    snprintf(e[3], 160, "REDIS_CONSUMER=%s", name);
    snprintf(e[4], 160, "INGEST_CLAIM_IDLE_MS=1000");
    snprintf(e[5], 160, "INGEST_BATCH=500");
    snprintf(e[6], 160, "LOG_LEVEL=warn");
    const char *envp[] = { e[0], e[1], e[2], e[3], e[4], e[5], e[6], NULL };
    c->pid = fx_proc_start(FX_BIN_DIR, "fx-core", envp, NULL);
}

static void start_bridge(struct bridge *b, const struct core *c0, const struct core *c1)
{
    static char env[2][5][300];
    static int used;
    char (*e)[300] = env[used++];
    b->port = fx_proc_free_port();
    snprintf(e[0], 300, "FX_RPC_URL=%s,%s", c0->rpc, c1->rpc);
    snprintf(e[1], 300, "FX_FEED_URL=%s,%s", c0->feed, c1->feed);
    snprintf(e[2], 300, "BRIDGE_PORT=%d", b->port);
    snprintf(e[3], 300, "BRIDGE_WS_QUEUE_KB=65536"); /* a burst of 20 000 frames is not "too slow" here */
    snprintf(e[4], 300, "LOG_LEVEL=warn");
    const char *envp[] = { e[0], e[1], e[2], e[3], e[4], NULL };
    char log[96];
    snprintf(log, sizeof log, "/tmp/fx-topology-%d-bridge%d.log", (int)getpid(), used);
    b->pid = fx_proc_start(FX_BIN_DIR, "fx-bridge", envp, log);
}

static void use_bridge(const struct bridge *b)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", b->port);
    fx_http_set_base_url(url);
}

static void wait_healthy(const struct bridge *b)
{
    cr_assert_eq(fx_proc_wait_port(b->port, 15000), 0, "bridge on port %d does not listen", b->port);
    use_bridge(b);
    for (int i = 0; i < 150; i++) {
        struct fx_http_result r;
        fx_http("GET", "/health", NULL, &r);
        long status = r.status;
        fx_http_free(&r);
        if (status == 200) return;
        usleep(100000);
    }
    cr_assert_fail("bridge on port %d never became healthy", b->port);
}

/* ---- a WebSocket tick client, read on a thread of its own ---------------- */

struct watcher {
    struct fx_ws_client *ws;
    pthread_t thread;
    atomic_int stop;
    unsigned char seen[TOTAL + 1]; /* how often each seq came */
    atomic_long frames, distinct;
    long out_of_order, beyond, no_seq;
    long long last;
};

static void *watch_main(void *arg)
{
    struct watcher *w = arg;
    while (!atomic_load(&w->stop)) {
        char *text;
        int rc = fx_ws_next_text(w->ws, 200, &text);
        if (rc == -2) break;
        if (rc != 0) continue;
        const char *p = strstr(text, "\"seq\":");
        long long seq = p ? atoll(p + 6) : 0;
        atomic_fetch_add(&w->frames, 1);
        if (seq <= 0) w->no_seq++;
        else if (seq > TOTAL) w->beyond++;
        else {
            if (w->seen[seq]++ == 0) atomic_fetch_add(&w->distinct, 1);
            if (seq != w->last + 1) w->out_of_order++;
            w->last = seq;
        }
        free(text);
    }
    return NULL;
}

static void watch(struct watcher *w, const struct bridge *b)
{
    char path[64];
    snprintf(path, sizeof path, "/ws/ticks/%s", symbol);
    long status = 0;
    w->ws = fx_ws_connect((unsigned)b->port, path, 0, &status, NULL);
    cr_assert_not_null(w->ws, "bridge %d: HTTP %ld instead of 101", b->port, status);
    cr_assert_eq(pthread_create(&w->thread, NULL, watch_main, w), 0);
}

/* ---- load ------------------------------------------------------------------ */

static void xadd_ticks(redisContext *r, int first, int n, int64_t t0)
{
    for (int i = first; i < first + n; i++) {
        char time_s[32], price[32];
        snprintf(time_s, sizeof time_s, "%lld", (long long)(t0 + (int64_t)i * 1000) / 1000); /* milliseconds */
        snprintf(price, sizeof price, "%.5f", 1.08 + (i % 1000) * 1e-5);
        const char *argv[] = { "XADD", stream, "*", "symbol", symbol, "time", time_s, "price", price };
        redisAppendCommandArgv(r, 9, argv, NULL);
    }
    for (int i = 0; i < n; i++) {
        redisReply *rep = NULL;
        cr_assert_eq(redisGetReply(r, (void **)&rep), REDIS_OK, "XADD: %s", r->errstr);
        cr_assert_eq(rep->type, REDIS_REPLY_STRING, "XADD: %s", rep->type == REDIS_REPLY_ERROR ? rep->str : "?");
        freeReplyObject(rep);
    }
}

static long long sql_int(const char *fmt)
{
    char sql[512];
    snprintf(sql, sizeof sql, fmt, symbol);
    return fx_test_sql_int(sql);
}

static long long pending(redisContext *r)
{
    redisReply *rep = redisCommand(r, "XPENDING %s fx-core", stream);
    cr_assert_not_null(rep);
    long long n = rep->type == REDIS_REPLY_ARRAY && rep->elements > 0 ? rep->element[0]->integer : -1;
    freeReplyObject(rep);
    return n;
}

Test(topology, a_core_killed_mid_stream_loses_and_doubles_nothing)
{
    cr_assert_not_null(getenv("DATABASE_URL"), "run the tests with ./scripts/test.sh, which starts PostgreSQL and Redis");
    cr_assert_not_null(getenv("REDIS_URL"));
    snprintf(stream, sizeof stream, "fx:topology:%d", (int)getpid());
    fx_test_symbol(symbol, "TOPO");
    struct core a, b;
    start_core(&a, "core-a");
    start_core(&b, "core-b");
    struct bridge b1, b2;
    start_bridge(&b1, &a, &b);
    start_bridge(&b2, &a, &b);
    wait_healthy(&b1);
    wait_healthy(&b2);
    static struct watcher w1, w2;
    watch(&w1, &b1);
    watch(&w2, &b2);
    usleep(500000); /* subscriptions in place */

    char err[256];
    redisContext *r = fx_redis_connect(getenv("REDIS_URL"), 5000, err, sizeof err);
    cr_assert_not_null(r, "%s", err);
    int64_t t0 = fx_test_time(0);
    for (int sent = 0; sent < STREAM_TICKS; sent += 500) {
        xadd_ticks(r, sent, 500, t0);
        if (sent == STREAM_TICKS / 2) fx_proc_stop(a.pid, SIGKILL); /* midway, not restarted */
        usleep(50000);
    }
    /* REST writes through each bridge: the dead core's requests fail over */
    for (int k = 0; k < 2 * REST_TICKS; k++) {
        use_bridge(k < REST_TICKS ? &b1 : &b2);
        char body[160];
        char when[FXC_TIME_STR_MAX];
        fxc_time_format(t0 + 3600LL * 1000000 + k * 1000000LL, when);
        snprintf(body, sizeof body, "{\"symbol\":\"%s\",\"time\":\"%s\",\"price\":1.1}", symbol, when);
        struct fx_http_result res;
        fx_http("POST", "/ticks/", body, &res);
        cr_assert_eq(res.status, 201, "REST write %d: %ld %s", k, res.status, res.body);
        fx_http_free(&res);
    }

    long long stored = 0, left = -1;
    for (int i = 0; i < 600 && (stored != TOTAL || left != 0); i++) {
        usleep(100000);
        stored = sql_int("SELECT count(*) FROM ticks WHERE symbol = '%s'");
        left = pending(r);
    }
    cr_assert_eq(stored, TOTAL, "every tick stored once");
    cr_assert_eq(left, 0, "nothing left pending (the dead core's entries taken over)");
    cr_assert_eq(sql_int("SELECT count(DISTINCT seq) FROM ticks WHERE symbol = '%s' AND seq BETWEEN 1 AND 20200"), TOTAL);
    cr_assert_eq(sql_int("SELECT coalesce(sum(tick_count), 0) FROM candles_1m WHERE symbol = '%s'"), TOTAL,
        "the minute candles count each tick once");

    for (int i = 0; i < 300 && (atomic_load(&w1.distinct) < TOTAL || atomic_load(&w2.distinct) < TOTAL); i++)
        usleep(100000);
    usleep(1000000); /* anything doubled would arrive now */
    struct watcher *ws[2] = { &w1, &w2 };
    for (int k = 0; k < 2; k++) {
        struct watcher *w = ws[k];
        atomic_store(&w->stop, 1);
        pthread_join(w->thread, NULL);
        char missing[200] = "";
        for (long q = 1, shown = 0; q <= TOTAL && shown < 8; q++)
            if (!w->seen[q]) shown++, snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %ld", q);
        cr_assert_eq(atomic_load(&w->distinct), TOTAL, "bridge %d: %ld of %d ticks (missing:%s; last %lld)", k + 1,
            atomic_load(&w->distinct), TOTAL, missing, w->last);
        cr_assert_eq(atomic_load(&w->frames), TOTAL, "bridge %d: %ld frames for %d ticks (doubles)", k + 1,
            atomic_load(&w->frames), TOTAL);
        cr_assert_eq(w->out_of_order, 0, "bridge %d: %ld ticks out of seq order", k + 1, w->out_of_order);
        cr_assert_eq(w->no_seq + w->beyond, 0);
        fx_ws_close(w->ws);
    }
    redisReply *del = redisCommand(r, "DEL %s", stream);
    if (del) freeReplyObject(del);
    redisFree(r);
    fx_proc_stop(b.pid, SIGTERM);
    fx_proc_stop(b1.pid, SIGTERM);
    fx_proc_stop(b2.pid, SIGTERM);
}
