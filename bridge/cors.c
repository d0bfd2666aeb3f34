#include "bridge/cors.h"

#include "base/errors.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PREFLIGHT_MAX_AGE "600"

static const char *header(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* "scheme://host[:port]" with nothing after: a browser's Origin is exactly
 * that, so anything else could never match. */
static int origin_is_valid(const char *o, size_t len)
{
    const char *sep = NULL;
    for (size_t i = 0; i + 2 < len; i++)
        if (o[i] == ':' && o[i + 1] == '/' && o[i + 2] == '/') {
            sep = o + i;
            break;
        }
    if (sep == NULL || sep == o) return 0;
    for (const char *p = o; p < sep; p++)
        if (!isalpha((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.') return 0;
    const char *host = sep + 3;
    if (host >= o + len) return 0;
    for (const char *p = host; p < o + len; p++)
        if (*p == '/' || *p == '?' || *p == '#' || *p == '@' || isspace((unsigned char)*p)) return 0;
    return 1;
}

int fx_cors_parse(struct fx_cors *c, const char *list, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ',') p++;
        if (*p == '\0') break;
        const char *end = p;
        while (*end && *end != ',') end++;
        size_t len = (size_t)(end - p);
        while (len > 0 && p[len - 1] == ' ') len--;
        if (len == 1 && *p == '*') {
            c->any = 1;
        } else if (!origin_is_valid(p, len) || len >= sizeof c->origins[0]) {
            snprintf(err, errlen, "BRIDGE_CORS_ORIGINS: \"%.*s\" is not an origin (scheme://host[:port], no path, "
                "no trailing slash) nor *", (int)(len > 200 ? 200 : len), p);
            return FX_ECONFIG;
        } else if (c->n == FX_CORS_MAX_ORIGINS) {
            snprintf(err, errlen, "BRIDGE_CORS_ORIGINS: more than %d origins", FX_CORS_MAX_ORIGINS);
            return FX_ECONFIG;
        } else {
            memcpy(c->origins[c->n], p, len);
            c->origins[c->n][len] = '\0';
            c->n++;
        }
        p = end;
    }
    return 0;
}

int fx_cors_enabled(const struct fx_cors *c) { return c->n > 0 || c->any; }

static int listed(const struct fx_cors *c, const char *origin)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->origins[i], origin) == 0) return 1;
    return 0;
}

static int is_read(const char *method) { return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0; }

void fx_cors_add_headers(const struct fx_cors *c, const char *origin, const char *method, struct MHD_Response *r)
{
    if (!fx_cors_enabled(c)) return;
    /* the answer depends on Origin: a cache must not hand one origin's to another */
    MHD_add_response_header(r, "Vary", "Origin");
    if (origin == NULL) return;
    if (listed(c, origin))
        MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
    else if (c->any && is_read(method))
        MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
}

int fx_cors_is_preflight(const struct fx_cors *c, struct MHD_Connection *conn, const char *method)
{
    return fx_cors_enabled(c) && strcmp(method, "OPTIONS") == 0 && header(conn, "Origin") != NULL
        && header(conn, "Access-Control-Request-Method") != NULL;
}

unsigned fx_cors_preflight(const struct fx_cors *c, struct MHD_Connection *conn, char *why, size_t whylen)
{
    const char *origin = header(conn, "Origin"), *method = header(conn, "Access-Control-Request-Method");
    if (listed(c, origin)) return 204;
    if (c->any && is_read(method)) return 204;
    if (c->any)
        snprintf(why, whylen, "origin %.200s may only read (GET, HEAD): BRIDGE_CORS_ORIGINS lists it only as *",
            origin);
    else
        snprintf(why, whylen, "origin %.200s is not in BRIDGE_CORS_ORIGINS", origin);
    return 403;
}

void fx_cors_add_preflight_headers(const struct fx_cors *c, struct MHD_Connection *conn, struct MHD_Response *r)
{
    const char *origin = header(conn, "Origin");
    int full = listed(c, origin);
    MHD_add_response_header(r, "Vary", "Origin");
    MHD_add_response_header(r, "Access-Control-Allow-Origin", full ? origin : "*");
    MHD_add_response_header(r, "Access-Control-Allow-Methods", full ? "GET, HEAD, POST, PUT, DELETE" : "GET, HEAD");
    MHD_add_response_header(r, "Access-Control-Allow-Headers", "Authorization, X-API-Key, Content-Type");
    MHD_add_response_header(r, "Access-Control-Max-Age", PREFLIGHT_MAX_AGE);
}

int fx_cors_ws_origin_ok(const struct fx_cors *c, struct MHD_Connection *conn)
{
    const char *origin = header(conn, "Origin");
    if (origin == NULL) return 1;
    if (listed(c, origin) || c->any) return 1;
    const char *host = header(conn, MHD_HTTP_HEADER_HOST);
    const char *sep = strstr(origin, "://");
    return host && sep && strcasecmp(sep + 3, host) == 0;
}
