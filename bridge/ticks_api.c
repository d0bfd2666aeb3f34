/*
 * Tick endpoints of docs/api.md: JSON in, fxclient round trip, JSON out.
 * Type and syntax errors are answered here (422 naming the field); value
 * rules (symbol characters, price > 0, time range) are the core's, whose
 * INVALID_ARGUMENT comes back with the field it names.
 */
#include "bridge/api.h"
#include "bridge/json_out.h"
#include "bridge/params.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_LIMIT 1000

static void reply_tick(struct fx_http_response *res, unsigned status, const fxc_tick *t)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_tick(&b, t);
    fx_reply_json(res, status, fx_jbuf_take(&b, NULL));
}

static void reply_deleted(struct fx_http_response *res, uint64_t n)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_printf(&b, "{\"deleted\":%llu}", (unsigned long long)n);
    fx_reply_json(res, 200, fx_jbuf_take(&b, NULL));
}

void fx_api_tick_create(struct fx_http_request *req, struct fx_http_response *res)
{
    json_t *root = fx_body_json(req, res);
    if (root == NULL) return;
    fxc_tick t, stored;
    if (fx_json_tick(root, "", req->bridge->cfg.symbol, &t, res) == 0) {
        fxc_err e;
        int rc = fxc_tick_create(req->bridge->core, &t, &stored, &e);
        if (rc == FXC_OK)
            reply_tick(res, 201, &stored);
        else
            fx_reply_core_error(res, rc, &e);
    }
    json_decref(root);
}

/* The bulk body is parsed in full before anything is sent: one bad element
 * rejects the whole request, naming its index. */
void fx_api_ticks_bulk(struct fx_http_request *req, struct fx_http_response *res)
{
    json_t *root = fx_body_json(req, res);
    if (root == NULL) return;
    if (!json_is_array(root)) {
        fx_reply_error(res, 422, "body: must be a JSON array of ticks [{\"symbol\", \"time\", \"price\"}, ...]");
        json_decref(root);
        return;
    }
    size_t n = json_array_size(root);
    if (n > FXC_BULK_MAX) {
        fx_reply_error(res, 413, "body: %zu ticks; a bulk request holds at most %d", n, FXC_BULK_MAX);
        json_decref(root);
        return;
    }
    fxc_tick *ticks = malloc((n ? n : 1) * sizeof *ticks);
    if (ticks == NULL) {
        fx_reply_error(res, 500, "out of memory");
        json_decref(root);
        return;
    }
    int ok = 1;
    for (size_t i = 0; ok && i < n; i++) {
        char where[24];
        snprintf(where, sizeof where, "[%zu]", i);
        ok = fx_json_tick(json_array_get(root, i), where, req->bridge->cfg.symbol, &ticks[i], res) == 0;
    }
    json_decref(root);
    if (ok) {
        uint64_t created = 0, dups = 0;
        fxc_err e;
        int rc = fxc_ticks_bulk(req->bridge->core, ticks, n, &created, &dups, &e);
        if (rc == FXC_OK) {
            struct fx_jbuf b;
            fx_jbuf_init(&b);
            fx_jbuf_printf(&b,
                "{\"created\":%llu,\"duplicates\":%llu,\"message\":\"Created %llu ticks, skipped %llu duplicates\"}",
                (unsigned long long)created, (unsigned long long)dups, (unsigned long long)created,
                (unsigned long long)dups);
            fx_reply_json(res, 201, fx_jbuf_take(&b, NULL));
        } else {
            fx_reply_core_error(res, rc, &e);
        }
    }
    free(ticks);
}

static void reply_ticks(struct fx_http_response *res, fxc_tick *ticks, size_t n, int with_seq)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_raw(&b, "[");
    for (size_t i = 0; i < n; i++) {
        if (i) fx_jbuf_raw(&b, ",");
        if (!with_seq) {
            fx_jbuf_tick(&b, &ticks[i]);
            continue;
        }
        fx_jbuf_raw(&b, "{");
        fx_jbuf_tick_fields(&b, &ticks[i]);
        fx_jbuf_printf(&b, ",\"seq\":%lld}", (long long)ticks[i].seq);
    }
    fx_jbuf_raw(&b, "]");
    fxc_ticks_free(ticks);
    fx_reply_json(res, 200, fx_jbuf_take(&b, NULL));
}

/* GET /ticks/?symbol=S&after_seq=N: the ticks of S after seq N, by seq, each
 * with its seq — paging a symbol's ticks the way the live stream numbers
 * them (a WebSocket client too far behind for ?since). A seq is per symbol,
 * so the symbol must be named; a time range or an offset would page by
 * something else and is refused. */
static void ticks_after(struct fx_http_request *req, struct fx_http_response *res, const char *after)
{
    static const char *const refused[] = { "start", "end", "offset" };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (fx_http_query(req, refused[i]))
            return fx_reply_error(res, 422, "%s: not with after_seq, which pages by seq (the next page: after_seq = "
                                            "the last seq received)", refused[i]);
    if (fx_http_query(req, "symbol") == NULL)
        return fx_reply_error(res, 422, "symbol: required with after_seq (a seq numbers the ticks of one symbol)");
    char symbol[FXC_SYMBOL_MAX + 1];
    long long after_seq;
    uint32_t limit;
    if (fx_param_seq_value(after, "after_seq", &after_seq, res) || fx_param_symbol(req, symbol, res)
        || fx_param_uint(req, "limit", DEFAULT_LIMIT, 1, FXC_TICKS_GET_MAX, &limit, res))
        return;
    fxc_tick *ticks;
    size_t n;
    fxc_err e;
    int rc = fxc_ticks_after(req->bridge->core, symbol, after_seq, limit, &ticks, &n, &e);
    if (rc != FXC_OK) return fx_reply_core_error(res, rc, &e);
    reply_ticks(res, ticks, n, 1);
}

void fx_api_ticks_list(struct fx_http_request *req, struct fx_http_response *res)
{
    const char *after = fx_http_query(req, "after_seq");
    if (after) return ticks_after(req, res, after);
    char symbol[FXC_SYMBOL_MAX + 1];
    int64_t start, end;
    uint32_t limit, offset;
    if (fx_param_symbol(req, symbol, res) || fx_param_time(req, "start", 1, &start, NULL, res)
        || fx_param_time(req, "end", 1, &end, NULL, res)
        || fx_param_uint(req, "limit", DEFAULT_LIMIT, 1, FXC_TICKS_GET_MAX, &limit, res)
        || fx_param_uint(req, "offset", 0, 0, FX_TICKS_OFFSET_MAX, &offset, res))
        return;
    fxc_tick *ticks;
    size_t n;
    fxc_err e;
    int rc = fxc_ticks_get(req->bridge->core, symbol, start, end, limit, offset, &ticks, &n, &e);
    if (rc != FXC_OK) return fx_reply_core_error(res, rc, &e);
    reply_ticks(res, ticks, n, 0);
}

void fx_api_tick_update(struct fx_http_request *req, struct fx_http_response *res)
{
    char symbol[FXC_SYMBOL_MAX + 1];
    int64_t time_us;
    if (fx_param_symbol(req, symbol, res) || fx_param_time(req, "time", 1, &time_us, NULL, res)) return;
    json_t *root = fx_body_json(req, res);
    if (root == NULL) return;
    double price;
    if (!json_is_object(root)) {
        fx_reply_error(res, 422, "body: must be an object {\"price\": number}");
    } else if (fx_json_price(json_object_get(root, "price"), "price", &price, res) == 0) {
        fxc_tick updated;
        fxc_err e;
        int rc = fxc_tick_update(req->bridge->core, symbol, time_us, price, &updated, &e);
        if (rc == FXC_OK)
            reply_tick(res, 200, &updated);
        else
            fx_reply_core_error(res, rc, &e);
    }
    json_decref(root);
}

static void delete_one(struct fx_http_request *req, struct fx_http_response *res, const char *symbol,
    int64_t time_us)
{
    fxc_err e;
    int rc = fxc_tick_delete(req->bridge->core, symbol, time_us, &e);
    if (rc == FXC_OK)
        reply_deleted(res, 1);
    else
        fx_reply_core_error(res, rc, &e);
}

/* DELETE /ticks/ deletes one tick when `time` is given, else [start, end). */
void fx_api_ticks_delete(struct fx_http_request *req, struct fx_http_response *res)
{
    char symbol[FXC_SYMBOL_MAX + 1];
    int64_t t, start, end;
    int has_time;
    if (fx_param_symbol(req, symbol, res) || fx_param_time(req, "time", 0, &t, &has_time, res)) return;
    if (has_time) return delete_one(req, res, symbol, t);
    if (fx_param_time(req, "start", 1, &start, NULL, res) || fx_param_time(req, "end", 1, &end, NULL, res)) return;
    uint64_t deleted = 0;
    fxc_err e;
    int rc = fxc_ticks_delete(req->bridge->core, symbol, start, end, &deleted, &e);
    if (rc == FXC_OK)
        reply_deleted(res, deleted);
    else
        fx_reply_core_error(res, rc, &e);
}

void fx_api_tick_delete_path(struct fx_http_request *req, struct fx_http_response *res)
{
    char symbol[FXC_SYMBOL_MAX + 1];
    int64_t t;
    if (fx_param_symbol_value(req->path_args[0], "symbol", req->bridge->cfg.symbol, symbol, res)
        || fx_param_time_value(req->path_args[1], "time", &t, res))
        return;
    delete_one(req, res, symbol, t);
}
