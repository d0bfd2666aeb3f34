/* fx-bridge configuration: one table of environment variables (config.c). */
#ifndef FX_BRIDGE_CONFIG_H
#define FX_BRIDGE_CONFIG_H

#include <stddef.h>
#include <stdio.h>

struct fx_bridge_config {
    char rpc_url[2048]; /* comma-separated: every core */
    char feed_url[2048];
    char bind[64];
    int port;
    char symbol[17];
    int day_start_hour;
    char log_level[16];
    char log_format[16];
    int max_body_mb; /* POST /ticks/bulk; other bodies are limited to 1 MiB */
    int max_connections;
    int max_connections_per_ip;
    int header_timeout_s; /* 0: no header deadline */
    int idle_timeout_s; /* kept-alive connections between requests */
    int http_threads; /* MHD's epoll threads */
    int workers; /* the request pool's threads */
    int rpc_timeout_ms;
    int ws_queue_kb;
    int ws_ping_s;
    int ws_max_clients;
    char static_dir[512];
    int drain_s; /* on SIGTERM, how long in-flight requests may take */
    char api_keys_file[1024]; /* "": no keys, every route open */
    int public_reads; /* with keys: reads need none */
    char cors_origins[4096]; /* "": CORS off */
};

int fx_bridge_config_load(struct fx_bridge_config *cfg, const char *(*get)(const char *name), char *err,
    size_t errlen);
void fx_bridge_config_print_help(FILE *out);

#endif
