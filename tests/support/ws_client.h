/*
 * A WebSocket client for tests and benchmarks (wslay in client mode over a
 * blocking socket): connect with the opening handshake, receive text frames with a
 * timeout, see the close code. Optionally a small receive buffer and no
 * reading at all, to play a client that cannot keep up.
 */
#ifndef FX_TEST_WS_CLIENT_H
#define FX_TEST_WS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

struct fx_ws_client;

/* Connects to 127.0.0.1:port and asks for `path`. Returns the client, or
 * NULL with *status set to the HTTP status of a refused upgrade (0 when the
 * connection failed). `rcvbuf` > 0 sets SO_RCVBUF before connecting. */
struct fx_ws_client *fx_ws_connect(unsigned port, const char *path, int rcvbuf, long *status, char **body);

/* The same with more request headers `extra` ("Name: value\r\n" each; may
 * be NULL); the 101's header block is copied to `head` (may be NULL). */
struct fx_ws_client *fx_ws_connect_with(unsigned port, const char *path, const char *extra, long *status,
    char **body, char *head, size_t headlen);

/* The next text frame (malloc'ed, NUL-terminated): 0, -1 when none came in
 * `timeout_ms`, -2 when the connection is closed (see fx_ws_close_code). */
int fx_ws_next_text(struct fx_ws_client *c, int timeout_ms, char **text);

/* Sends `n` pings of `len` (<= 125) bytes each, without reading anything.
 * Returns how many went out before the socket was full or closed. */
int fx_ws_send_pings(struct fx_ws_client *c, int n, size_t len);

/* Sends a close frame whose payload is `len` (<= 125) raw bytes, as a
 * misbehaving client might (a valid one has 0, or 2 + a reason). */
int fx_ws_send_raw_close(struct fx_ws_client *c, const void *payload, size_t len);

/* The socket, for poll() over many clients (then fx_ws_next_text(c, 0, ...)). */
int fx_ws_fd(const struct fx_ws_client *c);

/* Whether the server closed the connection (close frame or EOF) within
 * `timeout_ms`, reading and discarding frames meanwhile. */
int fx_ws_wait_closed(struct fx_ws_client *c, int timeout_ms);

/* The close code the server sent (0 if none, e.g. the socket just ended). */
uint16_t fx_ws_close_code(const struct fx_ws_client *c);

void fx_ws_close(struct fx_ws_client *c);

#endif
