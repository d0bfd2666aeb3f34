#include "bridge/ws_candles.h"

#include "base/hash.h"
#include "base/log.h"
#include "base/resolution.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADS 4096 /* hash chains; a power of two */

/* The last state forwarded of one bucket. */
struct bucket {
    struct bucket *next;
    const struct fx_resolution *res; /* the stream (an entry of the resolution table) */
    char symbol[FX_SYMBOL_MAX + 1];
    int64_t bucket_us;
    uint64_t version;
    int complete;
    int64_t seen_us; /* the last event's arrival */
};

struct fx_ws_candles {
    struct bucket *heads[HEADS];
    size_t n;
    int warned_full;
};

struct fx_ws_candles *fx_ws_candles_create(void) { return calloc(1, sizeof(struct fx_ws_candles)); }

void fx_ws_candles_destroy(struct fx_ws_candles *m)
{
    if (m == NULL) return;
    for (size_t i = 0; i < HEADS; i++)
        for (struct bucket *b = m->heads[i], *next; b; b = next) {
            next = b->next;
            free(b);
        }
    free(m);
}

/* FNV-1a over the symbol, the bucket start and the stream. */
static size_t head_of(const struct fx_resolution *res, const char *symbol, int64_t bucket_us)
{
    uint64_t h = fx_hash_str(FX_HASH_INIT, symbol);
    h = fx_hash_bytes(h, &bucket_us, sizeof bucket_us);
    h = fx_hash_bytes(h, &res, sizeof res);
    return (size_t)(h ^ (h >> 32)) & (HEADS - 1);
}

int fx_ws_candles_pass(struct fx_ws_candles *m, const char *stream, const fxc_candle *c, int64_t now_us)
{
    const struct fx_resolution *res = fx_resolution_by_stream(stream);
    if (res == NULL || c->version == 0) return 1;
    struct bucket **head = &m->heads[head_of(res, c->symbol, c->bucket_us)], *b = *head;
    while (b && !(b->res == res && b->bucket_us == c->bucket_us && strcmp(b->symbol, c->symbol) == 0)) b = b->next;
    if (b == NULL) {
        if (m->n >= FX_WS_CANDLES_MAX || (b = calloc(1, sizeof *b)) == NULL) {
            if (!m->warned_full)
                fx_warn("ws", "over %d candle buckets remembered: newer ones pass unchecked", FX_WS_CANDLES_MAX);
            m->warned_full = 1;
            return 1;
        }
        b->res = res;
        snprintf(b->symbol, sizeof b->symbol, "%s", c->symbol);
        b->bucket_us = c->bucket_us;
        b->next = *head;
        *head = b;
        m->n++;
    } else if (c->version < b->version || (c->version == b->version && (b->complete || !c->complete))) {
        return 0; /* older than what went out, or the same state again */
    }
    b->version = c->version;
    b->complete = c->complete != 0;
    b->seen_us = now_us;
    return 1;
}

void fx_ws_candles_sweep(struct fx_ws_candles *m, int64_t now_us)
{
    for (size_t i = 0; i < HEADS; i++)
        for (struct bucket **p = &m->heads[i], *b; (b = *p) != NULL;) {
            if (b->bucket_us + b->res->width_us + FX_WS_CANDLES_KEEP_US < now_us
                && b->seen_us + FX_WS_CANDLES_KEEP_US < now_us) {
                *p = b->next;
                free(b);
                m->n--;
            } else {
                p = &b->next;
            }
        }
    if (m->n < FX_WS_CANDLES_MAX) m->warned_full = 0;
}

size_t fx_ws_candles_count(const struct fx_ws_candles *m) { return m->n; }
