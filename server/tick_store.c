#include "server/tick_store.h"

#include "server/candle_store.h"
#include "base/calendar.h"
#include "base/errors.h"
#include "base/log.h"
#include "server/partitions.h"
#include "server/pg_codec.h"
#include "server/pg_copy.h"
#include "server/tick_chunks.h"
#include "server/tick_seq_days.h"
#include "server/tick_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* PostgreSQL type OIDs of the parameters (pg_type.h is not a client header). */
#define OID_INT8 20
#define OID_TEXT 25
#define OID_FLOAT8 701
#define OID_TIMESTAMPTZ 1184

#define SQLSTATE_NO_PARTITION "23514" /* check_violation: no partition for the row */

struct statement {
    const char *name;
    const char *sql;
    int nparams;
    Oid types[5];
};

static const struct statement statements[] = {
    { "tick_insert",
        "INSERT INTO ticks (symbol, time, price) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 3,
        { OID_TEXT, OID_TIMESTAMPTZ, OID_FLOAT8 } },
    /* Reads return the raw ticks and the compacted chunks that may hold
     * the answer in one statement, so in one snapshot (tick_chunks.h). */
    /* Without chunks in the range (most reads) PostgreSQL skips the offset
     * itself; with them fx-core merges first and skips after. */
    { "ticks_select",
        "WITH h AS (SELECT EXISTS (" FX_CHUNKS_IN_RANGE_SQL ") AS packed)"
        " (SELECT time, price, coalesce(seq, 0), NULL::bytea FROM ticks WHERE symbol = $1 AND time >= $2 AND time < $3"
        " ORDER BY time LIMIT $4 + CASE WHEN (SELECT packed FROM h) THEN $5 ELSE 0 END"
        " OFFSET CASE WHEN (SELECT packed FROM h) THEN 0 ELSE $5 END) UNION ALL (" FX_CHUNKS_BY_TIME_SQL ")",
        5, { OID_TEXT, OID_TIMESTAMPTZ, OID_TIMESTAMPTZ, OID_INT8, OID_INT8 } },
    /* Within [$4, $5): a run of the days that hold such seqs (tick_seq_days.h). */
    { "ticks_after",
        "(SELECT time, price, seq, NULL::bytea FROM ticks WHERE symbol = $1 AND seq > $2 AND time >= $4 AND time < $5"
        " ORDER BY seq LIMIT $3) UNION ALL (" FX_CHUNKS_BY_SEQ_SQL ")",
        5, { OID_TEXT, OID_INT8, OID_INT8, OID_TIMESTAMPTZ, OID_TIMESTAMPTZ } },
    { "last_seqs", "SELECT symbol, last_seq FROM symbol_seq WHERE symbol = ANY($1::text[]) OR $2 ORDER BY symbol LIMIT $3",
        3, { 1009 /* text[] */, 16 /* bool */, OID_INT8 } },
    /* The next `n` numbers of each symbol: returns the last one reserved. */
    { "seq_reserve",
        "INSERT INTO symbol_seq AS s (symbol, last_seq) SELECT * FROM unnest($1::text[], $2::int8[])"
        " ON CONFLICT (symbol) DO UPDATE SET last_seq = s.last_seq + excluded.last_seq RETURNING symbol, last_seq",
        2, { 1009 /* text[] */, 1016 /* int8[] */ } },
    { "lock_symbols",
        "SELECT pg_advisory_xact_lock(hashtext('fx_symbol:' || s)) FROM unnest($1::text[]) s ORDER BY s", 1,
        { 1009 /* text[] */ } },
    { "ticks_count", FX_TICKS_COUNT_SQL, 3,
        { OID_TEXT, OID_TIMESTAMPTZ, OID_TIMESTAMPTZ } },
    { "tick_update", "UPDATE ticks SET price = $3 WHERE symbol = $1 AND time = $2", 3,
        { OID_TEXT, OID_TIMESTAMPTZ, OID_FLOAT8 } },
    { "tick_delete", "DELETE FROM ticks WHERE symbol = $1 AND time = $2", 2,
        { OID_TEXT, OID_TIMESTAMPTZ } },
    { "ticks_delete", "DELETE FROM ticks WHERE symbol = $1 AND time >= $2 AND time < $3", 3,
        { OID_TEXT, OID_TIMESTAMPTZ, OID_TIMESTAMPTZ } },
    /* The slow path of a bulk write: the batch's new ticks (not stored yet,
     * the first of repeats within the batch), numbered per symbol in batch
     * order after the numbers reserved for them. The look for stored ones
     * is bounded by the batch's first and last time ($1, $2) and symbols
     * ($3), which every staged row meets: the plan then reads only the
     * partitions of that span, by primary key (unbounded, it opened and
     * probed every daily partition, ~1 s on a year of days). */
    { "bulk_merge",
        "WITH fresh AS ("
        "  SELECT DISTINCT ON (b.symbol, b.time) b.symbol, b.time, b.price, b.ord FROM bulk_ticks b"
        "  WHERE NOT EXISTS (SELECT 1 FROM ticks t WHERE t.symbol = b.symbol AND t.time = b.time"
        "   AND t.time >= $1 AND t.time <= $2 AND t.symbol = ANY($3::text[]))"
        "  ORDER BY b.symbol, b.time, b.ord),"
        " numbered AS (SELECT f.*, row_number() OVER (PARTITION BY f.symbol ORDER BY f.ord) AS k FROM fresh f),"
        " counts AS (SELECT symbol, count(*) AS n FROM numbered GROUP BY symbol),"
        " reserved AS (INSERT INTO symbol_seq AS s (symbol, last_seq) SELECT symbol, n FROM counts"
        "  ON CONFLICT (symbol) DO UPDATE SET last_seq = s.last_seq + excluded.last_seq RETURNING s.symbol, s.last_seq),"
        " stored AS (INSERT INTO ticks (symbol, time, price, seq)"
        "  SELECT n.symbol, n.time, n.price, r.last_seq - c.n + n.k"
        "  FROM numbered n JOIN counts c USING (symbol) JOIN reserved r USING (symbol)"
        "  ON CONFLICT DO NOTHING RETURNING symbol, time, price, seq)"
        " SELECT * FROM stored ORDER BY symbol, seq",
        3, { OID_TIMESTAMPTZ, OID_TIMESTAMPTZ, 1009 /* text[] */ } },
};

/* Prepares the statements below on a new session. */
static int tick_store_prepare(struct fx_db *db, char *err, size_t errlen)
{
    /* Session-local staging table for bulk loads: COPY cannot skip duplicates,
     * INSERT ... SELECT ... ON CONFLICT can. Emptied at every commit. */
    int rc = fx_db_exec(db,
        "CREATE TEMP TABLE IF NOT EXISTS bulk_ticks"
        " (symbol text, time timestamptz, price float8, ord int8) ON COMMIT DELETE ROWS",
        err, errlen);
    for (size_t i = 0; rc == 0 && i < sizeof statements / sizeof statements[0]; i++)
        rc = fx_db_prepare(db, statements[i].name, statements[i].sql, statements[i].nparams, statements[i].types, err,
            errlen);
    return rc;
}

FX_DB_SETUP(tick_store_prepare)

/* Binary parameters of one statement call. */
struct params {
    const char *values[5];
    int lengths[5];
    int formats[5];
    int n;
    char buf[5][8];
};

static void param_text(struct params *p, const char *s)
{
    p->values[p->n] = s, p->lengths[p->n] = (int)strlen(s), p->formats[p->n] = 0;
    p->n++;
}

static void param_time(struct params *p, int64_t unix_us)
{
    fx_pg_put_time(p->buf[p->n], unix_us);
    p->values[p->n] = p->buf[p->n], p->lengths[p->n] = 8, p->formats[p->n] = 1;
    p->n++;
}

static void param_i64(struct params *p, int64_t v)
{
    fx_pg_put_i64(p->buf[p->n], v);
    p->values[p->n] = p->buf[p->n], p->lengths[p->n] = 8, p->formats[p->n] = 1;
    p->n++;
}

static void param_f64(struct params *p, double v)
{
    fx_pg_put_f64(p->buf[p->n], v);
    p->values[p->n] = p->buf[p->n], p->lengths[p->n] = 8, p->formats[p->n] = 1;
    p->n++;
}

static PGresult *run(struct fx_db *db, const char *name, const struct params *p)
{
    return PQexecPrepared(db->conn, name, p->n, p->values, p->lengths, p->formats, 1);
}

/* Runs a data-modifying statement; *rows receives the affected row count. */
static int run_command(struct fx_db *db, const char *name, const struct params *p, uint64_t *rows,
    char *err, size_t errlen)
{
    return fx_db_command(db, run(db, name, p), rows, err, errlen);
}

#define TICK_TUPLE_MAX FX_PG_COPY_TUPLE_BYTES(4, FX_SYMBOL_MAX + 8 + 8 + 8)

/* COPY the ticks (binary format) into ticks with their seq, or into the
 * staging table with their place in the batch (`staging`). */
static int copy_ticks(struct fx_db *db, int staging, const struct fx_tick *t, size_t n, char *err, size_t errlen)
{
    struct fx_pg_copy c;
    if (fx_pg_copy_begin(&c, n, TICK_TUPLE_MAX) != 0) {
        snprintf(err, errlen, "out of memory for %zu ticks", n);
        return FX_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        fx_pg_copy_tuple(&c, 4);
        fx_pg_copy_text(&c, t[i].symbol);
        fx_pg_copy_time(&c, t[i].time_us);
        fx_pg_copy_float8(&c, t[i].price);
        fx_pg_copy_int8(&c, staging ? (int64_t)i : t[i].seq);
    }
    return fx_pg_copy_send(db,
        staging ? "COPY bulk_ticks (symbol, time, price, ord) FROM STDIN (FORMAT binary)"
                : "COPY ticks (symbol, time, price, seq) FROM STDIN (FORMAT binary)",
        &c, err, errlen);
}

/*
 * Every write takes a transaction-level advisory lock per symbol (in sorted
 * order) first: writes of one symbol are serialised, so a recompute after an
 * edit never races a concurrent merge into the same candle, and per-symbol
 * rollups stay single-writer, as they would be with one core per shard.
 */
/* A PostgreSQL array literal of symbols, {"EURUSD","USDJPY"} (malloc'ed):
 * validated symbols (A-Z 0-9 . _ -) hold no quote or backslash, and quoted
 * the symbol NULL stays a symbol, not an SQL NULL. */
static char *symbols_array(const char *const *symbols, size_t n)
{
    char *array = malloc(3 + n * (FX_SYMBOL_MAX + 3)), *p = array;
    if (array == NULL) return NULL;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i) *p++ = ',';
        size_t len = strlen(symbols[i]);
        *p++ = '"';
        memcpy(p, symbols[i], len), p += len;
        *p++ = '"';
    }
    *p++ = '}', *p = '\0';
    return array;
}

static int lock_symbols(struct fx_db *db, const char *const *symbols, size_t n, char *err, size_t errlen)
{
    char *array = symbols_array(symbols, n);
    if (array == NULL) return FX_ENOMEM;
    struct params prm = { .n = 0 };
    param_text(&prm, array);
    PGresult *res = run(db, "lock_symbols", &prm);
    int rc = fx_db_rows(db, res, err, errlen);
    if (rc == 0) PQclear(res);
    free(array);
    return rc;
}

static int lock_symbol(struct fx_db *db, const char *symbol, char *err, size_t errlen)
{
    return lock_symbols(db, &symbol, 1, err, errlen);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* The distinct symbols of a batch, sorted (malloc'ed; they point into `t`). */
static const char **batch_symbols(const struct fx_tick *t, size_t n, size_t *count)
{
    const char **syms = malloc((n ? n : 1) * sizeof *syms);
    if (syms == NULL) return NULL;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || strcmp(syms[m - 1], t[i].symbol) != 0) syms[m++] = t[i].symbol;
    qsort(syms, m, sizeof *syms, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (u == 0 || strcmp(syms[u - 1], syms[i]) != 0) syms[u++] = syms[i];
    *count = u;
    return syms;
}

int fx_tick_write_lock(struct fx_db *db, const struct fx_tick *t, size_t n, char *err, size_t errlen)
{
    size_t u;
    const char **syms = batch_symbols(t, n, &u);
    if (syms == NULL) return FX_ENOMEM;
    int rc = lock_symbols(db, syms, u, err, errlen);
    free(syms);
    return rc;
}

static size_t symbol_index(const char *const *syms, size_t n, const char *symbol)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(syms[mid], symbol) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Reserves the next numbers of each symbol of the batch (under its lock)
 * and writes them into t[i].seq in batch order. */
static int assign_seqs(struct fx_db *db, struct fx_tick *t, size_t n, char *err, size_t errlen)
{
    size_t u;
    const char **syms = batch_symbols(t, n, &u);
    int64_t *next = calloc(u ? u : 1, sizeof *next);
    char *names = syms ? symbols_array(syms, u) : NULL, *counts = malloc(3 + u * 21);
    int rc = FX_ENOMEM;
    if (syms == NULL || next == NULL || names == NULL || counts == NULL) goto done;
    for (size_t i = 0; i < n; i++) next[symbol_index(syms, u, t[i].symbol)]++; /* counts first */
    char *p = counts;
    *p++ = '{';
    for (size_t k = 0; k < u; k++) p += sprintf(p, "%s%lld", k ? "," : "", (long long)next[k]);
    *p++ = '}', *p = '\0';
    struct params prm = { .n = 0 };
    param_text(&prm, names);
    param_text(&prm, counts);
    PGresult *res = run(db, "seq_reserve", &prm);
    rc = fx_db_rows(db, res, err, errlen);
    if (rc) goto done;
    for (int r = 0; r < PQntuples(res); r++) {
        size_t k = symbol_index(syms, u, PQgetvalue(res, r, 0));
        if (k < u) next[k] = fx_pg_get_i64(PQgetvalue(res, r, 1)) - next[k] + 1; /* the first of its numbers */
    }
    PQclear(res);
    for (size_t i = 0; i < n; i++) t[i].seq = next[symbol_index(syms, u, t[i].symbol)]++;
done:
    free(syms), free(next), free(names), free(counts);
    return rc;
}

struct day_tick {
    const char *symbol;
    int32_t day;
    int64_t time_us;
};

static int cmp_day_tick(const void *a, const void *b)
{
    const struct day_tick *x = a, *y = b;
    int c = strcmp(x->symbol, y->symbol);
    if (c) return c;
    if (x->day != y->day) return (x->day > y->day) - (x->day < y->day);
    return (x->time_us > y->time_us) - (x->time_us < y->time_us);
}

/* fx_chunks_before_write for a batch: one span per symbol and settled day
 * (live batches have none, and this costs a pass over the batch). */
static int batch_before_write(struct fx_db *db, const struct fx_tick *t, size_t n, char *err, size_t errlen)
{
    int64_t now = fx_now_us();
    size_t m = 0;
    for (size_t i = 0; i < n; i++) m += fx_day_settled(fx_day_of(t[i].time_us), now);
    if (m == 0) return 0;
    struct day_tick *old = malloc(m * sizeof *old);
    struct fx_tick_span *spans = malloc(m * sizeof *spans);
    int rc = FX_ENOMEM;
    if (old == NULL || spans == NULL) goto done;
    m = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t day = fx_day_of(t[i].time_us);
        if (fx_day_settled(day, now)) old[m++] = (struct day_tick){ t[i].symbol, day, t[i].time_us };
    }
    qsort(old, m, sizeof *old, cmp_day_tick);
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        if (i > 0 && old[i].day == old[i - 1].day && strcmp(old[i].symbol, old[i - 1].symbol) == 0)
            spans[k - 1].to_us = old[i].time_us;
        else
            spans[k++] = (struct fx_tick_span){ old[i].symbol, old[i].time_us, old[i].time_us };
    }
    rc = fx_chunks_before_write(db, spans, k, now, err, errlen);
done:
    free(old), free(spans);
    return rc;
}

#define SQLSTATE_UNIQUE_VIOLATION "23505"

/* The fast path: COPY straight into ticks, which holds when no tick of the
 * batch is a duplicate (the usual case of a fresh load). A duplicate aborts
 * the COPY with a unique violation; the caller then rolls back to the
 * savepoint and takes the slow path. */
static int copy_direct(struct fx_db *db, const struct fx_tick *t, size_t n, struct fx_write *out, char *err,
    size_t errlen)
{
    out->ticks = malloc(n * sizeof *out->ticks);
    if (out->ticks == NULL) return FX_ENOMEM;
    memcpy(out->ticks, t, n * sizeof *t);
    int rc = fx_db_exec(db, "SAVEPOINT bulk_direct", err, errlen);
    if (rc == 0) rc = assign_seqs(db, out->ticks, n, err, errlen);
    if (rc == 0) rc = copy_ticks(db, 0, out->ticks, n, err, errlen);
    if (rc == 0) rc = fx_candles_add_ticks(db, out->ticks, n, &out->candles, &out->ncandles, err, errlen);
    if (rc == 0) out->created = n;
    return rc;
}

/* Runs bulk_merge over the staged t[0..n) (n > 0) with its bounds: their
 * first and last time and their symbols. */
static int run_merge(
    struct fx_db *db, const struct fx_tick *t, size_t n, PGresult **res, char *err, size_t errlen)
{
    int64_t lo = t[0].time_us, hi = t[0].time_us;
    for (size_t i = 1; i < n; i++) {
        if (t[i].time_us < lo) lo = t[i].time_us;
        if (t[i].time_us > hi) hi = t[i].time_us;
    }
    size_t u;
    const char **syms = batch_symbols(t, n, &u);
    char *array = syms ? symbols_array(syms, u) : NULL;
    free(syms);
    if (array == NULL) return FX_ENOMEM;
    struct params p = { .n = 0 };
    param_time(&p, lo);
    param_time(&p, hi);
    param_text(&p, array);
    *res = run(db, "bulk_merge", &p);
    free(array);
    return fx_db_rows(db, *res, err, errlen);
}

/* The slow path: COPY into the staging table, then INSERT ... ON CONFLICT
 * DO NOTHING skips the duplicates (of stored ticks or within the batch) and
 * returns the ticks it stored, which alone go into the candles. */
static int copy_merge(struct fx_db *db, const struct fx_tick *t, size_t n, struct fx_write *out, char *err,
    size_t errlen)
{
    int rc = copy_ticks(db, 1, t, n, err, errlen);
    if (rc) return rc;
    PGresult *res;
    rc = run_merge(db, t, n, &res, err, errlen);
    if (rc) return rc;
    size_t rows = (size_t)PQntuples(res);
    struct fx_tick *stored = malloc((rows ? rows : 1) * sizeof *stored);
    if (stored == NULL) {
        PQclear(res);
        return FX_ENOMEM;
    }
    for (size_t i = 0; i < rows; i++) {
        snprintf(stored[i].symbol, sizeof stored[i].symbol, "%s", PQgetvalue(res, (int)i, 0));
        stored[i].time_us = fx_pg_get_time(PQgetvalue(res, (int)i, 1));
        stored[i].price = fx_pg_get_f64(PQgetvalue(res, (int)i, 2));
        stored[i].seq = fx_pg_get_i64(PQgetvalue(res, (int)i, 3));
    }
    PQclear(res);
    out->ticks = stored;
    out->created = rows;
    return fx_candles_add_ticks(db, stored, rows, &out->candles, &out->ncandles, err, errlen);
}

int fx_tick_write_store(struct fx_db *db, const struct fx_tick *t, size_t n, int again, struct fx_write *out,
    char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int rc = again ? fx_db_exec(db, "DELETE FROM bulk_ticks", err, errlen) : 0;
    if (rc == 0 && again) rc = fx_candles_reset(db, err, errlen);
    if (rc == 0) rc = copy_direct(db, t, n, out, err, errlen);
    if (rc != 0 && strcmp(db->last_sqlstate, SQLSTATE_UNIQUE_VIOLATION) == 0) {
        fx_write_free(out);
        rc = fx_db_exec(db, "ROLLBACK TO SAVEPOINT bulk_direct", err, errlen);
        if (rc == 0) rc = copy_merge(db, t, n, out, err, errlen);
    }
    return rc;
}

static int rollback(struct fx_db *db, int rc)
{
    char ignored[64];
    fx_db_exec(db, "ROLLBACK", ignored, sizeof ignored);
    return rc;
}

void fx_write_free(struct fx_write *w)
{
    free(w->ticks);
    free(w->candles);
    memset(w, 0, sizeof *w);
}

/* Claims `key` in the transaction just begun (request_keys.h). On a replay
 * *rows is what the first run recorded and the transaction is rolled back. */
static int claim(struct fx_db *db, const struct fx_request_key *key, int *replayed, uint64_t *rows, char *err,
    size_t errlen)
{
    *replayed = 0;
    if (!fx_request_key_set(key)) return 0;
    int rc = fx_request_key_claim(db, key, replayed, rows, err, errlen);
    if (rc == 0 && *replayed) rollback(db, 0);
    return rc;
}

static int record(struct fx_db *db, const struct fx_request_key *key, uint64_t rows, char *err, size_t errlen)
{
    return fx_request_key_set(key) ? fx_request_key_record(db, key, rows, err, errlen) : 0;
}

static int bulk_transaction(struct fx_db *db, const struct fx_tick *t, size_t n, const struct fx_request_key *key,
    struct fx_write *out, char *err, size_t errlen)
{
    int rc = fx_db_exec(db, "BEGIN", err, errlen);
    if (rc) return rc;
    uint64_t prior = 0;
    if ((rc = claim(db, key, &out->replayed, &prior, err, errlen)) != 0) return rollback(db, rc);
    if (out->replayed) {
        out->created = prior;
        return 0;
    }
    rc = fx_tick_write_lock(db, t, n, err, errlen);
    if (rc == 0) rc = batch_before_write(db, t, n, err, errlen);
    if (rc) return rollback(db, rc);
    rc = fx_tick_write_store(db, t, n, 0, out, err, errlen);
    if (rc == 0) rc = record(db, key, out->created, err, errlen);
    if (rc == 0) rc = fx_db_exec(db, "COMMIT", err, errlen);
    if (rc) fx_write_free(out); /* nothing of it is stored */
    return rc ? rollback(db, rc) : 0;
}

int fx_ticks_insert_bulk(struct fx_db *db, const struct fx_tick *t, size_t n, const struct fx_request_key *key,
    struct fx_write *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (n == 0) return 0;
    /* Distinct days of the batch: ticks usually arrive in time order, so
     * skipping repeats of the previous day keeps this array tiny. */
    int32_t *days = malloc(n * sizeof *days);
    if (days == NULL) return FX_ENOMEM;
    size_t ndays = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t d = fx_day_of(t[i].time_us);
        if (ndays == 0 || days[ndays - 1] != d) days[ndays++] = d;
    }
    int rc = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        rc = fx_partitions_ensure(db, days, ndays, err, errlen);
        if (rc == 0) rc = bulk_transaction(db, t, n, key, out, err, errlen);
        if (rc == 0 || strcmp(db->last_sqlstate, SQLSTATE_NO_PARTITION) != 0) break;
        fx_partitions_forget(); /* dropped behind our back (retention): recreate */
    }
    free(days);
    return rc;
}

int fx_ticks_sealed(struct fx_db *db, const struct fx_tick *t, size_t n, unsigned char *sealed, char *err,
    size_t errlen)
{
    int64_t now = fx_now_us();
    for (size_t i = 0; i < n; i++) {
        sealed[i] = 0;
        int32_t day = fx_day_of(t[i].time_us);
        if (!fx_day_settled(day, now)) continue;
        int is = 0;
        for (size_t k = 0; k < i; k++) /* days repeat: ask once per day */
            if (fx_day_of(t[k].time_us) == day) {
                is = sealed[k] ? 1 : 2;
                break;
            }
        if (is == 0) {
            int rc = fx_chunks_day_sealed(db, day, &is, err, errlen);
            if (rc) return rc;
            is = is ? 1 : 2;
        }
        sealed[i] = is == 1;
    }
    return 0;
}

int fx_tick_insert(struct fx_db *db, const struct fx_tick *t, const struct fx_request_key *key, struct fx_write *out,
    char *err, size_t errlen)
{
    int rc = fx_ticks_insert_bulk(db, t, 1, key, out, err, errlen);
    if (rc == 0 && out->created == 0) return fx_tick_exists_error(t->symbol, err, errlen);
    return rc;
}

/* One statement over [start_us, end_us): see fx_ticks_select. */
static int select_window(struct fx_db *db, const char *symbol, int64_t start_us, int64_t end_us, uint32_t limit,
    uint64_t offset, struct fx_arena *arena, struct fx_tick **out, size_t *n, char *err, size_t errlen)
{
    struct params p = { .n = 0 };
    param_text(&p, symbol);
    param_time(&p, start_us);
    param_time(&p, end_us);
    param_i64(&p, limit);
    param_i64(&p, (int64_t)offset);
    PGresult *res = run(db, "ticks_select", &p);
    int rc = fx_db_rows(db, res, err, errlen);
    return rc ? rc : fx_chunks_merge_by_time(res, symbol, start_us, end_us, offset, limit, arena, out, n, err, errlen);
}

/*
 * Long ranges in windows. Every partition a statement may touch costs it
 * locks (on the partition and its indexes, held to the end of its
 * transaction, from a table of max_locks_per_transaction x connections), so
 * a range over thousands of daily partitions runs as several statements of
 * at most WINDOW_DAYS days with partitions each: a read is answered, not
 * refused with "out of shared memory". Days without a partition hold no
 * ticks, so the windows cover them for free.
 */
#define WINDOW_DAYS 100

struct windows {
    int64_t (*bounds)[2]; /* [start, end) of each window, ascending */
    size_t n;
};

/* The windows of [start_us, end_us); n = 0 when one statement does. */
static int windows_of(struct fx_db *db, int64_t start_us, int64_t end_us, struct windows *w, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    if (end_us - start_us <= (int64_t)WINDOW_DAYS * FX_US_PER_DAY) return 0;
    int32_t *days;
    size_t ndays;
    int rc = fx_partitions_days(db, fx_day_of(start_us), fx_day_of(end_us - 1), &days, &ndays, err, errlen);
    if (rc || ndays <= WINDOW_DAYS) {
        if (rc == 0) free(days);
        return rc;
    }
    w->n = (ndays + WINDOW_DAYS - 1) / WINDOW_DAYS;
    w->bounds = malloc(w->n * sizeof *w->bounds);
    if (w->bounds == NULL) {
        free(days);
        return FX_ENOMEM;
    }
    for (size_t k = 0; k < w->n; k++) {
        int64_t first = (int64_t)days[k * WINDOW_DAYS] * FX_US_PER_DAY;
        size_t last = (k + 1) * WINDOW_DAYS < ndays ? (k + 1) * WINDOW_DAYS - 1 : ndays - 1;
        int64_t end = ((int64_t)days[last] + 1) * FX_US_PER_DAY;
        w->bounds[k][0] = first > start_us ? first : start_us;
        w->bounds[k][1] = end < end_us ? end : end_us;
    }
    free(days);
    return 0;
}

/* The ticks of `symbol` in [start_us, end_us), raw and compacted. */
static int count_window(struct fx_db *db, const char *symbol, int64_t start_us, int64_t end_us, uint64_t *count,
    char *err, size_t errlen)
{
    struct params p = { .n = 0 };
    param_text(&p, symbol);
    param_time(&p, start_us);
    param_time(&p, end_us);
    PGresult *res = run(db, "ticks_count", &p);
    int rc = fx_db_rows(db, res, err, errlen);
    return rc ? rc : fx_chunks_count_rows(res, start_us, end_us, count, err, errlen);
}

int fx_ticks_select(struct fx_db *db, const char *symbol, int64_t start_us, int64_t end_us, uint32_t limit,
    uint32_t offset, struct fx_arena *arena, struct fx_tick **out, size_t *n, char *err, size_t errlen)
{
    struct windows w;
    int rc = windows_of(db, start_us, end_us, &w, err, errlen);
    if (rc) return rc;
    if (w.n == 0) return select_window(db, symbol, start_us, end_us, limit, offset, arena, out, n, err, errlen);
    struct fx_tick *all = fx_arena_calloc(arena, limit ? limit : 1, sizeof *all);
    size_t got = 0;
    uint64_t skip = offset;
    rc = all ? 0 : FX_ENOMEM;
    for (size_t k = 0; rc == 0 && k < w.n && got < limit; k++) {
        if (skip > 0) { /* whole windows before the offset are counted, not read */
            uint64_t count;
            rc = count_window(db, symbol, w.bounds[k][0], w.bounds[k][1], &count, err, errlen);
            if (rc == 0 && count <= skip) {
                skip -= count;
                continue;
            }
        }
        struct fx_tick *part;
        size_t m;
        if (rc == 0)
            rc = select_window(db, symbol, w.bounds[k][0], w.bounds[k][1], (uint32_t)(limit - got), skip, arena,
                &part, &m, err, errlen);
        if (rc == 0) {
            memcpy(all + got, part, m * sizeof *part);
            got += m;
            skip = 0;
        }
    }
    free(w.bounds);
    if (rc) return rc;
    *out = all;
    *n = got;
    return 0;
}

static int cmp_seq(const void *a, const void *b)
{
    int64_t x = ((const struct fx_tick *)a)->seq, y = ((const struct fx_tick *)b)->seq;
    return (x > y) - (x < y);
}

/* The ticks after `after_seq` within days [first, last]: appended to all[*got]
 * (room for 2 * limit), which is then sorted by seq and cut to `limit`. */
static int after_in_run(struct fx_db *db, const char *symbol, int64_t after_seq, uint32_t limit, int32_t first,
    int32_t last, struct fx_arena *arena, struct fx_tick *all, size_t *got, char *err, size_t errlen)
{
    struct params p = { .n = 0 };
    param_text(&p, symbol);
    param_i64(&p, after_seq);
    param_i64(&p, limit);
    param_time(&p, (int64_t)first * FX_US_PER_DAY);
    param_time(&p, ((int64_t)last + 1) * FX_US_PER_DAY);
    PGresult *res = run(db, "ticks_after", &p);
    int rc = fx_db_rows(db, res, err, errlen);
    struct fx_tick *part = NULL;
    size_t m = 0;
    if (rc == 0) rc = fx_chunks_merge_by_seq(res, symbol, after_seq, limit, arena, &part, &m, err, errlen);
    if (rc) return rc;
    memcpy(all + *got, part, m * sizeof *part);
    *got += m;
    qsort(all, *got, sizeof *all, cmp_seq);
    if (*got > limit) *got = limit;
    return 0;
}

int fx_ticks_after(struct fx_db *db, const char *symbol, int64_t after_seq, uint32_t limit, struct fx_arena *arena,
    struct fx_tick **out, size_t *n, char *err, size_t errlen)
{
    /* Only the days holding such seqs are read, in groups of WINDOW_DAYS
     * by their lowest seq: once `limit` ticks are in hand and the next
     * group starts above the last of them, nothing further can come first. */
    struct fx_seq_day *days = NULL;
    size_t ndays = 0, got = 0;
    int rc = fx_seq_days_after(db, symbol, after_seq, &days, &ndays, err, errlen);
    if (rc) return rc;
    struct fx_tick *all = fx_arena_alloc(arena, 2 * (size_t)(limit ? limit : 1) * sizeof *all);
    int32_t group[WINDOW_DAYS], runs[WINDOW_DAYS][2];
    if (all == NULL) rc = FX_ENOMEM;
    for (size_t k = 0; rc == 0 && k < ndays;) {
        if (got >= limit && all[got - 1].seq < days[k].min_seq) break;
        size_t m = ndays - k < WINDOW_DAYS ? ndays - k : WINDOW_DAYS;
        for (size_t i = 0; i < m; i++) group[i] = days[k + i].day;
        size_t nruns = fx_seq_days_runs(group, m, runs);
        for (size_t r = 0; rc == 0 && r < nruns; r++)
            rc = after_in_run(db, symbol, after_seq, limit, runs[r][0], runs[r][1], arena, all, &got, err, errlen);
        k += m;
    }
    free(days);
    if (rc) return rc;
    *out = all;
    *n = got;
    return 0;
}

int fx_last_seqs(struct fx_db *db, const char *const *symbols, size_t n, uint32_t limit, struct fx_arena *arena,
    struct fx_symbol_seq **out, size_t *count, char *err, size_t errlen)
{
    char *array = symbols_array(symbols, n);
    if (array == NULL) return FX_ENOMEM;
    struct params p = { .n = 0 };
    param_text(&p, array);
    param_text(&p, n == 0 ? "t" : "f");
    param_i64(&p, limit);
    PGresult *res = run(db, "last_seqs", &p);
    free(array);
    int rc = fx_db_rows(db, res, err, errlen);
    if (rc) return rc;
    size_t rows = (size_t)PQntuples(res);
    struct fx_symbol_seq *seqs = fx_arena_calloc(arena, rows ? rows : 1, sizeof *seqs);
    if (seqs == NULL) {
        PQclear(res);
        return FX_ENOMEM;
    }
    for (size_t i = 0; i < rows; i++) {
        snprintf(seqs[i].symbol, sizeof seqs[i].symbol, "%s", PQgetvalue(res, (int)i, 0));
        seqs[i].last_seq = fx_pg_get_i64(PQgetvalue(res, (int)i, 1));
    }
    PQclear(res);
    *out = seqs;
    *count = rows;
    return 0;
}

/* Runs an edit of `symbol`'s ticks in one transaction with the recompute
 * of the candles covering [from_us, to_us]; *rows receives the rows changed
 * (the candles are left alone when none was), or, when `key` ran already,
 * what that run changed (*replayed: nothing is done again); the key records `before`
 * + the rows (the windows of a range delete before this one). A range delete
 * (`range_delete`: [from_us, to_us + 1)) removes compacted chunks lying
 * wholly inside at once; any other edit inflates the chunks it touches. */
static int edit(struct fx_db *db, const char *stmt, const struct params *p, const char *symbol, int64_t from_us,
    int64_t to_us, int range_delete, const struct fx_request_key *key, uint64_t before, uint64_t *rows, int *replayed,
    char *err, size_t errlen)
{
    int rc = fx_db_exec(db, "BEGIN", err, errlen);
    if (rc) return rc;
    if ((rc = claim(db, key, replayed, rows, err, errlen)) != 0) return rollback(db, rc);
    if (*replayed) return 0;
    uint64_t packed = 0;
    rc = lock_symbol(db, symbol, err, errlen);
    if (rc == 0 && range_delete)
        rc = fx_chunks_before_delete(db, symbol, from_us, to_us + 1, fx_now_us(), &packed, err, errlen);
    if (rc == 0 && !range_delete) {
        struct fx_tick_span span = fx_chunks_edit_span(symbol, from_us, to_us);
        rc = fx_chunks_before_write(db, &span, 1, fx_now_us(), err, errlen);
    }
    if (rc == 0) rc = run_command(db, stmt, p, rows, err, errlen);
    if (rc == 0) *rows += packed;
    if (rc == 0 && *rows > 0) rc = fx_candles_recompute(db, symbol, from_us, to_us, err, errlen);
    if (rc == 0) rc = record(db, key, before + *rows, err, errlen);
    if (rc == 0) rc = fx_db_exec(db, "COMMIT", err, errlen);
    return rc ? rollback(db, rc) : 0;
}

static int edit_one(struct fx_db *db, const char *stmt, const struct params *p, const char *symbol, int64_t time_us,
    const struct fx_request_key *key, char *err, size_t errlen)
{
    uint64_t rows = 0;
    int replayed;
    int rc = edit(db, stmt, p, symbol, time_us, time_us, 0, key, 0, &rows, &replayed, err, errlen);
    if (rc == 0 && rows == 0) return fx_tick_missing_error(symbol, err, errlen);
    return rc;
}

int fx_tick_exists_error(const char *symbol, char *err, size_t errlen)
{
    snprintf(err, errlen, "a tick for %s at this time exists already", symbol);
    return FX_EEXIST;
}

int fx_tick_missing_error(const char *symbol, char *err, size_t errlen)
{
    snprintf(err, errlen, "no tick for %s at this time", symbol);
    return FX_ENOTFOUND;
}

int fx_tick_write_edit(struct fx_db *db, int delete_it, const char *symbol, int64_t time_us, double price,
    uint64_t *rows, char *err, size_t errlen)
{
    struct params p = { .n = 0 };
    param_text(&p, symbol);
    param_time(&p, time_us);
    if (!delete_it) param_f64(&p, price);
    return run_command(db, delete_it ? "tick_delete" : "tick_update", &p, rows, err, errlen);
}

int fx_tick_update_price(struct fx_db *db, const char *symbol, int64_t time_us, double price,
    const struct fx_request_key *key, char *err, size_t errlen)
{
    struct params p = { .n = 0 };
    param_text(&p, symbol);
    param_time(&p, time_us);
    param_f64(&p, price);
    return edit_one(db, "tick_update", &p, symbol, time_us, key, err, errlen);
}

int fx_tick_delete(struct fx_db *db, const char *symbol, int64_t time_us, const struct fx_request_key *key,
    char *err, size_t errlen)
{
    struct params p = { .n = 0 };
    param_text(&p, symbol);
    param_time(&p, time_us);
    return edit_one(db, "tick_delete", &p, symbol, time_us, key, err, errlen);
}

int fx_ticks_delete_range(struct fx_db *db, const char *symbol, int64_t start_us, int64_t end_us,
    const struct fx_request_key *key, uint64_t *deleted, char *err, size_t errlen)
{
    struct params p = { .n = 0 };
    param_text(&p, symbol);
    param_time(&p, start_us);
    param_time(&p, end_us);
    if (start_us == end_us) {
        *deleted = 0;
        return 0;
    }
    struct windows w;
    int rc = windows_of(db, start_us, end_us, &w, err, errlen);
    if (rc) return rc;
    int replayed = 0;
    if (w.n == 0)
        return edit(db, "ticks_delete", &p, symbol, start_us, end_us - 1, 1, key, 0, deleted, &replayed, err, errlen);
    /* One transaction per window (see windows_of): the key is claimed and
     * recorded with the last one, after a look that answers a resend of a
     * finished delete at once. A resend of one cut short runs again (a
     * range delete repeated deletes what is left of its range). */
    int found = 0;
    if (fx_request_key_set(key) && (rc = fx_request_key_lookup(db, key, &found, deleted, err, errlen)) != 0) {
        free(w.bounds);
        return rc;
    }
    if (found) {
        free(w.bounds);
        return 0;
    }
    /* checked as a whole first: a range reaching a sealed day changes nothing */
    struct fx_tick_span span = { symbol, start_us, end_us - 1 };
    rc = fx_chunks_check_sealed(db, &span, err, errlen);
    uint64_t total = 0;
    for (size_t k = 0; rc == 0 && k < w.n; k++) {
        struct params q = { .n = 0 };
        param_text(&q, symbol);
        param_time(&q, w.bounds[k][0]);
        param_time(&q, w.bounds[k][1]);
        uint64_t rows = 0;
        rc = edit(db, "ticks_delete", &q, symbol, w.bounds[k][0], w.bounds[k][1] - 1, 1, k + 1 == w.n ? key : NULL,
            total, &rows, &replayed, err, errlen);
        total = replayed ? rows : total + rows; /* a run in flight elsewhere finished first: its count */
    }
    free(w.bounds);
    if (rc == 0) *deleted = total;
    return rc;
}
