/*
 * CORS of fx-bridge (BRIDGE_CORS_ORIGINS), and the Origin rule of its
 * WebSockets. Off by default: no Access-Control-* header is ever sent. A
 * listed origin (exact "scheme://host[:port]") may use every route; "*"
 * lets any origin read (GET, HEAD) and nothing else. Credentials (cookies)
 * are never allowed: keys travel in headers, which a preflight admits.
 *
 * Threads: fx_cors_parse on main before the daemon starts; the rest from
 * any connection thread (the list is read-only after start).
 */
#ifndef FX_BRIDGE_CORS_H
#define FX_BRIDGE_CORS_H

#include <microhttpd.h>
#include <stddef.h>

#define FX_CORS_MAX_ORIGINS 32

struct fx_cors {
    char origins[FX_CORS_MAX_ORIGINS][256];
    size_t n;
    int any; /* "*" listed: reads from any origin */
};

/* Parses the comma-separated list `list` ("" : CORS off). Returns 0 or
 * FX_ECONFIG with the reason in `err`. */
int fx_cors_parse(struct fx_cors *c, const char *list, char *err, size_t errlen);

int fx_cors_enabled(const struct fx_cors *c);

/* The headers of an ordinary response to `method` from `origin` (NULL: no
 * Origin header): Vary: Origin whenever CORS is on, and
 * Access-Control-Allow-Origin when the origin may use the method. */
void fx_cors_add_headers(const struct fx_cors *c, const char *origin, const char *method, struct MHD_Response *r);

/* Whether this request is a CORS preflight we answer (CORS on, OPTIONS,
 * an Origin and an Access-Control-Request-Method). */
int fx_cors_is_preflight(const struct fx_cors *c, struct MHD_Connection *conn, const char *method);

/* Decides a preflight: 204 (then add fx_cors_add_preflight_headers) or 403
 * with the reason in `why`. */
unsigned fx_cors_preflight(const struct fx_cors *c, struct MHD_Connection *conn, char *why, size_t whylen);
void fx_cors_add_preflight_headers(const struct fx_cors *c, struct MHD_Connection *conn, struct MHD_Response *r);

/* Whether a WebSocket upgrade's Origin is acceptable: none (not a
 * browser), the bridge's own (its host equals the Host header: the demo
 * page), or one the CORS list admits for reads. */
int fx_cors_ws_origin_ok(const struct fx_cors *c, struct MHD_Connection *conn);

#endif
