/*
 * The server side of the WebSocket opening handshake (RFC 6455 section 4.2):
 * is this HTTP request an upgrade we accept, and the Sec-WebSocket-Accept
 * value that proves it. libmicrohttpd parses the request and sends the 101;
 * wslay frames what follows.
 */
#ifndef FX_BRIDGE_WS_HANDSHAKE_H
#define FX_BRIDGE_WS_HANDSHAKE_H

#include <microhttpd.h>
#include <stddef.h>

#define FX_WS_ACCEPT_LEN 28 /* base64 of a SHA-1 digest */

/* Checks an upgrade request (a GET over HTTP/1.1 with the WebSocket
 * headers) and writes the accept value (NUL-terminated) into `accept`.
 * Returns 0, or the HTTP status to answer (400, or 426 for a WebSocket
 * version other than 13, which must carry "Sec-WebSocket-Version: 13") with
 * the reason in `why`. */
unsigned fx_ws_handshake_check(struct MHD_Connection *conn, const char *method, const char *http_version,
    char accept[FX_WS_ACCEPT_LEN + 1], char *why, size_t whylen);

/* The subprotocol the server selects from the client's
 * Sec-WebSocket-Protocol offer: "fx.v1" (the only one fx-bridge speaks)
 * when offered, else NULL (no Sec-WebSocket-Protocol in the 101). A
 * "bearer.KEY" token only carries an API key (auth.h) and is never
 * selected: echoing it would put the key in the response. Static string. */
#define FX_WS_PROTOCOL "fx.v1"
const char *fx_ws_select_protocol(struct MHD_Connection *conn);

/* The accept value of a client key: base64(SHA-1(key + RFC 6455's GUID)). */
void fx_ws_accept_of(const char *key, char accept[FX_WS_ACCEPT_LEN + 1]);

#endif
