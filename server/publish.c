#include "server/publish.h"

#include "base/errors.h"
#include "fx/v1/events.pb-c.h"
#include "base/log.h"
#include "server/pg_codec.h"
#include "base/worker.h"

#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CLOSE_CHECK_MS 200 /* how often ended buckets are looked for */
#define OPEN_MAX 4096 /* incomplete candles tracked at once */
#define LEVELS 4 /* minute, hour, day, custom day */
#define CUSTOM_DAY 3

/* An incomplete candle that was published: to be closed when its bucket ends. */
struct open_candle {
    int level;
    char symbol[FX_SYMBOL_MAX + 1];
    int64_t bucket_us;
};

struct fx_publisher {
    nng_socket sock;
    /* One aio for every send: nng_sendmsg allocates an aio per call, and
     * nng 1.5 asks the kernel for random bytes for each (a third of the
     * cost of publishing a tick). send_lock serialises its use. */
    nng_aio *aio;
    pthread_mutex_t send_lock;
    int64_t day_start_us; /* custom days start this long after 00:00 UTC */
    struct fx_db db; /* custom-day reads and the timer's re-reads */
    pthread_mutex_t db_lock;
    struct fx_thread timer;
    pthread_mutex_t lock; /* the open candles */
    struct open_candle open[OPEN_MAX];
    size_t nopen;
    int warned_full;
};

static void timer_main(void *arg);

int fx_publisher_create(struct fx_publisher **out, const char *url, const char *database_url, int day_start_hour,
    char *err, size_t errlen)
{
    struct fx_publisher *p = calloc(1, sizeof *p);
    if (p == NULL) return FX_ENOMEM;
    p->day_start_us = (int64_t)day_start_hour * FX_US_PER_HOUR;
    int rv = nng_pub0_open(&p->sock);
    /* per-subscriber queue: absorbs the burst of a bulk load; a subscriber
     * further behind loses the oldest events (nng PUB never blocks) */
    if (rv == 0) nng_socket_set_int(p->sock, NNG_OPT_SENDBUF, 8192);
    if (rv == 0 && (rv = nng_listen(p->sock, url, NULL, 0)) != 0) nng_close(p->sock);
    if (rv != 0) {
        snprintf(err, errlen, "cannot publish on %s: %s", url, nng_strerror(rv));
        free(p);
        return FX_ENNG;
    }
    if ((rv = nng_aio_alloc(&p->aio, NULL, NULL)) != 0) {
        snprintf(err, errlen, "cannot publish: %s", nng_strerror(rv));
        nng_close(p->sock);
        free(p);
        return FX_ENNG;
    }
    snprintf(p->db.url, sizeof p->db.url, "%s", database_url);
    pthread_mutex_init(&p->send_lock, NULL);
    pthread_mutex_init(&p->lock, NULL);
    pthread_mutex_init(&p->db_lock, NULL);
    if (fx_thread_start(&p->timer, timer_main, p) != 0)
        fx_warn("publish", "no timer thread: candles are not closed when their time is over");
    fx_info("publish", "live feed on %s", url);
    *out = p;
    return 0;
}

void fx_publisher_destroy(struct fx_publisher *p)
{
    if (p == NULL) return;
    fx_thread_stop(&p->timer);
    fx_db_close(&p->db);
    nng_close(p->sock);
    nng_aio_free(p->aio);
    pthread_mutex_destroy(&p->send_lock);
    pthread_mutex_destroy(&p->db_lock);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* topic, NUL, then the event packed straight into the message body */
static void publish(struct fx_publisher *p, const char *topic, const Fx__V1__LiveEvent *ev)
{
    size_t tlen = strlen(topic) + 1, len = fx__v1__live_event__get_packed_size(ev);
    nng_msg *msg;
    if (nng_msg_alloc(&msg, tlen + len) != 0) return;
    memcpy(nng_msg_body(msg), topic, tlen);
    fx__v1__live_event__pack(ev, (uint8_t *)nng_msg_body(msg) + tlen);
    /* PUB never waits for subscribers: the send completes at once */
    pthread_mutex_lock(&p->send_lock);
    nng_aio_set_msg(p->aio, msg);
    nng_send_aio(p->sock, p->aio);
    nng_aio_wait(p->aio);
    if (nng_aio_result(p->aio) != 0) nng_msg_free(msg);
    pthread_mutex_unlock(&p->send_lock);
}

#define TICKS_PER_EVENT 1024 /* ticks in one TickBatch message: ~30 KB */

/* A tick's place in the write, sorted by symbol, then by that place. */
struct tick_ref {
    const struct fx_tick *tick;
    size_t i;
};

static int by_symbol_then_order(const void *a, const void *b)
{
    const struct tick_ref *x = a, *y = b;
    int c = strcmp(x->tick->symbol, y->tick->symbol);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* One message on tick.<SYMBOL>: a Tick alone, or a TickBatch. */
static void publish_symbol_ticks(struct fx_publisher *p, const struct tick_ref *refs, size_t n, Fx__V1__Tick *pb,
    Fx__V1__Tick **ptrs)
{
    for (size_t k = 0; k < n; k++) {
        fx__v1__tick__init(&pb[k]);
        pb[k].symbol = (char *)refs[k].tick->symbol;
        pb[k].time_us = refs[k].tick->time_us;
        pb[k].price = refs[k].tick->price;
        ptrs[k] = &pb[k];
    }
    Fx__V1__LiveEvent ev = FX__V1__LIVE_EVENT__INIT;
    Fx__V1__TickBatch batch = FX__V1__TICK_BATCH__INIT;
    if (n == 1) {
        ev.event_case = FX__V1__LIVE_EVENT__EVENT_TICK;
        ev.tick = &pb[0];
    } else {
        batch.n_ticks = n;
        batch.ticks = ptrs;
        ev.event_case = FX__V1__LIVE_EVENT__EVENT_TICKS;
        ev.ticks = &batch;
    }
    char topic[32];
    snprintf(topic, sizeof topic, "tick.%s", refs[0].tick->symbol);
    publish(p, topic, &ev);
}

/* The stored ticks, one message per symbol (and per TICKS_PER_EVENT): a bulk
 * load of 100 000 ticks is a hundred messages, not 100 000, for every
 * subscriber to carry. Each symbol's ticks keep the order of the write. */
static void publish_ticks(struct fx_publisher *p, const struct fx_tick *ticks, size_t n)
{
    if (n == 0) return;
    struct tick_ref *refs = malloc(n * sizeof *refs);
    Fx__V1__Tick *pb = malloc(TICKS_PER_EVENT * sizeof *pb);
    Fx__V1__Tick **ptrs = malloc(TICKS_PER_EVENT * sizeof *ptrs);
    if (refs == NULL || pb == NULL || ptrs == NULL) {
        fx_warn("publish", "out of memory: %zu ticks not published", n);
        free(refs), free(pb), free(ptrs);
        return;
    }
    for (size_t i = 0; i < n; i++) refs[i] = (struct tick_ref){ &ticks[i], i };
    qsort(refs, n, sizeof *refs, by_symbol_then_order);
    for (size_t start = 0; start < n;) {
        size_t end = start + 1;
        while (end < n && end - start < TICKS_PER_EVENT && strcmp(refs[end].tick->symbol, refs[start].tick->symbol) == 0)
            end++;
        publish_symbol_ticks(p, refs + start, end - start, pb, ptrs);
        start = end;
    }
    free(refs), free(pb), free(ptrs);
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const char *const level_names[LEVELS] = { "minute", "hour", "day", "custom-day" };
static const int64_t level_widths[LEVELS] = { FX_US_PER_MINUTE, FX_US_PER_HOUR, FX_US_PER_DAY, FX_US_PER_DAY };

static void publish_candle(struct fx_publisher *p, int level, const char *symbol, const struct fx_candle_row *row)
{
    Fx__V1__Candle c = FX__V1__CANDLE__INIT;
    c.symbol = (char *)symbol;
    c.bucket_us = row->bucket_us;
    c.open = row->open;
    c.high = row->high;
    c.low = row->low;
    c.close = row->close;
    c.tick_count = row->count;
    c.complete = row->complete;
    Fx__V1__LiveEvent ev = FX__V1__LIVE_EVENT__INIT;
    ev.event_case = FX__V1__LIVE_EVENT__EVENT_CANDLE;
    ev.candle = &c;
    ev.resolution = (char *)level_names[level];
    char topic[48];
    snprintf(topic, sizeof topic, "candle.%s.%s", level_names[level], symbol);
    publish(p, topic, &ev);
}

/* Remembers an incomplete candle so that the timer closes it. */
static void track_open(struct fx_publisher *p, int level, const char *symbol, int64_t bucket_us)
{
    pthread_mutex_lock(&p->lock);
    size_t i = 0;
    while (i < p->nopen
        && !(p->open[i].level == level && p->open[i].bucket_us == bucket_us && strcmp(p->open[i].symbol, symbol) == 0))
        i++;
    if (i == p->nopen && p->nopen == OPEN_MAX && !p->warned_full) {
        p->warned_full = 1;
        fx_warn("publish", "over %d open candles: some will not be closed by the timer", OPEN_MAX);
    }
    if (i == p->nopen && p->nopen < OPEN_MAX) {
        p->open[i].level = level;
        p->open[i].bucket_us = bucket_us;
        snprintf(p->open[i].symbol, sizeof p->open[i].symbol, "%s", symbol);
        p->nopen++;
    }
    pthread_mutex_unlock(&p->lock);
}

/* Reads a candle as the rollups hold it now; returns 0 when it exists. A
 * custom day is the sum of its 24 hourly rows. Caller holds db_lock. */
static int read_candle(struct fx_publisher *p, int level, const char *symbol, int64_t bucket_us,
    struct fx_candle_row *row)
{
    static const char *const sql[LEVELS] = {
        "SELECT open, high, low, close, tick_count FROM candles_1m WHERE symbol = $1 AND bucket = $2",
        "SELECT open, high, low, close, tick_count FROM candles_1h WHERE symbol = $1 AND bucket = $2",
        "SELECT open, high, low, close, tick_count FROM candles_1d WHERE symbol = $1 AND bucket = $2",
        "SELECT (array_agg(open ORDER BY bucket))[1], max(high), min(low), (array_agg(close ORDER BY bucket DESC))[1],"
        " sum(tick_count)::int8 FROM candles_1h WHERE symbol = $1 AND bucket >= $2 AND bucket < $2 + interval '1 day'"
        " HAVING count(*) > 0",
    };
    char err[256], when[8];
    if (fx_db_ensure(&p->db, err, sizeof err) != 0) return -1;
    fx_pg_put_time(when, bucket_us);
    const char *values[2] = { symbol, when };
    int lengths[2] = { 0, 8 }, formats[2] = { 0, 1 };
    const Oid types[2] = { 25, 1184 };
    PGresult *res = PQexecParams(p->db.conn, sql[level], 2, types, values, lengths, formats, 1);
    int rc = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 ? 0 : -1;
    if (rc == 0) {
        row->bucket_us = bucket_us;
        row->open = fx_pg_get_f64(PQgetvalue(res, 0, 0));
        row->high = fx_pg_get_f64(PQgetvalue(res, 0, 1));
        row->low = fx_pg_get_f64(PQgetvalue(res, 0, 2));
        row->close = fx_pg_get_f64(PQgetvalue(res, 0, 3));
        row->count = (uint64_t)fx_pg_get_i64(PQgetvalue(res, 0, 4));
    }
    PQclear(res);
    return rc;
}

static int64_t custom_day_of(const struct fx_publisher *p, int64_t t_us)
{
    int64_t d = t_us - p->day_start_us;
    d -= ((d % FX_US_PER_DAY) + FX_US_PER_DAY) % FX_US_PER_DAY;
    return d + p->day_start_us;
}

static void publish_update(struct fx_publisher *p, int level, const char *symbol, struct fx_candle_row *row,
    int64_t now)
{
    row->complete = row->bucket_us + level_widths[level] <= now;
    publish_candle(p, level, symbol, row);
    if (!row->complete) track_open(p, level, symbol, row->bucket_us);
}

/* The custom day of every changed hourly candle, read back from the hourly
 * rollup after the commit (24 rows: no fourth rollup to keep on writes). */
static void publish_custom_days(struct fx_publisher *p, const struct fx_candle_update *u, size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        if (u[i].level != 1) continue;
        int64_t day = custom_day_of(p, u[i].row.bucket_us);
        int seen = 0; /* one read per (symbol, day) of this write */
        for (size_t j = 0; j < i && !seen; j++)
            seen = u[j].level == 1 && custom_day_of(p, u[j].row.bucket_us) == day
                && strcmp(u[j].symbol, u[i].symbol) == 0;
        if (seen) continue;
        struct fx_candle_row row;
        pthread_mutex_lock(&p->db_lock);
        int rc = read_candle(p, CUSTOM_DAY, u[i].symbol, day, &row);
        pthread_mutex_unlock(&p->db_lock);
        if (rc == 0) publish_update(p, CUSTOM_DAY, u[i].symbol, &row, now);
    }
}

static void publish_candles(struct fx_publisher *p, const struct fx_candle_update *u, size_t n)
{
    int64_t now = now_us();
    for (size_t i = 0; i < n; i++) {
        if (u[i].level < 0 || u[i].level > 2) continue;
        struct fx_candle_row row = u[i].row;
        publish_update(p, u[i].level, u[i].symbol, &row, now);
    }
    publish_custom_days(p, u, n, now);
}

/* Takes out the tracked candles whose bucket has ended (by `now`). */
static size_t take_ended(struct fx_publisher *p, int64_t now, struct open_candle *out, size_t max)
{
    size_t n = 0, kept = 0;
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < p->nopen; i++) {
        const struct open_candle *c = &p->open[i];
        if (c->bucket_us + level_widths[c->level] <= now && n < max)
            out[n++] = *c;
        else
            p->open[kept++] = *c;
    }
    p->nopen = kept;
    pthread_mutex_unlock(&p->lock);
    return n;
}

/* Closes candles whose time is over: the final candle, from the rollup
 * (the one truth, whatever order concurrent writers published in). */
static void timer_main(void *arg)
{
    struct fx_publisher *p = arg;
    struct open_candle *ended = malloc(OPEN_MAX * sizeof *ended);
    if (ended == NULL) return;
    while (!fx_thread_wait_ms(&p->timer, CLOSE_CHECK_MS)) {
        size_t n = take_ended(p, now_us(), ended, OPEN_MAX);
        for (size_t i = 0; i < n; i++) {
            struct fx_candle_row row;
            pthread_mutex_lock(&p->db_lock);
            int rc = read_candle(p, ended[i].level, ended[i].symbol, ended[i].bucket_us, &row);
            pthread_mutex_unlock(&p->db_lock);
            row.complete = 1;
            if (rc == 0) publish_candle(p, ended[i].level, ended[i].symbol, &row);
        }
    }
    free(ended);
}

void fx_publish_write(struct fx_publisher *p, const struct fx_write *w)
{
    if (p == NULL || w == NULL) return;
    publish_ticks(p, w->ticks, w->created);
    publish_candles(p, w->candles, w->ncandles);
}
