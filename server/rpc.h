/*
 * The request/reply server: an nng REP socket served by a pool of nng
 * contexts (each with its own aio, so many requests are in flight at once)
 * and a pool of worker threads that run the handlers. A context whose request
 * has arrived is queued for a worker; the queue is bounded by the number of
 * contexts, since each context holds at most one request.
 *
 * Workers, not nng's callback threads, run the handlers: handlers block on
 * PostgreSQL, and blocking nng's own task threads would stall its I/O.
 */
#ifndef FX_RPC_H
#define FX_RPC_H

#include <nng/nng.h>

struct fx_rpc;

/* One request in hand (its nng context), as the handler sees it. */
struct fx_rpc_call;

/* What `handle` returns when it answers the request later, with
 * fx_rpc_answer: the context stays with the request until then. */
extern char fx_rpc_later_marker_; /* only its address is used */
#define FX_RPC_ANSWER_LATER ((nng_msg *)(void *)&fx_rpc_later_marker_)

struct fx_rpc_ops {
    /* Creates the state of worker `index` (e.g. its database connection). */
    void *(*worker_create)(void *arg, int index);
    void (*worker_destroy)(void *worker);
    /* Turns a request into a reply. Takes `req`; returns a new message,
     * NULL to send no reply (the context then waits for the next request),
     * or FX_RPC_ANSWER_LATER after handing `call` to whoever answers it. */
    nng_msg *(*handle)(void *worker, nng_msg *req, struct fx_rpc_call *call);
};

/* Answers a request whose handler returned FX_RPC_ANSWER_LATER: sends
 * `reply` (taken; NULL: no reply) and frees the context for the next
 * request. Exactly once per such request, from any thread, before
 * fx_rpc_destroy returns (its drain waits for these answers). */
void fx_rpc_answer(struct fx_rpc_call *call, nng_msg *reply);

/* Listens on `url` and starts serving. Returns 0 or FX_ENNG / FX_ENOMEM with
 * the reason in `err`. */
int fx_rpc_create(struct fx_rpc **out, const char *url, int ncontexts, int nworkers,
    const struct fx_rpc_ops *ops, void *arg, char *err, size_t errlen);

/* Stops listening, finishes the requests in hand, frees everything. */
void fx_rpc_destroy(struct fx_rpc *rpc);

#endif
