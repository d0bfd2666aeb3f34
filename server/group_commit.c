#include "server/group_commit.h"

#include "base/errors.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct fx_group_queue {
    pthread_mutex_t lock;
    pthread_cond_t more; /* a leader waiting for a fuller group */
    struct fx_group_item *head, *tail;
    size_t queued;
    int leading; /* a submitter is running groups */
    size_t max;
    int wait_us;
    fx_group_run_fn run;
    struct fx_group_item **items; /* the group being run (max of them) */
};

int fx_group_queue_create(struct fx_group_queue **out, int max, int wait_us, fx_group_run_fn run)
{
    struct fx_group_queue *q = calloc(1, sizeof *q);
    if (q == NULL) return FX_ENOMEM;
    q->max = max > 0 ? (size_t)max : 1;
    q->items = malloc(q->max * sizeof *q->items);
    if (q->items == NULL) {
        free(q);
        return FX_ENOMEM;
    }
    pthread_mutex_init(&q->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&q->more, &attr);
    pthread_condattr_destroy(&attr);
    q->wait_us = wait_us;
    q->run = run;
    *out = q;
    return 0;
}

void fx_group_queue_destroy(struct fx_group_queue *q)
{
    if (q == NULL) return;
    pthread_cond_destroy(&q->more);
    pthread_mutex_destroy(&q->lock);
    free(q->items);
    free(q);
}

/* With the lock held: waits (at most wait_us) until a full group is queued. */
static void gather(struct fx_group_queue *q)
{
    if (q->wait_us <= 0 || q->queued >= q->max) return;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += (long)q->wait_us * 1000;
    deadline.tv_sec += deadline.tv_nsec / 1000000000;
    deadline.tv_nsec %= 1000000000;
    while (q->queued < q->max && pthread_cond_timedwait(&q->more, &q->lock, &deadline) == 0) { }
}

/* With the lock held: takes up to max items off the queue, in order. */
static size_t take(struct fx_group_queue *q, struct fx_group_item **items)
{
    size_t n = 0;
    while (q->head && n < q->max) {
        items[n++] = q->head;
        q->head = q->head->next;
    }
    if (q->head == NULL) q->tail = NULL;
    q->queued -= n;
    return n;
}

void fx_group_submit(struct fx_group_queue *q, struct fx_group_item *item, void *runner)
{
    item->next = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->tail)
        q->tail->next = item;
    else
        q->head = item;
    q->tail = item;
    q->queued++;
    if (q->leading) {
        if (q->queued >= q->max) pthread_cond_signal(&q->more);
        pthread_mutex_unlock(&q->lock);
        return; /* the leader takes it into its next group */
    }
    q->leading = 1;
    for (;;) {
        gather(q);
        size_t n = take(q, q->items);
        if (n == 0) break;
        pthread_mutex_unlock(&q->lock);
        q->run(runner, q->items, n); /* only the leader uses q->items */
        pthread_mutex_lock(&q->lock);
    }
    q->leading = 0;
    pthread_mutex_unlock(&q->lock);
}
