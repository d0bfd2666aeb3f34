/*
 * Candle rollups in PostgreSQL: merging a write's partial candles, recomputing
 * buckets after edits, and answering candle queries from the coarsest rollup
 * whose buckets divide the requested ones. Called inside the write's
 * transaction by tick_store.c, so candles change atomically with the ticks.
 */
#ifndef FX_CANDLE_STORE_H
#define FX_CANDLE_STORE_H

#include "base/arena.h"
#include "base/resolution.h"
#include "fx/tick.h"
#include "server/db.h"

#include <stddef.h>
#include <stdint.h>

/* A rollup candle changed by a write (complete is not set; version is the
 * row's new one). */
struct fx_candle_update {
    enum fx_rollup rollup;
    struct fx_candle candle;
};

/* Empties the session's partial candles (they go at commit): before a
 * second fx_candles_add_ticks in one transaction. */
int fx_candles_reset(struct fx_db *db, char *err, size_t errlen);

/* Adds the `n` newly stored ticks to the 1m, 1h and 1d rollups. *updates
 * (malloc'ed, caller frees) and *nupdates receive the candles as merged. */
int fx_candles_add_ticks(struct fx_db *db, const struct fx_tick *ticks, size_t n,
    struct fx_candle_update **updates, size_t *nupdates, char *err, size_t errlen);

/* Recomputes the rollup buckets of `symbol` covering [from_us, to_us]. */
int fx_candles_recompute(struct fx_db *db, const char *symbol, int64_t from_us, int64_t to_us, char *err,
    size_t errlen);

struct fx_candle_query {
    char symbol[FX_SYMBOL_MAX + 1];
    const struct fx_resolution *resolution; /* from fx_resolution_by_name */
    int64_t start_us, end_us; /* buckets whose start lies in [start, end) */
    char time_zone[64]; /* IANA name; "" or "UTC" for UTC */
    int day_start_minute; /* 0..1439, in time_zone */
    uint32_t limit;
    int fill_prev; /* every bucket of the range, empty ones carrying the previous close */
};

/* Checks `name` against PostgreSQL's time zone database; writes its
 * canonical spelling and whether its offsets are whole hours. FX_EINVAL if
 * unknown. Results are cached per process. */
int fx_time_zone_lookup(struct fx_db *db, const char *name, char canonical[64], int *whole_hours, char *err,
    size_t errlen);

/* The table of a rollup level: "candles_1m", "candles_1h", "candles_1d". */
const char *fx_rollup_table(enum fx_rollup rollup);

/* Runs the query; *candles comes from `arena` (it goes with it), *n is its
 * length. */
int fx_candles_select(struct fx_db *db, const struct fx_candle_query *q, struct fx_arena *arena,
    struct fx_candle **candles, size_t *n, char *err, size_t errlen);

/* The rollup candle of `rollup` holding `bucket_us`, or, for a width that is
 * not the rollup's own, the sum of that rollup's rows in
 * [bucket_us, bucket_us + width_us), as stored now (version: the highest
 * of the rows). Returns 0 with *out (complete not set), FX_ENOTFOUND when
 * there are none, or an FX_E*. */
int fx_candle_read(struct fx_db *db, enum fx_rollup rollup, const char *symbol, int64_t bucket_us,
    int64_t width_us, struct fx_candle *out, char *err, size_t errlen);

/* Every symbol's rows of `rollup` whose bucket lies in [from_us, to_us), as
 * stored now, by bucket (the candle leader closes ended buckets with them).
 * *out (malloc'ed, caller frees; complete not set) and *n receive them. */
int fx_candles_scan(struct fx_db *db, enum fx_rollup rollup, int64_t from_us, int64_t to_us,
    struct fx_candle **out, size_t *n, char *err, size_t errlen);

/* The symbols with rows of `rollup` in [from_us, to_us), each once: the
 * candles to read back (fx_candle_read) when a custom day ends. *symbols
 * (malloc'ed, caller frees) and *n receive them. */
int fx_candles_symbols(struct fx_db *db, enum fx_rollup rollup, int64_t from_us, int64_t to_us,
    char (**symbols)[FX_SYMBOL_MAX + 1], size_t *n, char *err, size_t errlen);

#endif
