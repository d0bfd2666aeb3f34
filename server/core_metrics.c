#include "server/core_metrics.h"

#include "base/errors.h"
#include "base/prom.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

static struct fx_prom_histogram group_size; /* writes per group commit (batch_buckets) */

static unsigned long long feed[2];
static int leader;

#define MAX_STORAGE 512 /* (symbol, state) gauges */

static struct {
    unsigned long long runs[2]; /* ok, failed */
    unsigned long long days[2], ticks[2]; /* by fx_day_action */
    double last_end, last_seconds; /* Unix seconds; 0: none yet */
    struct storage_gauge {
        char symbol[FX_SYMBOL_MAX + 1];
        enum fx_day_state state;
        unsigned long long days, ticks, bytes;
    } storage[MAX_STORAGE];
    size_t nstorage;
    int storage_read;
} lifecycle;

void fx_core_metrics_maintenance(const struct fx_maintenance_report *r, int rc)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    pthread_mutex_lock(&lock);
    lifecycle.runs[rc != 0]++;
    for (size_t i = 0; i < r->ndays; i++) {
        lifecycle.days[r->days[i].action]++;
        lifecycle.ticks[r->days[i].action] += r->days[i].ticks;
    }
    lifecycle.last_end = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
    lifecycle.last_seconds = r->seconds;
    pthread_mutex_unlock(&lock);
}

void fx_core_metrics_storage(const struct fx_storage_range *ranges, size_t n)
{
    pthread_mutex_lock(&lock);
    lifecycle.nstorage = 0;
    lifecycle.storage_read = 1;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < lifecycle.nstorage
            && !(lifecycle.storage[k].state == ranges[i].state && strcmp(lifecycle.storage[k].symbol, ranges[i].symbol) == 0))
            k++;
        if (k == lifecycle.nstorage) {
            if (k == MAX_STORAGE) continue;
            lifecycle.nstorage++;
            memset(&lifecycle.storage[k], 0, sizeof lifecycle.storage[k]);
            snprintf(lifecycle.storage[k].symbol, sizeof lifecycle.storage[k].symbol, "%s", ranges[i].symbol);
            lifecycle.storage[k].state = ranges[i].state;
        }
        lifecycle.storage[k].days += ranges[i].days;
        lifecycle.storage[k].ticks += ranges[i].ticks;
        lifecycle.storage[k].bytes += ranges[i].bytes;
    }
    pthread_mutex_unlock(&lock);
}

static void lifecycle_metrics(struct fx_prom_text *t)
{
    fx_prom_printf(t, "# HELP fx_core_maintenance_runs_total Maintenance passes (retention, compaction), by result.\n"
                      "# TYPE fx_core_maintenance_runs_total counter\n"
                      "fx_core_maintenance_runs_total{result=\"ok\"} %llu\n"
                      "fx_core_maintenance_runs_total{result=\"failed\"} %llu\n",
        lifecycle.runs[0], lifecycle.runs[1]);
    fx_prom_printf(t, "# HELP fx_core_maintenance_days_total Days maintenance dropped (retention) or compacted.\n"
                      "# TYPE fx_core_maintenance_days_total counter\n"
                      "fx_core_maintenance_days_total{action=\"dropped\"} %llu\n"
                      "fx_core_maintenance_days_total{action=\"compacted\"} %llu\n",
        lifecycle.days[FX_DAY_DROPPED], lifecycle.days[FX_DAY_COMPACTED]);
    fx_prom_printf(t, "# HELP fx_core_maintenance_ticks_total Ticks of the days maintenance dropped or compacted.\n"
                      "# TYPE fx_core_maintenance_ticks_total counter\n"
                      "fx_core_maintenance_ticks_total{action=\"dropped\"} %llu\n"
                      "fx_core_maintenance_ticks_total{action=\"compacted\"} %llu\n",
        lifecycle.ticks[FX_DAY_DROPPED], lifecycle.ticks[FX_DAY_COMPACTED]);
    fx_prom_printf(t, "# HELP fx_core_maintenance_last_end_timestamp_seconds When the last pass of this core ended.\n"
                      "# TYPE fx_core_maintenance_last_end_timestamp_seconds gauge\n");
    if (lifecycle.last_end > 0)
        fx_prom_printf(t, "fx_core_maintenance_last_end_timestamp_seconds %.3f\n", lifecycle.last_end);
    fx_prom_printf(t, "# HELP fx_core_maintenance_last_duration_seconds How long the last pass of this core took.\n"
                      "# TYPE fx_core_maintenance_last_duration_seconds gauge\n");
    if (lifecycle.last_end > 0)
        fx_prom_printf(t, "fx_core_maintenance_last_duration_seconds %.3f\n", lifecycle.last_seconds);
    static const char *const names[3] = { "fx_core_storage_days", "fx_core_storage_ticks", "fx_core_storage_bytes" };
    static const char *const helps[3] = { "Days with ticks of a symbol, by state (raw, compact, sealed).",
        "Ticks stored, by symbol and state (sealed days hold none).",
        "Bytes of the tick partitions (heap, indexes, TOAST), shared among symbols by their ticks." };
    for (int m = 0; m < 3; m++) {
        fx_prom_printf(t, "# HELP %s %s\n# TYPE %s gauge\n", names[m], helps[m], names[m]);
        for (size_t i = 0; i < lifecycle.nstorage; i++) {
            const struct storage_gauge *g = &lifecycle.storage[i];
            fx_prom_printf(t, "%s{symbol=\"%s\",state=\"%s\"} %llu\n", names[m], g->symbol,
                fx_day_state_name(g->state), m == 0 ? g->days : m == 1 ? g->ticks : g->bytes);
        }
    }
}

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

void fx_core_metrics_group_commit(size_t writes)
{
    pthread_mutex_lock(&lock);
    fx_prom_observe(&group_size, batch_buckets, NBATCH, (double)writes);
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
    fx_prom_printf(&t, "# HELP fx_core_group_commit_writes Single-tick writes per committed group (group commit).\n"
                       "# TYPE fx_core_group_commit_writes histogram\n");
    fx_prom_histogram_write(&t, "fx_core_group_commit_writes", "", &group_size, batch_buckets, NBATCH);
    fx_prom_printf(&t, "# HELP fx_core_feed_messages_total Messages published on the live feed, by kind.\n"
                       "# TYPE fx_core_feed_messages_total counter\n"
                       "fx_core_feed_messages_total{kind=\"tick\"} %llu\n"
                       "fx_core_feed_messages_total{kind=\"candle\"} %llu\n",
        feed[0], feed[1]);
    fx_prom_printf(&t, "# HELP fx_core_leader 1 while this core is the leader (closes candles), else 0.\n"
                       "# TYPE fx_core_leader gauge\nfx_core_leader %d\n",
        leader);
    lifecycle_metrics(&t);
    pthread_mutex_unlock(&lock);
    return fx_prom_take(&t, len);
}
