/*
 * fx-bridge's HTTP side: a libmicrohttpd daemon (thread per connection, so a
 * request blocked on its fx-core round trip holds up no other), body
 * collection with size limits, routing (routes.c) and the response helpers
 * every handler uses. Handlers see a finished request and fill a response.
 */
#ifndef FX_BRIDGE_HTTP_H
#define FX_BRIDGE_HTTP_H

#include "bridge/config.h"
#include "fx/client.h"
#include "bridge/ws_handshake.h"
#include "bridge/ws_hub.h"

#include <microhttpd.h>
#include <stddef.h>

struct fx_bridge; /* config + core client, shared by all requests */

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
    const char *headers[2][2]; /* more headers: {name, value}, static strings */
    int body_static; /* body points to static memory: do not free */
    MHD_UpgradeHandler upgrade; /* set with status 101: a WebSocket upgrade */
    char ws_accept[FX_WS_ACCEPT_LEN + 1];
};

struct fx_bridge {
    struct fx_bridge_config cfg;
    fxc *core;
    fxc *snapshots; /* the current candle of a new WebSocket client: a short timeout */
    struct MHD_Daemon *daemon;
    struct fx_ws_hub *hub; /* WebSocket clients and the live feed */
    unsigned port; /* the bound port, also when cfg.port is 0 */
};

/* Connects to the core (lazily) and starts listening. Returns 0 or a
 * negative FX_E* code with the reason in `err`. */
int fx_bridge_start(struct fx_bridge **out, const struct fx_bridge_config *cfg, char *err, size_t errlen);
void fx_bridge_stop(struct fx_bridge *b);

/* The request of an upgrade callback's `con_cls`. */
const struct fx_http_request *fx_http_request_of(void *con_cls);

/* Query parameter `name` (URL-decoded) or NULL. */
const char *fx_http_query(const struct fx_http_request *req, const char *name);

/* Response helpers: each sets status, body and content type. */
void fx_reply_json(struct fx_http_response *res, unsigned status, char *json); /* takes json */
void fx_reply_error(struct fx_http_response *res, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Maps an fxclient failure to its HTTP status and a {"detail"} body. */
void fx_reply_core_error(struct fx_http_response *res, int code, const fxc_err *err);

#endif
