#include "server/candle_store.h"

#include "base/calendar.h"
#include "base/errors.h"
#include "base/log.h"
#include "fx/limits.h"
#include "server/candle_fill.h"
#include "server/candles.h"
#include "server/pg_codec.h"
#include "server/pg_copy.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const rollup_tables[FX_ROLLUPS] = { "candles_1m", "candles_1h", "candles_1d" };

const char *fx_rollup_table(enum fx_rollup rollup) { return rollup_tables[rollup]; }

/* One rollup row, or the sum of a range of them (a custom day is 24 hourly
 * rows, its version the highest of theirs): read back after a commit and
 * when the leader closes a bucket. */
static const char read_one_sql[]
    = "SELECT open, high, low, close, tick_count, version FROM %s WHERE symbol = $1 AND bucket = $2";
static const char read_sum_sql[]
    = "SELECT (array_agg(open ORDER BY bucket))[1], max(high), min(low), (array_agg(close ORDER BY bucket DESC))[1],"
      " sum(tick_count)::int8, max(version) FROM %s WHERE symbol = $1 AND bucket >= $2 AND bucket < $3"
      " HAVING count(*) > 0";

/* The session's staging table of partial candles, and the statements every
 * write runs (prepared: parsing them costs more than running them). */
static int candle_store_prepare(struct fx_db *db, char *err, size_t errlen)
{
    int rc = fx_db_exec(db,
        "CREATE TEMP TABLE IF NOT EXISTS candle_delta (level int4, symbol text, bucket timestamptz,"
        " open float8, high float8, low float8, close float8, tick_count int8,"
        " first_time timestamptz, last_time timestamptz) ON COMMIT DELETE ROWS",
        err, errlen);
    if (rc == 0)
        rc = fx_db_prepare(db, "candles_merge_delta", "SELECT * FROM fx_candles_merge_delta()", 0, NULL, err, errlen);
    static const Oid types[3] = { 25, 1184, 1184 };
    for (int l = 0; rc == 0 && l < FX_ROLLUPS; l++) {
        char name[64], sql[512];
        snprintf(name, sizeof name, "candle_read_one_%d", l);
        snprintf(sql, sizeof sql, read_one_sql, rollup_tables[l]);
        rc = fx_db_prepare(db, name, sql, 2, types, err, errlen);
        snprintf(name, sizeof name, "candle_read_sum_%d", l);
        snprintf(sql, sizeof sql, read_sum_sql, rollup_tables[l]);
        if (rc == 0) rc = fx_db_prepare(db, name, sql, 3, types, err, errlen);
    }
    return rc;
}

FX_DB_SETUP(candle_store_prepare)

#define CANDLE_TUPLE_MAX FX_PG_COPY_TUPLE_BYTES(10, 4 + FX_SYMBOL_MAX + 9 * 8)

/* The write's partial candles of every rollup into candle_delta. */
static int copy_deltas(struct fx_db *db, struct fx_candle *const levels[FX_ROLLUPS], const size_t counts[FX_ROLLUPS],
    char *err, size_t errlen)
{
    size_t total = 0;
    for (int l = 0; l < FX_ROLLUPS; l++) total += counts[l];
    struct fx_pg_copy copy;
    if (fx_pg_copy_begin(&copy, total, CANDLE_TUPLE_MAX) != 0) return FX_ENOMEM;
    for (int l = 0; l < FX_ROLLUPS; l++) {
        for (size_t i = 0; i < counts[l]; i++) {
            const struct fx_candle *c = &levels[l][i];
            fx_pg_copy_tuple(&copy, 10);
            fx_pg_copy_int4(&copy, l);
            fx_pg_copy_text(&copy, c->symbol);
            fx_pg_copy_time(&copy, c->bucket_us);
            fx_pg_copy_float8(&copy, c->open);
            fx_pg_copy_float8(&copy, c->high);
            fx_pg_copy_float8(&copy, c->low);
            fx_pg_copy_float8(&copy, c->close);
            fx_pg_copy_int8(&copy, (int64_t)c->tick_count);
            fx_pg_copy_time(&copy, c->first_us);
            fx_pg_copy_time(&copy, c->last_us);
        }
    }
    return fx_pg_copy_send(db, "COPY candle_delta FROM STDIN (FORMAT binary)", &copy, err, errlen);
}

/* The one reader of candle columns: open, high, low, close (float8) and
 * tick_count (int8) from column `col` on, binary. */
static void decode_ohlc(const PGresult *res, int row, int col, struct fx_candle *c)
{
    c->open = fx_pg_get_f64(PQgetvalue(res, row, col));
    c->high = fx_pg_get_f64(PQgetvalue(res, row, col + 1));
    c->low = fx_pg_get_f64(PQgetvalue(res, row, col + 2));
    c->close = fx_pg_get_f64(PQgetvalue(res, row, col + 3));
    c->tick_count = (uint64_t)fx_pg_get_i64(PQgetvalue(res, row, col + 4));
}

/* Reads fx_candles_merge_delta()'s rows (binary): level, symbol, bucket,
 * the candle, its version. */
static int read_updates(struct fx_db *db, struct fx_candle_update **updates, size_t *nupdates, char *err,
    size_t errlen)
{
    PGresult *res = PQexecPrepared(db->conn, "candles_merge_delta", 0, NULL, NULL, NULL, 1);
    int rc = fx_db_rows(db, res, err, errlen);
    if (rc) return rc;
    size_t n = (size_t)PQntuples(res);
    struct fx_candle_update *u = calloc(n ? n : 1, sizeof *u);
    if (u == NULL) {
        PQclear(res);
        return FX_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        int r = (int)i;
        u[i].rollup = (enum fx_rollup)fx_pg_get_i32(PQgetvalue(res, r, 0));
        snprintf(u[i].candle.symbol, sizeof u[i].candle.symbol, "%.*s", PQgetlength(res, r, 1), PQgetvalue(res, r, 1));
        u[i].candle.bucket_us = fx_pg_get_time(PQgetvalue(res, r, 2));
        decode_ohlc(res, r, 3, &u[i].candle);
        u[i].candle.version = (uint64_t)fx_pg_get_i64(PQgetvalue(res, r, 8));
    }
    PQclear(res);
    *updates = u;
    *nupdates = n;
    return 0;
}

int fx_candles_reset(struct fx_db *db, char *err, size_t errlen)
{
    return fx_db_exec(db, "DELETE FROM candle_delta", err, errlen);
}

int fx_candles_add_ticks(struct fx_db *db, const struct fx_tick *ticks, size_t n,
    struct fx_candle_update **updates, size_t *nupdates, char *err, size_t errlen)
{
    *updates = NULL;
    *nupdates = 0;
    if (n == 0) return 0;
    uint32_t *order = malloc(n * sizeof *order);
    struct fx_candle *levels[FX_ROLLUPS];
    size_t counts[FX_ROLLUPS];
    int ok = order != NULL;
    for (int l = 0; l < FX_ROLLUPS; l++) ok &= (levels[l] = malloc(n * sizeof(struct fx_candle))) != NULL;
    int rc = FX_ENOMEM;
    if (ok) {
        fx_ticks_order(ticks, n, order);
        for (int l = 0; l < FX_ROLLUPS; l++)
            counts[l] = fx_candles_build(ticks, order, n, fx_rollup_width((enum fx_rollup)l), levels[l]);
        rc = copy_deltas(db, levels, counts, err, errlen);
        if (rc == 0) rc = read_updates(db, updates, nupdates, err, errlen);
    }
    free(order);
    for (int l = 0; l < FX_ROLLUPS; l++) free(levels[l]);
    return rc;
}

int fx_candles_recompute(struct fx_db *db, const char *symbol, int64_t from_us, int64_t to_us, char *err,
    size_t errlen)
{
    char t0[8], t1[8];
    fx_pg_put_time(t0, from_us);
    fx_pg_put_time(t1, to_us);
    const char *values[3] = { symbol, t0, t1 };
    int lengths[3] = { (int)strlen(symbol), 8, 8 };
    int formats[3] = { 0, 1, 1 };
    const Oid types[3] = { 25, 1184, 1184 };
    PGresult *res = PQexecParams(db->conn, "SELECT fx_candles_recompute($1, $2, $3)", 3, types, values, lengths,
        formats, 1);
    int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : fx_db_error(db, res, err, errlen);
    PQclear(res);
    return rc;
}

/* ---- queries ------------------------------------------------------------ */

/* Time zones looked up so far: PostgreSQL's pg_timezone_names view reads
 * the whole zone database, far too slow for every query. */
#define TZ_CACHE_MAX 64
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char name[64], canonical[64];
    int whole_hours;
} tz_cache[TZ_CACHE_MAX];
static int tz_cached;

static int tz_cache_get(const char *name, char canonical[64], int *whole_hours)
{
    int found = 0;
    pthread_mutex_lock(&tz_lock);
    for (int i = 0; i < tz_cached && !found; i++) {
        if (strcasecmp(tz_cache[i].name, name) == 0) {
            memcpy(canonical, tz_cache[i].canonical, 64);
            *whole_hours = tz_cache[i].whole_hours;
            found = 1;
        }
    }
    pthread_mutex_unlock(&tz_lock);
    return found;
}

static void tz_cache_put(const char *name, const char *canonical, int whole_hours)
{
    pthread_mutex_lock(&tz_lock);
    if (tz_cached < TZ_CACHE_MAX) {
        snprintf(tz_cache[tz_cached].name, 64, "%s", name);
        snprintf(tz_cache[tz_cached].canonical, 64, "%s", canonical);
        tz_cache[tz_cached].whole_hours = whole_hours;
        tz_cached++;
    }
    pthread_mutex_unlock(&tz_lock);
}

int fx_time_zone_lookup(struct fx_db *db, const char *name, char canonical[64], int *whole_hours, char *err,
    size_t errlen)
{
    if (name[0] == '\0' || strcasecmp(name, "UTC") == 0) {
        snprintf(canonical, 64, "UTC");
        *whole_hours = 1;
        return 0;
    }
    /* IANA names are ASCII letters, digits and / _ - + ("Etc/GMT+5",
     * "America/Port-au-Prince"): anything else is refused here, before it
     * can reach PostgreSQL (which would answer invalid UTF-8 with an error
     * of its own). */
    size_t len = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_-+");
    if (len >= 64 || name[len] != '\0') {
        snprintf(err, errlen, "tz: unknown time zone (expected an IANA name such as America/New_York)");
        return FX_EINVAL;
    }
    if (tz_cache_get(name, canonical, whole_hours)) return 0;
    const char *values[1] = { name };
    /* Whole hours now and at both solstices: the zone's standard and
     * daylight offsets (a 30-minute DST shift counts as not whole). */
    PGresult *res = PQexecParams(db->conn,
        "SELECT name, bool_and(extract(minute FROM (timestamp '2025-01-15' AT TIME ZONE name)"
        "   - (timestamp '2025-01-15' AT TIME ZONE 'UTC')) = 0"
        "  AND extract(minute FROM (timestamp '2025-07-15' AT TIME ZONE name)"
        "   - (timestamp '2025-07-15' AT TIME ZONE 'UTC')) = 0)"
        " FROM pg_timezone_names WHERE lower(name) = lower($1) GROUP BY name LIMIT 1",
        1, NULL, values, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = fx_db_error(db, res, err, errlen);
    } else if (PQntuples(res) == 0) {
        snprintf(err, errlen, "tz: unknown time zone \"%s\" (expected an IANA name such as America/New_York)",
            name);
        rc = FX_EINVAL;
    } else {
        snprintf(canonical, 64, "%s", PQgetvalue(res, 0, 0));
        *whole_hours = PQgetvalue(res, 0, 1)[0] == 't';
        tz_cache_put(name, canonical, *whole_hours);
    }
    PQclear(res);
    return rc;
}

/* The finest-grained rollup level that still has to be read: the coarsest
 * whose buckets tile the requested ones. */
static enum fx_rollup source_rollup(const struct fx_candle_query *q, int whole_hours, int utc)
{
    enum fx_rollup r = q->resolution->rollup;
    if (r == FX_ROLLUP_DAY && !(utc && q->day_start_minute == 0)) r = FX_ROLLUP_HOUR;
    if (r == FX_ROLLUP_HOUR && !(whole_hours && q->day_start_minute % 60 == 0)) r = FX_ROLLUP_MINUTE;
    return r;
}

/* Direct reads: the requested buckets are the rollup's own. */
static const char direct_sql[] = "SELECT bucket, open, high, low, close, tick_count, bucket + $5::interval <= now(),"
                                 " version FROM %s WHERE symbol = $1 AND bucket >= $3 AND bucket < $4"
                                 " ORDER BY bucket LIMIT $6";

/*
 * Regrouping: each source row's local wall time `loc` is binned from the
 * day start (date_bin from a Sunday, so weeks start on Sunday); the bucket
 * start is that local time back in the zone. Around a fall-back change a
 * local start can name the later of two instants (after the row): then the
 * bucket starts at the row's instant minus its wall-clock distance from the
 * local start, i.e. at the earlier occurrence. Days are 23 or 25 hours long
 * on change days, as wall-clock days are.
 */
static const char regroup_sql[]
    = "WITH src AS ("
      "  SELECT c.*, c.bucket AT TIME ZONE $2 AS loc FROM %s c"
      "  WHERE c.symbol = $1 AND c.bucket >= $3 AND c.bucket < $4::timestamptz + $5::interval + interval '1 day'),"
      " binned AS ("
      "  SELECT src.*, date_bin($5::interval, loc, timestamp '2000-01-02' + make_interval(mins => $7::int)) AS bloc"
      "  FROM src),"
      " keyed AS ("
      "  SELECT binned.*, CASE WHEN (bloc AT TIME ZONE $2) <= bucket THEN bloc AT TIME ZONE $2"
      "                        ELSE bucket - (loc - bloc) END AS bk FROM binned)"
      " SELECT bk, (array_agg(open ORDER BY first_time))[1], max(high), min(low),"
      "        (array_agg(close ORDER BY last_time DESC))[1], sum(tick_count)::int8,"
      "        (min(bloc) + $5::interval) AT TIME ZONE $2 <= now(), max(version)"
      " FROM keyed WHERE bk >= $3 AND bk < $4 GROUP BY bk ORDER BY bk LIMIT $6";

/*
 * Days and weeks: their few boundaries (local day starts, back in the zone)
 * are generated first and the source rows joined to them by range, so the
 * zone conversions are per bucket, not per source row (a year of New York
 * days from hourly rows: 730 conversions instead of 26 000). Rows come in
 * time order; fx_candles_select folds consecutive rows of one bucket.
 */
static const char boundaries_sql[]
    = "WITH b AS ("
      "  SELECT d AT TIME ZONE $2 AS bstart, (d + $5::interval) AT TIME ZONE $2 AS bend"
      "  FROM generate_series(date_bin($5::interval, $3::timestamptz AT TIME ZONE $2,"
      "                                timestamp '2000-01-02' + make_interval(mins => $7::int)),"
      "                       $4::timestamptz AT TIME ZONE $2, $5::interval) d)"
      " SELECT b.bstart, c.open, c.high, c.low, c.close, c.tick_count, b.bend <= now(), c.version"
      " FROM b JOIN %s c ON c.symbol = $1 AND c.bucket >= b.bstart AND c.bucket < b.bend"
      " WHERE b.bstart >= $3 AND b.bstart < $4 AND $6::int8 > 0"
      " ORDER BY c.bucket";

/* Folds rows of the same bucket (consecutive, in time order) into one
 * candle: open of the first, close of the last, max, min, sum, the highest
 * version. */
static size_t fold_rows(struct fx_candle *rows, size_t n, uint32_t limit)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && rows[m - 1].bucket_us == rows[i].bucket_us) {
            struct fx_candle *c = &rows[m - 1];
            if (rows[i].high > c->high) c->high = rows[i].high;
            if (rows[i].low < c->low) c->low = rows[i].low;
            c->close = rows[i].close;
            c->tick_count += rows[i].tick_count;
            if (rows[i].version > c->version) c->version = rows[i].version;
            continue;
        }
        if (m == limit) break;
        rows[m++] = rows[i];
    }
    return m;
}

int fx_candles_select(struct fx_db *db, const struct fx_candle_query *q, struct fx_arena *arena,
    struct fx_candle **rows, size_t *n, char *err, size_t errlen)
{
    char tz[64];
    int whole_hours;
    int rc = fx_time_zone_lookup(db, q->time_zone, tz, &whole_hours, err, errlen);
    if (rc) return rc;
    int utc = strcmp(tz, "UTC") == 0;
    enum fx_rollup level = source_rollup(q, whole_hours, utc);
    int64_t width_us = q->resolution->width_us;
    /* a minute in any zone, an hour in a whole-hour zone from the top of the
     * hour, a day in UTC from midnight: the rollup's own buckets */
    int direct = width_us == fx_rollup_width(level)
        && (level == FX_ROLLUP_MINUTE || (level == FX_ROLLUP_HOUR && q->day_start_minute % 60 == 0)
            || (level == FX_ROLLUP_DAY && utc));
    int by_boundaries = !direct && width_us >= FX_US_PER_DAY;
    char sql[2048];
    snprintf(sql, sizeof sql, direct ? direct_sql : by_boundaries ? boundaries_sql : regroup_sql, rollup_tables[level]);

    char start[8], end[8], width[32], limit[16], ds[16];
    fx_pg_put_time(start, q->start_us);
    fx_pg_put_time(end, q->end_us);
    snprintf(width, sizeof width, "%lld microseconds", (long long)width_us);
    /* with gaps filled, the limit counts buckets of the range: every real one is read */
    uint32_t real_limit = q->fill_prev ? FX_CANDLES_MAX : q->limit;
    snprintf(limit, sizeof limit, "%u", real_limit);
    snprintf(ds, sizeof ds, "%d", q->day_start_minute);
    const char *values[7] = { q->symbol, tz, start, end, width, limit, ds };
    int lengths[7] = { 0, 0, 8, 8, 0, 0, 0 };
    int formats[7] = { 0, 0, 1, 1, 0, 0, 0 };
    const Oid types[7] = { 25, 25, 1184, 1184, 0, 20, 0 };
    PGresult *res = PQexecParams(db->conn, sql, direct ? 6 : 7, types, values, lengths, formats, 1);
    rc = fx_db_rows(db, res, err, errlen);
    if (rc) return rc;
    size_t count = (size_t)PQntuples(res);
    struct fx_candle *out = fx_arena_calloc(arena, count ? count : 1, sizeof *out);
    if (out == NULL) {
        PQclear(res);
        return FX_ENOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        int r = (int)i;
        memcpy(out[i].symbol, q->symbol, sizeof out[i].symbol);
        out[i].bucket_us = fx_pg_get_time(PQgetvalue(res, r, 0));
        decode_ohlc(res, r, 1, &out[i]);
        out[i].complete = PQgetvalue(res, r, 6)[0] != 0;
        out[i].version = (uint64_t)fx_pg_get_i64(PQgetvalue(res, r, 7));
    }
    PQclear(res);
    if (by_boundaries) count = fold_rows(out, count, real_limit);
    if (q->fill_prev) return fx_candles_fill_prev(db, q, tz, whole_hours, out, count, arena, rows, n, err, errlen);
    *rows = out;
    *n = count;
    return 0;
}


int fx_candle_read(struct fx_db *db, enum fx_rollup rollup, const char *symbol, int64_t bucket_us,
    int64_t width_us, struct fx_candle *out, char *err, size_t errlen)
{
    char name[64], from[8], to[8];
    int one = width_us == fx_rollup_width(rollup);
    snprintf(name, sizeof name, one ? "candle_read_one_%d" : "candle_read_sum_%d", (int)rollup);
    fx_pg_put_time(from, bucket_us);
    fx_pg_put_time(to, bucket_us + width_us);
    const char *values[3] = { symbol, from, to };
    int lengths[3] = { 0, 8, 8 }, formats[3] = { 0, 1, 1 };
    PGresult *res = PQexecPrepared(db->conn, name, one ? 2 : 3, values, lengths, formats, 1);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = fx_db_error(db, res, err, errlen);
    } else if (PQntuples(res) != 1) {
        rc = FX_ENOTFOUND;
    } else {
        memset(out, 0, sizeof *out);
        snprintf(out->symbol, sizeof out->symbol, "%s", symbol);
        out->bucket_us = bucket_us;
        decode_ohlc(res, 0, 0, out);
        out->version = (uint64_t)fx_pg_get_i64(PQgetvalue(res, 0, 5));
    }
    PQclear(res);
    return rc;
}

/* ---- the leader's scans of ended buckets (every symbol, by bucket) -------- */

static const char scan_sql[] = "SELECT symbol, bucket, open, high, low, close, tick_count, version FROM %s"
                               " WHERE bucket >= $1 AND bucket < $2 ORDER BY bucket, symbol";
static const char symbols_sql[] = "SELECT DISTINCT symbol FROM %s WHERE bucket >= $1 AND bucket < $2 ORDER BY symbol";

/* One of the two scans over [from_us, to_us), binary; NULL with rc set on failure. */
static PGresult *scan(struct fx_db *db, const char *form, enum fx_rollup rollup, int64_t from_us, int64_t to_us,
    int *rc, char *err, size_t errlen)
{
    char sql[256], from[8], to[8];
    snprintf(sql, sizeof sql, form, rollup_tables[rollup]);
    fx_pg_put_time(from, from_us);
    fx_pg_put_time(to, to_us);
    const char *values[2] = { from, to };
    int lengths[2] = { 8, 8 }, formats[2] = { 1, 1 };
    const Oid types[2] = { 1184, 1184 };
    PGresult *res = PQexecParams(db->conn, sql, 2, types, values, lengths, formats, 1);
    *rc = fx_db_rows(db, res, err, errlen);
    return *rc ? NULL : res;
}

int fx_candles_scan(struct fx_db *db, enum fx_rollup rollup, int64_t from_us, int64_t to_us,
    struct fx_candle **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    int rc;
    PGresult *res = scan(db, scan_sql, rollup, from_us, to_us, &rc, err, errlen);
    if (res == NULL) return rc;
    size_t rows = (size_t)PQntuples(res);
    struct fx_candle *c = calloc(rows ? rows : 1, sizeof *c);
    if (c == NULL) {
        PQclear(res);
        return FX_ENOMEM;
    }
    for (size_t i = 0; i < rows; i++) {
        int r = (int)i;
        snprintf(c[i].symbol, sizeof c[i].symbol, "%.*s", PQgetlength(res, r, 0), PQgetvalue(res, r, 0));
        c[i].bucket_us = fx_pg_get_time(PQgetvalue(res, r, 1));
        decode_ohlc(res, r, 2, &c[i]);
        c[i].version = (uint64_t)fx_pg_get_i64(PQgetvalue(res, r, 7));
    }
    PQclear(res);
    *out = c;
    *n = rows;
    return 0;
}

int fx_candles_symbols(struct fx_db *db, enum fx_rollup rollup, int64_t from_us, int64_t to_us,
    char (**symbols)[FX_SYMBOL_MAX + 1], size_t *n, char *err, size_t errlen)
{
    *symbols = NULL;
    *n = 0;
    int rc;
    PGresult *res = scan(db, symbols_sql, rollup, from_us, to_us, &rc, err, errlen);
    if (res == NULL) return rc;
    size_t rows = (size_t)PQntuples(res);
    char(*s)[FX_SYMBOL_MAX + 1] = calloc(rows ? rows : 1, sizeof *s);
    if (s == NULL) {
        PQclear(res);
        return FX_ENOMEM;
    }
    for (size_t i = 0; i < rows; i++)
        snprintf(s[i], sizeof s[i], "%.*s", PQgetlength(res, (int)i, 0), PQgetvalue(res, (int)i, 0));
    PQclear(res);
    *symbols = s;
    *n = rows;
    return 0;
}
