/*
 * The limits of fxohlc, in one place: the core enforces them, the bridge,
 * the client library and the tools quote them. Public: installed with
 * libfxclient as <fx/limits.h>.
 */
#ifndef FX_LIMITS_H
#define FX_LIMITS_H

#define FX_SYMBOL_MAX 16 /* characters of a symbol, without the terminating NUL */
#define FX_TICKS_GET_MAX 10000 /* most ticks one read returns (its `limit`) */
#define FX_TICKS_OFFSET_MAX 1000000 /* largest `offset` of a read: deeper, page by `start` (each read holds what it skips) */
#define FX_BULK_MAX 100000 /* most ticks one bulk write holds */
#define FX_RPC_REQUEST_MAX (8u << 20) /* bytes of one RPC request message (a full bulk is ~4.3 MiB) */
#define FX_CANDLES_MAX 100000 /* most candles one query may span */
#define FX_TICKS_PER_EVENT 1024 /* ticks in one live TickBatch message (~30 KB) */

/* Tick times the core stores: 1900-01-01 .. 2199-12-31 UTC, in microseconds
 * since the Unix epoch (FX_TIME_END_US is the first instant refused). */
#define FX_TIME_MIN_US (-2208988800LL * 1000000LL)
#define FX_TIME_END_US (7258118400LL * 1000000LL)

#define FX_TIME_STR_MAX 40 /* buffer for an RFC 3339 time (fx_time_format) */
#define FX_PRICE_STR_MAX 32 /* buffer for a price (fx_price_format) */
#define FX_TICKFILE_LINE_MAX 1024 /* longest line of a tick file, without its "\n" */

#endif
