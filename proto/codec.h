/*
 * The one codec between fxohlc's structs (fx/tick.h) and the protobuf
 * messages of proto/fx/v1: used by the core's handlers and publisher and by
 * libfxclient's calls and feed, so a field is mapped in one place.
 *
 * Ownership: the *_to_pb functions fill a message whose strings point into
 * the struct (no copy): the message is valid while the struct lives and
 * nothing of it is freed. The *_from_pb functions copy into the struct
 * (the symbol cut to FX_SYMBOL_MAX). Arrays come from an arena (base/arena.h)
 * and go with it. Pure; any thread.
 */
#ifndef FX_PROTO_CODEC_H
#define FX_PROTO_CODEC_H

#include "base/arena.h"
#include "fx/tick.h"
#include "fx/v1/events.pb-c.h"
#include "fx/v1/rpc.pb-c.h"

#include <stddef.h>

void fx_codec_tick_to_pb(const struct fx_tick *t, Fx__V1__Tick *pb);
void fx_codec_tick_from_pb(const Fx__V1__Tick *pb, struct fx_tick *t); /* pb may be NULL: a zero tick */
void fx_codec_candle_to_pb(const struct fx_candle *c, Fx__V1__Candle *pb);
void fx_codec_candle_from_pb(const Fx__V1__Candle *pb, struct fx_candle *c);
void fx_codec_symbol_seq_to_pb(const struct fx_symbol_seq *s, Fx__V1__SymbolSeq *pb);
void fx_codec_symbol_seq_from_pb(const Fx__V1__SymbolSeq *pb, struct fx_symbol_seq *s);
void fx_codec_symbol_info_to_pb(const struct fx_symbol_info *s, Fx__V1__SymbolInfo *pb);
void fx_codec_symbol_info_from_pb(const Fx__V1__SymbolInfo *pb, struct fx_symbol_info *s);

/* `n` messages and the array of pointers to them (protobuf-c's repeated
 * form), from `arena`; NULL when out of memory. */
Fx__V1__Tick **fx_codec_ticks_to_pb(struct fx_arena *arena, const struct fx_tick *t, size_t n);
Fx__V1__Candle **fx_codec_candles_to_pb(struct fx_arena *arena, const struct fx_candle *c, size_t n);
Fx__V1__SymbolSeq **fx_codec_symbol_seqs_to_pb(struct fx_arena *arena, const struct fx_symbol_seq *s, size_t n);
Fx__V1__SymbolInfo **fx_codec_symbol_infos_to_pb(struct fx_arena *arena, const struct fx_symbol_info *s, size_t n);

/* A protobuf-c allocator taking its memory from `arena`: a message unpacked
 * with it needs no free_unpacked (it goes with the arena). */
void fx_codec_allocator(struct fx_arena *arena, ProtobufCAllocator *out);

#endif
