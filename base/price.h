/* Prices as text: the shortest form that reads back as the same double. Pure; any thread. */
#ifndef FX_BASE_PRICE_H
#define FX_BASE_PRICE_H

#include "fx/limits.h"

#include <stddef.h>

/* 1.085, never 1.0849999999999999; plain decimal from 1e-7 to 1e21 (150,
 * 0.00001), as JavaScript prints numbers. Returns `buf`, which holds
 * FX_PRICE_STR_MAX bytes. */
char *fx_price_format(double price, char buf[FX_PRICE_STR_MAX]);

/* Reads text[0..n) as a plain decimal, [+-]digits[.digits][e[+-]digits]:
 * strtod alone would also take leading spaces, "inf", "nan", hex ("0x1p0")
 * and junk after a NUL. *decimals (may be NULL) gets the number of fraction
 * digits, -1 with an exponent. Returns 0, or -1 when it is not one or is
 * not finite. */
int fx_decimal_parse(const char *text, size_t n, double *out, int *decimals);

#endif
