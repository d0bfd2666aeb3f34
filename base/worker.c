#include "base/worker.h"

#include <errno.h>
#include <time.h>

static void *trampoline(void *arg)
{
    struct fx_thread *t = arg;
    t->fn(t->arg);
    return NULL;
}

int fx_thread_start(struct fx_thread *t, void (*fn)(void *arg), void *arg)
{
    t->started = 0;
    t->stop = 0;
    t->fn = fn;
    t->arg = arg;
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) return -1;
    /* monotonic: a clock step (NTP, an operator) does not move the deadline */
    int rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0) rc = pthread_cond_init(&t->cv, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0) return -1;
    pthread_mutex_init(&t->lock, NULL);
    if (pthread_create(&t->id, NULL, trampoline, t) != 0) {
        pthread_cond_destroy(&t->cv);
        pthread_mutex_destroy(&t->lock);
        return -1;
    }
    t->started = 1;
    return 0;
}

void fx_thread_request_stop(struct fx_thread *t)
{
    if (!t->started) return;
    /* under the lock: a waiter between its check and its wait cannot miss it */
    pthread_mutex_lock(&t->lock);
    __atomic_store_n(&t->stop, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->lock);
}

void fx_thread_stop(struct fx_thread *t)
{
    if (!t->started) return;
    fx_thread_request_stop(t);
    pthread_join(t->id, NULL);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->lock);
    t->started = 0;
}

int fx_thread_stopping(struct fx_thread *t) { return __atomic_load_n(&t->stop, __ATOMIC_ACQUIRE); }

struct timespec fx_timespec_after_ms(clockid_t clock, int ms)
{
    struct timespec until;
    clock_gettime(clock, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
    return until;
}

int fx_thread_wait_ms(struct fx_thread *t, int ms)
{
    struct timespec until = fx_timespec_after_ms(CLOCK_MONOTONIC, ms);
    pthread_mutex_lock(&t->lock);
    int rv = 0;
    /* a spurious wake-up waits again, up to the same deadline */
    while (!fx_thread_stopping(t) && rv != ETIMEDOUT) rv = pthread_cond_timedwait(&t->cv, &t->lock, &until);
    int stopping = fx_thread_stopping(t);
    pthread_mutex_unlock(&t->lock);
    return stopping;
}

int fx_backoff_sleep(struct fx_backoff *b, struct fx_thread *t)
{
    int ms = b->cur_ms < b->min_ms ? b->min_ms : b->cur_ms;
    b->cur_ms = ms > b->max_ms / 2 ? b->max_ms : ms * 2;
    if (t != NULL) return fx_thread_wait_ms(t, ms);
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    return 0;
}

void fx_backoff_reset(struct fx_backoff *b) { b->cur_ms = b->min_ms; }
