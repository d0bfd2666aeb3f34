/*
 * What fx-core's and fx-bridge's Prometheus metrics share: a histogram
 * with fixed bucket bounds (counts per bucket, written out cumulative with
 * +Inf, _sum and _count, as the text exposition format wants) and a
 * growing text buffer to write the exposition into.
 *
 * Plain data, no lock: each metrics module keeps its histograms under its
 * own lock and renders under it. The buffer's text is malloc'ed; the
 * caller frees what fx_prom_take hands over (or calls fx_prom_free).
 */
#ifndef FX_BASE_PROM_H
#define FX_BASE_PROM_H

#include <stddef.h>

#define FX_PROM_MAX_BUCKETS 16

struct fx_prom_histogram {
    unsigned long long counts[FX_PROM_MAX_BUCKETS + 1]; /* per bucket (not cumulative); last: above every bound */
    unsigned long long total;
    double sum;
};

/* Request latency bounds in seconds, 0.5 ms .. 5 s (both services use them). */
extern const double fx_prom_latency_buckets[];
extern const size_t fx_prom_latency_nbuckets;

/* Counts `value` in the first bucket whose bound `le[i]` is >= value;
 * `le` is ascending, n <= FX_PROM_MAX_BUCKETS. */
void fx_prom_observe(struct fx_prom_histogram *h, const double *le, size_t n, double value);

struct fx_prom_text {
    char *data;
    size_t len, cap;
    int failed; /* out of memory: the text is incomplete */
};

void fx_prom_init(struct fx_prom_text *t);
void fx_prom_free(struct fx_prom_text *t);
void fx_prom_printf(struct fx_prom_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the text over (NUL-terminated, malloc'ed, *len its length); NULL
 * when building it failed. */
char *fx_prom_take(struct fx_prom_text *t, size_t *len);

/* The sample lines of histogram `name`: name_bucket{labels,le="..."} per
 * bound (cumulative, "%g"), le="+Inf", name_sum (%.6f) and name_count.
 * `labels` is "" or label pairs without braces (route="/ticks"). */
void fx_prom_histogram_write(struct fx_prom_text *t, const char *name, const char *labels,
    const struct fx_prom_histogram *h, const double *le, size_t n);

#endif
