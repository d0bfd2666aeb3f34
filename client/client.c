/*
 * libfxclient: the blocking client of fx-core. Each call opens an nng context
 * on the handle's REQ socket, so one handle serves many threads at once, each
 * request matched to its own reply by nng.
 */
#include "fx/client.h"
#include "client/dial.h"
#include "client/err.h"
#include "client/export.h"

#include "base/errors.h"
#include "fx/v1/rpc.pb-c.h"
#include "proto/codec.h"

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define DEFAULT_TIMEOUT_MS 30000

struct fxc {
    nng_socket sock;
    struct fxc_dialset *dials; /* its dialers, and their DNS lookups */
    int timeout_ms;
    uint64_t next_id; /* request ids, for logs and matching by humans */
    uint64_t client; /* random, nonzero: with a request's id, its key (fx-core runs a write once) */
};

static int ok(fxc_err *err)
{
    if (err) err->code = FXC_OK, err->message[0] = '\0', err->field[0] = '\0';
    return FXC_OK;
}

FXC_API int fxc_open(const char *url, fxc **out, fxc_err *err)
{
    if (url == NULL) url = getenv("FX_RPC_URL");
    if (url == NULL || *url == '\0') url = FXC_DEFAULT_URL;
    fxc *c = calloc(1, sizeof *c);
    if (c == NULL) return fxc_fail(err, FXC_RESOURCE_EXHAUSTED, NULL, "out of memory");
    c->timeout_ms = DEFAULT_TIMEOUT_MS;
    /* Two handles (of any process, anywhere) must not share this number;
     * the time and the address stand in if the kernel has no entropy yet. */
    if (getrandom(&c->client, sizeof c->client, GRND_NONBLOCK) != (ssize_t)sizeof c->client)
        c->client = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)c;
    if (c->client == 0) c->client = 1;
    int rv = nng_req0_open(&c->sock);
    if (rv != 0) {
        free(c);
        return fxc_fail(
            err, FXC_RESOURCE_EXHAUSTED, NULL, "cannot open a request socket: %s", nng_strerror(rv));
    }
    nng_socket_set_size(c->sock, NNG_OPT_RECVMAXSZ, 64u << 20);
    /* A core that vanishes without closing its connections (a lost node) is
     * noticed by TCP keepalives; one that closes them (a crash, a stop)
     * at once, and nng sends the requests in flight on it to another core. */
    nng_socket_set_bool(c->sock, NNG_OPT_TCP_KEEPALIVE, true);
    int rc = fxc_dialset_open(&c->dials, c->sock, url, "FX_RPC_URL", err);
    if (rc != FXC_OK) {
        nng_close(c->sock);
        free(c);
        return rc;
    }
    *out = c;
    return ok(err);
}

FXC_API void fxc_close(fxc *c)
{
    if (c == NULL) return;
    fxc_dialset_close(c->dials); /* no new dialers from here on */
    nng_close(c->sock);
    free(c);
}

FXC_API void fxc_set_timeout(fxc *c, int ms) { c->timeout_ms = ms > 0 ? ms : DEFAULT_TIMEOUT_MS; }

/* The public codes are base's statuses (gRPC's numbers), named by its table. */
#define SAME(fxc, fx) ((int)(fxc) == (int)(fx))
_Static_assert(SAME(FXC_INVALID_ARGUMENT, FX_STATUS_INVALID_ARGUMENT) && SAME(FXC_DEADLINE_EXCEEDED, FX_STATUS_DEADLINE_EXCEEDED)
        && SAME(FXC_NOT_FOUND, FX_STATUS_NOT_FOUND) && SAME(FXC_ALREADY_EXISTS, FX_STATUS_ALREADY_EXISTS)
        && SAME(FXC_RESOURCE_EXHAUSTED, FX_STATUS_RESOURCE_EXHAUSTED)
        && SAME(FXC_FAILED_PRECONDITION, FX_STATUS_FAILED_PRECONDITION) && SAME(FXC_INTERNAL, FX_STATUS_INTERNAL)
        && SAME(FXC_UNAVAILABLE, FX_STATUS_UNAVAILABLE),
    "libfxclient's status codes are fx.v1.StatusCode's");

FXC_API const char *fxc_status_name(int code) { return fx_status_name(code); }

/* The answer of a slow operation (a maintenance pass) may take
 * FXC_MAINTENANCE_TIMEOUT_MS, or the handle's timeout if longer. */
static int slow_answer_ms(const fxc *c)
{
    return c->timeout_ms > FXC_MAINTENANCE_TIMEOUT_MS ? c->timeout_ms : FXC_MAINTENANCE_TIMEOUT_MS;
}

/* Sends `req` and receives the response on a fresh context. On success
 * *resp is the unpacked response (free with fx__v1__response__free_unpacked)
 * and its status has been converted: FXC_OK is returned only when the core
 * said OK and the result is the expected one. Handing the request to a core
 * takes at most the handle's timeout; so does the answer, unless `slow`
 * (slow_answer_ms). nng's REQ sends a request again when it is unanswered
 * for its resend time (60 s): a slow operation moves that to its deadline,
 * so that it runs once (one whose core's connection closes is still sent to
 * another core). */
static int call_waiting(fxc *c, Fx__V1__Request *req, Fx__V1__Response__ResultCase expect, int slow,
    Fx__V1__Response **resp, fxc_err *err)
{
    int answer_ms = slow ? slow_answer_ms(c) : c->timeout_ms;
    nng_ctx ctx;
    nng_aio *aio;
    nng_msg *msg = NULL;
    int rv = nng_aio_alloc(&aio, NULL, NULL);
    if (rv != 0)
        return fxc_fail(err, FXC_RESOURCE_EXHAUSTED, NULL, "cannot allocate an aio: %s", nng_strerror(rv));
    rv = nng_ctx_open(&ctx, c->sock);
    if (rv != 0) {
        nng_aio_free(aio);
        return fxc_fail(err, FXC_UNAVAILABLE, NULL, "cannot open a request context: %s", nng_strerror(rv));
    }
    nng_aio_set_timeout(aio, c->timeout_ms);
    if (slow) nng_ctx_set_ms(ctx, NNG_OPT_REQ_RESENDTIME, answer_ms);
    req->id = __atomic_add_fetch(&c->next_id, 1, __ATOMIC_RELAXED);
    req->client = c->client;

    size_t len = fx__v1__request__get_packed_size(req);
    rv = nng_msg_alloc(&msg, len);
    if (rv == 0) {
        fx__v1__request__pack(req, nng_msg_body(msg));
        nng_aio_set_msg(aio, msg);
        nng_ctx_send(ctx, aio);
        nng_aio_wait(aio);
        rv = nng_aio_result(aio);
        if (rv != 0) nng_msg_free(msg); /* a failed send leaves the message with us */
    }
    msg = NULL;
    int answering = rv == 0; /* the request is on its way: what fails now is the answer */
    if (rv == 0) {
        nng_aio_set_timeout(aio, answer_ms);
        nng_ctx_recv(ctx, aio);
        nng_aio_wait(aio);
        rv = nng_aio_result(aio);
        if (rv == 0) msg = nng_aio_get_msg(aio);
    }
    nng_ctx_close(ctx);
    nng_aio_free(aio);
    if (rv == NNG_ETIMEDOUT && answering && slow)
        return fxc_fail(err, FXC_UNAVAILABLE, NULL,
            "fx-core did not answer within %d s (the operation may still be running there)",
            answer_ms / 1000);
    if (rv != 0)
        return fxc_fail(err, FXC_UNAVAILABLE, NULL, "fx-core did not answer: %s",
            rv == NNG_ETIMEDOUT ? "timed out (is fx-core running? FX_RPC_URL)" : nng_strerror(rv));

    Fx__V1__Response *r = fx__v1__response__unpack(NULL, nng_msg_len(msg), nng_msg_body(msg));
    nng_msg_free(msg);
    if (r == NULL)
        return fxc_fail(err, FXC_INTERNAL, NULL, "fx-core sent a response that is not fx.v1.Response");
    if (r->status != FX__V1__STATUS_CODE__OK) {
        int code = (int)r->status;
        fxc_fail(err, code, r->field, "%s", r->message[0] ? r->message : fxc_status_name(code));
        fx__v1__response__free_unpacked(r, NULL);
        return code;
    }
    if (r->result_case != expect) {
        fx__v1__response__free_unpacked(r, NULL);
        return fxc_fail(err, FXC_INTERNAL, NULL, "fx-core answered with another operation's result");
    }
    *resp = r;
    return ok(err);
}

static int call(fxc *c, Fx__V1__Request *req, Fx__V1__Response__ResultCase expect, Fx__V1__Response **resp,
    fxc_err *err)
{
    return call_waiting(c, req, expect, 0, resp, err);
}

/* The symbol must be a string that fits; the core validates the rest. */
static int check_symbol_arg(const char *symbol, fxc_err *err)
{
    if (symbol == NULL) return fxc_fail(err, FXC_INVALID_ARGUMENT, "symbol", "symbol is missing");
    return FXC_OK;
}

FXC_API int fxc_tick_create(fxc *c, const fxc_tick *tick, fxc_tick *stored, fxc_err *err)
{
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__CreateTickRequest op = FX__V1__CREATE_TICK_REQUEST__INIT;
    Fx__V1__Tick t;
    fx_codec_tick_to_pb(tick, &t);
    op.tick = &t;
    req.op_case = FX__V1__REQUEST__OP_CREATE_TICK;
    req.create_tick = &op;
    Fx__V1__Response *r;
    int rc = call(c, &req, FX__V1__RESPONSE__RESULT_CREATE_TICK, &r, err);
    if (rc) return rc;
    if (stored) fx_codec_tick_from_pb(r->create_tick->tick, stored);
    fx__v1__response__free_unpacked(r, NULL);
    return FXC_OK;
}

FXC_API int fxc_ticks_bulk(fxc *c, const fxc_tick *ticks, size_t n, uint64_t *created, uint64_t *duplicates,
    fxc_err *err)
{
    if (n > FXC_BULK_MAX)
        return fxc_fail(err, FXC_RESOURCE_EXHAUSTED, "ticks",
            "a bulk request holds at most %d ticks (got %zu)", FXC_BULK_MAX, n);
    Fx__V1__Tick *pb = malloc((n ? n : 1) * sizeof *pb);
    Fx__V1__Tick **ptrs = malloc((n ? n : 1) * sizeof *ptrs);
    if (pb == NULL || ptrs == NULL) {
        free(pb);
        free(ptrs);
        return fxc_fail(err, FXC_RESOURCE_EXHAUSTED, NULL, "out of memory for %zu ticks", n);
    }
    for (size_t i = 0; i < n; i++) fx_codec_tick_to_pb(&ticks[i], &pb[i]), ptrs[i] = &pb[i];
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__BulkCreateTicksRequest op = FX__V1__BULK_CREATE_TICKS_REQUEST__INIT;
    op.n_ticks = n;
    op.ticks = ptrs;
    req.op_case = FX__V1__REQUEST__OP_BULK_CREATE_TICKS;
    req.bulk_create_ticks = &op;
    Fx__V1__Response *r;
    int rc = call(c, &req, FX__V1__RESPONSE__RESULT_BULK_CREATE_TICKS, &r, err);
    free(pb);
    free(ptrs);
    if (rc) return rc;
    if (created) *created = r->bulk_create_ticks->created;
    if (duplicates) *duplicates = r->bulk_create_ticks->duplicates;
    fx__v1__response__free_unpacked(r, NULL);
    return FXC_OK;
}

/* The ticks of a GetTicksResponse as a malloc'ed array; frees `r`. */
static int take_ticks(Fx__V1__Response *r, const Fx__V1__GetTicksResponse *g, fxc_tick **ticks, size_t *n,
    fxc_err *err)
{
    size_t count = g->n_ticks;
    fxc_tick *out = malloc((count ? count : 1) * sizeof *out);
    if (out == NULL) {
        fx__v1__response__free_unpacked(r, NULL);
        return fxc_fail(err, FXC_RESOURCE_EXHAUSTED, NULL, "out of memory for %zu ticks", count);
    }
    for (size_t i = 0; i < count; i++) fx_codec_tick_from_pb(g->ticks[i], &out[i]);
    fx__v1__response__free_unpacked(r, NULL);
    *ticks = out;
    *n = count;
    return FXC_OK;
}

FXC_API int fxc_ticks_get(fxc *c, const char *symbol, int64_t start_us, int64_t end_us, uint32_t limit,
    uint32_t offset, fxc_tick **ticks, size_t *n, fxc_err *err)
{
    if (check_symbol_arg(symbol, err)) return FXC_INVALID_ARGUMENT;
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__GetTicksRequest op = FX__V1__GET_TICKS_REQUEST__INIT;
    op.symbol = (char *)symbol;
    op.start_us = start_us;
    op.end_us = end_us;
    op.limit = limit;
    op.offset = offset;
    req.op_case = FX__V1__REQUEST__OP_GET_TICKS;
    req.get_ticks = &op;
    Fx__V1__Response *r;
    int rc = call(c, &req, FX__V1__RESPONSE__RESULT_GET_TICKS, &r, err);
    if (rc) return rc;
    return take_ticks(r, r->get_ticks, ticks, n, err);
}

FXC_API int fxc_ticks_after(fxc *c, const char *symbol, int64_t after_seq, uint32_t limit, fxc_tick **ticks,
    size_t *n, fxc_err *err)
{
    if (check_symbol_arg(symbol, err)) return FXC_INVALID_ARGUMENT;
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__GetTicksAfterRequest op = FX__V1__GET_TICKS_AFTER_REQUEST__INIT;
    op.symbol = (char *)symbol;
    op.after_seq = after_seq;
    op.limit = limit;
    req.op_case = FX__V1__REQUEST__OP_GET_TICKS_AFTER;
    req.get_ticks_after = &op;
    Fx__V1__Response *r;
    int rc = call(c, &req, FX__V1__RESPONSE__RESULT_GET_TICKS_AFTER, &r, err);
    if (rc) return rc;
    return take_ticks(r, r->get_ticks_after, ticks, n, err);
}

FXC_API int fxc_last_seqs(fxc *c, const char *const *symbols, size_t nsymbols, fxc_symbol_seq **seqs, size_t *n,
    fxc_err *err)
{
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__GetLastSeqsRequest op = FX__V1__GET_LAST_SEQS_REQUEST__INIT;
    op.n_symbols = nsymbols;
    op.symbols = (char **)symbols;
    req.op_case = FX__V1__REQUEST__OP_GET_LAST_SEQS;
    req.get_last_seqs = &op;
    Fx__V1__Response *r;
    int rc = call(c, &req, FX__V1__RESPONSE__RESULT_GET_LAST_SEQS, &r, err);
    if (rc) return rc;
    size_t count = r->get_last_seqs->n_seqs;
    fxc_symbol_seq *out = malloc((count ? count : 1) * sizeof *out);
    if (out == NULL) {
        fx__v1__response__free_unpacked(r, NULL);
        return fxc_fail(err, FXC_RESOURCE_EXHAUSTED, NULL, "out of memory for %zu symbols", count);
    }
    for (size_t i = 0; i < count; i++) fx_codec_symbol_seq_from_pb(r->get_last_seqs->seqs[i], &out[i]);
    fx__v1__response__free_unpacked(r, NULL);
    *seqs = out;
    *n = count;
    return FXC_OK;
}

FXC_API void fxc_last_seqs_free(fxc_symbol_seq *seqs) { free(seqs); }

FXC_API int fxc_symbols_list(fxc *c, fxc_symbol_info **symbols, size_t *n, fxc_err *err)
{
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__ListSymbolsRequest op = FX__V1__LIST_SYMBOLS_REQUEST__INIT;
    req.op_case = FX__V1__REQUEST__OP_LIST_SYMBOLS;
    req.list_symbols = &op;
    Fx__V1__Response *r;
    int rc = call(c, &req, FX__V1__RESPONSE__RESULT_LIST_SYMBOLS, &r, err);
    if (rc) return rc;
    size_t count = r->list_symbols->n_symbols;
    fxc_symbol_info *out = malloc((count ? count : 1) * sizeof *out);
    if (out == NULL) {
        fx__v1__response__free_unpacked(r, NULL);
        return fxc_fail(err, FXC_RESOURCE_EXHAUSTED, NULL, "out of memory for %zu symbols", count);
    }
    for (size_t i = 0; i < count; i++) fx_codec_symbol_info_from_pb(r->list_symbols->symbols[i], &out[i]);
    fx__v1__response__free_unpacked(r, NULL);
    *symbols = out;
    *n = count;
    return FXC_OK;
}

FXC_API void fxc_symbols_free(fxc_symbol_info *symbols) { free(symbols); }

FXC_API void fxc_ticks_free(fxc_tick *ticks) { free(ticks); }

FXC_API int fxc_tick_update(fxc *c, const char *symbol, int64_t time_us, double price, fxc_tick *updated,
    fxc_err *err)
{
    if (check_symbol_arg(symbol, err)) return FXC_INVALID_ARGUMENT;
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__UpdateTickRequest op = FX__V1__UPDATE_TICK_REQUEST__INIT;
    Fx__V1__Tick t = FX__V1__TICK__INIT;
    t.symbol = (char *)symbol;
    t.time_us = time_us;
    t.price = price;
    op.tick = &t;
    req.op_case = FX__V1__REQUEST__OP_UPDATE_TICK;
    req.update_tick = &op;
    Fx__V1__Response *r;
    int rc = call(c, &req, FX__V1__RESPONSE__RESULT_UPDATE_TICK, &r, err);
    if (rc) return rc;
    if (updated) fx_codec_tick_from_pb(r->update_tick->tick, updated);
    fx__v1__response__free_unpacked(r, NULL);
    return FXC_OK;
}

FXC_API int fxc_tick_delete(fxc *c, const char *symbol, int64_t time_us, fxc_err *err)
{
    if (check_symbol_arg(symbol, err)) return FXC_INVALID_ARGUMENT;
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__DeleteTickRequest op = FX__V1__DELETE_TICK_REQUEST__INIT;
    op.symbol = (char *)symbol;
    op.time_us = time_us;
    req.op_case = FX__V1__REQUEST__OP_DELETE_TICK;
    req.delete_tick = &op;
    Fx__V1__Response *r;
    int rc = call(c, &req, FX__V1__RESPONSE__RESULT_DELETE_TICK, &r, err);
    if (rc) return rc;
    fx__v1__response__free_unpacked(r, NULL);
    return FXC_OK;
}

FXC_API int fxc_ticks_delete(fxc *c, const char *symbol, int64_t start_us, int64_t end_us, uint64_t *deleted,
    fxc_err *err)
{
    if (check_symbol_arg(symbol, err)) return FXC_INVALID_ARGUMENT;
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__DeleteTicksRequest op = FX__V1__DELETE_TICKS_REQUEST__INIT;
    op.symbol = (char *)symbol;
    op.start_us = start_us;
    op.end_us = end_us;
    req.op_case = FX__V1__REQUEST__OP_DELETE_TICKS;
    req.delete_ticks = &op;
    Fx__V1__Response *r;
    int rc = call(c, &req, FX__V1__RESPONSE__RESULT_DELETE_TICKS, &r, err);
    if (rc) return rc;
    if (deleted) *deleted = r->delete_ticks->deleted;
    fx__v1__response__free_unpacked(r, NULL);
    return FXC_OK;
}

FXC_API int fxc_candles_get(fxc *c, const fxc_candle_query *q, fxc_candle **candles, size_t *n, fxc_err *err)
{
    if (check_symbol_arg(q->symbol, err)) return FXC_INVALID_ARGUMENT;
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__GetCandlesRequest op = FX__V1__GET_CANDLES_REQUEST__INIT;
    op.symbol = (char *)q->symbol;
    op.resolution = (char *)(q->resolution ? q->resolution : "");
    op.start_us = q->start_us;
    op.end_us = q->end_us;
    op.time_zone = (char *)(q->time_zone ? q->time_zone : "");
    op.day_start_minute = q->day_start_minute;
    op.limit = q->limit;
    op.fill = (Fx__V1__CandleFill)q->fill;
    req.op_case = FX__V1__REQUEST__OP_GET_CANDLES;
    req.get_candles = &op;
    Fx__V1__Response *r;
    int rc = call(c, &req, FX__V1__RESPONSE__RESULT_GET_CANDLES, &r, err);
    if (rc) return rc;
    size_t count = r->get_candles->n_candles;
    fxc_candle *out = calloc(count ? count : 1, sizeof *out);
    if (out == NULL) {
        fx__v1__response__free_unpacked(r, NULL);
        return fxc_fail(err, FXC_RESOURCE_EXHAUSTED, NULL, "out of memory for %zu candles", count);
    }
    for (size_t i = 0; i < count; i++) fx_codec_candle_from_pb(r->get_candles->candles[i], &out[i]);
    fx__v1__response__free_unpacked(r, NULL);
    *candles = out;
    *n = count;
    return FXC_OK;
}

FXC_API void fxc_candles_free(fxc_candle *candles) { free(candles); }

FXC_API int fxc_health(fxc *c, fxc_health_info *out, fxc_err *err)
{
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__HealthRequest op = FX__V1__HEALTH_REQUEST__INIT;
    req.op_case = FX__V1__REQUEST__OP_HEALTH;
    req.health = &op;
    Fx__V1__Response *r;
    int rc = call(c, &req, FX__V1__RESPONSE__RESULT_HEALTH, &r, err);
    if (rc) return rc;
    const Fx__V1__HealthResponse *h = r->health;
    out->database_ok = h->database_ok;
    out->redis_ok = h->redis_ok;
    snprintf(out->database, sizeof out->database, "%s", h->database);
    snprintf(out->redis, sizeof out->redis, "%s", h->redis);
    snprintf(out->version, sizeof out->version, "%s", h->version);
    fx__v1__response__free_unpacked(r, NULL);
    return FXC_OK;
}

FXC_API int fxc_maintenance(fxc *c, int dry_run, fxc_maintenance_report *out, fxc_err *err)
{
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__MaintenanceRequest op = FX__V1__MAINTENANCE_REQUEST__INIT;
    op.dry_run = dry_run != 0;
    req.op_case = FX__V1__REQUEST__OP_MAINTENANCE;
    req.maintenance = &op;
    Fx__V1__Response *r;
    int rc = call_waiting(c, &req, FX__V1__RESPONSE__RESULT_MAINTENANCE, 1, &r, err);
    if (rc) return rc;
    const Fx__V1__MaintenanceResponse *m = r->maintenance;
    fxc_maintenance_day *days = calloc(m->n_days ? m->n_days : 1, sizeof *days);
    if (days == NULL) {
        fx__v1__response__free_unpacked(r, NULL);
        return fxc_fail(err, FXC_RESOURCE_EXHAUSTED, NULL, "out of memory for %zu days", m->n_days);
    }
    for (size_t i = 0; i < m->n_days; i++) {
        const Fx__V1__MaintenanceDay *d = m->days[i];
        days[i] = (fxc_maintenance_day){ .day_us = d->day_us,
            .dropped = strcmp(d->action, "dropped") == 0,
            .ticks = d->ticks,
            .bytes_before = d->bytes_before,
            .bytes_after = d->bytes_after,
            .seconds = d->seconds };
    }
    *out = (fxc_maintenance_report){ .dry_run = m->dry_run,
        .days = days,
        .ndays = m->n_days,
        .days_dropped = m->days_dropped,
        .days_compacted = m->days_compacted,
        .ticks_dropped = m->ticks_dropped,
        .ticks_compacted = m->ticks_compacted,
        .bytes_before = m->bytes_before,
        .bytes_after = m->bytes_after,
        .candles_dropped = m->candles_dropped,
        .seconds = m->seconds,
        .retention_days = m->retention_days,
        .candle_retention_days = m->candle_retention_days,
        .compression_after_days = m->compression_after_days };
    fx__v1__response__free_unpacked(r, NULL);
    return FXC_OK;
}

FXC_API void fxc_maintenance_report_free(fxc_maintenance_report *r)
{
    if (r == NULL) return;
    free(r->days);
    r->days = NULL;
    r->ndays = 0;
}

FXC_API int fxc_storage(fxc *c, fxc_storage_range **ranges, size_t *n, fxc_err *err)
{
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__StorageRequest op = FX__V1__STORAGE_REQUEST__INIT;
    req.op_case = FX__V1__REQUEST__OP_STORAGE;
    req.storage = &op;
    Fx__V1__Response *r;
    int rc = call_waiting(c, &req, FX__V1__RESPONSE__RESULT_STORAGE, 1, &r, err);
    if (rc) return rc;
    size_t count = r->storage->n_ranges;
    fxc_storage_range *out = calloc(count ? count : 1, sizeof *out);
    if (out == NULL) {
        fx__v1__response__free_unpacked(r, NULL);
        return fxc_fail(err, FXC_RESOURCE_EXHAUSTED, NULL, "out of memory for %zu storage ranges", count);
    }
    for (size_t i = 0; i < count; i++) {
        const Fx__V1__StorageRange *g = r->storage->ranges[i];
        snprintf(out[i].symbol, sizeof out[i].symbol, "%s", g->symbol);
        out[i].first_day_us = g->first_day_us;
        out[i].last_day_us = g->last_day_us;
        snprintf(out[i].state, sizeof out[i].state, "%s", g->state);
        out[i].days = g->days;
        out[i].ticks = g->ticks;
        out[i].bytes = g->bytes;
    }
    fx__v1__response__free_unpacked(r, NULL);
    *ranges = out;
    *n = count;
    return FXC_OK;
}

FXC_API void fxc_storage_free(fxc_storage_range *ranges) { free(ranges); }
