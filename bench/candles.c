/*
 * bench-candles: candle query latency through the core RPC.
 *   bench-candles load [DAYS (default 30)]   store the data set (see below)
 *   bench-candles query [RUNS (default 200)] time the queries
 * Data set: symbol BCH30 with one tick a second for DAYS days from
 * 2025-01-01 and symbol BCHYR with one tick a minute through 2024.
 * Queries: 60 and 1440 minute candles, 30 days of hourly candles, and 365
 * New York 17:00 days; each is run RUNS times and the median and p99 printed.
 * FX_RPC_URL names the core.
 */
#include "fx/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

#define BATCH 100000

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int load(fxc *c, const char *symbol, int64_t t0, int64_t step_us, long count)
{
    fxc_tick *t = malloc(BATCH * sizeof *t);
    fxc_err e;
    double price = 1.08;
    int64_t begin = now_ns();
    for (long done = 0; done < count;) {
        long n = count - done < BATCH ? count - done : BATCH;
        for (long i = 0; i < n; i++) {
            snprintf(t[i].symbol, sizeof t[i].symbol, "%s", symbol);
            t[i].time_us = t0 + (done + i) * step_us;
            price *= 1.0 + ((double)(rand() % 2001) - 1000.0) * 1e-7; /* a small random walk */
            t[i].price = (double)llround(price * 1e5) / 1e5; /* quoted to 5 decimals, as FX prices are */
        }
        if (fxc_ticks_bulk(c, t, (size_t)n, NULL, NULL, &e) != FXC_OK) {
            fprintf(stderr, "bench-candles: load %s: %s\n", symbol, e.message);
            free(t);
            return 1;
        }
        done += n;
        fprintf(stderr, "\r%s: %ld / %ld ticks", symbol, done, count);
    }
    double secs = (double)(now_ns() - begin) / 1e9;
    fprintf(stderr, "\n%s: %ld ticks in %.1f s = %.0f ticks/s (with rollups)\n", symbol, count, secs, count / secs);
    free(t);
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int time_query(fxc *c, const char *name, const fxc_candle_query *q, int runs, size_t expect)
{
    int64_t *lat = malloc((size_t)runs * sizeof *lat);
    fxc_err e;
    for (int i = 0; i < runs; i++) {
        fxc_candle *out;
        size_t n;
        int64_t s = now_ns();
        if (fxc_candles_get(c, q, &out, &n, &e) != FXC_OK) {
            fprintf(stderr, "bench-candles: %s: %s\n", name, e.message);
            free(lat);
            return 1;
        }
        lat[i] = now_ns() - s;
        fxc_candles_free(out);
        if (n != expect) {
            fprintf(stderr, "bench-candles: %s: %zu candles, expected %zu (run 'load' first)\n", name, n, expect);
            free(lat);
            return 1;
        }
    }
    qsort(lat, (size_t)runs, sizeof *lat, cmp_i64);
    printf("%-34s %5zu candles  median %7.0f us  p99 %7.0f us\n", name, expect, (double)lat[runs / 2] / 1e3,
        (double)lat[runs * 99 / 100] / 1e3);
    free(lat);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    fxc *c;
    fxc_err e;
    if (fxc_open(NULL, &c, &e) != FXC_OK) {
        fprintf(stderr, "bench-candles: %s\n", e.message);
        return 1;
    }
    fxc_set_timeout(c, 120000);
    int64_t jan2025 = 1735689600000000LL, jan2024 = 1704067200000000LL;
    int rc = 0;
    if (strcmp(cmd, "load") == 0) {
        long days = argc > 2 ? atol(argv[2]) : 30;
        rc = load(c, "BCH30", jan2025, 1000000, days * 86400);
        if (rc == 0) rc = load(c, "BCHYR", jan2024, 60000000, 366L * 1440);
    } else if (strcmp(cmd, "query") == 0) {
        int runs = argc > 2 ? atoi(argv[2]) : 200;
        int64_t day10 = jan2025 + 10 * 86400000000LL;
        fxc_candle_query q60 = { .symbol = "BCH30", .resolution = "1m", .start_us = day10 + 17 * 3600000000LL,
            .end_us = day10 + 18 * 3600000000LL, .limit = FXC_CANDLES_MAX };
        fxc_candle_query q1440 = q60;
        q1440.start_us = day10, q1440.end_us = day10 + 86400000000LL;
        fxc_candle_query qh = { .symbol = "BCH30", .resolution = "1h", .start_us = jan2025,
            .end_us = jan2025 + 30 * 86400000000LL, .limit = FXC_CANDLES_MAX };
        fxc_candle_query qy = { .symbol = "BCHYR", .resolution = "1d", .start_us = jan2024 + 86400000000LL,
            .end_us = jan2024 + 366 * 86400000000LL, .time_zone = "America/New_York",
            .day_start_minute = 17 * 60, .limit = FXC_CANDLES_MAX };
        fxc_candle_query qc = qy;
        qc.time_zone = NULL, qc.day_start_minute = 22 * 60;
        rc = time_query(c, "60 minute candles (1m)", &q60, runs, 60)
            || time_query(c, "1440 minute candles (1m)", &q1440, runs, 1440)
            || time_query(c, "30 days of hourly candles (1h)", &qh, runs, 720)
            || time_query(c, "365 custom days (UTC 22:00)", &qc, runs, 365)
            || time_query(c, "365 New York 17:00 days", &qy, runs, 365);
    } else {
        fprintf(stderr, "usage: bench-candles load [DAYS] | query [RUNS]\n");
        rc = 2;
    }
    fxc_close(c);
    return rc;
}
