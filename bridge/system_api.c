/*
 * Operational endpoints: /health, /ws/stats, /metrics, the OpenAPI document
 * and the pages that render it (Swagger UI at /docs, ReDoc at /redoc, their
 * scripts served from BRIDGE_STATIC_DIR under /static/).
 */
#include "bridge/api.h"

#include "base/url_list.h"
#include "bridge/json_out.h"
#include "base/log.h"
#include "bridge/metrics.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const char fx_openapi_json[]; /* docs/openapi.json, embedded at build time */
extern const char fx_demo_html[]; /* web/demo.html, embedded at build time */

#define HEALTH_TIMEOUT_MS 3000

/* One core's answer to a health probe. */
struct core_probe {
    const char *url;
    int rc; /* FXC_OK when the core answered */
    fxc_health_info info;
    fxc_err err;
};

/* A dedicated short-timeout handle: a probe must answer within its own
 * deadline even when the core is gone. Runs on a thread of its own, so
 * that all cores are asked at once. */
static void *probe_core(void *arg)
{
    struct core_probe *p = arg;
    fxc *c;
    p->rc = fxc_open(p->url, &c, &p->err);
    if (p->rc == FXC_OK) {
        fxc_set_timeout(c, HEALTH_TIMEOUT_MS);
        p->rc = fxc_health(c, &p->info, &p->err);
        fxc_close(c);
    }
    return NULL;
}

static int core_healthy(const struct core_probe *p)
{
    return p->rc == FXC_OK && p->info.database_ok && p->info.redis_ok;
}

/* The process serves HTTP: a liveness probe, which must not fail while the
 * cores are away (restarting the bridge would not bring them back). */
void fx_api_livez(struct fx_http_request *req, struct fx_http_response *res)
{
    (void)req;
    fx_reply_json(res, 200, strdup("{\"status\":\"alive\"}"));
}

/* Healthy while at least one core answers with its PostgreSQL and Redis
 * up; "database" and "redis" are those of the first such core (else of the
 * first that answered), "cores" lists each core of FX_RPC_URL. */
void fx_api_health(struct fx_http_request *req, struct fx_http_response *res)
{
    struct fx_url_list urls;
    char why[160];
    if (fx_url_list_parse(req->bridge->cfg.rpc_url, &urls, why, sizeof why) != 0) /* checked at start */
        return fx_reply_error(res, 500, "FX_RPC_URL: %s", why);
    struct core_probe probes[FX_URL_LIST_MAX];
    pthread_t threads[FX_URL_LIST_MAX];
    int started[FX_URL_LIST_MAX];
    for (size_t i = 0; i < urls.n; i++) {
        probes[i] = (struct core_probe){ .url = urls.url[i], .rc = FXC_UNAVAILABLE };
        started[i] = pthread_create(&threads[i], NULL, probe_core, &probes[i]) == 0;
        if (!started[i]) probe_core(&probes[i]);
    }
    const struct core_probe *best = NULL, *answered = NULL;
    for (size_t i = 0; i < urls.n; i++) {
        if (started[i]) pthread_join(threads[i], NULL);
        if (probes[i].rc == FXC_OK && answered == NULL) answered = &probes[i];
        if (core_healthy(&probes[i]) && best == NULL) best = &probes[i];
    }
    if (best == NULL) best = answered;
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_printf(&b, "{\"status\":\"%s\",\"database\":", best && core_healthy(best) ? "healthy" : "unhealthy");
    fx_jbuf_string(&b, best == NULL ? "unknown" : best->info.database_ok ? "connected" : best->info.database);
    fx_jbuf_raw(&b, ",\"redis\":");
    fx_jbuf_string(&b, best == NULL ? "unknown" : best->info.redis_ok ? "connected" : best->info.redis);
    fx_jbuf_raw(&b, ",\"core\":");
    fx_jbuf_string(&b, best ? "connected" : probes[0].err.message);
    fx_jbuf_raw(&b, ",\"cores\":[");
    for (size_t i = 0; i < urls.n; i++) {
        const struct core_probe *p = &probes[i];
        fx_jbuf_raw(&b, i ? ",{\"url\":" : "{\"url\":");
        fx_jbuf_string(&b, p->url);
        fx_jbuf_printf(&b, ",\"status\":\"%s\"",
            p->rc != FXC_OK ? "unreachable" : core_healthy(p) ? "healthy" : "unhealthy");
        if (p->rc == FXC_OK) {
            fx_jbuf_raw(&b, ",\"database\":");
            fx_jbuf_string(&b, p->info.database_ok ? "connected" : p->info.database);
            fx_jbuf_raw(&b, ",\"redis\":");
            fx_jbuf_string(&b, p->info.redis_ok ? "connected" : p->info.redis);
            fx_jbuf_raw(&b, ",\"version\":");
            fx_jbuf_string(&b, p->info.version);
        } else {
            fx_jbuf_raw(&b, ",\"error\":");
            fx_jbuf_string(&b, p->err.message);
        }
        fx_jbuf_raw(&b, "}");
    }
    fx_jbuf_raw(&b, "]}");
    fx_reply_json(res, best && core_healthy(best) ? 200 : 503, fx_jbuf_take(&b, NULL));
}

/* The WebSocket hub's counters, in the Prometheus text format. */
static char *append_ws_metrics(struct fx_bridge *b, char *text, size_t *len)
{
    struct fx_ws_stats st;
    fx_ws_hub_stats(b->hub, &st);
    char ws[1280];
    int n = snprintf(ws, sizeof ws,
        "# HELP fx_ws_connections WebSocket clients connected, by stream.\n"
        "# TYPE fx_ws_connections gauge\n"
        "fx_ws_connections{stream=\"ticks\"} %llu\nfx_ws_connections{stream=\"ohlc\"} %llu\n"
        "# HELP fx_ws_messages_sent_total WebSocket frames handed to clients' connections.\n"
        "# TYPE fx_ws_messages_sent_total counter\nfx_ws_messages_sent_total %llu\n"
        "# HELP fx_ws_clients_dropped_total WebSocket clients closed for falling behind.\n"
        "# TYPE fx_ws_clients_dropped_total counter\nfx_ws_clients_dropped_total %llu\n"
        "# HELP fx_ws_candle_states_dropped_total Candle events not forwarded: older than a state already sent, or"
        " a bucket's close again (cores publish the same close after a leader takeover).\n"
        "# TYPE fx_ws_candle_states_dropped_total counter\nfx_ws_candle_states_dropped_total %llu\n",
        (unsigned long long)st.ticks_clients, (unsigned long long)st.ohlc_clients,
        (unsigned long long)st.messages_sent, (unsigned long long)st.clients_dropped,
        (unsigned long long)st.candle_states_dropped);
    char *all = realloc(text, *len + (size_t)n + 1);
    if (all == NULL) return text; /* the request metrics still go out */
    memcpy(all + *len, ws, (size_t)n + 1);
    *len += (size_t)n;
    return all;
}

void fx_api_metrics(struct fx_http_request *req, struct fx_http_response *res)
{
    size_t len = 0;
    char *text = fx_metrics_render(&len);
    if (text == NULL) return fx_reply_error(res, 500, "out of memory");
    text = append_ws_metrics(req->bridge, text, &len);
    res->status = 200;
    res->body = text;
    res->len = len;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

static void reply_static_text(struct fx_http_response *res, const char *text, const char *type)
{
    res->status = 200;
    res->body = (char *)text;
    res->len = strlen(text);
    res->content_type = type;
    res->body_static = 1;
}

void fx_api_openapi(struct fx_http_request *req, struct fx_http_response *res)
{
    (void)req;
    reply_static_text(res, fx_openapi_json, "application/json");
}

static const char docs_html[] = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>fxohlc API</title>\n"
                                "<link rel=\"stylesheet\" href=\"/static/swagger-ui-dist/swagger-ui.css\">\n"
                                "</head><body><div id=\"swagger-ui\"></div>\n"
                                "<script src=\"/static/swagger-ui-dist/swagger-ui-bundle.js\"></script>\n"
                                "<script>SwaggerUIBundle({url: '/openapi.json', dom_id: '#swagger-ui'});</script>\n"
                                "</body></html>\n";

static const char redoc_html[] = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>fxohlc API</title>\n"
                                 "</head><body><redoc spec-url=\"/openapi.json\"></redoc>\n"
                                 "<script src=\"/static/redoc/bundles/redoc.standalone.js\"></script>\n"
                                 "</body></html>\n";

static const char index_html[] = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>fxohlc</title></head>"
                                 "<body><h1>fxohlc</h1><ul>"
                                 "<li><a href=\"/docs\">API documentation (Swagger UI)</a></li>"
                                 "<li><a href=\"/redoc\">API documentation (ReDoc)</a></li>"
                                 "<li><a href=\"/ws-test\">live demo: ticks and candles over WebSocket</a></li>"
                                 "<li><a href=\"/openapi.json\">OpenAPI document</a></li>"
                                 "<li><a href=\"/health\">health</a> · <a href=\"/metrics\">metrics</a></li>"
                                 "</ul></body></html>\n";

void fx_api_docs(struct fx_http_request *req, struct fx_http_response *res)
{
    (void)req;
    reply_static_text(res, docs_html, "text/html; charset=utf-8");
}

void fx_api_redoc(struct fx_http_request *req, struct fx_http_response *res)
{
    (void)req;
    reply_static_text(res, redoc_html, "text/html; charset=utf-8");
}

/* The live demo page; its chart library comes from /static/. */
void fx_api_demo(struct fx_http_request *req, struct fx_http_response *res)
{
    (void)req;
    reply_static_text(res, fx_demo_html, "text/html; charset=utf-8");
}

void fx_api_index(struct fx_http_request *req, struct fx_http_response *res)
{
    (void)req;
    reply_static_text(res, index_html, "text/html; charset=utf-8");
}

static const char *content_type_of(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = { { ".js", "text/javascript" }, { ".css", "text/css" }, { ".html", "text/html; charset=utf-8" },
        { ".json", "application/json" }, { ".png", "image/png" }, { ".map", "application/json" } };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0) return types[i].type;
    return "application/octet-stream";
}

/* Files under BRIDGE_STATIC_DIR; paths with ".." or hidden parts are refused. */
void fx_api_static(struct fx_http_request *req, struct fx_http_response *res)
{
    const char *rel = req->path + strlen("/static/");
    const char *dir = req->bridge->cfg.static_dir;
    if (dir[0] == '\0') return fx_reply_error(res, 404, "no static files are served (BRIDGE_STATIC_DIR is unset)");
    if (strstr(rel, "..") || strstr(rel, "/.") || rel[0] == '.' || rel[0] == '\0')
        return fx_reply_error(res, 404, "no such file: %s", req->path);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (64 << 20)) {
        if (fd >= 0) close(fd);
        return fx_reply_error(res, 404, "no such file: %s", req->path);
    }
    char *data = malloc((size_t)st.st_size + 1);
    ssize_t got = data ? read(fd, data, (size_t)st.st_size) : -1;
    close(fd);
    if (got != (ssize_t)st.st_size) {
        free(data);
        return fx_reply_error(res, 500, "cannot read %s", req->path);
    }
    res->status = 200;
    res->body = data;
    res->len = (size_t)st.st_size;
    res->content_type = content_type_of(path);
}

size_t fx_api_html_pages(const char *pages[4])
{
    pages[0] = docs_html, pages[1] = redoc_html, pages[2] = index_html, pages[3] = fx_demo_html;
    return 4;
}
