/*
 * The WebSocket endpoints (docs/api.md): /ws/ticks[/{symbol}] and
 * /ws/ohlc/{resolution}[/{symbol}]. The handler checks the request and
 * answers 101; once libmicrohttpd has sent it, on_upgraded hands the socket
 * to the hub (ws_hub.c) and, for candle streams, has the request pool look
 * up the current candle: the upgrade runs on an HTTP polling thread, which
 * must not wait on the core.
 */
#include "base/calendar.h"
#include "bridge/api.h"

#include "base/resolution.h"
#include "bridge/params.h"
#include "bridge/request_pool.h"
#include "bridge/ws_handshake.h"
#include "bridge/ws_hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void on_upgraded(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra, size_t extra_len,
    MHD_socket sock, struct MHD_UpgradeResponseHandle *urh);

/* Checks the handshake and the limit, then answers 101 with `filter`. */
static void upgrade(struct fx_http_request *req, struct fx_http_response *res, const struct fx_ws_filter *filter)
{
    char why[160];
    unsigned status = fx_ws_handshake_check(req->conn, req->method, req->version, res->ws_accept, why, sizeof why);
    if (status == 426) {
        res->headers[0][0] = "Sec-WebSocket-Version", res->headers[0][1] = "13";
        res->headers[1][0] = "Upgrade", res->headers[1][1] = "websocket";
    }
    if (status) return fx_reply_error(res, status, "%s", why);
    /* A page of another site must not read the feed through its visitor's
     * browser (cross-site WebSocket hijacking): browsers always send Origin. */
    if (!fx_cors_ws_origin_ok(&req->bridge->cors, req->conn))
        return fx_reply_error(res, 403, "WebSocket from origin %.200s refused: not this bridge's own nor in "
                                        "BRIDGE_CORS_ORIGINS",
            MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Origin"));
    struct fx_ws_stats st;
    fx_ws_hub_stats(req->bridge->hub, &st);
    if (st.ticks_clients + st.ohlc_clients >= (uint64_t)req->bridge->cfg.ws_max_clients)
        return fx_reply_error(res, 503, "too many WebSocket clients (BRIDGE_WS_MAX_CLIENTS=%d); try again later",
            req->bridge->cfg.ws_max_clients);
    req->ws = *filter;
    const char *proto = fx_ws_select_protocol(req->conn);
    if (proto) res->headers[0][0] = "Sec-WebSocket-Protocol", res->headers[0][1] = proto;
    res->status = 101;
    res->upgrade = on_upgraded;
}

/* closed_only: true, false, 1, 0 or absent. */
static int closed_only_param(const struct fx_http_request *req, int *out, struct fx_http_response *res)
{
    return fx_param_bool(req, "closed_only", 0, out, res);
}

static int path_symbol(struct fx_http_request *req, const char *arg, char out[FXC_SYMBOL_MAX + 1],
    struct fx_http_response *res)
{
    return fx_param_symbol_value(arg, "symbol", req->bridge->cfg.symbol, out, res);
}

/* since: a seq of the one symbol streamed, an integer >= 0; the stream
 * then starts with the ticks stored after it (bridge/ws_replay.h). */
static int since_param(const struct fx_http_request *req, struct fx_ws_filter *f, struct fx_http_response *res)
{
    const char *v = fx_http_query(req, "since");
    if (v == NULL) return 0;
    if (f->symbol[0] == '\0') {
        fx_reply_error(res, 400, "since: seqs are per symbol; reconnect to /ws/ticks/{symbol}?since=N for one symbol");
        return -1;
    }
    if (fx_param_seq_value(v, "since", &f->since, res) != 0) return -1;
    f->replay = 1;
    return 0;
}

void fx_api_ws_ticks(struct fx_http_request *req, struct fx_http_response *res)
{
    struct fx_ws_filter f = { .stream = FX_WS_TICKS };
    if (req->path_args[0] && path_symbol(req, req->path_args[0], f.symbol, res)) return;
    if (since_param(req, &f, res)) return;
    upgrade(req, res, &f);
}

void fx_api_ws_ohlc(struct fx_http_request *req, struct fx_http_response *res)
{
    struct fx_ws_filter f = { .stream = FX_WS_OHLC };
    const char *r = req->path_args[0];
    if (fx_resolution_by_stream(r) == NULL)
        return fx_reply_error(res, 404, "no candle stream \"%.20s\": %s", r, fx_resolution_stream_names());
    snprintf(f.resolution, sizeof f.resolution, "%s", r);
    if (path_symbol(req, req->path_args[1], f.symbol, res) || closed_only_param(req, &f.closed_only, res)) return;
    upgrade(req, res, &f);
}

/* The candle a new client sees first: the latest of the last few buckets
 * (the latest complete one for closed_only), or none. */
static int current_candle(struct fx_bridge *b, const struct fx_ws_filter *f, fxc_candle *out)
{
    const struct fx_resolution *r = fx_resolution_by_stream(f->resolution); /* checked by fx_api_ws_ohlc */
    int64_t width = r->width_us;
    int64_t now = fx_now_us();
    fxc_candle_query q = { .symbol = f->symbol,
        .resolution = r->name,
        .start_us = now - 3 * width,
        .end_us = now + width,
        .day_start_minute = r->custom_day ? b->cfg.day_start_hour * 60 : 0,
        .limit = 8 };
    fxc_candle *c;
    size_t n;
    fxc_err e;
    if (fxc_candles_get(b->snapshots, &q, &c, &n, &e) != FXC_OK) return -1;
    int found = 0;
    for (size_t k = n; k-- > 0 && !found;)
        if (!f->closed_only || c[k].complete) *out = c[k], found = 1;
    fxc_candles_free(c);
    return found ? 0 : -1;
}

/* A candle client's first candle, read on the request pool. */
struct snapshot_job {
    struct fx_bridge *b;
    uint64_t id;
    struct fx_ws_filter f;
};

static void send_snapshot(void *arg)
{
    struct snapshot_job *j = arg;
    fxc_candle current;
    fx_ws_hub_snapshot(j->b->hub, j->id, current_candle(j->b, &j->f, &current) == 0 ? &current : NULL);
    free(j);
}

static void on_upgraded(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra, size_t extra_len,
    MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
    (void)conn;
    struct fx_bridge *b = cls;
    const struct fx_ws_filter f = fx_http_request_of(con_cls)->ws;
    uint64_t id = fx_ws_hub_add(b->hub, sock, urh, &f, extra, extra_len);
    if (id == 0 || f.stream != FX_WS_OHLC) return;
    /* After joining, so that no change between this read and the first
     * event is missed: the hub sends this first and drops older events. */
    struct snapshot_job *j = malloc(sizeof *j);
    if (j) *j = (struct snapshot_job){ b, id, f };
    if (j == NULL || fx_request_pool_submit(b->pool, send_snapshot, j) != 0) {
        free(j);
        fx_ws_hub_snapshot(b->hub, id, NULL); /* out of memory: the stream starts with the next change */
    }
}

void fx_api_ws_stats(struct fx_http_request *req, struct fx_http_response *res)
{
    struct fx_ws_stats st;
    fx_ws_hub_stats(req->bridge->hub, &st);
    char json[320];
    snprintf(json, sizeof json,
            "{\"connections\":{\"ticks\":%llu,\"ohlc\":%llu},\"total_connections\":%llu,\"messages_sent\":%llu,"
            "\"clients_dropped\":%llu}",
            (unsigned long long)st.ticks_clients, (unsigned long long)st.ohlc_clients,
            (unsigned long long)(st.ticks_clients + st.ohlc_clients), (unsigned long long)st.messages_sent,
            (unsigned long long)st.clients_dropped);
    fx_reply_json(res, 200, strdup(json));
}
