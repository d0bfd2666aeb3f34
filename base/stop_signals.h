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

/* Also blocks SIGHUP (call with fx_stop_signals_block, before any thread
 * starts) for a program that reloads on it (fx-bridge: its API keys). */
void fx_reload_signal_block(void);

/* Waits for SIGINT, SIGTERM or SIGHUP; returns its name ("SIGHUP": reload
 * and wait again). Only after fx_reload_signal_block. */
const char *fx_stop_or_reload_signal_wait(void);

/* Bounds a stop: if the process is still running `seconds` later (more than
 * its drain needs), it logs so and exits with status 0; by then clients were
 * told and requests drained, and only the freeing is left. nng 1.5's nng_close can wait forever on a
 * dialer that is reconnecting to a restarted peer (upstream nanomsg/nng
 * issues 1543 and 1813); freeing memory is not worth a stop that never ends.
 * Call once, from main as it starts to stop; never in a library or test. */
void fx_stop_deadline(const char *program, unsigned seconds);

#endif
