/*
 * One Redis Stream entry -> one tick: the fields symbol, time and price,
 * checked by the same rules as every other way in (base/).
 */
#include "server/ingest_entry.h"

#include "base/errors.h"
#include "base/price.h"
#include "base/rfc3339.h"
#include "base/symbol.h"
#include "base/tick_rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int field_is(const char *f, size_t len, const char *name)
{
    return len == strlen(name) && memcmp(f, name, len) == 0;
}

int fx_ingest_field_wanted(const char *name, size_t len)
{
    return field_is(name, len, "symbol") || field_is(name, len, "time") || field_is(name, len, "price");
}

static int parse_time(const char *s, int64_t *out)
{
    if (fx_time_parse(s, out) == 0) return 0;
    double v;
    if (fx_decimal_parse(s, strlen(s), &v, NULL) != 0) return FX_EINVAL; /* no hex, no spaces */
    double a = fabs(v);
    double us = a > 1e14 ? v : a > 1e11 ? v * 1e3 : v * 1e6;
    if (fabs(us) > 9e18) return FX_EINVAL;
    *out = (int64_t)llround(us);
    return 0;
}

int fx_ingest_parse_entry(const char *const *fields, const size_t *lengths, size_t nfields, struct fx_tick *out,
    char *why, size_t whylen)
{
    char symbol[64] = "", time_s[64] = "", price_s[64] = "";
    int have = 0;
    for (size_t i = 0; i + 1 < nfields; i += 2) {
        char *dst = NULL;
        int bit = 0;
        if (field_is(fields[i], lengths[i], "symbol")) dst = symbol, bit = 1;
        if (field_is(fields[i], lengths[i], "time")) dst = time_s, bit = 2;
        if (field_is(fields[i], lengths[i], "price")) dst = price_s, bit = 4;
        if (dst == NULL) continue;
        if (lengths[i + 1] >= 64) {
            snprintf(why, whylen, "field %.*s is longer than 63 bytes", (int)lengths[i], fields[i]);
            return FX_EINVAL;
        }
        /* the parsers below stop at a NUL: "EURUSD\0junk" must not pass as EURUSD */
        if (memchr(fields[i + 1], '\0', lengths[i + 1]) != NULL) {
            snprintf(why, whylen, "field %.*s holds a NUL byte", (int)lengths[i], fields[i]);
            return FX_EINVAL;
        }
        memcpy(dst, fields[i + 1], lengths[i + 1]);
        dst[lengths[i + 1]] = '\0';
        have |= bit;
    }
    if (have != 7) {
        snprintf(why, whylen, "missing field%s%s%s", have & 1 ? "" : " symbol", have & 2 ? "" : " time",
            have & 4 ? "" : " price");
        return FX_EINVAL;
    }
    struct fx_tick t;
    if (fx_symbol_normalise(symbol, t.symbol) != 0) {
        snprintf(why, whylen, "symbol \"%s\" is not " FX_SYMBOL_RULE, symbol);
        return FX_EINVAL;
    }
    if (parse_time(time_s, &t.time_us) != 0 || !fx_time_valid(t.time_us)) {
        snprintf(why, whylen, "time \"%s\" is not an RFC 3339 time or Unix seconds in 1900..2199", time_s);
        return FX_EINVAL;
    }
    if (fx_decimal_parse(price_s, strlen(price_s), &t.price, NULL) != 0 || !fx_price_valid(t.price)) {
        snprintf(why, whylen, "price \"%s\" is not a finite number > 0", price_s);
        return FX_EINVAL;
    }
    *out = t;
    return 0;
}

