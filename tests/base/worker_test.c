/* base/worker: a thread that waits and stops, and the backoff. */
#include "base/worker.h"

#include <criterion/criterion.h>
#include <time.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A thread that waits in periods of `period_ms` and counts them. */
struct waiter {
    struct fx_thread thread;
    int period_ms;
    int periods; /* atomic */
    long long stopped_at_ms; /* when its wait returned 1 */
};

static void waiter_main(void *arg)
{
    struct waiter *w = arg;
    while (!fx_thread_wait_ms(&w->thread, w->period_ms)) __atomic_add_fetch(&w->periods, 1, __ATOMIC_RELAXED);
    w->stopped_at_ms = now_ms();
}

Test(worker, stop_wakes_a_long_wait_at_once)
{
    struct waiter w = { .period_ms = 600000 }; /* ten minutes */
    cr_assert_eq(fx_thread_start(&w.thread, waiter_main, &w), 0);
    struct timespec pause = { 0, 50 * 1000000L }; /* let it reach the wait */
    nanosleep(&pause, NULL);
    cr_assert_eq(fx_thread_stopping(&w.thread), 0);
    long long t0 = now_ms();
    fx_thread_stop(&w.thread);
    long long took = now_ms() - t0;
    cr_assert_lt(took, 1000, "stop took %lld ms", took);
    cr_assert_eq(w.periods, 0);
    cr_assert_geq(w.stopped_at_ms, t0);
    cr_assert(fx_thread_stopping(&w.thread));
}

Test(worker, a_periodic_wait_times_out)
{
    struct waiter w = { .period_ms = 20 };
    long long t0 = now_ms();
    cr_assert_eq(fx_thread_start(&w.thread, waiter_main, &w), 0);
    while (__atomic_load_n(&w.periods, __ATOMIC_RELAXED) < 5 && now_ms() - t0 < 10000) {
        struct timespec pause = { 0, 5 * 1000000L };
        nanosleep(&pause, NULL);
    }
    long long took = now_ms() - t0;
    fx_thread_stop(&w.thread);
    cr_assert_geq(w.periods, 5);
    cr_assert_geq(took, 5 * 20, "5 periods of 20 ms in %lld ms", took);
}

static void nothing(void *arg) { (void)arg; }

Test(worker, a_wait_after_the_stop_returns_at_once)
{
    struct fx_thread t = { 0 };
    cr_assert_eq(fx_thread_start(&t, nothing, NULL), 0);
    fx_thread_request_stop(&t);
    long long t0 = now_ms();
    cr_assert_eq(fx_thread_wait_ms(&t, 600000), 1);
    cr_assert_lt(now_ms() - t0, 1000);
    fx_thread_stop(&t);
    fx_thread_stop(&t); /* twice: nothing more */
}

Test(worker, stop_of_a_thread_never_started_does_nothing)
{
    struct fx_thread t = { 0 };
    fx_thread_request_stop(&t);
    fx_thread_stop(&t);
    cr_assert_eq(fx_thread_stopping(&t), 0);
}

Test(worker, a_thread_can_be_started_again_after_its_stop)
{
    struct waiter w = { .period_ms = 600000 };
    cr_assert_eq(fx_thread_start(&w.thread, waiter_main, &w), 0);
    fx_thread_stop(&w.thread);
    cr_assert_eq(fx_thread_start(&w.thread, waiter_main, &w), 0);
    cr_assert_eq(fx_thread_stopping(&w.thread), 0);
    fx_thread_stop(&w.thread);
}

Test(worker, backoff_doubles_caps_and_resets)
{
    struct fx_backoff b = FX_BACKOFF_INIT(1, 5);
    int seen[6];
    for (int i = 0; i < 6; i++) {
        seen[i] = b.cur_ms;
        cr_assert_eq(fx_backoff_sleep(&b, NULL), 0);
    }
    int expected[6] = { 1, 2, 4, 5, 5, 5 };
    for (int i = 0; i < 6; i++)
        cr_assert_eq(seen[i], expected[i], "sleep %d lasted %d ms, not %d", i, seen[i], expected[i]);
    fx_backoff_reset(&b);
    cr_assert_eq(b.cur_ms, 1);
}

Test(worker, a_backoff_sleeps_its_time)
{
    struct fx_backoff b = FX_BACKOFF_INIT(30, 1000);
    long long t0 = now_ms();
    fx_backoff_sleep(&b, NULL);
    fx_backoff_sleep(&b, NULL);
    long long took = now_ms() - t0;
    cr_assert_geq(took, 30 + 60, "slept %lld ms", took);
    cr_assert_eq(b.cur_ms, 120);
}

/* A thread that backs off for a long time until stopped. */
struct backer {
    struct fx_thread thread;
    struct fx_backoff b;
    int result;
};

static void backer_main(void *arg)
{
    struct backer *k = arg;
    k->result = fx_backoff_sleep(&k->b, &k->thread);
}

Test(worker, stop_interrupts_a_backoff)
{
    struct backer k = { .b = FX_BACKOFF_INIT(600000, 600000) };
    cr_assert_eq(fx_thread_start(&k.thread, backer_main, &k), 0);
    struct timespec pause = { 0, 50 * 1000000L };
    nanosleep(&pause, NULL);
    long long t0 = now_ms();
    fx_thread_stop(&k.thread);
    cr_assert_lt(now_ms() - t0, 1000);
    cr_assert_eq(k.result, 1);
}
