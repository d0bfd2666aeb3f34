#include "client/dial.h"

#include "base/url_list.h"

#include <stdio.h>

static int dial_fail(fxc_err *err, int code, const char *message)
{
    if (err) {
        err->code = code;
        snprintf(err->message, sizeof err->message, "%.*s", (int)sizeof err->message - 1, message); /* cut to fit */
        snprintf(err->field, sizeof err->field, "url");
    }
    return code;
}

int fxc_dial_all(nng_socket sock, const char *list, const char *what, fxc_err *err)
{
    struct fx_url_list urls;
    char why[160], message[FX_URL_MAX + 160];
    if (fx_url_list_parse(list, &urls, why, sizeof why) != 0) {
        snprintf(message, sizeof message, "%s \"%.64s\": %s", what, list, why);
        return dial_fail(err, FXC_INVALID_ARGUMENT, message);
    }
    for (size_t i = 0; i < urls.n; i++) {
        int rv = nng_dial(sock, urls.url[i], NULL, NNG_FLAG_NONBLOCK);
        if (rv != 0) {
            snprintf(message, sizeof message, "cannot connect to %s: %s", urls.url[i], nng_strerror(rv));
            return dial_fail(err, rv == NNG_EADDRINVAL || rv == NNG_ENOTSUP ? FXC_INVALID_ARGUMENT : FXC_UNAVAILABLE,
                message);
        }
    }
    return FXC_OK;
}
