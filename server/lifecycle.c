#include "server/lifecycle.h"

#include "base/calendar.h"
#include "base/errors.h"
#include "base/log.h"
#include "server/partitions.h"
#include "server/pg_codec.h"
#include "server/pg_copy.h"
#include "server/tick_chunks.h"
#include "server/tick_codec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void fx_maintenance_report_free(struct fx_maintenance_report *r)
{
    free(r->days);
    memset(r, 0, sizeof *r);
}

const char *fx_day_state_name(enum fx_day_state s)
{
    return s == FX_DAY_COMPACT ? "compact" : s == FX_DAY_SEALED ? "sealed" : "raw";
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Runs `sql` (printf-formatted; only day names and numbers go in) and
 * returns its result, or NULL with the error in `err`. */
static PGresult *query(struct fx_db *db, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static PGresult *query(struct fx_db *db, char *err, size_t errlen, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    PGresult *res = PQexecParams(db->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
    int st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) return res;
    fx_db_error(db, res, err, errlen);
    PQclear(res);
    return NULL;
}

static int exec(struct fx_db *db, char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int exec(struct fx_db *db, char *err, size_t errlen, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    return fx_db_exec(db, sql, err, errlen);
}

static int64_t query_i64(struct fx_db *db, int *rc, char *err, size_t errlen, const char *sql)
{
    PGresult *res = query(db, err, errlen, "%s", sql);
    if (res == NULL) {
        *rc = PQstatus(db->conn) == CONNECTION_OK ? FX_EDB : FX_EUNAVAIL;
        return 0;
    }
    int64_t v = PQntuples(res) > 0 && !PQgetisnull(res, 0, 0) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return v;
}

static int rollback(struct fx_db *db, int rc)
{
    char ignored[64];
    fx_db_exec(db, "ROLLBACK", ignored, sizeof ignored);
    return rc;
}

/* What the catalog says about one day. */
struct day_info {
    int32_t day;
    int raw, chunks; /* its partitions exist */
    uint64_t raw_bytes, chunk_bytes;
    enum fx_day_state state; /* from tick_days */
};

static int cmp_info(const void *a, const void *b)
{
    int32_t x = ((const struct day_info *)a)->day, y = ((const struct day_info *)b)->day;
    return (x > y) - (x < y);
}

/* The days that have a partition or a tick_days row, by day. */
static int list_days(struct fx_db *db, struct day_info **out, size_t *n, char *err, size_t errlen)
{
    PGresult *res = query(db, err, errlen,
        "SELECT day - date '1970-01-01', parent = 'ticks', pg_total_relation_size(partition), NULL"
        " FROM fx_day_partitions UNION ALL SELECT day - date '1970-01-01', NULL, NULL, state FROM tick_days ORDER BY 1");
    if (res == NULL) return PQstatus(db->conn) == CONNECTION_OK ? FX_EDB : FX_EUNAVAIL;
    int rows = PQntuples(res);
    struct day_info *days = calloc(rows ? (size_t)rows : 1, sizeof *days);
    if (days == NULL) {
        PQclear(res);
        return FX_ENOMEM;
    }
    size_t k = 0;
    for (int r = 0; r < rows; r++) {
        int32_t day = (int32_t)strtol(PQgetvalue(res, r, 0), NULL, 10);
        if (k == 0 || days[k - 1].day != day) days[k++] = (struct day_info){ .day = day };
        struct day_info *d = &days[k - 1];
        if (!PQgetisnull(res, r, 3)) {
            d->state = strcmp(PQgetvalue(res, r, 3), "sealed") == 0 ? FX_DAY_SEALED : FX_DAY_COMPACT;
        } else if (PQgetvalue(res, r, 1)[0] == 't') {
            d->raw = 1, d->raw_bytes = strtoull(PQgetvalue(res, r, 2), NULL, 10);
        } else {
            d->chunks = 1, d->chunk_bytes = strtoull(PQgetvalue(res, r, 2), NULL, 10);
        }
    }
    PQclear(res);
    qsort(days, k, sizeof *days, cmp_info);
    *out = days;
    *n = k;
    return 0;
}

static int add_report(struct fx_maintenance_report *r, const struct fx_day_report *d)
{
    struct fx_day_report *p = realloc(r->days, (r->ndays + 1) * sizeof *p);
    if (p == NULL) return FX_ENOMEM;
    r->days = p;
    r->days[r->ndays++] = *d;
    if (d->action == FX_DAY_DROPPED)
        r->days_dropped++, r->ticks_dropped += d->ticks;
    else
        r->days_compacted++, r->ticks_compacted += d->ticks;
    r->bytes_before += d->bytes_before;
    r->bytes_after += d->bytes_after;
    return 0;
}

/* ---- retention ---- */

/* The ticks a day holds (raw and compacted). */
static int64_t day_ticks(struct fx_db *db, const struct day_info *d, int *rc, char *err, size_t errlen)
{
    char name[FX_PARTITION_SUFFIX_MAX], raw[96] = "0", chunks[128] = "0", sql[256];
    fx_partition_suffix(d->day, name);
    if (d->raw) snprintf(raw, sizeof raw, "(SELECT count(*) FROM ticks_p%s)", name);
    if (d->chunks) snprintf(chunks, sizeof chunks, "coalesce((SELECT sum(tick_count) FROM tick_chunks_p%s), 0)", name);
    snprintf(sql, sizeof sql, "SELECT %s + %s", raw, chunks);
    return query_i64(db, rc, err, errlen, sql);
}

/* Drops the day's partitions in one transaction, sealing it if it held
 * ticks (a day that never had any stays writable). */
static int drop_day(struct fx_db *db, const struct day_info *d, int dry_run, struct fx_maintenance_report *r,
    char *err, size_t errlen)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char name[FX_PARTITION_SUFFIX_MAX], date[FX_DAY_TEXT_MAX];
    fx_partition_suffix(d->day, name);
    struct fx_day_report rep = { .day = d->day, .action = FX_DAY_DROPPED, .bytes_before = d->raw_bytes + d->chunk_bytes };
    int rc = 0;
    if (!dry_run) {
        rc = fx_db_exec(db, "BEGIN", err, errlen);
        if (rc) return rc;
        rc = exec(db, err, errlen, "SELECT pg_advisory_xact_lock(%lld)", FX_LIFECYCLE_LOCK_KEY);
    }
    int64_t ticks = rc == 0 ? day_ticks(db, d, &rc, err, errlen) : 0;
    if (rc && !dry_run) return rollback(db, rc); /* the transaction is open */
    rep.ticks = (uint64_t)ticks;
    if (rc == 0 && !dry_run) {
        /* a drop locks the parent table: wait for readers a while, not forever */
        rc = fx_db_exec(db, "SET LOCAL lock_timeout = '10s'", err, errlen);
        if (rc == 0 && ticks > 0)
            rc = exec(db, err, errlen,
                "INSERT INTO tick_days (day, state, ticks, raw_bytes, compact_bytes) VALUES"
                " (date '1970-01-01' + %d, 'sealed', %lld, %llu, 0) ON CONFLICT (day) DO UPDATE SET"
                " state = 'sealed', ticks = excluded.ticks + CASE WHEN tick_days.state = 'sealed' THEN tick_days.ticks"
                " ELSE 0 END, compact_bytes = 0, changed_at = now()",
                (int)d->day, (long long)ticks, (unsigned long long)rep.bytes_before);
        if (rc == 0) rc = exec(db, err, errlen, "DELETE FROM tick_seq_days WHERE day = %d", (int)d->day);
        if (rc == 0 && d->raw) rc = exec(db, err, errlen, "DROP TABLE ticks_p%s", name);
        if (rc == 0 && d->chunks) rc = exec(db, err, errlen, "DROP TABLE tick_chunks_p%s", name);
        if (rc == 0) rc = fx_db_exec(db, "COMMIT", err, errlen);
        if (rc) return rollback(db, rc);
        fx_partitions_forget();
    }
    if (rc) return rc;
    rep.seconds = seconds_since(&t0);
    if (!dry_run)
        fx_info("lifecycle", "dropped the ticks of %s (%lld ticks, %llu bytes)%s", fx_day_text(d->day, date),
            (long long)ticks, (unsigned long long)rep.bytes_before, ticks > 0 ? "; the day is sealed" : "");
    return add_report(r, &rep);
}

static int drop_old_candles(struct fx_db *db, int32_t cutoff_day, int dry_run, uint64_t *rows, char *err,
    size_t errlen)
{
    static const char *const tables[] = { "candles_1m", "candles_1h", "candles_1d" };
    *rows = 0;
    for (size_t i = 0; i < 3; i++) {
        PGresult *res = query(db, err, errlen,
            dry_run ? "SELECT count(*) FROM %s WHERE bucket < timestamptz 'epoch' + %d * interval '1 day'"
                    : "DELETE FROM %s WHERE bucket < timestamptz 'epoch' + %d * interval '1 day'",
            tables[i], (int)cutoff_day);
        if (res == NULL) return PQstatus(db->conn) == CONNECTION_OK ? FX_EDB : FX_EUNAVAIL;
        *rows += strtoull(dry_run ? PQgetvalue(res, 0, 0) : PQcmdTuples(res), NULL, 10);
        PQclear(res);
    }
    return 0;
}

/* ---- compaction ---- */

/* The chunks of one day being built, in (symbol, first_time) order. */
struct chunk {
    char symbol[FX_SYMBOL_MAX + 1];
    int64_t first_us, last_us, seq_min, seq_max;
    uint32_t count;
    size_t offset, len; /* of its blob in the day's blob buffer */
    uint64_t checksum; /* of its ticks as read */
};

/* Where a chunk of the day stored before begins: new chunks must not span
 * it (chunks of a symbol never overlap). */
struct boundary {
    char symbol[FX_SYMBOL_MAX + 1];
    int64_t first_us;
};

struct day_build {
    struct chunk *chunks;
    size_t nchunks, cap;
    uint8_t *blobs;
    size_t blobs_len, blobs_cap;
    struct fx_tick pending[FX_CHUNK_TICKS];
    size_t npending;
    uint64_t ticks;
    struct boundary *bounds; /* by (symbol, first_us), strcmp order */
    size_t nbounds, cursor;
    int failed;
};

/* Encodes the pending ticks (one symbol's, by time) as a chunk. */
static void flush_chunk(struct day_build *b)
{
    if (b->npending == 0 || b->failed) return;
    size_t bound = fx_tick_chunk_bound(b->npending);
    if (b->nchunks == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        struct chunk *p = realloc(b->chunks, cap * sizeof *p);
        if (p == NULL) {
            b->failed = FX_ENOMEM;
            return;
        }
        b->chunks = p, b->cap = cap;
    }
    if (b->blobs_len + bound > b->blobs_cap) {
        size_t cap = (b->blobs_cap ? b->blobs_cap * 2 : 1 << 20) + bound;
        uint8_t *p = realloc(b->blobs, cap);
        if (p == NULL) {
            b->failed = FX_ENOMEM;
            return;
        }
        b->blobs = p, b->blobs_cap = cap;
    }
    size_t len;
    if (fx_tick_chunk_encode(b->pending, b->npending, b->blobs + b->blobs_len, bound, &len) != 0) {
        b->failed = FX_EINVAL; /* times not strictly increasing: the primary key forbids it */
        return;
    }
    struct chunk *c = &b->chunks[b->nchunks++];
    memcpy(c->symbol, b->pending[0].symbol, sizeof c->symbol);
    c->first_us = b->pending[0].time_us;
    c->last_us = b->pending[b->npending - 1].time_us;
    c->seq_min = c->seq_max = b->pending[0].seq;
    for (size_t i = 1; i < b->npending; i++) {
        if (b->pending[i].seq < c->seq_min) c->seq_min = b->pending[i].seq;
        if (b->pending[i].seq > c->seq_max) c->seq_max = b->pending[i].seq;
    }
    c->count = (uint32_t)b->npending;
    c->checksum = fx_tick_checksum(b->pending, b->npending, 0);
    c->offset = b->blobs_len;
    c->len = len;
    b->blobs_len += len;
    b->npending = 0;
}

static int cmp_boundary(const struct boundary *x, const char *symbol, int64_t first_us)
{
    int c = strcmp(x->symbol, symbol);
    return c ? c : (x->first_us > first_us) - (x->first_us < first_us);
}

static int cmp_bounds(const void *x, const void *y)
{
    const struct boundary *b = y;
    return cmp_boundary(x, b->symbol, b->first_us);
}

/* The first boundary at or after (symbol, first_us). */
static size_t boundary_lower(const struct day_build *b, const char *symbol, int64_t first_us)
{
    size_t lo = 0, hi = b->nbounds;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cmp_boundary(&b->bounds[mid], symbol, first_us) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void add_tick(struct day_build *b, const char *symbol, size_t symlen, int64_t time_us, double price,
    int64_t seq)
{
    if (b->failed) return; /* a flush failed: pending is full, and the day is given up */
    char sym[FX_SYMBOL_MAX + 1];
    memcpy(sym, symbol, symlen);
    sym[symlen] = '\0';
    int same = b->npending > 0 && strcmp(b->pending[0].symbol, sym) == 0;
    if (b->npending > 0 && (!same || b->npending == FX_CHUNK_TICKS)) flush_chunk(b);
    if (!same) b->cursor = boundary_lower(b, sym, INT64_MIN);
    /* a stored chunk between the last tick and this one ends the chunk:
     * raw ticks never lie inside a chunk, so whole chunks lie between */
    int crossed = 0;
    while (b->cursor < b->nbounds && strcmp(b->bounds[b->cursor].symbol, sym) == 0
        && b->bounds[b->cursor].first_us < time_us) {
        crossed = 1;
        b->cursor++;
    }
    if (crossed && b->npending > 0) flush_chunk(b);
    struct fx_tick *t = &b->pending[b->npending++];
    memcpy(t->symbol, sym, symlen + 1);
    t->time_us = time_us, t->price = price, t->seq = seq;
    b->ticks++;
}

/* Reads the day's raw ticks by (symbol, time) with a binary COPY (streamed:
 * a day of many ticks is never held as rows) into chunks. */
static int read_day(struct fx_db *db, const char *name, struct day_build *b, char *err, size_t errlen)
{
    char sql[256];
    snprintf(sql, sizeof sql,
        "COPY (SELECT symbol, time, price, coalesce(seq, 0) FROM ticks_p%s ORDER BY symbol, time)"
        " TO STDOUT (FORMAT binary)",
        name);
    PGresult *res = PQexec(db->conn, sql);
    int rc = PQresultStatus(res) == PGRES_COPY_OUT ? 0 : fx_db_error(db, res, err, errlen);
    PQclear(res);
    if (rc) return rc;
    int header = 1, bad = 0;
    char *buf;
    int len;
    while ((len = PQgetCopyData(db->conn, &buf, 0)) > 0) {
        const char *p = buf, *end = buf + len;
        if (header) { /* signature (11), flags (4), extension length (4) + extension */
            if (len < 19) bad = 1;
            else {
                p += 19 + fx_pg_get_i32(buf + 15);
                header = 0;
            }
        }
        while (!bad && p + 2 <= end) {
            int16_t fields = (int16_t)((unsigned char)p[0] << 8 | (unsigned char)p[1]);
            p += 2;
            if (fields == -1) break; /* trailer */
            int32_t flen[4];
            const char *fval[4];
            if (fields != 4) {
                bad = 1;
                break;
            }
            for (int f = 0; f < 4 && !bad; f++) {
                if (p + 4 > end) bad = 1;
                else {
                    flen[f] = fx_pg_get_i32(p), p += 4;
                    if (flen[f] < 0 || p + flen[f] > end) bad = 1;
                    fval[f] = p, p += flen[f];
                }
            }
            if (bad || flen[0] > FX_SYMBOL_MAX || flen[1] != 8 || flen[2] != 8 || flen[3] != 8) {
                bad = 1;
                break;
            }
            add_tick(b, fval[0], (size_t)flen[0], fx_pg_get_time(fval[1]), fx_pg_get_f64(fval[2]),
                fx_pg_get_i64(fval[3]));
        }
        PQfreemem(buf);
    }
    while ((res = PQgetResult(db->conn)) != NULL) {
        if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK) rc = fx_db_error(db, res, err, errlen);
        PQclear(res);
    }
    if (rc == 0 && (len == -2 || bad)) {
        snprintf(err, errlen, "reading the ticks of %s failed: %s", name, bad ? "unexpected COPY data" : "connection");
        rc = bad ? FX_EDB : FX_EUNAVAIL;
    }
    flush_chunk(b);
    if (rc == 0 && b->failed) {
        snprintf(err, errlen, "compacting %s failed (%s)", name, fx_strerror(b->failed));
        rc = b->failed;
    }
    return rc;
}

#define CHUNK_TUPLE_FIXED FX_PG_COPY_TUPLE_BYTES(7, FX_SYMBOL_MAX + 8 * 5 + 4)

static int write_chunks(struct fx_db *db, const struct day_build *b, char *err, size_t errlen)
{
    struct fx_pg_copy c;
    /* every tuple is sized for the largest blob: simple, and blobs are small */
    size_t maxlen = 0;
    for (size_t i = 0; i < b->nchunks; i++)
        if (b->chunks[i].len > maxlen) maxlen = b->chunks[i].len;
    if (fx_pg_copy_begin(&c, b->nchunks, CHUNK_TUPLE_FIXED + maxlen) != 0) return FX_ENOMEM;
    for (size_t i = 0; i < b->nchunks; i++) {
        const struct chunk *k = &b->chunks[i];
        fx_pg_copy_tuple(&c, 7);
        fx_pg_copy_text(&c, k->symbol);
        fx_pg_copy_time(&c, k->first_us);
        fx_pg_copy_time(&c, k->last_us);
        fx_pg_copy_int4(&c, (int32_t)k->count);
        fx_pg_copy_int8(&c, k->seq_min);
        fx_pg_copy_int8(&c, k->seq_max);
        fx_pg_copy_bytes(&c, b->blobs + k->offset, k->len);
    }
    return fx_pg_copy_send(db,
        "COPY tick_chunks (symbol, first_time, last_time, tick_count, seq_min, seq_max, data) FROM STDIN"
        " (FORMAT binary)",
        &c, err, errlen);
}

static int cmp_chunk(const void *x, const void *y)
{
    const struct chunk *a = x, *b = y;
    int c = strcmp(a->symbol, b->symbol);
    return c ? c : (a->first_us > b->first_us) - (a->first_us < b->first_us);
}

/* Reads the day's chunks back as stored and checks that the new ones decode
 * to exactly the ticks read (count and checksum of each). */
static int verify_chunks(struct fx_db *db, const char *name, struct day_build *b, char *err, size_t errlen)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT symbol, first_time, data FROM tick_chunks_p%s", name);
    PGresult *res = PQexecParams(db->conn, sql, 0, NULL, NULL, NULL, NULL, 1);
    int rc = fx_db_rows(db, res, err, errlen);
    if (rc) return rc;
    qsort(b->chunks, b->nchunks, sizeof *b->chunks, cmp_chunk);
    struct fx_tick *ticks = malloc(FX_CHUNK_TICKS * sizeof *ticks);
    uint64_t count = 0;
    size_t matched = 0;
    rc = ticks ? 0 : FX_ENOMEM;
    for (int r = 0; rc == 0 && r < PQntuples(res); r++) {
        struct chunk key;
        snprintf(key.symbol, sizeof key.symbol, "%.*s", PQgetlength(res, r, 0), PQgetvalue(res, r, 0));
        key.first_us = fx_pg_get_time(PQgetvalue(res, r, 1));
        const struct chunk *c = bsearch(&key, b->chunks, b->nchunks, sizeof *b->chunks, cmp_chunk);
        if (c == NULL) continue; /* stored before */
        const uint8_t *data = (const uint8_t *)PQgetvalue(res, r, 2);
        size_t len = (size_t)PQgetlength(res, r, 2);
        int64_t n = fx_tick_chunk_count(data, len);
        if (n != (int64_t)c->count || fx_tick_chunk_decode(data, len, ticks, FX_CHUNK_TICKS) != 0
            || fx_tick_checksum(ticks, (size_t)n, 0) != c->checksum) {
            rc = FX_EDB;
            break;
        }
        count += (uint64_t)n;
        matched++;
    }
    PQclear(res);
    free(ticks);
    if (rc == 0 && (count != b->ticks || matched != b->nchunks)) rc = FX_EDB;
    if (rc == FX_EDB)
        snprintf(err, errlen, "the chunks of %s do not read back as its ticks (%llu of %llu); nothing was changed",
            name, (unsigned long long)count, (unsigned long long)b->ticks);
    return rc;
}

/* The chunks the day holds already, as boundaries. */
static int read_boundaries(struct fx_db *db, const char *name, struct day_build *b, char *err, size_t errlen)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT symbol, first_time FROM tick_chunks_p%s", name);
    PGresult *res = PQexecParams(db->conn, sql, 0, NULL, NULL, NULL, NULL, 1);
    int rc = fx_db_rows(db, res, err, errlen);
    if (rc) return rc;
    size_t n = (size_t)PQntuples(res);
    b->bounds = calloc(n ? n : 1, sizeof *b->bounds);
    if (b->bounds == NULL) {
        PQclear(res);
        return FX_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(b->bounds[i].symbol, sizeof b->bounds[i].symbol, "%.*s", PQgetlength(res, (int)i, 0),
            PQgetvalue(res, (int)i, 0));
        b->bounds[i].first_us = fx_pg_get_time(PQgetvalue(res, (int)i, 1));
    }
    PQclear(res);
    b->nbounds = n;
    qsort(b->bounds, n, sizeof *b->bounds, cmp_bounds);
    return 0;
}

static void build_free(struct day_build *b)
{
    free(b->chunks);
    free(b->blobs);
    free(b->bounds);
}

/* Compacts one day in one transaction: the chunks are written, read back
 * and checked, and only then the raw partition is emptied. */
static int compact_day(struct fx_db *db, const struct day_info *d, int dry_run, struct fx_maintenance_report *r,
    char *err, size_t errlen)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char name[FX_PARTITION_SUFFIX_MAX], date[FX_DAY_TEXT_MAX];
    fx_partition_suffix(d->day, name);
    struct fx_day_report rep = { .day = d->day, .action = FX_DAY_COMPACTED, .bytes_before = d->raw_bytes + d->chunk_bytes };
    int rc = 0;
    if (dry_run) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM ticks_p%s", name);
        rep.ticks = (uint64_t)query_i64(db, &rc, err, errlen, sql);
        return rc ? rc : add_report(r, &rep);
    }
    /* its own transaction: creating a partition locks the parent table */
    rc = exec(db, err, errlen, "SELECT fx_ensure_chunk_partition(date '1970-01-01' + %d)", (int)d->day);
    if (rc) return rc;
    fx_info("lifecycle", "compacting %s", fx_day_text(d->day, date));
    struct day_build *b = calloc(1, sizeof *b);
    if (b == NULL) return FX_ENOMEM;
    rc = fx_db_exec(db, "BEGIN", err, errlen);
    if (rc == 0) rc = exec(db, err, errlen, "SELECT pg_advisory_xact_lock(%lld)", FX_LIFECYCLE_LOCK_KEY);
    /* writers of the day wait from here (readers do not): a writer that did
     * not take the lifecycle lock (a clock far behind) cannot commit rows
     * the TRUNCATE below would then remove unread */
    if (rc == 0) rc = exec(db, err, errlen, "LOCK TABLE ticks_p%s IN EXCLUSIVE MODE", name);
    /* compacted before: the late ticks become chunks of their own, between
     * the stored ones, which stay as they are */
    if (rc == 0 && d->chunks) rc = read_boundaries(db, name, b, err, errlen);
    if (rc == 0) rc = read_day(db, name, b, err, errlen);
    if (rc == 0 && b->ticks > 0) rc = write_chunks(db, b, err, errlen);
    if (rc == 0) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM ticks_p%s", name);
        int64_t now_count = query_i64(db, &rc, err, errlen, sql);
        if (rc == 0 && (uint64_t)now_count != b->ticks) {
            snprintf(err, errlen, "%s changed while being compacted; it is left for the next run", name);
            rc = FX_EDB;
        }
    }
    if (rc == 0) rc = verify_chunks(db, name, b, err, errlen);
    if (rc == 0) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT pg_total_relation_size('tick_chunks_p%s')", name);
        rep.bytes_after = (uint64_t)query_i64(db, &rc, err, errlen, sql);
    }
    /* emptying the partition locks it: wait for readers a while, not forever */
    if (rc == 0) rc = fx_db_exec(db, "SET LOCAL lock_timeout = '10s'", err, errlen);
    if (rc == 0) rc = exec(db, err, errlen, "TRUNCATE ticks_p%s", name);
    if (rc == 0)
        rc = exec(db, err, errlen,
            "INSERT INTO tick_days (day, state, ticks, raw_bytes, compact_bytes) VALUES"
            " (date '1970-01-01' + %d, 'compact', (SELECT coalesce(sum(tick_count), 0) FROM tick_chunks_p%s), %llu, %llu)"
            " ON CONFLICT (day) DO UPDATE SET state = 'compact', ticks = excluded.ticks,"
            " raw_bytes = tick_days.raw_bytes + excluded.raw_bytes, compact_bytes = excluded.compact_bytes,"
            " changed_at = now()",
            (int)d->day, name, (unsigned long long)rep.bytes_before, (unsigned long long)rep.bytes_after);
    if (rc == 0) rc = fx_db_exec(db, "COMMIT", err, errlen);
    rep.ticks = b->ticks;
    build_free(b);
    free(b);
    if (rc) return rollback(db, rc);
    rep.seconds = seconds_since(&t0);
    fx_info("lifecycle", "compacted %s: %llu ticks, %llu -> %llu bytes (%.1fx) in %.2f s", date,
        (unsigned long long)rep.ticks, (unsigned long long)rep.bytes_before,
        (unsigned long long)rep.bytes_after,
        rep.bytes_after ? (double)rep.bytes_before / (double)rep.bytes_after : 0.0, rep.seconds);
    return add_report(r, &rep);
}

/* Whether the day's raw partition holds any tick. */
static int has_raw_ticks(struct fx_db *db, const struct day_info *d, int *rc, char *err, size_t errlen)
{
    char name[FX_PARTITION_SUFFIX_MAX], sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT 1 FROM ticks_p%s LIMIT 1) t", fx_partition_suffix(d->day, name));
    return query_i64(db, rc, err, errlen, sql) > 0;
}

/* The day whose end lies `days` whole days before now (days ending at or
 * before it are due). */
static int32_t due_day(int64_t now_us, int days)
{
    int64_t rem;
    return (int32_t)(fx_floor_divmod(now_us, FX_US_PER_DAY, &rem) - days - 1);
}

int fx_maintenance_run(struct fx_db *db, const struct fx_lifecycle_policy *policy, int64_t now_us, int dry_run,
    struct fx_maintenance_report *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->dry_run = dry_run;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = fx_db_ensure(db, err, errlen);
    if (rc) return rc;
    /* one pass at a time: a second one would only wait, holding a worker */
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_try_advisory_lock(%lld)::int", FX_MAINTENANCE_LOCK_KEY);
    if (query_i64(db, &rc, err, errlen, sql) != 1 && rc == 0) {
        snprintf(err, errlen, "a maintenance pass is running already (on this or another core); try again when it ended");
        return FX_EBUSY;
    }
    if (rc) return rc;
    struct day_info *days = NULL;
    size_t ndays = 0;
    rc = list_days(db, &days, &ndays, err, errlen);
    /* a day is due once it ended the policy's days ago: day + 1 + N <= today */
    int32_t drop_last = policy->retention_days > 0 ? due_day(now_us, policy->retention_days) : INT32_MIN;
    int32_t compact_last = policy->compression_after_days > 0 ? due_day(now_us, policy->compression_after_days)
                                                              : INT32_MIN;
    for (size_t i = 0; rc == 0 && i < ndays; i++) {
        const struct day_info *d = &days[i];
        if (policy->stop && policy->stop(policy->stop_arg)) {
            fx_info("lifecycle", "maintenance ends early (stopping); the next pass does the rest");
            break;
        }
        if (!d->raw && !d->chunks) continue;
        if (d->day <= drop_last)
            rc = drop_day(db, d, dry_run, out, err, errlen);
        else if (d->day <= compact_last && d->raw && d->state != FX_DAY_SEALED && has_raw_ticks(db, d, &rc, err, errlen))
            rc = compact_day(db, d, dry_run, out, err, errlen);
    }
    free(days);
    if (rc == 0 && policy->candle_retention_days > 0)
        rc = drop_old_candles(db, due_day(now_us, policy->candle_retention_days) + 1, dry_run, &out->candles_dropped,
            err, errlen);
    char ignored[64];
    exec(db, ignored, sizeof ignored, "SELECT pg_advisory_unlock(%lld)", FX_MAINTENANCE_LOCK_KEY);
    out->seconds = seconds_since(&t0);
    return rc;
}

/* ---- the storage report ---- */

int fx_storage_read(struct fx_db *db, struct fx_storage_range **out, size_t *n, char *err, size_t errlen)
{
    int rc = fx_db_ensure(db, err, errlen);
    if (rc) return rc;
    PGresult *res = query(db, err, errlen,
        "WITH parts AS (SELECT day, sum(pg_total_relation_size(partition)) AS bytes FROM fx_day_partitions GROUP BY 1),"
        " per AS (SELECT symbol, (bucket AT TIME ZONE 'UTC')::date AS day, tick_count FROM candles_1d),"
        " tot AS (SELECT day, sum(tick_count) AS n FROM per GROUP BY day)"
        " SELECT p.symbol, p.day - date '1970-01-01', coalesce(d.state, 'raw'),"
        "  CASE WHEN d.state = 'sealed' THEN 0 ELSE p.tick_count END,"
        "  CASE WHEN d.state = 'sealed' THEN 0 ELSE coalesce(round(pa.bytes * p.tick_count / nullif(t.n, 0)), 0) END"
        " FROM per p JOIN tot t USING (day) LEFT JOIN tick_days d USING (day) LEFT JOIN parts pa USING (day)"
        " ORDER BY p.symbol, p.day");
    if (res == NULL) return PQstatus(db->conn) == CONNECTION_OK ? FX_EDB : FX_EUNAVAIL;
    int rows = PQntuples(res);
    struct fx_storage_range *ranges = calloc(rows ? (size_t)rows : 1, sizeof *ranges);
    if (ranges == NULL) {
        PQclear(res);
        return FX_ENOMEM;
    }
    size_t k = 0;
    for (int r = 0; r < rows; r++) {
        const char *symbol = PQgetvalue(res, r, 0), *state = PQgetvalue(res, r, 2);
        int32_t day = (int32_t)strtol(PQgetvalue(res, r, 1), NULL, 10);
        enum fx_day_state st = strcmp(state, "sealed") == 0 ? FX_DAY_SEALED
            : strcmp(state, "compact") == 0                 ? FX_DAY_COMPACT
                                                            : FX_DAY_RAW;
        struct fx_storage_range *last = k ? &ranges[k - 1] : NULL;
        if (last == NULL || strcmp(last->symbol, symbol) != 0 || last->state != st || last->last_day + 1 != day) {
            last = &ranges[k++];
            snprintf(last->symbol, sizeof last->symbol, "%s", symbol);
            last->first_day = day;
            last->state = st;
        }
        last->last_day = day;
        last->days++;
        last->ticks += strtoull(PQgetvalue(res, r, 3), NULL, 10);
        last->bytes += strtoull(PQgetvalue(res, r, 4), NULL, 10);
    }
    PQclear(res);
    *out = ranges;
    *n = k;
    return 0;
}
