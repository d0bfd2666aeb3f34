#include "client/err.h"

#include <stdarg.h>
#include <stdio.h>

int fxc_fail(fxc_err *err, int code, const char *field, const char *fmt, ...)
{
    if (err == NULL) return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    err->code = code;
    return code;
}
