#include "proto/codec.h"

#include <stdio.h>
#include <string.h>

void fx_codec_tick_to_pb(const struct fx_tick *t, Fx__V1__Tick *pb)
{
    fx__v1__tick__init(pb);
    pb->symbol = (char *)t->symbol;
    pb->time_us = t->time_us;
    pb->price = t->price;
}

void fx_codec_tick_from_pb(const Fx__V1__Tick *pb, struct fx_tick *t)
{
    memset(t, 0, sizeof *t);
    if (pb == NULL) return;
    snprintf(t->symbol, sizeof t->symbol, "%s", pb->symbol ? pb->symbol : "");
    t->time_us = pb->time_us;
    t->price = pb->price;
}

void fx_codec_candle_to_pb(const struct fx_candle *c, Fx__V1__Candle *pb)
{
    fx__v1__candle__init(pb);
    pb->symbol = (char *)c->symbol;
    pb->bucket_us = c->bucket_us;
    pb->open = c->open;
    pb->high = c->high;
    pb->low = c->low;
    pb->close = c->close;
    pb->tick_count = c->tick_count;
    pb->complete = c->complete;
}

void fx_codec_candle_from_pb(const Fx__V1__Candle *pb, struct fx_candle *c)
{
    memset(c, 0, sizeof *c);
    if (pb == NULL) return;
    snprintf(c->symbol, sizeof c->symbol, "%s", pb->symbol ? pb->symbol : "");
    c->bucket_us = pb->bucket_us;
    c->open = pb->open;
    c->high = pb->high;
    c->low = pb->low;
    c->close = pb->close;
    c->tick_count = pb->tick_count;
    c->complete = pb->complete;
}

Fx__V1__Tick **fx_codec_ticks_to_pb(struct fx_arena *arena, const struct fx_tick *t, size_t n)
{
    Fx__V1__Tick *msgs = fx_arena_calloc(arena, n ? n : 1, sizeof *msgs);
    Fx__V1__Tick **ptrs = fx_arena_calloc(arena, n ? n : 1, sizeof *ptrs);
    if (msgs == NULL || ptrs == NULL) return NULL;
    for (size_t i = 0; i < n; i++) {
        fx_codec_tick_to_pb(&t[i], &msgs[i]);
        ptrs[i] = &msgs[i];
    }
    return ptrs;
}

Fx__V1__Candle **fx_codec_candles_to_pb(struct fx_arena *arena, const struct fx_candle *c, size_t n)
{
    Fx__V1__Candle *msgs = fx_arena_calloc(arena, n ? n : 1, sizeof *msgs);
    Fx__V1__Candle **ptrs = fx_arena_calloc(arena, n ? n : 1, sizeof *ptrs);
    if (msgs == NULL || ptrs == NULL) return NULL;
    for (size_t i = 0; i < n; i++) {
        fx_codec_candle_to_pb(&c[i], &msgs[i]);
        ptrs[i] = &msgs[i];
    }
    return ptrs;
}

static void *arena_alloc(void *data, size_t size) { return fx_arena_alloc(data, size); }

static void arena_free(void *data, void *p) { (void)data, (void)p; /* freed with the arena */ }

void fx_codec_allocator(struct fx_arena *arena, ProtobufCAllocator *out)
{
    out->alloc = arena_alloc;
    out->free = arena_free;
    out->allocator_data = arena;
}
