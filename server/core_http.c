#include "server/core_http.h"

#include "base/errors.h"
#include "base/log.h"
#include "base/redis_conn.h"
#include "server/core_metrics.h"
#include "server/migrate.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CACHE_MS 1000 /* how long a readiness answer is reused */
#define DB_CONNECT_TIMEOUT "2" /* seconds; libpq's smallest */
#define DB_QUERY_TIMEOUT_MS 1000
#define REDIS_TIMEOUT_MS 1000
#define MAX_CONNECTIONS 64
#define CONNECTION_TIMEOUT_S 10
#define JSON "application/json"

struct fx_core_http {
    struct fx_config cfg;
    struct MHD_Daemon *daemon;
    unsigned port;
    atomic_int draining;

    pthread_mutex_t check_lock; /* the probe connection and the cached answer */
    PGconn *pg;
    int have_answer;
    struct timespec checked_at;
    unsigned status;
    char body[2048];
};

/* ---- readiness ------------------------------------------------------------ */

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A message on one line: libpq's span lines and end in a newline. */
static void one_line(char *s)
{
    char *out = s;
    for (const char *p = s; *p; p++) {
        char c = *p == '\n' || *p == '\t' || *p == '\r' ? ' ' : *p;
        if (c == ' ' && (out == s || out[-1] == ' ')) continue;
        *out++ = c;
    }
    while (out > s && out[-1] == ' ') out--;
    *out = '\0';
}

/* The version the schema must have: the newest embedded migration. */
static int latest_migration(void)
{
    int v = 0;
    for (int i = 0; i < fx_migrations_count; i++)
        if (fx_migrations[i].version > v) v = fx_migrations[i].version;
    return v;
}

/* Runs `sql` and waits at most `timeout_ms` for its result (libpq itself
 * would wait for ever on a server that stopped answering). Returns the
 * first result, or NULL with the reason in `why`. */
static PGresult *query(PGconn *c, const char *sql, int timeout_ms, char *why, size_t len)
{
    if (!PQsendQuery(c, sql)) {
        snprintf(why, len, "%s", PQerrorMessage(c));
        return NULL;
    }
    int64_t deadline = monotonic_ms() + timeout_ms;
    PGresult *first = NULL;
    for (;;) {
        while (PQisBusy(c)) {
            int64_t left = deadline - monotonic_ms();
            struct pollfd pfd = { .fd = PQsocket(c), .events = POLLIN };
            if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
                snprintf(why, len, "no answer within %d ms", timeout_ms);
                PQclear(first);
                return NULL;
            }
            if (!PQconsumeInput(c)) {
                snprintf(why, len, "%s", PQerrorMessage(c));
                PQclear(first);
                return NULL;
            }
        }
        PGresult *r = PQgetResult(c);
        if (r == NULL) break;
        if (first == NULL)
            first = r;
        else
            PQclear(r);
    }
    if (first == NULL) snprintf(why, len, "no result");
    return first;
}

/* PostgreSQL answers and holds the latest migration. The connection is
 * kept for the next check; dropped on any failure. */
static int check_database(struct fx_core_http *h, char *why, size_t len)
{
    if (h->pg != NULL && PQstatus(h->pg) != CONNECTION_OK) {
        PQfinish(h->pg);
        h->pg = NULL;
    }
    if (h->pg == NULL) {
        const char *keys[] = { "dbname", "connect_timeout", "application_name", NULL };
        const char *values[] = { h->cfg.database_url, DB_CONNECT_TIMEOUT, "fx-core readyz", NULL };
        h->pg = PQconnectdbParams(keys, values, 1);
        if (h->pg == NULL) {
            snprintf(why, len, "out of memory");
            return -1;
        }
        if (PQstatus(h->pg) != CONNECTION_OK) {
            snprintf(why, len, "%s", PQerrorMessage(h->pg));
            PQfinish(h->pg);
            h->pg = NULL;
            return -1;
        }
    }
    int version = latest_migration();
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM schema_migrations WHERE version = %d", version);
    PGresult *res = query(h->pg, sql, DB_QUERY_TIMEOUT_MS, why, len);
    int rc = -1;
    if (res != NULL && PQresultStatus(res) != PGRES_TUPLES_OK)
        snprintf(why, len, "%s", PQresultErrorMessage(res));
    else if (res != NULL && strcmp(PQgetvalue(res, 0, 0), "1") != 0)
        snprintf(why, len, "migration %d is not applied (run fx-core migrate)", version);
    else if (res != NULL)
        rc = 0;
    PQclear(res);
    if (rc != 0 && (res == NULL || PQstatus(h->pg) != CONNECTION_OK)) {
        PQfinish(h->pg); /* in an unknown state: start afresh next time */
        h->pg = NULL;
    }
    return rc;
}

/* Appends `s` as a JSON string (quoted, escaped) to buf[*n..len). */
static void put_string(char *buf, size_t len, size_t *n, const char *s)
{
    if (*n + 1 < len) buf[(*n)++] = '"';
    for (; *s && *n + 7 < len; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            *n += (size_t)snprintf(buf + *n, len - *n, "\\%c", c);
        else if (c < 0x20)
            *n += (size_t)snprintf(buf + *n, len - *n, "\\u%04x", c);
        else
            buf[(*n)++] = (char)c;
    }
    if (*n + 1 < len) buf[(*n)++] = '"';
    buf[*n < len ? *n : len - 1] = '\0';
}

static void put_raw(char *buf, size_t len, size_t *n, const char *s)
{
    if (*n + 1 >= len) return;
    size_t k = strlen(s);
    if (k > len - *n - 1) k = len - *n - 1; /* cut, and still terminated */
    memcpy(buf + *n, s, k);
    *n += k;
    buf[*n] = '\0';
}

/* Checks every part and fills the cached answer. */
static void check(struct fx_core_http *h)
{
    char db[512], redis[512] = "not used", detail[1100] = "";
    int db_ok = check_database(h, db, sizeof db) == 0;
    if (db_ok)
        snprintf(db, sizeof db, "ok");
    else
        one_line(db);
    int redis_ok = 1;
    if (h->cfg.ingest_enabled) {
        redis_ok = fx_redis_ping(h->cfg.redis_url, REDIS_TIMEOUT_MS, redis, sizeof redis) == 0;
        if (redis_ok)
            snprintf(redis, sizeof redis, "ok");
        else
            one_line(redis);
    }
    if (!db_ok) snprintf(detail, sizeof detail, "database: %s", db);
    if (!redis_ok)
        snprintf(detail + strlen(detail), sizeof detail - strlen(detail), "%sredis: %s", db_ok ? "" : "; ", redis);

    size_t n = 0, len = sizeof h->body;
    put_raw(h->body, len, &n, db_ok && redis_ok ? "{\"status\":\"ready\"" : "{\"status\":\"not ready\",\"detail\":");
    if (!(db_ok && redis_ok)) put_string(h->body, len, &n, detail);
    put_raw(h->body, len, &n, ",\"database\":");
    put_string(h->body, len, &n, db);
    char migration[48];
    snprintf(migration, sizeof migration, ",\"migration\":%d,\"redis\":", latest_migration());
    put_raw(h->body, len, &n, migration);
    put_string(h->body, len, &n, redis);
    put_raw(h->body, len, &n, "}");
    unsigned status = db_ok && redis_ok ? 200 : 503;
    /* one line per change, not per probe */
    if (!h->have_answer || status != h->status) {
        if (status == 200)
            fx_info("http", "ready");
        else
            fx_warn("http", "not ready: %s", detail);
    }
    h->status = status;
    h->have_answer = 1;
    clock_gettime(CLOCK_MONOTONIC, &h->checked_at);
}

/* The answer of /readyz into body (of `len`); returns the status. */
static unsigned readiness(struct fx_core_http *h, char *body, size_t len)
{
    if (atomic_load(&h->draining)) {
        snprintf(body, len, "{\"status\":\"draining\",\"detail\":\"draining: fx-core is stopping\"}");
        return 503;
    }
    pthread_mutex_lock(&h->check_lock);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t age = (int64_t)(now.tv_sec - h->checked_at.tv_sec) * 1000
        + (now.tv_nsec - h->checked_at.tv_nsec) / 1000000;
    if (!h->have_answer || age >= CACHE_MS || age < 0) check(h);
    snprintf(body, len, "%s", h->body);
    unsigned status = h->status;
    pthread_mutex_unlock(&h->check_lock);
    return status;
}

/* ---- requests ---------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type, char *body, size_t len,
    const char *allow)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (allow) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned status, const char *type, const char *text,
    const char *allow)
{
    char *body = strdup(text);
    if (body == NULL) return MHD_NO;
    return reply(conn, status, type, body, strlen(body), allow);
}

static enum MHD_Result reply_error(struct MHD_Connection *conn, unsigned status, const char *allow,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum MHD_Result reply_error(struct MHD_Connection *conn, unsigned status, const char *allow,
    const char *fmt, ...)
{
    char detail[512], body[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    size_t n = 0;
    put_raw(body, sizeof body, &n, "{\"detail\":");
    put_string(body, sizeof body, &n, detail);
    put_raw(body, sizeof body, &n, "}");
    return reply_text(conn, status, JSON, body, allow);
}

static enum MHD_Result serve(struct fx_core_http *h, struct MHD_Connection *conn, const char *path, const char *method)
{
    static const char *const paths[] = { "/livez", "/readyz", "/metrics" };
    size_t which = 0;
    while (which < 3 && strcmp(path, paths[which]) != 0) which++;
    if (which == 3) return reply_error(conn, 404, NULL, "no such path: %s (try /livez, /readyz, /metrics)", path);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return reply_error(conn, 405, "GET, HEAD", "method %s is not allowed on %s (allowed: GET, HEAD)", method,
            path);
    if (which == 0) return reply_text(conn, 200, JSON, "{\"status\":\"ok\"}", NULL);
    if (which == 1) {
        char body[sizeof h->body];
        unsigned status = readiness(h, body, sizeof body);
        return reply_text(conn, status, JSON, body, NULL);
    }
    size_t len = 0;
    char *text = fx_core_metrics_render(&len);
    if (text == NULL) return reply_error(conn, 500, NULL, "out of memory");
    return reply(conn, 200, "text/plain; version=0.0.4; charset=utf-8", text, len, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)version, (void)upload_data;
    static int seen; /* marks a request whose first call has been */
    if (*con_cls == NULL) {
        *con_cls = &seen;
        return MHD_YES;
    }
    if (*upload_data_size > 0) { /* no endpoint reads a body: drop it */
        *upload_data_size = 0;
        return MHD_YES;
    }
    return serve(cls, conn, url, method);
}

/* MHD's messages, one log line each. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    one_line(line);
    fx_warn("http", "%s", line);
}

/* ---- the daemon ------------------------------------------------------------------ */

int fx_core_http_start(struct fx_core_http **out, const struct fx_config *cfg, char *err, size_t errlen)
{
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->http_port) };
    if (inet_pton(AF_INET, cfg->http_bind, &addr.sin_addr) != 1) {
        snprintf(err, errlen, "FX_HTTP_BIND=\"%s\" is not an IPv4 address", cfg->http_bind);
        return FX_ECONFIG;
    }
    struct fx_core_http *h = calloc(1, sizeof *h);
    if (h == NULL) return FX_ENOMEM;
    h->cfg = *cfg;
    pthread_mutex_init(&h->check_lock, NULL);
    /* Thread per connection: a readiness check may wait for its timeouts,
     * and /livez must not wait behind it. */
    h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL
            | MHD_USE_ERROR_LOG,
        0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, /* first, as MHD wants */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)CONNECTION_TIMEOUT_S, MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
    if (h->daemon == NULL) {
        snprintf(err, errlen, "cannot listen on %s:%d (FX_HTTP_PORT in use?)", cfg->http_bind, cfg->http_port);
        pthread_mutex_destroy(&h->check_lock);
        free(h);
        return FX_ECONFIG;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : (unsigned)cfg->http_port;
    fx_info("http", "probes and metrics on http://%s:%u (/livez, /readyz, /metrics)", cfg->http_bind, h->port);
    *out = h;
    return 0;
}

unsigned fx_core_http_port(const struct fx_core_http *h) { return h->port; }

void fx_core_http_set_draining(struct fx_core_http *h)
{
    if (h != NULL) atomic_store(&h->draining, 1);
}

void fx_core_http_stop(struct fx_core_http *h)
{
    if (h == NULL) return;
    MHD_stop_daemon(h->daemon);
    if (h->pg) PQfinish(h->pg);
    pthread_mutex_destroy(&h->check_lock);
    free(h);
}
