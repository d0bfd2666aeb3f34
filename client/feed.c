/*
 * The live feed side of libfxclient: an nng SUB socket on fx-core's PUB.
 * Messages are a topic ("tick.EURUSD"), a NUL byte and a protobuf
 * fx.v1.LiveEvent; subscribing to the topic plus its NUL matches one symbol
 * exactly (nng matches prefixes).
 */
#include "client/dial.h"
#include "client/err.h"
#include "client/export.h"
#include "fx/client.h"

#include "base/resolution.h"
#include "base/symbol.h"
#include "fx/v1/events.pb-c.h"
#include "proto/codec.h"

#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED_BUFFER 8192 /* messages: nng's largest receive buffer */

struct fxc_feed {
    nng_socket sock;
    struct fxc_dialset *dials; /* its dialers, and their DNS lookups */
    uint64_t connection_events; /* atomic: a core's feed connection made or lost */
    /* a TickBatch being handed out one tick at a time */
    Fx__V1__LiveEvent *batch;
    size_t next;
};

/* On nng's thread: only counts. */
static void on_connection(nng_pipe pipe, nng_pipe_ev ev, void *arg)
{
    (void)pipe, (void)ev;
    struct fxc_feed *f = arg;
    __atomic_add_fetch(&f->connection_events, 1, __ATOMIC_RELEASE);
}

FXC_API uint64_t fxc_feed_connection_events(fxc_feed *f)
{
    return __atomic_load_n(&f->connection_events, __ATOMIC_ACQUIRE);
}

FXC_API int fxc_feed_open(const char *url, fxc_feed **out, fxc_err *err)
{
    if (url == NULL) url = getenv("FX_FEED_URL");
    if (url == NULL || *url == '\0') url = FXC_DEFAULT_FEED_URL;
    fxc_feed *f = calloc(1, sizeof *f);
    if (f == NULL) return fxc_fail(err, FXC_RESOURCE_EXHAUSTED, "", "out of memory");
    int rv = nng_sub0_open(&f->sock);
    if (rv != 0) {
        free(f);
        return fxc_fail(err, FXC_RESOURCE_EXHAUSTED, "", "cannot open the feed socket: %s", nng_strerror(rv));
    }
    /* room for a burst (a bulk load publishes thousands of events at once);
     * beyond it the oldest are dropped, never the publisher slowed */
    nng_socket_set_int(f->sock, NNG_OPT_RECVBUF, FEED_BUFFER);
    nng_socket_set_bool(f->sock, NNG_OPT_TCP_KEEPALIVE, true);
    nng_pipe_notify(f->sock, NNG_PIPE_EV_ADD_POST, on_connection, f);
    nng_pipe_notify(f->sock, NNG_PIPE_EV_REM_POST, on_connection, f);
    int rc = fxc_dialset_open(&f->dials, f->sock, url, "FX_FEED_URL", err); /* every core's feed */
    if (rc != FXC_OK) {
        nng_close(f->sock);
        free(f);
        return rc;
    }
    *out = f;
    if (err) err->code = FXC_OK, err->message[0] = '\0', err->field[0] = '\0';
    return FXC_OK;
}

FXC_API void fxc_feed_close(fxc_feed *f)
{
    if (f == NULL) return;
    fxc_dialset_close(f->dials); /* no new dialers from here on */
    nng_close(f->sock);
    if (f->batch) fx__v1__live_event__free_unpacked(f->batch, NULL);
    free(f);
}

/* The topic `prefix` + SYMBOL (normalised) + its NUL, matching that symbol
 * exactly, or only `prefix` for every symbol (NULL or "*"). */
static int topic_of(const char *prefix, const char *symbol, char *topic, size_t cap, size_t *len, fxc_err *err)
{
    int n = snprintf(topic, cap, "%s", prefix);
    if (symbol == NULL || strcmp(symbol, "*") == 0) {
        *len = (size_t)n;
        return FXC_OK;
    }
    char sym[FX_SYMBOL_MAX + 1];
    if (fx_symbol_normalise(symbol, sym) != 0)
        return fxc_fail(err, FXC_INVALID_ARGUMENT, "", "symbol must be %s", FX_SYMBOL_RULE);
    *len = (size_t)snprintf(topic + n, cap - (size_t)n, "%s", sym) + (size_t)n + 1; /* with the NUL: exactly */
    return FXC_OK;
}

static int set_topic(fxc_feed *f, const char *option, const char *prefix, const char *symbol, fxc_err *err)
{
    char topic[64];
    size_t len = 0;
    int rc = topic_of(prefix, symbol, topic, sizeof topic, &len, err);
    if (rc != FXC_OK) return rc;
    int rv = nng_socket_set(f->sock, option, topic, len);
    if (rv == NNG_ENOENT) return fxc_fail(err, FXC_NOT_FOUND, "", "not subscribed to %s", topic);
    if (rv != 0) return fxc_fail(err, FXC_INTERNAL, "", "subscription: %s", nng_strerror(rv));
    return FXC_OK;
}

static int set_candles(fxc_feed *f, const char *option, const char *resolution, const char *symbol, fxc_err *err)
{
    const struct fx_resolution *r = fx_resolution_find(resolution);
    if (r == NULL || r->stream == NULL)
        return fxc_fail(err, FXC_INVALID_ARGUMENT, "", "resolution must be %s (or its query name, e.g. 1m)",
            fx_resolution_stream_names());
    char prefix[64];
    snprintf(prefix, sizeof prefix, "candle.%s.", r->stream);
    return set_topic(f, option, prefix, symbol, err);
}

FXC_API int fxc_feed_subscribe_ticks(fxc_feed *f, const char *symbol, fxc_err *err)
{
    return set_topic(f, NNG_OPT_SUB_SUBSCRIBE, "tick.", symbol, err);
}

FXC_API int fxc_feed_unsubscribe_ticks(fxc_feed *f, const char *symbol, fxc_err *err)
{
    return set_topic(f, NNG_OPT_SUB_UNSUBSCRIBE, "tick.", symbol, err);
}

FXC_API int fxc_feed_subscribe_candles(fxc_feed *f, const char *resolution, const char *symbol, fxc_err *err)
{
    return set_candles(f, NNG_OPT_SUB_SUBSCRIBE, resolution, symbol, err);
}

FXC_API int fxc_feed_unsubscribe_candles(fxc_feed *f, const char *resolution, const char *symbol, fxc_err *err)
{
    return set_candles(f, NNG_OPT_SUB_UNSUBSCRIBE, resolution, symbol, err);
}

static void tick_event(const Fx__V1__Tick *t, fxc_event *event)
{
    event->kind = FXC_EVENT_TICK;
    fx_codec_tick_from_pb(t, &event->tick);
}

/* The next tick of the batch in hand, if any (the batch is freed once
 * handed out). */
static int next_of_batch(fxc_feed *f, fxc_event *event)
{
    if (f->batch == NULL) return -1;
    const Fx__V1__TickBatch *b = f->batch->ticks;
    int found = 0;
    while (!found && f->next < b->n_ticks) {
        const Fx__V1__Tick *t = b->ticks[f->next++];
        if (t == NULL) continue;
        memset(event, 0, sizeof *event);
        tick_event(t, event);
        found = 1;
    }
    if (f->next >= b->n_ticks) {
        fx__v1__live_event__free_unpacked(f->batch, NULL);
        f->batch = NULL;
    }
    return found ? 0 : -1;
}

/* Fills `event` from a LiveEvent; returns 0 when it is one we know. */
static int event_from_pb(const Fx__V1__LiveEvent *ev, fxc_event *event)
{
    memset(event, 0, sizeof *event);
    if (ev->event_case == FX__V1__LIVE_EVENT__EVENT_TICK && ev->tick) {
        tick_event(ev->tick, event);
        return 0;
    }
    if (ev->event_case == FX__V1__LIVE_EVENT__EVENT_CANDLE && ev->candle) {
        event->kind = FXC_EVENT_CANDLE;
        fx_codec_candle_from_pb(ev->candle, &event->candle);
        snprintf(event->resolution, sizeof event->resolution, "%s", ev->resolution);
        return 0;
    }
    return -1;
}

FXC_API int fxc_feed_next(fxc_feed *f, int timeout_ms, fxc_event *event, fxc_err *err)
{
    if (next_of_batch(f, event) == 0) return FXC_OK;
    if (timeout_ms != 0)
        nng_socket_set_ms(f->sock, NNG_OPT_RECVTIMEO, timeout_ms < 0 ? NNG_DURATION_INFINITE : timeout_ms);
    for (;;) {
        nng_msg *msg;
        int rv = nng_recvmsg(f->sock, &msg, timeout_ms == 0 ? NNG_FLAG_NONBLOCK : 0);
        if (rv == NNG_ETIMEDOUT || rv == NNG_EAGAIN)
            return fxc_fail(err, FXC_DEADLINE_EXCEEDED, "", "no event within %d ms", timeout_ms);
        if (rv != 0) return fxc_fail(err, FXC_UNAVAILABLE, "", "feed: %s", nng_strerror(rv));
        const char *body = nng_msg_body(msg);
        size_t len = nng_msg_len(msg), tlen = strnlen(body, len);
        Fx__V1__LiveEvent *ev = tlen < len
            ? fx__v1__live_event__unpack(NULL, len - tlen - 1, (const uint8_t *)body + tlen + 1)
            : NULL;
        nng_msg_free(msg);
        if (ev == NULL) continue; /* not an event we understand: skip it */
        if (ev->event_case == FX__V1__LIVE_EVENT__EVENT_TICKS && ev->ticks) {
            f->batch = ev, f->next = 0; /* handed out one tick per call */
            if (next_of_batch(f, event) == 0) return FXC_OK;
            continue;
        }
        int known = event_from_pb(ev, event) == 0;
        fx__v1__live_event__free_unpacked(ev, NULL);
        if (known) return FXC_OK;
    }
}

FXC_API int fxc_feed_fd(fxc_feed *f, int *fd, fxc_err *err)
{
    int v;
    int rv = nng_socket_get_int(f->sock, NNG_OPT_RECVFD, &v);
    if (rv != 0) return fxc_fail(err, FXC_INTERNAL, "", "feed descriptor: %s", nng_strerror(rv));
    *fd = v;
    return FXC_OK;
}

FXC_API int fxc_feed_next_tick(fxc_feed *f, int timeout_ms, fxc_tick *tick, fxc_err *err)
{
    fxc_event ev;
    for (;;) {
        int rc = fxc_feed_next(f, timeout_ms, &ev, err);
        if (rc != FXC_OK) return rc;
        if (ev.kind == FXC_EVENT_TICK) {
            *tick = ev.tick;
            return FXC_OK;
        }
    }
}
