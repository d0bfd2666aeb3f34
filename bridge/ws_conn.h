/*
 * One WebSocket client of the hub: its wslay context and callbacks, the
 * frames waiting for it (ws_frame.h), the buffer of encoded bytes not yet
 * written to its socket, and the rules that close it: over its byte limit
 * (1008), silent after a ping (1001), gone past its close grace.
 *
 * (Named conn, not client: tests/support/ws_client.h is the tests' own
 * WebSocket client, struct fx_ws_client.)
 *
 * Not thread-safe: a conn is the hub thread's from the moment it is posted
 * to the hub; before that, the creating thread's.
 */
#ifndef FX_BRIDGE_WS_CONN_H
#define FX_BRIDGE_WS_CONN_H

#include "bridge/ws_frame.h"
#include "bridge/ws_filter.h"
#include "bridge/ws_replay.h"

#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>
#include <wslay/wslay.h>

/* What the conns of one hub share, owned by the hub. */
struct fx_ws_conn_env {
    int epfd; /* the hub's epoll: a conn keeps its own interest up to date */
    size_t queue_bytes; /* limits.queue_bytes */
    _Atomic uint64_t sent, dropped; /* for fx_ws_hub_stats, read from any thread */
};

struct fx_ws_conn {
    struct fx_ws_conn *next; /* the hub's list */
    uint64_t id;
    int fd;
    struct MHD_UpgradeResponseHandle *urh;
    wslay_event_context_ptr ctx;
    struct fx_ws_filter filter;
    char *extra; /* bytes MHD read past the request: read before the socket */
    size_t extra_len, extra_off;
    struct fx_ws_frame_queue queue;
    char *out; /* encoded frames not yet written to the socket */
    size_t out_len;
    int awaiting_snapshot;
    /* the candle it was sent first (has_first): later frames of that bucket
     * go out only when newer than it */
    int has_first;
    int64_t first_bucket_us;
    uint64_t first_version, first_count;
    int first_complete;
    struct fx_ws_replay replay; /* a tick client with ?since= (ws_replay.h) */
    uint32_t epoll_mask;
    int64_t last_recv_ms, ping_sent_ms;
    int64_t close_deadline_ms; /* 0 while open; set once a close frame is queued */
    struct fx_ws_conn_env *env;
};

/* The clock of the conns' times (CLOCK_MONOTONIC, milliseconds). */
int64_t fx_ws_conn_now_ms(void);

/* A conn for an upgraded socket (made non-blocking, no Nagle, a small send
 * buffer); id 0, for the hub to number. NULL when out of memory: the caller
 * still has `urh` to close. `extra` is copied. */
struct fx_ws_conn *fx_ws_conn_create(struct fx_ws_conn_env *env, int sock, struct MHD_UpgradeResponseHandle *urh,
    const struct fx_ws_filter *filter, const char *extra, size_t extra_len);

/* Closes the socket (through MHD; itself when `urh` was NULL) and frees
 * the conn and its frames. Not
 * in the hub's epoll any more: the hub takes it out first. */
void fx_ws_conn_free(struct fx_ws_conn *c);

/* Starts closing: a close frame goes out after at most the frames wslay
 * already holds (the queue is dropped), then the client has a grace
 * period (fx_ws_conn_timers). Once only. */
void fx_ws_conn_begin_close(struct fx_ws_conn *c, uint16_t code, const char *reason);

/* Queues a frame (taking a reference); over its limit the client is
 * closed (counted in env->dropped). */
void fx_ws_conn_enqueue(struct fx_ws_conn *c, struct fx_ws_frame *f);

/* The bytes queued and not yet taken by the client, in every buffer. */
size_t fx_ws_conn_unsent(struct fx_ws_conn *c);

/* Whether there is something to write (EPOLLOUT). */
int fx_ws_conn_wants_write(struct fx_ws_conn *c);

/* Updates the conn's epoll interest to what wslay and the queue want. */
void fx_ws_conn_set_interest(struct fx_ws_conn *c);

/* Reads (when `readable`) and writes what the socket allows. Returns -1
 * when the client is finished (closed, failed): the hub removes it. */
int fx_ws_conn_service(struct fx_ws_conn *c, int readable);

/* The current candle `s` (NULL: none) of a conn awaiting its snapshot: sent
 * first, then the waiting frames that are newer (a later bucket, a higher
 * version, or the same version complete; by tick count and complete when
 * either has no version). Frames of its bucket that come later are
 * checked by version too. Does nothing to a conn not awaiting one. */
void fx_ws_conn_snapshot(struct fx_ws_conn *c, const fxc_candle *s);

/* Pings a quiet client, closes a silent one (1001), and services it; a
 * closing client is left alone until its grace is over. Returns -1 when it
 * is finished (past its close grace, or failed). */
int fx_ws_conn_timers(struct fx_ws_conn *c, int64_t now, int64_t ping_interval_ms);

/* The close frame (`code`: 1001 when shutting down), one try to write it
 * out: the caller frees the connection next. */
void fx_ws_conn_close_now(struct fx_ws_conn *c, uint16_t code, const char *reason);

#endif
