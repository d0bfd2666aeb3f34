/*
 * The header deadline of fx-bridge (BRIDGE_HEADER_TIMEOUT_S): a request
 * whose headers have not all arrived that long after the connection
 * opened, or after its request line on a kept-alive connection, is
 * answered 408 and closed. libmicrohttpd 0.9.75 has only an inactivity
 * timeout, which a client sending one byte every few seconds (slowloris)
 * never trips. A connection kept alive between requests gets the idle
 * time instead (BRIDGE_IDLE_TIMEOUT_S); an upgraded WebSocket gets none.
 *
 * How: MHD's connection notifications keep one entry per connection (its
 * socket context) in a list; a sweeper thread writes the 408 and shuts the
 * socket down once a deadline passes, and MHD's own thread then sees the
 * end of the stream and closes the connection as usual. Entries leave the
 * list under the same mutex in MHD's CLOSED notification, which MHD calls
 * before it closes the descriptor, so the sweeper never touches a reused one.
 *
 * Ownership: fx_header_deadline_create allocates; fx_header_deadline_destroy
 * (after MHD_stop_daemon, when no connection is left) frees everything.
 * Threads: the MHD callbacks from MHD's connection threads; create and
 * destroy from main.
 */
#ifndef FX_BRIDGE_HEADER_DEADLINE_H
#define FX_BRIDGE_HEADER_DEADLINE_H

#include <microhttpd.h>

struct fx_header_deadline;

/* `header_s` 0: no header deadline (nothing is created, *out is NULL, and
 * every function below accepts NULL). Returns 0, or -1 when the sweeper
 * thread cannot start. */
int fx_header_deadline_create(struct fx_header_deadline **out, int header_s, int idle_s);
void fx_header_deadline_destroy(struct fx_header_deadline *hd);

/* For MHD_OPTION_NOTIFY_CONNECTION (cls: the fx_header_deadline, or NULL). */
void fx_header_deadline_on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code);

/* For MHD_OPTION_URI_LOG_CALLBACK: the request line has arrived. Returns
 * NULL (the request's con_cls starts as NULL, as without the callback). */
void *fx_header_deadline_on_request_line(void *cls, const char *uri, struct MHD_Connection *conn);

/* The headers of the connection's request are complete (the first call of
 * the access handler). */
void fx_header_deadline_headers_done(struct fx_header_deadline *hd, struct MHD_Connection *conn);

/* The request was answered and the connection may carry another: it now
 * has the idle time to send the next one. */
void fx_header_deadline_request_done(struct fx_header_deadline *hd, struct MHD_Connection *conn);

/* The connection became a WebSocket: no deadline ever again. */
void fx_header_deadline_upgraded(struct fx_header_deadline *hd, struct MHD_Connection *conn);

#endif
