/*
 * Each symbol's live ticks in seq order, exactly once (the bridge's half of
 * "the live feed stays whole across a crash"). Ticks arrive from every
 * core's feed: a tick whose seq is the next one is forwarded at once, one
 * seen before is dropped, and one after a gap is held while the missing
 * ticks are read back from storage (GetTicksAfter, through the `fetch`
 * callback); when a core's feed connection comes or goes, every symbol is
 * read back after its last seq, for the ticks a dying core stored but never
 * sent. A gap that cannot be filled (no core answers for GAP_GIVE_UP_MS, or
 * more is held than `hold_max`) is given up: what is held goes out, in order.
 *
 * Watching starts where the symbol's numbering stands (fx_tick_order_watch
 * asks through `start`; its ticks are held until the answer): a client gets
 * the ticks stored after it came, whichever core's feed brings the first.
 * fx_tick_order_forget drops a symbol nobody watches any more, so that a
 * new watcher starts afresh. Ticks without seq (from a core of an older
 * release) are forwarded as they come.
 *
 * Not thread-safe: the hub's thread owns it and calls everything. It copies
 * what it holds; the callbacks run inside the calls.
 */
#ifndef FX_BRIDGE_TICK_ORDER_H
#define FX_BRIDGE_TICK_ORDER_H

#include "fx/client.h"

#include <stddef.h>
#include <stdint.h>

struct fx_tick_order;

struct fx_tick_order_callbacks {
    void (*forward)(void *arg, const fxc_tick *t); /* to the clients */
    void (*fetch)(void *arg, const char *symbol, int64_t after_seq); /* ask for the ticks after a seq */
    void (*start)(void *arg, const char *symbol); /* ask where a symbol's numbering stands (NULL: every symbol's) */
    void *arg;
};

struct fx_tick_order_stats {
    uint64_t forwarded; /* live and read back */
    uint64_t read_back; /* of those, read back from storage */
    uint64_t duplicates; /* dropped: seen before */
    uint64_t gaps; /* gaps met */
    uint64_t gaps_given_up;
};

/* Returns NULL when out of memory. */
struct fx_tick_order *fx_tick_order_create(const struct fx_tick_order_callbacks *cb, size_t hold_max);
void fx_tick_order_destroy(struct fx_tick_order *o);

/* Clients now watch `symbol` (NULL: every symbol): its ticks are held
 * until fx_tick_order_started says where to start. A symbol already
 * watched goes on as it is. */
void fx_tick_order_watch(struct fx_tick_order *o, const char *symbol, int64_t now_ms);

/* The answer to start(symbol): the last seq of each symbol that has one
 * (`failed`: no core answered; it is asked again). */
void fx_tick_order_started(struct fx_tick_order *o, const char *symbol, const fxc_symbol_seq *seqs, size_t n,
    int failed, int64_t now_ms);

/* A tick from a core's feed. */
void fx_tick_order_live(struct fx_tick_order *o, const fxc_tick *t, int64_t now_ms);

/* The answer to fetch(symbol, after_seq): `t` (n ticks, by seq) when
 * `failed` is 0; `limit` is how many were asked for (a full answer means
 * more may follow). */
void fx_tick_order_fetched(struct fx_tick_order *o, const char *symbol, int64_t after_seq, const fxc_tick *t,
    size_t n, size_t limit, int failed, int64_t now_ms);

/* A core's feed connection was made or lost: read every symbol back after
 * its last seq. */
void fx_tick_order_resync(struct fx_tick_order *o, int64_t now_ms);

/* Now and then: retries failed reads, gives up on old gaps. */
void fx_tick_order_timer(struct fx_tick_order *o, int64_t now_ms);

/* Forgets every symbol for which keep(arg, symbol) is 0: nobody watches it
 * any more (held ticks of it are dropped). */
void fx_tick_order_forget(struct fx_tick_order *o, int (*keep)(void *arg, const char *symbol), void *arg);

/* Where the order of `symbol` stands: 0 with *last the last seq forwarded
 * (or where it started; the next forwarded is *last + 1), or -1 while it
 * is not watched or waits for its start. */
int fx_tick_order_position(struct fx_tick_order *o, const char *symbol, int64_t *last);

void fx_tick_order_stats(const struct fx_tick_order *o, struct fx_tick_order_stats *out);

#endif
