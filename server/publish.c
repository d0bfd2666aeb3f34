#include "server/publish.h"

#include "base/calendar.h"
#include "base/errors.h"
#include "base/nng_tls.h"
#include "base/log.h"
#include "base/resolution.h"
#include "base/worker.h"
#include "fx/v1/events.pb-c.h"
#include "proto/codec.h"
#include "server/candle_store.h"
#include "server/core_metrics.h"
#include "server/leader.h"

#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CLOSE_CHECK_MS 200 /* how often the leader looks for ended buckets */
/* On becoming leader, buckets that ended this long before are closed too:
 * those that ended while the last leader was gone (bridges drop a complete
 * they already forwarded). Also the most a check looks back after failing. */
#define TAKEOVER_LOOKBACK_US (60 * 1000000LL)

struct fx_publisher {
    nng_socket sock;
    /* One aio for every send: nng_sendmsg allocates an aio per call, and
     * nng 1.5 asks the kernel for random bytes for each (a third of the
     * cost of publishing a tick). send_lock serialises its use. */
    nng_aio *aio;
    pthread_mutex_t send_lock;
    int64_t day_start_us; /* custom days start this long after 00:00 UTC */
    struct fx_db db; /* read-backs (custom days) of the writers */
    pthread_mutex_t db_lock;
    const struct fx_leader *leader; /* the timer closes candles only while it leads */
    struct fx_thread timer;
    struct fx_db close_db; /* the timer's own: its scans of ended buckets */
    int close_warned; /* a failed scan was logged; the next only after a success */
};

static void timer_main(void *arg);

int fx_publisher_create(struct fx_publisher **out, const char *url, const char *database_url, int day_start_hour,
    const struct fx_leader *leader, char *err, size_t errlen)
{
    struct fx_publisher *p = calloc(1, sizeof *p);
    if (p == NULL) return FX_ENOMEM;
    p->day_start_us = (int64_t)day_start_hour * FX_US_PER_HOUR;
    p->leader = leader;
    int rv = nng_pub0_open(&p->sock);
    /* per-subscriber queue: absorbs the burst of a bulk load; a subscriber
     * further behind loses the oldest events (nng PUB never blocks) */
    if (rv == 0) nng_socket_set_int(p->sock, NNG_OPT_SENDBUF, 8192);
    if (rv != 0) {
        snprintf(err, errlen, "cannot publish on %s: %s", url, nng_strerror(rv));
        free(p);
        return FX_ENNG;
    }
    /* tls+tcp://: TLS, subscribers with certificates of FX_TLS_CA only */
    char why[512];
    int rc = fx_tls_listen(p->sock, url, why, sizeof why, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "live feed: %s", why);
        nng_close(p->sock);
        free(p);
        return rc;
    }
    if ((rv = nng_aio_alloc(&p->aio, NULL, NULL)) != 0) {
        snprintf(err, errlen, "cannot publish: %s", nng_strerror(rv));
        nng_close(p->sock);
        free(p);
        return FX_ENNG;
    }
    snprintf(p->db.url, sizeof p->db.url, "%s", database_url);
    snprintf(p->close_db.url, sizeof p->close_db.url, "%s", database_url);
    pthread_mutex_init(&p->send_lock, NULL);
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
    int sent = nng_aio_result(p->aio) == 0;
    if (!sent) nng_msg_free(msg);
    pthread_mutex_unlock(&p->send_lock);
    if (sent) fx_core_metrics_feed_published(strncmp(topic, "tick.", 5) == 0 ? FX_FEED_TICK : FX_FEED_CANDLE);
}

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
        fx_codec_tick_to_pb(refs[k].tick, &pb[k]);
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

/* The stored ticks, one message per symbol (and per FX_TICKS_PER_EVENT): a bulk
 * load of 100 000 ticks is a hundred messages, not 100 000, for every
 * subscriber to carry. Each symbol's ticks keep the order of the write. */
static void publish_ticks(struct fx_publisher *p, const struct fx_tick *ticks, size_t n)
{
    if (n == 0) return;
    struct tick_ref *refs = malloc(n * sizeof *refs);
    Fx__V1__Tick *pb = malloc(FX_TICKS_PER_EVENT * sizeof *pb);
    Fx__V1__Tick **ptrs = malloc(FX_TICKS_PER_EVENT * sizeof *ptrs);
    if (refs == NULL || pb == NULL || ptrs == NULL) {
        fx_warn("publish", "out of memory: %zu ticks not published", n);
        free(refs), free(pb), free(ptrs);
        return;
    }
    for (size_t i = 0; i < n; i++) refs[i] = (struct tick_ref){ &ticks[i], i };
    qsort(refs, n, sizeof *refs, by_symbol_then_order);
    for (size_t start = 0; start < n;) {
        size_t end = start + 1;
        while (end < n && end - start < FX_TICKS_PER_EVENT && strcmp(refs[end].tick->symbol, refs[start].tick->symbol) == 0)
            end++;
        publish_symbol_ticks(p, refs + start, end - start, pb, ptrs);
        start = end;
    }
    free(refs), free(pb), free(ptrs);
}

static void publish_candle(struct fx_publisher *p, const struct fx_resolution *res, const struct fx_candle *candle)
{
    Fx__V1__Candle c;
    fx_codec_candle_to_pb(candle, &c);
    Fx__V1__LiveEvent ev = FX__V1__LIVE_EVENT__INIT;
    ev.event_case = FX__V1__LIVE_EVENT__EVENT_CANDLE;
    ev.candle = &c;
    ev.resolution = (char *)res->stream;
    char topic[64];
    snprintf(topic, sizeof topic, "candle.%s.%s", res->stream, candle->symbol);
    publish(p, topic, &ev);
}

/* Reads a candle of `res` as the rollups hold it now (from the rollup it is
 * read from: one row, or the sum of its rows in the bucket), on the
 * writers' shared connection. Returns 0 when it exists. */
static int read_candle(struct fx_publisher *p, const struct fx_resolution *res, const char *symbol, int64_t bucket_us,
    struct fx_candle *out)
{
    char err[256];
    pthread_mutex_lock(&p->db_lock);
    int rc = fx_db_ensure(&p->db, err, sizeof err);
    if (rc == 0) rc = fx_candle_read(&p->db, res->rollup, symbol, bucket_us, res->width_us, out, err, sizeof err);
    pthread_mutex_unlock(&p->db_lock);
    return rc;
}

/* Start of the bucket of `res` holding t: from midnight UTC, or from the
 * custom day's start. */
static int64_t bucket_of(const struct fx_publisher *p, const struct fx_resolution *res, int64_t t_us)
{
    int64_t offset = res->custom_day ? p->day_start_us : 0, rem;
    fx_floor_divmod(t_us - offset, res->width_us, &rem);
    return t_us - rem;
}

/* A write's candle; complete when its bucket has ended (a late tick): a new
 * state of it, which its version orders against the leader's close. */
static void publish_update(struct fx_publisher *p, const struct fx_resolution *res, struct fx_candle *c, int64_t now)
{
    c->complete = c->bucket_us + res->width_us <= now;
    publish_candle(p, res, c);
}

/* A stream that is a rollup: the write's merged candles as they are. */
static void publish_rollup(
    struct fx_publisher *p, const struct fx_resolution *res, const struct fx_candle_update *u, size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        if (u[i].rollup != res->rollup) continue;
        struct fx_candle c = u[i].candle;
        publish_update(p, res, &c, now);
    }
}

/* Any other stream (a custom day): each bucket holding a changed row of
 * the rollup it is read from, read back after the commit (a custom day is
 * 24 hourly rows: no rollup of its own to keep on writes). */
static void publish_read_back(
    struct fx_publisher *p, const struct fx_resolution *res, const struct fx_candle_update *u, size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        if (u[i].rollup != res->rollup) continue;
        int64_t bucket = bucket_of(p, res, u[i].candle.bucket_us);
        int seen = 0; /* one read per (symbol, bucket) of this write */
        for (size_t j = 0; j < i && !seen; j++)
            seen = u[j].rollup == res->rollup && bucket_of(p, res, u[j].candle.bucket_us) == bucket
                && strcmp(u[j].candle.symbol, u[i].candle.symbol) == 0;
        struct fx_candle c;
        if (!seen && read_candle(p, res, u[i].candle.symbol, bucket, &c) == 0) publish_update(p, res, &c, now);
    }
}

/* Every candle stream of the resolution table. */
static void publish_candles(struct fx_publisher *p, const struct fx_candle_update *u, size_t n)
{
    int64_t now = fx_now_us();
    size_t nres;
    const struct fx_resolution *table = fx_resolutions(&nres);
    for (size_t r = 0; r < nres; r++) {
        if (table[r].stream == NULL) continue;
        if (fx_resolution_is_rollup(&table[r]))
            publish_rollup(p, &table[r], u, n, now);
        else
            publish_read_back(p, &table[r], u, n, now);
    }
}

/* Closes the buckets of every candle stream that ended in (after, until]:
 * their candles as the rollups hold them, complete = true. Rollup streams
 * from one scan of the rollup's ended buckets (every symbol), the others
 * (custom days) by reading back each symbol with rows in an ended bucket. */
static int close_ended(struct fx_publisher *p, int64_t after, int64_t until, char *err, size_t errlen)
{
    int rc = fx_db_ensure(&p->close_db, err, errlen);
    size_t nres;
    const struct fx_resolution *table = fx_resolutions(&nres);
    for (size_t r = 0; r < nres && rc == 0; r++) {
        const struct fx_resolution *res = &table[r];
        if (res->stream == NULL) continue;
        /* the bucket holding `after` is the first to end after it; the one
         * holding `until` has not ended by then */
        int64_t first = bucket_of(p, res, after), end = bucket_of(p, res, until);
        if (first >= end) continue;
        if (fx_resolution_is_rollup(res)) {
            struct fx_candle *c;
            size_t n;
            rc = fx_candles_scan(&p->close_db, res->rollup, first, end, &c, &n, err, errlen);
            for (size_t i = 0; rc == 0 && i < n; i++) {
                c[i].complete = 1;
                publish_candle(p, res, &c[i]);
            }
            free(c); /* NULL after a failure */
            continue;
        }
        for (int64_t b = first; b < end && rc == 0; b += res->width_us) {
            char(*symbols)[FX_SYMBOL_MAX + 1];
            size_t n;
            rc = fx_candles_symbols(&p->close_db, res->rollup, b, b + res->width_us, &symbols, &n, err, errlen);
            for (size_t i = 0; rc == 0 && i < n; i++) {
                struct fx_candle c;
                int got = fx_candle_read(&p->close_db, res->rollup, symbols[i], b, res->width_us, &c, err, errlen);
                if (got == 0) {
                    c.complete = 1;
                    publish_candle(p, res, &c);
                } else if (got != FX_ENOTFOUND) {
                    rc = got;
                }
            }
            free(symbols);
        }
    }
    return rc;
}

/* Closes candles whose time is over, while this core is the leader: one
 * closer for every core's candles, from the rollups (the one truth,
 * whatever order the writers published in). A core that does not lead
 * publishes no close. */
static void timer_main(void *arg)
{
    struct fx_publisher *p = arg;
    int leading = 0;
    int64_t last_checked = 0; /* buckets that ended by then are closed */
    while (!fx_thread_wait_ms(&p->timer, CLOSE_CHECK_MS)) {
        if (!fx_leader_is(p->leader)) {
            leading = 0;
            continue;
        }
        int64_t now = fx_now_us();
        if (!leading || last_checked < now - TAKEOVER_LOOKBACK_US) last_checked = now - TAKEOVER_LOOKBACK_US;
        leading = 1;
        char err[256];
        if (close_ended(p, last_checked, now, err, sizeof err) == 0) {
            last_checked = now;
            p->close_warned = 0;
        } else if (!p->close_warned) {
            p->close_warned = 1;
            fx_warn("publish", "cannot close ended candles (trying again): %s", err);
        }
    }
    fx_db_close(&p->close_db);
}

void fx_publish_write(struct fx_publisher *p, const struct fx_write *w)
{
    if (p == NULL || w == NULL) return;
    publish_ticks(p, w->ticks, w->created);
    publish_candles(p, w->candles, w->ncandles);
}
