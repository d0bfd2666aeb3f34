#include "bridge/request.h"

#include "base/errors.h"
#include "bridge/json_out.h"
#include "bridge/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *fx_http_query(const struct fx_http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

void fx_reply_json(struct fx_http_response *res, unsigned status, char *json)
{
    res->status = status;
    res->body = json;
    res->len = json ? strlen(json) : 0;
    res->content_type = "application/json";
    if (json == NULL) fx_reply_error(res, 500, "out of memory");
}

void fx_reply_error(struct fx_http_response *res, unsigned status, const char *fmt, ...)
{
    char detail[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_raw(&b, "{\"detail\":");
    fx_jbuf_string(&b, detail);
    fx_jbuf_raw(&b, "}");
    res->status = status;
    res->body = fx_jbuf_take(&b, &res->len);
    res->content_type = "application/json";
}

void fx_reply_core_error(struct fx_http_response *res, int code, const fxc_err *err)
{
    unsigned status = fx_status_http(code, err->field[0] != '\0');
    if (status >= 500) fx_metrics_core_error(fx_status_name(code));
    fx_reply_error(res, status, "%s", err->message);
}

