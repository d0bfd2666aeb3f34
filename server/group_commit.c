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
    size_t max;
    int wait_us;
    fx_group_run_fn run;
    int leaders_max;
    /* leader k (a submitter running groups) runs its groups in
     * items[k * max ..]; busy[k] while it leads */
    struct fx_group_item **items;
    unsigned char *busy;
};

int fx_group_queue_create(struct fx_group_queue **out, int max, int wait_us, int leaders, fx_group_run_fn run)
{
    struct fx_group_queue *q = calloc(1, sizeof *q);
    if (q == NULL) return FX_ENOMEM;
    q->max = max > 0 ? (size_t)max : 1;
    q->leaders_max = leaders > 0 ? leaders : 1;
    q->items = malloc((size_t)q->leaders_max * q->max * sizeof *q->items);
    q->busy = calloc((size_t)q->leaders_max, 1);
    if (q->items == NULL || q->busy == NULL) {
        free(q->items), free(q->busy), free(q);
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
    free(q->busy);
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
    int k = 0;
    while (k < q->leaders_max && q->busy[k]) k++;
    if (k == q->leaders_max) {
        if (q->queued >= q->max) pthread_cond_signal(&q->more);
        pthread_mutex_unlock(&q->lock);
        return; /* a leader takes it into its next group */
    }
    q->busy[k] = 1;
    struct fx_group_item **items = q->items + (size_t)k * q->max;
    for (;;) {
        gather(q);
        size_t n = take(q, items);
        if (n == 0) break;
        pthread_mutex_unlock(&q->lock);
        q->run(runner, items, n);
        pthread_mutex_lock(&q->lock);
    }
    q->busy[k] = 0;
    pthread_mutex_unlock(&q->lock);
}
