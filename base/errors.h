/*
 * The one error convention of fxohlc's libraries: a function returns 0 or a
 * negative FX_E* code, and puts the details (what failed, and how to fix
 * it) into an optional caller buffer. Output arguments are written only on
 * success.
 *
 * One table (errors.c) maps each code to what the outside sees: the
 * status of a protobuf Response (fx.v1.StatusCode, gRPC's numbers, which
 * libfxclient returns as its FXC_* codes) and an HTTP status of fx-bridge.
 * Pure; any thread.
 */
#ifndef FX_BASE_ERRORS_H
#define FX_BASE_ERRORS_H

enum {
    FX_OK = 0,
    FX_EINVAL = -1, /* a request or value is invalid */
    FX_ENOTFOUND = -2, /* the addressed row does not exist */
    FX_EEXIST = -3, /* the row exists already */
    FX_ENOMEM = -4,
    FX_EDB = -5, /* PostgreSQL failed */
    FX_EREDIS = -6, /* Redis failed or is unreachable */
    FX_ENNG = -7, /* an nng call failed */
    FX_ECONFIG = -8, /* bad configuration or options */
    FX_ETOOBIG = -9, /* a request exceeds a limit */
    FX_EUNAVAIL = -10, /* a dependency (PostgreSQL, fx-core) is unreachable */
    FX_EIO = -11, /* a file could not be read or written */
    FX_ETIMEDOUT = -12, /* nothing came in time */
    FX_EREMOTE = -13, /* the peer (fx-core) refused or failed: its status says why */
    FX_ESEALED = -14, /* the data is gone on purpose (retention sealed its day): nothing may change there */
    FX_EBUSY = -15, /* the same work is running already (a maintenance pass): try again later */
};

/* gRPC status numbers, as fx.v1.StatusCode and libfxclient's FXC_* carry them. */
enum {
    FX_STATUS_OK = 0,
    FX_STATUS_INVALID_ARGUMENT = 3,
    FX_STATUS_DEADLINE_EXCEEDED = 4,
    FX_STATUS_NOT_FOUND = 5,
    FX_STATUS_ALREADY_EXISTS = 6,
    FX_STATUS_RESOURCE_EXHAUSTED = 8,
    FX_STATUS_FAILED_PRECONDITION = 9,
    FX_STATUS_INTERNAL = 13,
    FX_STATUS_UNAVAILABLE = 14,
};

#include <stddef.h>

/* Writes the printf-formatted details into `err` (when not NULL and `errlen`
 * is not 0; cut to fit) and returns `code`: `return fx_fail(err, errlen,
 * FX_EINVAL, "...", ...);` is how a function reports a failure. */
int fx_fail(char *err, size_t errlen, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "invalid argument", ... */
const char *fx_strerror(int err);

/* The status an FX_E* code is answered with (FX_STATUS_*). */
int fx_error_status(int err);

/* The FX_E* code of a status (FX_EREMOTE for one without its own). */
int fx_status_error(int status);

/* "INVALID_ARGUMENT", ...; "UNKNOWN" for other numbers. */
const char *fx_status_name(int status);

/* The HTTP status of a core status: INVALID_ARGUMENT is 422 when a field is
 * named (it failed validation) and 400 when not (the request is
 * inconsistent, e.g. start after end). */
unsigned fx_status_http(int status, int names_a_field);

#endif
