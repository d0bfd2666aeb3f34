/* Shortest round-trip formatting of prices (for JSON, tables and logs). */
#include "base/price.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* buf = v as "d.ddde+XX" with the fewest digits that read back as v. */
/*
 * Starts at 15 digits: a double carries at least 15 significant decimal
 * digits, so when a shorter text reads back, rounding to 15 digits gives
 * that text followed by zeros (stripped by the caller). Only 16 or 17 are
 * tried after that; trying 1..17 cost up to 17 snprintf+strtod per price,
 * which dominated JSON responses of full-precision prices.
 */
static void shortest_exponential(double v, char *buf, size_t size)
{
    for (int prec = 15; prec <= 17; prec++) { /* 17 digits always suffice */
        snprintf(buf, size, "%.*e", prec - 1, v);
        if (strtod(buf, NULL) == v) return;
    }
}

/* Rewrites the digits and exponent as a plain decimal: 1.5e+02 -> 150,
 * 1e-05 -> 0.00001, 1.085e+00 -> 1.085. */
static void exponential_to_plain(const char *digits, int n, int exp10, char *buf, size_t size)
{
    char tmp[64];
    int k = 0;
    if (exp10 < 0) {
        tmp[k++] = '0';
        tmp[k++] = '.';
        for (int i = 0; i < -exp10 - 1; i++)
            tmp[k++] = '0';
    }
    for (int i = 0; i < n || i <= exp10; i++) {
        if (exp10 >= 0 && i == exp10 + 1) tmp[k++] = '.';
        tmp[k++] = i < n ? digits[i] : '0';
    }
    tmp[k] = '\0';
    snprintf(buf, size, "%s", tmp);
}

/*
 * Shortest text that reads back as the same double (1.085, never
 * 1.0849999999999999). Like JavaScript's number printing, it is written
 * without an exponent from 1e-7 to 1e21 (150, not 1.5e+02): plain "%.Ng" would
 * pick an exponent whenever that is shorter.
 */
char *fx_price_format(double v, char buf[FX_PRICE_STR_MAX])
{
    const size_t size = FX_PRICE_STR_MAX;
    char digits[18]; /* at most 17 significant digits */
    int n = 0;
    if (!isfinite(v) || v <= 0.0) {
        snprintf(buf, size, "%.17g", v);
        return buf;
    }
    shortest_exponential(v, buf, size);
    const char *e = strchr(buf, 'e');
    for (const char *p = buf; p < e && n < (int)sizeof digits - 1; p++)
        if (*p != '.') digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    int exp10 = atoi(e + 1);
    if (exp10 >= -7 && exp10 < 21) {
        exponential_to_plain(digits, n, exp10, buf, size);
        return buf;
    }
    digits[n] = '\0';
    snprintf(buf, size, "%c%s%se%d", digits[0], n > 1 ? "." : "", digits + 1, exp10);
    return buf;
}

/* The digits' test of fx_decimal_parse. */
static int is_digit(char c) { return c >= '0' && c <= '9'; }

int fx_decimal_parse(const char *text, size_t n, double *out, int *decimals)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf || memchr(text, '\0', n)) return -1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    const char *p = buf;
    int digits = 0, frac = 0;
    if (*p == '+' || *p == '-') p++;
    while (is_digit(*p))
        p++, digits++;
    if (*p == '.') {
        p++;
        while (is_digit(*p))
            p++, frac++;
    }
    if (digits + frac == 0) return -1;
    int dec = frac;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!is_digit(*p)) return -1;
        while (is_digit(*p))
            p++;
        dec = -1;
    }
    if (*p) return -1;
    double v = strtod(buf, NULL);
    if (!isfinite(v)) return -1;
    *out = v;
    if (decimals) *decimals = dec;
    return 0;
}
