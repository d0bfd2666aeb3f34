/* REST tick bodies (bridge/params.c): any bytes as a JSON document, its
 * object (or each element of an array) through fx_json_tick; a refusal is a
 * 4xx with a detail, an accepted tick is valid. */
#include "base/symbol.h"
#include "bridge/params.h"
#include "bridge/request.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void one(const json_t *obj, const char *where)
{
    struct fx_http_response res = { 0 };
    fxc_tick t;
    if (fx_json_tick(obj, where, "EURUSD", &t, &res) == 0) {
        char again[FX_SYMBOL_MAX + 1];
        if (fx_symbol_normalise(t.symbol, again) != 0 || !isfinite(t.price)) abort();
    } else if (res.status < 400 || res.status > 499 || res.body == NULL) {
        abort();
    }
    if (!res.body_static) free(res.body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (doc == NULL) return 0;
    if (json_is_array(doc)) {
        size_t i;
        json_t *v;
        json_array_foreach(doc, i, v) if (i < 64) one(v, "[0]");
    } else {
        one(doc, "");
    }
    json_decref(doc);
    return 0;
}
