#include "client/dial.h"

#include "base/url_list.h"

#include <stdarg.h>
#include <stdio.h>

__attribute__((format(printf, 3, 4))) static int dial_fail(fxc_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->code = code;
        snprintf(err->field, sizeof err->field, "url");
    }
    return code;
}

int fxc_dial_all(nng_socket sock, const char *list, const char *what, fxc_err *err)
{
    struct fx_url_list urls;
    char why[160];
    if (fx_url_list_parse(list, &urls, why, sizeof why) != 0)
        return dial_fail(err, FXC_INVALID_ARGUMENT, "%s \"%.64s\": %s", what, list, why);
    for (size_t i = 0; i < urls.n; i++) {
        int rv = nng_dial(sock, urls.url[i], NULL, NNG_FLAG_NONBLOCK);
        if (rv != 0)
            return dial_fail(err, rv == NNG_EADDRINVAL || rv == NNG_ENOTSUP ? FXC_INVALID_ARGUMENT : FXC_UNAVAILABLE,
                "cannot connect to %s: %s", urls.url[i], nng_strerror(rv));
    }
    return FXC_OK;
}
