/* base/mailbox: FIFO across threads, the eventfd, closing. */
#include "base/mailbox.h"

#include <criterion/criterion.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>

struct item {
    int producer, n;
    struct fx_mail mail;
};

static int readable(struct fx_mailbox *m)
{
    struct pollfd p = { .fd = fx_mailbox_fd(m), .events = POLLIN };
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void free_all(struct fx_mail *mail)
{
    while (mail) {
        struct fx_mail *next = mail->next;
        free(FX_MAIL_ITEM(mail, struct item, mail));
        mail = next;
    }
}

Test(mailbox, the_descriptor_is_readable_after_a_post_and_not_after_the_drain)
{
    struct fx_mailbox m;
    cr_assert_eq(fx_mailbox_init(&m), 0);
    cr_assert_not(readable(&m));
    cr_assert_null(fx_mailbox_drain(&m));
    struct item a = { .n = 1 }, b = { .n = 2 };
    uint64_t seq = 0;
    cr_assert_eq(fx_mailbox_post(&m, &a.mail, &seq), 0);
    cr_assert_eq(seq, 1);
    cr_assert_eq(fx_mailbox_post(&m, &b.mail, &seq), 0);
    cr_assert_eq(seq, 2);
    cr_assert(readable(&m));
    struct fx_mail *got = fx_mailbox_drain(&m);
    cr_assert_not(readable(&m));
    cr_assert_eq(got, &a.mail);
    cr_assert_eq(FX_MAIL_ITEM(got, struct item, mail)->n, 1);
    cr_assert_eq(got->next, &b.mail);
    cr_assert_null(got->next->next);
    cr_assert_null(fx_mailbox_drain(&m));
    fx_mailbox_destroy(&m);
}

Test(mailbox, a_wake_makes_the_descriptor_readable_without_an_item)
{
    struct fx_mailbox m;
    cr_assert_eq(fx_mailbox_init(&m), 0);
    fx_mailbox_wake(&m);
    cr_assert(readable(&m));
    cr_assert_null(fx_mailbox_drain(&m));
    cr_assert_not(readable(&m));
    fx_mailbox_destroy(&m);
}

Test(mailbox, a_post_after_the_close_fails_and_the_caller_keeps_the_item)
{
    struct fx_mailbox m;
    cr_assert_eq(fx_mailbox_init(&m), 0);
    struct item a = { .n = 1 }, b = { .n = 2 };
    cr_assert_eq(fx_mailbox_post(&m, &a.mail, NULL), 0);
    fx_mailbox_close(&m);
    fx_mailbox_close(&m);
    uint64_t seq = 77;
    cr_assert_eq(fx_mailbox_post(&m, &b.mail, &seq), -1);
    cr_assert_eq(seq, 77, "no number for a refused item");
    /* what was posted before the close is still there to drain */
    struct fx_mail *got = fx_mailbox_drain(&m);
    cr_assert_eq(got, &a.mail);
    cr_assert_null(got->next);
    cr_assert_not(readable(&m));
    fx_mailbox_destroy(&m);
}

Test(mailbox, destroy_of_a_zeroed_mailbox_does_nothing)
{
    struct fx_mailbox m = { 0 };
    fx_mailbox_destroy(&m);
}

#define PRODUCERS 4
#define PER_PRODUCER 20000

struct producer {
    struct fx_mailbox *m;
    int index;
};

static void *produce(void *arg)
{
    struct producer *p = arg;
    for (int n = 0; n < PER_PRODUCER; n++) {
        /* no cr_assert off the test's thread: abort is the failure here */
        struct item *it = malloc(sizeof *it);
        if (it == NULL) abort();
        it->producer = p->index;
        it->n = n;
        if (fx_mailbox_post(p->m, &it->mail, NULL) != 0) abort();
    }
    return NULL;
}

/* Each producer's items arrive in its order, numbered in the queue's order,
 * and the owner's poll on the descriptor sees every batch. */
Test(mailbox, items_keep_their_order_across_threads)
{
    struct fx_mailbox m;
    cr_assert_eq(fx_mailbox_init(&m), 0);
    pthread_t threads[PRODUCERS];
    struct producer prod[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) {
        prod[i] = (struct producer){ &m, i };
        cr_assert_eq(pthread_create(&threads[i], NULL, produce, &prod[i]), 0);
    }
    int next[PRODUCERS] = { 0 };
    uint64_t last_seq = 0;
    int total = 0;
    while (total < PRODUCERS * PER_PRODUCER) {
        struct pollfd p = { .fd = fx_mailbox_fd(&m), .events = POLLIN };
        cr_assert_eq(poll(&p, 1, 10000), 1, "no wake-up with %d items still to come",
            PRODUCERS * PER_PRODUCER - total);
        struct fx_mail *mail = fx_mailbox_drain(&m);
        for (struct fx_mail *x = mail; x; x = x->next) {
            struct item *it = FX_MAIL_ITEM(x, struct item, mail);
            cr_assert_eq(it->n, next[it->producer], "producer %d: item %d after %d", it->producer, it->n,
                next[it->producer] - 1);
            next[it->producer]++;
            cr_assert_eq(x->seq, last_seq + 1);
            last_seq = x->seq;
            total++;
        }
        free_all(mail);
    }
    for (int i = 0; i < PRODUCERS; i++) pthread_join(threads[i], NULL);
    cr_assert_null(fx_mailbox_drain(&m));
    cr_assert_not(readable(&m));
    fx_mailbox_destroy(&m);
}
