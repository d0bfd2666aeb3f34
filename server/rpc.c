#include "server/rpc.h"

#include "fx/limits.h"

#include "base/errors.h"
#include "base/nng_tls.h"
#include "base/log.h"

#include <nng/protocol/reqrep0/rep.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define DRAIN_MAX_MS 30000 /* a stop waits this long at most for the requests in hand */

enum ctx_state { CTX_RECV, CTX_SEND };

/* One nng context and the request it holds (handlers see it as a call). */
struct fx_rpc_call {
    struct fx_rpc *rpc;
    nng_ctx ctx;
    nng_aio *aio;
    enum ctx_state state;
    nng_msg *req; /* while queued for a worker */
    struct fx_rpc_call *next; /* in the ready queue */
};

struct fx_rpc {
    nng_socket sock;
    struct fx_rpc_ops ops;
    void *arg;
    int nctx, nworkers;
    struct fx_rpc_call *ctxs;
    pthread_t *threads;
    int nthreads_started;

    pthread_mutex_t lock;
    pthread_cond_t ready_cv;
    struct fx_rpc_call *ready_head, *ready_tail;
    int stopping;
    /* The graceful stop: a context whose request is answered while
     * draining receives no other, so the requests in hand are bounded
     * (one per context) and each is answered before the socket closes. */
    int draining;
    int inflight; /* received, not yet answered */
    int busy; /* workers between taking a request and returning from nng_ctx_send */
    pthread_cond_t idle_cv; /* inflight or busy went down */
};

char fx_rpc_later_marker_;

static void ctx_recv(struct fx_rpc_call *c)
{
    c->state = CTX_RECV;
    nng_ctx_recv(c->ctx, c->aio);
}

/* A request was answered (or dropped). Returns whether its context is to
 * receive the next one (not while draining). Never blocks for long. */
static int request_done(struct fx_rpc *rpc)
{
    pthread_mutex_lock(&rpc->lock);
    rpc->inflight--;
    int again = !rpc->draining;
    pthread_cond_broadcast(&rpc->idle_cv);
    pthread_mutex_unlock(&rpc->lock);
    return again;
}

/* A worker is done with nng for its request. A send completes (and its
 * callback may run) before nng_ctx_send returns: the drain also waits for
 * this, since closing the socket under a worker still inside nng_ctx_send
 * makes nng panic. */
static void worker_idle(struct fx_rpc *rpc)
{
    pthread_mutex_lock(&rpc->lock);
    rpc->busy--;
    pthread_cond_broadcast(&rpc->idle_cv);
    pthread_mutex_unlock(&rpc->lock);
}

static void enqueue(struct fx_rpc *rpc, struct fx_rpc_call *c)
{
    pthread_mutex_lock(&rpc->lock);
    rpc->inflight++;
    c->next = NULL;
    if (rpc->ready_tail)
        rpc->ready_tail->next = c;
    else
        rpc->ready_head = c;
    rpc->ready_tail = c;
    pthread_cond_signal(&rpc->ready_cv);
    pthread_mutex_unlock(&rpc->lock);
}

/* Runs on nng's threads: only moves messages, never blocks. */
static void ctx_callback(void *arg)
{
    struct fx_rpc_call *c = arg;
    int rv = nng_aio_result(c->aio);
    if (c->state == CTX_SEND) {
        int again = request_done(c->rpc);
        if (rv != 0) {
            nng_msg_free(nng_aio_get_msg(c->aio));
            if (rv == NNG_ECLOSED) return;
            fx_warn("rpc", "reply not sent: %s", nng_strerror(rv));
        }
        if (again) ctx_recv(c);
        return;
    }
    if (rv != 0) {
        if (rv == NNG_ECLOSED) return;
        fx_warn("rpc", "receive failed: %s", nng_strerror(rv));
        ctx_recv(c);
        return;
    }
    c->req = nng_aio_get_msg(c->aio);
    enqueue(c->rpc, c);
}

static struct fx_rpc_call *dequeue(struct fx_rpc *rpc)
{
    pthread_mutex_lock(&rpc->lock);
    while (rpc->ready_head == NULL && !rpc->stopping) pthread_cond_wait(&rpc->ready_cv, &rpc->lock);
    struct fx_rpc_call *c = rpc->ready_head;
    if (c && !rpc->stopping) {
        rpc->ready_head = c->next;
        if (rpc->ready_head == NULL) rpc->ready_tail = NULL;
        rpc->busy++;
    } else {
        c = NULL;
    }
    pthread_mutex_unlock(&rpc->lock);
    return c;
}

/* Sends `reply` on `c` (NULL: none, the context takes the next request).
 * The caller counts as busy (see worker_idle). */
static void send_reply(struct fx_rpc_call *c, nng_msg *reply)
{
    if (reply == NULL) {
        if (request_done(c->rpc)) ctx_recv(c);
        return;
    }
    c->state = CTX_SEND;
    nng_aio_set_msg(c->aio, reply);
    nng_ctx_send(c->ctx, c->aio);
}

void fx_rpc_answer(struct fx_rpc_call *c, nng_msg *reply)
{
    struct fx_rpc *rpc = c->rpc;
    pthread_mutex_lock(&rpc->lock);
    rpc->busy++;
    pthread_mutex_unlock(&rpc->lock);
    send_reply(c, reply);
    worker_idle(rpc);
}

struct worker_start {
    struct fx_rpc *rpc;
    int index;
};

static void *worker_main(void *arg)
{
    struct worker_start *ws = arg;
    struct fx_rpc *rpc = ws->rpc;
    void *worker = rpc->ops.worker_create(rpc->arg, ws->index);
    free(ws);
    struct fx_rpc_call *c;
    while ((c = dequeue(rpc)) != NULL) {
        nng_msg *req = c->req;
        c->req = NULL;
        nng_msg *reply = rpc->ops.handle(worker, req, c);
        /* answered later: `c` may already be answered and serving another
         * request, so it is not touched again here */
        if (reply != FX_RPC_ANSWER_LATER) send_reply(c, reply);
        worker_idle(rpc);
    }
    rpc->ops.worker_destroy(worker);
    return NULL;
}

static int start_workers(struct fx_rpc *rpc, char *err, size_t errlen)
{
    rpc->threads = calloc((size_t)rpc->nworkers, sizeof *rpc->threads);
    if (rpc->threads == NULL) return FX_ENOMEM;
    for (int i = 0; i < rpc->nworkers; i++) {
        struct worker_start *ws = malloc(sizeof *ws);
        if (ws == NULL) return FX_ENOMEM;
        ws->rpc = rpc, ws->index = i;
        if (pthread_create(&rpc->threads[i], NULL, worker_main, ws) != 0) {
            free(ws);
            snprintf(err, errlen, "cannot start worker thread %d", i);
            return FX_ENOMEM;
        }
        rpc->nthreads_started++;
    }
    return 0;
}

static int open_contexts(struct fx_rpc *rpc, char *err, size_t errlen)
{
    rpc->ctxs = calloc((size_t)rpc->nctx, sizeof *rpc->ctxs);
    if (rpc->ctxs == NULL) return FX_ENOMEM;
    for (int i = 0; i < rpc->nctx; i++) {
        struct fx_rpc_call *c = &rpc->ctxs[i];
        c->rpc = rpc;
        int rv = nng_aio_alloc(&c->aio, ctx_callback, c);
        if (rv == 0) rv = nng_ctx_open(&c->ctx, rpc->sock);
        if (rv != 0) {
            snprintf(err, errlen, "cannot open nng context: %s", nng_strerror(rv));
            return FX_ENNG;
        }
    }
    return 0;
}

int fx_rpc_create(struct fx_rpc **out, const char *url, int ncontexts, int nworkers,
    const struct fx_rpc_ops *ops, void *arg, char *err, size_t errlen)
{
    struct fx_rpc *rpc = calloc(1, sizeof *rpc);
    if (rpc == NULL) return FX_ENOMEM;
    rpc->ops = *ops, rpc->arg = arg, rpc->nctx = ncontexts, rpc->nworkers = nworkers;
    pthread_mutex_init(&rpc->lock, NULL);
    pthread_cond_init(&rpc->ready_cv, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&rpc->idle_cv, &attr);
    pthread_condattr_destroy(&attr);

    int rv = nng_rep0_open(&rpc->sock);
    if (rv != 0) {
        snprintf(err, errlen, "cannot open REP socket: %s", nng_strerror(rv));
        pthread_cond_destroy(&rpc->idle_cv);
        pthread_cond_destroy(&rpc->ready_cv);
        pthread_mutex_destroy(&rpc->lock);
        free(rpc);
        return FX_ENNG;
    }
    /* The largest valid request, a bulk of FX_BULK_MAX ticks with the longest
     * symbols, packs to about 4.3 MiB: nng drops anything past FX_RPC_REQUEST_MAX
     * (closing that connection) instead of buffering it. */
    nng_socket_set_size(rpc->sock, NNG_OPT_RECVMAXSZ, FX_RPC_REQUEST_MAX);
    int rc = open_contexts(rpc, err, errlen);
    if (rc == 0) rc = start_workers(rpc, err, errlen);
    if (rc == 0) rc = fx_tls_listen(rpc->sock, url, err, errlen, NULL); /* tls+tcp://: TLS, clients with certificates */
    if (rc != 0) {
        fx_rpc_destroy(rpc);
        return rc;
    }
    for (int i = 0; i < rpc->nctx; i++) ctx_recv(&rpc->ctxs[i]);
    fx_info("rpc", "serving on %s (%d contexts, %d workers)", url, ncontexts, nworkers);
    *out = rpc;
    return 0;
}

/* Waits until every request received so far is answered (at most
 * DRAIN_MAX_MS); contexts stop receiving as they finish. Then no worker
 * takes another request (stopping), so none is inside nng when the socket
 * closes. */
static void drain(struct fx_rpc *rpc)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += DRAIN_MAX_MS / 1000;
    pthread_mutex_lock(&rpc->lock);
    rpc->draining = 1;
    int had = rpc->inflight;
    if (had > 0) fx_info("rpc", "answering %d requests in hand", had);
    int rc = 0;
    while ((rpc->inflight > 0 || rpc->busy > 0) && rc == 0)
        rc = pthread_cond_timedwait(&rpc->idle_cv, &rpc->lock, &deadline);
    int left = rpc->inflight;
    rpc->stopping = 1; /* a request arriving from now on is dropped (freed below) */
    pthread_cond_broadcast(&rpc->ready_cv);
    pthread_mutex_unlock(&rpc->lock);
    if (left > 0)
        fx_warn("rpc", "%d requests still unanswered after %d ms: closing anyway", left, DRAIN_MAX_MS);
    else if (had > 0)
        fx_info("rpc", "requests in hand answered; closing the REP socket");
    else
        fx_info("rpc", "no request in hand; closing the REP socket");
}

void fx_rpc_destroy(struct fx_rpc *rpc)
{
    if (rpc == NULL) return;
    if (rpc->nthreads_started > 0) drain(rpc);
    /* Closing the socket completes every pending aio with NNG_ECLOSED. */
    nng_close(rpc->sock);
    pthread_mutex_lock(&rpc->lock);
    rpc->stopping = 1;
    pthread_cond_broadcast(&rpc->ready_cv);
    pthread_mutex_unlock(&rpc->lock);
    for (int i = 0; i < rpc->nthreads_started; i++) pthread_join(rpc->threads[i], NULL);
    for (int i = 0; rpc->ctxs && i < rpc->nctx; i++) {
        struct fx_rpc_call *c = &rpc->ctxs[i];
        if (c->aio) {
            nng_aio_stop(c->aio);
            nng_aio_free(c->aio);
        }
        if (c->req) nng_msg_free(c->req); /* requests still queued when we stopped */
        nng_ctx_close(c->ctx);
    }
    free(rpc->ctxs);
    free(rpc->threads);
    pthread_cond_destroy(&rpc->idle_cv);
    pthread_cond_destroy(&rpc->ready_cv);
    pthread_mutex_destroy(&rpc->lock);
    free(rpc);
}
