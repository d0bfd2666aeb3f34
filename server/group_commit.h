/*
 * Group commit's queue: single-tick writes that arrive while a group is
 * being committed wait, and go together into the next group (one
 * transaction, one fsync). It has no thread of its own: a writer that
 * finds fewer groups running than allowed leads, running groups on its own
 * worker (and database connection) until the queue is empty; the others
 * queue their write and go back to other requests, and a leader answers
 * them.
 *
 * Any thread may submit. The queue does not own the items: `run` receives
 * them and answers (frees) each.
 */
#ifndef FX_GROUP_COMMIT_H
#define FX_GROUP_COMMIT_H

#include "server/tick_group.h"

#include <stddef.h>

struct fx_group_item {
    struct fx_group_op op;
    struct fx_group_item *next; /* the queue's */
};

/* Runs one group of items[0..n) (n >= 1) on `runner` (the leader's worker). */
typedef void (*fx_group_run_fn)(void *runner, struct fx_group_item **items, size_t n);

struct fx_group_queue;

/* A group holds at most `max` writes; a leader waits up to `wait_us` for
 * more before it runs a group smaller than that (0: never waits, a group is
 * whatever arrived while the previous one committed). Up to `leaders`
 * groups run at once (each on its leader's connection): one prepares while
 * another waits for its fsync or for the locks of their common symbols. */
int fx_group_queue_create(struct fx_group_queue **out, int max, int wait_us, int leaders, fx_group_run_fn run);

/* After every submitter returned (no group runs then). */
void fx_group_queue_destroy(struct fx_group_queue *q);

/* Queues `item`; when fewer groups run than allowed, the caller leads and
 * this returns once the queue is empty. */
void fx_group_submit(struct fx_group_queue *q, struct fx_group_item *item, void *runner);

#endif
