/*
 * The REST surface of fx-bridge as one table: method, path pattern, handler,
 * body limit. Patterns are exact paths, "{name}" for one path segment, or a
 * trailing "*" for a prefix. A trailing slash is ignored ("/ticks/" and
 * "/ticks" are one route, as the FastAPI service redirected one to the other).
 * Each route names the API key scope it needs (auth.h): this table is the
 * one place that says which route is open, a read, a write or admin.
 */
#ifndef FX_BRIDGE_ROUTES_H
#define FX_BRIDGE_ROUTES_H

#include "bridge/auth.h"
#include "bridge/request.h"

typedef void (*fx_handler)(struct fx_http_request *req, struct fx_http_response *res);

struct fx_route {
    const char *method;
    const char *pattern; /* also the route's label in /metrics */
    fx_handler handler;
    size_t body_limit; /* 0: the default of 1 MiB; SIZE_MAX: BRIDGE_MAX_BODY_MB */
    enum fx_scope scope; /* the key it needs when BRIDGE_API_KEYS_FILE is set */
    /* FX_RUN_INLINE: the handler never waits on fx-core (pages, probes, the
     * WebSocket handshakes), so it runs on the HTTP polling thread; the
     * others run on the request pool (request_pool.h). */
    enum fx_route_run { FX_RUN_POOL = 0, FX_RUN_INLINE } run;
};

/* What a request maps to: the route, or the status (404 or 405) and, for
 * 405, the allowed methods. `req->path_args` receives the {args}. */
struct fx_route_match {
    const struct fx_route *route;
    const char *label; /* for metrics: the pattern, or "unmatched" */
    unsigned status; /* 0 when route is set */
    char allow[64];
};

void fx_routes_match(const char *method, const char *path, struct fx_http_request *req, struct fx_route_match *m);

#endif
