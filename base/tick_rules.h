/*
 * What a storable tick's time and price are (the symbol's rule is
 * base/symbol.h). Pure; any thread.
 */
#ifndef FX_BASE_TICK_RULES_H
#define FX_BASE_TICK_RULES_H

#include <stdint.h>

#define FX_TIME_RULE "between 1900-01-01 and 2199-12-31 UTC"
#define FX_PRICE_RULE "a finite number > 0"

/* Within [FX_TIME_MIN_US, FX_TIME_END_US). */
int fx_time_valid(int64_t time_us);

/* Finite and > 0. */
int fx_price_valid(double price);

#endif
