/*
 * bench-failover: how long a core's death interrupts REST and the live feed.
 *
 * Starts two fx-cores (one consumer group on a fresh Redis Stream) and one
 * fx-bridge listing both, as a user would. While a producer XADDs ticks of
 * one symbol at RATE per second, a WebSocket client follows the symbol's
 * ticks and a REST client polls `GET /ticks/?symbol=…&start=…&end=…&limit=1`
 * back to back. After 3 s one core is SIGKILLed (not restarted). Per run it prints:
 *   steady     median REST answer time and tick latency (XADD → frame)
 *              before the kill: the ceiling the failover figures compare to
 *   rest       from the kill to the first answer of a request sent after it,
 *              and the longest time without an answer around the kill
 *   live       from the kill to the first frame of a tick added after it,
 *              and to the last frame of the ticks added up to 1 s after it
 *              (ticks the dead core had read but not stored wait for
 *              INGEST_CLAIM_IDLE_MS, then another core takes them over)
 *   lost/twice ticks that never arrived, or arrived more than once
 * and the medians over all runs at the end.
 *
 *   bench-failover BIN_DIR [--runs 3] [--rate 500] [--claim-idle-ms MS]
 * BIN_DIR holds fx-core and fx-bridge (a Release build for figures);
 * without --claim-idle-ms the cores use their default. Environment:
 * DATABASE_URL, REDIS_URL (after ./scripts/up.sh: . .data/env). The
 * benchmark's stream and ticks are deleted at the end of each run.
 */
#include "base/redis_conn.h"
#include "fx/client.h"
#include "tests/support/ws_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STEADY_S 3 /* before the kill */
#define REQUESTS_MAX 400000
#define RUNS_MAX 20

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what)
{
    fprintf(stderr, "bench-failover: %s\n", what);
    exit(1);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        die("no free port");
    close(fd);
    return ntohs(a.sin_port);
}

/* `prog` of `bin` with `env` ("NAME=value", NULL-ended) added; output to `log`. */
static pid_t spawn(const char *bin, const char *prog, char *const *env, const char *log)
{
    pid_t pid = fork();
    if (pid < 0) die("fork failed");
    if (pid > 0) return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (int i = 0; env[i]; i++) putenv(env[i]);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) dup2(fd, 1), dup2(fd, 2);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", bin, prog);
    execl(path, prog, (char *)NULL);
    _exit(127);
}

static void stop(pid_t pid, int sig)
{
    kill(pid, sig);
    waitpid(pid, NULL, 0);
}

/* ---- one run's shared state --------------------------------------------- */

struct run {
    char symbol[FXC_SYMBOL_MAX + 1], stream[64];
    int bridge_port, rate;
    atomic_int stop_producer, stop_clients;
    int64_t base_ms; /* tick i has time base_ms + i */
    int64_t *xadd_us; /* when tick i was added */
    _Atomic int64_t *arrival_us; /* when its first frame came */
    atomic_int *frames; /* how many frames it got */
    atomic_int added;
    int cap;
    struct request { int64_t start_us, end_us; long status; } *req;
    atomic_int nreq;
};

static void *producer_main(void *arg)
{
    struct run *r = arg;
    char err[256];
    redisContext *c = fx_redis_connect(getenv("REDIS_URL"), 5000, err, sizeof err);
    if (c == NULL) die(err);
    int64_t start = now_us();
    for (int i = 0; i < r->cap && !atomic_load(&r->stop_producer); i++) {
        int64_t due = start + (int64_t)i * 1000000 / r->rate, d = due - now_us();
        if (d > 0) usleep((useconds_t)d);
        char t[32], price[32];
        snprintf(t, sizeof t, "%lld", (long long)(r->base_ms + i));
        snprintf(price, sizeof price, "%.5f", 1.1 + (i % 1000) * 1e-5);
        r->xadd_us[i] = now_us();
        redisReply *rep = redisCommand(c, "XADD %s * symbol %s time %s price %s", r->stream, r->symbol, t, price);
        if (rep == NULL || rep->type != REDIS_REPLY_STRING) die("XADD failed");
        freeReplyObject(rep);
        atomic_store(&r->added, i + 1);
    }
    redisFree(c);
    return NULL;
}

static void *ws_main(void *arg)
{
    struct run *r = arg;
    char path[64];
    snprintf(path, sizeof path, "/ws/ticks/%s", r->symbol);
    long status = 0;
    struct fx_ws_client *ws = fx_ws_connect((unsigned)r->bridge_port, path, 0, &status, NULL);
    if (ws == NULL) die("WebSocket refused");
    while (!atomic_load(&r->stop_clients)) {
        char *text;
        int rc = fx_ws_next_text(ws, 100, &text);
        if (rc == -2) die("the bridge closed the WebSocket");
        if (rc != 0) continue;
        int64_t at = now_us(), t_us;
        const char *p = strstr(text, "\"time\":\"");
        char when[40] = "";
        if (p) sscanf(p + 8, "%39[^\"]", when);
        if (fxc_time_parse(when, &t_us) == 0) {
            int64_t i = t_us / 1000 - r->base_ms;
            if (i >= 0 && i < r->cap && atomic_fetch_add(&r->frames[i], 1) == 0) atomic_store(&r->arrival_us[i], at);
        }
        free(text);
    }
    fx_ws_close(ws);
    return NULL;
}

static size_t discard(char *d, size_t s, size_t n, void *a)
{
    (void)d, (void)a;
    return s * n;
}

static void *rest_main(void *arg)
{
    struct run *r = arg;
    CURL *c = curl_easy_init();
    char url[256], start[FXC_TIME_STR_MAX], end[FXC_TIME_STR_MAX];
    fxc_time_format(r->base_ms * 1000, start);
    fxc_time_format((r->base_ms + 3600 * 1000) * 1000, end);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ticks/?symbol=%s&start=%s&end=%s&limit=1", r->bridge_port,
        r->symbol, start, end);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    while (!atomic_load(&r->stop_clients)) {
        int k = atomic_load(&r->nreq);
        if (k >= REQUESTS_MAX) break;
        struct request *q = &r->req[k];
        q->start_us = now_us();
        q->status = curl_easy_perform(c) == CURLE_OK ? 0 : -1;
        if (q->status == 0) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &q->status);
        q->end_us = now_us();
        atomic_store(&r->nreq, k + 1);
    }
    curl_easy_cleanup(c);
    return NULL;
}

static int wait_healthy(int port)
{
    CURL *c = curl_easy_init();
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/health", port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 2L);
    long status = 0;
    for (int i = 0; i < 150 && status != 200; i++) {
        if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200) usleep(100000);
    }
    curl_easy_cleanup(c);
    return status == 200 ? 0 : -1;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double median_ms(int64_t *v, int n)
{
    if (n == 0) return -1;
    qsort(v, (size_t)n, sizeof *v, cmp_i64);
    return v[n / 2] / 1000.0;
}

/* ---- a run ---------------------------------------------------------------- */

enum { STEADY_REST, STEADY_LIVE, REST_FIRST, REST_GAP, LIVE_FIRST, LIVE_ALL, LOST, TWICE, FIGURES };
static const char *const figure_names[FIGURES] = { "steady REST answer", "steady tick latency",
    "REST: kill → first answer", "REST: longest wait", "live: kill → first new tick",
    "live: kill → all ticks of kill+1 s", "ticks lost", "ticks twice" };

static void delete_rows(const char *symbol)
{
    PGconn *db = PQconnectdb(getenv("DATABASE_URL"));
    char sql[512];
    snprintf(sql, sizeof sql,
        "DELETE FROM ticks WHERE symbol = '%s'; DELETE FROM candles_1m WHERE symbol = '%s';"
        " DELETE FROM candles_1h WHERE symbol = '%s'; DELETE FROM candles_1d WHERE symbol = '%s'",
        symbol, symbol, symbol, symbol);
    PQclear(PQexec(db, sql));
    PQfinish(db);
}

static void one_run(const char *bin, int n, int rate, int claim_idle_ms, double out[FIGURES])
{
    static struct run r;
    memset(&r, 0, sizeof r);
    snprintf(r.symbol, sizeof r.symbol, "FO%dR%d", (int)getpid(), n);
    snprintf(r.stream, sizeof r.stream, "bench:failover:%d:%d", (int)getpid(), n);
    r.rate = rate;
    int after_s = (claim_idle_ms > 0 ? claim_idle_ms : 30000) / 1000 + 5;
    r.cap = rate * (STEADY_S + after_s + 2);
    r.xadd_us = calloc((size_t)r.cap, sizeof *r.xadd_us);
    r.arrival_us = calloc((size_t)r.cap, sizeof *r.arrival_us);
    r.frames = calloc((size_t)r.cap, sizeof *r.frames);
    r.req = calloc(REQUESTS_MAX, sizeof *r.req);
    if (!r.xadd_us || !r.arrival_us || !r.frames || !r.req) die("out of memory");
    r.base_ms = now_us() / 1000 - 3600 * 1000; /* an hour ago: clear of other writers */

    char rpc[2][64], feed[2][64], env[3][8][160], log[3][96];
    pid_t pid[3];
    for (int k = 0; k < 2; k++) {
        snprintf(rpc[k], sizeof rpc[k], "tcp://127.0.0.1:%d", free_port());
        snprintf(feed[k], sizeof feed[k], "tcp://127.0.0.1:%d", free_port());
    }
    for (int k = 0; k < 2; k++) {
        int e = 0;
        snprintf(env[k][e++], 160, "FX_RPC_URL=%s", rpc[k]);
        snprintf(env[k][e++], 160, "FX_FEED_URL=%s", feed[k]);
        snprintf(env[k][e++], 160, "FX_HTTP_PORT=0");
        snprintf(env[k][e++], 160, "REDIS_STREAM=%s", r.stream);
        snprintf(env[k][e++], 160, "REDIS_CONSUMER=core-%c", 'a' + k);
        snprintf(env[k][e++], 160, "LOG_LEVEL=warn");
        if (claim_idle_ms > 0) snprintf(env[k][e++], 160, "INGEST_CLAIM_IDLE_MS=%d", claim_idle_ms);
        char *envp[9];
        for (int i = 0; i < e; i++) envp[i] = env[k][i];
        envp[e] = NULL;
        snprintf(log[k], sizeof log[k], "/tmp/bench-failover-%d-core-%c.log", (int)getpid(), 'a' + k);
        pid[k] = spawn(bin, "fx-core", envp, log[k]);
    }
    r.bridge_port = free_port();
    snprintf(env[2][0], 160, "FX_RPC_URL=%s,%s", rpc[0], rpc[1]);
    snprintf(env[2][1], 160, "FX_FEED_URL=%s,%s", feed[0], feed[1]);
    snprintf(env[2][2], 160, "BRIDGE_PORT=%d", r.bridge_port);
    snprintf(env[2][3], 160, "LOG_LEVEL=warn");
    char *benv[] = { env[2][0], env[2][1], env[2][2], env[2][3], NULL };
    snprintf(log[2], sizeof log[2], "/tmp/bench-failover-%d-bridge.log", (int)getpid());
    pid[2] = spawn(bin, "fx-bridge", benv, log[2]);
    if (wait_healthy(r.bridge_port) != 0) die("the bridge did not become healthy (see /tmp/bench-failover-*.log)");

    pthread_t producer, ws, rest;
    pthread_create(&ws, NULL, ws_main, &r);
    usleep(500000); /* subscribed */
    pthread_create(&rest, NULL, rest_main, &r);
    pthread_create(&producer, NULL, producer_main, &r);
    sleep(STEADY_S);
    int64_t kill_us = now_us();
    stop(pid[0], SIGKILL);
    sleep((unsigned)after_s);
    atomic_store(&r.stop_producer, 1);
    pthread_join(producer, NULL);
    int added = atomic_load(&r.added);
    for (int i = 0; i < 100; i++) { /* the last ones on their way */
        int missing = 0;
        for (int k = 0; k < added && !missing; k++) missing = atomic_load(&r.frames[k]) == 0;
        if (!missing) break;
        usleep(100000);
    }
    atomic_store(&r.stop_clients, 1);
    pthread_join(ws, NULL);
    pthread_join(rest, NULL);
    stop(pid[1], SIGTERM);
    stop(pid[2], SIGTERM);

    /* steady state: what the failover figures compare to */
    int nreq = atomic_load(&r.nreq), nv = 0;
    int64_t *v = calloc((size_t)(nreq > r.cap ? nreq : r.cap) + 1, sizeof *v);
    for (int k = 0; k < nreq; k++)
        if (r.req[k].end_us < kill_us && r.req[k].status == 200) v[nv++] = r.req[k].end_us - r.req[k].start_us;
    out[STEADY_REST] = median_ms(v, nv);
    nv = 0;
    for (int i = 0; i < added; i++)
        if (r.xadd_us[i] < kill_us - 1000000 && r.frames[i]) v[nv++] = r.arrival_us[i] - r.xadd_us[i];
    out[STEADY_LIVE] = median_ms(v, nv);
    free(v);

    int64_t first = INT64_MAX, gap = 0, prev_end = 0;
    long errors = 0;
    for (int k = 0; k < nreq; k++) {
        struct request *q = &r.req[k];
        if (q->status != 200) {
            if (q->end_us >= kill_us) errors++;
            continue;
        }
        if (q->start_us >= kill_us && q->end_us < first) first = q->end_us;
        if (prev_end && q->end_us > kill_us - 1000000 && q->end_us - prev_end > gap) gap = q->end_us - prev_end;
        prev_end = q->end_us;
    }
    out[REST_FIRST] = (double)(first - kill_us) / 1000.0;
    out[REST_GAP] = (double)gap / 1000.0;
    int64_t live_first = INT64_MAX, live_all = 0;
    long lost = 0, twice = 0;
    for (int i = 0; i < added; i++) {
        int f = atomic_load(&r.frames[i]);
        if (f == 0) lost++;
        if (f > 1) twice++;
        if (f && r.xadd_us[i] >= kill_us && r.arrival_us[i] < live_first) live_first = r.arrival_us[i];
        if (f && r.xadd_us[i] < kill_us + 1000000 && r.arrival_us[i] > live_all) live_all = r.arrival_us[i];
    }
    out[LIVE_FIRST] = (double)(live_first - kill_us) / 1000.0;
    out[LIVE_ALL] = (double)(live_all - kill_us) / 1000.0;
    out[LOST] = (double)lost;
    out[TWICE] = (double)twice;
    printf("run %d: %d ticks, %d requests (%ld failed after the kill)\n", n + 1, added, nreq, errors);
    for (int k = 0; k < FIGURES; k++)
        printf("  %-36s %10.1f%s\n", figure_names[k], out[k], k < LOST ? " ms" : "");
    fflush(stdout);

    delete_rows(r.symbol);
    char err[256];
    redisContext *c = fx_redis_connect(getenv("REDIS_URL"), 5000, err, sizeof err);
    redisReply *rep = c ? redisCommand(c, "DEL %s %s:dead", r.stream, r.stream) : NULL;
    if (rep == NULL) fprintf(stderr, "bench-failover: could not delete %s\n", r.stream);
    freeReplyObject(rep);
    if (c) redisFree(c);
    free(r.xadd_us), free(r.arrival_us), free(r.frames), free(r.req);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: bench-failover BIN_DIR [--runs 3] [--rate 500] [--claim-idle-ms MS]\n");
        return 2;
    }
    int runs = 3, rate = 500, claim = 0;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--runs") == 0) runs = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--rate") == 0) rate = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--claim-idle-ms") == 0) claim = atoi(argv[i + 1]);
        else die("unknown option");
    }
    if (runs < 1 || runs > RUNS_MAX || rate < 1 || rate > 20000) die("--runs 1..20, --rate 1..20000");
    if (!getenv("DATABASE_URL") || !getenv("REDIS_URL")) die("set DATABASE_URL and REDIS_URL (. .data/env)");
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    double fig[RUNS_MAX][FIGURES];
    for (int n = 0; n < runs; n++) one_run(argv[1], n, rate, claim, fig[n]);
    char claim_s[16] = "default";
    if (claim > 0) snprintf(claim_s, sizeof claim_s, "%d", claim);
    printf("medians of %d runs (rate %d ticks/s, INGEST_CLAIM_IDLE_MS %s):\n", runs, rate, claim_s);
    for (int k = 0; k < FIGURES; k++) {
        double col[RUNS_MAX];
        for (int n = 0; n < runs; n++) col[n] = fig[n][k];
        qsort(col, (size_t)runs, sizeof col[0], cmp_double);
        printf("  %-36s %10.1f%s\n", figure_names[k], col[runs / 2], k < LOST ? " ms" : "");
    }
    curl_global_cleanup();
    return 0;
}
