/*
 * The threads that run fx-bridge's handlers which wait on fx-core. The HTTP
 * server's few polling threads (libmicrohttpd's epoll) must never block:
 * a request that needs the core is suspended there, its handler runs here,
 * and the connection is resumed with the answer. So idle and half-sent
 * connections hold no thread at all, and BRIDGE_WORKERS bounds the
 * requests that wait on the core at once (more queue, in arrival order).
 *
 * Ownership: fx_request_pool_create allocates; fx_request_pool_destroy runs
 * every job still queued, joins the threads and frees the pool, unless that
 * takes longer than it may wait (then it leaves the pool, and everything
 * its jobs use, to the process's exit). Threads:
 * fx_request_pool_submit from any thread; create and destroy from one.
 */
#ifndef FX_BRIDGE_REQUEST_POOL_H
#define FX_BRIDGE_REQUEST_POOL_H

struct fx_request_pool;

/* `threads` >= 1. Returns 0, or -1 when not one thread could start. */
int fx_request_pool_create(struct fx_request_pool **out, int threads);

/* Queues run(arg). Returns 0, or -1 when out of memory (run is not called). */
int fx_request_pool_submit(struct fx_request_pool *p, void (*run)(void *arg), void *arg);

/* Waits at most `wait_ms` (< 0: as long as it takes) for the jobs queued
 * and running to end. Returns 0 when the pool is gone, or -1 when jobs
 * still run: the pool is left as it is, and must not be used again. */
int fx_request_pool_destroy(struct fx_request_pool *p, int wait_ms);

#endif
