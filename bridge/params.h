/*
 * Reading request inputs — query parameters, path arguments and JSON tick
 * objects — into fxclient values. Each function returns 0, or -1 after
 * filling `res` with a 422 that names the field and says what is expected.
 */
#ifndef FX_BRIDGE_PARAMS_H
#define FX_BRIDGE_PARAMS_H

#include "bridge/request.h"

#include <jansson.h>
#include <stdint.h>

/* A symbol, normalised by the symbol rule (base/symbol.h); NULL or "" takes
 * the default (SYMBOL). */
int fx_param_symbol_value(const char *value, const char *field, const char *def, char out[FXC_SYMBOL_MAX + 1],
    struct fx_http_response *res);
int fx_param_symbol(const struct fx_http_request *req, char out[FXC_SYMBOL_MAX + 1], struct fx_http_response *res);

/* An RFC 3339 time; `required` makes a missing one a 422. *present (may be
 * NULL) says whether it was given. */
int fx_param_time_value(const char *value, const char *field, int64_t *out, struct fx_http_response *res);
int fx_param_time(const struct fx_http_request *req, const char *name, int required, int64_t *out, int *present,
    struct fx_http_response *res);

/* An unsigned integer in [min, max], `def` when absent. */
int fx_param_uint(const struct fx_http_request *req, const char *name, uint32_t def, uint32_t min, uint32_t max,
    uint32_t *out, struct fx_http_response *res);

/* A tick seq (GET /ticks/?after_seq, /ws/ticks/{symbol}?since): an integer
 * from 0 to 2^63 - 1, in decimal digits only. */
int fx_param_seq_value(const char *value, const char *field, long long *out, struct fx_http_response *res);

/* A flag: true, false, 1 or 0; `def` when absent. */
int fx_param_bool(const struct fx_http_request *req, const char *name, int def, int *out,
    struct fx_http_response *res);

/* Parses the request body as JSON (jansson; duplicates keys rejected). */
json_t *fx_body_json(const struct fx_http_request *req, struct fx_http_response *res);

/* A tick object {"symbol","time","price"}; `where` prefixes field names in
 * errors ("" or "[17]"). */
int fx_json_tick(const json_t *obj, const char *where, const char *def_symbol, fxc_tick *out,
    struct fx_http_response *res);

/* A price from JSON: a finite number (the core checks > 0). */
int fx_json_price(const json_t *v, const char *field, double *out, struct fx_http_response *res);

#endif
