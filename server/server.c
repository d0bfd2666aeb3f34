#include "server/server.h"

#include "base/calendar.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/worker.h"
#include "server/core_http.h"
#include "server/core_metrics.h"
#include "server/db.h"
#include "server/handlers.h"
#include "server/ingest.h"
#include "server/leader.h"
#include "server/lifecycle.h"
#include "server/migrate.h"
#include "server/partitions.h"
#include "server/publish.h"
#include "server/request_keys.h"
#include "server/rpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAINTENANCE_PERIOD_S 600 /* how often partitions ahead are checked */
#define MAINTENANCE_TICK_MS 2000 /* how often the maintenance thread looks whether it leads */
#define STORAGE_PERIOD_S 60 /* how often the storage gauges are read */

struct fx_server {
    struct fx_config cfg;
    struct fx_leader *leader;
    struct fx_publisher *pub;
    struct fx_handler_env env;
    struct fx_rpc *rpc;
    struct fx_ingest *ingest;
    struct fx_thread maintenance;
    struct fx_core_http *http; /* NULL without FX_HTTP_PORT */
    int serving; /* created completely: a stop drains */
};

int fx_server_migrate(const struct fx_config *cfg, int *applied, char *err, size_t errlen)
{
    struct fx_db db;
    int rc = fx_db_open(&db, cfg->database_url, err, errlen);
    if (rc == 0) rc = fx_migrate(&db, applied, err, errlen);
    fx_db_close(&db);
    return rc;
}

/* Creates the partitions of yesterday .. today + PARTITION_DAYS_AHEAD, so
 * live ticks never wait for a CREATE TABLE at midnight. */
static int ensure_partitions_ahead(struct fx_db *db, const struct fx_config *cfg, char *err, size_t errlen)
{
    int rc = fx_db_ensure(db, err, errlen);
    if (rc) return rc;
    int32_t today = fx_day_of(fx_now_us());
    return fx_partitions_ensure_range(db, today - 1, today + cfg->partition_days_ahead, err, errlen);
}

struct fx_lifecycle_policy fx_server_policy(const struct fx_config *cfg)
{
    return (struct fx_lifecycle_policy){ .retention_days = cfg->retention_days,
        .candle_retention_days = cfg->candle_retention_days, .compression_after_days = cfg->compression_after_days };
}

static int maintenance_stopping(void *arg) { return fx_thread_stopping(arg); }

/* One lifecycle pass on the maintenance thread's connection, logged; it
 * ends between two days when the server stops. */
static void run_lifecycle(struct fx_db *db, const struct fx_config *cfg, struct fx_thread *stop_arg)
{
    struct fx_lifecycle_policy policy = fx_server_policy(cfg);
    policy.stop = maintenance_stopping;
    policy.stop_arg = stop_arg;
    if (policy.retention_days == 0 && policy.compression_after_days == 0 && policy.candle_retention_days == 0)
        return;
    struct fx_maintenance_report rep;
    char err[512];
    int rc = fx_maintenance_run(db, &policy, fx_now_us(), 0, &rep, err, sizeof err);
    if (rc == FX_EBUSY) { /* another core runs one: this one is done for now */
        fx_debug("lifecycle", "%s", err);
        fx_maintenance_report_free(&rep);
        return;
    }
    fx_core_metrics_maintenance(&rep, rc);
    if (rc != 0)
        fx_warn("lifecycle", "maintenance stopped: %s (it is tried again at the next run)", err);
    else
        fx_info("lifecycle", "maintenance: %u days dropped, %u compacted, %llu candles deleted, in %.1f s",
            rep.days_dropped, rep.days_compacted, (unsigned long long)rep.candles_dropped, rep.seconds);
    fx_maintenance_report_free(&rep);
}

/* Partitions ahead every MAINTENANCE_PERIOD_S; while leader, the lifecycle
 * pass when it becomes leader (at start, usually) and every
 * MAINTENANCE_INTERVAL_S; the storage gauges (and, on the leader, the
 * pruning of request keys older than FX_REQUEST_KEYS_KEEP_S) every
 * STORAGE_PERIOD_S. */
static void maintenance_main(void *arg)
{
    struct fx_server *s = arg;
    struct fx_db db = { 0 };
    snprintf(db.url, sizeof db.url, "%s", s->cfg.database_url);
    struct timespec started;
    clock_gettime(CLOCK_MONOTONIC, &started);
    double partitions_at = 0, lifecycle_at = -1e18, storage_at = -1e18;
    int was_leader = 0;
    while (!fx_thread_wait_ms(&s->maintenance, MAINTENANCE_TICK_MS)) {
        char err[512];
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        double now = (double)(t.tv_sec - started.tv_sec) + (double)(t.tv_nsec - started.tv_nsec) / 1e9;
        if (now - partitions_at >= MAINTENANCE_PERIOD_S) {
            partitions_at = now;
            if (ensure_partitions_ahead(&db, &s->cfg, err, sizeof err) != 0)
                fx_warn("partitions", "cannot create partitions ahead: %s", err);
        }
        int leader = fx_leader_is(s->leader);
        if (leader && (!was_leader || now - lifecycle_at >= s->cfg.maintenance_interval_s)) {
            lifecycle_at = now;
            if (fx_db_ensure(&db, err, sizeof err) == 0)
                run_lifecycle(&db, &s->cfg, &s->maintenance);
            else
                fx_warn("lifecycle", "maintenance postponed: %s", err);
            storage_at = -1e18; /* show what it did at once */
        }
        was_leader = leader;
        if (now - storage_at >= STORAGE_PERIOD_S) {
            storage_at = now;
            uint64_t pruned = 0;
            if (leader && fx_db_ensure(&db, err, sizeof err) == 0
                && fx_request_keys_prune(&db, FX_REQUEST_KEYS_KEEP_S, &pruned, err, sizeof err) != 0)
                fx_warn("rpc", "cannot forget old request keys: %s", err);
            struct fx_storage_range *ranges = NULL;
            size_t n = 0;
            if (fx_storage_read(&db, &ranges, &n, err, sizeof err) == 0) fx_core_metrics_storage(ranges, n);
            free(ranges);
        }
    }
    fx_db_close(&db);
}

static int prepare_database(const struct fx_config *cfg, char *err, size_t errlen)
{
    struct fx_db db;
    int applied = 0;
    int rc = fx_db_open(&db, cfg->database_url, err, errlen);
    if (rc == 0) rc = fx_migrate(&db, &applied, err, errlen);
    if (rc == 0) rc = ensure_partitions_ahead(&db, cfg, err, errlen);
    fx_db_close(&db);
    if (rc == 0) fx_info("server", "database ready (%d migrations applied now)", applied);
    return rc;
}

int fx_server_create(struct fx_server **out, const struct fx_config *cfg, char *err, size_t errlen)
{
    int rc = prepare_database(cfg, err, errlen);
    if (rc) return rc;
    struct fx_server *s = calloc(1, sizeof *s);
    if (s == NULL) return FX_ENOMEM;
    s->cfg = *cfg;
    rc = fx_leader_start(&s->leader, s->cfg.database_url, s->cfg.leader_check_ms, err, errlen);
    if (rc == 0)
        rc = fx_publisher_create(&s->pub, s->cfg.feed_url, s->cfg.database_url, s->cfg.day_start_hour, s->leader, err,
            errlen);
    if (rc == 0 && fx_handler_env_init(&s->env, &s->cfg, s->pub) != 0) {
        snprintf(err, errlen, "out of memory for the group commit queue");
        rc = FX_ENOMEM;
    }
    if (rc == 0)
        rc = fx_rpc_create(&s->rpc, s->cfg.rpc_url, s->cfg.rpc_contexts, s->cfg.db_pool_size, &fx_handler_ops,
            &s->env, err, errlen);
    if (rc == 0 && s->cfg.ingest_enabled) rc = fx_ingest_start(&s->ingest, &s->cfg, s->pub, err, errlen);
    if (rc == 0 && fx_thread_start(&s->maintenance, maintenance_main, s) != 0)
        fx_warn("server", "no maintenance thread: partitions ahead are not refreshed");
    if (rc == 0 && s->cfg.http_port > 0) rc = fx_core_http_start(&s->http, &s->cfg, err, errlen);
    if (rc) {
        fx_server_destroy(s);
        return rc;
    }
    s->serving = 1;
    *out = s;
    return 0;
}

/* The graceful stop, in this order: /readyz fails (and stays failed) so a
 * load balancer stops sending; after FX_DRAIN_DELAY_MS, ingest stops
 * reading and stores and acknowledges the batch in hand (it publishes it);
 * the RPC server answers the requests it received; the publisher, whose
 * users are all stopped by then, closes the feed; the HTTP port goes last,
 * so /livez answers to the end. */
void fx_server_destroy(struct fx_server *s)
{
    if (s == NULL) return;
    fx_core_http_set_draining(s->http);
    if (s->serving) fx_info("server", "draining: /readyz answers 503");
    if (s->serving && s->cfg.drain_delay_ms > 0) {
        fx_info("server", "waiting %d ms (FX_DRAIN_DELAY_MS) before stopping", s->cfg.drain_delay_ms);
        struct timespec ts = { s->cfg.drain_delay_ms / 1000, (long)(s->cfg.drain_delay_ms % 1000) * 1000000 };
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
    }
    fx_ingest_stop(s->ingest);
    fx_rpc_destroy(s->rpc);
    fx_handler_env_fini(&s->env); /* no request in hand any more */
    fx_publisher_destroy(s->pub);
    fx_thread_stop(&s->maintenance); /* ends a lifecycle pass between two days */
    fx_leader_stop(s->leader); /* after the publisher and the maintenance thread, which read it */
    if (s->serving) fx_info("server", "live feed closed");
    fx_core_http_stop(s->http);
    free(s);
}

int fx_server_is_leader(const struct fx_server *s) { return s != NULL && fx_leader_is(s->leader); }
