/*
 * The bridge's Prometheus metrics: request counters by route, method and
 * status, a latency histogram per route (cumulative buckets, +Inf = count,
 * sum), core errors by status, and the HELP/TYPE lines of the text format.
 * The metrics are process-wide; Criterion runs each test in a process of its
 * own, so every test starts from zero.
 */
#include "tests/support/prom_text.h"
#include "bridge/metrics.h"

#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Routes and statuses are passed as static strings (route patterns,
 * fxc_status_name), compared by address, as the bridge does. */
static const char *const TICKS = "/ticks";
static const char *const OHLC = "/ohlc/{symbol}";
static const char *const UNAVAILABLE = "UNAVAILABLE";
static const char *const DEADLINE = "DEADLINE_EXCEEDED";

static const char *const LE[] = { "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
    "0.25", "0.5", "1", "2.5", "5", "+Inf" };
#define NLE (sizeof LE / sizeof LE[0])

static char *render(void)
{
    size_t len = (size_t)-1;
    char *text = fx_metrics_render(&len);
    cr_assert_not_null(text);
    cr_assert_eq(len, strlen(text));
    cr_assert(len > 0 && text[len - 1] == '\n', "the text ends with a newline");
    return text;
}

static double requests(const char *text, const char *route, const char *method, unsigned status)
{
    char p[160];
    snprintf(p, sizeof p, "fx_bridge_requests_total{route=\"%s\",method=\"%s\",status=\"%u\"}", route, method,
        status);
    return fx_prom_sample(text, p);
}

static double bucket(const char *text, const char *route, const char *le)
{
    char p[160];
    snprintf(p, sizeof p, "fx_bridge_request_duration_seconds_bucket{route=\"%s\",le=\"%s\"}", route, le);
    return fx_prom_sample(text, p);
}

static double hsum(const char *text, const char *route)
{
    char p[160];
    snprintf(p, sizeof p, "fx_bridge_request_duration_seconds_sum{route=\"%s\"}", route);
    return fx_prom_sample(text, p);
}

static double hcount(const char *text, const char *route)
{
    char p[160];
    snprintf(p, sizeof p, "fx_bridge_request_duration_seconds_count{route=\"%s\"}", route);
    return fx_prom_sample(text, p);
}

/* Every line is a comment or "name{labels} value" with a known name. */
static void assert_well_formed(const char *text)
{
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        int n = (int)(nl - line);
        if (line[0] == '#') {
            cr_assert(
                strncmp(line, "# HELP fx_bridge_", 17) == 0 || strncmp(line, "# TYPE fx_bridge_", 17) == 0,
                "comment: %.*s", n, line);
        } else {
            /* the last '}': label values may hold braces ("/ohlc/{symbol}") */
            const char *brace = memchr(line, '{', (size_t)n), *close = NULL;
            for (const char *c = line; c < nl; c++)
                if (*c == '}') close = c;
            cr_assert(brace && close && close > brace && close[1] == ' ', "sample: %.*s", n, line);
            char name[80];
            cr_assert_lt(brace - line, (long)sizeof name);
            snprintf(name, sizeof name, "%.*s", (int)(brace - line), line);
            cr_assert(strcmp(name, "fx_bridge_requests_total") == 0
                    || strcmp(name, "fx_bridge_request_duration_seconds_bucket") == 0
                    || strcmp(name, "fx_bridge_request_duration_seconds_sum") == 0
                    || strcmp(name, "fx_bridge_request_duration_seconds_count") == 0
                    || strcmp(name, "fx_bridge_core_errors_total") == 0,
                "unknown metric %s", name);
            char *end;
            double v = strtod(close + 2, &end);
            cr_assert(end == nl && v >= 0 && isfinite(v), "value: %.*s", n, line);
        }
        line = nl + 1;
    }
}

static const char *after(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);
    cr_assert_not_null(p, "\"%s\" missing in:\n%s", needle, text);
    return p;
}

Test(metrics, help_and_type_lines_come_before_the_samples)
{
    fx_metrics_observe(TICKS, "GET", 200, 0.001);
    fx_metrics_core_error(UNAVAILABLE);
    char *text = render();
    assert_well_formed(text);
    const char *names[]
        = { "fx_bridge_requests_total", "fx_bridge_request_duration_seconds", "fx_bridge_core_errors_total" };
    const char *types[] = { "counter", "histogram", "counter" };
    const char *prev = text;
    for (int i = 0; i < 3; i++) {
        char help[96], type[96], first[96];
        snprintf(help, sizeof help, "# HELP %s ", names[i]);
        snprintf(type, sizeof type, "# TYPE %s %s\n", names[i], types[i]);
        snprintf(first, sizeof first, "\n%s%s{", names[i], i == 1 ? "_bucket" : "");
        const char *h = after(text, help), *t = after(text, type), *s = after(text, first);
        cr_assert(
            prev <= h && h < t && t < s, "%s: HELP, TYPE, then samples, after the previous metric", names[i]);
        cr_assert_eq(strstr(h + 1, help), NULL, "one HELP line per metric");
        prev = s;
    }
    free(text);
}

Test(metrics, nothing_observed_is_only_help_and_type)
{
    char *text = render();
    int lines = 0;
    for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
        cr_assert_eq(*p, '#', "a sample without observations: %s", p);
        lines++;
    }
    cr_assert_eq(lines, 6, "HELP and TYPE of three metrics:\n%s", text);
    free(text);
}

Test(metrics, requests_are_counted_by_route_method_and_status)
{
    for (int i = 0; i < 3; i++)
        fx_metrics_observe(TICKS, "GET", 200, 0.001);
    fx_metrics_observe(TICKS, "GET", 404, 0.001);
    char method[16] = "POST";
    fx_metrics_observe(TICKS, method, 201, 0.001);
    strcpy(method, "XXXX"); /* the method is copied, not referenced */
    fx_metrics_observe(TICKS, "POST", 201, 0.002);
    fx_metrics_observe(OHLC, "GET", 200, 0.001);
    char *text = render();
    assert_well_formed(text);
    cr_assert_eq(requests(text, "/ticks", "GET", 200), 3);
    cr_assert_eq(requests(text, "/ticks", "GET", 404), 1);
    cr_assert_eq(requests(text, "/ticks", "POST", 201), 2);
    cr_assert_eq(requests(text, "/ohlc/{symbol}", "GET", 200), 1);
    cr_assert_eq(
        fx_prom_count(text, "fx_bridge_requests_total{route=\"/ticks\",method=\"XXXX\",status=\"201\"}"), 0);
    /* four series, nothing else */
    int n = 0;
    for (const char *p = text; (p = strstr(p, "\nfx_bridge_requests_total{")) != NULL; p++)
        n++;
    cr_assert_eq(n, 4);
    free(text);
}

Test(metrics, histogram_buckets_are_cumulative_and_inf_is_the_count)
{
    /* one below the first bound, one exactly on it (le is "less or equal"),
     * one in (0.0025, 0.005], one in (0.25, 0.5], one beyond 5 s */
    const double seconds[] = { 0.0001, 0.0005, 0.003, 0.3, 7 };
    for (size_t i = 0; i < 5; i++)
        fx_metrics_observe(TICKS, "GET", 200, seconds[i]);
    char *text = render();
    assert_well_formed(text);
    const double expected[NLE] = { 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 5 };
    for (size_t i = 0; i < NLE; i++)
        cr_assert_eq(bucket(text, "/ticks", LE[i]), expected[i], "le=%s: %g, expected %g", LE[i],
            bucket(text, "/ticks", LE[i]), expected[i]);
    cr_assert_eq(hcount(text, "/ticks"), 5);
    cr_assert_float_eq(hsum(text, "/ticks"), 0.0001 + 0.0005 + 0.003 + 0.3 + 7, 1e-6);
    /* the buckets are listed in increasing order of le */
    const char *prev = text;
    for (size_t i = 0; i < NLE; i++) {
        char p[128];
        snprintf(p, sizeof p, "_bucket{route=\"/ticks\",le=\"%s\"}", LE[i]);
        const char *at = after(text, p);
        cr_assert_gt(at, prev, "le=%s out of order", LE[i]);
        prev = at;
    }
    free(text);
}

Test(metrics, each_route_has_its_own_histogram)
{
    fx_metrics_observe(TICKS, "GET", 200, 0.002);
    fx_metrics_observe(TICKS, "POST", 201, 0.02);
    fx_metrics_observe(TICKS, "GET", 500, 0.2);
    fx_metrics_observe(OHLC, "GET", 200, 2);
    char *text = render();
    cr_assert_eq(hcount(text, "/ticks"), 3, "methods and statuses share the route's histogram");
    cr_assert_eq(hcount(text, "/ohlc/{symbol}"), 1);
    cr_assert_eq(bucket(text, "/ticks", "0.0025"), 1);
    cr_assert_eq(bucket(text, "/ticks", "0.025"), 2);
    cr_assert_eq(bucket(text, "/ticks", "0.25"), 3);
    cr_assert_eq(bucket(text, "/ohlc/{symbol}", "1"), 0);
    cr_assert_eq(bucket(text, "/ohlc/{symbol}", "2.5"), 1);
    cr_assert_eq(bucket(text, "/ohlc/{symbol}", "+Inf"), 1);
    cr_assert_float_eq(hsum(text, "/ticks"), 0.222, 1e-6);
    cr_assert_float_eq(hsum(text, "/ohlc/{symbol}"), 2.0, 1e-6);
    free(text);
}

Test(metrics, buckets_never_decrease_and_end_at_the_count)
{
    srand(7);
    for (int i = 0; i < 1000; i++)
        fx_metrics_observe(TICKS, "GET", 200, ldexp((double)rand() / RAND_MAX, -(rand() % 14)) * 8);
    char *text = render();
    double prev = 0;
    for (size_t i = 0; i < NLE; i++) {
        double v = bucket(text, "/ticks", LE[i]);
        cr_assert_geq(v, prev, "le=%s: %g after %g", LE[i], v, prev);
        prev = v;
    }
    cr_assert_eq(prev, 1000);
    cr_assert_eq(hcount(text, "/ticks"), 1000);
    cr_assert_eq(requests(text, "/ticks", "GET", 200), 1000);
    double s = hsum(text, "/ticks");
    cr_assert(s > 0 && s <= 1000 * 8, "sum %g", s);
    free(text);
}

Test(metrics, core_errors_are_counted_by_status)
{
    fx_metrics_core_error(UNAVAILABLE);
    fx_metrics_core_error(DEADLINE);
    fx_metrics_core_error(UNAVAILABLE);
    char *text = render();
    assert_well_formed(text);
    cr_assert_eq(fx_prom_sample(text, "fx_bridge_core_errors_total{status=\"UNAVAILABLE\"}"), 2);
    cr_assert_eq(fx_prom_sample(text, "fx_bridge_core_errors_total{status=\"DEADLINE_EXCEEDED\"}"), 1);
    cr_assert_eq(strstr(text, "fx_bridge_requests_total{"), NULL, "core errors are not requests");
    free(text);
}

Test(metrics, rendering_twice_gives_the_same_text)
{
    fx_metrics_observe(TICKS, "GET", 200, 0.004);
    fx_metrics_observe(OHLC, "GET", 422, 0.0007);
    fx_metrics_core_error(UNAVAILABLE);
    char *a = render(), *b = render();
    cr_assert_str_eq(a, b, "rendering changed the metrics");
    free(b);
    fx_metrics_observe(TICKS, "GET", 200, 0.004);
    b = render();
    cr_assert_eq(requests(b, "/ticks", "GET", 200), 2, "counting goes on after a render");
    free(a);
    free(b);
}

#define THREADS 4
#define PER_THREAD 20000

static void *hammer(void *arg)
{
    (void)arg;
    for (int i = 0; i < PER_THREAD; i++) {
        fx_metrics_observe(TICKS, "GET", 200, 0.001);
        if (i % 100 == 0) fx_metrics_core_error(UNAVAILABLE);
        if (i % 5000 == 0) free(fx_metrics_render(NULL));
    }
    return NULL;
}

Test(metrics, concurrent_observations_are_all_counted)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, hammer, NULL), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    char *text = render();
    cr_assert_eq(requests(text, "/ticks", "GET", 200), THREADS * PER_THREAD);
    cr_assert_eq(hcount(text, "/ticks"), THREADS * PER_THREAD);
    cr_assert_eq(bucket(text, "/ticks", "0.001"), THREADS * PER_THREAD);
    cr_assert_eq(bucket(text, "/ticks", "0.0005"), 0);
    cr_assert_float_eq(hsum(text, "/ticks"), THREADS * PER_THREAD * 0.001, 1e-6);
    cr_assert_eq(
        fx_prom_sample(text, "fx_bridge_core_errors_total{status=\"UNAVAILABLE\"}"), THREADS * (PER_THREAD / 100));
    free(text);
}
