#include "server/handlers.h"

#include "proto/wire.h"

#include "base/errors.h"
#include "base/log.h"
#include "base/redis_conn.h"
#include "base/resolution.h"
#include "base/symbol.h"
#include "base/tick_rules.h"
#include "fx/v1/rpc.pb-c.h"
#include "proto/codec.h"
#include "server/candle_store.h"
#include "server/core_metrics.h"
#include "server/db.h"
#include "server/group_commit.h"
#include "server/lifecycle.h"
#include "server/partitions.h"
#include "server/request_keys.h"
#include "server/server.h"
#include "server/symbol_list.h"
#include "server/tick_store.h"
#include "base/calendar.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct fx_worker {
    const struct fx_config *cfg;
    struct fx_publisher *pub;
    struct fx_group_queue *writes; /* NULL: single-tick writes commit alone */
    struct fx_db db;
    int index;
};

/* A reply being built: the envelope plus room for the operation's result and
 * the message and field strings it points to. It lives in the request's
 * arena, with the unpacked request and every array the reply points to:
 * all of it is freed at once after the reply is packed. */
struct reply {
    struct fx_arena *arena;
    Fx__V1__Response resp;
    char message[512];
    char field[64];
    union {
        Fx__V1__CreateTickResponse create;
        Fx__V1__UpdateTickResponse update;
        Fx__V1__BulkCreateTicksResponse bulk;
        Fx__V1__GetTicksResponse get;
        Fx__V1__DeleteResponse del;
        Fx__V1__HealthResponse health;
        Fx__V1__GetCandlesResponse candles;
        Fx__V1__GetLastSeqsResponse seqs;
        Fx__V1__ListSymbolsResponse symbols;
        Fx__V1__MaintenanceResponse maintenance;
        Fx__V1__StorageResponse storage;
    } u;
    Fx__V1__Tick tick;
    char symbol[FX_SYMBOL_MAX + 1];
    char db_status[256], redis_status[256];
};

static void *worker_create(void *arg, int index)
{
    struct fx_worker *w = calloc(1, sizeof *w);
    if (w == NULL) return NULL;
    const struct fx_handler_env *env = arg;
    w->cfg = env->cfg;
    w->pub = env->pub;
    w->writes = env->writes;
    w->index = index;
    char err[512];
    /* A failed connection is retried on the first request (fx_db_ensure). */
    if (fx_db_open(&w->db, w->cfg->database_url, err, sizeof err) != 0)
        fx_warn("db", "worker %d: PostgreSQL not reachable yet: %s", index, err);
    return w;
}

static void worker_destroy(void *arg)
{
    struct fx_worker *w = arg;
    if (w == NULL) return;
    fx_db_close(&w->db);
    free(w);
}

static void set_status(struct reply *r, Fx__V1__StatusCode code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_status(struct reply *r, Fx__V1__StatusCode code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    snprintf(r->field, sizeof r->field, "%s", field ? field : "");
    r->resp.status = code;
    r->resp.message = r->message;
    r->resp.field = r->field;
    r->resp.result_case = FX__V1__RESPONSE__RESULT__NOT_SET;
}

/* Maps a store error to its status (base/errors.h's table); `err` is the
 * store's message. */
static void set_store_error(struct reply *r, int rc, const char *err)
{
    int status = fx_error_status(rc);
    if (rc == FX_ENOMEM) return set_status(r, (Fx__V1__StatusCode)status, NULL, "out of memory");
    /* PostgreSQL's own words go to the log, never into an answer: they can
     * echo a client's bytes and they describe our schema. */
    if (rc == FX_EUNAVAIL) {
        fx_log_event(FX_LOG_WARN, "rpc", FX_LOG_FIELDS(FX_LOG_INT("request_id", r->resp.id)), "database unavailable: %s",
            err);
        return set_status(r, (Fx__V1__StatusCode)status, NULL, "database unavailable (fx-core logs why)");
    }
    if (status != FX_STATUS_INTERNAL) return set_status(r, (Fx__V1__StatusCode)status, NULL, "%s", err);
    fx_log_event(FX_LOG_ERROR, "rpc", FX_LOG_FIELDS(FX_LOG_INT("request_id", r->resp.id)), "database error: %s", err);
    set_status(r, (Fx__V1__StatusCode)status, NULL, "internal database error (fx-core logs it, request %llu)",
        (unsigned long long)r->resp.id);
}

/* Validates a tick's fields; `prefix` names it in errors ("", "ticks[3]."). */
static int check_tick(struct reply *r, const Fx__V1__Tick *in, const char *prefix, struct fx_tick *out)
{
    char field[64];
    if (in == NULL) {
        snprintf(field, sizeof field, "%stick", prefix);
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, field, "%s is missing", field);
        return -1;
    }
    if (fx_symbol_normalise(in->symbol, out->symbol) != 0) {
        snprintf(field, sizeof field, "%ssymbol", prefix);
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, field,
            "%s must be " FX_SYMBOL_RULE, field);
        return -1;
    }
    if (!fx_time_valid(in->time_us)) {
        snprintf(field, sizeof field, "%stime", prefix);
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, field,
            "%s must lie " FX_TIME_RULE, field);
        return -1;
    }
    if (!fx_price_valid(in->price)) {
        snprintf(field, sizeof field, "%sprice", prefix);
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, field, "%s must be " FX_PRICE_RULE, field);
        return -1;
    }
    out->time_us = in->time_us;
    out->price = in->price;
    return 0;
}

static int check_symbol(struct reply *r, const char *in, char out[FX_SYMBOL_MAX + 1])
{
    if (fx_symbol_normalise(in, out) == 0) return 0;
    set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "symbol",
        "symbol must be " FX_SYMBOL_RULE);
    return -1;
}

static int check_time(struct reply *r, int64_t t, const char *field)
{
    if (fx_time_valid(t)) return 0;
    set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, field, "%s must lie " FX_TIME_RULE, field);
    return -1;
}

static int check_range(struct reply *r, int64_t start, int64_t end)
{
    if (check_time(r, start, "start") || check_time(r, end, "end")) return -1;
    if (start <= end) return 0;
    set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, NULL, "start must not be after end");
    return -1;
}

static void reply_tick(struct reply *r, const struct fx_tick *t)
{
    memcpy(r->symbol, t->symbol, sizeof r->symbol);
    fx_codec_tick_to_pb(t, &r->tick);
    r->tick.symbol = r->symbol;
}

static void op_bulk(struct fx_worker *w, const Fx__V1__BulkCreateTicksRequest *q, const struct fx_request_key *key,
    struct reply *r)
{
    if (q->n_ticks > FX_BULK_MAX) {
        set_status(r, FX__V1__STATUS_CODE__RESOURCE_EXHAUSTED, "ticks",
            "a bulk request holds at most %d ticks (got %zu); split it", FX_BULK_MAX, q->n_ticks);
        return;
    }
    struct fx_tick *ticks = fx_arena_alloc(r->arena, (q->n_ticks ? q->n_ticks : 1) * sizeof *ticks);
    if (ticks == NULL) return set_store_error(r, FX_ENOMEM, "");
    for (size_t i = 0; i < q->n_ticks; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "ticks[%zu].", i);
        if (check_tick(r, q->ticks[i], prefix, &ticks[i])) return;
    }
    /* every day is a partition to create and lock: a small request must not
     * make thousands of them (and hold the locks of them all) */
    size_t days = fx_days_touched(ticks, q->n_ticks);
    if (days == SIZE_MAX) return set_store_error(r, FX_ENOMEM, "");
    if (days > (size_t)w->cfg->write_days_max) {
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "ticks",
            "ticks: one write may touch at most %d days (WRITE_DAYS_MAX); this one touches %zu: split it",
            w->cfg->write_days_max, days);
        return;
    }
    char err[512];
    struct fx_write written;
    int rc = fx_ticks_insert_bulk(&w->db, ticks, q->n_ticks, key, &written, err, sizeof err);
    uint64_t created = written.created;
    if (rc == 0 && !written.replayed) fx_publish_write(w->pub, &written); /* a replay stored nothing now */
    fx_write_free(&written);
    if (rc) return set_store_error(r, rc, err);
    fx__v1__bulk_create_ticks_response__init(&r->u.bulk);
    r->u.bulk.created = created;
    r->u.bulk.duplicates = q->n_ticks - created;
    r->resp.result_case = FX__V1__RESPONSE__RESULT_BULK_CREATE_TICKS;
    r->resp.bulk_create_ticks = &r->u.bulk;
}

static int check_limit(struct reply *r, uint32_t limit)
{
    if (limit >= 1 && limit <= FX_TICKS_GET_MAX) return 0;
    set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "limit", "limit must be 1..%d (got %u)", FX_TICKS_GET_MAX,
        limit);
    return -1;
}

/* Answers a tick read: the store's rc and ticks, as GetTicks or GetTicksAfter. */
static void reply_ticks(struct reply *r, int rc, const char *err, const struct fx_tick *ticks, size_t n, int after)
{
    if (rc) return set_store_error(r, rc, err);
    Fx__V1__Tick **pb = fx_codec_ticks_to_pb(r->arena, ticks, n);
    if (pb == NULL) return set_store_error(r, FX_ENOMEM, "");
    fx__v1__get_ticks_response__init(&r->u.get);
    r->u.get.n_ticks = n;
    r->u.get.ticks = pb;
    r->resp.result_case = after ? FX__V1__RESPONSE__RESULT_GET_TICKS_AFTER : FX__V1__RESPONSE__RESULT_GET_TICKS;
    if (after)
        r->resp.get_ticks_after = &r->u.get;
    else
        r->resp.get_ticks = &r->u.get;
}

static void op_get(struct fx_worker *w, const Fx__V1__GetTicksRequest *q, struct reply *r)
{
    char sym[FX_SYMBOL_MAX + 1], err[512];
    if (check_symbol(r, q->symbol, sym) || check_range(r, q->start_us, q->end_us) || check_limit(r, q->limit)) return;
    if (q->offset > FX_TICKS_OFFSET_MAX) {
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "offset",
            "offset must be 0..%d (got %u): to read further, start after the last tick read", FX_TICKS_OFFSET_MAX,
            q->offset);
        return;
    }
    size_t n = 0;
    struct fx_tick *ticks = NULL;
    int rc = fx_ticks_select(&w->db, sym, q->start_us, q->end_us, q->limit, q->offset, r->arena, &ticks, &n, err,
        sizeof err);
    reply_ticks(r, rc, err, ticks, n, 0);
}

static void op_get_after(struct fx_worker *w, const Fx__V1__GetTicksAfterRequest *q, struct reply *r)
{
    char sym[FX_SYMBOL_MAX + 1], err[512];
    if (check_symbol(r, q->symbol, sym) || check_limit(r, q->limit)) return;
    if (q->after_seq < 0)
        return set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "after_seq", "after_seq must be >= 0");
    size_t n = 0;
    struct fx_tick *ticks = NULL;
    int rc = fx_ticks_after(&w->db, sym, q->after_seq, q->limit, r->arena, &ticks, &n, err, sizeof err);
    reply_ticks(r, rc, err, ticks, n, 1);
}

#define LAST_SEQS_SYMBOLS_MAX 10000 /* symbols named in one request */
#define LAST_SEQS_MAX 100000 /* rows of one answer for every symbol */

static void op_last_seqs(struct fx_worker *w, const Fx__V1__GetLastSeqsRequest *q, struct reply *r)
{
    if (q->n_symbols > LAST_SEQS_SYMBOLS_MAX)
        return set_status(r, FX__V1__STATUS_CODE__RESOURCE_EXHAUSTED, "symbols",
            "at most %d symbols per request (got %zu)", LAST_SEQS_SYMBOLS_MAX, q->n_symbols);
    char (*names)[FX_SYMBOL_MAX + 1] = fx_arena_alloc(r->arena, (q->n_symbols ? q->n_symbols : 1) * sizeof *names);
    const char **syms = fx_arena_alloc(r->arena, (q->n_symbols ? q->n_symbols : 1) * sizeof *syms);
    if (names == NULL || syms == NULL) return set_store_error(r, FX_ENOMEM, "");
    for (size_t i = 0; i < q->n_symbols; i++) {
        if (check_symbol(r, q->symbols[i], names[i])) return;
        syms[i] = names[i];
    }
    size_t n = 0;
    char err[512];
    struct fx_symbol_seq *seqs;
    int rc = fx_last_seqs(&w->db, syms, q->n_symbols, LAST_SEQS_MAX, r->arena, &seqs, &n, err, sizeof err);
    if (rc) return set_store_error(r, rc, err);
    Fx__V1__SymbolSeq **pb = fx_codec_symbol_seqs_to_pb(r->arena, seqs, n);
    if (pb == NULL) return set_store_error(r, FX_ENOMEM, "");
    fx__v1__get_last_seqs_response__init(&r->u.seqs);
    r->u.seqs.n_seqs = n;
    r->u.seqs.seqs = pb;
    r->resp.result_case = FX__V1__RESPONSE__RESULT_GET_LAST_SEQS;
    r->resp.get_last_seqs = &r->u.seqs;
}

#define LIST_SYMBOLS_MAX 100000 /* symbols of one answer */

static void op_list_symbols(struct fx_worker *w, struct reply *r)
{
    size_t n = 0;
    char err[512];
    struct fx_symbol_info *symbols;
    int rc = fx_symbols_list(&w->db, LIST_SYMBOLS_MAX, r->arena, &symbols, &n, err, sizeof err);
    if (rc) return set_store_error(r, rc, err);
    Fx__V1__SymbolInfo **pb = fx_codec_symbol_infos_to_pb(r->arena, symbols, n);
    if (pb == NULL) return set_store_error(r, FX_ENOMEM, "");
    fx__v1__list_symbols_response__init(&r->u.symbols);
    r->u.symbols.n_symbols = n;
    r->u.symbols.symbols = pb;
    r->resp.result_case = FX__V1__RESPONSE__RESULT_LIST_SYMBOLS;
    r->resp.list_symbols = &r->u.symbols;
}

/* ---- single-tick writes: CreateTick, UpdateTick, DeleteTick ---- */

/* The request's write, validated, or -1 with the error in `r`. */
static int single_write(const Fx__V1__Request *req, struct reply *r, struct fx_group_op *op)
{
    memset(op, 0, sizeof *op);
    op->key = (struct fx_request_key){ req->client, req->id };
    switch (req->op_case) {
    case FX__V1__REQUEST__OP_CREATE_TICK:
        op->kind = FX_GROUP_CREATE;
        return check_tick(r, req->create_tick->tick, "", &op->tick);
    case FX__V1__REQUEST__OP_UPDATE_TICK:
        op->kind = FX_GROUP_UPDATE;
        return check_tick(r, req->update_tick->tick, "", &op->tick);
    default:
        op->kind = FX_GROUP_DELETE;
        if (check_symbol(r, req->delete_tick->symbol, op->tick.symbol)
            || check_time(r, req->delete_tick->time_us, "time"))
            return -1;
        op->tick.time_us = req->delete_tick->time_us;
        return 0;
    }
}

static int is_single_write(const Fx__V1__Request *req)
{
    return req->op_case == FX__V1__REQUEST__OP_CREATE_TICK || req->op_case == FX__V1__REQUEST__OP_UPDATE_TICK
        || req->op_case == FX__V1__REQUEST__OP_DELETE_TICK;
}

/* Runs one write in its own transaction (and publishes what it stored). */
static int run_single_write(struct fx_worker *w, const struct fx_group_op *op, char *err, size_t errlen)
{
    switch (op->kind) {
    case FX_GROUP_CREATE: {
        struct fx_write written;
        int rc = fx_tick_insert(&w->db, &op->tick, &op->key, &written, err, errlen);
        if (rc == 0 && !written.replayed) fx_publish_write(w->pub, &written); /* a replay stored nothing now */
        fx_write_free(&written);
        return rc;
    }
    case FX_GROUP_UPDATE:
        return fx_tick_update_price(&w->db, op->tick.symbol, op->tick.time_us, op->tick.price, &op->key, err, errlen);
    default: return fx_tick_delete(&w->db, op->tick.symbol, op->tick.time_us, &op->key, err, errlen);
    }
}

/* The answer of a write that ended with `rc` (`err`: its message). */
static void reply_single_write(struct reply *r, const struct fx_group_op *op, int rc, const char *err)
{
    if (rc) return set_store_error(r, rc, err);
    switch (op->kind) {
    case FX_GROUP_CREATE:
        fx__v1__create_tick_response__init(&r->u.create);
        reply_tick(r, &op->tick);
        r->u.create.tick = &r->tick;
        r->resp.result_case = FX__V1__RESPONSE__RESULT_CREATE_TICK;
        r->resp.create_tick = &r->u.create;
        break;
    case FX_GROUP_UPDATE:
        fx__v1__update_tick_response__init(&r->u.update);
        reply_tick(r, &op->tick);
        r->u.update.tick = &r->tick;
        r->resp.result_case = FX__V1__RESPONSE__RESULT_UPDATE_TICK;
        r->resp.update_tick = &r->u.update;
        break;
    default:
        fx__v1__delete_response__init(&r->u.del);
        r->u.del.deleted = 1;
        r->resp.result_case = FX__V1__RESPONSE__RESULT_DELETE_TICK;
        r->resp.delete_tick = &r->u.del;
    }
}

/* A write alone on this worker (group commit off). */
static void op_single_write(struct fx_worker *w, const Fx__V1__Request *req, struct reply *r)
{
    struct fx_group_op op;
    char err[512];
    if (single_write(req, r, &op)) return;
    reply_single_write(r, &op, run_single_write(w, &op, err, sizeof err), err);
}

static void op_delete_range(struct fx_worker *w, const Fx__V1__DeleteTicksRequest *q,
    const struct fx_request_key *key, struct reply *r)
{
    char sym[FX_SYMBOL_MAX + 1], err[512];
    if (check_symbol(r, q->symbol, sym) || check_range(r, q->start_us, q->end_us)) return;
    uint64_t deleted = 0;
    int rc = fx_ticks_delete_range(&w->db, sym, q->start_us, q->end_us, key, &deleted, err, sizeof err);
    if (rc) return set_store_error(r, rc, err);
    fx__v1__delete_response__init(&r->u.del);
    r->u.del.deleted = deleted;
    r->resp.result_case = FX__V1__RESPONSE__RESULT_DELETE_TICKS;
    r->resp.delete_ticks = &r->u.del;
}

static int check_candle_query(struct reply *r, const Fx__V1__GetCandlesRequest *q, struct fx_candle_query *out)
{
    memset(out, 0, sizeof *out);
    if (check_symbol(r, q->symbol, out->symbol) || check_range(r, q->start_us, q->end_us)) return -1;
    out->resolution = fx_resolution_by_name(q->resolution);
    if (out->resolution == NULL) {
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "resolution", "resolution must be one of %s (got \"%.16s\")",
            fx_resolution_names(), q->resolution);
        return -1;
    }
    if (q->day_start_minute < 0 || q->day_start_minute >= 1440) {
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "day_start", "day_start must be 00:00..23:59");
        return -1;
    }
    if (q->limit < 1 || q->limit > FX_CANDLES_MAX) {
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "limit", "limit must be 1..%d (got %u)", FX_CANDLES_MAX,
            q->limit);
        return -1;
    }
    int64_t buckets = (q->end_us - q->start_us) / out->resolution->width_us;
    if (buckets > FX_CANDLES_MAX) {
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, NULL,
            "the range spans %lld %s buckets; at most %d per request: narrow start..end",
            (long long)buckets, q->resolution, FX_CANDLES_MAX);
        return -1;
    }
    if (strlen(q->time_zone) >= sizeof out->time_zone) { /* never cut: a prefix could name another zone */
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "tz",
            "tz: unknown time zone (expected an IANA name such as America/New_York)");
        return -1;
    }
    if (q->fill != FX__V1__CANDLE_FILL__CANDLE_FILL_NONE
        && q->fill != FX__V1__CANDLE_FILL__CANDLE_FILL_PREV) {
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "fill", "fill must be none or prev (got %d)",
            (int)q->fill);
        return -1;
    }
    out->fill_prev = q->fill == FX__V1__CANDLE_FILL__CANDLE_FILL_PREV;
    snprintf(out->time_zone, sizeof out->time_zone, "%s", q->time_zone);
    out->day_start_minute = q->day_start_minute;
    out->start_us = q->start_us;
    out->end_us = q->end_us;
    out->limit = q->limit;
    return 0;
}

static void op_candles(struct fx_worker *w, const Fx__V1__GetCandlesRequest *q, struct reply *r)
{
    struct fx_candle_query cq;
    if (check_candle_query(r, q, &cq)) return;
    size_t n = 0;
    char err[512];
    struct fx_candle *rows;
    int rc = fx_candles_select(&w->db, &cq, r->arena, &rows, &n, err, sizeof err);
    if (rc == FX_EINVAL) return set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "tz", "%s", err);
    if (rc) return set_store_error(r, rc, err);
    Fx__V1__Candle **pb = fx_codec_candles_to_pb(r->arena, rows, n);
    if (pb == NULL) return set_store_error(r, FX_ENOMEM, "");
    fx__v1__get_candles_response__init(&r->u.candles);
    r->u.candles.n_candles = n;
    r->u.candles.candles = pb;
    r->resp.result_case = FX__V1__RESPONSE__RESULT_GET_CANDLES;
    r->resp.get_candles = &r->u.candles;
}

static void op_health(struct fx_worker *w, struct reply *r)
{
    fx__v1__health_response__init(&r->u.health);
    int db_rc = fx_db_ensure(&w->db, r->db_status, sizeof r->db_status);
    if (db_rc == 0) db_rc = fx_db_exec(&w->db, "SELECT 1", r->db_status, sizeof r->db_status);
    if (db_rc == 0) snprintf(r->db_status, sizeof r->db_status, "connected");
    int redis_rc = fx_redis_ping(w->cfg->redis_url, 1000, r->redis_status, sizeof r->redis_status);
    if (redis_rc == 0) snprintf(r->redis_status, sizeof r->redis_status, "connected");
    r->u.health.database_ok = db_rc == 0;
    r->u.health.redis_ok = redis_rc == 0;
    r->u.health.database = r->db_status;
    r->u.health.redis = r->redis_status;
    r->u.health.version = FX_VERSION;
    r->resp.result_case = FX__V1__RESPONSE__RESULT_HEALTH;
    r->resp.health = &r->u.health;
}

/* A maintenance pass now, on this worker's connection (it waits for a pass
 * of another core to end first). */
static void op_maintenance(struct fx_worker *w, const Fx__V1__MaintenanceRequest *q, struct reply *r)
{
    struct fx_lifecycle_policy policy = fx_server_policy(w->cfg);
    struct fx_maintenance_report rep;
    char err[512];
    int rc = fx_maintenance_run(&w->db, &policy, fx_now_us(), q->dry_run, &rep, err, sizeof err);
    if (!q->dry_run && rc != FX_EBUSY) fx_core_metrics_maintenance(&rep, rc);
    if (rc) {
        fx_maintenance_report_free(&rep);
        return set_store_error(r, rc, err);
    }
    Fx__V1__MaintenanceResponse *m = &r->u.maintenance;
    fx__v1__maintenance_response__init(m);
    m->days = fx_arena_calloc(r->arena, rep.ndays ? rep.ndays : 1, sizeof *m->days);
    Fx__V1__MaintenanceDay *days = fx_arena_calloc(r->arena, rep.ndays ? rep.ndays : 1, sizeof *days);
    if (m->days == NULL || days == NULL) {
        fx_maintenance_report_free(&rep);
        return set_store_error(r, FX_ENOMEM, "");
    }
    for (size_t i = 0; i < rep.ndays; i++) {
        const struct fx_day_report *d = &rep.days[i];
        fx__v1__maintenance_day__init(&days[i]);
        days[i].day_us = (int64_t)d->day * FX_US_PER_DAY;
        days[i].action = d->action == FX_DAY_DROPPED ? "dropped" : "compacted";
        days[i].ticks = d->ticks;
        days[i].bytes_before = d->bytes_before;
        days[i].bytes_after = d->bytes_after;
        days[i].seconds = d->seconds;
        m->days[i] = &days[i];
    }
    m->n_days = rep.ndays;
    m->dry_run = rep.dry_run;
    m->days_dropped = rep.days_dropped;
    m->days_compacted = rep.days_compacted;
    m->ticks_dropped = rep.ticks_dropped;
    m->ticks_compacted = rep.ticks_compacted;
    m->bytes_before = rep.bytes_before;
    m->bytes_after = rep.bytes_after;
    m->candles_dropped = rep.candles_dropped;
    m->seconds = rep.seconds;
    m->retention_days = policy.retention_days;
    m->candle_retention_days = policy.candle_retention_days;
    m->compression_after_days = policy.compression_after_days;
    fx_maintenance_report_free(&rep);
    if (!q->dry_run) { /* the gauges show what the pass did at once */
        struct fx_storage_range *ranges = NULL;
        size_t n = 0;
        if (fx_storage_read(&w->db, &ranges, &n, err, sizeof err) == 0) fx_core_metrics_storage(ranges, n);
        free(ranges);
    }
    r->resp.result_case = FX__V1__RESPONSE__RESULT_MAINTENANCE;
    r->resp.maintenance = m;
}

static void op_storage(struct fx_worker *w, struct reply *r)
{
    struct fx_storage_range *ranges = NULL;
    size_t n = 0;
    char err[512];
    int rc = fx_storage_read(&w->db, &ranges, &n, err, sizeof err);
    if (rc) return set_store_error(r, rc, err);
    fx_core_metrics_storage(ranges, n);
    Fx__V1__StorageResponse *s = &r->u.storage;
    fx__v1__storage_response__init(s);
    s->ranges = fx_arena_calloc(r->arena, n ? n : 1, sizeof *s->ranges);
    Fx__V1__StorageRange *pb = fx_arena_calloc(r->arena, n ? n : 1, sizeof *pb);
    char (*symbols)[FX_SYMBOL_MAX + 1] = fx_arena_calloc(r->arena, n ? n : 1, sizeof *symbols);
    if (s->ranges == NULL || pb == NULL || symbols == NULL) {
        free(ranges);
        return set_store_error(r, FX_ENOMEM, "");
    }
    for (size_t i = 0; i < n; i++) {
        fx__v1__storage_range__init(&pb[i]);
        memcpy(symbols[i], ranges[i].symbol, sizeof symbols[i]);
        pb[i].symbol = symbols[i];
        pb[i].first_day_us = (int64_t)ranges[i].first_day * FX_US_PER_DAY;
        pb[i].last_day_us = (int64_t)ranges[i].last_day * FX_US_PER_DAY;
        pb[i].state = (char *)fx_day_state_name(ranges[i].state);
        pb[i].days = ranges[i].days;
        pb[i].ticks = ranges[i].ticks;
        pb[i].bytes = ranges[i].bytes;
        s->ranges[i] = &pb[i];
    }
    s->n_ranges = n;
    free(ranges);
    r->resp.result_case = FX__V1__RESPONSE__RESULT_STORAGE;
    r->resp.storage = s;
}

/* Packs the response straight into the nng message body. */
static nng_msg *pack_reply(const Fx__V1__Response *resp)
{
    size_t len = fx__v1__response__get_packed_size(resp);
    nng_msg *msg;
    if (nng_msg_alloc(&msg, len) != 0) return NULL;
    fx__v1__response__pack(resp, nng_msg_body(msg));
    return msg;
}

static void run_op(struct fx_worker *w, const Fx__V1__Request *req, struct reply *r)
{
    /* Reconnect first if PostgreSQL went away since the last request. */
    char err[512];
    if (req->op_case != FX__V1__REQUEST__OP_HEALTH && req->op_case != FX__V1__REQUEST__OP__NOT_SET) {
        int rc = fx_db_ensure(&w->db, err, sizeof err);
        if (rc) return set_store_error(r, rc, err);
    }
    const struct fx_request_key key = { req->client, req->id };
    switch (req->op_case) {
    case FX__V1__REQUEST__OP_CREATE_TICK:
    case FX__V1__REQUEST__OP_UPDATE_TICK:
    case FX__V1__REQUEST__OP_DELETE_TICK: return op_single_write(w, req, r);
    case FX__V1__REQUEST__OP_BULK_CREATE_TICKS: return op_bulk(w, req->bulk_create_ticks, &key, r);
    case FX__V1__REQUEST__OP_GET_TICKS: return op_get(w, req->get_ticks, r);
    case FX__V1__REQUEST__OP_GET_TICKS_AFTER: return op_get_after(w, req->get_ticks_after, r);
    case FX__V1__REQUEST__OP_GET_LAST_SEQS: return op_last_seqs(w, req->get_last_seqs, r);
    case FX__V1__REQUEST__OP_LIST_SYMBOLS: return op_list_symbols(w, r);
    case FX__V1__REQUEST__OP_DELETE_TICKS: return op_delete_range(w, req->delete_ticks, &key, r);
    case FX__V1__REQUEST__OP_GET_CANDLES: return op_candles(w, req->get_candles, r);
    case FX__V1__REQUEST__OP_HEALTH: return op_health(w, r);
    case FX__V1__REQUEST__OP_MAINTENANCE: return op_maintenance(w, req->maintenance, r);
    case FX__V1__REQUEST__OP_STORAGE: return op_storage(w, r);
    default:
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "op", "the request names no known operation");
    }
}

/* ---- metrics (server/core_metrics.h) ---- */

/* The operation's name in fx_core_rpc_requests_total (static strings). */
static const char *op_name(const Fx__V1__Request *req)
{
    switch (req ? req->op_case : FX__V1__REQUEST__OP__NOT_SET) {
    case FX__V1__REQUEST__OP_CREATE_TICK: return "create_tick";
    case FX__V1__REQUEST__OP_BULK_CREATE_TICKS: return "bulk_create_ticks";
    case FX__V1__REQUEST__OP_GET_TICKS: return "get_ticks";
    case FX__V1__REQUEST__OP_UPDATE_TICK: return "update_tick";
    case FX__V1__REQUEST__OP_DELETE_TICK: return "delete_tick";
    case FX__V1__REQUEST__OP_DELETE_TICKS: return "delete_ticks";
    case FX__V1__REQUEST__OP_GET_TICKS_AFTER: return "get_ticks_after";
    case FX__V1__REQUEST__OP_GET_LAST_SEQS: return "get_last_seqs";
    case FX__V1__REQUEST__OP_LIST_SYMBOLS: return "list_symbols";
    case FX__V1__REQUEST__OP_GET_CANDLES: return "get_candles";
    case FX__V1__REQUEST__OP_HEALTH: return "health";
    case FX__V1__REQUEST__OP_MAINTENANCE: return "maintenance";
    case FX__V1__REQUEST__OP_STORAGE: return "storage";
    default: return "unknown";
    }
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- group commit (server/group_commit.h) ---- */

/* A single-tick write waiting for its group, with its request's arena and
 * reply. `item` comes first: the queue's items are these. */
struct pending_write {
    struct fx_group_item item;
    struct fx_arena arena;
    struct reply *r; /* in `arena` */
    struct fx_rpc_call *call;
    struct timespec start;
    const char *op_name;
};

/* Answers a pending write with its outcome and frees it. */
static void answer_write(struct pending_write *p, int rc, const char *err)
{
    reply_single_write(p->r, &p->item.op, rc, err);
    nng_msg *reply = pack_reply(&p->r->resp);
    fx_core_metrics_rpc(p->op_name, (int)p->r->resp.status, seconds_since(&p->start));
    fx_arena_free(&p->arena);
    fx_rpc_answer(p->call, reply);
    free(p);
}

/* fx_group_run_fn: one transaction for the group; if it fails, each write
 * runs alone, so that each gets its own answer (a sealed day fails one). */
static void run_group(void *runner, struct fx_group_item **items, size_t n)
{
    struct fx_worker *w = runner;
    char err[512];
    struct fx_group_op *ops = malloc(n * sizeof *ops);
    struct fx_write written = { 0 };
    int rc = ops ? fx_db_ensure(&w->db, err, sizeof err) : FX_ENOMEM;
    if (rc == 0) {
        for (size_t i = 0; i < n; i++) ops[i] = items[i]->op;
        rc = fx_ticks_write_group(&w->db, ops, n, &written, err, sizeof err);
    }
    if (rc == 0) {
        if (written.created > 0) fx_publish_write(w->pub, &written);
        fx_core_metrics_group_commit(n);
        for (size_t i = 0; i < n; i++) {
            int op_rc = fx_group_op_error(&ops[i], err, sizeof err);
            answer_write((struct pending_write *)items[i], op_rc, err);
        }
    } else {
        if (n > 1) fx_info("rpc", "a group of %zu writes failed (%s): each runs alone", n, err);
        for (size_t i = 0; i < n; i++) {
            int op_rc = run_single_write(w, &items[i]->op, err, sizeof err);
            answer_write((struct pending_write *)items[i], op_rc, err);
        }
    }
    fx_write_free(&written);
    free(ops);
}

/* Hands the write to group commit (it takes the arena); -1: no memory, the
 * caller runs it alone. */
static int defer_write(struct fx_worker *w, const struct fx_group_op *op, struct fx_arena *arena, struct reply *r,
    struct fx_rpc_call *call, const struct timespec *start, const char *name)
{
    struct pending_write *p = malloc(sizeof *p);
    if (p == NULL) return -1;
    p->item.op = *op;
    p->arena = *arena;
    p->r = r;
    r->arena = &p->arena;
    p->call = call;
    p->start = *start;
    p->op_name = name;
    fx_group_submit(w->writes, &p->item, w); /* may run groups, this one's among them */
    return 0;
}

int fx_handler_env_init(struct fx_handler_env *env, const struct fx_config *cfg, struct fx_publisher *pub)
{
    env->cfg = cfg;
    env->pub = pub;
    env->writes = NULL;
    if (cfg->group_commit_max == 0) return 0;
    /* half the workers may commit groups at once; the others serve reads meanwhile */
    int leaders = cfg->db_pool_size / 2 > 0 ? cfg->db_pool_size / 2 : 1;
    return fx_group_queue_create(&env->writes, cfg->group_commit_max, cfg->group_commit_wait_us, leaders, run_group);
}

void fx_handler_env_fini(struct fx_handler_env *env)
{
    fx_group_queue_destroy(env->writes);
    env->writes = NULL;
}

static nng_msg *handle(void *arg, nng_msg *msg, struct fx_rpc_call *call)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    struct fx_worker *w = arg;
    struct fx_arena arena = FX_ARENA_INIT;
    struct reply *r = fx_arena_calloc(&arena, 1, sizeof *r);
    if (r == NULL || w == NULL) {
        fx_arena_free(&arena);
        nng_msg_free(msg);
        return NULL; /* no reply: the client times out and may retry */
    }
    r->arena = &arena;
    fx__v1__response__init(&r->resp);
    set_status(r, FX__V1__STATUS_CODE__OK, NULL, "%s", "");
    ProtobufCAllocator alloc;
    fx_codec_allocator(&arena, &alloc);
    Fx__V1__Request *req = NULL;
    size_t bulk = 0, symbols = 0;
    char bad_field[64];
    static const uint32_t bulk_ticks[] = { 11, 1 }; /* Request.bulk_create_ticks.ticks */
    static const uint32_t seq_symbols[] = { 17, 1 }; /* Request.get_last_seqs.symbols */
    /* Repeated fields over their limits are refused before protobuf-c
     * allocates every element (a message of empty ticks would take ~30
     * times its size). */
    if (fx_wire_count(nng_msg_body(msg), nng_msg_len(msg), bulk_ticks, 2, &bulk) == 0 && bulk > FX_BULK_MAX) {
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "ticks", "at most %d ticks per bulk request (got %zu)",
            FX_BULK_MAX, bulk);
    } else if (fx_wire_count(nng_msg_body(msg), nng_msg_len(msg), seq_symbols, 2, &symbols) == 0
        && symbols > LAST_SEQS_SYMBOLS_MAX) {
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "symbols", "at most %d symbols per request (got %zu)",
            LAST_SEQS_SYMBOLS_MAX, symbols);
    } else if (fx_wire_check_strings(nng_msg_body(msg), nng_msg_len(msg), &fx__v1__request__descriptor, bad_field,
                   sizeof bad_field)
        != 0) {
        if (strcmp(bad_field, "time_zone") == 0) /* the name the candle queries use for it */
            set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "tz",
                "tz: unknown time zone (expected an IANA name such as America/New_York)");
        else
            set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, bad_field,
                "%s: must be UTF-8 text without NUL bytes", bad_field);
    } else if ((req = fx__v1__request__unpack(&alloc, nng_msg_len(msg), nng_msg_body(msg))) == NULL) {
        fx_warn("rpc", "malformed request of %zu bytes", nng_msg_len(msg));
        set_status(r, FX__V1__STATUS_CODE__INVALID_ARGUMENT, NULL,
            "the request is not a valid fx.v1.Request protobuf message");
    } else {
        r->resp.id = req->id;
        struct fx_group_op op;
        if (w->writes == NULL || !is_single_write(req)) {
            run_op(w, req, r); /* req goes with the arena */
        } else if (single_write(req, r, &op) == 0) {
            nng_msg_free(msg);
            msg = NULL;
            if (defer_write(w, &op, &arena, r, call, &start, op_name(req)) == 0) return FX_RPC_ANSWER_LATER;
            char err[512];
            reply_single_write(r, &op, run_single_write(w, &op, err, sizeof err), err);
        }
    }
    if (msg) nng_msg_free(msg);
    nng_msg *reply = pack_reply(&r->resp);
    fx_core_metrics_rpc(op_name(req), (int)r->resp.status, seconds_since(&start));
    fx_arena_free(&arena);
    return reply;
}

const struct fx_rpc_ops fx_handler_ops = {
    .worker_create = worker_create,
    .worker_destroy = worker_destroy,
    .handle = handle,
};
