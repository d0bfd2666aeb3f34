#include "bridge/ws_hub.h"

#include "base/calendar.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/mailbox.h"
#include "base/worker.h"
#include "bridge/backfill.h"
#include "bridge/tick_order.h"
#include "bridge/ws_candles.h"
#include "bridge/ws_conn.h"
#include "bridge/ws_frame.h"
#include "bridge/ws_replay.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define FEED_BUDGET 2048 /* events taken per turn, so that clients' I/O gets its turn too */
#define TICK_MS 250 /* timer resolution: pings and close deadlines */
#define HOLD_MAX 100000 /* ticks of one symbol held after a gap while it is read back */
#define BACKFILL_TIMEOUT_MS 3000 /* one read back through a core */
#define SWEEP_MS 10000 /* how often candle buckets well in the past are forgotten */

/* A feed topic some clients need, with how many: the hub subscribes to
 * what its clients want and no more (a bulk load of symbols nobody watches
 * is then dropped inside nng, not unpacked and matched here). */
struct topic {
    struct topic *next;
    enum fx_ws_stream stream;
    char symbol[FXC_SYMBOL_MAX + 1];
    char resolution[16];
    int refs;
};

/* From an HTTP thread (a client, a snapshot) or the read-back thread (the
 * ticks read back) to the hub's, through the mailbox. */
struct command {
    struct fx_mail mail;
    struct fx_ws_conn *add; /* a new client, or NULL for a snapshot or a read back */
    struct fx_backfill_result *fetched; /* a read back */
    uint64_t id;
    int has_candle;
    fxc_candle candle;
};

struct fx_ws_hub {
    struct fx_ws_limits limits;
    fxc_feed *feed;
    int feed_fd;
    struct fx_thread thread;
    struct fx_mailbox commands; /* closed when the thread takes no more */

    pthread_mutex_t lock; /* seq_applied and gone */
    pthread_cond_t applied_cv; /* signalled when commands up to seq_applied ran */
    uint64_t seq_applied;
    int gone; /* the thread has stopped: nobody waits for it */

    struct fx_ws_conn_env env; /* the epoll, the byte limit and the counters, shared with the conns */
    struct fx_tick_order *order; /* each symbol's ticks in seq order (the hub thread's) */
    struct fx_backfill *backfill; /* reads back what the feed did not bring */
    uint64_t feed_events; /* fxc_feed_connection_events when last looked at */
    struct fx_ws_conn *clients; /* the hub thread's alone, as are the topics */
    struct topic *topics;
    struct fx_ws_candles *candles; /* the last state forwarded of each bucket (the hub thread's) */
    int replaying; /* clients catching up from a since (ws_replay.h) */
    int64_t next_sweep_ms;
    _Atomic uint64_t next_id;
    _Atomic uint64_t nclients[2]; /* by enum fx_ws_stream */
    _Atomic uint64_t candle_states_dropped;
    _Atomic int total; /* all clients, for limits.max_clients */
};

/* Subscribes to `f`'s topic for one more client (refs > 0) or one fewer. */
/* Whether some client still receives the ticks of `symbol`. */
static int tick_topic_needed(void *arg, const char *symbol)
{
    const struct fx_ws_hub *h = arg;
    for (const struct topic *t = h->topics; t; t = t->next)
        if (t->stream == FX_WS_TICKS && (t->symbol[0] == '\0' || strcmp(t->symbol, symbol) == 0)) return 1;
    return 0;
}

static void need_topic(struct fx_ws_hub *h, const struct fx_ws_filter *f, int delta)
{
    struct topic **p = &h->topics;
    while (*p && !((*p)->stream == f->stream && strcmp((*p)->symbol, f->symbol) == 0
                     && strcmp((*p)->resolution, f->resolution) == 0))
        p = &(*p)->next;
    struct topic *t = *p;
    if (t == NULL) {
        if (delta < 0 || (t = calloc(1, sizeof *t)) == NULL) return;
        t->stream = f->stream;
        snprintf(t->symbol, sizeof t->symbol, "%s", f->symbol);
        snprintf(t->resolution, sizeof t->resolution, "%s", f->resolution);
        *p = t;
    }
    t->refs += delta;
    if (t->refs != 0 && !(t->refs == 1 && delta > 0)) return; /* first in or last out only */
    /* a symbol's first watcher starts where its numbering stands now */
    if (t->refs == 1 && f->stream == FX_WS_TICKS)
        fx_tick_order_watch(h->order, f->symbol[0] ? f->symbol : NULL, fx_ws_conn_now_ms());
    const char *sym = f->symbol[0] ? f->symbol : NULL;
    int subscribe = t->refs > 0;
    fxc_err e;
    int rc = f->stream == FX_WS_TICKS
        ? (subscribe ? fxc_feed_subscribe_ticks : fxc_feed_unsubscribe_ticks)(h->feed, sym, &e)
        : (subscribe ? fxc_feed_subscribe_candles(h->feed, f->resolution, sym, &e)
                     : fxc_feed_unsubscribe_candles(h->feed, f->resolution, sym, &e));
    if (rc != FXC_OK) fx_warn("ws", "feed %s: %s", subscribe ? "subscription" : "unsubscription", e.message);
    if (!subscribe) {
        *p = t->next;
        free(t);
        if (f->stream == FX_WS_TICKS) fx_tick_order_forget(h->order, tick_topic_needed, h);
    }
}

static void remove_client(struct fx_ws_hub *h, struct fx_ws_conn *c)
{
    for (struct fx_ws_conn **p = &h->clients; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    epoll_ctl(h->env.epfd, EPOLL_CTL_DEL, c->fd, NULL);
    if (c->replay.catching_up) h->replaying--;
    need_topic(h, &c->filter, -1);
    h->nclients[c->filter.stream]--;
    h->total--;
    fx_debug("ws", "client %llu closed", (unsigned long long)c->id);
    fx_ws_conn_free(c);
}

/* ---- fan-out --------------------------------------------------------------- */

static int wants(const struct fx_ws_filter *f, const fxc_event *ev)
{
    if (ev->kind == FXC_EVENT_TICK)
        return f->stream == FX_WS_TICKS && (f->symbol[0] == '\0' || strcmp(f->symbol, ev->tick.symbol) == 0);
    return f->stream == FX_WS_OHLC && strcmp(f->resolution, ev->resolution) == 0
        && strcmp(f->symbol, ev->candle.symbol) == 0 && (!f->closed_only || ev->candle.complete);
}

static void fan_out(struct fx_ws_hub *h, const fxc_event *ev)
{
    /* each bucket's states in version order, whichever core sent them,
     * and its close once */
    if (ev->kind == FXC_EVENT_CANDLE
        && !fx_ws_candles_pass(h->candles, ev->resolution, &ev->candle, fx_now_us())) {
        atomic_fetch_add(&h->candle_states_dropped, 1);
        return;
    }
    struct fx_ws_frame *f = NULL; /* built for the first client that wants it */
    for (struct fx_ws_conn *c = h->clients; c; c = c->next) {
        if (c->close_deadline_ms || !wants(&c->filter, ev)) continue;
        if (ev->kind == FXC_EVENT_TICK && c->replay.active && !fx_ws_replay_live(c, &ev->tick)) continue;
        if (f == NULL) {
            f = ev->kind == FXC_EVENT_TICK ? fx_ws_frame_tick(&ev->tick)
                                           : fx_ws_frame_candle(ev->resolution, &ev->candle);
            if (f == NULL) return;
        }
        fx_ws_conn_enqueue(c, f);
    }
    fx_ws_frame_unref(f);
}

/* Ticks go out through the order of their symbol (tick_order.c), which
 * calls back here for each tick that is next. */
static void forward_tick(void *arg, const fxc_tick *t)
{
    fxc_event ev = { .kind = FXC_EVENT_TICK, .tick = *t };
    fan_out(arg, &ev);
}

static void start_ticks(void *arg, const char *symbol)
{
    struct fx_ws_hub *h = arg;
    if (fx_backfill_start(h->backfill, symbol) != 0)
        fx_warn("ws", "cannot ask where the ticks of %s stand (retried later)", symbol ? symbol : "every symbol");
}

static void fetch_ticks(void *arg, const char *symbol, int64_t after_seq)
{
    struct fx_ws_hub *h = arg;
    if (fx_backfill_request(h->backfill, symbol, after_seq) != 0)
        fx_warn("ws", "cannot ask for the ticks of %s after %lld (retried later)", symbol, (long long)after_seq);
}

/* On the read-back thread: the answer goes to the hub's thread. */
static void ticks_fetched(void *arg, struct fx_backfill_result *r)
{
    struct fx_ws_hub *h = arg;
    struct command *cmd = calloc(1, sizeof *cmd);
    if (cmd) cmd->fetched = r;
    if (cmd == NULL || fx_mailbox_post(&h->commands, &cmd->mail, NULL) != 0) {
        free(cmd);
        fx_backfill_result_free(r); /* stopping, or out of memory: asked again later */
    }
}

/* After a core went away (or came), the latest candles of every candle
 * stream a client watches are read again: states its events did not bring
 * reach the clients (fan_out passes only states newer than those sent). */
static void refresh_candles(struct fx_ws_hub *h)
{
    for (const struct topic *t = h->topics; t; t = t->next)
        if (t->stream == FX_WS_OHLC && t->symbol[0])
            fx_backfill_candles(h->backfill, t->resolution, t->symbol, h->limits.custom_day_start_minute);
}

static void refreshed(struct fx_ws_hub *h, const struct fx_backfill_result *r)
{
    for (size_t i = 0; i < r->ncandles; i++) {
        fxc_event ev = { .kind = FXC_EVENT_CANDLE, .candle = r->candles[i] };
        snprintf(ev.resolution, sizeof ev.resolution, "%s", r->stream);
        fan_out(h, &ev);
    }
}

static struct fx_ws_conn *find(struct fx_ws_hub *h, uint64_t id);

/* A client catching up: asks its next page, or turns it live once its
 * cursor has reached its symbol's order. */
static void replay_step(struct fx_ws_hub *h, struct fx_ws_conn *c, int64_t now)
{
    int64_t live_last;
    if (fx_tick_order_position(h->order, c->filter.symbol, &live_last) != 0) live_last = -1;
    switch (fx_ws_replay_next(c, live_last, now)) {
    case FX_WS_REPLAY_ASK:
        if (fx_backfill_replay(h->backfill, c->filter.symbol, c->replay.last, c->id) != 0) {
            c->replay.asked = 0; /* asked again next turn */
            fx_warn("ws", "cannot ask for the ticks of %s after %lld", c->filter.symbol, (long long)c->replay.last);
        }
        break;
    case FX_WS_REPLAY_LIVE:
        h->replaying--;
        fx_debug("ws", "client %llu replayed through seq %lld: live", (unsigned long long)c->id,
            (long long)c->replay.last);
        break;
    case FX_WS_REPLAY_WAIT: break;
    }
}

/* Each turn: the pages of catching-up clients go out as their queues
 * drain, and the next is asked when one is sent. */
static void replay_turn(struct fx_ws_hub *h)
{
    int64_t now = fx_ws_conn_now_ms();
    for (struct fx_ws_conn *c = h->clients, *next; c; c = next) {
        next = c->next;
        if (!c->replay.catching_up) continue;
        fx_ws_replay_pump(c);
        replay_step(h, c, now);
        if (fx_ws_conn_wants_write(c) && fx_ws_conn_service(c, 0) != 0) remove_client(h, c);
    }
}

static void replayed(struct fx_ws_hub *h, struct fx_backfill_result *r)
{
    struct fx_ws_conn *c = find(h, r->client);
    if (c == NULL || !c->replay.catching_up) return; /* gone meanwhile */
    fx_ws_replay_page(c, r, fx_ws_conn_now_ms());
}

/* Takes what the feed has (up to a budget) and fans it out. Returns 1 when
 * the budget ran out first: more is waiting, perhaps inside a message the
 * feed's descriptor no longer signals. */
static int drain_feed(struct fx_ws_hub *h)
{
    fxc_event ev;
    int64_t now = fx_ws_conn_now_ms();
    for (int i = 0; i < FEED_BUDGET; i++) {
        if (fxc_feed_next(h->feed, 0, &ev, NULL) != FXC_OK) return 0;
        if (ev.kind == FXC_EVENT_TICK)
            fx_tick_order_live(h->order, &ev.tick, now);
        else
            fan_out(h, &ev);
    }
    return 1;
}

/* ---- commands from the HTTP threads --------------------------------------- */

static struct fx_ws_conn *find(struct fx_ws_hub *h, uint64_t id)
{
    struct fx_ws_conn *c = h->clients;
    while (c && c->id != id) c = c->next;
    return c;
}

static void add_client(struct fx_ws_hub *h, struct fx_ws_conn *c)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
    c->epoll_mask = EPOLLIN;
    c->next = h->clients;
    h->clients = c;
    need_topic(h, &c->filter, +1); /* asks the symbol's start before its first page: answered first */
    if (c->filter.replay) {
        fx_ws_replay_init(&c->replay, c->filter.since);
        h->replaying++;
        replay_step(h, c, fx_ws_conn_now_ms());
    }
    if (epoll_ctl(h->env.epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0 || (c->extra_len && fx_ws_conn_service(c, 1) != 0))
        remove_client(h, c);
}

/* Runs what the mailbox holds, in order, then tells the waiting adders. */
static void run_commands(struct fx_ws_hub *h)
{
    struct fx_mail *mail = fx_mailbox_drain(&h->commands);
    uint64_t last = 0;
    while (mail) {
        struct command *cmd = FX_MAIL_ITEM(mail, struct command, mail);
        mail = mail->next;
        last = cmd->mail.seq;
        if (cmd->fetched) {
            const struct fx_backfill_result *r = cmd->fetched;
            if (r->kind == FX_BACKFILL_CANDLES)
                refreshed(h, r);
            else if (r->kind == FX_BACKFILL_REPLAY)
                replayed(h, cmd->fetched);
            else if (r->kind == FX_BACKFILL_START)
                fx_tick_order_started(h->order, r->symbol[0] ? r->symbol : NULL, r->seqs, r->nseqs, r->failed,
                    fx_ws_conn_now_ms());
            else
                fx_tick_order_fetched(h->order, r->symbol, r->after_seq, r->ticks, r->n, FX_BACKFILL_LIMIT,
                    r->failed, fx_ws_conn_now_ms());
            fx_backfill_result_free(cmd->fetched);
        } else if (cmd->add) {
            add_client(h, cmd->add);
        } else {
            struct fx_ws_conn *c = find(h, cmd->id);
            if (c) fx_ws_conn_snapshot(c, cmd->has_candle ? &cmd->candle : NULL);
        }
        free(cmd);
    }
    if (last) {
        pthread_mutex_lock(&h->lock);
        h->seq_applied = last;
        pthread_cond_broadcast(&h->applied_cv);
        pthread_mutex_unlock(&h->lock);
    }
}

/* ---- the thread ------------------------------------------------------------ */

/* Pings quiet clients, closes silent ones and those past their close grace. */
static void check_timers(struct fx_ws_hub *h, int64_t now)
{
    for (struct fx_ws_conn *c = h->clients, *next; c; c = next) {
        next = c->next;
        if (fx_ws_conn_timers(c, now, h->limits.ping_interval_ms) != 0) remove_client(h, c);
    }
}

static void close_all(struct fx_ws_hub *h)
{
    for (struct fx_ws_conn *c = h->clients; c; c = c->next) fx_ws_conn_close_now(c, 1001, "server shutting down");
    while (h->clients) remove_client(h, h->clients);
}

static void hub_main(void *arg)
{
    struct fx_ws_hub *h = arg;
    struct epoll_event events[64];
    int64_t next_timer = fx_ws_conn_now_ms() + TICK_MS;
    int backlog = 0; /* the feed has more than the last turn took */
    while (!fx_thread_stopping(&h->thread)) {
        int64_t wait = next_timer - fx_ws_conn_now_ms();
        int n = epoll_wait(h->env.epfd, events, 64, backlog || wait < 0 ? 0 : wait > TICK_MS ? TICK_MS : (int)wait);
        int feed_ready = backlog;
        for (int i = 0; i < n; i++) {
            void *p = events[i].data.ptr;
            if (p == &h->commands) {
                run_commands(h);
            } else if (p == &h->feed_fd) {
                feed_ready = 1;
            } else {
                struct fx_ws_conn *c = p;
                if (fx_ws_conn_service(c, (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) != 0)
                    remove_client(h, c);
            }
        }
        if (feed_ready) {
            backlog = drain_feed(h);
            for (struct fx_ws_conn *c = h->clients, *next; c; c = next) {
                next = c->next;
                if ((c->queue.n > 0 || fx_ws_conn_wants_write(c)) && fx_ws_conn_service(c, 0) != 0)
                    remove_client(h, c);
            }
        }
        if (h->replaying > 0) replay_turn(h);
        int64_t now = fx_ws_conn_now_ms();
        if (now >= next_timer) {
            /* nng's receive descriptor has been seen to stay quiet with
             * messages waiting (nng issue 1368): look anyway, now and then */
            backlog |= drain_feed(h);
            /* a core's feed came or went: what it had stored and not sent
             * (or sent while we were not connected) is read back */
            uint64_t events = fxc_feed_connection_events(h->feed);
            if (events != h->feed_events) {
                h->feed_events = events;
                fx_tick_order_resync(h->order, now);
                refresh_candles(h);
            }
            fx_tick_order_timer(h->order, now);
            check_timers(h, now);
            next_timer = now + TICK_MS;
            if (now >= h->next_sweep_ms) {
                fx_ws_candles_sweep(h->candles, fx_now_us());
                h->next_sweep_ms = now + SWEEP_MS;
            }
        }
    }
    fx_mailbox_close(&h->commands);
    pthread_mutex_lock(&h->lock);
    h->gone = 1;
    pthread_cond_broadcast(&h->applied_cv); /* nobody waits for a hub that is gone */
    pthread_mutex_unlock(&h->lock);
    run_commands(h); /* clients added while stopping are closed with the rest */
    close_all(h);
}

/* ---- public API ------------------------------------------------------------ */

int fx_ws_hub_create(struct fx_ws_hub **out, const char *feed_url, const char *rpc_url,
    const struct fx_ws_limits *limits, char *err, size_t errlen)
{
    struct fx_ws_hub *h = calloc(1, sizeof *h);
    if (h == NULL) return FX_ENOMEM;
    h->limits = *limits;
    h->env.epfd = -1;
    h->env.queue_bytes = limits->queue_bytes;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->applied_cv, NULL);
    fxc_err e;
    int rc = FX_ENOMEM;
    if ((h->candles = fx_ws_candles_create()) == NULL) {
        snprintf(err, errlen, "WebSocket hub: out of memory");
        goto fail;
    }
    rc = FX_ENNG;
    /* subscribed to nothing until clients come (need_topic) */
    if (fxc_feed_open(feed_url, &h->feed, &e) != FXC_OK || fxc_feed_fd(h->feed, &h->feed_fd, &e) != FXC_OK) {
        snprintf(err, errlen, "FX_FEED_URL: %s", e.message);
        goto fail;
    }
    const struct fx_tick_order_callbacks order = { forward_tick, fetch_ticks, start_ticks, h };
    if ((h->order = fx_tick_order_create(&order, HOLD_MAX)) == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = FX_ENOMEM;
        goto fail;
    }
    rc = FX_ENOMEM; /* the kernel is out of descriptors or threads */
    h->env.epfd = epoll_create1(EPOLL_CLOEXEC);
    int mailbox = fx_mailbox_init(&h->commands);
    struct epoll_event wake = { .events = EPOLLIN, .data.ptr = &h->commands };
    struct epoll_event feed = { .events = EPOLLIN, .data.ptr = &h->feed_fd };
    if (h->env.epfd < 0 || mailbox != 0
        || epoll_ctl(h->env.epfd, EPOLL_CTL_ADD, fx_mailbox_fd(&h->commands), &wake) != 0
        || epoll_ctl(h->env.epfd, EPOLL_CTL_ADD, h->feed_fd, &feed) != 0) {
        snprintf(err, errlen, "WebSocket event loop: %s", strerror(errno));
        goto fail;
    }
    if ((rc = fx_backfill_create(&h->backfill, rpc_url, BACKFILL_TIMEOUT_MS, ticks_fetched, h, err, errlen)) != 0)
        goto fail;
    rc = FX_ENOMEM;
    if (fx_thread_start(&h->thread, hub_main, h) != 0) {
        snprintf(err, errlen, "WebSocket thread: cannot start");
        goto fail;
    }
    *out = h;
    return 0;
fail:
    fx_ws_hub_destroy(h);
    return rc;
}

void fx_ws_hub_stop(struct fx_ws_hub *h)
{
    /* never started (create failed) or stopped already: nothing to do; the
     * thread closed the mailbox on its way out */
    if (h == NULL || !h->thread.started) return;
    fx_thread_request_stop(&h->thread);
    fx_mailbox_wake(&h->commands); /* out of epoll_wait, to see the flag */
    fx_thread_stop(&h->thread);
}

void fx_ws_hub_destroy(struct fx_ws_hub *h)
{
    if (h == NULL) return;
    fx_ws_hub_stop(h);
    fx_backfill_destroy(h->backfill); /* after the hub: its answers have nowhere to go */
    fx_tick_order_destroy(h->order);
    fxc_feed_close(h->feed);
    if (h->env.epfd >= 0) close(h->env.epfd);
    fx_mailbox_destroy(&h->commands);
    fx_ws_candles_destroy(h->candles);
    pthread_cond_destroy(&h->applied_cv);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

uint64_t fx_ws_hub_add(struct fx_ws_hub *h, int sock, struct MHD_UpgradeResponseHandle *urh,
    const struct fx_ws_filter *filter, const char *extra, size_t extra_len)
{
    struct fx_ws_conn *c = fx_ws_conn_create(&h->env, sock, urh, filter, extra, extra_len);
    struct command *cmd = calloc(1, sizeof *cmd);
    if (c == NULL || cmd == NULL) {
        free(cmd);
        if (c) fx_ws_conn_free(c); /* closes urh */
        else MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
        return 0;
    }
    c->id = ++h->next_id;
    cmd->add = c;
    uint64_t id = c->id; /* once posted, the client is the hub thread's (and may be gone) */
    int refused = h->total++ >= h->limits.max_clients;
    h->nclients[filter->stream]++;
    uint64_t seq = 0;
    if (refused || fx_mailbox_post(&h->commands, &cmd->mail, &seq) != 0) {
        /* over the limit, or stopped (the upgrade finished after the hub's
         * stop): nobody would serve it. It still gets a close frame, as the
         * clients the hub closes do. */
        h->nclients[filter->stream]--;
        h->total--;
        if (refused) fx_ws_conn_close_now(c, 1013, "too many WebSocket clients: try again later");
        else fx_ws_conn_close_now(c, 1001, "server shutting down");
        fx_ws_conn_free(c);
        free(cmd);
        return 0;
    }
    if (filter->stream == FX_WS_OHLC) {
        /* Joined before the caller reads the current candle: an event
         * published after that read cannot pass this client by. */
        pthread_mutex_lock(&h->lock);
        while (!h->gone && h->seq_applied < seq) pthread_cond_wait(&h->applied_cv, &h->lock);
        pthread_mutex_unlock(&h->lock);
    }
    return id;
}

void fx_ws_hub_snapshot(struct fx_ws_hub *h, uint64_t id, const fxc_candle *current)
{
    struct command *cmd = calloc(1, sizeof *cmd);
    if (cmd == NULL) return; /* the client then waits; its queue limit closes it */
    cmd->id = id;
    if (current) cmd->has_candle = 1, cmd->candle = *current;
    if (fx_mailbox_post(&h->commands, &cmd->mail, NULL) != 0) free(cmd);
}

void fx_ws_hub_stats(struct fx_ws_hub *h, struct fx_ws_stats *out)
{
    out->ticks_clients = h->nclients[FX_WS_TICKS];
    out->ohlc_clients = h->nclients[FX_WS_OHLC];
    out->messages_sent = h->env.sent;
    out->clients_dropped = h->env.dropped;
    out->candle_states_dropped = h->candle_states_dropped;
}
