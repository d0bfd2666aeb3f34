/*
 * How the programs stop: SIGINT and SIGTERM are blocked in every thread
 * (call before starting any) and main waits for one with sigwait, so no
 * handler runs in an arbitrary thread. SIGPIPE is ignored: a peer closing a
 * socket is an error return, not a process kill.
 */
#ifndef FX_STOP_SIGNALS_H
#define FX_STOP_SIGNALS_H

void fx_stop_signals_block(void);

/* Waits for SIGINT or SIGTERM; returns its name. */
const char *fx_stop_signals_wait(void);

#endif
