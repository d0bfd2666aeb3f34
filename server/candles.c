#include "server/candles.h"

#include <stdlib.h>
#include <string.h>

int64_t fx_bucket_floor(int64_t t, int64_t width_us)
{
    int64_t r = t % width_us;
    return r < 0 ? t - r - width_us : t - r;
}

/* qsort has no context argument: the ticks being ordered, per thread. */
static _Thread_local const struct fx_tick *sort_ticks;

static int cmp_tick(const void *a, const void *b)
{
    const struct fx_tick *x = &sort_ticks[*(const uint32_t *)a], *y = &sort_ticks[*(const uint32_t *)b];
    int c = strcmp(x->symbol, y->symbol);
    if (c) return c;
    return (x->time_us > y->time_us) - (x->time_us < y->time_us);
}

void fx_ticks_order(const struct fx_tick *ticks, size_t n, uint32_t *order)
{
    int sorted = 1;
    for (size_t i = 0; i < n; i++) {
        order[i] = (uint32_t)i;
        if (i > 0 && sorted) {
            int c = strcmp(ticks[i - 1].symbol, ticks[i].symbol);
            sorted = c < 0 || (c == 0 && ticks[i - 1].time_us <= ticks[i].time_us);
        }
    }
    if (sorted) return; /* a single-symbol, time-ordered batch: the usual case */
    sort_ticks = ticks;
    qsort(order, n, sizeof *order, cmp_tick);
    sort_ticks = NULL;
}

static void start_candle(struct fx_candle *c, const struct fx_tick *t, int64_t bucket)
{
    memcpy(c->symbol, t->symbol, sizeof c->symbol);
    c->bucket_us = bucket;
    c->open = c->high = c->low = c->close = t->price;
    c->tick_count = 1;
    c->first_us = c->last_us = t->time_us;
    c->complete = 0;
}

size_t fx_candles_build(const struct fx_tick *ticks, const uint32_t *order, size_t n, int64_t width_us,
    struct fx_candle *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const struct fx_tick *t = &ticks[order[i]];
        int64_t bucket = fx_bucket_floor(t->time_us, width_us);
        struct fx_candle *c = m ? &out[m - 1] : NULL;
        if (c == NULL || c->bucket_us != bucket || strcmp(c->symbol, t->symbol) != 0) {
            start_candle(&out[m++], t, bucket);
            continue;
        }
        /* ticks come in time order within a symbol: this one is the last */
        if (t->price > c->high) c->high = t->price;
        if (t->price < c->low) c->low = t->price;
        c->close = t->price;
        c->last_us = t->time_us;
        c->tick_count++;
    }
    return m;
}

void fx_candle_merge(struct fx_candle *into, const struct fx_candle *from)
{
    if (from->first_us < into->first_us) {
        into->open = from->open;
        into->first_us = from->first_us;
    }
    if (from->last_us > into->last_us) {
        into->close = from->close;
        into->last_us = from->last_us;
    }
    if (from->high > into->high) into->high = from->high;
    if (from->low < into->low) into->low = from->low;
    into->tick_count += from->tick_count;
}
