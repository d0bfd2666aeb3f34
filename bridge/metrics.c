#include "bridge/metrics.h"

#include "bridge/json_out.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define MAX_SERIES 256
#define MAX_ROUTES 48
#define MAX_CORE_ERRORS 16

static const double buckets[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5 };
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

struct series {
    const char *route, *method; /* static strings (route patterns, MHD methods copied) */
    char method_buf[16];
    unsigned status;
    unsigned long long count;
};

struct histogram {
    const char *route;
    unsigned long long counts[NBUCKETS + 1]; /* last: +Inf */
    unsigned long long total;
    double sum;
};

struct core_error {
    const char *status;
    unsigned long long count;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct series series[MAX_SERIES];
static size_t nseries;
static struct histogram histograms[MAX_ROUTES];
static size_t nhistograms;
static struct core_error core_errors[MAX_CORE_ERRORS];
static size_t ncore_errors;

static struct series *find_series(const char *route, const char *method, unsigned status)
{
    for (size_t i = 0; i < nseries; i++)
        if (series[i].route == route && series[i].status == status && strcmp(series[i].method, method) == 0)
            return &series[i];
    if (nseries == MAX_SERIES) return NULL;
    struct series *s = &series[nseries++];
    s->route = route;
    snprintf(s->method_buf, sizeof s->method_buf, "%s", method);
    s->method = s->method_buf;
    s->status = status;
    return s;
}

static struct histogram *find_histogram(const char *route)
{
    for (size_t i = 0; i < nhistograms; i++)
        if (histograms[i].route == route) return &histograms[i];
    if (nhistograms == MAX_ROUTES) return NULL;
    histograms[nhistograms].route = route;
    return &histograms[nhistograms++];
}

void fx_metrics_observe(const char *route, const char *method, unsigned status, double seconds)
{
    pthread_mutex_lock(&lock);
    struct series *s = find_series(route, method, status);
    if (s) s->count++;
    struct histogram *h = find_histogram(route);
    if (h) {
        size_t i = 0;
        while (i < NBUCKETS && seconds > buckets[i]) i++;
        h->counts[i]++;
        h->total++;
        h->sum += seconds;
    }
    pthread_mutex_unlock(&lock);
}

void fx_metrics_core_error(const char *status_name)
{
    pthread_mutex_lock(&lock);
    size_t i = 0;
    while (i < ncore_errors && core_errors[i].status != status_name) i++;
    if (i == ncore_errors && ncore_errors < MAX_CORE_ERRORS) core_errors[ncore_errors++].status = status_name;
    if (i < ncore_errors) core_errors[i].count++;
    pthread_mutex_unlock(&lock);
}

char *fx_metrics_render(size_t *len)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    pthread_mutex_lock(&lock);
    fx_jbuf_raw(&b, "# HELP fx_bridge_requests_total HTTP requests by route, method and status.\n"
                    "# TYPE fx_bridge_requests_total counter\n");
    for (size_t i = 0; i < nseries; i++)
        fx_jbuf_printf(&b, "fx_bridge_requests_total{route=\"%s\",method=\"%s\",status=\"%u\"} %llu\n",
            series[i].route, series[i].method, series[i].status, series[i].count);
    fx_jbuf_raw(&b, "# HELP fx_bridge_request_duration_seconds Time from request to response, by route.\n"
                    "# TYPE fx_bridge_request_duration_seconds histogram\n");
    for (size_t i = 0; i < nhistograms; i++) {
        const struct histogram *h = &histograms[i];
        unsigned long long cumulative = 0;
        for (size_t k = 0; k < NBUCKETS; k++) {
            cumulative += h->counts[k];
            fx_jbuf_printf(&b, "fx_bridge_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                h->route, buckets[k], cumulative);
        }
        fx_jbuf_printf(&b, "fx_bridge_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
            h->route, h->total);
        fx_jbuf_printf(&b, "fx_bridge_request_duration_seconds_sum{route=\"%s\"} %.6f\n", h->route, h->sum);
        fx_jbuf_printf(&b, "fx_bridge_request_duration_seconds_count{route=\"%s\"} %llu\n", h->route, h->total);
    }
    fx_jbuf_raw(&b, "# HELP fx_bridge_core_errors_total fx-core round trips that failed, by status.\n"
                    "# TYPE fx_bridge_core_errors_total counter\n");
    for (size_t i = 0; i < ncore_errors; i++)
        fx_jbuf_printf(&b, "fx_bridge_core_errors_total{status=\"%s\"} %llu\n", core_errors[i].status,
            core_errors[i].count);
    pthread_mutex_unlock(&lock);
    return fx_jbuf_take(&b, len);
}
