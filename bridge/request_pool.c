#include "bridge/request_pool.h"

#include "base/log.h"
#include "base/worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct job {
    struct job *next;
    void (*run)(void *arg);
    void *arg;
};

struct fx_request_pool {
    pthread_mutex_t mu;
    pthread_cond_t work;
    struct job *head, *tail;
    int stopping;
    int busy; /* jobs running */
    pthread_cond_t idle; /* signalled when the last running job ends */
    int nthreads;
    pthread_t *threads;
};

static void *serve(void *arg)
{
    struct fx_request_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->head == NULL && !p->stopping) pthread_cond_wait(&p->work, &p->mu);
        struct job *j = p->head;
        if (j == NULL) break; /* stopping, and nothing left to run */
        p->head = j->next;
        if (p->head == NULL) p->tail = NULL;
        p->busy++;
        pthread_mutex_unlock(&p->mu);
        j->run(j->arg);
        free(j);
        pthread_mutex_lock(&p->mu);
        if (--p->busy == 0 && p->head == NULL) pthread_cond_broadcast(&p->idle);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int fx_request_pool_create(struct fx_request_pool **out, int threads)
{
    struct fx_request_pool *p = calloc(1, sizeof *p);
    if (p == NULL) return -1;
    p->threads = calloc((size_t)threads, sizeof *p->threads);
    if (p->threads == NULL) {
        free(p);
        return -1;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->idle, &ca);
    pthread_condattr_destroy(&ca);
    for (int i = 0; i < threads; i++) {
        int rc = pthread_create(&p->threads[p->nthreads], NULL, serve, p);
        if (rc != 0) {
            fx_warn("http", "started %d of BRIDGE_WORKERS=%d handler threads: %s", p->nthreads, threads, strerror(rc));
            break;
        }
        p->nthreads++;
    }
    if (p->nthreads == 0) {
        fx_request_pool_destroy(p, -1);
        return -1;
    }
    *out = p;
    return 0;
}

int fx_request_pool_submit(struct fx_request_pool *p, void (*run)(void *arg), void *arg)
{
    struct job *j = malloc(sizeof *j);
    if (j == NULL) return -1;
    j->next = NULL, j->run = run, j->arg = arg;
    pthread_mutex_lock(&p->mu);
    if (p->tail) p->tail->next = j;
    else p->head = j;
    p->tail = j;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

int fx_request_pool_destroy(struct fx_request_pool *p, int wait_ms)
{
    if (p == NULL) return 0;
    struct timespec until = fx_timespec_after_ms(CLOCK_MONOTONIC, wait_ms < 0 ? 0 : wait_ms);
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_cond_broadcast(&p->work);
    int timed_out = 0;
    while ((p->busy > 0 || p->head != NULL) && !timed_out)
        timed_out = wait_ms < 0 ? pthread_cond_wait(&p->idle, &p->mu) != 0
                                : pthread_cond_timedwait(&p->idle, &p->mu, &until) == ETIMEDOUT;
    int left = p->busy + (p->head != NULL);
    pthread_mutex_unlock(&p->mu);
    if (left) return -1;
    for (int i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->idle);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p);
    return 0;
}
