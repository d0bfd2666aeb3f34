#include "bridge/routes.h"

#include "bridge/api.h"

#include <stdint.h>
#include <string.h>

/* Handlers that wait on fx-core run on the request pool; the rest inline.
 * Scopes: probes (/livez, /health) and Prometheus (/metrics) must reach the
 * bridge without a key; the pages, their assets and the OpenAPI document
 * hold no data (the demo page fetches its data with the reader's key). */
static const struct fx_route routes[] = {
    { "POST", "/ticks", fx_api_tick_create, 0, FX_SCOPE_WRITE, FX_RUN_POOL },
    { "GET", "/ticks", fx_api_ticks_list, 0, FX_SCOPE_READ, FX_RUN_POOL },
    { "PUT", "/ticks", fx_api_tick_update, 0, FX_SCOPE_WRITE, FX_RUN_POOL },
    { "DELETE", "/ticks", fx_api_ticks_delete, 0, FX_SCOPE_WRITE, FX_RUN_POOL },
    { "POST", "/ticks/bulk", fx_api_ticks_bulk, SIZE_MAX, FX_SCOPE_WRITE, FX_RUN_POOL },
    { "DELETE", "/ticks/{symbol}/{time}", fx_api_tick_delete_path, 0, FX_SCOPE_WRITE, FX_RUN_POOL },
    { "GET", "/symbols", fx_api_symbols, 0, FX_SCOPE_READ, FX_RUN_POOL },
    { "GET", "/ohlc/{resolution}", fx_api_ohlc_stream, 0, FX_SCOPE_READ, FX_RUN_POOL },
    { "GET", "/ohlc", fx_api_ohlc, 0, FX_SCOPE_READ, FX_RUN_POOL },
    { "GET", "/livez", fx_api_livez, 0, FX_SCOPE_OPEN, FX_RUN_INLINE },
    { "GET", "/health", fx_api_health, 0, FX_SCOPE_OPEN, FX_RUN_POOL },
    { "POST", "/admin/maintenance", fx_api_maintenance, 0, FX_SCOPE_ADMIN, FX_RUN_POOL },
    { "GET", "/admin/storage", fx_api_storage, 0, FX_SCOPE_ADMIN, FX_RUN_POOL },
    { "GET", "/ws/stats", fx_api_ws_stats, 0, FX_SCOPE_READ, FX_RUN_INLINE },
    { "GET", "/ws/ticks", fx_api_ws_ticks, 0, FX_SCOPE_READ, FX_RUN_INLINE },
    { "GET", "/ws/ticks/{symbol}", fx_api_ws_ticks, 0, FX_SCOPE_READ, FX_RUN_INLINE },
    { "GET", "/ws/ohlc/{resolution}", fx_api_ws_ohlc, 0, FX_SCOPE_READ, FX_RUN_INLINE },
    { "GET", "/ws/ohlc/{resolution}/{symbol}", fx_api_ws_ohlc, 0, FX_SCOPE_READ, FX_RUN_INLINE },
    { "GET", "/metrics", fx_api_metrics, 0, FX_SCOPE_OPEN, FX_RUN_INLINE },
    { "GET", "/openapi.json", fx_api_openapi, 0, FX_SCOPE_OPEN, FX_RUN_INLINE },
    { "GET", "/docs", fx_api_docs, 0, FX_SCOPE_OPEN, FX_RUN_INLINE },
    { "GET", "/redoc", fx_api_redoc, 0, FX_SCOPE_OPEN, FX_RUN_INLINE },
    { "GET", "/static/*", fx_api_static, 0, FX_SCOPE_OPEN, FX_RUN_INLINE },
    { "GET", "/ws-test", fx_api_demo, 0, FX_SCOPE_OPEN, FX_RUN_INLINE },
    { "GET", "/demo", fx_api_demo, 0, FX_SCOPE_OPEN, FX_RUN_INLINE },
    { "GET", "/", fx_api_index, 0, FX_SCOPE_OPEN, FX_RUN_INLINE },
};

#define NROUTES (sizeof routes / sizeof routes[0])

/* Path args point into `scratch`, which the request keeps. */
static _Thread_local char scratch[2][512];

/* Matches `path` (without its trailing slash) against `pattern`. */
static int path_matches(const char *pattern, const char *path, size_t pathlen, struct fx_http_request *req)
{
    size_t plen = strlen(pattern);
    if (plen > 0 && pattern[plen - 1] == '*') return pathlen >= plen - 1 && strncmp(pattern, path, plen - 1) == 0;
    const char *p = pattern, *s = path, *end = path + pathlen;
    int nargs = 0;
    while (*p && s < end) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            const char *seg_end = memchr(s, '/', (size_t)(end - s));
            if (seg_end == NULL) seg_end = end;
            size_t n = (size_t)(seg_end - s);
            if (n == 0 || n >= sizeof scratch[0] || nargs == 2) return 0;
            memcpy(scratch[nargs], s, n);
            scratch[nargs][n] = '\0';
            if (req) req->path_args[nargs] = scratch[nargs];
            nargs++;
            p = close + 1, s = seg_end;
        } else if (*p++ != *s++) {
            return 0;
        }
    }
    return *p == '\0' && s == end;
}

void fx_routes_match(const char *method, const char *path, struct fx_http_request *req, struct fx_route_match *m)
{
    memset(m, 0, sizeof *m);
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    int path_known = 0;
    for (size_t i = 0; i < NROUTES; i++) {
        if (!path_matches(routes[i].pattern, path, len, NULL)) continue;
        if (strcmp(routes[i].method, method) == 0 || (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
            path_matches(routes[i].pattern, path, len, req);
            m->route = &routes[i];
            m->label = routes[i].pattern;
            return;
        }
        if (!path_known) m->label = routes[i].pattern;
        path_known = 1;
        size_t used = strlen(m->allow);
        snprintf(m->allow + used, sizeof m->allow - used, "%s%s", used ? ", " : "", routes[i].method);
    }
    m->status = path_known ? 405 : 404;
    if (!path_known) m->label = "unmatched";
}
