/*
 * fx-bridge's HTTP side: a libmicrohttpd daemon (thread per connection, so a
 * request blocked on its fx-core round trip holds up no other), body
 * collection with size limits, routing (routes.c) and the response helpers
 * every handler uses. Handlers see a finished request and fill a response.
 *
 * The threads of fx-bridge:
 *
 *   thread          what it owns / does                 connections               locks it takes
 *   main            config, fx_bridge_start/stop,       -                         -
 *                   waits for SIGINT/SIGTERM
 *   MHD listener    accepts, starts a thread per        the listening socket      MHD's own
 *                   connection (BRIDGE_MAX_CONNECTIONS)
 *   MHD connection  one HTTP connection: parses, runs   its client socket; calls  metrics.c's lock; for a
 *     (one each)    the handler (routes.c), blocks on   on fxclient's shared REQ  WebSocket: the hub's
 *                   its core round trip; on an upgrade  sockets (core: requests,  mailbox lock (post) and
 *                   hands the socket to the hub and     snapshots: an OHLC        lock (waits until its
 *                   reads the first candle (ws_api.c)   client's first candle)    client has joined)
 *   ws hub          every upgraded socket (wslay,       the WebSocket sockets;    its mailbox's lock
 *                   ws_conn.c), topic refcounts,        the nng SUB socket of     (drain), its lock
 *                   fan-out, pings (ws_hub.c; epoll,    the live feed             (seq_applied)
 *                   fx_thread, commands by mailbox)     (FX_FEED_URL)
 *   nng's threads   I/O of fxclient's REQ sockets       FX_RPC_URL, FX_FEED_URL   nng's own
 *                   (core, snapshots) and SUB socket
 *
 * `core` and `snapshots` are each one nng REQ socket shared by every
 * connection thread (every call opens a context of its own). Frames,
 * clients and topics are the hub thread's alone: the HTTP threads reach
 * them only through the hub's mailbox. No lock is held while another is
 * taken. Stop signals are blocked before any thread starts: main alone
 * takes them.
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
