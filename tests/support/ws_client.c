#include "tests/support/ws_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <wslay/wslay.h>

struct text {
    struct text *next;
    char *data;
};

struct fx_ws_client {
    int fd;
    wslay_event_context_ptr ctx;
    char pre[4096]; /* bytes read past the 101's headers */
    size_t pre_len, pre_off;
    struct text *head, **tail;
    int closed;
    uint16_t close_code;
};

static ssize_t on_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user)
{
    (void)flags;
    struct fx_ws_client *c = user;
    if (c->pre_off < c->pre_len) {
        size_t n = c->pre_len - c->pre_off < len ? c->pre_len - c->pre_off : len;
        memcpy(buf, c->pre + c->pre_off, n);
        c->pre_off += n;
        return (ssize_t)n;
    }
    ssize_t r = recv(c->fd, buf, len, MSG_DONTWAIT);
    if (r > 0) return r;
    if (r == 0) c->closed = 1;
    wslay_event_set_error(ctx, r < 0 && (errno == EAGAIN || errno == EINTR) ? WSLAY_ERR_WOULDBLOCK
                                                                           : WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
}

static ssize_t on_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *user)
{
    (void)flags;
    struct fx_ws_client *c = user;
    ssize_t r = send(c->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (r >= 0) return r;
    wslay_event_set_error(ctx, errno == EAGAIN ? WSLAY_ERR_WOULDBLOCK : WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
}

static int on_genmask(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *user)
{
    (void)ctx, (void)user;
    for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)rand();
    return 0;
}

static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *user)
{
    (void)ctx;
    struct fx_ws_client *c = user;
    if (arg->opcode == WSLAY_CONNECTION_CLOSE) {
        c->close_code = arg->status_code;
        c->closed = 1;
        return;
    }
    if (arg->opcode != WSLAY_TEXT_FRAME) return;
    struct text *t = malloc(sizeof *t);
    if (t == NULL || (t->data = malloc(arg->msg_length + 1)) == NULL) {
        free(t);
        return;
    }
    memcpy(t->data, arg->msg, arg->msg_length);
    t->data[arg->msg_length] = '\0';
    t->next = NULL;
    *c->tail = t;
    c->tail = &t->next;
}

static const struct wslay_event_callbacks callbacks = { on_recv, on_send, on_genmask, NULL, NULL, NULL, on_msg };

/* Reads the response head (up to the blank line); the rest goes to pre. */
static long read_head(struct fx_ws_client *c, char *head, size_t cap, char **body)
{
    size_t len = 0;
    char *end = NULL;
    while (end == NULL && len + 1 < cap) {
        struct pollfd p = { c->fd, POLLIN, 0 };
        if (poll(&p, 1, 5000) <= 0) return 0;
        ssize_t r = recv(c->fd, head + len, cap - 1 - len, 0);
        if (r <= 0) return 0;
        len += (size_t)r;
        head[len] = '\0';
        end = strstr(head, "\r\n\r\n");
    }
    if (end == NULL) return 0;
    size_t used = (size_t)(end + 4 - head);
    c->pre_len = len - used;
    memcpy(c->pre, end + 4, c->pre_len);
    if (body) *body = strdup(end + 4); /* the start of an error body: enough for its detail */
    long status = 0;
    sscanf(head, "HTTP/1.1 %ld", &status);
    return status;
}

static struct fx_ws_client *connect_ws(unsigned port, const char *path, int rcvbuf, const char *extra,
    long *status, char **body, char *head_out, size_t headlen);

struct fx_ws_client *fx_ws_connect(unsigned port, const char *path, int rcvbuf, long *status, char **body)
{
    return connect_ws(port, path, rcvbuf, NULL, status, body, NULL, 0);
}

struct fx_ws_client *fx_ws_connect_with(unsigned port, const char *path, const char *extra, long *status,
    char **body, char *head, size_t headlen)
{
    return connect_ws(port, path, 0, extra, status, body, head, headlen);
}

static struct fx_ws_client *connect_ws(unsigned port, const char *path, int rcvbuf, const char *extra,
    long *status, char **body, char *head_out, size_t headlen)
{
    /* RFC 6455's own example (section 1.3): the server must answer this key
     * with this accept value, which the test takes from the RFC rather than
     * computing it the way the bridge does. */
    static const char key[] = "dGhlIHNhbXBsZSBub25jZQ==";
    static const char accept[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    *status = 0;
    if (body) *body = NULL;
    struct fx_ws_client *c = calloc(1, sizeof *c);
    c->tail = &c->head;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    char req[2048], head[4096], want[64];
    int n = snprintf(req, sizeof req,
        "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n%s\r\n",
        path, port, key, extra ? extra : "");
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0 || send(c->fd, req, (size_t)n, 0) != n) goto fail;
    *status = read_head(c, head, sizeof head, body);
    if (head_out) snprintf(head_out, headlen, "%s", head);
    snprintf(want, sizeof want, "Sec-WebSocket-Accept: %s\r\n", accept);
    if (*status != 101 || strstr(head, want) == NULL) goto fail;
    if (wslay_event_context_client_init(&c->ctx, &callbacks, c) != 0) goto fail;
    return c;
fail:
    close(c->fd);
    free(c);
    return NULL;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fx_ws_next_text(struct fx_ws_client *c, int timeout_ms, char **text)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        if (c->head) {
            struct text *t = c->head;
            c->head = t->next;
            if (c->head == NULL) c->tail = &c->head;
            *text = t->data;
            free(t);
            return 0;
        }
        if (c->closed) return -2;
        int64_t left = deadline - now_ms();
        struct pollfd p = { c->fd, POLLIN, 0 };
        int ready = c->pre_off < c->pre_len || poll(&p, 1, left > 0 ? (int)left : 0) > 0;
        if (ready) {
            if (wslay_event_recv(c->ctx) != 0) c->closed = 1;
            wslay_event_send(c->ctx); /* pongs and the answer to a close */
        } else if (left <= 0) {
            return -1;
        }
    }
}

int fx_ws_fd(const struct fx_ws_client *c) { return c->fd; }

int fx_ws_send_pings(struct fx_ws_client *c, int n, size_t len)
{
    uint8_t payload[125];
    memset(payload, 'p', sizeof payload);
    struct wslay_event_msg ping = { WSLAY_PING, payload, len < sizeof payload ? len : sizeof payload };
    int sent = 0;
    for (; sent < n; sent++) {
        if (wslay_event_queue_msg(c->ctx, &ping) != 0) break;
        if (wslay_event_send(c->ctx) != 0 || wslay_event_want_write(c->ctx)) break; /* full or closed */
    }
    return sent;
}

int fx_ws_send_raw_close(struct fx_ws_client *c, const void *payload, size_t len)
{
    struct wslay_event_msg close = { WSLAY_CONNECTION_CLOSE, payload, len };
    if (len > 125 || wslay_event_queue_msg(c->ctx, &close) != 0) return -1;
    return wslay_event_send(c->ctx) == 0 ? 0 : -1;
}

int fx_ws_wait_closed(struct fx_ws_client *c, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    char *t;
    int rc;
    while ((rc = fx_ws_next_text(c, (int)(deadline - now_ms()), &t)) == 0) {
        free(t);
        if (now_ms() >= deadline) return 0;
    }
    return rc == -2;
}

uint16_t fx_ws_close_code(const struct fx_ws_client *c) { return c->close_code; }

void fx_ws_close(struct fx_ws_client *c)
{
    if (c == NULL) return;
    while (c->head) {
        struct text *t = c->head;
        c->head = t->next;
        free(t->data);
        free(t);
    }
    wslay_event_context_free(c->ctx);
    close(c->fd);
    free(c);
}
