/*
 * A tick client that reconnects with ?since=SEQ (docs/api.md): first the
 * ticks of its symbol stored after SEQ, read from storage a page at a time
 * through the hub's read-back thread (bridge/backfill.h), then the live
 * stream from where the replay ended, with no gap and no repeat. The client
 * keeps the last seq it was sent: while it catches up no live tick goes to
 * it (storage has them, a later page brings them); once its cursor reaches
 * the position of the symbol's order (tick_order.h) it is live, and a live
 * tick at or below the cursor is not sent again.
 *
 * A page is queued as the client's queue drains (never over half its byte
 * limit), so a long replay does not trip the limit. More than
 * FX_WS_REPLAY_MAX ticks behind, the client is closed with
 * FX_WS_REPLAY_TOO_FAR before anything is sent: it should page with
 * GET /ticks/?after_seq instead.
 *
 * Not thread-safe: the hub's thread owns every conn and calls all of this.
 * The replay owns its page (freed by fx_ws_replay_free).
 */
#ifndef FX_BRIDGE_WS_REPLAY_H
#define FX_BRIDGE_WS_REPLAY_H

#include "fx/client.h"

#include <stddef.h>
#include <stdint.h>

#define FX_WS_REPLAY_MAX 100000 /* ticks a reconnecting client may replay */
#define FX_WS_REPLAY_TOO_FAR 4413 /* close code beyond FX_WS_REPLAY_MAX (4xxx: the application's own) */

struct fx_ws_conn;
struct fx_backfill_result;

struct fx_ws_replay {
    int active; /* since was given: the client has a cursor */
    int catching_up; /* reading storage; live ticks are not sent */
    int asked; /* a page is asked and not answered */
    int checked; /* the bound was checked (on the first page) */
    int more; /* the last page was full: more is stored */
    int64_t since;
    int64_t last; /* the last seq sent, or since */
    int64_t next_ask_ms; /* after a short page or a failure, not before this */
    fxc_tick *page; /* n ticks, sent from pos on */
    size_t n, pos;
};

enum fx_ws_replay_step { FX_WS_REPLAY_WAIT, FX_WS_REPLAY_ASK, FX_WS_REPLAY_LIVE };

/* Starts catching up after `since`. */
void fx_ws_replay_init(struct fx_ws_replay *r, int64_t since);
void fx_ws_replay_free(struct fx_ws_replay *r);

/* Whether live tick `t` goes to client `c`; advances its cursor if so. */
int fx_ws_replay_live(struct fx_ws_conn *c, const fxc_tick *t);

/* The answer to a page asked for `c` (fx_backfill_replay): its ticks are
 * taken (res->ticks becomes NULL). Closes the client when it is too far
 * behind. */
void fx_ws_replay_page(struct fx_ws_conn *c, struct fx_backfill_result *res, int64_t now_ms);

/* Queues what the page has left while the client's queue allows. */
void fx_ws_replay_pump(struct fx_ws_conn *c);

/* What to do next for a client catching up, given where the order of its
 * symbol stands (`live_last`, -1 while it is not started): wait, ask a page
 * after c->replay.last, or nothing more: it is live now. */
enum fx_ws_replay_step fx_ws_replay_next(struct fx_ws_conn *c, int64_t live_last, int64_t now_ms);

#endif
