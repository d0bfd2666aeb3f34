#include "server/config.h"

#include "base/config_table.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/redis_url.h"
#include "base/symbol.h"

#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#define STR(field, name, def, help) FX_CONFIG_STR(struct fx_config, field, name, def, help)
#define INT(field, name, def, min, max, help) FX_CONFIG_INT(struct fx_config, field, name, def, min, max, help)

static const struct fx_config_var vars[] = {
    STR(database_url, "DATABASE_URL", "postgresql://fx@127.0.0.1:5432/fx",
        "PostgreSQL URI (a postgresql+asyncpg:// prefix is accepted)"),
    STR(redis_url, "REDIS_URL", "redis://127.0.0.1:6379", "Redis URL (redis://[[user]:password@]host[:port][/db])"),
    STR(rpc_url, "FX_RPC_URL", "tcp://127.0.0.1:5555", "nng REQ/REP address the core listens on"),
    STR(feed_url, "FX_FEED_URL", "tcp://127.0.0.1:5556", "nng PUB address of the live feed"),
    STR(symbol, "SYMBOL", "EURUSD", "default symbol"),
    STR(log_level, "LOG_LEVEL", "info", "debug, info, warn or error"),
    STR(log_format, "LOG_FORMAT", "text", "text, or json: one JSON object per line (time, level, program, module, message)"),
    INT(day_start_hour, "DAY_START_HOUR", 22, 0, 23, "UTC hour at which custom days start"),
    INT(db_pool_size, "DB_POOL_SIZE", 4, 1, 64, "PostgreSQL connections (= request worker threads)"),
    INT(rpc_contexts, "FX_RPC_CONTEXTS", 64, 1, 4096, "requests the core accepts concurrently"),
    INT(group_commit_max, "FX_GROUP_COMMIT_MAX", 256, 0, 4096,
        "single-tick writes that arrive together commit in one transaction, at most this many (0: each alone)"),
    INT(group_commit_wait_us, "FX_GROUP_COMMIT_WAIT_US", 0, 0, 100000,
        "how long a group waits for more writes before it commits (0: it takes what arrived meanwhile)"),
    INT(partition_days_ahead, "PARTITION_DAYS_AHEAD", 3, 0, 366, "daily tick partitions created ahead"),
    STR(redis_stream, "REDIS_STREAM", "fx:ticks", "Redis Stream of raw tick events (fields symbol, time, price)"),
    STR(redis_group, "REDIS_GROUP", "fx-core", "consumer group that reads REDIS_STREAM"),
    STR(redis_consumer, "REDIS_CONSUMER", "", "this core's consumer name; keep it stable (default: the host name)"),
    STR(dead_letter_stream, "REDIS_DEAD_LETTER_STREAM", "fx:ticks:dead", "where malformed entries go, with the reason"),
    INT(ingest_enabled, "INGEST_ENABLED", 1, 0, 1, "1: consume REDIS_STREAM; 0: RPC only"),
    INT(ingest_batch, "INGEST_BATCH", 1000, 1, 100000, "entries read and stored per transaction"),
    INT(ingest_block_ms, "INGEST_BLOCK_MS", 1000, 1, 60000, "how long one read waits for new entries"),
    INT(ingest_claim_idle_ms, "INGEST_CLAIM_IDLE_MS", 30000, 100, 3600000,
        "entries pending this long with a dead consumer are taken over"),
    /* the HTTP port (probes, metrics) and the graceful stop */
    INT(http_port, "FX_HTTP_PORT", 0, 0, 65535, "HTTP port of /livez, /readyz and /metrics (0: none)"),
    STR(http_bind, "FX_HTTP_BIND", "127.0.0.1", "IPv4 address the HTTP port listens on (0.0.0.0 for all)"),
    INT(drain_delay_ms, "FX_DRAIN_DELAY_MS", 0, 0, 600000,
        "on SIGTERM, how long /readyz fails before requests and ingest stop (for a load balancer to notice)"),
    INT(leader_check_ms, "LEADER_CHECK_MS", 1000, 100, 60000,
        "how often a core tries to become the candle leader (the one closing candles), and the leader checks it is"),
    /* the data lifecycle: maintenance runs on the leader at start and every MAINTENANCE_INTERVAL_S */
    INT(retention_days, "RETENTION_DAYS", 0, 0, 36500,
        "ticks of days that ended this many days ago are dropped and the days sealed (candles are kept); 0: forever"),
    INT(candle_retention_days, "CANDLE_RETENTION_DAYS", 0, 0, 36500,
        "candles older than this many days are deleted (0: forever; else at least RETENTION_DAYS, which it needs)"),
    INT(compression_after_days, "COMPRESSION_AFTER_DAYS", 7, 0, 36500,
        "ticks of days that ended this many days ago are compacted (reads stay the same); 0: never"),
    INT(maintenance_interval_s, "MAINTENANCE_INTERVAL_S", 3600, 60, 86400,
        "how often the leader runs retention and compaction (also at start)"),
    INT(write_days_max, "WRITE_DAYS_MAX", 400, 1, 36500,
        "most distinct UTC days one bulk write may touch (each is a partition); more is refused (422)"),
};

#define NVARS (sizeof vars / sizeof vars[0])

/* libpq does not know SQLAlchemy's driver suffix; existing deployments
 * carry DATABASE_URL=postgresql+asyncpg://..., so accept and strip it. */
static void normalise_database_url(char *url)
{
    static const char *const prefixes[] = { "postgresql+asyncpg://", "postgresql+psycopg://",
        "postgresql+psycopg2://", "postgres+asyncpg://" };
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(url, prefixes[i], n) == 0) {
            const char *rest = url + n;
            memmove(url + strlen("postgresql://"), rest, strlen(rest) + 1);
            memcpy(url, "postgresql://", strlen("postgresql://"));
            return;
        }
    }
}

int fx_config_load_from(struct fx_config *cfg, const char *(*get)(const char *name), char *err,
    size_t errlen)
{
    struct fx_config tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc = fx_config_table_load(vars, NVARS, &tmp, get, err, errlen);
    if (rc) return rc;
    normalise_database_url(tmp.database_url);
    if (strncmp(tmp.redis_url, "rediss://", 9) == 0) { /* refused at start, not retried for ever by ingest */
        snprintf(err, errlen, "REDIS_URL: " FX_REDIS_NO_TLS);
        return FX_ECONFIG;
    }
    if (fx_log_check(tmp.log_level, tmp.log_format, err, errlen) != 0) return FX_ECONFIG;
    char sym[17];
    if (fx_symbol_normalise(tmp.symbol, sym) != 0) {
        snprintf(err, errlen, "SYMBOL=\"%s\": expected " FX_SYMBOL_RULE, tmp.symbol);
        return FX_ECONFIG;
    }
    strcpy(tmp.symbol, sym);
    /* candles are recomputed from ticks: dropping them while their ticks
     * stay would make the next edit rebuild them from a part of the day */
    if (tmp.candle_retention_days > 0
        && (tmp.retention_days == 0 || tmp.retention_days > tmp.candle_retention_days)) {
        snprintf(err, errlen,
            "CANDLE_RETENTION_DAYS=%d needs RETENTION_DAYS between 1 and %d (candles must outlive their ticks)",
            tmp.candle_retention_days, tmp.candle_retention_days);
        return FX_ECONFIG;
    }
    if (tmp.redis_consumer[0] == '\0') {
        /* the host name is stable across restarts of a pod or a machine, so
         * a restarted core finds its own pending entries */
        char host[48] = "core";
        gethostname(host, sizeof host - 1);
        snprintf(tmp.redis_consumer, sizeof tmp.redis_consumer, "%s", host);
    }
    *cfg = tmp;
    return 0;
}

int fx_config_load(struct fx_config *cfg, char *err, size_t errlen)
{
    return fx_config_load_from(cfg, fx_config_getenv, err, errlen);
}

void fx_config_print_help(FILE *out) { fx_config_table_print(vars, NVARS, out); }
