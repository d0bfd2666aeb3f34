/*
 * Synthetic prices: a geometric random walk per symbol, p *= exp(sigma * z)
 * with z standard normal, from a seeded generator so a run can be repeated
 * (--seed). Pure: no clock, no I/O; the caller decides when a tick happens.
 * The walk keeps full precision internally and rounds only what it returns,
 * so rounding never sticks the price or biases it.
 */
#ifndef FXTG_WALK_H
#define FXTG_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "fx/tick.h"

#define FXTG_WALK_MAX 64 /* symbols in one walk */

struct fxtg_walk_symbol {
    char symbol[FX_SYMBOL_MAX + 1];
    double price; /* unrounded */
    int decimals; /* of the returned prices */
};

/* Embedded by the caller: no allocation, nothing to free. */
struct fxtg_walk {
    uint64_t rng; /* splitmix64 state */
    double sigma; /* relative standard deviation per step */
    size_t n;
    struct fxtg_walk_symbol sym[FXTG_WALK_MAX];
};

/* Starts `n` (1..FXTG_WALK_MAX) symbols, already normalised, at their usual
 * prices, moving by `sigma` (> 0, < 0.1) per step. Returns 0 or FX_EINVAL. */
int fxtg_walk_init(struct fxtg_walk *w, const char *const *symbols, size_t n, double sigma, uint64_t seed);

/* Moves symbol `i` one step and returns its price rounded to its decimals;
 * always > 0. */
double fxtg_walk_next(struct fxtg_walk *w, size_t i);

/* Decimals a pair is quoted to: 3 when the quote currency is JPY, else 5. */
int fxtg_pair_decimals(const char *symbol);

/* A plausible start price: EURUSD 1.08, GBPUSD 1.27, USDJPY 150 and a few
 * other majors; any other JPY-quoted pair 100, anything else 1.0. */
double fxtg_pair_start_price(const char *symbol);

#endif
