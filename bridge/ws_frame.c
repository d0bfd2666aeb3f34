#include "bridge/ws_frame.h"

#include "bridge/json_out.h"

#include <stdlib.h>
#include <string.h>

static struct fx_ws_frame *frame_from(struct fx_jbuf *b, const fxc_candle *c)
{
    size_t len;
    char *text = fx_jbuf_take(b, &len);
    if (text == NULL) return NULL;
    struct fx_ws_frame *f = malloc(sizeof *f + len + 1);
    if (f != NULL) {
        f->refs = 1;
        f->len = len;
        f->bucket_us = c ? c->bucket_us : 0;
        f->version = c ? c->version : 0;
        f->count = c ? c->tick_count : 0;
        f->complete = c ? c->complete : 0;
        memcpy(f->text, text, len + 1);
    }
    free(text);
    return f;
}

struct fx_ws_frame *fx_ws_frame_tick(const fxc_tick *t)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_raw(&b, "{\"type\":\"tick\",");
    fx_jbuf_tick_fields(&b, t);
    /* the symbol's commit order: a client that reconnects can tell what it
     * missed (ticks stored before seq existed have none) */
    if (t->seq > 0) fx_jbuf_printf(&b, ",\"seq\":%lld", (long long)t->seq);
    fx_jbuf_raw(&b, "}");
    return frame_from(&b, NULL);
}

struct fx_ws_frame *fx_ws_frame_candle(const char *resolution, const fxc_candle *c)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_raw(&b, "{\"type\":\"candle\",\"resolution\":");
    fx_jbuf_string(&b, resolution);
    fx_jbuf_raw(&b, ",");
    fx_jbuf_candle_fields(&b, c);
    fx_jbuf_raw(&b, "}");
    return frame_from(&b, c);
}

void fx_ws_frame_unref(struct fx_ws_frame *f)
{
    if (f && --f->refs == 0) free(f);
}

int fx_ws_frame_queue_push(struct fx_ws_frame_queue *q, struct fx_ws_frame *f)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        struct fx_ws_frame **items = malloc(cap * sizeof *items);
        if (items == NULL) return -1;
        for (size_t i = 0; i < q->n; i++) items[i] = q->items[(q->head + i) % q->cap];
        free(q->items);
        q->items = items, q->cap = cap, q->head = 0;
    }
    q->items[(q->head + q->n++) % q->cap] = f;
    q->bytes += f->len;
    f->refs++;
    return 0;
}

struct fx_ws_frame *fx_ws_frame_queue_pop(struct fx_ws_frame_queue *q)
{
    if (q->n == 0) return NULL;
    struct fx_ws_frame *f = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    q->bytes -= f->len;
    return f;
}

void fx_ws_frame_queue_clear(struct fx_ws_frame_queue *q)
{
    struct fx_ws_frame *f;
    while ((f = fx_ws_frame_queue_pop(q)) != NULL) fx_ws_frame_unref(f);
}

void fx_ws_frame_queue_free(struct fx_ws_frame_queue *q)
{
    fx_ws_frame_queue_clear(q);
    free(q->items);
    memset(q, 0, sizeof *q);
}
