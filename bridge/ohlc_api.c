/*
 * Candle endpoints (docs/api.md): /ohlc/<stream> for each candle stream of
 * the resolution table (minute, hour, day, custom-day: UTC days from
 * day_start_hour) and /ohlc (any resolution, IANA time zone and day start). All are answered by the core from its
 * rollups; the bridge only reads parameters and writes JSON.
 */
#include "bridge/api.h"

#include "base/resolution.h"
#include "bridge/json_out.h"
#include "bridge/params.h"

#include <stdio.h>
#include <string.h>

static void reply_candles(struct fx_http_response *res, const fxc_candle *c, size_t n)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_raw(&b, "[");
    for (size_t i = 0; i < n; i++) {
        fx_jbuf_raw(&b, i ? ",{" : "{");
        fx_jbuf_candle_fields(&b, &c[i]);
        fx_jbuf_raw(&b, "}");
    }
    fx_jbuf_raw(&b, "]");
    fx_reply_json(res, 200, fx_jbuf_take(&b, NULL));
}

/* fill: none (default) or prev. */
static int fill_param(const struct fx_http_request *req, int *out, struct fx_http_response *res)
{
    const char *v = fx_http_query(req, "fill");
    *out = FXC_FILL_NONE;
    if (v == NULL || strcmp(v, "none") == 0) return 0;
    if (strcmp(v, "prev") == 0) {
        *out = FXC_FILL_PREV;
        return 0;
    }
    fx_reply_error(res, 422, "fill: expected none or prev, got \"%.16s\"", v);
    return -1;
}

/* Reads symbol, start, end and fill, runs the query with the rest of `q` set. */
static void run(struct fx_http_request *req, struct fx_http_response *res, fxc_candle_query *q)
{
    char symbol[FXC_SYMBOL_MAX + 1];
    if (fx_param_symbol(req, symbol, res) || fx_param_time(req, "start", 1, &q->start_us, NULL, res)
        || fx_param_time(req, "end", 1, &q->end_us, NULL, res) || fill_param(req, &q->fill, res))
        return;
    q->symbol = symbol;
    q->limit = FXC_CANDLES_MAX;
    fxc_candle *c;
    size_t n;
    fxc_err e;
    int rc = fxc_candles_get(req->bridge->core, q, &c, &n, &e);
    if (rc != FXC_OK) return fx_reply_core_error(res, rc, &e);
    reply_candles(res, c, n);
    fxc_candles_free(c);
}

/* /ohlc/{resolution}: a stream name of the resolution table; custom days
 * start at ?day_start_hour= (default DAY_START_HOUR). */
void fx_api_ohlc_stream(struct fx_http_request *req, struct fx_http_response *res)
{
    const struct fx_resolution *r = fx_resolution_by_stream(req->path_args[0]);
    if (r == NULL)
        return fx_reply_error(res, 404, "no candle stream \"%.20s\": /ohlc/ takes %s", req->path_args[0],
            fx_resolution_stream_names());
    fxc_candle_query q = { .resolution = r->name };
    if (r->custom_day) {
        uint32_t hour;
        if (fx_param_uint(req, "day_start_hour", (uint32_t)req->bridge->cfg.day_start_hour, 0, 23, &hour, res))
            return;
        q.day_start_minute = (int)hour * 60;
    }
    run(req, res, &q);
}

/* "HH:MM", 00:00..23:59 -> minutes. */
static int parse_day_start(const char *s, int *minutes)
{
    int h, m, used = 0;
    if (strlen(s) != 5 || sscanf(s, "%2d:%2d%n", &h, &m, &used) != 2 || used != 5) return -1;
    if (s[0] < '0' || s[0] > '9' || s[3] < '0' || s[3] > '9' || h > 23 || m > 59 || h < 0 || m < 0) return -1;
    *minutes = h * 60 + m;
    return 0;
}

void fx_api_ohlc(struct fx_http_request *req, struct fx_http_response *res)
{
    fxc_candle_query q = { 0 };
    q.resolution = fx_http_query(req, "resolution");
    if (q.resolution == NULL) return fx_reply_error(res, 422, "resolution: required (one of %s)", fx_resolution_names());
    q.time_zone = fx_http_query(req, "tz");
    const char *ds = fx_http_query(req, "day_start");
    if (ds && parse_day_start(ds, &q.day_start_minute))
        return fx_reply_error(res, 422, "day_start: expected HH:MM from 00:00 to 23:59, got \"%.16s\"", ds);
    run(req, res, &q);
}
