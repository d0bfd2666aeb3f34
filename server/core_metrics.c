#include "server/core_metrics.h"

#include "base/errors.h"
#include "base/prom.h"

#include <pthread.h>
#include <stdio.h>

#define MAX_OPS 16 /* the operations of fx.v1.Request, and "unknown" */
#define MAX_SERIES 128 /* (operation, status) pairs */

/* Entries per stored batch: INGEST_BATCH is 1..100000. */
static const double batch_buckets[] = { 1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000 };
#define NBATCH (sizeof batch_buckets / sizeof batch_buckets[0])

struct series {
    const char *op;
    int status;
    unsigned long long count;
};

struct op_latency {
    const char *op;
    struct fx_prom_histogram h;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct series series[MAX_SERIES];
static size_t nseries;
static struct op_latency latency[MAX_OPS];
static size_t nlatency;

static struct {
    unsigned long long read, stored, duplicates, dead_lettered;
    struct fx_prom_histogram batch_size, commit;
    int sampled; /* the gauges hold a sample */
    long long pending, lag;
} ingest;

static unsigned long long feed[2];
static int leader;

void fx_core_metrics_rpc(const char *op, int status, double seconds)
{
    pthread_mutex_lock(&lock);
    size_t i = 0;
    while (i < nseries && !(series[i].op == op && series[i].status == status)) i++;
    if (i == nseries && nseries < MAX_SERIES) series[nseries++] = (struct series){ op, status, 0 };
    if (i < nseries) series[i].count++;
    size_t k = 0;
    while (k < nlatency && latency[k].op != op) k++;
    if (k == nlatency && nlatency < MAX_OPS) latency[nlatency++].op = op;
    if (k < nlatency) fx_prom_observe(&latency[k].h, fx_prom_latency_buckets, fx_prom_latency_nbuckets, seconds);
    pthread_mutex_unlock(&lock);
}

void fx_core_metrics_ingest_read(size_t entries)
{
    pthread_mutex_lock(&lock);
    ingest.read += entries;
    pthread_mutex_unlock(&lock);
}

void fx_core_metrics_ingest_batch(size_t entries, uint64_t stored, uint64_t duplicates, size_t dead_lettered,
    double commit_seconds)
{
    pthread_mutex_lock(&lock);
    ingest.stored += stored;
    ingest.duplicates += duplicates;
    ingest.dead_lettered += dead_lettered;
    fx_prom_observe(&ingest.batch_size, batch_buckets, NBATCH, (double)entries);
    fx_prom_observe(&ingest.commit, fx_prom_latency_buckets, fx_prom_latency_nbuckets, commit_seconds);
    pthread_mutex_unlock(&lock);
}

void fx_core_metrics_ingest_backlog(long long pending, long long lag)
{
    pthread_mutex_lock(&lock);
    ingest.sampled = 1;
    ingest.pending = pending;
    ingest.lag = lag;
    pthread_mutex_unlock(&lock);
}

void fx_core_metrics_feed_published(enum fx_feed_kind kind)
{
    pthread_mutex_lock(&lock);
    feed[kind == FX_FEED_CANDLE]++;
    pthread_mutex_unlock(&lock);
}

void fx_core_metrics_set_leader(int value)
{
    pthread_mutex_lock(&lock);
    leader = value != 0;
    pthread_mutex_unlock(&lock);
}

static void counter(struct fx_prom_text *t, const char *name, const char *help, unsigned long long value)
{
    fx_prom_printf(t, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name, value);
}

static void rpc_metrics(struct fx_prom_text *t)
{
    fx_prom_printf(t, "# HELP fx_core_rpc_requests_total RPC requests by operation and reply status.\n"
                      "# TYPE fx_core_rpc_requests_total counter\n");
    for (size_t i = 0; i < nseries; i++)
        fx_prom_printf(t, "fx_core_rpc_requests_total{op=\"%s\",status=\"%s\"} %llu\n", series[i].op,
            fx_status_name(series[i].status), series[i].count);
    fx_prom_printf(t, "# HELP fx_core_rpc_duration_seconds Time to handle an RPC request, by operation.\n"
                      "# TYPE fx_core_rpc_duration_seconds histogram\n");
    for (size_t i = 0; i < nlatency; i++) {
        char labels[64];
        snprintf(labels, sizeof labels, "op=\"%s\"", latency[i].op);
        fx_prom_histogram_write(t, "fx_core_rpc_duration_seconds", labels, &latency[i].h, fx_prom_latency_buckets,
            fx_prom_latency_nbuckets);
    }
}

static void ingest_metrics(struct fx_prom_text *t)
{
    counter(t, "fx_core_ingest_entries_read_total", "Stream entries read (XREADGROUP, XAUTOCLAIM).", ingest.read);
    counter(t, "fx_core_ingest_ticks_stored_total", "Ticks the ingest stored.", ingest.stored);
    counter(t, "fx_core_ingest_duplicates_total", "Ingested ticks skipped as already stored.", ingest.duplicates);
    counter(t, "fx_core_ingest_dead_lettered_total", "Malformed entries moved to the dead-letter stream.",
        ingest.dead_lettered);
    fx_prom_printf(t, "# HELP fx_core_ingest_batch_size Entries per stored batch.\n"
                      "# TYPE fx_core_ingest_batch_size histogram\n");
    fx_prom_histogram_write(t, "fx_core_ingest_batch_size", "", &ingest.batch_size, batch_buckets, NBATCH);
    fx_prom_printf(t, "# HELP fx_core_ingest_commit_duration_seconds Time to store a batch (up to its COMMIT).\n"
                      "# TYPE fx_core_ingest_commit_duration_seconds histogram\n");
    fx_prom_histogram_write(t, "fx_core_ingest_commit_duration_seconds", "", &ingest.commit, fx_prom_latency_buckets,
        fx_prom_latency_nbuckets);
    fx_prom_printf(t, "# HELP fx_core_ingest_pending Entries delivered to the consumer group, not acknowledged.\n"
                      "# TYPE fx_core_ingest_pending gauge\n");
    if (ingest.sampled) fx_prom_printf(t, "fx_core_ingest_pending %lld\n", ingest.pending);
    fx_prom_printf(t, "# HELP fx_core_ingest_lag Stream entries not yet delivered to the consumer group.\n"
                      "# TYPE fx_core_ingest_lag gauge\n");
    if (ingest.sampled && ingest.lag >= 0) fx_prom_printf(t, "fx_core_ingest_lag %lld\n", ingest.lag);
}

char *fx_core_metrics_render(size_t *len)
{
    struct fx_prom_text t;
    fx_prom_init(&t);
    pthread_mutex_lock(&lock);
    rpc_metrics(&t);
    ingest_metrics(&t);
    fx_prom_printf(&t, "# HELP fx_core_feed_messages_total Messages published on the live feed, by kind.\n"
                       "# TYPE fx_core_feed_messages_total counter\n"
                       "fx_core_feed_messages_total{kind=\"tick\"} %llu\n"
                       "fx_core_feed_messages_total{kind=\"candle\"} %llu\n",
        feed[0], feed[1]);
    fx_prom_printf(&t, "# HELP fx_core_leader 1 while this core is the leader (closes candles), else 0.\n"
                       "# TYPE fx_core_leader gauge\nfx_core_leader %d\n",
        leader);
    pthread_mutex_unlock(&lock);
    return fx_prom_take(&t, len);
}
