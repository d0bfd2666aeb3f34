/*
 * How libfxclient and fxctl fill an fxc_err: one function, so every failure
 * carries its code, its message and the field at fault the same way.
 * Internal to libfxclient (and fxctl, which links it statically); any thread,
 * on an fxc_err the caller owns.
 */
#ifndef FXC_ERR_H
#define FXC_ERR_H

#include "fx/client.h"

/* Sets `err` (when not NULL): `code`, the printf-formatted message (cut to
 * fit) and `field` ("" or NULL when no single field is at fault); returns
 * `code`. */
int fxc_fail(fxc_err *err, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
