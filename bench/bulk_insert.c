/*
 * bench-bulk-insert: bulk-insert rate through fxclient (BulkCreateTicks).
 *   bench-bulk-insert [TICKS (default 1000000)] [BATCH (default 100000)] [STREAMS (default 1)]
 * Stores TICKS fresh ticks and prints ticks/s. STREAMS threads share the work,
 * each with a symbol of its own (writes of one symbol are serialised by the
 * core, so parallel streams of one symbol would only queue). FX_RPC_URL
 * names the core.
 */
#include "fx/client.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct stream {
    fxc *core;
    char symbol[17];
    long ticks, batch;
    int failed;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *run_stream(void *arg)
{
    struct stream *s = arg;
    fxc_tick *t = malloc((size_t)s->batch * sizeof *t);
    int64_t t0 = 1735689600000000LL; /* 2025-01-01, ticks 1 ms apart */
    fxc_err e;
    for (long done = 0; t && done < s->ticks;) {
        long n = s->ticks - done < s->batch ? s->ticks - done : s->batch;
        for (long i = 0; i < n; i++) {
            snprintf(t[i].symbol, sizeof t[i].symbol, "%s", s->symbol);
            t[i].time_us = t0 + (done + i) * 1000;
            t[i].price = 1.08 + (double)((done + i) % 997) * 1e-5;
        }
        uint64_t created;
        if (fxc_ticks_bulk(s->core, t, (size_t)n, &created, NULL, &e) != FXC_OK || created != (uint64_t)n) {
            fprintf(stderr, "bench-bulk-insert: %s at %ld: %s\n", s->symbol, done, e.message);
            s->failed = 1;
            break;
        }
        done += n;
    }
    free(t);
    return NULL;
}

int main(int argc, char **argv)
{
    long total = argc > 1 ? atol(argv[1]) : 1000000;
    long batch = argc > 2 ? atol(argv[2]) : 100000;
    int streams = argc > 3 ? atoi(argv[3]) : 1;
    if (total < 1 || batch < 1 || batch > FXC_BULK_MAX || streams < 1 || streams > 64) {
        fprintf(stderr, "usage: bench-bulk-insert [TICKS] [BATCH 1..%d] [STREAMS 1..64]\n", FXC_BULK_MAX);
        return 2;
    }
    fxc *c;
    fxc_err e;
    if (fxc_open(NULL, &c, &e) != FXC_OK) {
        fprintf(stderr, "bench-bulk-insert: %s\n", e.message);
        return 1;
    }
    fxc_set_timeout(c, 120000);
    struct stream s[64];
    pthread_t th[64];
    unsigned long run = (unsigned long)time(NULL) ^ (unsigned long)getpid();
    double start = now_s();
    for (int i = 0; i < streams; i++) {
        s[i] = (struct stream) { .core = c, .ticks = total / streams + (i < total % streams), .batch = batch };
        snprintf(s[i].symbol, sizeof s[i].symbol, "B%02d%lX", i, run & 0xffffffff);
        pthread_create(&th[i], NULL, run_stream, &s[i]);
    }
    int failed = 0;
    for (int i = 0; i < streams; i++) {
        pthread_join(th[i], NULL);
        failed |= s[i].failed;
    }
    double secs = now_s() - start;
    if (!failed)
        printf("bulk insert: %ld ticks in %.2f s = %.0f ticks/s (batch %ld, %d stream%s)\n", total, secs,
            (double)total / secs, batch, streams, streams > 1 ? "s" : "");
    fxc_close(c);
    return failed;
}
