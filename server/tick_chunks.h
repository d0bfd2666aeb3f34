/*
 * Compacted ticks (table tick_chunks, migrations/006) as the tick store sees
 * them: reads that merge chunks with raw ticks, and the preparation every
 * write and edit of an old day goes through. Maintenance (lifecycle.c)
 * makes the chunks; this module keeps them invisible to everyone else.
 *
 * The rule that keeps reads and edits exact: no raw tick of a symbol lies
 * within one of its chunks' [first_time, last_time]. A write that would
 * add, change or remove ticks there first decodes the chunks it touches back
 * into raw ticks ("inflates" them) in its own transaction, and then runs as
 * on a raw day; the next maintenance compacts the day again.
 *
 * Days maintenance may have touched are "settled": their end lies more
 * than FX_SETTLED_AFTER_US in the past. Maintenance touches a day no
 * earlier than a whole day after its end (COMPRESSION_AFTER_DAYS and
 * RETENTION_DAYS are at least 1), so writes of live ticks, whose days are
 * not settled, skip all of this: no extra statement on the hot path, and
 * half a day of margin for the clocks of different machines.
 *
 * Called by tick_store.c on a worker's connection, inside the write's
 * transaction, after the symbols' advisory locks: any thread with its own
 * fx_db.
 */
#ifndef FX_TICK_CHUNKS_H
#define FX_TICK_CHUNKS_H

#include "base/arena.h"
#include "fx/tick.h"
#include "server/db.h"

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#define FX_SETTLED_AFTER_US (12LL * 3600 * 1000000)

/* "fxlifecy" in ASCII (above the int4 keys of the other advisory locks):
 * maintenance holds it exclusively while it compacts or drops a day (one
 * transaction each), writes of settled days hold it shared, so a write
 * either sees a day as it was or as maintenance left it. */
#define FX_LIFECYCLE_LOCK_KEY 7383770789019214713LL

/* Whether the UTC day `day` (days since 1970-01-01) is settled at `now_us`. */
int fx_day_settled(int32_t day, int64_t now_us);

/* The ticks of `symbol` a write or an edit touches: [from_us, to_us]. */
struct fx_tick_span {
    const char *symbol;
    int64_t from_us, to_us;
};

/* Makes the spans writable, inside the write's transaction: when one of
 * them reaches a settled day, takes the lifecycle lock shared, refuses a
 * write into a sealed day (FX_ESEALED, the day named in `err`) and inflates
 * the chunks overlapping the spans. A no-op (no statement) when no span
 * reaches a settled day. */
int fx_chunks_before_write(struct fx_db *db, const struct fx_tick_span *spans, size_t n, int64_t now_us, char *err,
    size_t errlen);

/* FX_ESEALED naming the first sealed day the span reaches; no lock, no
 * change (a check before work done in several transactions). */
int fx_chunks_check_sealed(struct fx_db *db, const struct fx_tick_span *span, char *err, size_t errlen);

/* *count receives how many ticks lie in [start_us, end_us), from the rows
 * of FX_TICKS_COUNT_SQL (one statement, one snapshot: the raw count, then
 * the chunks, those the range cuts decoded to count). Clears `res`. */
int fx_chunks_count_rows(PGresult *res, int64_t start_us, int64_t end_us, uint64_t *count, char *err, size_t errlen);

#define FX_TICKS_COUNT_SQL                                                                                         \
    "SELECT count(*), NULL::int4, NULL::bytea FROM ticks WHERE symbol = $1 AND time >= $2 AND time < $3"           \
    " UNION ALL SELECT NULL, tick_count, CASE WHEN first_time < $2 OR last_time >= $3 THEN data END"              \
    " FROM tick_chunks WHERE symbol = $1 AND first_time < $3 AND last_time >= $2"                                  \
    " AND first_time > $2 - interval '1 day'"

/* *sealed receives whether `day` is sealed (its ticks were dropped). */
int fx_chunks_day_sealed(struct fx_db *db, int32_t day, int *sealed, char *err, size_t errlen);

/* The same for a range delete of [start_us, end_us) of `symbol`, whose
 * candles are recomputed by whole minutes afterwards: deletes the chunks
 * lying wholly inside the range (*deleted receives their ticks) and
 * inflates those overlapping its minutes. */
int fx_chunks_before_delete(struct fx_db *db, const char *symbol, int64_t start_us, int64_t end_us, int64_t now_us,
    uint64_t *deleted, char *err, size_t errlen);

/* The span of an edit of `symbol` at [from_us, to_us]: whole minutes, since
 * the candle recompute after it reads whole minutes of raw ticks. */
struct fx_tick_span fx_chunks_edit_span(const char *symbol, int64_t from_us, int64_t to_us);

/* Writes the ticks of the chunks in `res` (columns: symbol, data) back
 * into ticks, as raw rows with their seqs; the caller deleted the chunks
 * in the same transaction (maintenance re-compacting a day does too). */
int fx_chunks_write_back(struct fx_db *db, PGresult *res, char *err, size_t errlen);

/*
 * The reads. Their statements (tick_store.c) return raw ticks and chunks in
 * one result, so one snapshot: rows of (time, price, seq, data) where data
 * is NULL for a raw tick and a chunk's blob otherwise. These decode the
 * chunks and merge, into arena memory (*out, *n).
 */

/* By time: the ticks in [start_us, end_us), `offset` skipped, at most `limit`. */
int fx_chunks_merge_by_time(PGresult *res, const char *symbol, int64_t start_us, int64_t end_us, uint64_t offset,
    uint32_t limit, struct fx_arena *arena, struct fx_tick **out, size_t *n, char *err, size_t errlen);

/* By seq: the ticks with seq > after_seq, at most `limit`. */
int fx_chunks_merge_by_seq(PGresult *res, const char *symbol, int64_t after_seq, uint32_t limit,
    struct fx_arena *arena, struct fx_tick **out, size_t *n, char *err, size_t errlen);

/* SQL of the chunk half of those reads, for tick_store.c's statements:
 * the chunks of symbol $1 overlapping [$2, $3) (a chunk lies within one
 * day, hence the bound that prunes partitions), and of those the ones that
 * may hold one of the first $4 + $5 ticks. When no chunk is returned the
 * raw half applied the offset $5 itself (fx_chunks_merge_by_time). */
#define FX_CHUNKS_IN_RANGE_SQL                                                                                     \
    "SELECT 1 FROM tick_chunks WHERE symbol = $1 AND first_time < $3 AND last_time >= $2"                          \
    " AND first_time > $2 - interval '1 day'"
#define FX_CHUNKS_BY_TIME_SQL                                                                                      \
    "SELECT first_time, NULL::float8, NULL::int8, data FROM ("                                                     \
    " SELECT first_time, data, coalesce(sum(tick_count) FILTER (WHERE first_time >= $2) OVER (ORDER BY first_time" \
    "  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before"                                            \
    " FROM tick_chunks WHERE symbol = $1 AND first_time < $3 AND last_time >= $2"                                  \
    "  AND first_time > $2 - interval '1 day') c WHERE before < $4 + $5"

/* Chunks wholly after earlier ones that hold `limit` ticks after the seq
 * cannot hold any of the first `limit`: they are left out. */
#define FX_CHUNKS_BY_SEQ_SQL                                                                                       \
    "SELECT first_time, NULL::float8, NULL::int8, data FROM ("                                                     \
    " SELECT first_time, seq_min, data, max(seq_max) OVER w AS max_before,"                                        \
    "  coalesce(sum(tick_count) FILTER (WHERE seq_min > $2) OVER w, 0) AS full_before"                             \
    " FROM tick_chunks WHERE symbol = $1 AND seq_max > $2 AND first_time >= $4 AND first_time < $5"               \
    " WINDOW w AS (ORDER BY seq_min ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) c"                          \
    " WHERE NOT (coalesce(max_before < seq_min, true) AND full_before >= $3)"

#endif
