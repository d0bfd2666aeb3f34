#include "base/prom.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double fx_prom_latency_buckets[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
    5 };
const size_t fx_prom_latency_nbuckets = sizeof fx_prom_latency_buckets / sizeof fx_prom_latency_buckets[0];

void fx_prom_observe(struct fx_prom_histogram *h, const double *le, size_t n, double value)
{
    size_t i = 0;
    while (i < n && i < FX_PROM_MAX_BUCKETS && value > le[i]) i++;
    h->counts[i]++;
    h->total++;
    h->sum += value;
}

void fx_prom_init(struct fx_prom_text *t) { memset(t, 0, sizeof *t); }

void fx_prom_free(struct fx_prom_text *t)
{
    free(t->data);
    memset(t, 0, sizeof *t);
}

void fx_prom_printf(struct fx_prom_text *t, const char *fmt, ...)
{
    if (t->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = t->cap - t->len;
        int n = vsnprintf(t->data ? t->data + t->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if ((size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + (size_t)n + 1) cap *= 2;
        char *p = realloc(t->data, cap);
        if (p == NULL) {
            t->failed = 1;
            return;
        }
        t->data = p, t->cap = cap;
    }
}

char *fx_prom_take(struct fx_prom_text *t, size_t *len)
{
    if (t->data == NULL && !t->failed) fx_prom_printf(t, "%s", "");
    if (t->failed) {
        fx_prom_free(t);
        return NULL;
    }
    char *text = t->data;
    if (len) *len = t->len;
    memset(t, 0, sizeof *t);
    return text;
}

void fx_prom_histogram_write(struct fx_prom_text *t, const char *name, const char *labels,
    const struct fx_prom_histogram *h, const double *le, size_t n)
{
    const char *sep = labels[0] ? "," : "";
    unsigned long long cumulative = 0;
    for (size_t k = 0; k < n && k < FX_PROM_MAX_BUCKETS; k++) {
        cumulative += h->counts[k];
        fx_prom_printf(t, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep, le[k], cumulative);
    }
    fx_prom_printf(t, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep, h->total);
    if (labels[0]) {
        fx_prom_printf(t, "%s_sum{%s} %.6f\n", name, labels, h->sum);
        fx_prom_printf(t, "%s_count{%s} %llu\n", name, labels, h->total);
    } else {
        fx_prom_printf(t, "%s_sum %.6f\n", name, h->sum);
        fx_prom_printf(t, "%s_count %llu\n", name, h->total);
    }
}
