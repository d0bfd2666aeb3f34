/*
 * fx-core as a whole: applies migrations, keeps daily partitions created
 * ahead, and serves RPC. main.c and the integration tests create it.
 *
 * The threads of fx-core (connections are each thread's own unless said):
 *
 *   thread          what it owns / does                 connections               locks it takes
 *   main            config, fx_server_create/destroy,   PostgreSQL at start only  -
 *                   waits for SIGINT/SIGTERM            (migrations, partitions)
 *   rpc worker x    a handler each (handlers.c):        PostgreSQL (one each);    rpc.lock (ready queue);
 *     DB_POOL_SIZE  runs requests, publishes writes     Redis per health request  publisher's send_lock,
 *                                                                                 db_lock (publish.c)
 *   nng's threads   REP contexts' callbacks (rpc.c)     the REP socket            rpc.lock (enqueue only,
 *                   and all socket I/O; never block     (FX_RPC_URL), the PUB     never blocks)
 *                                                       socket's I/O
 *   publish timer   while leader: closes every core's   PostgreSQL (its own,      send_lock
 *                   candles whose bucket ended          opened when it first
 *                   (fx_thread, every CLOSE_CHECK_MS)   leads); sends on the
 *                                                       PUB socket
 *   leader          candle leadership: tries the        PostgreSQL (its own,      -
 *                   advisory lock, or checks it holds   keepalives; holds the
 *                   (fx_thread, every LEADER_CHECK_MS)  session lock) (leader.c)
 *   maintenance     partitions ahead, every             PostgreSQL (its own,      maintenance and
 *                   MAINTENANCE_PERIOD_S; while leader, opened when first due;    lifecycle advisory
 *                   retention and compaction            holds the maintenance     locks (lifecycle.h)
 *                   (lifecycle.c) at start and every    lock during a pass)
 *                   MAINTENANCE_INTERVAL_S; storage
 *                   gauges (fx_thread)
 *   ingest reader   XREADGROUP, XAUTOCLAIM, XTRIM;      Redis (reads, trims)      ingest lock (the slot)
 *                   parses, fills the slot (fx_thread)
 *   ingest storer   stores the slot's batch, publishes, PostgreSQL; Redis (XACK,  ingest lock; publisher's
 *                   acknowledges (fx_thread)            dead letters)             send_lock, db_lock
 *   http listener   MHD's polling thread: accepts on    the listening socket      MHD's own
 *                   FX_HTTP_PORT (core_http.c)          (FX_HTTP_BIND)
 *   http conn x     one HTTP connection each (MHD):     its client socket;        core_http's check_lock;
 *     (<= 64)       /livez, /readyz, /metrics           /readyz: PostgreSQL and   core_metrics' lock
 *                                                       Redis of its own (short
 *                                                       timeouts)
 *
 * The ingest threads run with INGEST_ENABLED=1 only, the http ones with
 * FX_HTTP_PORT > 0. Every thread that counts something takes
 * core_metrics.c's lock for the count alone. The PUB socket
 * (FX_FEED_URL) is shared: publish.c's send_lock serialises its one aio;
 * the writers' PostgreSQL connection of the publisher (custom days read
 * back) is behind db_lock. The publish timer reads the leader's flag (an
 * atomic). No lock is held while another is taken, so
 * there is no lock order to keep (every fx_thread also has a lock of its
 * own for its wait, base/worker.c; a log line is one fwrite). Stop signals
 * are blocked before any thread starts: main alone takes them.
 */
#ifndef FX_SERVER_H
#define FX_SERVER_H

#include "server/config.h"
#include "server/lifecycle.h"

#include <stddef.h>

struct fx_server;

/* Starts serving according to `cfg` (copied). Returns 0, or a negative FX_E*
 * code with the reason in `err`. Free with fx_server_destroy. */
int fx_server_create(struct fx_server **out, const struct fx_config *cfg, char *err, size_t errlen);

/* Stops gracefully and frees everything: /readyz fails first ("draining"),
 * then, after FX_DRAIN_DELAY_MS, ingest stops reading and stores and
 * acknowledges the batch in hand, the RPC server answers the requests it
 * received, the feed closes, the HTTP port last. One log line per step. */
void fx_server_destroy(struct fx_server *s);

/* Whether this core is the candle leader now (server/leader.h). Any thread. */
int fx_server_is_leader(const struct fx_server *s);

/* The lifecycle settings of `cfg` (what a maintenance pass applies). */
struct fx_lifecycle_policy fx_server_policy(const struct fx_config *cfg);

/* Applies pending migrations on a connection of its own; *applied receives
 * how many. Used by `fx-core migrate` and by fx_server_create. */
int fx_server_migrate(const struct fx_config *cfg, int *applied, char *err, size_t errlen);

#endif
