/*
 * Error codes of fx-core's modules: functions return 0 or a negative FX_E*
 * code; details go into an optional caller buffer.
 */
#ifndef FX_ERRORS_H
#define FX_ERRORS_H

enum {
    FX_OK = 0,
    FX_EINVAL = -1, /* a request or value is invalid */
    FX_ENOTFOUND = -2, /* the addressed row does not exist */
    FX_EEXIST = -3, /* the row exists already */
    FX_ENOMEM = -4,
    FX_EDB = -5, /* PostgreSQL failed or is unreachable */
    FX_EREDIS = -6, /* Redis failed or is unreachable */
    FX_ENNG = -7, /* an nng call failed */
    FX_ECONFIG = -8, /* bad configuration */
    FX_ETOOBIG = -9, /* a request exceeds a limit */
    FX_EUNAVAIL = -10, /* a dependency (PostgreSQL, Redis) is unreachable */
};

const char *fx_strerror(int err);

#endif
