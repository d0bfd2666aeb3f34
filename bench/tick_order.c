/*
 * bench-tick-order: the CPU cost of the bridge's per-symbol ordering and
 * dedupe (bridge/tick_order.c) next to the work every forwarded tick needs
 * anyway, building its WebSocket frame (bridge/ws_frame.c).
 *
 *   bench-tick-order [TICKS] [SYMBOLS] [RUNS]     (defaults: 2000000 4 5)
 *
 * In one process, on one thread, TICKS ticks spread over SYMBOLS symbols
 * (seq 1, 2, … each) go three ways, each run in turn:
 *   frames only   a frame built and released per tick (the ceiling)
 *   one core      each tick through fx_tick_order_live once, then its frame
 *   two cores     each tick arrives twice (as from two cores' feeds): the
 *                 second is dropped as a duplicate
 * and prints frames/s for each (median of RUNS) and the ratios to the ceiling.
 */
#include "bridge/tick_order.h"
#include "bridge/ws_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS_MAX 21

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long frames_built;

static void build_frame(const fxc_tick *t)
{
    struct fx_ws_frame *f = fx_ws_frame_tick(t);
    if (f == NULL) {
        fprintf(stderr, "bench-tick-order: out of memory\n");
        exit(1);
    }
    fx_ws_frame_unref(f);
    frames_built++;
}

static void on_forward(void *arg, const fxc_tick *t)
{
    (void)arg;
    build_frame(t);
}

static void on_fetch(void *arg, const char *symbol, int64_t after_seq)
{
    (void)arg;
    fprintf(stderr, "bench-tick-order: unexpected gap in %s after %lld\n", symbol, (long long)after_seq);
    exit(1);
}

static void on_start(void *arg, const char *symbol) { (void)arg, (void)symbol; }

static fxc_tick *make_ticks(long n, int symbols)
{
    fxc_tick *t = calloc((size_t)n, sizeof *t);
    if (t == NULL) return NULL;
    for (long i = 0; i < n; i++) {
        snprintf(t[i].symbol, sizeof t[i].symbol, "BENCH%d", (int)(i % symbols));
        t[i].time_us = 1764928800000000LL + i * 1000; /* 2025-12-05T10:00:00Z, 1 ms apart */
        t[i].price = 1.08 + (double)(i % 1000) * 1e-5;
        t[i].seq = i / symbols + 1;
    }
    return t;
}

/* frames/s of one way: copies = 0 frames only, else each tick fed `copies` times */
static double run_once(const fxc_tick *t, long n, int symbols, int copies)
{
    struct fx_tick_order_callbacks cb = { on_forward, on_fetch, on_start, NULL };
    struct fx_tick_order *o = NULL;
    if (copies) {
        o = fx_tick_order_create(&cb, 100000);
        if (o == NULL) return 0;
        for (int s = 0; s < symbols; s++) {
            fxc_symbol_seq start = { .last_seq = 0 };
            snprintf(start.symbol, sizeof start.symbol, "BENCH%d", s);
            fx_tick_order_watch(o, start.symbol, 0);
            fx_tick_order_started(o, start.symbol, &start, 1, 0, 0);
        }
    }
    frames_built = 0;
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        if (copies == 0) build_frame(&t[i]);
        for (int c = 0; c < copies; c++) fx_tick_order_live(o, &t[i], 0);
    }
    double dt = now_s() - t0;
    if (frames_built != (unsigned long)n) {
        fprintf(stderr, "bench-tick-order: %lu frames for %ld ticks\n", frames_built, n);
        exit(1);
    }
    fx_tick_order_destroy(o);
    return (double)n / dt;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    int symbols = argc > 2 ? atoi(argv[2]) : 4, runs = argc > 3 ? atoi(argv[3]) : 5;
    if (n < 1 || symbols < 1 || symbols > 100000 || runs < 1 || runs > RUNS_MAX) {
        fprintf(stderr, "usage: bench-tick-order [TICKS] [SYMBOLS 1..100000] [RUNS 1..%d]\n", RUNS_MAX);
        return 2;
    }
    fxc_tick *t = make_ticks(n, symbols);
    if (t == NULL) return 1;
    static const char *const names[3] = { "frames only (ceiling)", "one core: ordered", "two cores: ordered, deduped" };
    double fig[3][RUNS_MAX];
    for (int r = 0; r < runs; r++)
        for (int way = 0; way < 3; way++) fig[way][r] = run_once(t, n, symbols, way);
    double med[3];
    for (int way = 0; way < 3; way++) {
        qsort(fig[way], (size_t)runs, sizeof fig[way][0], cmp_double);
        med[way] = fig[way][runs / 2];
    }
    printf("%ld ticks over %d symbols, median of %d runs:\n", n, symbols, runs);
    for (int way = 0; way < 3; way++)
        printf("  %-30s %12.0f frames/s  %.2fx\n", names[way], med[way], med[way] / med[0]);
    free(t);
    return 0;
}
