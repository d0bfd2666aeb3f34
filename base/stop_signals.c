#include "base/stop_signals.h"

#include <pthread.h>
#include <signal.h>

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
