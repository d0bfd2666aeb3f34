/*
 * Candle endpoints of ../shared/API.md: /ohlc/minute, /ohlc/hour, /ohlc/day,
 * /ohlc/custom-day (UTC days from day_start_hour) and /ohlc (any resolution,
 * IANA time zone and day start). All are answered by the core from its
 * rollups; the bridge only reads parameters and writes JSON.
 */
#include "bridge/api.h"
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

/* Reads symbol, start and end, runs the query with the rest of `q` set. */
static void run(struct fx_http_request *req, struct fx_http_response *res, fxc_candle_query *q)
{
    char symbol[FXC_SYMBOL_MAX + 1];
    if (fx_param_symbol(req, symbol, res) || fx_param_time(req, "start", 1, &q->start_us, NULL, res)
        || fx_param_time(req, "end", 1, &q->end_us, NULL, res))
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

static void fixed(struct fx_http_request *req, struct fx_http_response *res, const char *resolution)
{
    fxc_candle_query q = { .resolution = resolution };
    run(req, res, &q);
}

void fx_api_ohlc_minute(struct fx_http_request *req, struct fx_http_response *res) { fixed(req, res, "1m"); }
void fx_api_ohlc_hour(struct fx_http_request *req, struct fx_http_response *res) { fixed(req, res, "1h"); }
void fx_api_ohlc_day(struct fx_http_request *req, struct fx_http_response *res) { fixed(req, res, "1d"); }

void fx_api_ohlc_custom_day(struct fx_http_request *req, struct fx_http_response *res)
{
    uint32_t hour;
    if (fx_param_uint(req, "day_start_hour", (uint32_t)req->bridge->cfg.day_start_hour, 0, 23, &hour, res)) return;
    fxc_candle_query q = { .resolution = "1d", .day_start_minute = (int)hour * 60 };
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
    if (q.resolution == NULL) return fx_reply_error(res, 422, "resolution: required (1m 5m 15m 30m 1h 4h 1d 1w ...)");
    q.time_zone = fx_http_query(req, "tz");
    const char *ds = fx_http_query(req, "day_start");
    if (ds && parse_day_start(ds, &q.day_start_minute))
        return fx_reply_error(res, 422, "day_start: expected HH:MM from 00:00 to 23:59, got \"%.16s\"", ds);
    run(req, res, &q);
}
