/*
 * Candle rollups in PostgreSQL: merging a write's partial candles, recomputing
 * buckets after edits, and answering candle queries from the coarsest rollup
 * whose buckets divide the requested ones. Called inside the write's
 * transaction by tick_store.c, so candles change atomically with the ticks.
 */
#ifndef FX_CANDLE_STORE_H
#define FX_CANDLE_STORE_H

#include "server/candles.h"
#include "server/db.h"

#include <stddef.h>
#include <stdint.h>

#define FX_CANDLES_MAX 100000 /* most candles one query may span */

/* Creates the session's staging table (called by fx_db_ensure). */
int fx_candle_store_prepare(struct fx_db *db, char *err, size_t errlen);

struct fx_candle_row {
    int64_t bucket_us;
    double open, high, low, close;
    uint64_t count;
    int complete;
};

/* A rollup candle changed by a write: level 0 minute, 1 hour, 2 day. */
struct fx_candle_update {
    int level;
    char symbol[FX_SYMBOL_MAX + 1];
    struct fx_candle_row row;
};

/* Adds the `n` newly stored ticks to the 1m, 1h and 1d rollups. *updates
 * (malloc'ed, caller frees) and *nupdates receive the candles as merged. */
int fx_candles_add_ticks(struct fx_db *db, const struct fx_tick *ticks, size_t n,
    struct fx_candle_update **updates, size_t *nupdates, char *err, size_t errlen);

/* Recomputes the rollup buckets of `symbol` covering [from_us, to_us]. */
int fx_candles_recompute(struct fx_db *db, const char *symbol, int64_t from_us, int64_t to_us, char *err,
    size_t errlen);

struct fx_candle_query {
    char symbol[FX_SYMBOL_MAX + 1];
    int64_t width_us; /* from fx_resolution_width */
    int64_t start_us, end_us; /* buckets whose start lies in [start, end) */
    char time_zone[64]; /* IANA name; "" or "UTC" for UTC */
    int day_start_minute; /* 0..1439, in time_zone */
    uint32_t limit;
};

/* Width of a resolution name ("1m" .. "1w"), or 0 if unknown. */
int64_t fx_resolution_width(const char *name);

/* The comma-separated list of resolution names, for error messages. */
const char *fx_resolution_names(void);

/* Checks `name` against PostgreSQL's time zone database; writes its
 * canonical spelling and whether its offsets are whole hours. FX_EINVAL if
 * unknown. Results are cached per process. */
int fx_time_zone_lookup(struct fx_db *db, const char *name, char canonical[64], int *whole_hours, char *err,
    size_t errlen);

/* Runs the query; *rows is malloc'ed (caller frees), *n its length. */
int fx_candles_select(struct fx_db *db, const struct fx_candle_query *q, struct fx_candle_row **rows, size_t *n,
    char *err, size_t errlen);

#endif
