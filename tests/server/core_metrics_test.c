/*
 * fx-core's Prometheus metrics text: RPC counters by operation and status,
 * latency histograms (cumulative buckets, +Inf = count, sum), the ingest
 * counters, histograms and gauges, the feed counters and the leader gauge,
 * each with its HELP and TYPE lines. The metrics are process-wide;
 * Criterion runs each test in a process of its own, so each starts at zero.
 */
#include "tests/support/prom_text.h"
#include "server/core_metrics.h"

#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Operation names are static strings, compared by address, as handlers.c passes them. */
static const char *const GET = "get_ticks";
static const char *const CREATE = "create_tick";

static const char *const LE[] = { "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
    "0.5", "1", "2.5", "5", "+Inf" };
#define NLE (sizeof LE / sizeof LE[0])

static char *render(void)
{
    size_t len = (size_t)-1;
    char *text = fx_core_metrics_render(&len);
    cr_assert_not_null(text);
    cr_assert_eq(len, strlen(text));
    cr_assert(len > 0 && text[len - 1] == '\n', "the text ends with a newline");
    return text;
}

static double rpc_bucket(const char *text, const char *op, const char *le)
{
    char p[160];
    snprintf(p, sizeof p, "fx_core_rpc_duration_seconds_bucket{op=\"%s\",le=\"%s\"}", op, le);
    return fx_prom_sample(text, p);
}

/* Every line is a HELP or TYPE comment of an fx_core_ metric, or a sample with a finite value. */
static void assert_well_formed(const char *text)
{
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        int n = (int)(nl - line);
        if (line[0] == '#') {
            cr_assert(strncmp(line, "# HELP fx_core_", 15) == 0 || strncmp(line, "# TYPE fx_core_", 15) == 0,
                "comment: %.*s", n, line);
        } else {
            cr_assert(strncmp(line, "fx_core_", 8) == 0, "sample: %.*s", n, line);
            const char *space = memchr(line, ' ', (size_t)n);
            cr_assert_not_null(space, "sample: %.*s", n, line);
            char *end;
            double v = strtod(space + 1, &end);
            cr_assert(end == nl && isfinite(v), "value: %.*s", n, line);
        }
        line = nl + 1;
    }
}

Test(core_metrics, rpc_requests_are_counted_by_operation_and_status)
{
    for (int i = 0; i < 3; i++) fx_core_metrics_rpc(GET, 0, 0.002);
    fx_core_metrics_rpc(GET, 3, 0.0001);
    fx_core_metrics_rpc(CREATE, 6, 0.02);
    char *text = render();
    assert_well_formed(text);
    cr_assert_eq(fx_prom_sample(text, "fx_core_rpc_requests_total{op=\"get_ticks\",status=\"OK\"}"), 3);
    cr_assert_eq(fx_prom_sample(text, "fx_core_rpc_requests_total{op=\"get_ticks\",status=\"INVALID_ARGUMENT\"}"), 1);
    cr_assert_eq(fx_prom_sample(text, "fx_core_rpc_requests_total{op=\"create_tick\",status=\"ALREADY_EXISTS\"}"), 1);
    cr_assert(strstr(text, "# TYPE fx_core_rpc_requests_total counter\n") != NULL);
    free(text);
}

Test(core_metrics, latency_histograms_are_cumulative_per_operation)
{
    fx_core_metrics_rpc(GET, 0, 0.0003); /* le 0.0005 */
    fx_core_metrics_rpc(GET, 0, 0.002); /* le 0.0025 */
    fx_core_metrics_rpc(GET, 0, 0.002);
    fx_core_metrics_rpc(GET, 0, 7.5); /* above every bound */
    fx_core_metrics_rpc(CREATE, 0, 0.03); /* le 0.05 */
    char *text = render();
    cr_assert(strstr(text, "# TYPE fx_core_rpc_duration_seconds histogram\n") != NULL);
    const double get_expected[] = { 1, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4 };
    for (size_t i = 0; i < NLE; i++)
        cr_assert_eq(rpc_bucket(text, "get_ticks", LE[i]), get_expected[i], "get_ticks le=%s", LE[i]);
    for (size_t i = 0; i < NLE; i++)
        cr_assert_eq(rpc_bucket(text, "create_tick", LE[i]), i >= 6 ? 1 : 0, "create_tick le=%s", LE[i]);
    cr_assert_eq(fx_prom_sample(text, "fx_core_rpc_duration_seconds_count{op=\"get_ticks\"}"), 4);
    cr_assert_float_eq(fx_prom_sample(text, "fx_core_rpc_duration_seconds_sum{op=\"get_ticks\"}"), 7.5043, 1e-6);
    free(text);
}

Test(core_metrics, ingest_counters_histograms_and_gauges)
{
    char *text = render();
    /* before any sample the gauges have no value: unknown is not 0 */
    cr_assert_eq(fx_prom_count(text, "fx_core_ingest_pending"), 0);
    cr_assert_eq(fx_prom_count(text, "fx_core_ingest_lag"), 0);
    cr_assert(strstr(text, "# TYPE fx_core_ingest_pending gauge\n") != NULL);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_entries_read_total"), 0);
    free(text);

    fx_core_metrics_ingest_read(10);
    fx_core_metrics_ingest_read(5);
    fx_core_metrics_ingest_batch(10, 7, 2, 1, 0.004);
    fx_core_metrics_ingest_batch(5, 5, 0, 0, 0.2);
    fx_core_metrics_ingest_backlog(12, 40);
    text = render();
    assert_well_formed(text);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_entries_read_total"), 15);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_ticks_stored_total"), 12);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_duplicates_total"), 2);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_dead_lettered_total"), 1);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_batch_size_bucket{le=\"1\"}"), 0);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_batch_size_bucket{le=\"10\"}"), 2);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_batch_size_bucket{le=\"+Inf\"}"), 2);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_batch_size_sum"), 15);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_batch_size_count"), 2);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_commit_duration_seconds_bucket{le=\"0.005\"}"), 1);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_commit_duration_seconds_bucket{le=\"0.25\"}"), 2);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_commit_duration_seconds_count"), 2);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_pending"), 12);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_lag"), 40);
    free(text);

    fx_core_metrics_ingest_backlog(3, -1); /* Redis could not tell the lag */
    text = render();
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_pending"), 3);
    cr_assert_eq(fx_prom_count(text, "fx_core_ingest_lag"), 0);
    free(text);
}

Test(core_metrics, feed_messages_and_the_leader_gauge)
{
    char *text = render();
    cr_assert_eq(fx_prom_sample(text, "fx_core_leader"), 0, "nothing set it: not the leader");
    cr_assert_eq(fx_prom_sample(text, "fx_core_feed_messages_total{kind=\"tick\"}"), 0);
    free(text);
    fx_core_metrics_feed_published(FX_FEED_TICK);
    fx_core_metrics_feed_published(FX_FEED_TICK);
    fx_core_metrics_feed_published(FX_FEED_CANDLE);
    fx_core_metrics_set_leader(1);
    text = render();
    assert_well_formed(text);
    cr_assert_eq(fx_prom_sample(text, "fx_core_feed_messages_total{kind=\"tick\"}"), 2);
    cr_assert_eq(fx_prom_sample(text, "fx_core_feed_messages_total{kind=\"candle\"}"), 1);
    cr_assert_eq(fx_prom_sample(text, "fx_core_leader"), 1);
    cr_assert(strstr(text, "# TYPE fx_core_leader gauge\n") != NULL);
    free(text);
    fx_core_metrics_set_leader(0);
    text = render();
    cr_assert_eq(fx_prom_sample(text, "fx_core_leader"), 0);
    free(text);
}

static void *count_many(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10000; i++) {
        fx_core_metrics_rpc(GET, 0, 0.001);
        fx_core_metrics_feed_published(FX_FEED_TICK);
    }
    return NULL;
}

Test(core_metrics, concurrent_counts_are_all_kept)
{
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, count_many, NULL);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    char *text = render();
    cr_assert_eq(fx_prom_sample(text, "fx_core_rpc_requests_total{op=\"get_ticks\",status=\"OK\"}"), 40000);
    cr_assert_eq(fx_prom_sample(text, "fx_core_rpc_duration_seconds_count{op=\"get_ticks\"}"), 40000);
    cr_assert_eq(fx_prom_sample(text, "fx_core_feed_messages_total{kind=\"tick\"}"), 40000);
    free(text);
}
