/*
 * bench-bulk-insert: bulk-insert rate through fxclient (BulkCreateTicks).
 *   bench-bulk-insert [TICKS (default 1000000)] [BATCH (default 100000)]
 * Stores TICKS fresh ticks of a symbol unique to the run and prints ticks/s.
 * FX_RPC_URL names the core.
 */
#include "fx/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long total = argc > 1 ? atol(argv[1]) : 1000000;
    long batch = argc > 2 ? atol(argv[2]) : 100000;
    if (total < 1 || batch < 1 || batch > FXC_BULK_MAX) {
        fprintf(stderr, "usage: bench-bulk-insert [TICKS] [BATCH 1..%d]\n", FXC_BULK_MAX);
        return 2;
    }
    fxc *c;
    fxc_err e;
    if (fxc_open(NULL, &c, &e) != FXC_OK) {
        fprintf(stderr, "bench-bulk-insert: %s\n", e.message);
        return 1;
    }
    fxc_set_timeout(c, 120000);
    fxc_tick *t = malloc((size_t)batch * sizeof *t);
    if (t == NULL) return 1;
    char symbol[17];
    snprintf(symbol, sizeof symbol, "BENCH%lX", (unsigned long)time(NULL) ^ (unsigned long)getpid());
    int64_t t0 = 1735689600000000LL; /* 2025-01-01, ticks 1 ms apart */
    double start = now_s();
    long done = 0;
    while (done < total) {
        long n = total - done < batch ? total - done : batch;
        for (long i = 0; i < n; i++) {
            snprintf(t[i].symbol, sizeof t[i].symbol, "%s", symbol);
            t[i].time_us = t0 + (done + i) * 1000;
            t[i].price = 1.08 + (double)((done + i) % 997) * 1e-5;
        }
        uint64_t created;
        if (fxc_ticks_bulk(c, t, (size_t)n, &created, NULL, &e) != FXC_OK || created != (uint64_t)n) {
            fprintf(stderr, "bench-bulk-insert: batch at %ld: %s\n", done, e.message);
            return 1;
        }
        done += n;
    }
    double secs = now_s() - start;
    printf("bulk insert: %ld ticks in %.2f s = %.0f ticks/s (batch %ld, symbol %s)\n", total, secs,
        (double)total / secs, batch, symbol);
    free(t);
    fxc_close(c);
    return 0;
}
