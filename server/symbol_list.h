/*
 * The stored symbols (ListSymbols, GET /symbols): each with its first and
 * last tick time and its tick count, summed from the daily rollup
 * (candles_1d), which every write keeps current in its own transaction, so
 * the answer costs one row per symbol and day, never a read of the ticks.
 * Days whose ticks retention dropped (sealed) keep their candles but are
 * not counted: the answer describes the ticks still stored. Any thread that
 * owns `db`.
 */
#ifndef FX_SYMBOL_LIST_H
#define FX_SYMBOL_LIST_H

#include "base/arena.h"
#include "fx/tick.h"
#include "server/db.h"

#include <stddef.h>
#include <stdint.h>

/* At most `limit` symbols, by name, into *out (from `arena`, freed with it).
 * Returns 0 or an FX_E* code with the reason in `err`. */
int fx_symbols_list(struct fx_db *db, uint32_t limit, struct fx_arena *arena, struct fx_symbol_info **out, size_t *n,
    char *err, size_t errlen);

#endif
