/*
 * The one tick and the one candle type of fxohlc: the core's stores, the
 * codec, the client library (fxc_tick and fxc_candle are these), the bridge
 * and the tools all pass these. Plain values: nothing to free. Public:
 * installed with libfxclient as <fx/tick.h>.
 */
#ifndef FX_TICK_H
#define FX_TICK_H

#include "fx/limits.h"

#include <stdint.h>

struct fx_tick {
    char symbol[FX_SYMBOL_MAX + 1]; /* normalised (see base/symbol.h) once validated */
    int64_t time_us; /* microseconds since the Unix epoch, UTC */
    double price;
    int64_t seq; /* per symbol: 1, 2, ... in commit order, given by the core when stored; 0 = none (yet) */
};

/* Where a symbol's numbering stands: the last seq handed out (0: none yet). */
struct fx_symbol_seq {
    char symbol[FX_SYMBOL_MAX + 1];
    int64_t last_seq;
};

/* A stored symbol (ListSymbols): its first and last tick and how many it has. */
struct fx_symbol_info {
    char symbol[FX_SYMBOL_MAX + 1];
    int64_t first_time_us, last_time_us;
    uint64_t tick_count;
};

struct fx_candle {
    char symbol[FX_SYMBOL_MAX + 1];
    int64_t bucket_us; /* start of the bucket (UTC microseconds) */
    double open, high, low, close;
    uint64_t tick_count;
    int64_t first_us, last_us; /* times of its first and last tick (the rollups' merge rule); 0 when unknown */
    int complete; /* the bucket's time is over */
    /* Grows with every write of the bucket's rows (a sequence of the database):
     * orders the states of one bucket whichever core sent them; 0 when unknown. */
    uint64_t version;
};

#endif
