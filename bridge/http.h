/*
 * fx-bridge's HTTP side: a libmicrohttpd daemon (a few epoll threads; a
 * request that waits on fx-core is suspended and handled on the request
 * pool, request_pool.h, so it holds up no other connection), body
 * collection with size limits, routing (routes.c) and the sending of the
 * response a handler filled (bridge/request.h). The threads: bridge/bridge.h.
 */
#ifndef FX_BRIDGE_HTTP_H
#define FX_BRIDGE_HTTP_H

#include "bridge/bridge.h"
#include "bridge/config.h"

#include <stddef.h>

/* Connects to the core (lazily) and starts listening. Returns 0 or a
 * negative FX_E* code with the reason in `err`. Stop with fx_bridge_stop,
 * which frees it. */
int fx_bridge_start(struct fx_bridge **out, const struct fx_bridge_config *cfg, char *err, size_t errlen);
void fx_bridge_stop(struct fx_bridge *b);

/* SIGHUP: re-reads BRIDGE_API_KEYS_FILE. A bad file keeps the old keys and
 * is logged as an error (returns its FX_E* code). Main thread. */
int fx_bridge_reload(struct fx_bridge *b);

#endif
