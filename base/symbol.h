/*
 * The symbol rule, once for every layer: 1-16 characters of A-Z 0-9 . _ -,
 * case-insensitive, "EUR/USD" meaning "EURUSD". Pure; any thread.
 */
#ifndef FX_BASE_SYMBOL_H
#define FX_BASE_SYMBOL_H

#include "fx/limits.h"

#include <stddef.h>

/* The rule in words, for error messages. */
#define FX_SYMBOL_RULE "1-16 characters of A-Z 0-9 . _ -, beginning and ending with a letter or digit (EUR/USD is read as EURUSD)"

/* Upper-cases `in`, drops one "/" between characters ("EUR/USD" -> "EURUSD")
 * and checks the rule. Writes `out` only on success. Returns 0 or FX_EINVAL.
 * fx_symbol_normalise_n reads exactly `len` bytes (an embedded NUL is
 * refused, never read as the end). */
int fx_symbol_normalise(const char *in, char out[FX_SYMBOL_MAX + 1]);
int fx_symbol_normalise_n(const char *in, size_t len, char out[FX_SYMBOL_MAX + 1]);

#endif
