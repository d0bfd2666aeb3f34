#include "server/tick_chunks.h"

#include "base/calendar.h"
#include "base/errors.h"
#include "server/partitions.h"
#include "server/pg_codec.h"
#include "server/pg_copy.h"
#include "server/tick_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int fx_day_settled(int32_t day, int64_t now_us)
{
    return ((int64_t)day + 1) * FX_US_PER_DAY + FX_SETTLED_AFTER_US <= now_us;
}

static const struct {
    const char *name, *sql;
    int nparams;
} statements[] = {
    { "lifecycle_lock_shared", "SELECT pg_advisory_xact_lock_shared(7383770789019214713)", 0 },
    /* the first sealed day among the spans' days (day numbers), and whether
     * any of them is compact (only then can chunks overlap the spans) */
    { "sealed_in_spans",
        "SELECT min(d.day - date '1970-01-01') FILTER (WHERE d.state = 'sealed'),"
        " coalesce(bool_or(d.state = 'compact'), false)"
        " FROM tick_days d, unnest($1::int4[], $2::int4[]) s(lo, hi)"
        " WHERE d.day - date '1970-01-01' BETWEEN s.lo AND s.hi",
        2 },
    /* takes the chunks overlapping the spans out (to write them back raw);
     * a chunk lies within one day, hence the bound that prunes partitions */
    { "chunks_take",
        "DELETE FROM tick_chunks c USING unnest($1::text[], $2::int8[], $3::int8[]) s(symbol, lo, hi)"
        " WHERE c.symbol = s.symbol"
        " AND c.first_time <= timestamptz 'epoch' + s.hi * interval '1 microsecond'"
        " AND c.last_time >= timestamptz 'epoch' + s.lo * interval '1 microsecond'"
        " AND c.first_time > timestamptz 'epoch' + s.lo * interval '1 microsecond' - interval '1 day'"
        " RETURNING c.symbol, c.data",
        3 },
    /* the same for one span: its bounds are plain parameters ($4 = $2 less
     * a day, computed by the caller: timestamptz - interval is only stable),
     * so the planner prunes to the partitions of its days, where the join
     * above plans every one (tens of milliseconds with years of days) */
    { "chunks_take_one",
        "DELETE FROM tick_chunks c WHERE c.symbol = $1 AND c.first_time <= $3::timestamptz"
        " AND c.last_time >= $2::timestamptz AND c.first_time > $4::timestamptz RETURNING c.symbol, c.data",
        4 },
    { "chunks_delete_inside",
        "DELETE FROM tick_chunks WHERE symbol = $1 AND first_time >= $2 AND last_time < $3 RETURNING tick_count", 3 },
};

static int tick_chunks_prepare(struct fx_db *db, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof statements / sizeof statements[0]; i++)
        rc = fx_db_prepare(db, statements[i].name, statements[i].sql, statements[i].nparams, NULL, err, errlen);
    return rc;
}

FX_DB_SETUP(tick_chunks_prepare)

/* A growing text buffer for array literals ("{1,2,3}"). */
struct text {
    char *s;
    size_t len, cap;
    int failed;
};

static void text_add(struct text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->failed) return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->cap ? t->cap * 2 : 256) + n;
        char *p = realloc(t->s, cap);
        if (p == NULL) {
            t->failed = 1;
            return;
        }
        t->s = p, t->cap = cap;
    }
    memcpy(t->s + t->len, s, n + 1);
    t->len += n;
}

static void text_add_i64(struct text *t, int64_t v, int first)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%s%lld", first ? "" : ",", (long long)v);
    text_add(t, buf);
}

/* Runs a prepared statement with text parameters. */
static PGresult *run_text(struct fx_db *db, const char *name, int n, const char *const *values)
{
    return PQexecPrepared(db->conn, name, n, values, NULL, NULL, 1);
}

/* FX_ESEALED naming the first sealed day of the spans; *compact (optional)
 * tells whether any of their days is compact. */
static int refuse_sealed(
    struct fx_db *db, const struct fx_tick_span *spans, size_t n, int *compact, char *err, size_t errlen)
{
    struct text lo = { 0 }, hi = { 0 };
    text_add(&lo, "{"), text_add(&hi, "{");
    for (size_t i = 0; i < n; i++) {
        text_add_i64(&lo, fx_day_of(spans[i].from_us), i == 0);
        text_add_i64(&hi, fx_day_of(spans[i].to_us), i == 0);
    }
    text_add(&lo, "}"), text_add(&hi, "}");
    int rc = FX_ENOMEM;
    if (!lo.failed && !hi.failed) {
        const char *values[2] = { lo.s, hi.s };
        PGresult *res = run_text(db, "sealed_in_spans", 2, values);
        rc = fx_db_rows(db, res, err, errlen);
        if (rc == 0) {
            if (compact) *compact = PQgetvalue(res, 0, 1)[0] != 0;
            if (!PQgetisnull(res, 0, 0)) {
                char day[FX_DAY_TEXT_MAX];
                snprintf(err, errlen,
                    "%s is sealed: retention dropped its ticks (its candles are kept), so ticks of that day can no "
                    "longer be written, changed or deleted",
                    fx_day_text(fx_pg_get_i32(PQgetvalue(res, 0, 0)), day));
                rc = FX_ESEALED;
            }
            PQclear(res);
        }
    }
    free(lo.s), free(hi.s);
    return rc;
}

#define TICK_TUPLE_MAX FX_PG_COPY_TUPLE_BYTES(4, FX_SYMBOL_MAX + 8 + 8 + 8)

int fx_chunks_write_back(struct fx_db *db, PGresult *res, char *err, size_t errlen)
{
    int rows = PQntuples(res);
    size_t total = 0;
    for (int r = 0; r < rows; r++) {
        int64_t count = fx_tick_chunk_count((const uint8_t *)PQgetvalue(res, r, 1), (size_t)PQgetlength(res, r, 1));
        if (count < 0) {
            snprintf(err, errlen, "a compacted chunk of %s does not decode", PQgetvalue(res, r, 0));
            return FX_EDB;
        }
        total += (size_t)count;
    }
    if (total == 0) return 0;
    struct fx_tick *ticks = malloc(total * sizeof *ticks);
    struct fx_pg_copy c;
    if (ticks == NULL || fx_pg_copy_begin(&c, total, TICK_TUPLE_MAX) != 0) {
        free(ticks);
        snprintf(err, errlen, "out of memory for %zu ticks", total);
        return FX_ENOMEM;
    }
    for (int r = 0; r < rows; r++) {
        const uint8_t *data = (const uint8_t *)PQgetvalue(res, r, 1);
        size_t len = (size_t)PQgetlength(res, r, 1);
        size_t count = (size_t)fx_tick_chunk_count(data, len);
        if (fx_tick_chunk_decode(data, len, ticks, count) != 0) {
            free(ticks);
            fx_pg_copy_discard(&c);
            snprintf(err, errlen, "a compacted chunk of %s does not decode", PQgetvalue(res, r, 0));
            return FX_EDB;
        }
        for (size_t i = 0; i < count; i++) {
            fx_pg_copy_tuple(&c, 4);
            fx_pg_copy_text(&c, PQgetvalue(res, r, 0));
            fx_pg_copy_time(&c, ticks[i].time_us);
            fx_pg_copy_float8(&c, ticks[i].price);
            if (ticks[i].seq == 0) /* stored without one (before migration 004) */
                fx_pg_copy_null(&c);
            else
                fx_pg_copy_int8(&c, ticks[i].seq);
        }
    }
    free(ticks);
    return fx_pg_copy_send(db, "COPY ticks (symbol, time, price, seq) FROM STDIN (FORMAT binary)", &c, err, errlen);
}

/* Spans up to this many are taken out one statement each (chunks_take_one). */
#define TAKE_ONE_BY_ONE_MAX 16

static int inflate_one(struct fx_db *db, const struct fx_tick_span *span, char *err, size_t errlen)
{
    char lo[8], hi[8], day_before[8];
    fx_pg_put_time(lo, span->from_us);
    fx_pg_put_time(hi, span->to_us);
    fx_pg_put_time(day_before, span->from_us - FX_US_PER_DAY);
    const char *values[4] = { span->symbol, lo, hi, day_before };
    int lengths[4] = { 0, 8, 8, 8 }, formats[4] = { 0, 1, 1, 1 };
    PGresult *res = PQexecPrepared(db->conn, "chunks_take_one", 4, values, lengths, formats, 1);
    int rc = fx_db_rows(db, res, err, errlen);
    if (rc == 0) {
        rc = fx_chunks_write_back(db, res, err, errlen);
        PQclear(res);
    }
    return rc;
}

/* Takes the chunks overlapping the spans out and writes their ticks back raw. */
static int inflate(struct fx_db *db, const struct fx_tick_span *spans, size_t n, char *err, size_t errlen)
{
    if (n <= TAKE_ONE_BY_ONE_MAX) {
        int rc = 0;
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = inflate_one(db, &spans[i], err, errlen);
        return rc;
    }
    struct text sym = { 0 }, lo = { 0 }, hi = { 0 };
    text_add(&sym, "{"), text_add(&lo, "{"), text_add(&hi, "{");
    for (size_t i = 0; i < n; i++) {
        if (i) text_add(&sym, ",");
        /* quoted: the symbol NULL must not read as an SQL NULL (validated
         * symbols hold no quote or backslash) */
        text_add(&sym, "\""), text_add(&sym, spans[i].symbol), text_add(&sym, "\"");
        text_add_i64(&lo, spans[i].from_us, i == 0);
        text_add_i64(&hi, spans[i].to_us, i == 0);
    }
    text_add(&sym, "}"), text_add(&lo, "}"), text_add(&hi, "}");
    int rc = FX_ENOMEM;
    if (!sym.failed && !lo.failed && !hi.failed) {
        const char *values[3] = { sym.s, lo.s, hi.s };
        PGresult *res = run_text(db, "chunks_take", 3, values);
        rc = fx_db_rows(db, res, err, errlen);
        if (rc == 0) {
            rc = fx_chunks_write_back(db, res, err, errlen);
            PQclear(res);
        }
    }
    free(sym.s), free(lo.s), free(hi.s);
    return rc;
}

/* The spans that reach a settled day (their first day is one), malloc'ed. */
static struct fx_tick_span *settled_spans(const struct fx_tick_span *spans, size_t n, int64_t now_us, size_t *m)
{
    struct fx_tick_span *old = malloc((n ? n : 1) * sizeof *old);
    if (old == NULL) return NULL;
    *m = 0;
    for (size_t i = 0; i < n; i++)
        if (fx_day_settled(fx_day_of(spans[i].from_us), now_us)) old[(*m)++] = spans[i];
    return old;
}

/* The lifecycle lock (shared: no compaction or retention runs meanwhile, so
 * the days' states hold until commit) and the sealed days' refusal. */
static int guard(
    struct fx_db *db, const struct fx_tick_span *spans, size_t n, int *compact, char *err, size_t errlen)
{
    PGresult *res = PQexecPrepared(db->conn, "lifecycle_lock_shared", 0, NULL, NULL, NULL, 0);
    int rc = fx_db_rows(db, res, err, errlen);
    if (rc == 0) PQclear(res);
    return rc ? rc : refuse_sealed(db, spans, n, compact, err, errlen);
}

int fx_chunks_before_write(struct fx_db *db, const struct fx_tick_span *spans, size_t n, int64_t now_us, char *err,
    size_t errlen)
{
    size_t m;
    struct fx_tick_span *old = settled_spans(spans, n, now_us, &m);
    if (old == NULL) return FX_ENOMEM;
    int rc = 0, compact = 0;
    if (m > 0) rc = guard(db, old, m, &compact, err, errlen);
    /* chunks can overlap the spans only on compact days: a raw day costs
     * no statement on tick_chunks at all */
    if (rc == 0 && compact) rc = inflate(db, old, m, err, errlen);
    free(old);
    return rc;
}

int fx_chunks_check_sealed(struct fx_db *db, const struct fx_tick_span *span, char *err, size_t errlen)
{
    return refuse_sealed(db, span, 1, NULL, err, errlen);
}

int fx_chunks_count_rows(PGresult *res, int64_t start_us, int64_t end_us, uint64_t *count, char *err, size_t errlen)
{
    uint64_t sum = 0;
    struct fx_tick *ticks = NULL;
    int rc = 0;
    for (int r = 0; rc == 0 && r < PQntuples(res); r++) {
        if (!PQgetisnull(res, r, 0)) { /* the raw count */
            sum += (uint64_t)fx_pg_get_i64(PQgetvalue(res, r, 0));
            continue;
        }
        if (PQgetisnull(res, r, 2)) { /* a chunk wholly inside */
            sum += (uint64_t)fx_pg_get_i32(PQgetvalue(res, r, 1));
            continue;
        }
        const uint8_t *data = (const uint8_t *)PQgetvalue(res, r, 2);
        size_t len = (size_t)PQgetlength(res, r, 2);
        int64_t n = fx_tick_chunk_count(data, len);
        struct fx_tick *t = n > 0 ? realloc(ticks, (size_t)n * sizeof *t) : NULL;
        if (t == NULL) {
            rc = n > 0 ? FX_ENOMEM : FX_EDB;
            break;
        }
        ticks = t;
        if (fx_tick_chunk_decode(data, len, ticks, (size_t)n) != 0) {
            rc = FX_EDB;
            break;
        }
        for (int64_t i = 0; i < n; i++) sum += ticks[i].time_us >= start_us && ticks[i].time_us < end_us;
    }
    free(ticks);
    PQclear(res);
    if (rc == FX_EDB) snprintf(err, errlen, "a compacted chunk does not decode");
    if (rc == 0) *count = sum;
    return rc;
}

int fx_chunks_day_sealed(struct fx_db *db, int32_t day, int *sealed, char *err, size_t errlen)
{
    char lo[16], hi[32];
    snprintf(lo, sizeof lo, "{%d}", (int)day);
    snprintf(hi, sizeof hi, "{%d}", (int)day);
    const char *values[2] = { lo, hi };
    PGresult *res = run_text(db, "sealed_in_spans", 2, values);
    int rc = fx_db_rows(db, res, err, errlen);
    if (rc) return rc;
    *sealed = !PQgetisnull(res, 0, 0);
    PQclear(res);
    return 0;
}

struct fx_tick_span fx_chunks_edit_span(const char *symbol, int64_t from_us, int64_t to_us)
{
    int64_t rem;
    int64_t first = fx_floor_divmod(from_us, FX_US_PER_MINUTE, &rem) * FX_US_PER_MINUTE;
    int64_t last = fx_floor_divmod(to_us, FX_US_PER_MINUTE, &rem) * FX_US_PER_MINUTE + FX_US_PER_MINUTE - 1;
    return (struct fx_tick_span){ symbol, first, last };
}

static int delete_inside(struct fx_db *db, const char *symbol, int64_t start_us, int64_t end_us, uint64_t *deleted,
    char *err, size_t errlen)
{
    char p[2][8];
    fx_pg_put_time(p[0], start_us);
    fx_pg_put_time(p[1], end_us);
    const char *values[3] = { symbol, p[0], p[1] };
    int lengths[3] = { (int)strlen(symbol), 8, 8 }, formats[3] = { 0, 1, 1 };
    PGresult *res = PQexecPrepared(db->conn, "chunks_delete_inside", 3, values, lengths, formats, 1);
    int rc = fx_db_rows(db, res, err, errlen);
    if (rc) return rc;
    uint64_t sum = 0;
    for (int r = 0; r < PQntuples(res); r++) sum += (uint64_t)fx_pg_get_i32(PQgetvalue(res, r, 0));
    PQclear(res);
    *deleted = sum;
    return 0;
}

int fx_chunks_before_delete(struct fx_db *db, const char *symbol, int64_t start_us, int64_t end_us, int64_t now_us,
    uint64_t *deleted, char *err, size_t errlen)
{
    *deleted = 0;
    struct fx_tick_span span = fx_chunks_edit_span(symbol, start_us, end_us - 1);
    if (!fx_day_settled(fx_day_of(span.from_us), now_us)) return 0;
    int compact = 0;
    int rc = guard(db, &span, 1, &compact, err, errlen);
    if (rc == 0 && compact) rc = delete_inside(db, symbol, start_us, end_us, deleted, err, errlen);
    if (rc == 0 && compact) rc = inflate(db, &span, 1, err, errlen);
    return rc;
}

/* ---- reads ---- */

static int by_time(const void *a, const void *b)
{
    int64_t x = ((const struct fx_tick *)a)->time_us, y = ((const struct fx_tick *)b)->time_us;
    return (x > y) - (x < y);
}

static int by_seq(const void *a, const void *b)
{
    int64_t x = ((const struct fx_tick *)a)->seq, y = ((const struct fx_tick *)b)->seq;
    return (x > y) - (x < y);
}

/* The raw ticks of `res` and the decoded ticks of its chunks that `keep`
 * accepts, each sorted by `cmp` (malloc'ed, caller frees both). */
struct split {
    struct fx_tick *raw, *packed;
    size_t nraw, npacked;
    size_t chunks; /* chunk rows in the result */
};

static int split_rows(PGresult *res, int (*keep)(const struct fx_tick *, const void *), const void *arg,
    int (*cmp)(const void *, const void *), struct split *s, char *err, size_t errlen)
{
    int rows = PQntuples(res);
    size_t nraw = 0, npacked = 0;
    for (int r = 0; r < rows; r++) {
        if (PQgetisnull(res, r, 3)) {
            nraw++;
            continue;
        }
        int64_t count = fx_tick_chunk_count((const uint8_t *)PQgetvalue(res, r, 3), (size_t)PQgetlength(res, r, 3));
        if (count < 0) {
            snprintf(err, errlen, "a compacted chunk does not decode");
            return FX_EDB;
        }
        npacked += (size_t)count;
    }
    memset(s, 0, sizeof *s);
    s->chunks = (size_t)rows - nraw;
    s->raw = malloc((nraw ? nraw : 1) * sizeof *s->raw);
    s->packed = malloc((npacked ? npacked : 1) * sizeof *s->packed);
    if (s->raw == NULL || s->packed == NULL) {
        free(s->raw), free(s->packed);
        return FX_ENOMEM;
    }
    for (int r = 0; r < rows; r++) {
        if (PQgetisnull(res, r, 3)) {
            struct fx_tick *t = &s->raw[s->nraw++];
            t->time_us = fx_pg_get_time(PQgetvalue(res, r, 0));
            t->price = fx_pg_get_f64(PQgetvalue(res, r, 1));
            t->seq = fx_pg_get_i64(PQgetvalue(res, r, 2));
            continue;
        }
        const uint8_t *data = (const uint8_t *)PQgetvalue(res, r, 3);
        size_t len = (size_t)PQgetlength(res, r, 3);
        size_t count = (size_t)fx_tick_chunk_count(data, len);
        struct fx_tick *dst = s->packed + s->npacked;
        if (fx_tick_chunk_decode(data, len, dst, count) != 0) {
            free(s->raw), free(s->packed);
            snprintf(err, errlen, "a compacted chunk does not decode");
            return FX_EDB;
        }
        size_t kept = 0;
        for (size_t i = 0; i < count; i++)
            if (keep(&dst[i], arg)) dst[kept++] = dst[i];
        s->npacked += kept;
    }
    /* the statement orders each half, but UNION ALL promises no order */
    for (size_t i = 1; i < s->nraw; i++)
        if (cmp(&s->raw[i - 1], &s->raw[i]) > 0) {
            qsort(s->raw, s->nraw, sizeof *s->raw, cmp);
            break;
        }
    for (size_t i = 1; i < s->npacked; i++)
        if (cmp(&s->packed[i - 1], &s->packed[i]) > 0) {
            qsort(s->packed, s->npacked, sizeof *s->packed, cmp);
            break;
        }
    return 0;
}

/* Merges the two sorted halves, skips `offset`, keeps at most `limit`. */
static int merge(struct split *s, const char *symbol, int (*cmp)(const void *, const void *), uint64_t offset,
    uint32_t limit, struct fx_arena *arena, struct fx_tick **out, size_t *n)
{
    size_t total = s->nraw + s->npacked;
    size_t skip = offset < total ? (size_t)offset : total;
    size_t want = total - skip < limit ? total - skip : limit;
    struct fx_tick *ticks = fx_arena_calloc(arena, want ? want : 1, sizeof *ticks);
    if (ticks == NULL) {
        free(s->raw), free(s->packed);
        return FX_ENOMEM;
    }
    size_t i = 0, j = 0, k = 0, seen = 0;
    size_t symlen = strlen(symbol) + 1;
    while (k < want) {
        const struct fx_tick *t;
        if (j >= s->npacked || (i < s->nraw && cmp(&s->raw[i], &s->packed[j]) <= 0))
            t = &s->raw[i++];
        else
            t = &s->packed[j++];
        if (seen++ < skip) continue;
        ticks[k] = *t;
        memcpy(ticks[k].symbol, symbol, symlen);
        k++;
    }
    free(s->raw), free(s->packed);
    *out = ticks;
    *n = want;
    return 0;
}

struct time_range {
    int64_t start, end;
};

static int keep_in_range(const struct fx_tick *t, const void *arg)
{
    const struct time_range *r = arg;
    return t->time_us >= r->start && t->time_us < r->end;
}

static int keep_after(const struct fx_tick *t, const void *arg) { return t->seq > *(const int64_t *)arg; }

int fx_chunks_merge_by_time(PGresult *res, const char *symbol, int64_t start_us, int64_t end_us, uint64_t offset,
    uint32_t limit, struct fx_arena *arena, struct fx_tick **out, size_t *n, char *err, size_t errlen)
{
    struct time_range range = { start_us, end_us };
    struct split s;
    int rc = split_rows(res, keep_in_range, &range, by_time, &s, err, errlen);
    PQclear(res);
    if (rc == 0 && s.chunks == 0) offset = 0; /* PostgreSQL skipped it (FX_CHUNKS_IN_RANGE_SQL) */
    return rc ? rc : merge(&s, symbol, by_time, offset, limit, arena, out, n);
}

int fx_chunks_merge_by_seq(PGresult *res, const char *symbol, int64_t after_seq, uint32_t limit,
    struct fx_arena *arena, struct fx_tick **out, size_t *n, char *err, size_t errlen)
{
    struct split s;
    int rc = split_rows(res, keep_after, &after_seq, by_seq, &s, err, errlen);
    PQclear(res);
    return rc ? rc : merge(&s, symbol, by_seq, 0, limit, arena, out, n);
}
