#include "bridge/ws_hub.h"

#include "base/errors.h"
#include "bridge/json_out.h"
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <wslay/wslay.h>

#define FEED_BUDGET 2048 /* events taken per turn, so that clients' I/O gets its turn too */
#define WSLAY_AHEAD 128 /* frames handed to wslay at once (it copies them); the rest wait in our queue */
#define RECV_MAX 4096 /* clients send only control frames and small text; more is an error */
#define DROP_GRACE_MS 2000 /* how long a closed client has to take its close frame */
#define SNDBUF_BYTES (64 * 1024) /* kernel buffer per client: the backlog stays where we count it */
#define TICK_MS 250 /* timer resolution: pings and close deadlines */
#define OUT_BYTES (16 * 1024) /* frames written per send(2): one syscall for a burst, not one per frame */

/* The text of one frame, shared by every client it goes to. Only the hub
 * thread touches it, so the count needs no atomics. bucket/count/complete
 * let a candle client skip frames older than its snapshot. */
struct frame {
    unsigned refs;
    size_t len;
    int64_t bucket_us;
    uint64_t count;
    int complete;
    char text[];
};

/* A client's frames that wslay does not hold yet: a ring that grows. */
struct frame_queue {
    struct frame **items;
    size_t head, n, cap;
    size_t bytes;
};

struct client {
    struct client *next;
    uint64_t id;
    int fd;
    struct MHD_UpgradeResponseHandle *urh;
    wslay_event_context_ptr ctx;
    struct fx_ws_filter filter;
    char *extra; /* bytes MHD read past the request: read before the socket */
    size_t extra_len, extra_off;
    struct frame_queue queue;
    char *out; /* encoded frames not yet written to the socket */
    size_t out_len;
    int awaiting_snapshot;
    uint32_t epoll_mask;
    int64_t last_recv_ms, ping_sent_ms;
    int64_t close_deadline_ms; /* 0 while open; set once a close frame is queued */
    struct fx_ws_hub *hub;
};

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

struct command {
    struct command *next;
    uint64_t seq;
    struct client *add; /* a new client, or NULL for a snapshot */
    uint64_t id;
    int has_candle;
    fxc_candle candle;
};

struct fx_ws_hub {
    struct fx_ws_limits limits;
    fxc_feed *feed;
    int feed_fd, epfd, wakefd;
    pthread_t thread;
    int started;

    pthread_mutex_t lock; /* commands, stopping and closed */
    struct command *cmds, **cmds_tail;
    int stopping;
    int closed; /* the thread takes no more commands */
    pthread_cond_t applied_cv; /* signalled when commands up to seq_applied ran */
    uint64_t seq_posted, seq_applied;

    struct client *clients; /* the hub thread's alone, as are the topics */
    struct topic *topics;
    _Atomic uint64_t next_id;
    _Atomic uint64_t nclients[2]; /* by enum fx_ws_stream */
    _Atomic int total; /* all clients, for limits.max_clients */
    _Atomic uint64_t sent, dropped;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- frames and queues --------------------------------------------------- */

static struct frame *frame_from(struct fx_jbuf *b, const fxc_candle *c)
{
    size_t len;
    char *text = fx_jbuf_take(b, &len);
    if (text == NULL) return NULL;
    struct frame *f = malloc(sizeof *f + len + 1);
    if (f != NULL) {
        f->refs = 1;
        f->len = len;
        f->bucket_us = c ? c->bucket_us : 0;
        f->count = c ? c->tick_count : 0;
        f->complete = c ? c->complete : 0;
        memcpy(f->text, text, len + 1);
    }
    free(text);
    return f;
}

static struct frame *tick_frame(const fxc_tick *t)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_raw(&b, "{\"type\":\"tick\",");
    fx_jbuf_tick_fields(&b, t);
    fx_jbuf_raw(&b, "}");
    return frame_from(&b, NULL);
}

static struct frame *candle_frame(const char *resolution, const fxc_candle *c)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_raw(&b, "{\"type\":\"candle\",\"resolution\":");
    fx_jbuf_string(&b, resolution);
    fx_jbuf_raw(&b, ",");
    fx_jbuf_candle_fields(&b, c);
    fx_jbuf_raw(&b, "}");
    return frame_from(&b, c);
}

static void frame_unref(struct frame *f)
{
    if (f && --f->refs == 0) free(f);
}

static int queue_push(struct frame_queue *q, struct frame *f)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        struct frame **items = malloc(cap * sizeof *items);
        if (items == NULL) return -1;
        for (size_t i = 0; i < q->n; i++) items[i] = q->items[(q->head + i) % q->cap];
        free(q->items);
        q->items = items, q->cap = cap, q->head = 0;
    }
    q->items[(q->head + q->n++) % q->cap] = f;
    q->bytes += f->len;
    f->refs++;
    return 0;
}

static struct frame *queue_pop(struct frame_queue *q)
{
    if (q->n == 0) return NULL;
    struct frame *f = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    q->bytes -= f->len;
    return f;
}

static void queue_clear(struct frame_queue *q)
{
    struct frame *f;
    while ((f = queue_pop(q)) != NULL) frame_unref(f);
}

/* ---- one client ---------------------------------------------------------- */

static ssize_t on_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user)
{
    (void)flags;
    struct client *c = user;
    if (c->extra_off < c->extra_len) {
        size_t n = c->extra_len - c->extra_off < len ? c->extra_len - c->extra_off : len;
        memcpy(buf, c->extra + c->extra_off, n);
        c->extra_off += n;
        return (ssize_t)n;
    }
    ssize_t r;
    do r = recv(c->fd, buf, len, 0);
    while (r < 0 && errno == EINTR);
    if (r > 0) {
        c->last_recv_ms = now_ms();
        c->ping_sent_ms = 0;
        return r;
    }
    /* EOF is a failure too: wslay would otherwise wait for more */
    wslay_event_set_error(ctx, r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? WSLAY_ERR_WOULDBLOCK
                                                                                  : WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
}

/* wslay encodes into the client's buffer; flush_out writes it in one go. */
static ssize_t on_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *user)
{
    (void)flags;
    struct client *c = user;
    size_t n = OUT_BYTES - c->out_len < len ? OUT_BYTES - c->out_len : len;
    if (n == 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    memcpy(c->out + c->out_len, data, n);
    c->out_len += n;
    return (ssize_t)n;
}

/* Writes what the buffer holds, as far as the socket takes it. Returns -1
 * when the connection failed. */
static int flush_out(struct client *c)
{
    size_t done = 0;
    while (done < c->out_len) {
        ssize_t r = send(c->fd, c->out + done, c->out_len - done, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (r <= 0) return -1;
        done += (size_t)r;
    }
    memmove(c->out, c->out + done, c->out_len - done);
    c->out_len -= done;
    return 0;
}

/* Clients have nothing to say on these streams; wslay answers pings and
 * close frames itself. */
static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *user)
{
    (void)ctx, (void)arg, (void)user;
}

static const struct wslay_event_callbacks callbacks = { on_recv, on_send, NULL, NULL, NULL, NULL, on_msg };

/* Starts closing: a close frame goes out after at most the frames wslay
 * already holds (the queue is dropped), then the client has DROP_GRACE_MS. */
static void begin_close(struct client *c, uint16_t code, const char *reason)
{
    if (c->close_deadline_ms) return;
    queue_clear(&c->queue);
    wslay_event_queue_close(c->ctx, code, (const uint8_t *)reason, strlen(reason));
    c->close_deadline_ms = now_ms() + DROP_GRACE_MS;
}

/* Hands queued frames to wslay, WSLAY_AHEAD at a time: our queue shares the
 * frames among clients, wslay's holds copies. */
static void feed_wslay(struct client *c)
{
    while (c->queue.n > 0 && !c->awaiting_snapshot && wslay_event_get_queued_msg_count(c->ctx) < WSLAY_AHEAD) {
        struct frame *f = queue_pop(&c->queue);
        struct wslay_event_msg m = { WSLAY_TEXT_FRAME, (const uint8_t *)f->text, f->len };
        if (wslay_event_queue_msg(c->ctx, &m) == 0) c->hub->sent++;
        frame_unref(f);
    }
}

static int wants_write(struct client *c)
{
    return c->out_len > 0 || wslay_event_want_write(c->ctx) || (c->queue.n > 0 && !c->awaiting_snapshot);
}

/* What the client has not taken yet, in every buffer; over the limit it is
 * dropped (also a client that sends pings and never reads the pongs). */
static int over_limit(struct client *c)
{
    if (c->close_deadline_ms
        || c->queue.bytes + wslay_event_get_queued_msg_length(c->ctx) + c->out_len <= c->hub->limits.queue_bytes)
        return 0;
    c->hub->dropped++;
    fx_info("ws", "client %llu dropped: over %zu bytes unsent", (unsigned long long)c->id, c->hub->limits.queue_bytes);
    begin_close(c, 1008, "too slow: the server's queue for this client is full");
    return 1;
}

static void set_interest(struct client *c)
{
    uint32_t mask = (wslay_event_want_read(c->ctx) ? EPOLLIN : 0) | (wants_write(c) ? EPOLLOUT : 0);
    if (mask == c->epoll_mask) return;
    struct epoll_event ev = { .events = mask, .data.ptr = c };
    if (epoll_ctl(c->hub->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0) c->epoll_mask = mask;
}

/* Reads and writes what the socket allows. Returns -1 when the client is
 * finished (closed, failed), 0 otherwise. */
static int service(struct client *c, int readable)
{
    if (readable && wslay_event_want_read(c->ctx)) {
        if (wslay_event_recv(c->ctx) != 0) return -1;
        over_limit(c);
    }
    for (int round = 0; round < 64; round++) {
        feed_wslay(c);
        if (wslay_event_want_write(c->ctx) && wslay_event_send(c->ctx) != 0) return -1;
        if (flush_out(c) != 0) return -1;
        if (c->out_len > 0) break; /* the socket is full: EPOLLOUT brings us back */
        if (!wslay_event_want_write(c->ctx) && (c->queue.n == 0 || c->awaiting_snapshot)) break;
    }
    if (!wslay_event_want_read(c->ctx) && !wants_write(c)) return -1;
    set_interest(c);
    return 0;
}

/* Subscribes to `f`'s topic for one more client (refs > 0) or one fewer. */
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
    }
}

static void remove_client(struct fx_ws_hub *h, struct client *c)
{
    for (struct client **p = &h->clients; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    epoll_ctl(h->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    need_topic(h, &c->filter, -1);
    wslay_event_context_free(c->ctx);
    queue_clear(&c->queue);
    free(c->queue.items);
    free(c->out);
    MHD_upgrade_action(c->urh, MHD_UPGRADE_ACTION_CLOSE);
    h->nclients[c->filter.stream]--;
    h->total--;
    fx_debug("ws", "client %llu closed", (unsigned long long)c->id);
    free(c->extra);
    free(c);
}

/* ---- fan-out --------------------------------------------------------------- */

static int wants(const struct fx_ws_filter *f, const fxc_event *ev)
{
    if (ev->kind == FXC_EVENT_TICK)
        return f->stream == FX_WS_TICKS && (f->symbol[0] == '\0' || strcmp(f->symbol, ev->tick.symbol) == 0);
    return f->stream == FX_WS_OHLC && strcmp(f->resolution, ev->resolution) == 0
        && strcmp(f->symbol, ev->candle.symbol) == 0 && (!f->closed_only || ev->candle.complete);
}

/* Queues a frame for a client; over its limit the client is closed. */
static void enqueue(struct client *c, struct frame *f)
{
    if (queue_push(&c->queue, f) != 0) return begin_close(c, 1011, "out of memory");
    feed_wslay(c);
    over_limit(c);
}

static void fan_out(struct fx_ws_hub *h, const fxc_event *ev)
{
    struct frame *f = NULL; /* built for the first client that wants it */
    for (struct client *c = h->clients; c; c = c->next) {
        if (c->close_deadline_ms || !wants(&c->filter, ev)) continue;
        if (f == NULL) {
            f = ev->kind == FXC_EVENT_TICK ? tick_frame(&ev->tick) : candle_frame(ev->resolution, &ev->candle);
            if (f == NULL) return;
        }
        enqueue(c, f);
    }
    frame_unref(f);
}

/* Takes what the feed has (up to a budget) and fans it out. Returns 1 when
 * the budget ran out first: more is waiting, perhaps inside a message the
 * feed's descriptor no longer signals. */
static int drain_feed(struct fx_ws_hub *h)
{
    fxc_event ev;
    for (int i = 0; i < FEED_BUDGET; i++) {
        if (fxc_feed_next(h->feed, 0, &ev, NULL) != FXC_OK) return 0;
        fan_out(h, &ev);
    }
    return 1;
}

/* ---- commands from the HTTP threads --------------------------------------- */

static struct client *find(struct fx_ws_hub *h, uint64_t id)
{
    struct client *c = h->clients;
    while (c && c->id != id) c = c->next;
    return c;
}

/* Sends the snapshot first, then the waiting frames that are newer. */
static void apply_snapshot(struct fx_ws_hub *h, const struct command *cmd)
{
    struct client *c = find(h, cmd->id);
    if (c == NULL || !c->awaiting_snapshot) return;
    struct frame_queue waiting = c->queue;
    memset(&c->queue, 0, sizeof c->queue);
    c->awaiting_snapshot = 0;
    const fxc_candle *s = cmd->has_candle ? &cmd->candle : NULL;
    if (s) {
        struct frame *f = candle_frame(c->filter.resolution, s);
        if (f) enqueue(c, f);
        frame_unref(f);
    }
    struct frame *f;
    while ((f = queue_pop(&waiting)) != NULL) {
        int newer = s == NULL || f->bucket_us > s->bucket_us
            || (f->bucket_us == s->bucket_us && (f->count > s->tick_count || (f->complete && !s->complete)));
        if (newer && !c->close_deadline_ms) enqueue(c, f);
        frame_unref(f);
    }
    free(waiting.items);
    set_interest(c); /* EPOLLOUT: the snapshot goes out at once */
}

static void run_commands(struct fx_ws_hub *h)
{
    uint64_t n;
    if (read(h->wakefd, &n, sizeof n) < 0 && errno != EAGAIN) fx_warn("ws", "wake-up read: %s", strerror(errno));
    pthread_mutex_lock(&h->lock);
    struct command *cmds = h->cmds;
    h->cmds = NULL, h->cmds_tail = &h->cmds;
    pthread_mutex_unlock(&h->lock);
    uint64_t last = 0;
    while (cmds) {
        struct command *cmd = cmds;
        cmds = cmd->next;
        last = cmd->seq;
        if (cmd->add) {
            struct client *c = cmd->add;
            struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
            c->epoll_mask = EPOLLIN;
            c->next = h->clients;
            h->clients = c;
            need_topic(h, &c->filter, +1);
            if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0 || (c->extra_len && service(c, 1) != 0))
                remove_client(h, c);
        } else {
            apply_snapshot(h, cmd);
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

/* Queues `cmd` for the hub thread; *seq (may be NULL) gets its number.
 * Returns -1 when the hub has stopped: the caller keeps `cmd`. */
static int post(struct fx_ws_hub *h, struct command *cmd, uint64_t *seq)
{
    pthread_mutex_lock(&h->lock);
    int closed = h->closed;
    if (!closed) {
        cmd->seq = ++h->seq_posted;
        if (seq) *seq = cmd->seq;
        *h->cmds_tail = cmd;
        h->cmds_tail = &cmd->next;
    }
    pthread_mutex_unlock(&h->lock);
    if (closed) return -1;
    uint64_t one = 1;
    if (write(h->wakefd, &one, sizeof one) < 0) fx_warn("ws", "wake-up write: %s", strerror(errno));
    return 0;
}

/* ---- the thread ------------------------------------------------------------ */

/* Pings quiet clients, closes silent ones and those past their close grace. */
static void check_timers(struct fx_ws_hub *h, int64_t now)
{
    int64_t interval = h->limits.ping_interval_ms;
    for (struct client *c = h->clients, *next; c; c = next) {
        next = c->next;
        if (c->close_deadline_ms && now >= c->close_deadline_ms) {
            remove_client(h, c);
            continue;
        }
        if (c->close_deadline_ms) continue;
        if (c->ping_sent_ms && now - c->ping_sent_ms >= interval) {
            fx_info("ws", "client %llu closed: no answer to a ping in %lld ms", (unsigned long long)c->id,
                (long long)interval);
            begin_close(c, 1001, "no answer to ping");
        } else if (!c->ping_sent_ms && now - c->last_recv_ms >= interval) {
            struct wslay_event_msg ping = { WSLAY_PING, NULL, 0 };
            wslay_event_queue_msg(c->ctx, &ping);
            c->ping_sent_ms = now;
        }
        if (service(c, 0) != 0) remove_client(h, c);
    }
}

static void close_all(struct fx_ws_hub *h)
{
    for (struct client *c = h->clients; c; c = c->next) {
        begin_close(c, 1001, "server shutting down");
        wslay_event_send(c->ctx); /* one try: the socket's buffer usually has room */
        flush_out(c);
    }
    while (h->clients) remove_client(h, h->clients);
}

static void *hub_main(void *arg)
{
    struct fx_ws_hub *h = arg;
    struct epoll_event events[64];
    int64_t next_timer = now_ms() + TICK_MS;
    int backlog = 0; /* the feed has more than the last turn took */
    for (;;) {
        pthread_mutex_lock(&h->lock);
        int stopping = h->stopping;
        pthread_mutex_unlock(&h->lock);
        if (stopping) break;
        int64_t wait = next_timer - now_ms();
        int n = epoll_wait(h->epfd, events, 64, backlog || wait < 0 ? 0 : wait > TICK_MS ? TICK_MS : (int)wait);
        int feed_ready = backlog;
        for (int i = 0; i < n; i++) {
            void *p = events[i].data.ptr;
            if (p == &h->wakefd) {
                run_commands(h);
            } else if (p == &h->feed_fd) {
                feed_ready = 1;
            } else {
                struct client *c = p;
                if (service(c, (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) != 0) remove_client(h, c);
            }
        }
        if (feed_ready) {
            backlog = drain_feed(h);
            for (struct client *c = h->clients, *next; c; c = next) {
                next = c->next;
                if ((c->queue.n > 0 || wants_write(c)) && service(c, 0) != 0) remove_client(h, c);
            }
        }
        int64_t now = now_ms();
        if (now >= next_timer) {
            /* nng's receive descriptor has been seen to stay quiet with
             * messages waiting (nng issue 1368): look anyway, now and then */
            backlog |= drain_feed(h);
            check_timers(h, now);
            next_timer = now + TICK_MS;
        }
    }
    pthread_mutex_lock(&h->lock);
    h->closed = 1;
    pthread_cond_broadcast(&h->applied_cv); /* nobody waits for a hub that is gone */
    pthread_mutex_unlock(&h->lock);
    run_commands(h); /* clients added while stopping are closed with the rest */
    close_all(h);
    return NULL;
}

/* ---- public API ------------------------------------------------------------ */

int fx_ws_hub_create(struct fx_ws_hub **out, const char *feed_url, const struct fx_ws_limits *limits, char *err,
    size_t errlen)
{
    struct fx_ws_hub *h = calloc(1, sizeof *h);
    if (h == NULL) return FX_ENOMEM;
    h->limits = *limits;
    h->epfd = h->wakefd = -1;
    h->cmds_tail = &h->cmds;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->applied_cv, NULL);
    fxc_err e;
    int rc = FX_ENNG;
    /* subscribed to nothing until clients come (need_topic) */
    if (fxc_feed_open(feed_url, &h->feed, &e) != FXC_OK || fxc_feed_fd(h->feed, &h->feed_fd, &e) != FXC_OK) {
        snprintf(err, errlen, "FX_FEED_URL: %s", e.message);
        goto fail;
    }
    rc = FX_ENOMEM; /* the kernel is out of descriptors or threads */
    h->epfd = epoll_create1(EPOLL_CLOEXEC);
    h->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event wake = { .events = EPOLLIN, .data.ptr = &h->wakefd };
    struct epoll_event feed = { .events = EPOLLIN, .data.ptr = &h->feed_fd };
    if (h->epfd < 0 || h->wakefd < 0 || epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->wakefd, &wake) != 0
        || epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->feed_fd, &feed) != 0) {
        snprintf(err, errlen, "WebSocket event loop: %s", strerror(errno));
        goto fail;
    }
    int prc = pthread_create(&h->thread, NULL, hub_main, h);
    if (prc != 0) {
        snprintf(err, errlen, "WebSocket thread: %s", strerror(prc));
        goto fail;
    }
    h->started = 1;
    *out = h;
    return 0;
fail:
    fx_ws_hub_destroy(h);
    return rc;
}

void fx_ws_hub_stop(struct fx_ws_hub *h)
{
    if (h == NULL) return;
    pthread_mutex_lock(&h->lock);
    int was = h->stopping;
    h->stopping = 1;
    if (!h->started) h->closed = 1;
    pthread_mutex_unlock(&h->lock);
    if (was || !h->started) return;
    uint64_t one = 1;
    if (write(h->wakefd, &one, sizeof one) < 0) fx_warn("ws", "wake-up write: %s", strerror(errno));
    pthread_join(h->thread, NULL);
    h->started = 0;
}

void fx_ws_hub_destroy(struct fx_ws_hub *h)
{
    if (h == NULL) return;
    fx_ws_hub_stop(h);
    fxc_feed_close(h->feed);
    if (h->epfd >= 0) close(h->epfd);
    if (h->wakefd >= 0) close(h->wakefd);
    pthread_cond_destroy(&h->applied_cv);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

uint64_t fx_ws_hub_add(struct fx_ws_hub *h, int sock, struct MHD_UpgradeResponseHandle *urh,
    const struct fx_ws_filter *filter, const char *extra, size_t extra_len)
{
    struct client *c = calloc(1, sizeof *c);
    struct command *cmd = calloc(1, sizeof *cmd);
    if (c == NULL || cmd == NULL || (extra_len && (c->extra = malloc(extra_len)) == NULL)
        || (c->out = malloc(OUT_BYTES)) == NULL || wslay_event_context_server_init(&c->ctx, &callbacks, c) != 0) {
        free(cmd);
        if (c) free(c->extra), free(c->out);
        free(c);
        MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
        return 0;
    }
    wslay_event_config_set_max_recv_msg_length(c->ctx, RECV_MAX);
    if (extra_len) memcpy(c->extra, extra, extra_len);
    c->extra_len = extra_len;
    c->fd = sock;
    c->urh = urh;
    c->filter = *filter;
    c->hub = h;
    c->awaiting_snapshot = filter->stream == FX_WS_OHLC;
    c->last_recv_ms = now_ms();
    c->id = ++h->next_id;
    /* Non-blocking for the event loop; no Nagle delay on small frames; a
     * small kernel buffer so that a stalled client shows in our queue. */
    int on = 1, sndbuf = SNDBUF_BYTES;
    fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    cmd->add = c;
    uint64_t id = c->id; /* once posted, the client is the hub thread's (and may be gone) */
    int refused = h->total++ >= h->limits.max_clients;
    h->nclients[filter->stream]++;
    uint64_t seq = 0;
    if (refused || post(h, cmd, &seq) != 0) { /* over the limit, or stopped: nobody would serve it */
        h->nclients[filter->stream]--;
        h->total--;
        wslay_event_context_free(c->ctx);
        free(c->extra);
        free(c->out);
        free(c);
        free(cmd);
        MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
        return 0;
    }
    if (filter->stream == FX_WS_OHLC) {
        /* Joined before the caller reads the current candle: an event
         * published after that read cannot pass this client by. */
        pthread_mutex_lock(&h->lock);
        while (!h->closed && h->seq_applied < seq) pthread_cond_wait(&h->applied_cv, &h->lock);
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
    if (post(h, cmd, NULL) != 0) free(cmd);
}

void fx_ws_hub_stats(struct fx_ws_hub *h, struct fx_ws_stats *out)
{
    out->ticks_clients = h->nclients[FX_WS_TICKS];
    out->ohlc_clients = h->nclients[FX_WS_OHLC];
    out->messages_sent = h->sent;
    out->clients_dropped = h->dropped;
}
