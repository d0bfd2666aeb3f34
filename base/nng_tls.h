/*
 * TLS with client certificates for the nng sockets (fx-core's RPC and live
 * feed, and every client of them: libfxclient, so fx-bridge and fxctl).
 * A "tls+tcp://HOST:PORT" address is served or dialled over TLS 1.2+ with
 * both sides proving who they are; any other address (tcp://, ipc://,
 * inproc://) is listened on or dialled exactly as nng_listen / nng_dial do.
 *
 * The certificates come from three files named by the environment, read
 * when a TLS address is listened on or dialled (never otherwise, so plain
 * deployments need none of them):
 *   FX_TLS_CERT  this side's certificate (PEM; the chain may follow it)
 *   FX_TLS_KEY   its private key (PEM, unencrypted)
 *   FX_TLS_CA    the CA certificate(s) the peer's certificate must chain to
 * A listener requires every client to present a certificate signed by
 * FX_TLS_CA; a dialer verifies the server's certificate against FX_TLS_CA and
 * its DNS name (subjectAltName) against the host it dials (or the name of a
 * dns+tls+tcp:// entry): dial cores by a DNS name, not an IP address.
 *
 * Part of base/ but a library of its own (fxnngtls), linked by what opens
 * nng sockets. Every function may be called from any thread; nothing here
 * keeps state between calls. The nng_tls_config of a listener or dialer is
 * held by nng (NNG_OPT_TLS_CONFIG places a hold), so these functions free
 * their own reference before returning and the caller frees nothing.
 */
#ifndef FX_BASE_NNG_TLS_H
#define FX_BASE_NNG_TLS_H

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>
#include <stddef.h>

#define FX_TLS_SCHEME "tls+tcp://"
#define FX_TLS_ENV_CERT "FX_TLS_CERT"
#define FX_TLS_ENV_KEY "FX_TLS_KEY"
#define FX_TLS_ENV_CA "FX_TLS_CA"

/* 1 when `url` is a TLS address (tls+tcp://), else 0. */
int fx_tls_is_tls_url(const char *url);

/* The host of "SCHEME://HOST:PORT" ("[v6]" without its brackets) into
 * `host`. Returns 0, or -1 when there is none or it does not fit. */
int fx_tls_url_host(const char *url, char *host, size_t len);

/* A TLS configuration from FX_TLS_CERT, FX_TLS_KEY and FX_TLS_CA: server
 * mode when `server` (clients must present a certificate of the CA), else
 * client mode verifying the server's certificate and that it names
 * `server_name`. Returns 0 with *out (the caller's reference: pass it to
 * nng_tls_config_free), or FX_ECONFIG with `err` naming the variable or file
 * that is missing, unreadable or not a usable PEM, or FX_ENNG. */
int fx_tls_config_new(nng_tls_config **out, int server, const char *server_name, char *err, size_t errlen);

/* nng_listen(sock, url) with, for a tls+tcp:// URL, a server TLS
 * configuration set on the listener before it starts. Returns 0, FX_ECONFIG
 * (the certificates: `err` says which) or FX_ENNG (nng refused the address:
 * *nng_rv, when not NULL, gets nng's code); `err` is filled on failure. */
int fx_tls_listen(nng_socket sock, const char *url, char *err, size_t errlen, int *nng_rv);

/* nng_dial(sock, url, dialer, flags) with, for a tls+tcp:// URL, a client
 * TLS configuration: `tls` if not NULL (the caller keeps its reference;
 * e.g. one made once for every address a name resolves to), else one made
 * now with the URL's host as the server name. *dialer (may be NULL) gets the
 * dialer. Returns as fx_tls_listen does. */
int fx_tls_dial(nng_socket sock, const char *url, nng_tls_config *tls, nng_dialer *dialer, int flags, char *err,
    size_t errlen, int *nng_rv);

#endif
