/*
 * The steps of tick writes inside a transaction the caller opened, shared by
 * tick_store.c (one request per transaction) and tick_group.c (a group of
 * single-tick requests in one). Called on the connection's own thread; all
 * return 0 or an FX_E* code with PostgreSQL's message in `err`.
 */
#ifndef FX_TICK_WRITE_H
#define FX_TICK_WRITE_H

#include "server/db.h"
#include "server/tick_store.h"

#include <stddef.h>
#include <stdint.h>

/* Takes the advisory locks of the distinct symbols of t[0..n), in symbol
 * order (so two writers never wait for each other in a cycle). */
int fx_tick_write_lock(struct fx_db *db, const struct fx_tick *t, size_t n, char *err, size_t errlen);

/* Stores the new ticks of t[0..n) (repeats of stored ticks, or within t,
 * are skipped: the first in t wins) with their seqs and candles; `out`
 * receives what was stored (fx_write_free it, also after a failure). The
 * symbols are locked and their partitions exist. `again`: a store ran in
 * this transaction before (its staged rows, which go at commit, are
 * cleared first). */
int fx_tick_write_store(struct fx_db *db, const struct fx_tick *t, size_t n, int again, struct fx_write *out,
    char *err, size_t errlen);

/* UPDATE one tick's price (or DELETE it: `delete_it`), without its
 * candles; *rows: 0 or 1. */
int fx_tick_write_edit(struct fx_db *db, int delete_it, const char *symbol, int64_t time_us, double price,
    uint64_t *rows, char *err, size_t errlen);

/* The answers of a create of a stored tick (FX_EEXIST) and of an edit of a
 * missing one (FX_ENOTFOUND), with their message in `err`: one wording for
 * every path. */
int fx_tick_exists_error(const char *symbol, char *err, size_t errlen);
int fx_tick_missing_error(const char *symbol, char *err, size_t errlen);

#endif
