/*
 * A thread with a stop flag, the one way the services' background threads
 * start, wait and stop: fx_thread_wait_ms sleeps until a period is over or
 * the owner calls fx_thread_stop, whichever comes first, so a thread that
 * waits ten minutes between runs still stops at once. The wait uses
 * CLOCK_MONOTONIC: a wall-clock step neither shortens nor stretches it.
 *
 * And an exponential backoff (min, doubled up to max, reset after a
 * success) whose sleep a stop interrupts.
 *
 * Not thread-safe except where stated. The struct fx_thread is the owner's
 * (usually a member of the object the thread serves); nothing here
 * allocates, so nothing is to be freed but what fx_thread_stop releases.
 */
#ifndef FX_BASE_WORKER_H
#define FX_BASE_WORKER_H

#include <pthread.h>
#include <time.h>

/* The name avoids server/handlers.c's struct fx_worker (an RPC worker's state). */
struct fx_thread {
    pthread_t id;
    int started; /* the owner may read it: whether there is a thread to stop */
    int stop; /* atomic; set once by fx_thread_request_stop */
    pthread_mutex_t lock; /* the wait */
    pthread_cond_t cv;
    void (*fn)(void *arg);
    void *arg;
};

/* Runs fn(arg) on a new thread. `t` may be zeroed or stopped before. The
 * owner's thread only. Returns 0, or -1 when no thread could be made (then
 * `t` is as if never started: _stop and _request_stop do nothing). */
int fx_thread_start(struct fx_thread *t, void (*fn)(void *arg), void *arg);

/* Sets the stop flag and wakes fx_thread_wait_ms, without waiting for the
 * thread to end: for an owner that must also wake another wait of the
 * thread (an epoll, a condvar of its own) before joining. Does nothing on a
 * thread never started. Safe from any thread while the thread is started. */
void fx_thread_request_stop(struct fx_thread *t);

/* fx_thread_request_stop, then waits for fn to return and releases the
 * lock and condvar. Does nothing on a thread never started or already
 * stopped. The owner's thread only (never the thread itself). */
void fx_thread_stop(struct fx_thread *t);

/* Whether a stop was asked. Safe from any thread (an atomic load). */
int fx_thread_stopping(struct fx_thread *t);

/* Waits `ms` milliseconds, or less when a stop is asked (also before the
 * call). Returns 1 when stopping, 0 when the time is over. Meant for the
 * thread itself; safe from any thread while `t` is started. */
int fx_thread_wait_ms(struct fx_thread *t, int ms);

/* The time `ms` milliseconds from now on `clock` (CLOCK_MONOTONIC for a
 * condvar set to it, CLOCK_REALTIME for a default one): the deadline of a
 * pthread_cond_timedwait. Any thread. */
struct timespec fx_timespec_after_ms(clockid_t clock, int ms);

/* Exponential backoff: each sleep lasts cur_ms, then cur_ms doubles, up to
 * max_ms. Initialise with FX_BACKOFF_INIT; plain data, the caller's own
 * (one thread at a time). */
struct fx_backoff {
    int min_ms, max_ms, cur_ms;
};

#define FX_BACKOFF_INIT(min, max) ((struct fx_backoff){ (min), (max), (min) })

/* Sleeps cur_ms (at least min_ms), then doubles cur_ms (at most max_ms).
 * With `t` (may be NULL) a stop of that thread ends the sleep early; the
 * caller must be that thread. Returns 1 when `t` is stopping, else 0. */
int fx_backoff_sleep(struct fx_backoff *b, struct fx_thread *t);

/* After a success: the next sleep is min_ms again. */
void fx_backoff_reset(struct fx_backoff *b);

#endif
