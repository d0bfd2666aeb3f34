/*
 * fx-core configuration: one table of environment variables with defaults and
 * bounds (config.c), checked at start-up and read-only afterwards.
 */
#ifndef FX_CONFIG_H
#define FX_CONFIG_H

#include <stddef.h>
#include <stdio.h>

struct fx_config {
    char database_url[512];
    char redis_url[256];
    char rpc_url[256];
    char feed_url[256];
    char symbol[17];
    char log_level[16];
    char log_format[16];
    int day_start_hour;
    int db_pool_size;
    int rpc_contexts;
    int group_commit_max, group_commit_wait_us;
    int partition_days_ahead;
    char redis_stream[128];
    char redis_group[64];
    char redis_consumer[64];
    char dead_letter_stream[128];
    int ingest_enabled;
    int ingest_batch;
    int ingest_block_ms;
    int ingest_claim_idle_ms;
    /* the HTTP port (core_http.c) and the graceful stop */
    char http_bind[64];
    int http_port; /* 0: no HTTP port */
    int drain_delay_ms;
    int leader_check_ms;
    /* the data lifecycle (lifecycle.c) */
    int retention_days;
    int candle_retention_days;
    int compression_after_days;
    int maintenance_interval_s;
    int write_days_max;
};

/* Fills `cfg` from the environment, falling back to defaults. Returns 0, or
 * FX_ECONFIG with a message naming the variable in `err`. */
int fx_config_load(struct fx_config *cfg, char *err, size_t errlen);

/* Like fx_config_load, but reads variables through `get` (tests). */
int fx_config_load_from(struct fx_config *cfg, const char *(*get)(const char *name),
    char *err, size_t errlen);

/* Prints the table (name, default, bounds, meaning) for --help. */
void fx_config_print_help(FILE *out);

#endif
