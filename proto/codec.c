#include "proto/codec.h"

#include <stdio.h>
#include <string.h>

/*
 * The fields a struct and its message share, each named once; the symbol
 * (a string: pointed to one way, copied the other) apart. CODEC() writes
 * the two directions and the array form of one type from its list, so
 * adding a field is one word here.
 */
#define TICK_FIELDS(X) X(time_us) X(price) X(seq)
#define SYMBOL_SEQ_FIELDS(X) X(last_seq)
#define SYMBOL_INFO_FIELDS(X) X(first_time_us) X(last_time_us) X(tick_count)
#define CANDLE_FIELDS(X) X(bucket_us) X(open) X(high) X(low) X(close) X(tick_count) X(complete) X(version)

#define TO_PB(f) pb->f = from->f;
#define FROM_PB(f) to->f = pb->f;

#define CODEC(name, ctype, pbtype, pbinit, FIELDS)                                                  \
    void fx_codec_##name##_to_pb(const ctype *from, pbtype *pb)                                    \
    {                                                                                              \
        pbinit(pb);                                                                                \
        pb->symbol = (char *)from->symbol;                                                         \
        FIELDS(TO_PB)                                                                              \
    }                                                                                              \
                                                                                                   \
    void fx_codec_##name##_from_pb(const pbtype *pb, ctype *to)                                    \
    {                                                                                              \
        memset(to, 0, sizeof *to);                                                                 \
        if (pb == NULL) return;                                                                    \
        snprintf(to->symbol, sizeof to->symbol, "%s", pb->symbol ? pb->symbol : "");               \
        FIELDS(FROM_PB)                                                                            \
    }                                                                                              \
                                                                                                   \
    pbtype **fx_codec_##name##s_to_pb(struct fx_arena *arena, const ctype *from, size_t n)         \
    {                                                                                              \
        pbtype *msgs = fx_arena_calloc(arena, n ? n : 1, sizeof *msgs);                            \
        pbtype **ptrs = fx_arena_calloc(arena, n ? n : 1, sizeof *ptrs);                           \
        if (msgs == NULL || ptrs == NULL) return NULL;                                             \
        for (size_t i = 0; i < n; i++) fx_codec_##name##_to_pb(&from[i], &msgs[i]), ptrs[i] = &msgs[i]; \
        return ptrs;                                                                               \
    }

CODEC(tick, struct fx_tick, Fx__V1__Tick, fx__v1__tick__init, TICK_FIELDS)
CODEC(candle, struct fx_candle, Fx__V1__Candle, fx__v1__candle__init, CANDLE_FIELDS)
CODEC(symbol_seq, struct fx_symbol_seq, Fx__V1__SymbolSeq, fx__v1__symbol_seq__init, SYMBOL_SEQ_FIELDS)
CODEC(symbol_info, struct fx_symbol_info, Fx__V1__SymbolInfo, fx__v1__symbol_info__init, SYMBOL_INFO_FIELDS)

static void *arena_alloc(void *data, size_t size) { return fx_arena_alloc(data, size); }

static void arena_free(void *data, void *p) { (void)data, (void)p; /* freed with the arena */ }

void fx_codec_allocator(struct fx_arena *arena, ProtobufCAllocator *out)
{
    out->alloc = arena_alloc;
    out->free = arena_free;
    out->allocator_data = arena;
}
