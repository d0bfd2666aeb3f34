#include "bridge/ws_replay.h"

#include "base/log.h"
#include "bridge/backfill.h"
#include "bridge/ws_conn.h"
#include "bridge/ws_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHORT_PAGE_WAIT_MS 250 /* caught up with storage but the symbol's order has not started yet */
#define RETRY_MS 1000 /* after a failed read */

void fx_ws_replay_init(struct fx_ws_replay *r, int64_t since)
{
    memset(r, 0, sizeof *r);
    r->active = r->catching_up = 1;
    r->since = r->last = since;
}

void fx_ws_replay_free(struct fx_ws_replay *r)
{
    fxc_ticks_free(r->page);
    r->page = NULL, r->n = r->pos = 0;
}

int fx_ws_replay_live(struct fx_ws_conn *c, const fxc_tick *t)
{
    struct fx_ws_replay *r = &c->replay;
    if (!r->active || t->seq == 0) return !r->catching_up; /* no seq (an older core): nothing to compare */
    if (r->catching_up || t->seq <= r->last) return 0;
    r->last = t->seq;
    return 1;
}

void fx_ws_replay_page(struct fx_ws_conn *c, struct fx_backfill_result *res, int64_t now_ms)
{
    struct fx_ws_replay *r = &c->replay;
    r->asked = 0;
    if (res->failed) {
        r->next_ask_ms = now_ms + RETRY_MS;
        return;
    }
    if (!r->checked && res->stored_last - r->since > FX_WS_REPLAY_MAX) {
        char reason[124]; /* a close frame's reason is at most 123 bytes */
        snprintf(reason, sizeof reason,
            "over %d ticks to replay: page with GET /ticks/?symbol=%s&after_seq=%lld&limit=1000", FX_WS_REPLAY_MAX,
            c->filter.symbol, (long long)r->since);
        fx_info("ws", "client %llu: since=%lld is %lld ticks behind; closed", (unsigned long long)c->id,
            (long long)r->since, (long long)(res->stored_last - r->since));
        fx_ws_conn_begin_close(c, FX_WS_REPLAY_TOO_FAR, reason);
        return;
    }
    r->checked = 1;
    fx_ws_replay_free(r);
    r->page = res->ticks, r->n = res->n;
    res->ticks = NULL, res->n = 0;
    r->more = r->n == FX_BACKFILL_LIMIT;
    if (!r->more) r->next_ask_ms = now_ms + SHORT_PAGE_WAIT_MS;
    fx_ws_replay_pump(c);
}

void fx_ws_replay_pump(struct fx_ws_conn *c)
{
    struct fx_ws_replay *r = &c->replay;
    size_t room = c->env->queue_bytes / 2;
    while (r->pos < r->n && !c->close_deadline_ms) {
        size_t unsent = fx_ws_conn_unsent(c);
        if (unsent > 0 && unsent >= room) return; /* one frame always goes when nothing waits */
        const fxc_tick *t = &r->page[r->pos++];
        if (t->seq <= r->last) continue;
        struct fx_ws_frame *f = fx_ws_frame_tick(t);
        if (f == NULL) return fx_ws_conn_begin_close(c, 1011, "out of memory");
        r->last = t->seq;
        fx_ws_conn_enqueue(c, f);
        fx_ws_frame_unref(f);
    }
    if (r->pos == r->n) fx_ws_replay_free(r);
}

enum fx_ws_replay_step fx_ws_replay_next(struct fx_ws_conn *c, int64_t live_last, int64_t now_ms)
{
    struct fx_ws_replay *r = &c->replay;
    if (!r->catching_up || r->asked || r->pos < r->n || c->close_deadline_ms) return FX_WS_REPLAY_WAIT;
    if (r->checked && !r->more && live_last >= 0 && r->last >= live_last) {
        /* the order forwards live_last + 1 next: the cursor is at or past it */
        r->catching_up = 0;
        return FX_WS_REPLAY_LIVE;
    }
    /* the order is ahead (more is stored), or storage was short of it */
    if (!r->more && (live_last < 0 || r->last >= live_last) && now_ms < r->next_ask_ms) return FX_WS_REPLAY_WAIT;
    r->asked = 1;
    return FX_WS_REPLAY_ASK;
}
