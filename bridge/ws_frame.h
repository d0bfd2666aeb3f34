/*
 * WebSocket frames of the hub: the JSON text of one event, built once and
 * shared (reference-counted) by every client it goes to, and a client's
 * queue of frames not yet handed to wslay.
 *
 * Not thread-safe: frames and queues are the hub thread's alone (so the
 * count needs no atomics).
 */
#ifndef FX_BRIDGE_WS_FRAME_H
#define FX_BRIDGE_WS_FRAME_H

#include "fx/client.h"

#include <stddef.h>
#include <stdint.h>

/* bucket/version/count/complete let a candle client skip frames older than
 * its snapshot (0 for a tick). */
struct fx_ws_frame {
    unsigned refs;
    size_t len;
    int64_t bucket_us;
    uint64_t version;
    uint64_t count;
    int complete;
    char text[];
};

/* {"type":"tick",...} and {"type":"candle","resolution":...,...}: a new
 * frame with one reference (the caller's), or NULL when out of memory. */
struct fx_ws_frame *fx_ws_frame_tick(const fxc_tick *t);
struct fx_ws_frame *fx_ws_frame_candle(const char *resolution, const fxc_candle *c);

/* Drops one reference; the last frees the frame. `f` may be NULL. */
void fx_ws_frame_unref(struct fx_ws_frame *f);

/* A client's frames that wslay does not hold yet: a ring that grows.
 * Zeroed is empty. */
struct fx_ws_frame_queue {
    struct fx_ws_frame **items;
    size_t head, n, cap;
    size_t bytes; /* the text of the frames queued */
};

/* Appends `f`, taking a reference of its own. Returns 0, or -1 when out of
 * memory (nothing changed). */
int fx_ws_frame_queue_push(struct fx_ws_frame_queue *q, struct fx_ws_frame *f);

/* The oldest frame, with the queue's reference now the caller's; NULL when
 * empty. */
struct fx_ws_frame *fx_ws_frame_queue_pop(struct fx_ws_frame_queue *q);

/* Drops every frame; the ring stays for reuse. */
void fx_ws_frame_queue_clear(struct fx_ws_frame_queue *q);

/* Drops every frame and frees the ring: zeroed again. */
void fx_ws_frame_queue_free(struct fx_ws_frame_queue *q);

#endif
