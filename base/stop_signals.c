#include "base/stop_signals.h"

#include "base/log.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

static void stop_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
}

void fx_stop_signals_block(void)
{
    sigset_t set;
    stop_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

const char *fx_stop_signals_wait(void)
{
    sigset_t set;
    stop_set(&set);
    int sig = 0;
    sigwait(&set, &sig);
    return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

void fx_reload_signal_block(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

const char *fx_stop_or_reload_signal_wait(void)
{
    sigset_t set;
    stop_set(&set);
    sigaddset(&set, SIGHUP);
    int sig = 0;
    sigwait(&set, &sig);
    return sig == SIGHUP ? "SIGHUP" : sig == SIGINT ? "SIGINT" : "SIGTERM";
}

static const char *deadline_program;

static void *deadline_main(void *arg)
{
    unsigned seconds = (unsigned)(uintptr_t)arg;
    sleep(seconds);
    fx_warn(deadline_program, "still stopping after %u s (a teardown stuck, e.g. in nng_close); exiting now", seconds);
    _exit(0);
    return NULL;
}

void fx_stop_deadline(const char *program, unsigned seconds)
{
    deadline_program = program;
    pthread_t t;
    if (pthread_create(&t, NULL, deadline_main, (void *)(uintptr_t)seconds) == 0) pthread_detach(t);
}
