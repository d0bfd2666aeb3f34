/* What a storable tick's time and price are (base/tick_rules.h). */
#include "base/tick_rules.h"

#include "fx/limits.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>

Test(tick_rules, prices_must_be_finite_and_positive)
{
    cr_assert(fx_price_valid(1.085));
    cr_assert(fx_price_valid(1e-300));
    cr_assert(fx_price_valid(1e300));
    cr_assert_not(fx_price_valid(0.0));
    cr_assert_not(fx_price_valid(-0.0));
    cr_assert_not(fx_price_valid(-1.0));
    cr_assert_not(fx_price_valid(NAN));
    cr_assert_not(fx_price_valid(INFINITY));
    cr_assert_not(fx_price_valid(-INFINITY));
}

Test(tick_rules, times_lie_between_1900_and_2200)
{
    cr_assert(fx_time_valid(0));
    cr_assert(fx_time_valid(FX_TIME_MIN_US));
    cr_assert_not(fx_time_valid(FX_TIME_MIN_US - 1));
    cr_assert(fx_time_valid(FX_TIME_END_US - 1));
    cr_assert_not(fx_time_valid(FX_TIME_END_US));
    cr_assert_not(fx_time_valid(INT64_MIN));
    cr_assert_not(fx_time_valid(INT64_MAX));
}
