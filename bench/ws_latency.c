/*
 * bench-ws-latency: tick-to-WebSocket latency, end to end.
 *
 * Opens CLIENTS WebSockets on fx-bridge (/ws/ticks/SYMBOL), then XADDs ticks
 * of SYMBOL into the Redis Stream at RATE per second for SECONDS, each
 * stamped with the wall clock when it is added. fx-core ingests them
 * (XREADGROUP, commit, publish), fx-bridge fans them out; each client's
 * frame gives the latency now - tick time. Prints the median, p99, p99.9
 * and maximum over every frame of every client, and what each client got.
 *
 * With --listen-only no ticks are added: the clients listen (to
 * /ws/ohlc/minute/SYMBOL... round-robin over --symbols) for SECONDS and the
 * frame counts are printed; used to load the bridge during an ingest run.
 *
 *   bench-ws-latency [--clients 100] [--rate 1000] [--seconds 20]
 *                    [--port 8000] [--symbol BENCHWS] [--stream fx:ticks]
 *                    [--listen-only --symbols EURUSD,GBPUSD]
 * Environment: REDIS_URL (redis://host:port).
 */
#include "fx/client.h"
#include "tests/support/ws_client.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct options {
    int clients, rate, seconds, port, listen_only;
    const char *symbol, *stream, *symbols;
};

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* ---- the producer: XADD at a steady rate ------------------------------------ */

struct producer {
    const struct options *o;
    redisContext *redis;
    long sent;
};

static void *produce(void *arg)
{
    struct producer *p = arg;
    const struct options *o = p->o;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    long total = (long)o->rate * o->seconds;
    int64_t last = 0;
    for (long k = 0; k < total; k++) {
        /* absolute deadlines: a late wake-up does not slow the rate */
        long ns = next.tv_nsec + 1000000000L / o->rate;
        next.tv_sec += ns / 1000000000L, next.tv_nsec = ns % 1000000000L;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        int64_t t = now_us();
        if (t <= last) t = last + 1; /* (symbol, time) is the key: never twice */
        last = t;
        char when[FXC_TIME_STR_MAX], price[32];
        fxc_time_format(t, when);
        snprintf(price, sizeof price, "%.5f", 1.08 + (double)(k % 100) * 1e-5);
        redisReply *r = redisCommand(p->redis, "XADD %s * symbol %s time %s price %s", o->stream, o->symbol, when,
            price);
        if (r == NULL) {
            fprintf(stderr, "bench-ws-latency: XADD: %s\n", p->redis->errstr);
            return NULL;
        }
        freeReplyObject(r);
        p->sent++;
    }
    return NULL;
}

/* ---- the clients --------------------------------------------------------------- */

static int64_t *latencies;
static size_t nlat, caplat;

static void record(const char *frame)
{
    const char *t = strstr(frame, "\"time\":\"");
    if (t == NULL) return;
    char when[40];
    size_t n = strcspn(t + 8, "\"");
    if (n >= sizeof when) return;
    memcpy(when, t + 8, n);
    when[n] = '\0';
    int64_t us;
    if (fxc_time_parse(when, &us) != 0) return;
    if (nlat == caplat) {
        caplat = caplat ? caplat * 2 : 1 << 16;
        latencies = realloc(latencies, caplat * sizeof *latencies);
        if (latencies == NULL) exit(1);
    }
    latencies[nlat++] = now_us() - us;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    *o = (struct options){ 100, 1000, 20, 8000, 0, "BENCHWS", getenv("REDIS_STREAM"), "EURUSD" };
    if (o->stream == NULL) o->stream = "fx:ticks";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--listen-only") == 0) {
            o->listen_only = 1;
            continue;
        }
        if (v == NULL) return -1;
        if (strcmp(a, "--clients") == 0) o->clients = atoi(v);
        else if (strcmp(a, "--rate") == 0) o->rate = atoi(v);
        else if (strcmp(a, "--seconds") == 0) o->seconds = atoi(v);
        else if (strcmp(a, "--port") == 0) o->port = atoi(v);
        else if (strcmp(a, "--symbol") == 0) o->symbol = v;
        else if (strcmp(a, "--symbols") == 0) o->symbols = v;
        else if (strcmp(a, "--stream") == 0) o->stream = v;
        else return -1;
        i++;
    }
    return o->clients > 0 && o->rate > 0 && o->seconds > 0 ? 0 : -1;
}

static redisContext *connect_redis(void)
{
    const char *url = getenv("REDIS_URL");
    const char *colon = url ? strrchr(url, ':') : NULL;
    int port = colon && colon[1] >= '0' && colon[1] <= '9' ? atoi(colon + 1) : 6379;
    redisContext *r = redisConnect("127.0.0.1", port);
    if (r == NULL || r->err) {
        fprintf(stderr, "bench-ws-latency: Redis on port %d: %s\n", port, r ? r->errstr : "out of memory");
        return NULL;
    }
    return r;
}

/* The path of client i: its symbol's ticks, or with --listen-only the
 * minute candles of the symbols in turn. */
static void path_of(const struct options *o, int i, char *path, size_t len)
{
    if (!o->listen_only) {
        snprintf(path, len, "/ws/ticks/%s", o->symbol);
        return;
    }
    char list[256], *save = NULL;
    snprintf(list, sizeof list, "%s", o->symbols);
    int n = 0;
    for (char *s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save)) n++;
    snprintf(list, sizeof list, "%s", o->symbols);
    char *s = strtok_r(list, ",", &save);
    for (int k = 0; k < i % n; k++) s = strtok_r(NULL, ",", &save);
    snprintf(path, len, "/ws/ohlc/minute/%s", s);
}

int main(int argc, char **argv)
{
    struct options o;
    if (parse_args(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: bench-ws-latency [--clients N] [--rate N] [--seconds N] [--port P] [--symbol S]\n"
                        "                        [--stream NAME] [--listen-only --symbols A,B]\n");
        return 2;
    }
    struct fx_ws_client **c = calloc((size_t)o.clients, sizeof *c);
    long *frames = calloc((size_t)o.clients, sizeof *frames);
    struct pollfd *pfd = calloc((size_t)o.clients, sizeof *pfd);
    for (int i = 0; i < o.clients; i++) {
        char path[96];
        path_of(&o, i, path, sizeof path);
        long status;
        c[i] = fx_ws_connect((unsigned)o.port, path, 0, &status, NULL);
        if (c[i] == NULL) {
            fprintf(stderr, "bench-ws-latency: client %d: HTTP %ld on %s\n", i, status, path);
            return 1;
        }
        pfd[i] = (struct pollfd){ fx_ws_fd(c[i]), POLLIN, 0 };
    }
    struct timespec settle = { 0, 300000000 };
    nanosleep(&settle, NULL); /* the bridge's feed subscription is asynchronous */

    struct producer prod = { &o, NULL, 0 };
    pthread_t thread;
    int producing = !o.listen_only;
    if (producing && ((prod.redis = connect_redis()) == NULL || pthread_create(&thread, NULL, produce, &prod) != 0))
        return 1;
    fprintf(stderr, "bench-ws-latency: %d clients, %s for %d s\n", o.clients,
        o.listen_only ? "listening" : "ticks at the given rate", o.seconds);
    int64_t end = now_us() + (int64_t)o.seconds * 1000000 + 2000000; /* + 2 s for the last ticks */
    int closed = 0;
    while (now_us() < end) {
        if (poll(pfd, (nfds_t)o.clients, 100) <= 0) continue;
        for (int i = 0; i < o.clients; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char *text;
            int rc;
            while ((rc = fx_ws_next_text(c[i], 0, &text)) == 0) {
                frames[i]++;
                if (producing) record(text);
                free(text);
            }
            if (rc == -2) {
                pfd[i].fd = -1; /* closed by the server (dropped as too slow?) */
                closed++;
            }
        }
    }
    if (producing) pthread_join(thread, NULL);
    long min = frames[0], max = frames[0], sum = 0;
    for (int i = 0; i < o.clients; i++) {
        if (frames[i] < min) min = frames[i];
        if (frames[i] > max) max = frames[i];
        sum += frames[i];
    }
    printf("clients %d, closed by the server %d, frames per client min %ld max %ld, all %ld\n", o.clients, closed,
        min, max, sum);
    if (producing) {
        printf("ticks added %ld at %d/s\n", prod.sent, o.rate);
        if (nlat > 0) {
            qsort(latencies, nlat, sizeof *latencies, cmp_i64);
            printf("latency XADD -> client (us): median %lld  p99 %lld  p99.9 %lld  max %lld  (%zu frames)\n",
                (long long)latencies[nlat / 2], (long long)latencies[nlat * 99 / 100],
                (long long)latencies[nlat * 999 / 1000], (long long)latencies[nlat - 1], nlat);
        }
        redisFree(prod.redis);
    }
    for (int i = 0; i < o.clients; i++) fx_ws_close(c[i]);
    free(c), free(frames), free(pfd), free(latencies);
    return 0;
}
