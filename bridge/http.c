#include "bridge/http.h"

#include "bridge/request.h"

#include "base/errors.h"
#include "bridge/api.h"
#include "bridge/auth.h"
#include "bridge/cors.h"
#include "bridge/header_deadline.h"
#include "bridge/request_pool.h"
#include "bridge/security_headers.h"
#include "bridge/json_out.h"
#include "base/log.h"
#include "bridge/metrics.h"
#include "bridge/routes.h"
#include "bridge/unescape.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_BODY_LIMIT (1u << 20)
#define REFUSE_UNREAD_BODY (1ull << 30)
#define SNAPSHOT_TIMEOUT_MS 2000
#define DRAIN_POLL_MS 20

/* What MHD keeps for one request between its calls of on_request (its
 * con_cls). The request comes first: fx_http_request_of reads it there. */
struct request_state {
    struct fx_http_request req;
    struct fx_route_match match;
    char *body;
    size_t len, cap, limit;
    int too_large;
    int refuse_now;
    int counted; /* in b->inflight */
    struct timespec start;
    char path_args[2][512]; /* req.path_args point here: the route matcher's buffer is its thread's */
    struct fx_http_response res; /* a pooled handler's answer, sent once the connection is resumed */
    int answered; /* atomic: `res` is filled (set by the pool thread before it resumes the connection) */
};

_Static_assert(offsetof(struct request_state, req) == 0, "fx_http_request_of reads the request at con_cls");

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A request ends for the drain (fx_bridge_stop): once, at its completion
 * or at its upgrade (a WebSocket lives on in the hub). */
static void uncount(struct request_state *st)
{
    if (!st->counted) return;
    st->counted = 0;
    __atomic_sub_fetch(&st->req.bridge->inflight, 1, __ATOMIC_ACQ_REL);
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct request_state *st,
    struct fx_http_response *res, const char *method)
{
    if (res->upgrade) {
        uncount(st);
        fx_header_deadline_upgraded(st->req.bridge->deadline, conn);
    }
    struct MHD_Response *r = res->upgrade ? MHD_create_response_for_upgrade(res->upgrade, st->req.bridge)
                                          : MHD_create_response_from_buffer(res->len, res->body,
                                              res->body_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        if (!res->body_static) free(res->body);
        return MHD_NO;
    }
    if (res->content_type) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    if (res->allow) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
    for (int i = 0; i < 4 && res->headers[i][0]; i++) MHD_add_response_header(r, res->headers[i][0], res->headers[i][1]);
    struct fx_bridge *b = st->req.bridge;
    fx_security_headers_add(r, res->content_type, b->csp);
    if (res->cors_preflight)
        fx_cors_add_preflight_headers(&b->cors, conn, r);
    else
        fx_cors_add_headers(&b->cors, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin"), method, r);
    if (res->upgrade) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_UPGRADE, "websocket");
        MHD_add_response_header(r, "Sec-WebSocket-Accept", res->ws_accept);
    }
    enum MHD_Result ret = MHD_queue_response(conn, res->status, r);
    MHD_destroy_response(r);
    fx_metrics_observe(st->match.label, method, res->status, seconds_since(&st->start));
    fx_debug("http", "%s %s -> %u", method, st->req.path, res->status);
    return ret;
}

static size_t body_limit(const struct fx_bridge *b, const struct fx_route_match *m)
{
    if (m->route == NULL || m->route->body_limit == 0) return DEFAULT_BODY_LIMIT;
    if (m->route->body_limit == SIZE_MAX) return (size_t)b->cfg.max_body_mb << 20;
    return m->route->body_limit;
}

static void reply_too_large(struct fx_http_response *res, size_t limit)
{
    fx_reply_error(res, 413, "the request body is larger than %zu bytes; split it (POST /ticks/bulk takes up to "
                             "100000 ticks)",
        limit);
}

static struct request_state *begin(struct fx_bridge *b, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version)
{
    struct request_state *st = calloc(1, sizeof *st);
    if (st == NULL) return NULL;
    clock_gettime(CLOCK_MONOTONIC, &st->start);
    st->req.conn = conn;
    st->req.bridge = b;
    st->req.method = method;
    st->req.version = version;
    st->req.path = url;
    st->counted = 1;
    __atomic_add_fetch(&b->inflight, 1, __ATOMIC_ACQ_REL);
    fx_routes_match(method, url, &st->req, &st->match);
    for (int i = 0; i < 2; i++)
        if (st->req.path_args[i]) {
            snprintf(st->path_args[i], sizeof st->path_args[i], "%s", st->req.path_args[i]);
            st->req.path_args[i] = st->path_args[i];
        }
    st->limit = body_limit(b, &st->match);
    /* A body over the limit is read and dropped, then answered with 413:
     * answering before reading it makes most clients fail with a broken
     * pipe instead of showing the 413. Only absurd sizes are refused at once. */
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > st->limit) st->too_large = 1;
    st->refuse_now = cl && strtoull(cl, NULL, 10) > REFUSE_UNREAD_BODY;
    return st;
}

static void collect(struct request_state *st, const char *data, size_t n)
{
    if (st->too_large) return;
    if (st->len + n > st->limit) {
        st->too_large = 1;
        free(st->body);
        st->body = NULL;
        st->len = st->cap = 0;
        return;
    }
    if (st->len + n + 1 > st->cap) {
        size_t cap = st->cap ? st->cap : 4096;
        while (cap < st->len + n + 1) cap *= 2;
        char *p = realloc(st->body, cap);
        if (p == NULL) {
            st->too_large = 1; /* answered as 413: we cannot hold it */
            return;
        }
        st->body = p, st->cap = cap;
    }
    memcpy(st->body + st->len, data, n);
    st->len += n;
    st->body[st->len] = '\0';
}

/* A query parameter given twice: which one the handler read would be an
 * accident of the parser, so the request is refused naming it. */
struct repeat_scan {
    const char *keys[64];
    size_t n;
    const char *repeated;
};

static enum MHD_Result scan_argument(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind, (void)value;
    struct repeat_scan *s = cls;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->keys[i], key) == 0) {
            s->repeated = key;
            return MHD_NO;
        }
    if (s->n < sizeof s->keys / sizeof s->keys[0]) s->keys[s->n++] = key;
    return MHD_YES;
}

/* "application/json", optionally with "; charset=utf-8": the only body
 * type a form or a simple cross-site request cannot send, so a browser
 * must ask (a CORS preflight) before it can post one (CSRF). */
static int content_type_is_json(const char *ct)
{
    if (ct == NULL) return 0;
    while (*ct == ' ') ct++;
    if (strncasecmp(ct, "application/json", 16) != 0) return 0;
    ct += 16;
    while (*ct == ' ') ct++;
    if (*ct == '\0') return 1;
    if (*ct++ != ';') return 0;
    while (*ct == ' ') ct++;
    if (strncasecmp(ct, "charset=utf-8", 13) != 0 && strncasecmp(ct, "charset=\"utf-8\"", 15) != 0) return 0;
    ct += ct[8] == '"' ? 15 : 13;
    while (*ct == ' ') ct++;
    return *ct == '\0';
}

static void dispatch(struct request_state *st, struct fx_http_response *res)
{
    struct fx_bridge *b = st->req.bridge;
    if (fx_cors_is_preflight(&b->cors, st->req.conn, st->req.method)) {
        char why[320];
        unsigned s = fx_cors_preflight(&b->cors, st->req.conn, why, sizeof why);
        if (s != 204) return fx_reply_error(res, s, "%s", why);
        res->status = 204, res->body = NULL, res->len = 0, res->body_static = 1, res->cors_preflight = 1;
        return;
    }
    if (st->too_large) return reply_too_large(res, st->limit);
    struct repeat_scan scan = { .n = 0 };
    MHD_get_connection_values(st->req.conn, MHD_GET_ARGUMENT_KIND, scan_argument, &scan);
    if (scan.repeated)
        return fx_reply_error(res, 422, "%s: the query parameter is given more than once", scan.repeated);
    if (st->match.route == NULL) {
        if (st->match.status == 405) {
            fx_reply_error(res, 405, "method %s is not allowed on %s (allowed: %s)", st->req.method, st->req.path,
                st->match.allow);
            res->allow = st->match.allow;
        } else {
            fx_reply_error(res, 404, "no such path: %s", st->req.path);
        }
        return;
    }
    char why[256];
    unsigned denied = fx_auth_check(b->auth, st->match.route->scope, st->req.conn, why, sizeof why);
    if (denied) {
        fx_reply_error(res, denied, "%s", why);
        if (denied == 401) res->headers[0][0] = "WWW-Authenticate", res->headers[0][1] = "Bearer";
        return;
    }
    int writes = strcmp(st->req.method, "POST") == 0 || strcmp(st->req.method, "PUT") == 0;
    if (writes && st->len > 0
        && !content_type_is_json(
            MHD_lookup_connection_value(st->req.conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE)))
        return fx_reply_error(res, 415, "the request body must be sent as \"Content-Type: application/json\"");
    st->req.body = st->body ? st->body : "";
    st->req.body_len = st->len;
    st->match.route->handler(&st->req, res);
}

/* Runs the handler into `res`; a HEAD request keeps only the headers. */
static void handle(struct request_state *st, struct fx_http_response *res)
{
    dispatch(st, res);
    if (strcmp(st->req.method, "HEAD") == 0 && !res->body_static) {
        free(res->body);
        res->body = NULL, res->len = 0;
    }
}

/* On a pool thread: the handler may wait on fx-core while its connection
 * is suspended; resuming it makes MHD call on_request again, which sends
 * `res`. */
static void handle_pooled(void *arg)
{
    struct request_state *st = arg;
    handle(st, &st->res);
    __atomic_store_n(&st->answered, 1, __ATOMIC_RELEASE);
    MHD_resume_connection(st->req.conn);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    struct request_state *st = *con_cls;
    if (st == NULL) {
        fx_header_deadline_headers_done(((struct fx_bridge *)cls)->deadline, conn);
        st = begin(cls, conn, url, method, version);
        if (st == NULL) return MHD_NO;
        *con_cls = st;
        if (!st->refuse_now) return MHD_YES;
        /* Content-Length says far too much: answer now, without reading it. */
        struct fx_http_response res = { 0 };
        reply_too_large(&res, st->limit);
        return send_response(conn, st, &res, method);
    }
    if (*upload_data_size > 0) {
        collect(st, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (__atomic_load_n(&st->answered, __ATOMIC_ACQUIRE)) return send_response(conn, st, &st->res, method);
    if (st->match.route == NULL || st->match.route->run == FX_RUN_INLINE) {
        struct fx_http_response res = { 0 };
        handle(st, &res);
        return send_response(conn, st, &res, method);
    }
    /* Suspended before it is queued: the pool may resume it at once. */
    struct fx_bridge *b = cls;
    MHD_suspend_connection(conn);
    if (fx_request_pool_submit(b->pool, handle_pooled, st) != 0) {
        fx_reply_error(&st->res, 503, "out of memory: the request could not be queued; try again");
        __atomic_store_n(&st->answered, 1, __ATOMIC_RELEASE);
        MHD_resume_connection(conn);
    }
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    fx_header_deadline_request_done(((struct fx_bridge *)cls)->deadline, conn);
    struct request_state *st = *con_cls;
    if (st == NULL) return;
    uncount(st);
    free(st->body);
    free(st);
    *con_cls = NULL;
}

/* Undoes a part-done fx_bridge_start: what was made, in reverse order. */
static int start_failed(struct fx_bridge *b, int rc)
{
    fx_header_deadline_destroy(b->deadline);
    fx_request_pool_destroy(b->pool, -1);
    fx_ws_hub_destroy(b->hub);
    fxc_close(b->snapshots);
    fxc_close(b->core);
    fx_auth_destroy(b->auth);
    free(b);
    return rc;
}

int fx_bridge_start(struct fx_bridge **out, const struct fx_bridge_config *cfg, char *err, size_t errlen)
{
    struct fx_bridge *b = calloc(1, sizeof *b);
    if (b == NULL) return FX_ENOMEM;
    b->cfg = *cfg;
    const char *pages[4];
    size_t npages = fx_api_html_pages(pages);
    if (fx_security_csp_build(pages, npages, b->csp, sizeof b->csp) != 0) {
        snprintf(err, errlen, "the pages' Content-Security-Policy does not fit in %zu bytes", sizeof b->csp);
        return start_failed(b, FX_ECONFIG);
    }
    int crc = fx_cors_parse(&b->cors, cfg->cors_origins, err, errlen);
    if (crc == 0) crc = fx_auth_create(&b->auth, cfg->api_keys_file, cfg->public_reads, err, errlen);
    if (crc != 0) return start_failed(b, crc);
    if (!fx_auth_enabled(b->auth) && strncmp(cfg->bind, "127.", 4) != 0)
        fx_warn("http", "!!! BRIDGE_BIND=%s is not a loopback address and BRIDGE_API_KEYS_FILE is not set: anyone "
                        "who can reach this port can write and delete ticks and run /admin routes !!!",
            cfg->bind);
    fxc_err e;
    if (fxc_open(cfg->rpc_url, &b->core, &e) != FXC_OK) {
        snprintf(err, errlen, "FX_RPC_URL: %s", e.message);
        return start_failed(b, FX_ECONFIG);
    }
    fxc_set_timeout(b->core, cfg->rpc_timeout_ms);
    /* A WebSocket's first candle is worth a short wait only: a core that does
     * not answer must not hold a pool thread (and a shutdown) for long. */
    if (fxc_open(cfg->rpc_url, &b->snapshots, &e) != FXC_OK) {
        snprintf(err, errlen, "FX_RPC_URL: %s", e.message);
        return start_failed(b, FX_ECONFIG);
    }
    fxc_set_timeout(b->snapshots, cfg->rpc_timeout_ms < SNAPSHOT_TIMEOUT_MS ? cfg->rpc_timeout_ms : SNAPSHOT_TIMEOUT_MS);
    const struct fx_ws_limits limits = { .queue_bytes = (size_t)cfg->ws_queue_kb << 10,
        .ping_interval_ms = cfg->ws_ping_s * 1000,
        .max_clients = cfg->ws_max_clients,
        .custom_day_start_minute = cfg->day_start_hour * 60 };
    int rc = fx_ws_hub_create(&b->hub, cfg->feed_url, cfg->rpc_url, &limits, err, errlen);
    if (rc != 0) return start_failed(b, rc);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port) };
    if (inet_pton(AF_INET, cfg->bind, &addr.sin_addr) != 1) {
        snprintf(err, errlen, "BRIDGE_BIND=\"%s\" is not an IPv4 address", cfg->bind);
        return start_failed(b, FX_ECONFIG);
    }
    /* A few epoll threads serve every connection; handlers that wait on
     * the core run on the pool while their connection is suspended, so
     * thousands of connections, idle or half-sent, need no thread each.
     * epoll, not select(): WebSockets keep their sockets for long, and
     * select() cannot take descriptors past 1023. Suspend/resume brings
     * the ITC that MHD_quiesce_daemon (the drain) needs too. */
    /* An upgraded WebSocket stays one of MHD's connections: its budget
     * (BRIDGE_WS_MAX_CLIENTS, enforced by ws_api.c) comes on top, so a
     * thousand WebSocket clients leave HTTP its BRIDGE_MAX_CONNECTIONS.
     * The per-IP limit keeps one client (a slowloris holding partial
     * requests open) from taking them all. */
    unsigned connection_limit = (unsigned)cfg->max_connections + (unsigned)cfg->ws_max_clients;
    if (fx_request_pool_create(&b->pool, cfg->workers) != 0) {
        snprintf(err, errlen, "cannot start the threads of BRIDGE_WORKERS");
        return start_failed(b, FX_ECONFIG);
    }
    if (fx_header_deadline_create(&b->deadline, cfg->header_timeout_s, cfg->idle_timeout_s) != 0) {
        snprintf(err, errlen, "cannot start the thread of BRIDGE_HEADER_TIMEOUT_S");
        return start_failed(b, FX_ECONFIG);
    }
    b->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG
            | MHD_ALLOW_UPGRADE | MHD_ALLOW_SUSPEND_RESUME,
        0, NULL, NULL, on_request, b, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->http_threads, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, b, MHD_OPTION_CONNECTION_LIMIT, connection_limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)cfg->max_connections_per_ip, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->idle_timeout_s,
        MHD_OPTION_NOTIFY_CONNECTION, fx_header_deadline_on_connection, b->deadline, MHD_OPTION_URI_LOG_CALLBACK,
        fx_header_deadline_on_request_line, b->deadline, MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_UNESCAPE_CALLBACK, fx_unescape_mhd,
        NULL, MHD_OPTION_END);
    if (b->daemon == NULL) {
        snprintf(err, errlen, "cannot listen on %s:%d (in use?)", cfg->bind, cfg->port);
        return start_failed(b, FX_ECONFIG);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(b->daemon, MHD_DAEMON_INFO_BIND_PORT);
    b->port = info ? info->port : (unsigned)cfg->port;
    fx_info("http", "listening on http://%s:%u (core %s, feed %s)", cfg->bind, b->port, cfg->rpc_url,
        cfg->feed_url);
    *out = b;
    return 0;
}

/* Waits until no HTTP request is in flight, at most BRIDGE_DRAIN_S. */
static void drain_requests(struct fx_bridge *b)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int n = __atomic_load_n(&b->inflight, __ATOMIC_ACQUIRE);
    if (n > 0) fx_info("http", "waiting for %d in-flight requests (at most %d s)", n, b->cfg.drain_s);
    while (n > 0 && seconds_since(&t0) < b->cfg.drain_s) {
        struct timespec ts = { 0, DRAIN_POLL_MS * 1000000L };
        nanosleep(&ts, NULL);
        n = __atomic_load_n(&b->inflight, __ATOMIC_ACQUIRE);
    }
    if (n > 0)
        fx_warn("http", "%d requests still in flight after BRIDGE_DRAIN_S=%d s: stopping anyway", n, b->cfg.drain_s);
    else
        fx_info("http", "no request in flight");
}

void fx_bridge_stop(struct fx_bridge *b)
{
    if (b == NULL) return;
    /* The graceful stop: no new connections, WebSockets closed with 1001,
     * in-flight requests finish (BRIDGE_DRAIN_S), then the daemon stops. */
    MHD_socket listener = MHD_quiesce_daemon(b->daemon);
    fx_info("http", "draining: no new connections accepted");
    fx_ws_hub_stop(b->hub); /* before the daemon: it waits for upgraded sockets to close */
    fx_info("http", "WebSocket clients closed (1001, going away)");
    drain_requests(b);
    /* Every suspended connection must be resumed before the daemon stops
     * (libmicrohttpd aborts otherwise): the pool finishes what it holds
     * first (a candle client's first candle takes at most the snapshot
     * timeout). A request still waiting on the core after the drain (a
     * long maintenance pass) is left to the exit, with all it uses. */
    if (fx_request_pool_destroy(b->pool, SNAPSHOT_TIMEOUT_MS + 1000) != 0) {
        fx_warn("http", "requests still wait on fx-core after BRIDGE_DRAIN_S: exiting without waiting for them");
        return;
    }
    MHD_stop_daemon(b->daemon);
    fx_header_deadline_destroy(b->deadline); /* after the daemon: no connection is left to notify */
    if (listener != MHD_INVALID_SOCKET) close(listener); /* ours after the quiesce; only now unused */
    fx_info("http", "HTTP server stopped");
    fx_ws_hub_destroy(b->hub);
    fxc_close(b->snapshots);
    fxc_close(b->core);
    fx_auth_destroy(b->auth);
    free(b);
}

int fx_bridge_reload(struct fx_bridge *b)
{
    char err[512];
    if (!fx_auth_enabled(b->auth)) {
        fx_info("http", "SIGHUP: no BRIDGE_API_KEYS_FILE to reload");
        return 0;
    }
    int rc = fx_auth_reload(b->auth, err, sizeof err);
    if (rc) fx_error("auth", "cannot reload the API keys (the old ones stay in force): %s", err);
    return rc;
}
