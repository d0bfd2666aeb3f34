/*
 * How a program stops: SIGTERM waited for with sigwait in main, and the stop
 * deadline that ends a teardown which hangs.
 */
#include "base/stop_signals.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(stop_signals, sigterm_is_waited_for_and_named)
{
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        fx_stop_signals_block();
        const char *name = fx_stop_signals_wait();
        (void)!write(pipefd[1], name, strlen(name));
        _exit(3);
    }
    usleep(200000); /* blocked by then */
    kill(pid, SIGTERM);
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 3, "not killed by SIGTERM: it was waited for");
    char got[16] = "";
    cr_assert_gt(read(pipefd[0], got, sizeof got - 1), 0);
    cr_assert_str_eq(got, "SIGTERM");
}

Test(stop_signals, a_teardown_that_hangs_ends_at_the_deadline_with_status_0)
{
    double t0 = now_s();
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        fx_stop_deadline("test", 1);
        sleep(30); /* a stuck nng_close */
        _exit(7);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    double took = now_s() - t0;
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
    cr_assert(took >= 0.9 && took < 10, "ended after %.2f s, not at the 1 s deadline", took);
}

Test(stop_signals, a_teardown_that_finishes_keeps_its_own_status)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        fx_stop_deadline("test", 5);
        _exit(4);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 4);
}
