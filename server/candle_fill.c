#include "server/candle_fill.h"

#include "base/calendar.h"
#include "base/errors.h"
#include "server/pg_codec.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * The bucket starts of [start, end) as the query bins them, whether each has
 * ended, and the close of the last tick before the first of them: the
 * latest rollup row ending by then, from whichever rollup still holds it
 * (old minute rows may have been dropped). %1$s is the grid (below), %2$s
 * %3$s %4$s the minute, hour and day rollup tables.
 */
static const char fill_sql[]
    = "WITH r AS (%1$s),"
      " f AS (SELECT min(bstart) AS t FROM r),"
      " p AS ("
      "  (SELECT c.bucket + interval '1 minute' AS e, c.close FROM %2$s c, f"
      "   WHERE c.symbol = $1 AND c.bucket <= f.t - interval '1 minute' ORDER BY c.bucket DESC LIMIT 1)"
      "  UNION ALL (SELECT c.bucket + interval '1 hour', c.close FROM %3$s c, f"
      "   WHERE c.symbol = $1 AND c.bucket <= f.t - interval '1 hour' ORDER BY c.bucket DESC LIMIT 1)"
      "  UNION ALL (SELECT c.bucket + interval '1 day', c.close FROM %4$s c, f"
      "   WHERE c.symbol = $1 AND c.bucket <= f.t - interval '1 day' ORDER BY c.bucket DESC LIMIT 1))"
      " SELECT r.bstart, r.ended, (SELECT p.close FROM p ORDER BY p.e DESC LIMIT 1)"
      " FROM r ORDER BY r.bstart";

/* Days and weeks: local day starts back in the zone, as candle_store.c's
 * boundaries (a local day always exists, so the series is the buckets). */
static const char day_grid_sql[]
    = "SELECT d AT TIME ZONE $2 AS bstart, (d + $5::interval) AT TIME ZONE $2 <= now() AS ended"
      " FROM generate_series(date_bin($5::interval, $3::timestamptz AT TIME ZONE $2,"
      "                                timestamp '2000-01-02' + make_interval(mins => $6::int)),"
      "                       $4::timestamptz AT TIME ZONE $2, $5::interval) d"
      " WHERE d AT TIME ZONE $2 >= $3 AND d AT TIME ZONE $2 < $4";

/* Shorter buckets: a series of instants ($7 apart, no more than the
 * shortest a bucket can be: across a clock change a local bucket may be
 * shorter by the change, or a local time happen twice) keyed to their
 * buckets exactly as candle_store.c's regrouping keys rollup rows; the
 * distinct keys are the buckets. A local series would miss the repeated
 * hour of a fall-back change and name a skipped one twice. */
static const char subday_grid_sql[]
    = "SELECT bk AS bstart, bool_and(bend <= now()) AS ended FROM ("
      "  SELECT CASE WHEN (bloc AT TIME ZONE $2) <= t THEN bloc AT TIME ZONE $2 ELSE t - (loc - bloc) END AS bk,"
      "         (bloc + $5::interval) AT TIME ZONE $2 AS bend FROM ("
      "    SELECT t, loc, date_bin($5::interval, loc, timestamp '2000-01-02' + make_interval(mins => $6::int)) AS bloc"
      "    FROM (SELECT t, t AT TIME ZONE $2 AS loc"
      "          FROM generate_series($3::timestamptz - $5::interval, $4::timestamptz, $7::interval) t) a) b) k"
      " WHERE bk >= $3 AND bk < $4 GROUP BY bk";

/* The step of the sub-day series: a bucket's width in UTC; in other zones
 * at most the smallest clock change there (an hour where offsets are whole
 * hours, else a quarter of an hour). */
static int64_t subday_step_us(int64_t width_us, int utc, int whole_hours)
{
    int64_t change = utc ? width_us : whole_hours ? FX_US_PER_HOUR : 15 * FX_US_PER_MINUTE;
    return width_us < change ? width_us : change;
}

static struct fx_candle empty_bucket(const char *symbol, int64_t bucket_us, double price, int complete)
{
    struct fx_candle c = { .bucket_us = bucket_us,
        .open = price,
        .high = price,
        .low = price,
        .close = price,
        .complete = complete };
    snprintf(c.symbol, sizeof c.symbol, "%s", symbol);
    return c;
}

int fx_candles_fill_prev(struct fx_db *db, const struct fx_candle_query *q, const char *tz, int whole_hours,
    const struct fx_candle *real, size_t n, struct fx_arena *arena, struct fx_candle **out, size_t *nout,
    char *err, size_t errlen)
{
    int64_t width_us = q->resolution->width_us;
    int days = width_us >= FX_US_PER_DAY;
    char sql[sizeof fill_sql + sizeof subday_grid_sql + 64];
    snprintf(sql, sizeof sql, fill_sql, days ? day_grid_sql : subday_grid_sql,
        fx_rollup_table(FX_ROLLUP_MINUTE), fx_rollup_table(FX_ROLLUP_HOUR), fx_rollup_table(FX_ROLLUP_DAY));
    char start[8], end[8], width[32], ds[16], step[32];
    fx_pg_put_time(start, q->start_us);
    fx_pg_put_time(end, q->end_us);
    snprintf(width, sizeof width, "%lld microseconds", (long long)width_us);
    snprintf(ds, sizeof ds, "%d", q->day_start_minute);
    snprintf(step, sizeof step, "%lld microseconds",
        (long long)subday_step_us(width_us, strcmp(tz, "UTC") == 0, whole_hours));
    const char *values[7] = { q->symbol, tz, start, end, width, ds, step };
    int lengths[7] = { 0, 0, 8, 8, 0, 0, 0 }, formats[7] = { 0, 0, 1, 1, 0, 0, 0 };
    const Oid types[7] = { 25, 25, 1184, 1184, 0, 0, 0 };
    PGresult *res = PQexecParams(db->conn, sql, days ? 6 : 7, types, values, lengths, formats, 1);
    int rc = fx_db_rows(db, res, err, errlen);
    if (rc) return rc;
    size_t buckets = (size_t)PQntuples(res);
    struct fx_candle *filled = fx_arena_calloc(arena, buckets + n + 1, sizeof *filled);
    if (filled == NULL) {
        PQclear(res);
        return FX_ENOMEM;
    }
    int have_price = buckets > 0 && !PQgetisnull(res, 0, 2);
    double price = have_price ? fx_pg_get_f64(PQgetvalue(res, 0, 2)) : 0;
    size_t m = 0, j = 0;
    for (size_t i = 0; i < buckets && m < q->limit; i++) {
        int64_t from = fx_pg_get_time(PQgetvalue(res, (int)i, 0));
        int64_t to = i + 1 < buckets ? fx_pg_get_time(PQgetvalue(res, (int)i + 1, 0)) : INT64_MAX;
        /* a real candle of this bucket (around a fall-back change it may
         * start at the earlier of two instants of one local time) */
        int any = 0;
        for (; j < n && real[j].bucket_us < to && m < q->limit; j++, any = 1) {
            filled[m++] = real[j];
            price = real[j].close, have_price = 1;
        }
        if (!any && have_price)
            filled[m++] = empty_bucket(q->symbol, from, price, PQgetvalue(res, (int)i, 1)[0] != 0);
    }
    PQclear(res);
    *out = filled;
    *nout = m;
    return 0;
}
