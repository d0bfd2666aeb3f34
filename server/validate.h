/*
 * Validation of tick fields, exactly as ../shared/API.md says. Pure functions,
 * no I/O: the RPC handlers call them before touching PostgreSQL, so a rejected
 * request changes nothing.
 */
#ifndef FX_VALIDATE_H
#define FX_VALIDATE_H

#include <stdint.h>

#define FX_SYMBOL_MAX 16
#define FX_TICKS_GET_MAX 10000
#define FX_BULK_MAX 100000

/* Supported tick times: 1900-01-01 .. 2199-12-31 UTC (microseconds). */
#define FX_TIME_MIN_US (-2208988800LL * 1000000LL)
#define FX_TIME_MAX_US (7258118400LL * 1000000LL) /* exclusive: 2200-01-01 */

/* Upper-cases `in`, drops one "/" between letters ("EUR/USD" -> "EURUSD") and
 * checks 1-16 characters of A-Z 0-9 . _ -. Writes `out` (17 bytes) on success.
 * Returns 0 or FX_EINVAL. */
int fx_symbol_normalise(const char *in, char out[FX_SYMBOL_MAX + 1]);

/* Finite and > 0. */
int fx_price_valid(double price);

/* Within [FX_TIME_MIN_US, FX_TIME_MAX_US). */
int fx_time_valid(int64_t time_us);

#endif
