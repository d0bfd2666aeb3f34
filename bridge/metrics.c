#include "bridge/metrics.h"

#include "base/prom.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define MAX_SERIES 256
#define MAX_ROUTES 48
#define MAX_CORE_ERRORS 16

struct series {
    const char *route, *method; /* static strings (route patterns, MHD methods copied) */
    char method_buf[16];
    unsigned status;
    unsigned long long count;
};

struct histogram {
    const char *route;
    struct fx_prom_histogram h;
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
    if (h) fx_prom_observe(&h->h, fx_prom_latency_buckets, fx_prom_latency_nbuckets, seconds);
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
    struct fx_prom_text b;
    fx_prom_init(&b);
    pthread_mutex_lock(&lock);
    fx_prom_printf(&b, "# HELP fx_bridge_requests_total HTTP requests by route, method and status.\n"
                       "# TYPE fx_bridge_requests_total counter\n");
    for (size_t i = 0; i < nseries; i++)
        fx_prom_printf(&b, "fx_bridge_requests_total{route=\"%s\",method=\"%s\",status=\"%u\"} %llu\n",
            series[i].route, series[i].method, series[i].status, series[i].count);
    fx_prom_printf(&b, "# HELP fx_bridge_request_duration_seconds Time from request to response, by route.\n"
                       "# TYPE fx_bridge_request_duration_seconds histogram\n");
    for (size_t i = 0; i < nhistograms; i++) {
        char labels[160];
        snprintf(labels, sizeof labels, "route=\"%s\"", histograms[i].route);
        fx_prom_histogram_write(&b, "fx_bridge_request_duration_seconds", labels, &histograms[i].h,
            fx_prom_latency_buckets, fx_prom_latency_nbuckets);
    }
    fx_prom_printf(&b, "# HELP fx_bridge_core_errors_total fx-core round trips that failed, by status.\n"
                       "# TYPE fx_bridge_core_errors_total counter\n");
    for (size_t i = 0; i < ncore_errors; i++)
        fx_prom_printf(&b, "fx_bridge_core_errors_total{status=\"%s\"} %llu\n", core_errors[i].status,
            core_errors[i].count);
    pthread_mutex_unlock(&lock);
    return fx_prom_take(&b, len);
}
