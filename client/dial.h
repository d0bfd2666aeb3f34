/*
 * The client's connections to a list of cores (FX_RPC_URL, FX_FEED_URL:
 * "tcp://core-0:5555,tcp://core-1:5555"): one nng dialer per address on
 * one socket, so requests spread over the cores that are up (REQ) and the
 * live feed arrives from all of them (SUB).
 *
 * An entry "dns+tcp://NAME:PORT" stands for every address NAME resolves to
 * (e.g. a Kubernetes headless Service: one A record per ready pod), looked
 * up again every FXC_DNS_REFRESH_MS on a thread of the set: a new address
 * gets a dialer at once, one missing from the answers for FXC_DNS_FORGET_MS
 * loses its dialer (its connection closes; nng resends the requests in
 * flight on it). A failed lookup changes nothing. So cores scaled up or down
 * are found without a restart.
 *
 * An entry "tls+tcp://HOST:PORT" is dialled over TLS with this side's
 * certificate (FX_TLS_CERT, FX_TLS_KEY), verifying the core's against FX_TLS_CA
 * and HOST; "dns+tls+tcp://NAME:PORT" is a dns+tcp entry dialled so, the
 * certificate verified against NAME (base/nng_tls.h). A TLS entry without
 * those files is an FXC_INVALID_ARGUMENT naming the variable.
 *
 * Internal to libfxclient. fxc_dialset_open and _close: the socket owner's
 * thread; fxc_dialset_addresses: any thread. The set is freed by _close,
 * which must come before the socket's nng_close.
 */
#ifndef FXC_DIAL_H
#define FXC_DIAL_H

#include "fx/client.h"

#include <nng/nng.h>
#include <stddef.h>

#define FXC_DNS_REFRESH_MS 5000
#define FXC_DNS_FORGET_MS 30000 /* a draining core leaves the DNS answers first: it still publishes meanwhile */
#define FXC_DIAL_ADDR_MAX 96 /* "tcp://[v6 address]:port" with its NUL */

struct fxc_dialset;

/* Dials every address of `list` on `sock`, without waiting: nng keeps
 * retrying each, so a core started or restarted later is found and used
 * again; dns+tcp entries are resolved once now and then on the set's
 * thread (a name that does not resolve yet is not an error). `what` names
 * the setting in errors. Returns FXC_OK with *out, or FXC_INVALID_ARGUMENT
 * (a malformed list or address) / FXC_UNAVAILABLE with `err` filled; the
 * socket stays the caller's. */
int fxc_dialset_open(struct fxc_dialset **out, nng_socket sock, const char *list, const char *what, fxc_err *err);

/* Stops the lookups and frees the set (the dialers close with the socket).
 * NULL is fine. */
void fxc_dialset_close(struct fxc_dialset *d);

/* The addresses resolved from dns+tcp entries that have a dialer now, up
 * to `max` into `out`; returns how many there are. */
size_t fxc_dialset_addresses(struct fxc_dialset *d, char (*out)[FXC_DIAL_ADDR_MAX], size_t max);

/* For tests: replaces the DNS lookup (NULL: getaddrinfo again) and the
 * refresh period (0: FXC_DNS_REFRESH_MS) and forget time (0:
 * FXC_DNS_FORGET_MS) of sets opened afterwards. `resolve` writes up to `max`
 * "tcp://…:PORT" addresses of `host` and returns how many, or -1 when the
 * lookup failed. Call before any set is opened. */
typedef int (*fxc_resolve_fn)(const char *host, const char *port, char (*out)[FXC_DIAL_ADDR_MAX], size_t max);
void fxc_dialset_testing(fxc_resolve_fn resolve, int refresh_ms, int forget_ms);

#endif
