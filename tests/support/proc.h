/*
 * Real processes for system tests: fx-core and fx-bridge binaries started
 * with their environment, stopped by signal, and killed at the end of the
 * test whatever happened (fx_proc_kill_all as a suite's .fini), so that no
 * orphan keeps a port. Used from the test's main thread only.
 */
#ifndef FX_TEST_PROC_H
#define FX_TEST_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* Starts `prog` of `bin_dir` (or of $FX_TEST_BIN_DIR when set: another
 * build of the programs) with the settings `env` ("NAME=value",
 * NULL-ended) added to the test's environment; stdout and stderr go to
 * `log` (a file path, NULL: inherited). Returns the pid. */
pid_t fx_proc_start(const char *bin_dir, const char *prog, const char *const *env, const char *log);

/* The same with command-line arguments `args` (NULL-ended). */
pid_t fx_proc_start_args(const char *bin_dir, const char *prog, const char *const *env, const char *log,
    const char *const *args);

/* Sends `sig` and waits for the exit; returns the wait status. */
int fx_proc_stop(pid_t pid, int sig);

/* Waits at most `seconds` for `pid` to exit by itself; returns the wait
 * status (asserts that it exited). */
int fx_proc_wait(pid_t pid, double seconds);

/* Kills (SIGKILL) every process still running that fx_proc_start started. */
void fx_proc_kill_all(void);

/* Waits up to `timeout_ms` for 127.0.0.1:`port` to accept a connection;
 * returns 0, or -1 when it did not. */
int fx_proc_wait_port(int port, int timeout_ms);

/* A loopback TCP port free now, below the kernel's ephemeral range (a port
 * in that range can be taken by a client's own source port). */
int fx_proc_free_port(void);

#endif
