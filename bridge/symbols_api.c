/* GET /symbols: every stored symbol with its first and last tick time and
 * tick count, for a dashboard's symbol picker (the core's ListSymbols). */
#include "bridge/api.h"
#include "bridge/bridge.h"
#include "bridge/json_out.h"

void fx_api_symbols(struct fx_http_request *req, struct fx_http_response *res)
{
    fxc_symbol_info *s;
    size_t n;
    fxc_err e;
    int rc = fxc_symbols_list(req->bridge->core, &s, &n, &e);
    if (rc != FXC_OK) return fx_reply_core_error(res, rc, &e);
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_raw(&b, "{\"symbols\":[");
    for (size_t i = 0; i < n; i++) {
        fx_jbuf_raw(&b, i ? ",{\"symbol\":" : "{\"symbol\":");
        fx_jbuf_string(&b, s[i].symbol);
        fx_jbuf_raw(&b, ",\"first_time\":");
        fx_jbuf_time(&b, s[i].first_time_us);
        fx_jbuf_raw(&b, ",\"last_time\":");
        fx_jbuf_time(&b, s[i].last_time_us);
        fx_jbuf_printf(&b, ",\"tick_count\":%llu}", (unsigned long long)s[i].tick_count);
    }
    fx_jbuf_raw(&b, "]}");
    fxc_symbols_free(s);
    fx_reply_json(res, 200, fx_jbuf_take(&b, NULL));
}
