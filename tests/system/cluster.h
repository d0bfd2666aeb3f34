/*
 * fx-core and fx-bridge processes for the system tests, started as a user
 * starts them (environment settings, one log file each) and started again
 * with the same settings after a stop. Cores share one Redis Stream and
 * consumer group; each bridge lists every core. The processes are children
 * of the test (fx_proc_kill_all ends them); use from the test's main thread.
 */
#ifndef FX_TESTS_CLUSTER_H
#define FX_TESTS_CLUSTER_H

#include <sys/types.h>

#define FX_CLUSTER_ENV_MAX 12

/* A process with the settings it was started with, to start it again. */
struct fx_cluster_proc {
    char env[FX_CLUSTER_ENV_MAX][300];
    int nenv;
    const char *prog;
    char log[96]; /* its stdout and stderr, appended across restarts */
    pid_t pid;
};

struct fx_cluster_core {
    char rpc[64], feed[64];
    int http_port; /* /livez, /readyz, /metrics */
    struct fx_cluster_proc p;
};

struct fx_cluster_bridge {
    int port;
    struct fx_cluster_proc p;
};

/* Starts fx-core `name` (also its REDIS_CONSUMER: stable across restarts,
 * so a restarted core finds its own pending entries) on free ports, reading
 * `stream`. */
void fx_cluster_core_start(struct fx_cluster_core *c, const char *name, const char *stream);

/* Starts an fx-bridge on a free port whose FX_RPC_URL and FX_FEED_URL list
 * the `n` cores. */
void fx_cluster_bridge_start(struct fx_cluster_bridge *b, const struct fx_cluster_core *cores, int n);

/* Starts the process again with the settings of its first start. */
void fx_cluster_run(struct fx_cluster_proc *p);

/* SIGTERM (asserting a clean exit: a graceful stop), then fx_cluster_run. */
void fx_cluster_restart(struct fx_cluster_proc *p);

/* Points the test's HTTP client (tests/support/http_client.h) at bridge `b`. */
void fx_cluster_use_bridge(const struct fx_cluster_bridge *b);

/* Waits until bridge `b` listens and its /health answers 200 (asserts). */
void fx_cluster_wait_healthy(const struct fx_cluster_bridge *b);

/* fx_core_leader of core `c`'s /metrics: 1 or 0 (asserts that it answers). */
int fx_cluster_core_leads(const struct fx_cluster_core *c);

#endif
