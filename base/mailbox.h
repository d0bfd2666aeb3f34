/*
 * A mailbox: a FIFO of items that any thread posts to and one owner thread
 * drains on its event loop, woken through an eventfd it polls with the
 * rest of its descriptors (epoll). The items are intrusive: embed a
 * struct fx_mail in yours and get yours back with FX_MAIL_ITEM.
 *
 * Who frees what: the mailbox never frees an item. A posted item belongs
 * to the owner (who drains it) from the moment fx_mailbox_post returns 0;
 * when post returns -1 (closed) the caller keeps it. Items still queued at
 * fx_mailbox_destroy are not freed: drain them first.
 *
 * Not thread-safe except where stated.
 */
#ifndef FX_BASE_MAILBOX_H
#define FX_BASE_MAILBOX_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct fx_mail {
    struct fx_mail *next; /* the next drained item, NULL after the last */
    uint64_t seq; /* set by post: 1, 2, ... in the order of the queue */
};

/* The item holding `mail`, a struct fx_mail at `member` of `type`. */
#define FX_MAIL_ITEM(mail, type, member) ((type *)(void *)((char *)(mail) - offsetof(type, member)))

struct fx_mailbox {
    pthread_mutex_t lock; /* everything below */
    struct fx_mail *head, **tail;
    uint64_t posted;
    int closed;
    int fd; /* eventfd: readable while items wait (or after a wake) */
};

/* Returns 0, or -1 with errno when there is no eventfd to be had. */
int fx_mailbox_init(struct fx_mailbox *m);

/* Releases the lock and the descriptor. No other thread may use `m` any
 * more; queued items are not freed (see above). Does nothing on a zeroed
 * mailbox, or one whose init failed. */
void fx_mailbox_destroy(struct fx_mailbox *m);

/* Appends `mail` and makes fd() readable; *seq (may be NULL) gets its
 * number. Returns 0 (the item is now the owner's), or -1 once closed (the
 * caller keeps it). Safe from any thread. */
int fx_mailbox_post(struct fx_mailbox *m, struct fx_mail *mail, uint64_t *seq);

/* Makes fd() readable without an item: e.g. to make the owner look at its
 * stop flag. Safe from any thread. */
void fx_mailbox_wake(struct fx_mailbox *m);

/* Takes every queued item at once, oldest first (linked by ->next), or
 * NULL; fd() is no longer readable until the next post or wake. The caller
 * owns the items. Safe from any thread, meant for the owner's loop. */
struct fx_mail *fx_mailbox_drain(struct fx_mailbox *m);

/* The descriptor to poll for EPOLLIN. Safe from any thread. */
int fx_mailbox_fd(const struct fx_mailbox *m);

/* Refuses every later post (those in the queue stay for a drain).
 * Idempotent. Safe from any thread. */
void fx_mailbox_close(struct fx_mailbox *m);

#endif
