/*
 * bench-get-latency: round-trip latency of GetTicks over nng.
 *   bench-get-latency [REQUESTS (default 20000)] [ROWS (default 100)]
 * Stores ROWS ticks once, then times REQUESTS sequential GetTicks returning
 * them and prints the median, p99 and max in microseconds, and requests/s.
 */
#include "fx/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    long requests = argc > 1 ? atol(argv[1]) : 20000;
    long rows = argc > 2 ? atol(argv[2]) : 100;
    if (requests < 1 || rows < 1 || rows > FXC_TICKS_GET_MAX) {
        fprintf(stderr, "usage: bench-get-latency [REQUESTS] [ROWS 1..%d]\n", FXC_TICKS_GET_MAX);
        return 2;
    }
    fxc *c;
    fxc_err e;
    if (fxc_open(NULL, &c, &e) != FXC_OK) {
        fprintf(stderr, "bench-get-latency: %s\n", e.message);
        return 1;
    }
    char symbol[17];
    snprintf(symbol, sizeof symbol, "LAT%lX", (unsigned long)time(NULL) ^ (unsigned long)getpid());
    int64_t t0 = 1735689600000000LL;
    fxc_tick *t = calloc((size_t)rows, sizeof *t);
    int64_t *lat = malloc((size_t)requests * sizeof *lat);
    if (t == NULL || lat == NULL) return 1;
    for (long i = 0; i < rows; i++) {
        snprintf(t[i].symbol, sizeof t[i].symbol, "%s", symbol);
        t[i].time_us = t0 + i * 1000000;
        t[i].price = 1.08 + (double)i * 1e-5;
    }
    if (fxc_ticks_bulk(c, t, (size_t)rows, NULL, NULL, &e) != FXC_OK) {
        fprintf(stderr, "bench-get-latency: setup: %s\n", e.message);
        return 1;
    }
    int64_t begin = now_ns();
    for (long i = 0; i < requests; i++) {
        fxc_tick *got;
        size_t n;
        int64_t s = now_ns();
        if (fxc_ticks_get(c, symbol, t0, t0 + rows * 1000000, (uint32_t)rows, 0, &got, &n, &e) != FXC_OK
            || n != (size_t)rows) {
            fprintf(stderr, "bench-get-latency: request %ld: %s\n", i, e.message);
            return 1;
        }
        lat[i] = now_ns() - s;
        fxc_ticks_free(got);
    }
    double secs = (double)(now_ns() - begin) / 1e9;
    qsort(lat, (size_t)requests, sizeof *lat, cmp_i64);
    printf("GetTicks %ld rows: %ld requests, median %.0f us, p99 %.0f us, max %.0f us, %.0f req/s\n", rows,
        requests, (double)lat[requests / 2] / 1e3, (double)lat[requests * 99 / 100] / 1e3,
        (double)lat[requests - 1] / 1e3, (double)requests / secs);
    free(t);
    free(lat);
    fxc_close(c);
    return 0;
}
