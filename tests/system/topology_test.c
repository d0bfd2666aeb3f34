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
#include "tests/system/cluster.h"

#include "base/redis_conn.h"

#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STREAM_TICKS 20000
#define REST_TICKS 100 /* through each bridge */
#define TOTAL (STREAM_TICKS + 2 * REST_TICKS)

TestSuite(topology, .fini = fx_proc_kill_all, .timeout = 240);

static char stream[64], symbol[FXC_SYMBOL_MAX + 1];

/* Two cores on `stream` and two bridges that list both, healthy. */
static void start_two_and_two(struct fx_cluster_core cores[2], struct fx_cluster_bridge *b1,
    struct fx_cluster_bridge *b2)
{
    fx_cluster_core_start(&cores[0], "core-a", stream);
    fx_cluster_core_start(&cores[1], "core-b", stream);
    fx_cluster_bridge_start(b1, cores, 2);
    fx_cluster_bridge_start(b2, cores, 2);
    fx_cluster_wait_healthy(b1);
    fx_cluster_wait_healthy(b2);
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

static void watch(struct watcher *w, const struct fx_cluster_bridge *b)
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
    struct fx_cluster_core cores[2];
    struct fx_cluster_bridge b1, b2;
    start_two_and_two(cores, &b1, &b2);
    struct fx_cluster_core *a = &cores[0], *b = &cores[1];
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
        if (sent == STREAM_TICKS / 2) fx_proc_stop(a->p.pid, SIGKILL); /* midway, not restarted */
        usleep(50000);
    }
    /* REST writes through each bridge: the dead core's requests fail over */
    for (int k = 0; k < 2 * REST_TICKS; k++) {
        fx_cluster_use_bridge(k < REST_TICKS ? &b1 : &b2);
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
    cr_assert_eq(stored, TOTAL, "every tick stored once: %lld of %d stored, %lld entries pending", stored, TOTAL, left);
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
    fx_proc_stop(b->p.pid, SIGTERM);
    fx_proc_stop(b1.p.pid, SIGTERM);
    fx_proc_stop(b2.p.pid, SIGTERM);
}

/* ---- rolling restart --------------------------------------------------------- */

#define ROLL_SEQ_MAX 100000

/* A tick client that reconnects when its bridge restarts: within each
 * connection every tick must come once and in seq order, with no hole. */
struct roller {
    const struct fx_cluster_bridge *bridge;
    const char *symbol;
    struct fx_ws_client *ws;
    pthread_t thread;
    atomic_int stop;
    unsigned char seen[ROLL_SEQ_MAX + 1];
    long frames, doubles, out_of_order, holes, reconnects;
    long long first, last; /* of the current connection */
};

static void roller_connect(struct roller *r)
{
    char path[64];
    snprintf(path, sizeof path, "/ws/ticks/%s", r->symbol);
    for (int i = 0; i < 200 && !atomic_load(&r->stop); i++) {
        long status = 0;
        if ((r->ws = fx_ws_connect((unsigned)r->bridge->port, path, 0, &status, NULL)) != NULL) return;
        usleep(50000);
    }
}

static void *roll_main(void *arg)
{
    struct roller *r = arg;
    while (!atomic_load(&r->stop)) {
        if (r->ws == NULL) {
            roller_connect(r);
            r->first = r->last = 0;
            continue;
        }
        char *text;
        int rc = fx_ws_next_text(r->ws, 200, &text);
        if (rc == -2) { /* the bridge went (1001): a new connection starts afresh */
            fx_ws_close(r->ws);
            r->ws = NULL;
            r->reconnects++;
            continue;
        }
        if (rc != 0) continue;
        const char *p = strstr(text, "\"seq\":");
        long long seq = p ? atoll(p + 6) : 0;
        free(text);
        r->frames++;
        if (seq <= 0 || seq > ROLL_SEQ_MAX) continue;
        if (r->seen[seq]++) r->doubles++;
        if (r->first == 0) r->first = seq;
        else if (seq <= r->last) r->out_of_order++;
        else r->holes += seq - r->last - 1;
        r->last = seq;
    }
    if (r->ws) fx_ws_close(r->ws);
    return NULL;
}

static long long sent_by(const char *log)
{
    FILE *f = fopen(log, "r");
    cr_assert_not_null(f, "%s", log);
    char line[512];
    long long n = -1;
    while (fgets(line, sizeof line, f))
        if (strstr(line, "ticks sent to")) sscanf(line, "fx-tickgen: %lld", &n);
    fclose(f);
    return n;
}

Test(topology, a_rolling_restart_under_two_producers_loses_and_doubles_nothing)
{
    cr_assert_not_null(getenv("DATABASE_URL"), "run the tests with ./scripts/test.sh, which starts PostgreSQL and Redis");
    cr_assert_not_null(getenv("REDIS_URL"));
    snprintf(stream, sizeof stream, "fx:rolling:%d", (int)getpid());
    char sym1[FXC_SYMBOL_MAX + 1], sym2[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym1, "ROLA");
    fx_test_symbol(sym2, "ROLB");
    struct fx_cluster_core cores[2];
    struct fx_cluster_bridge b1, b2;
    start_two_and_two(cores, &b1, &b2);
    struct fx_cluster_core *a = &cores[0], *b = &cores[1];
    static struct roller r1, r2;
    r1.bridge = &b1, r1.symbol = sym1;
    r2.bridge = &b2, r2.symbol = sym1;
    cr_assert_eq(pthread_create(&r1.thread, NULL, roll_main, &r1), 0);
    cr_assert_eq(pthread_create(&r2.thread, NULL, roll_main, &r2), 0);
    usleep(800000);

    /* two producers at once, 500 ticks/s each, for 16 s */
    char log1[96], log2[96], st[128];
    snprintf(log1, sizeof log1, "/tmp/fx-rolling-%d-tickgen1.log", (int)getpid());
    snprintf(log2, sizeof log2, "/tmp/fx-rolling-%d-tickgen2.log", (int)getpid());
    unlink(log1), unlink(log2);
    snprintf(st, sizeof st, "REDIS_STREAM=%s", stream);
    const char *g1[] = { st, NULL }, *g2[] = { st, NULL };
    pid_t p1 = fx_proc_start_args(FX_BIN_DIR, "fx-tickgen", g1, log1,
        (const char *[]){ "--symbols", sym1, "--rate", "500", "--duration", "16", NULL });
    pid_t p2 = fx_proc_start_args(FX_BIN_DIR, "fx-tickgen", g2, log2,
        (const char *[]){ "--symbols", sym2, "--rate", "500", "--duration", "16", NULL });
    struct fx_cluster_proc *order[4] = { &a->p, &b->p, &b1.p, &b2.p };
    for (int i = 0; i < 4; i++) {
        sleep(3);
        fx_cluster_restart(order[i]);
    }
    int s1 = fx_proc_wait(p1, 30), s2 = fx_proc_wait(p2, 30);
    cr_assert(WIFEXITED(s1) && WEXITSTATUS(s1) == 0 && WIFEXITED(s2) && WEXITSTATUS(s2) == 0, "a producer failed");
    long long sent1 = sent_by(log1), sent2 = sent_by(log2);
    cr_assert_gt(sent1, 5000, "producer 1 sent %lld", sent1);
    cr_assert_gt(sent2, 5000, "producer 2 sent %lld", sent2);

    char err[256];
    redisContext *r = fx_redis_connect(getenv("REDIS_URL"), 5000, err, sizeof err);
    cr_assert_not_null(r, "%s", err);
    long long stored1 = 0, stored2 = 0, left = -1;
    char q1[160], q2[160];
    snprintf(q1, sizeof q1, "SELECT count(*) FROM ticks WHERE symbol = '%s'", sym1);
    snprintf(q2, sizeof q2, "SELECT count(*) FROM ticks WHERE symbol = '%s'", sym2);
    for (int i = 0; i < 600 && (stored1 != sent1 || stored2 != sent2 || left != 0); i++) {
        usleep(100000);
        stored1 = fx_test_sql_int(q1);
        stored2 = fx_test_sql_int(q2);
        left = pending(r);
    }
    cr_assert_eq(stored1, sent1, "%s: every tick stored once", sym1);
    cr_assert_eq(stored2, sent2, "%s: every tick stored once", sym2);
    cr_assert_eq(left, 0, "nothing left pending");
    snprintf(q1, sizeof q1, "SELECT count(DISTINCT seq) FROM ticks WHERE symbol = '%s' AND seq BETWEEN 1 AND %lld", sym1,
        sent1);
    cr_assert_eq(fx_test_sql_int(q1), sent1, "seq dense");
    snprintf(q1, sizeof q1, "SELECT coalesce(sum(tick_count), 0) FROM candles_1m WHERE symbol IN ('%s', '%s')", sym1, sym2);
    cr_assert_eq(fx_test_sql_int(q1), sent1 + sent2, "the minute candles count each tick once");

    usleep(1500000); /* the clients have what there is */
    struct roller *rs[2] = { &r1, &r2 };
    for (int k = 0; k < 2; k++) {
        struct roller *w = rs[k];
        atomic_store(&w->stop, 1);
        pthread_join(w->thread, NULL);
        cr_assert_eq(w->doubles, 0, "client %d: %ld ticks twice", k + 1, w->doubles);
        cr_assert_eq(w->out_of_order, 0, "client %d: %ld out of seq order", k + 1, w->out_of_order);
        cr_assert_eq(w->holes, 0, "client %d: %ld ticks missing within a connection (across core restarts)", k + 1,
            w->holes);
        cr_assert_geq(w->reconnects, 1, "client %d: its bridge restarted, it reconnected", k + 1);
        cr_assert_gt(w->frames, 1000, "client %d: %ld frames", k + 1, w->frames);
        fprintf(stderr, "rolling restart: client %d got %ld frames over %ld reconnects\n", k + 1, w->frames,
            w->reconnects);
    }
    redisReply *del = redisCommand(r, "DEL %s", stream);
    if (del) freeReplyObject(del);
    redisFree(r);
    fx_proc_stop(a->p.pid, SIGTERM);
    fx_proc_stop(b->p.pid, SIGTERM);
    fx_proc_stop(b1.p.pid, SIGTERM);
    fx_proc_stop(b2.p.pid, SIGTERM);
}
