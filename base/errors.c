#include "base/errors.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Every FX_E* code: its words, and the status and HTTP answer it becomes. */
static const struct {
    int err;
    const char *words;
    int status;
} errors[] = {
    { FX_OK, "ok", FX_STATUS_OK },
    { FX_EINVAL, "invalid argument", FX_STATUS_INVALID_ARGUMENT },
    { FX_ENOTFOUND, "not found", FX_STATUS_NOT_FOUND },
    { FX_EEXIST, "already exists", FX_STATUS_ALREADY_EXISTS },
    { FX_ENOMEM, "out of memory", FX_STATUS_RESOURCE_EXHAUSTED },
    { FX_EDB, "database error", FX_STATUS_INTERNAL },
    { FX_EREDIS, "redis error", FX_STATUS_UNAVAILABLE },
    { FX_ENNG, "messaging error", FX_STATUS_UNAVAILABLE },
    { FX_ECONFIG, "configuration error", FX_STATUS_INVALID_ARGUMENT },
    { FX_ETOOBIG, "limit exceeded", FX_STATUS_RESOURCE_EXHAUSTED },
    { FX_EUNAVAIL, "dependency unavailable", FX_STATUS_UNAVAILABLE },
    { FX_EIO, "input/output error", FX_STATUS_INTERNAL },
    { FX_ETIMEDOUT, "timed out", FX_STATUS_DEADLINE_EXCEEDED },
    { FX_EREMOTE, "refused by the peer", FX_STATUS_INTERNAL },
    { FX_ESEALED, "sealed by retention", FX_STATUS_FAILED_PRECONDITION },
    { FX_EBUSY, "busy", FX_STATUS_UNAVAILABLE },
};

/* Every status: its name and its HTTP answer. */
static const struct {
    int status;
    const char *name;
    unsigned http;
} statuses[] = {
    { FX_STATUS_OK, "OK", 200 },
    { FX_STATUS_INVALID_ARGUMENT, "INVALID_ARGUMENT", 422 },
    { FX_STATUS_DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED", 500 },
    { FX_STATUS_NOT_FOUND, "NOT_FOUND", 404 },
    { FX_STATUS_ALREADY_EXISTS, "ALREADY_EXISTS", 409 },
    { FX_STATUS_RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED", 413 },
    { FX_STATUS_FAILED_PRECONDITION, "FAILED_PRECONDITION", 409 },
    { FX_STATUS_INTERNAL, "INTERNAL", 500 },
    { FX_STATUS_UNAVAILABLE, "UNAVAILABLE", 503 },
};

#define NERRORS (sizeof errors / sizeof errors[0])
#define NSTATUSES (sizeof statuses / sizeof statuses[0])

const char *fx_strerror(int err)
{
    for (size_t i = 0; i < NERRORS; i++)
        if (errors[i].err == err) return errors[i].words;
    return "unknown error";
}

int fx_error_status(int err)
{
    for (size_t i = 0; i < NERRORS; i++)
        if (errors[i].err == err) return errors[i].status;
    return FX_STATUS_INTERNAL;
}

int fx_status_error(int status)
{
    if (status == FX_STATUS_OK) return FX_OK;
    /* the first code answered with this status is its own */
    for (size_t i = 1; i < NERRORS; i++)
        if (errors[i].status == status && errors[i].err != FX_ECONFIG) return errors[i].err;
    return FX_EREMOTE;
}

const char *fx_status_name(int status)
{
    for (size_t i = 0; i < NSTATUSES; i++)
        if (statuses[i].status == status) return statuses[i].name;
    return "UNKNOWN";
}

unsigned fx_status_http(int status, int names_a_field)
{
    if (status == FX_STATUS_INVALID_ARGUMENT && !names_a_field) return 400;
    for (size_t i = 0; i < NSTATUSES; i++)
        if (statuses[i].status == status) return statuses[i].http;
    return 500;
}

int fx_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}
