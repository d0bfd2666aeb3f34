/*
 * The data lifecycle's admin endpoints (docs/api.md, "Data lifecycle"):
 * POST /admin/maintenance runs a retention and compaction pass on a core now
 * (?dry_run=true: what one would do), GET /admin/storage reports each
 * symbol's days by state. The JSON shapes are those of `fxctl maintenance
 * --json` and `fxctl storage --json`.
 *
 * A pass may take minutes: fxc_maintenance waits for its answer at least
 * FXC_MAINTENANCE_TIMEOUT_MS (30 min), whatever BRIDGE_RPC_TIMEOUT_MS says.
 * Meanwhile only one request-pool thread waits (its connection is
 * suspended; request_pool.h); a stop of the bridge does not wait for it beyond
 * BRIDGE_DRAIN_S (the pass goes on in the core).
 */
#include "bridge/api.h"

#include "bridge/json_out.h"
#include "bridge/params.h"

#include <stdio.h>

/* "2026-01-02": the UTC date of a day's start. */
static void jbuf_day(struct fx_jbuf *b, int64_t day_us)
{
    char time[FXC_TIME_STR_MAX];
    fx_jbuf_printf(b, "\"%.10s\"", fxc_time_format(day_us, time));
}

static char *maintenance_json(const fxc_maintenance_report *r)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_printf(&b, "{\"dry_run\":%s,\"days\":[", r->dry_run ? "true" : "false");
    for (size_t i = 0; i < r->ndays; i++) {
        const fxc_maintenance_day *d = &r->days[i];
        fx_jbuf_raw(&b, i ? ",{\"day\":" : "{\"day\":");
        jbuf_day(&b, d->day_us);
        fx_jbuf_printf(&b,
            ",\"action\":\"%s\",\"ticks\":%llu,\"bytes_before\":%llu,\"bytes_after\":%llu,\"seconds\":%.3f}",
            d->dropped ? "dropped" : "compacted", (unsigned long long)d->ticks,
            (unsigned long long)d->bytes_before, (unsigned long long)d->bytes_after, d->seconds);
    }
    fx_jbuf_printf(&b,
        "],\"days_dropped\":%u,\"days_compacted\":%u,\"ticks_dropped\":%llu,\"ticks_compacted\":%llu,"
        "\"bytes_before\":%llu,\"bytes_after\":%llu,\"candles_dropped\":%llu,\"seconds\":%.3f,"
        "\"settings\":{\"retention_days\":%d,\"candle_retention_days\":%d,\"compression_after_days\":%d}}",
        r->days_dropped, r->days_compacted, (unsigned long long)r->ticks_dropped,
        (unsigned long long)r->ticks_compacted, (unsigned long long)r->bytes_before,
        (unsigned long long)r->bytes_after, (unsigned long long)r->candles_dropped, r->seconds,
        r->retention_days, r->candle_retention_days, r->compression_after_days);
    return fx_jbuf_take(&b, NULL);
}

/* POST /admin/maintenance[?dry_run=true|false]; a body, if any, is ignored. */
void fx_api_maintenance(struct fx_http_request *req, struct fx_http_response *res)
{
    int dry_run;
    if (fx_param_bool(req, "dry_run", 0, &dry_run, res)) return;
    fxc_maintenance_report r;
    fxc_err e;
    int rc = fxc_maintenance(req->bridge->core, dry_run, &r, &e);
    if (rc != FXC_OK) return fx_reply_core_error(res, rc, &e);
    fx_reply_json(res, 200, maintenance_json(&r));
    fxc_maintenance_report_free(&r);
}

void fx_api_storage(struct fx_http_request *req, struct fx_http_response *res)
{
    fxc_storage_range *g;
    size_t n;
    fxc_err e;
    int rc = fxc_storage(req->bridge->core, &g, &n, &e);
    if (rc != FXC_OK) return fx_reply_core_error(res, rc, &e);
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_raw(&b, "{\"ranges\":[");
    for (size_t i = 0; i < n; i++) {
        fx_jbuf_raw(&b, i ? ",{\"symbol\":" : "{\"symbol\":");
        fx_jbuf_string(&b, g[i].symbol);
        fx_jbuf_raw(&b, ",\"from\":");
        jbuf_day(&b, g[i].first_day_us);
        fx_jbuf_raw(&b, ",\"to\":");
        jbuf_day(&b, g[i].last_day_us);
        fx_jbuf_raw(&b, ",\"state\":");
        fx_jbuf_string(&b, g[i].state);
        fx_jbuf_printf(&b, ",\"days\":%u,\"ticks\":%llu,\"bytes\":%llu}", g[i].days,
            (unsigned long long)g[i].ticks, (unsigned long long)g[i].bytes);
    }
    fx_jbuf_raw(&b, "]}");
    fxc_storage_free(g);
    fx_reply_json(res, 200, fx_jbuf_take(&b, NULL));
}
