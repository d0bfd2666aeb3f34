/* The random walk of fx-tickgen (tickgen/walk.h). */
#include "tickgen/walk.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

/* ---- the random walk ------------------------------------------------------------------ */

static const char *const majors[] = { "EURUSD", "GBPUSD", "USDJPY" };

Test(walk, start_prices_and_decimals)
{
    cr_assert_eq(fxtg_pair_decimals("USDJPY"), 3);
    cr_assert_eq(fxtg_pair_decimals("EURJPY"), 3);
    cr_assert_eq(fxtg_pair_decimals("EURUSD"), 5);
    cr_assert_eq(fxtg_pair_decimals("XYZ"), 5);
    cr_assert_eq(fxtg_pair_start_price("EURUSD"), 1.08);
    cr_assert_eq(fxtg_pair_start_price("GBPUSD"), 1.27);
    cr_assert_eq(fxtg_pair_start_price("USDJPY"), 150.0);
    cr_assert_eq(fxtg_pair_start_price("ABCDEF"), 1.0);

    struct fxtg_walk w;
    cr_assert_eq(fxtg_walk_init(&w, majors, 3, 2e-5, 1), 0);
    cr_assert_float_eq(fxtg_walk_next(&w, 0), 1.08, 0.001);
    cr_assert_float_eq(fxtg_walk_next(&w, 1), 1.27, 0.001);
    cr_assert_float_eq(fxtg_walk_next(&w, 2), 150.0, 0.1);
}

Test(walk, rejects_bad_arguments)
{
    struct fxtg_walk w;
    cr_assert_eq(fxtg_walk_init(&w, majors, 0, 2e-5, 1), -1);
    cr_assert_eq(fxtg_walk_init(&w, majors, FXTG_WALK_MAX + 1, 2e-5, 1), -1);
    cr_assert_eq(fxtg_walk_init(&w, majors, 3, 0, 1), -1);
    cr_assert_eq(fxtg_walk_init(&w, majors, 3, -1e-5, 1), -1);
    cr_assert_eq(fxtg_walk_init(&w, majors, 3, NAN, 1), -1);
}

/* Is `p` a whole number of 10^-decimals? */
static int on_grid(double p, int decimals)
{
    double scaled = p * pow(10, decimals);
    return fabs(scaled - round(scaled)) < 1e-6 * fmax(1, scaled);
}

Test(walk, prices_stay_positive_and_rounded)
{
    struct fxtg_walk w;
    /* a volatility far beyond any market, to push prices towards 0 */
    cr_assert_eq(fxtg_walk_init(&w, majors, 3, 0.05, 7), 0);
    double lowest = INFINITY;
    for (int k = 0; k < 300000; k++) {
        size_t i = (size_t)k % 3;
        double p = fxtg_walk_next(&w, i);
        cr_assert(isfinite(p) && p > 0, "step %d: price %g", k, p);
        int d = i == 2 ? 3 : 5;
        if (k < 3000)
            cr_assert(on_grid(p, d), "step %d: %s price %.10f not to %d decimals", k, majors[i], p, d);
        if (!on_grid(p, d)) cr_assert_eq(p, pow(10, -d), "only the one-pip floor may look off-grid");
        lowest = fmin(lowest, p);
    }
    cr_assert(lowest > 0);
}

Test(walk, jpy_rounds_to_3_decimals)
{
    const char *pairs[] = { "USDJPY", "EURJPY", "GBPJPY", "CADJPY" };
    struct fxtg_walk w;
    cr_assert_eq(fxtg_walk_init(&w, pairs, 4, 2e-5, 3), 0);
    int moved = 0;
    double prev = 0;
    for (int k = 0; k < 4000; k++) {
        double p = fxtg_walk_next(&w, (size_t)k % 4);
        cr_assert(on_grid(p, 3), "%s: %.10f", pairs[k % 4], p);
        if (k % 4 == 0) moved += p != prev, prev = p;
    }
    cr_assert_gt(moved, 100, "the price moves (USDJPY moved %d times in 1000 steps)", moved);
    cr_assert_float_eq(fxtg_pair_start_price("CADJPY"), 100.0, 1e-9);
}

Test(walk, same_seed_same_prices)
{
    struct fxtg_walk a, b, c;
    fxtg_walk_init(&a, majors, 3, 2e-5, 12345);
    fxtg_walk_init(&b, majors, 3, 2e-5, 12345);
    fxtg_walk_init(&c, majors, 3, 2e-5, 12346);
    int differ = 0;
    for (int k = 0; k < 10000; k++) {
        size_t i = (size_t)k % 3;
        double pa = fxtg_walk_next(&a, i), pb = fxtg_walk_next(&b, i), pc = fxtg_walk_next(&c, i);
        cr_assert_eq(pa, pb, "step %d", k);
        differ += pa != pc;
    }
    cr_assert_gt(differ, 1000, "another seed gives other prices");
}
