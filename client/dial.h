/*
 * The client's connections to a list of cores (FX_RPC_URL, FX_FEED_URL:
 * "tcp://core-0:5555,tcp://core-1:5555"): one nng dialer per address on
 * one socket, so requests spread over the cores that are up (REQ) and the
 * live feed arrives from all of them (SUB). Internal to libfxclient.
 */
#ifndef FXC_DIAL_H
#define FXC_DIAL_H

#include "fx/client.h"

#include <nng/nng.h>

/* Dials every address of `list` on `sock`, without waiting: nng keeps
 * retrying each, so a core started or restarted later is found and used
 * again. `what` names the setting in errors. Returns FXC_OK, or
 * FXC_INVALID_ARGUMENT (a malformed list or address) / FXC_UNAVAILABLE with
 * `err` filled; the socket stays the caller's. */
int fxc_dial_all(nng_socket sock, const char *list, const char *what, fxc_err *err);

#endif
