/*
 * fx-core's HTTP port (libmicrohttpd, FX_HTTP_PORT on FX_HTTP_BIND), for
 * orchestrators and monitoring:
 *
 *   GET /livez    200 {"status":"ok"} while the process serves
 *   GET /readyz   200 {"status":"ready",...} when PostgreSQL answers with the
 *                 latest embedded migration applied and, with ingest on,
 *                 Redis answers; else 503 {"status":"not ready","detail":
 *                 "database: ...; redis: ..."}, or "draining: ..." once
 *                 fx_core_http_set_draining was called
 *   GET /metrics  Prometheus text (server/core_metrics.h)
 *
 * HEAD works wherever GET does; another method is a 405, another path a
 * 404, both with a JSON {"detail"}. Readiness is checked on connections of
 * its own with short timeouts (no RPC worker is involved) and the answer is
 * kept for a second, so frequent probes cost nothing; concurrent probes
 * share one check.
 *
 * Threads: MHD's listener and one thread per HTTP connection (see the
 * table in server/server.h); they take this module's check lock and
 * core_metrics.c's lock.
 */
#ifndef FX_CORE_HTTP_H
#define FX_CORE_HTTP_H

#include "server/config.h"

#include <stddef.h>

struct fx_core_http;

/* Listens on cfg->http_bind:cfg->http_port (0: a free port the kernel
 * picks, see fx_core_http_port); `cfg` is copied. Returns 0, or FX_ECONFIG
 * (bad address, port in use) with the reason in `err`. The owner frees it
 * with fx_core_http_stop. */
int fx_core_http_start(struct fx_core_http **out, const struct fx_config *cfg, char *err, size_t errlen);

/* The port listened on. Any thread. */
unsigned fx_core_http_port(const struct fx_core_http *h);

/* From now on /readyz answers 503 "draining" (the core is stopping). Any
 * thread; `h` may be NULL. */
void fx_core_http_set_draining(struct fx_core_http *h);

/* Closes the port (waiting for requests in hand) and frees `h` (may be
 * NULL). The owner's thread. */
void fx_core_http_stop(struct fx_core_http *h);

#endif
