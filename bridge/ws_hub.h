/*
 * The WebSocket side of fx-bridge: one thread that owns every upgraded
 * connection (one wslay context each) and the one nng SUB connection to
 * fx-core's live feed, fanning each event out to the clients that asked
 * for it. Each event is turned into JSON once, whatever the number of
 * clients. Candle events pass ws_candles.h first: with several cores, each
 * bucket's states go out in version order, and its close once. A tick
 * client with a since (ws_replay.h) first catches up from storage, read on
 * the read-back thread, and joins its symbol's order where the replay ends.
 *
 * Limits: a client's queue of unsent frames is bounded in bytes; a client
 * that falls behind is closed with 1008 (policy violation) and counted as
 * dropped, and nobody else waits for it. Idle connections are pinged; one
 * that answers nothing for two intervals is closed.
 *
 * Thread-safe: fx_ws_hub_add / _snapshot / _stats may be called from any
 * thread (the HTTP threads); everything else happens on the hub's thread.
 */
#ifndef FX_BRIDGE_WS_HUB_H
#define FX_BRIDGE_WS_HUB_H

#include "bridge/ws_filter.h"
#include "fx/client.h"

#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

struct fx_ws_hub;

struct fx_ws_limits {
    size_t queue_bytes; /* unsent frames a client may have before it is dropped */
    int ping_interval_ms;
    int max_clients;
    int custom_day_start_minute; /* custom days start this long after midnight UTC (DAY_START_HOUR) */
};

struct fx_ws_stats {
    uint64_t ticks_clients, ohlc_clients;
    uint64_t messages_sent, clients_dropped;
    uint64_t candle_states_dropped; /* older than one forwarded, or a bucket's close again */
};

/* Connects to the feed at `feed_url` (every core's) and starts the hub's
 * thread; what the feed misses of a symbol's ticks is read back through
 * `rpc_url` (bridge/tick_order.h), so tick clients get every stored tick of
 * their subscription once, in seq order. */
int fx_ws_hub_create(struct fx_ws_hub **out, const char *feed_url, const char *rpc_url,
    const struct fx_ws_limits *limits, char *err, size_t errlen);
/* Closes every connection (1001, going away) and stops the thread; call it
 * before stopping the HTTP daemon, which waits for upgraded sockets. */
void fx_ws_hub_stop(struct fx_ws_hub *h);
void fx_ws_hub_destroy(struct fx_ws_hub *h);

/* Takes over an upgraded socket (MHD's `sock` and `urh`; `extra` is what MHD
 * read past the request, if anything). For an FX_WS_OHLC filter the client
 * waits for fx_ws_hub_snapshot before it gets any event, so that its first
 * frame is the current candle. Returns the client's id (> 0), or 0 when the
 * hub refused it (it then closed the socket). */
uint64_t fx_ws_hub_add(struct fx_ws_hub *h, int sock, struct MHD_UpgradeResponseHandle *urh,
    const struct fx_ws_filter *filter, const char *extra, size_t extra_len);

/* The current candle of client `id` (NULL: there is none yet): sent first,
 * then the events that arrived meanwhile and are newer than it. */
void fx_ws_hub_snapshot(struct fx_ws_hub *h, uint64_t id, const fxc_candle *current);

void fx_ws_hub_stats(struct fx_ws_hub *h, struct fx_ws_stats *out);

#endif
