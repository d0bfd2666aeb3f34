/*
 * Tick storage in PostgreSQL: the SQL of every tick operation. Inputs are
 * validated by the caller (base/symbol.h, base/tick_rules.h); these functions
 * only store and read.
 * All return 0 or a negative FX_E* code with PostgreSQL's message in `err`.
 */
#ifndef FX_TICK_STORE_H
#define FX_TICK_STORE_H

#include "base/arena.h"
#include "server/candle_store.h"
#include "server/db.h"
#include "server/request_keys.h"
#include "fx/tick.h"

#include <stddef.h>
#include <stdint.h>

/* What a write stored, for the live feed after its commit. Every stored
 * tick gets its symbol's next seq in the write's transaction, under the
 * symbol's advisory lock: per symbol, seq follows the commit order. */
struct fx_write {
    uint64_t created; /* new ticks; the rest were duplicates, skipped */
    struct fx_tick *ticks; /* the new ticks (`created` of them) */
    struct fx_candle_update *candles; /* the rollup candles they changed */
    size_t ncandles;
    int replayed; /* a resend of a keyed request that ran already: nothing was stored now (ticks NULL),
                     `created` is what the first run stored */
};

void fx_write_free(struct fx_write *w);

/* FX_EEXIST when (symbol, time) is stored already. `out` and `key` as below. */
int fx_tick_insert(struct fx_db *db, const struct fx_tick *t, const struct fx_request_key *key, struct fx_write *out,
    char *err, size_t errlen);

/* Stores `n` ticks and their candles in one transaction, creating any
 * missing daily partitions first. `out` receives what was stored (free it
 * with fx_write_free, also after a failure). The writes take a request key
 * (server/request_keys.h; NULL: none): a write whose key ran already
 * changes nothing and answers what that run did. */
int fx_ticks_insert_bulk(struct fx_db *db, const struct fx_tick *t, size_t n, const struct fx_request_key *key,
    struct fx_write *out, char *err, size_t errlen);

/* Ticks of `symbol` in [start_us, end_us) by time. *out comes from `arena`
 * (it goes with it), *n is its length. */
int fx_ticks_select(struct fx_db *db, const char *symbol, int64_t start_us, int64_t end_us, uint32_t limit,
    uint32_t offset, struct fx_arena *arena, struct fx_tick **out, size_t *n, char *err, size_t errlen);

/* The ticks of `symbol` stored after `after_seq` (seq > after_seq), by seq,
 * at most `limit`; arena memory as above. */
int fx_ticks_after(struct fx_db *db, const char *symbol, int64_t after_seq, uint32_t limit, struct fx_arena *arena,
    struct fx_tick **out, size_t *n, char *err, size_t errlen);

/* The last seq handed out of each of `symbols` that has one (n = 0: of every
 * symbol, at most `limit`), by symbol; arena memory as above. */
int fx_last_seqs(struct fx_db *db, const char *const *symbols, size_t n, uint32_t limit, struct fx_arena *arena,
    struct fx_symbol_seq **out, size_t *count, char *err, size_t errlen);

/* Marks in sealed[i] whether t[i] lies in a sealed day (retention dropped
 * its ticks; writes there fail with FX_ESEALED). */
int fx_ticks_sealed(struct fx_db *db, const struct fx_tick *t, size_t n, unsigned char *sealed, char *err,
    size_t errlen);

/* FX_ENOTFOUND when there is no such tick. */
int fx_tick_update_price(struct fx_db *db, const char *symbol, int64_t time_us, double price,
    const struct fx_request_key *key, char *err, size_t errlen);
int fx_tick_delete(struct fx_db *db, const char *symbol, int64_t time_us, const struct fx_request_key *key,
    char *err, size_t errlen);

/* Deletes [start_us, end_us); *deleted receives the count. */
int fx_ticks_delete_range(struct fx_db *db, const char *symbol, int64_t start_us, int64_t end_us,
    const struct fx_request_key *key, uint64_t *deleted, char *err, size_t errlen);

#endif
