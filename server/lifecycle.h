/*
 * The data lifecycle of fx-core: retention (RETENTION_DAYS drops whole old
 * days of ticks and seals them; CANDLE_RETENTION_DAYS deletes old candles)
 * and compaction (COMPRESSION_AFTER_DAYS turns old days' raw ticks into
 * chunks, tick_chunks.h), run as one "maintenance" pass, and the storage
 * report of what each symbol's days hold.
 *
 * A pass holds a PostgreSQL session advisory lock (FX_MAINTENANCE_LOCK_KEY)
 * for its whole run, so passes of several cores never overlap; each day it
 * drops or compacts is one transaction holding the lifecycle lock, so a kill
 * at any moment leaves every day as it was before or after, never between.
 *
 * Any thread with its own fx_db (the maintenance thread, an RPC worker).
 * Reports are the caller's; free them with the _free functions.
 */
#ifndef FX_LIFECYCLE_H
#define FX_LIFECYCLE_H

#include "server/db.h"
#include "fx/limits.h"

#include <stddef.h>
#include <stdint.h>

/* "fxmainte" in ASCII, above the int4 keys of the other advisory locks. */
#define FX_MAINTENANCE_LOCK_KEY 7383771854222029925LL

/* Ticks per compacted chunk: a read of a few ticks decodes at most two
 * chunks, and a chunk's row and index overhead is ~1 % of its bytes. */
#define FX_CHUNK_TICKS 1000

struct fx_lifecycle_policy {
    int retention_days; /* 0: keep ticks forever */
    int candle_retention_days; /* 0: keep candles forever */
    int compression_after_days; /* 0: never compact */
    /* asked before each day: nonzero ends the pass there (fx-core stopping),
     * the days done stay done; NULL: never */
    int (*stop)(void *arg);
    void *stop_arg;
};

enum fx_day_action { FX_DAY_DROPPED, FX_DAY_COMPACTED };

struct fx_day_report {
    int32_t day; /* days since 1970-01-01 (UTC) */
    enum fx_day_action action;
    uint64_t ticks;
    uint64_t bytes_before, bytes_after; /* the day's partitions */
    double seconds;
};

struct fx_maintenance_report {
    int dry_run; /* nothing was changed: what a pass would do now */
    struct fx_day_report *days; /* malloc'ed, in the order done */
    size_t ndays;
    uint32_t days_dropped, days_compacted;
    uint64_t ticks_dropped, ticks_compacted;
    uint64_t bytes_before, bytes_after; /* of the days dropped and compacted */
    uint64_t candles_dropped; /* rollup rows CANDLE_RETENTION_DAYS deleted */
    double seconds;
};

void fx_maintenance_report_free(struct fx_maintenance_report *r);

/* Runs one pass at `now_us`; FX_EBUSY when a pass (of any core) is running.
 * On failure the days done so far stay done and are in *out. */
int fx_maintenance_run(struct fx_db *db, const struct fx_lifecycle_policy *policy, int64_t now_us, int dry_run,
    struct fx_maintenance_report *out, char *err, size_t errlen);

enum fx_day_state { FX_DAY_RAW, FX_DAY_COMPACT, FX_DAY_SEALED };

const char *fx_day_state_name(enum fx_day_state s); /* "raw", "compact", "sealed" */

/* Consecutive days of one symbol in one state. */
struct fx_storage_range {
    char symbol[FX_SYMBOL_MAX + 1];
    int32_t first_day, last_day;
    enum fx_day_state state;
    uint32_t days;
    uint64_t ticks; /* stored now (sealed: 0) */
    uint64_t bytes; /* of the days' partitions, shared among symbols by their ticks */
};

/* The storage report, by symbol and day (malloc'ed *out, caller frees). */
int fx_storage_read(struct fx_db *db, struct fx_storage_range **out, size_t *n, char *err, size_t errlen);

#endif
