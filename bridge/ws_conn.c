#include "bridge/ws_conn.h"

#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <time.h>

#define WSLAY_AHEAD 128 /* frames handed to wslay at once (it copies them); the rest wait in our queue */
#define RECV_MAX 4096 /* clients send only control frames and small text; more is an error */
#define DROP_GRACE_MS 2000 /* how long a closed client has to take its close frame */
#define SNDBUF_BYTES (64 * 1024) /* kernel buffer per client: the backlog stays where we count it */
#define OUT_BYTES (16 * 1024) /* frames written per send(2): one syscall for a burst, not one per frame */

int64_t fx_ws_conn_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static ssize_t on_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user)
{
    (void)flags;
    struct fx_ws_conn *c = user;
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
        c->last_recv_ms = fx_ws_conn_now_ms();
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
    struct fx_ws_conn *c = user;
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
static int flush_out(struct fx_ws_conn *c)
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

/* A close frame's payload is empty or a 2-byte status code (+ reason): one
 * byte is a protocol error, answered with 1002 (RFC 6455 5.5.1). wslay takes
 * it for "no status" and would echo an empty close, so the frame is judged
 * from its header, before wslay queues that answer (it then queues none). */
static void on_frame_start(wslay_event_context_ptr ctx, const struct wslay_event_on_frame_recv_start_arg *arg, void *user)
{
    (void)user;
    static const char why[] = "a close payload of 1 byte";
    if (arg->opcode == WSLAY_CONNECTION_CLOSE && arg->payload_length == 1)
        wslay_event_queue_close(ctx, WSLAY_CODE_PROTOCOL_ERROR, (const uint8_t *)why, sizeof why - 1);
}

static const struct wslay_event_callbacks callbacks = { on_recv, on_send, NULL, on_frame_start, NULL, NULL, on_msg };

struct fx_ws_conn *fx_ws_conn_create(struct fx_ws_conn_env *env, int sock, struct MHD_UpgradeResponseHandle *urh,
    const struct fx_ws_filter *filter, const char *extra, size_t extra_len)
{
    struct fx_ws_conn *c = calloc(1, sizeof *c);
    if (c == NULL || (extra_len && (c->extra = malloc(extra_len)) == NULL) || (c->out = malloc(OUT_BYTES)) == NULL
        || wslay_event_context_server_init(&c->ctx, &callbacks, c) != 0) {
        if (c) free(c->extra), free(c->out);
        free(c);
        return NULL;
    }
    wslay_event_config_set_max_recv_msg_length(c->ctx, RECV_MAX);
    if (extra_len) memcpy(c->extra, extra, extra_len);
    c->extra_len = extra_len;
    c->fd = sock;
    c->urh = urh;
    c->filter = *filter;
    c->env = env;
    c->awaiting_snapshot = filter->stream == FX_WS_OHLC;
    c->last_recv_ms = fx_ws_conn_now_ms();
    /* Non-blocking for the event loop; no Nagle delay on small frames; a
     * small kernel buffer so that a stalled client shows in our queue. */
    int on = 1, sndbuf = SNDBUF_BYTES;
    fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    return c;
}

void fx_ws_conn_free(struct fx_ws_conn *c)
{
    wslay_event_context_free(c->ctx);
    fx_ws_frame_queue_free(&c->queue);
    fx_ws_replay_free(&c->replay);
    free(c->out);
    if (c->urh)
        MHD_upgrade_action(c->urh, MHD_UPGRADE_ACTION_CLOSE);
    else
        close(c->fd); /* a conn on a socket of its own (the fuzzer's) */
    free(c->extra);
    free(c);
}

void fx_ws_conn_begin_close(struct fx_ws_conn *c, uint16_t code, const char *reason)
{
    if (c->close_deadline_ms) return;
    fx_ws_frame_queue_clear(&c->queue);
    wslay_event_queue_close(c->ctx, code, (const uint8_t *)reason, strlen(reason));
    c->close_deadline_ms = fx_ws_conn_now_ms() + DROP_GRACE_MS;
}

/* Hands queued frames to wslay, WSLAY_AHEAD at a time: our queue shares the
 * frames among clients, wslay's holds copies. */
static void feed_wslay(struct fx_ws_conn *c)
{
    while (c->queue.n > 0 && !c->awaiting_snapshot && wslay_event_get_queued_msg_count(c->ctx) < WSLAY_AHEAD) {
        struct fx_ws_frame *f = fx_ws_frame_queue_pop(&c->queue);
        struct wslay_event_msg m = { WSLAY_TEXT_FRAME, (const uint8_t *)f->text, f->len };
        if (wslay_event_queue_msg(c->ctx, &m) == 0) c->env->sent++;
        fx_ws_frame_unref(f);
    }
}

int fx_ws_conn_wants_write(struct fx_ws_conn *c)
{
    return c->out_len > 0 || wslay_event_want_write(c->ctx) || (c->queue.n > 0 && !c->awaiting_snapshot);
}

size_t fx_ws_conn_unsent(struct fx_ws_conn *c)
{
    return c->queue.bytes + wslay_event_get_queued_msg_length(c->ctx) + c->out_len;
}

/* What the client has not taken yet, in every buffer; over the limit it is
 * dropped (also a client that sends pings and never reads the pongs). */
static int over_limit(struct fx_ws_conn *c)
{
    if (c->close_deadline_ms || fx_ws_conn_unsent(c) <= c->env->queue_bytes) return 0;
    c->env->dropped++;
    fx_info("ws", "client %llu dropped: over %zu bytes unsent", (unsigned long long)c->id, c->env->queue_bytes);
    fx_ws_conn_begin_close(c, 1008, "too slow: the server's queue for this client is full");
    return 1;
}

void fx_ws_conn_set_interest(struct fx_ws_conn *c)
{
    uint32_t mask = (wslay_event_want_read(c->ctx) ? EPOLLIN : 0) | (fx_ws_conn_wants_write(c) ? EPOLLOUT : 0);
    if (mask == c->epoll_mask) return;
    struct epoll_event ev = { .events = mask, .data.ptr = c };
    if (epoll_ctl(c->env->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0) c->epoll_mask = mask;
}

int fx_ws_conn_service(struct fx_ws_conn *c, int readable)
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
    if (!wslay_event_want_read(c->ctx) && !fx_ws_conn_wants_write(c)) return -1;
    fx_ws_conn_set_interest(c);
    return 0;
}

/* Whether frame `f` is newer than the candle the conn was sent first. */
static int newer_than_first(const struct fx_ws_conn *c, const struct fx_ws_frame *f)
{
    if (!c->has_first || f->bucket_us != c->first_bucket_us) return !c->has_first || f->bucket_us > c->first_bucket_us;
    if (f->version && c->first_version)
        return f->version > c->first_version || (f->version == c->first_version && f->complete && !c->first_complete);
    return f->count > c->first_count || (f->complete && !c->first_complete);
}

void fx_ws_conn_enqueue(struct fx_ws_conn *c, struct fx_ws_frame *f)
{
    /* a state of the first candle's bucket older than it (by version: tick
     * counts fall after a delete): a core's event that was on its way while
     * the bridge read the candle */
    if (c->has_first && !c->awaiting_snapshot && f->bucket_us == c->first_bucket_us && f->version
        && c->first_version && !newer_than_first(c, f))
        return;
    if (fx_ws_frame_queue_push(&c->queue, f) != 0) return fx_ws_conn_begin_close(c, 1011, "out of memory");
    feed_wslay(c);
    over_limit(c);
}

void fx_ws_conn_snapshot(struct fx_ws_conn *c, const fxc_candle *s)
{
    if (!c->awaiting_snapshot) return;
    struct fx_ws_frame_queue waiting = c->queue;
    memset(&c->queue, 0, sizeof c->queue);
    c->awaiting_snapshot = 0;
    if (s) {
        struct fx_ws_frame *f = fx_ws_frame_candle(c->filter.resolution, s);
        if (f) fx_ws_conn_enqueue(c, f);
        fx_ws_frame_unref(f);
        c->has_first = 1;
        c->first_bucket_us = s->bucket_us;
        c->first_version = s->version;
        c->first_count = s->tick_count;
        c->first_complete = s->complete;
    }
    struct fx_ws_frame *f;
    while ((f = fx_ws_frame_queue_pop(&waiting)) != NULL) {
        if (newer_than_first(c, f) && !c->close_deadline_ms) fx_ws_conn_enqueue(c, f);
        fx_ws_frame_unref(f);
    }
    fx_ws_frame_queue_free(&waiting);
    fx_ws_conn_set_interest(c); /* EPOLLOUT: the snapshot goes out at once */
}

int fx_ws_conn_timers(struct fx_ws_conn *c, int64_t now, int64_t interval)
{
    if (c->close_deadline_ms) return now >= c->close_deadline_ms ? -1 : 0; /* closing: only its grace counts */
    if (c->ping_sent_ms && now - c->ping_sent_ms >= interval) {
        fx_info("ws", "client %llu closed: no answer to a ping in %lld ms", (unsigned long long)c->id,
            (long long)interval);
        fx_ws_conn_begin_close(c, 1001, "no answer to ping");
    } else if (!c->ping_sent_ms && now - c->last_recv_ms >= interval) {
        struct wslay_event_msg ping = { WSLAY_PING, NULL, 0 };
        wslay_event_queue_msg(c->ctx, &ping);
        c->ping_sent_ms = now;
    }
    return fx_ws_conn_service(c, 0);
}

void fx_ws_conn_close_now(struct fx_ws_conn *c, uint16_t code, const char *reason)
{
    fx_ws_conn_begin_close(c, code, reason);
    wslay_event_send(c->ctx); /* one try: the socket's buffer usually has room */
    flush_out(c);
}
