/*
 * Reads back, from storage through any core, the ticks the live feed did
 * not bring (GetTicksAfter): one thread with its own fxclient handle, so
 * that a slow or absent core holds up neither the hub's event loop nor an
 * HTTP request. Requests are queued (fx_backfill_request, from the hub's
 * thread); each answer is handed to `done` on the backfill thread, which
 * must pass it on (the hub posts it to its mailbox) and own it from then
 * on (free with fx_backfill_result_free).
 */
#ifndef FX_BRIDGE_BACKFILL_H
#define FX_BRIDGE_BACKFILL_H

#include "fx/client.h"

#include <stddef.h>
#include <stdint.h>

#define FX_BACKFILL_LIMIT 10000 /* ticks per read back */

enum fx_backfill_kind {
    FX_BACKFILL_TICKS, /* fx_backfill_request */
    FX_BACKFILL_START, /* fx_backfill_start */
    FX_BACKFILL_CANDLES, /* fx_backfill_candles */
    FX_BACKFILL_REPLAY, /* fx_backfill_replay */
};

struct fx_backfill_result {
    enum fx_backfill_kind kind;
    char stream[16]; /* FX_BACKFILL_CANDLES: the candle stream ("minute", ...) */
    char symbol[FXC_SYMBOL_MAX + 1]; /* "" for a start of every symbol */
    int64_t after_seq;
    uint64_t client; /* FX_BACKFILL_REPLAY: the WebSocket client it is for */
    int64_t stored_last; /* FX_BACKFILL_REPLAY: the symbol's last seq, read before the ticks (0: none) */
    fxc_tick *ticks; /* n of them, by seq (free with fx_backfill_result_free) */
    size_t n;
    fxc_symbol_seq *seqs; /* a start: nseqs of them */
    size_t nseqs;
    fxc_candle *candles; /* FX_BACKFILL_CANDLES: the latest buckets, oldest first */
    size_t ncandles;
    int failed; /* no core answered: nothing read */
};

struct fx_backfill;

/* Starts the thread; requests go to `rpc_url` (a list of cores) with a
 * `timeout_ms` each. Returns 0 or an FX_E* code with the reason in `err`. */
int fx_backfill_create(struct fx_backfill **out, const char *rpc_url, int timeout_ms,
    void (*done)(void *arg, struct fx_backfill_result *r), void *arg, char *err, size_t errlen);

/* Stops the thread (the request in hand is finished, queued ones dropped)
 * and frees everything. */
void fx_backfill_destroy(struct fx_backfill *b);

/* Asks for the ticks of `symbol` after `after_seq`. Returns 0, or -1 when
 * out of memory or stopped (then nothing will be answered). Any thread. */
int fx_backfill_request(struct fx_backfill *b, const char *symbol, int64_t after_seq);

/* Asks where the numbering of `symbol` (NULL: of every symbol) stands
 * (fxc_last_seqs). Returns 0 or -1 as above. Any thread. */
int fx_backfill_start(struct fx_backfill *b, const char *symbol);

/* Asks for the latest candles of candle stream `stream` ("minute", ...) of
 * `symbol` as stored now: after a core went away, what clients hold is made
 * whole (the hub forwards only states newer than those it sent). Custom
 * days start `custom_day_start_minute` after midnight UTC. Returns 0 or -1
 * as above. Any thread. */
int fx_backfill_candles(struct fx_backfill *b, const char *stream, const char *symbol, int custom_day_start_minute);

/* Asks, for WebSocket client `client`, where the numbering of `symbol`
 * stands and then the ticks after `after_seq` (a replay page: the client
 * catching up from its cursor, not the symbol's order). Returns 0 or -1 as
 * above. Any thread. */
int fx_backfill_replay(struct fx_backfill *b, const char *symbol, int64_t after_seq, uint64_t client);

void fx_backfill_result_free(struct fx_backfill_result *r);

#endif
