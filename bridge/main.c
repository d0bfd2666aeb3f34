/*
 * fx-bridge: the JSON REST face of fx-core. Stateless: it speaks only
 * protobuf over nng to the core, so any number can run side by side.
 */
#include "bridge/config.h"
#include "base/config_table.h"
#include "base/errors.h"
#include "bridge/http.h"
#include "base/log.h"
#include "base/stop_signals.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "Usage: fx-bridge            serve the REST and WebSocket API until SIGTERM/SIGINT\n"
                 "       fx-bridge --help | --version\n\n"
                 "Routes: POST/GET/PUT/DELETE /ticks/, POST /ticks/bulk, DELETE /ticks/{symbol}/{time},\n"
                 "        GET /ohlc/minute, /ohlc/hour, /ohlc/day, /ohlc/custom-day, /ohlc,\n"
                 "        /health, /metrics, /ws/stats, /openapi.json, /docs, /redoc, /ws-test (/demo)\n"
                 "WebSocket: /ws/ticks[/{symbol}], /ws/ohlc/{minute|hour|day|custom-day}/{symbol}[?closed_only=true]\n\n");
    fx_bridge_config_print_help(out);
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("fx-bridge %s\n", FX_VERSION);
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "fx-bridge: unknown argument \"%s\"\n\n", argv[1]);
        usage(stderr);
        return 2;
    }
    struct fx_bridge_config cfg;
    char err[512];
    if (fx_bridge_config_load(&cfg, fx_config_getenv, err, sizeof err) != 0) {
        fprintf(stderr, "fx-bridge: %s\n", err);
        return 2;
    }
    fx_log_setup(cfg.log_level, cfg.log_format, "fx-bridge");

    fx_stop_signals_block();
    fx_reload_signal_block();

    struct fx_bridge *bridge;
    if (fx_bridge_start(&bridge, &cfg, err, sizeof err) != 0) {
        fx_error("bridge", "cannot start: %s", err);
        return 1;
    }
    const char *sig; /* not inside fx_info: it skips its arguments below info */
    while (strcmp(sig = fx_stop_or_reload_signal_wait(), "SIGHUP") == 0) {
        fx_info("bridge", "SIGHUP received: reloading the API keys");
        fx_bridge_reload(bridge);
    }
    fx_info("bridge", "%s received, stopping", sig);
    /* the drain, the 1001 closes and the teardown take milliseconds past
     * BRIDGE_DRAIN_S unless nng_close hangs (see fx_stop_deadline) */
    fx_stop_deadline("bridge", (unsigned)cfg.drain_s + 3);
    fx_bridge_stop(bridge);
    return 0;
}
