#include "bridge/config.h"

#include "base/config_table.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/url_list.h"
#include "bridge/cors.h"

#include <ctype.h>
#include <string.h>

#define STR(field, name, def, help) FX_CONFIG_STR(struct fx_bridge_config, field, name, def, help)
#define INT(field, name, def, min, max, help) \
    FX_CONFIG_INT(struct fx_bridge_config, field, name, def, min, max, help)

static const struct fx_config_var vars[] = {
    STR(rpc_url, "FX_RPC_URL", "tcp://127.0.0.1:5555",
        "fx-core RPC address, or a comma-separated list of every core's (requests spread, fail over);"
        " dns+tcp://NAME:PORT: every address NAME resolves to, looked up every 5 s"),
    STR(feed_url, "FX_FEED_URL", "tcp://127.0.0.1:5556",
        "fx-core live feed (nng PUB) the WebSockets relay; a list: every core's feed; dns+tcp:// as above"),
    STR(bind, "BRIDGE_BIND", "127.0.0.1", "address the HTTP server listens on (0.0.0.0 for all)"),
    INT(port, "BRIDGE_PORT", 8000, 0, 65535, "HTTP port (0 picks a free one)"),
    STR(symbol, "SYMBOL", "EURUSD", "symbol used when a request names none"),
    INT(day_start_hour, "DAY_START_HOUR", 22, 0, 23, "default UTC hour of custom days"),
    STR(log_level, "LOG_LEVEL", "info", "debug, info, warn or error"),
    STR(log_format, "LOG_FORMAT", "text", "text, or json: one JSON object per line (time, level, program, module, message)"),
    INT(max_body_mb, "BRIDGE_MAX_BODY_MB", 16, 1, 1024, "largest request body of POST /ticks/bulk (MiB)"),
    INT(max_connections, "BRIDGE_MAX_CONNECTIONS", 1024, 1, 65536,
        "concurrent HTTP connections (WebSocket clients have their own budget, BRIDGE_WS_MAX_CLIENTS)"),
    INT(max_connections_per_ip, "BRIDGE_MAX_CONNECTIONS_PER_IP", 256, 0, 65536,
        "concurrent connections from one IP address, so one client cannot take them all (0: no limit, behind a "
        "load balancer or ingress, where every connection comes from its address)"),
    INT(header_timeout_s, "BRIDGE_HEADER_TIMEOUT_S", 5, 0, 3600,
        "a request's headers must all arrive this long after the connection opened (or, kept alive, after its "
        "request line), else 408 and the connection is closed: a client trickling bytes (slowloris) holds no "
        "connection for long (0: no deadline)"),
    INT(idle_timeout_s, "BRIDGE_IDLE_TIMEOUT_S", 120, 1, 86400,
        "a kept-alive HTTP connection is closed after this long without a new request (WebSockets have their "
        "own pings)"),
    INT(http_threads, "BRIDGE_HTTP_THREADS", 2, 1, 64,
        "threads polling the HTTP connections (epoll); they never wait on fx-core, so about one per core"),
    INT(workers, "BRIDGE_WORKERS", 64, 1, 4096,
        "requests that wait on fx-core at once (each on a thread of its own); more wait in line. Idle and "
        "half-sent connections hold no thread"),
    INT(rpc_timeout_ms, "BRIDGE_RPC_TIMEOUT_MS", 30000, 100, 600000, "how long a core request may take"),
    INT(ws_queue_kb, "BRIDGE_WS_QUEUE_KB", 1024, 1, 1048576,
        "unsent WebSocket data per client before it is dropped as too slow (KiB)"),
    INT(ws_ping_s, "BRIDGE_WS_PING_S", 20, 1, 3600, "ping a quiet WebSocket client after this long; close it after twice"),
    INT(ws_max_clients, "BRIDGE_WS_MAX_CLIENTS", 1000, 1, 65536,
        "concurrent WebSocket clients, on top of BRIDGE_MAX_CONNECTIONS"),
    STR(static_dir, "BRIDGE_STATIC_DIR", "",
        "folder of web assets (Swagger UI, ReDoc, lightweight-charts) served under /static/"),
    INT(drain_s, "BRIDGE_DRAIN_S", 10, 0, 600,
        "on SIGTERM: no new connections, WebSockets closed (1001), in-flight requests get this long (s)"),
    STR(api_keys_file, "BRIDGE_API_KEYS_FILE", "",
        "API keys, one name:scope:sha256-hex-of-key a line (scope read, write or admin; # comments); reloaded on "
        "SIGHUP. Unset: every route is open (warned about when BRIDGE_BIND is not a loopback address)"),
    INT(public_reads, "BRIDGE_PUBLIC_READS", 0, 0, 1,
        "1: with BRIDGE_API_KEYS_FILE, reads (GET /ticks, /ohlc, WebSockets) need no key; writes and /admin still do"),
    STR(cors_origins, "BRIDGE_CORS_ORIGINS", "",
        "origins (scheme://host[:port], comma-separated) browsers may call the API from; * : any origin, reads "
        "only. Unset: no CORS headers"),
};

#define NVARS (sizeof vars / sizeof vars[0])

int fx_bridge_config_load(struct fx_bridge_config *cfg, const char *(*get)(const char *name), char *err,
    size_t errlen)
{
    struct fx_bridge_config tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc = fx_config_table_load(vars, NVARS, &tmp, get, err, errlen);
    if (rc) return rc;
    struct fx_url_list urls;
    char why[160];
    if (fx_url_list_parse(tmp.rpc_url, &urls, why, sizeof why) != 0) {
        snprintf(err, errlen, "FX_RPC_URL: %s", why);
        return FX_ECONFIG;
    }
    if (fx_url_list_parse(tmp.feed_url, &urls, why, sizeof why) != 0) {
        snprintf(err, errlen, "FX_FEED_URL: %s", why);
        return FX_ECONFIG;
    }
    if (fx_log_check(tmp.log_level, tmp.log_format, err, errlen) != 0) return FX_ECONFIG;
    struct fx_cors cors;
    if (fx_cors_parse(&cors, tmp.cors_origins, err, errlen) != 0) return FX_ECONFIG;
    for (char *p = tmp.symbol; *p; p++) *p = (char)toupper((unsigned char)*p);
    *cfg = tmp;
    return 0;
}

void fx_bridge_config_print_help(FILE *out) { fx_config_table_print(vars, NVARS, out); }
