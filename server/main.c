/*
 * fx-core: the FX tick and candle service. Serves protobuf requests over nng,
 * stores ticks in PostgreSQL. Configuration comes from the environment
 * (--help lists it). Stops cleanly on SIGTERM or SIGINT.
 */
#include "server/config.h"
#include "base/errors.h"
#include "base/log.h"
#include "server/server.h"
#include "base/stop_signals.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
        "Usage: fx-core [serve]     apply migrations, then serve until SIGTERM/SIGINT\n"
        "       fx-core migrate     apply pending migrations and exit\n"
        "       fx-core --help | --version\n\n");
    fx_config_print_help(out);
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "serve";
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("fx-core %s\n", FX_VERSION);
        return 0;
    }
    if (argc > 2 || (strcmp(cmd, "serve") != 0 && strcmp(cmd, "migrate") != 0)) {
        fprintf(stderr, "fx-core: unknown command \"%s\"\n\n", cmd);
        usage(stderr);
        return 2;
    }

    struct fx_config cfg;
    char err[1024];
    if (fx_config_load(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "fx-core: %s\n", err);
        return 2;
    }
    fx_log_setup(cfg.log_level, cfg.log_format, "fx-core");

    if (strcmp(cmd, "migrate") == 0) {
        int applied = 0;
        if (fx_server_migrate(&cfg, &applied, err, sizeof err) != 0) {
            fx_error("migrate", "%s", err);
            return 1;
        }
        fx_info("migrate", "%d migrations applied, schema up to date", applied);
        return 0;
    }

    fx_stop_signals_block();

    struct fx_server *server;
    int rc = fx_server_create(&server, &cfg, err, sizeof err);
    if (rc != 0) {
        fx_error("server", "cannot start: %s (%s)", err, fx_strerror(rc));
        return 1;
    }
    fx_info("server", "fx-core %s started", FX_VERSION);
    const char *sig = fx_stop_signals_wait(); /* not inside fx_info: it skips its arguments below info */
    fx_info("server", "%s received, stopping", sig);
    fx_server_destroy(server);
    fx_info("server", "stopped");
    return 0;
}
