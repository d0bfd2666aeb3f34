/*
 * fx-core's Prometheus metrics, served at GET /metrics of the HTTP port
 * (core_http.c): RPC requests by operation and status with a latency
 * histogram per operation, the ingest counters and histograms, the
 * consumer group's backlog (gauges), the live feed's messages, whether
 * this core leads, maintenance passes and the storage by symbol and state.
 *
 * Process-wide state in fixed-size tables behind one mutex: every function
 * is safe from any thread, and none allocates but fx_core_metrics_render.
 * Operation and status names are static strings (compared by address).
 */
#ifndef FX_CORE_METRICS_H
#define FX_CORE_METRICS_H

#include "server/lifecycle.h"

#include <stddef.h>
#include <stdint.h>

/* One RPC request: `op` its operation ("get_ticks", ...), `status` the
 * fx.v1.StatusCode of the reply (named by fx_status_name), `seconds` from
 * the start of the handler to the packed reply. */
void fx_core_metrics_rpc(const char *op, int status, double seconds);

/* One committed group of `writes` single-tick writes (group commit). */
void fx_core_metrics_group_commit(size_t writes);

/* Entries the reader took from the stream (XREADGROUP, XAUTOCLAIM). */
void fx_core_metrics_ingest_read(size_t entries);

/* One stored batch: its entries, the ticks it stored and skipped as
 * duplicates, the entries it dead-lettered, and how long the store
 * (transaction up to its COMMIT) took. */
void fx_core_metrics_ingest_batch(size_t entries, uint64_t stored, uint64_t duplicates, size_t dead_lettered,
    double commit_seconds);

/* The consumer group's backlog as the reader sampled it: entries delivered
 * but not acknowledged (XPENDING), and entries not yet delivered (XINFO
 * GROUPS "lag"); a negative lag means Redis could not tell (the sample is
 * then left out). */
void fx_core_metrics_ingest_backlog(long long pending, long long lag);

enum fx_feed_kind { FX_FEED_TICK, FX_FEED_CANDLE };

/* One message sent on the live feed. */
void fx_core_metrics_feed_published(enum fx_feed_kind kind);

/* 1 while this core is the leader (the one that closes candles), else 0. */
void fx_core_metrics_set_leader(int leader);

/* One maintenance pass (lifecycle.c) and how it ended (0 or an FX_E*). */
void fx_core_metrics_maintenance(const struct fx_maintenance_report *r, int rc);

/* The storage report as last read: replaces the storage gauges (summed
 * per symbol and state; symbols beyond the table's room are left out). */
void fx_core_metrics_storage(const struct fx_storage_range *ranges, size_t n);

/* The text exposition format; malloc'ed, the caller frees it (NULL when
 * out of memory). */
char *fx_core_metrics_render(size_t *len);

#endif
