#include "bridge/params.h"

#include "base/symbol.h"
#include "base/tick_rules.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int fx_param_symbol_value(const char *value, const char *field, const char *def, char out[FXC_SYMBOL_MAX + 1],
    struct fx_http_response *res)
{
    if (value == NULL || *value == '\0') value = def;
    if (fx_symbol_normalise(value, out) == 0) return 0;
    fx_reply_error(res, 422, "%s: must be " FX_SYMBOL_RULE, field);
    return -1;
}

int fx_param_symbol(const struct fx_http_request *req, char out[FXC_SYMBOL_MAX + 1], struct fx_http_response *res)
{
    return fx_param_symbol_value(fx_http_query(req, "symbol"), "symbol", req->bridge->cfg.symbol, out, res);
}

int fx_param_time_value(const char *value, const char *field, int64_t *out, struct fx_http_response *res)
{
    if (fxc_time_parse(value, out) == 0) return 0;
    /* An unencoded "+02:00" in a query string arrives as " 02:00" ('+'
     * means space in forms); read it as the offset it was meant to be. */
    size_t n = strlen(value);
    if (n > 6 && n < 64 && value[n - 6] == ' ' && value[n - 3] == ':') {
        char fixed[64];
        memcpy(fixed, value, n + 1);
        fixed[n - 6] = '+';
        if (fxc_time_parse(fixed, out) == 0) return 0;
    }
    fx_reply_error(res, 422,
        "%s: \"%.64s\" is not an RFC 3339 time (e.g. 2025-12-05T10:00:00Z or 2025-12-05T12:00:00.123456+02:00)",
        field, value);
    return -1;
}

int fx_param_time(const struct fx_http_request *req, const char *name, int required, int64_t *out, int *present,
    struct fx_http_response *res)
{
    const char *v = fx_http_query(req, name);
    if (present) *present = v != NULL;
    if (v == NULL) {
        if (!required) return 0;
        fx_reply_error(res, 422, "%s: required (an RFC 3339 time such as 2025-12-05T10:00:00Z)", name);
        return -1;
    }
    return fx_param_time_value(v, name, out, res);
}

int fx_param_uint(const struct fx_http_request *req, const char *name, uint32_t def, uint32_t min, uint32_t max,
    uint32_t *out, struct fx_http_response *res)
{
    const char *v = fx_http_query(req, name);
    if (v == NULL) {
        *out = def;
        return 0;
    }
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    if (*v < '0' || *v > '9' || *end || n < min || n > max) {
        fx_reply_error(res, 422, "%s: expected an integer from %u to %u, got \"%.32s\"", name, min, max, v);
        return -1;
    }
    *out = (uint32_t)n;
    return 0;
}

int fx_param_seq_value(const char *value, const char *field, long long *out, struct fx_http_response *res)
{
    char *end;
    errno = 0;
    long long n = strtoll(value, &end, 10);
    if (*value < '0' || *value > '9' || *end || errno == ERANGE || strlen(value) > 19) {
        fx_reply_error(res, 422, "%s: expected a seq, an integer from 0 to 9223372036854775807, got \"%.32s\"", field,
            value);
        return -1;
    }
    *out = n;
    return 0;
}

int fx_param_bool(const struct fx_http_request *req, const char *name, int def, int *out,
    struct fx_http_response *res)
{
    const char *v = fx_http_query(req, name);
    if (v == NULL) return *out = def, 0;
    if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) return *out = 0, 0;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) return *out = 1, 0;
    fx_reply_error(res, 422, "%s: expected true or false, got \"%.16s\"", name, v);
    return -1;
}

json_t *fx_body_json(const struct fx_http_request *req, struct fx_http_response *res)
{
    json_error_t error;
    json_t *root = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error);
    if (root == NULL)
        fx_reply_error(res, 422, "body: not valid JSON (%s at line %d, column %d)", error.text, error.line,
            error.column);
    return root;
}

int fx_json_price(const json_t *v, const char *field, double *out, struct fx_http_response *res)
{
    if (v == NULL) {
        fx_reply_error(res, 422, "%s: required (a number > 0)", field);
        return -1;
    }
    if (!json_is_number(v)) {
        fx_reply_error(res, 422, "%s: must be a number > 0", field);
        return -1;
    }
    double p = json_number_value(v);
    if (!isfinite(p)) {
        fx_reply_error(res, 422, "%s: must be a finite number > 0", field);
        return -1;
    }
    *out = p;
    return 0;
}

/* "time" as RFC 3339 text, or — as the FastAPI service accepted — a number
 * of Unix seconds (milliseconds when larger than 2e10, as pydantic reads it). */
static int json_time(const json_t *v, const char *field, int64_t *out, struct fx_http_response *res)
{
    if (json_is_string(v)) return fx_param_time_value(json_string_value(v), field, out, res);
    if (json_is_number(v)) {
        double s = json_number_value(v);
        if (fabs(s) > 2e10) s /= 1000.0;
        if (isfinite(s) && fabs(s) < 1e13) {
            *out = (int64_t)llround(s * 1e6);
            return 0;
        }
    }
    if (json_is_number(v)) {
        fx_reply_error(res, 422,
            "%s: the number %g is out of range: Unix seconds (or milliseconds above 2e10) " FX_TIME_RULE
            ", or an RFC 3339 time such as \"2025-12-05T10:00:00Z\"",
            field, json_number_value(v));
        return -1;
    }
    fx_reply_error(res, 422, "%s: %s (an RFC 3339 time such as 2025-12-05T10:00:00Z, or Unix seconds)", field,
        v == NULL ? "required" : "must be a string or a number");
    return -1;
}

int fx_json_tick(const json_t *obj, const char *where, const char *def_symbol, fxc_tick *out,
    struct fx_http_response *res)
{
    char field[48];
    if (!json_is_object(obj)) {
        fx_reply_error(res, 422, "%s%s: must be an object {\"symbol\", \"time\", \"price\"}", *where ? "" : "body",
            where);
        return -1;
    }
    fxc_tick t;
    const json_t *sym = json_object_get(obj, "symbol");
    snprintf(field, sizeof field, "%s%ssymbol", where, *where ? "." : "");
    if (sym != NULL && !json_is_string(sym)) {
        fx_reply_error(res, 422, "%s: must be a string such as \"EURUSD\"", field);
        return -1;
    }
    if (sym != NULL && json_string_length(sym) == 0) {
        fx_reply_error(res, 422, "%s: must not be empty (leave it out to use the default)", field);
        return -1;
    }
    if (fx_param_symbol_value(sym ? json_string_value(sym) : NULL, field, def_symbol, t.symbol, res)) return -1;
    snprintf(field, sizeof field, "%s%stime", where, *where ? "." : "");
    if (json_time(json_object_get(obj, "time"), field, &t.time_us, res)) return -1;
    snprintf(field, sizeof field, "%s%sprice", where, *where ? "." : "");
    if (fx_json_price(json_object_get(obj, "price"), field, &t.price, res)) return -1;
    *out = t;
    return 0;
}
