/* Prices as text: the shortest form that reads back as the same double. Pure; any thread. */
#ifndef FX_BASE_PRICE_H
#define FX_BASE_PRICE_H

#include "fx/limits.h"

/* 1.085, never 1.0849999999999999; plain decimal from 1e-7 to 1e21 (150,
 * 0.00001), as JavaScript prints numbers. Returns `buf`, which holds
 * FX_PRICE_STR_MAX bytes. */
char *fx_price_format(double price, char buf[FX_PRICE_STR_MAX]);

#endif
