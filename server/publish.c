#include "publish.h"

#include "errors.h"
#include "fx/v1/events.pb-c.h"
#include "log.h"

#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct fx_publisher {
    nng_socket sock;
};

int fx_publisher_create(struct fx_publisher **out, const char *url, char *err, size_t errlen)
{
    struct fx_publisher *p = calloc(1, sizeof *p);
    if (p == NULL) return FX_ENOMEM;
    int rv = nng_pub0_open(&p->sock);
    if (rv == 0 && (rv = nng_listen(p->sock, url, NULL, 0)) != 0) nng_close(p->sock);
    if (rv != 0) {
        snprintf(err, errlen, "cannot publish on %s: %s", url, nng_strerror(rv));
        free(p);
        return FX_ENNG;
    }
    fx_info("publish", "live feed on %s", url);
    *out = p;
    return 0;
}

void fx_publisher_destroy(struct fx_publisher *p)
{
    if (p == NULL) return;
    nng_close(p->sock);
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
    if (nng_sendmsg(p->sock, msg, NNG_FLAG_NONBLOCK) != 0) nng_msg_free(msg);
}

static void publish_ticks(struct fx_publisher *p, const struct fx_tick *ticks, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        Fx__V1__Tick t = FX__V1__TICK__INIT;
        t.symbol = (char *)ticks[i].symbol;
        t.time_us = ticks[i].time_us;
        t.price = ticks[i].price;
        Fx__V1__LiveEvent ev = FX__V1__LIVE_EVENT__INIT;
        ev.event_case = FX__V1__LIVE_EVENT__EVENT_TICK;
        ev.tick = &t;
        char topic[32];
        snprintf(topic, sizeof topic, "tick.%s", ticks[i].symbol);
        publish(p, topic, &ev);
    }
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void publish_candles(struct fx_publisher *p, const struct fx_candle_update *u, size_t n)
{
    static const char *const names[3] = { "minute", "hour", "day" };
    static const int64_t widths[3] = { FX_US_PER_MINUTE, FX_US_PER_HOUR, FX_US_PER_DAY };
    int64_t now = now_us();
    for (size_t i = 0; i < n; i++) {
        if (u[i].level < 0 || u[i].level > 2) continue;
        Fx__V1__Candle c = FX__V1__CANDLE__INIT;
        c.symbol = (char *)u[i].symbol;
        c.bucket_us = u[i].row.bucket_us;
        c.open = u[i].row.open;
        c.high = u[i].row.high;
        c.low = u[i].row.low;
        c.close = u[i].row.close;
        c.tick_count = u[i].row.count;
        c.complete = u[i].row.bucket_us + widths[u[i].level] <= now;
        Fx__V1__LiveEvent ev = FX__V1__LIVE_EVENT__INIT;
        ev.event_case = FX__V1__LIVE_EVENT__EVENT_CANDLE;
        ev.candle = &c;
        ev.resolution = (char *)names[u[i].level];
        char topic[48];
        snprintf(topic, sizeof topic, "candle.%s.%s", names[u[i].level], u[i].symbol);
        publish(p, topic, &ev);
    }
}

void fx_publish_write(struct fx_publisher *p, const struct fx_write *w)
{
    if (p == NULL || w == NULL) return;
    publish_ticks(p, w->ticks, w->created);
    publish_candles(p, w->candles, w->ncandles);
}
