/*
 * The order of candle states in fx-bridge. With several cores, the states of
 * one bucket reach the hub over several feed connections, in any order, and
 * a bucket may be closed twice (a new leader closes the last minute again).
 * The hub remembers, per (stream, symbol, bucket), the last version it
 * forwarded and whether its complete state went out, and forwards a state
 * only when it is newer: a higher version, or the same version now complete.
 * A version of 0 (a core before versions) is always forwarded, as before.
 *
 * Bounded: buckets that ended more than FX_WS_CANDLES_KEEP_US ago and had no
 * event for as long are forgotten (fx_ws_candles_sweep), and at most
 * FX_WS_CANDLES_MAX buckets are remembered (beyond that, events of new
 * buckets pass unchecked).
 *
 * Not thread-safe: the hub thread's alone. Create and destroy it there or
 * before the thread starts / after it stopped.
 */
#ifndef FX_BRIDGE_WS_CANDLES_H
#define FX_BRIDGE_WS_CANDLES_H

#include "fx/client.h"

#include <stddef.h>
#include <stdint.h>

#define FX_WS_CANDLES_KEEP_US (5 * 60 * 1000000LL) /* well past a takeover's look-back of a minute */
#define FX_WS_CANDLES_MAX 65536

struct fx_ws_candles;

/* An empty memory; NULL when out of memory. Free with fx_ws_candles_destroy
 * (NULL is fine). */
struct fx_ws_candles *fx_ws_candles_create(void);
void fx_ws_candles_destroy(struct fx_ws_candles *m);

/* Whether to forward `c`, an event of candle stream `stream` ("minute",
 * ...) received at `now_us` (wall clock, UTC microseconds); remembers it
 * when it is forwarded. Unknown streams and version 0 always pass. */
int fx_ws_candles_pass(struct fx_ws_candles *m, const char *stream, const fxc_candle *c, int64_t now_us);

/* Forgets buckets that ended, and had their last event, more than
 * FX_WS_CANDLES_KEEP_US before `now_us`. */
void fx_ws_candles_sweep(struct fx_ws_candles *m, int64_t now_us);

/* How many buckets are remembered. */
size_t fx_ws_candles_count(const struct fx_ws_candles *m);

#endif
