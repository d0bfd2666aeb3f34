#include "publish.h"

#include "errors.h"
#include "fx/v1/events.pb-c.h"
#include "log.h"

#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void fx_publish_ticks(struct fx_publisher *p, const struct fx_tick *ticks, size_t n)
{
    if (p == NULL) return;
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
