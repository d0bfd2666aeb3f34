#include "base/mailbox.h"

#include "base/log.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

int fx_mailbox_init(struct fx_mailbox *m)
{
    memset(m, 0, sizeof *m);
    m->tail = &m->head;
    m->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m->fd < 0) return -1;
    pthread_mutex_init(&m->lock, NULL);
    return 0;
}

void fx_mailbox_destroy(struct fx_mailbox *m)
{
    /* also on a zeroed mailbox never initialised (tail NULL): fd 0 is not ours */
    if (m->tail == NULL || m->fd < 0) return;
    close(m->fd);
    m->fd = -1;
    pthread_mutex_destroy(&m->lock);
}

/* Caller holds the lock, so that the count follows the queue exactly. */
static void signal_fd(struct fx_mailbox *m)
{
    uint64_t one = 1;
    if (write(m->fd, &one, sizeof one) < 0 && errno != EAGAIN)
        fx_warn("mailbox", "wake-up write: %s", strerror(errno));
}

int fx_mailbox_post(struct fx_mailbox *m, struct fx_mail *mail, uint64_t *seq)
{
    pthread_mutex_lock(&m->lock);
    int closed = m->closed;
    if (!closed) {
        mail->next = NULL;
        mail->seq = ++m->posted;
        if (seq) *seq = mail->seq;
        *m->tail = mail;
        m->tail = &mail->next;
        signal_fd(m);
    }
    pthread_mutex_unlock(&m->lock);
    return closed ? -1 : 0;
}

void fx_mailbox_wake(struct fx_mailbox *m)
{
    pthread_mutex_lock(&m->lock);
    signal_fd(m);
    pthread_mutex_unlock(&m->lock);
}

struct fx_mail *fx_mailbox_drain(struct fx_mailbox *m)
{
    uint64_t n;
    pthread_mutex_lock(&m->lock);
    if (read(m->fd, &n, sizeof n) < 0 && errno != EAGAIN)
        fx_warn("mailbox", "wake-up read: %s", strerror(errno));
    struct fx_mail *all = m->head;
    m->head = NULL, m->tail = &m->head;
    pthread_mutex_unlock(&m->lock);
    return all;
}

int fx_mailbox_fd(const struct fx_mailbox *m) { return m->fd; }

void fx_mailbox_close(struct fx_mailbox *m)
{
    pthread_mutex_lock(&m->lock);
    m->closed = 1;
    pthread_mutex_unlock(&m->lock);
}
