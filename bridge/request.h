/*
 * A request as the handlers see it (finished: body collected, route
 * matched) and the response they fill, with the helpers every handler uses
 * to answer. The HTTP layer (http.c) makes requests and sends responses;
 * handlers (routes.c's table) only read the one and fill the other. A
 * request belongs to the connection thread that runs its handler.
 */
#ifndef FX_BRIDGE_REQUEST_H
#define FX_BRIDGE_REQUEST_H

#include "bridge/bridge.h"
#include "bridge/ws_handshake.h"
#include "bridge/ws_hub.h"
#include "fx/client.h"

#include <microhttpd.h>
#include <stddef.h>

struct fx_http_request {
    struct MHD_Connection *conn;
    struct fx_bridge *bridge;
    const char *method;
    const char *version; /* "HTTP/1.1" */
    const char *path;
    const char *body; /* NUL-terminated copy of the body; "" if none */
    size_t body_len;
    const char *path_args[2]; /* {symbol}, {time} of a path pattern, URL-decoded */
    struct fx_ws_filter ws; /* a WebSocket handler's choice, for its upgrade callback */
};

struct fx_http_response {
    unsigned status;
    char *body; /* malloc'ed; freed by the HTTP layer */
    size_t len;
    const char *content_type;
    const char *allow; /* Allow header of a 405 */
    const char *headers[4][2]; /* more headers: {name, value}, static strings */
    int cors_preflight; /* a 204 to a CORS preflight: http.c adds its headers */
    int body_static; /* body points to static memory: do not free */
    MHD_UpgradeHandler upgrade; /* set with status 101: a WebSocket upgrade */
    char ws_accept[FX_WS_ACCEPT_LEN + 1];
};

/* The request of an upgrade callback's `con_cls`: http.c keeps the request
 * at the start of what it hands MHD as con_cls. */
static inline const struct fx_http_request *fx_http_request_of(void *con_cls)
{
    return (const struct fx_http_request *)con_cls;
}

/* Query parameter `name` (URL-decoded) or NULL. */
const char *fx_http_query(const struct fx_http_request *req, const char *name);

/* Response helpers: each sets status, body and content type. */
void fx_reply_json(struct fx_http_response *res, unsigned status, char *json); /* takes json */
void fx_reply_error(struct fx_http_response *res, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Maps an fxclient failure to its HTTP status and a {"detail"} body. */
void fx_reply_core_error(struct fx_http_response *res, int code, const fxc_err *err);

#endif
