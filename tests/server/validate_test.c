/* Validation rules of ../shared/API.md for symbols, prices and times. */
#include "base/errors.h"
#include "server/validate.h"

#include <criterion/criterion.h>
#include <math.h>

static void assert_symbol(const char *in, const char *expected)
{
    char out[FX_SYMBOL_MAX + 1] = "untouched";
    int rc = fx_symbol_normalise(in, out);
    if (expected) {
        cr_assert_eq(rc, 0, "\"%s\" rejected", in);
        cr_assert_str_eq(out, expected);
    } else {
        cr_assert_eq(rc, FX_EINVAL, "\"%s\" accepted", in);
        cr_assert_str_eq(out, "untouched", "output written on failure");
    }
}

Test(validate, symbols_are_upper_cased_and_slash_pairs_joined)
{
    assert_symbol("EURUSD", "EURUSD");
    assert_symbol("eurusd", "EURUSD");
    assert_symbol("EUR/USD", "EURUSD");
    assert_symbol("xau.usd_x-1", "XAU.USD_X-1");
    assert_symbol("ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOP");
    assert_symbol("ABCDEFGH/IJKLMNOP", "ABCDEFGHIJKLMNOP");
}

Test(validate, bad_symbols_are_rejected)
{
    const char *bad[] = { "", "/", "EUR/", "/USD", "A//B", "A/B/C", "ABCDEFGHIJKLMNOPQ", "EUR USD", " EURUSD",
        "EUR\tUSD", "EUR$", "EUR:USD", "ÉURUSD", "EUR\"", "EUR'" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_symbol(bad[i], NULL);
    char out[FX_SYMBOL_MAX + 1];
    cr_assert_eq(fx_symbol_normalise(NULL, out), FX_EINVAL);
}

Test(validate, prices_must_be_finite_and_positive)
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

Test(validate, times_lie_between_1900_and_2200)
{
    cr_assert(fx_time_valid(0));
    cr_assert(fx_time_valid(FX_TIME_MIN_US));
    cr_assert_not(fx_time_valid(FX_TIME_MIN_US - 1));
    cr_assert(fx_time_valid(FX_TIME_MAX_US - 1));
    cr_assert_not(fx_time_valid(FX_TIME_MAX_US));
    cr_assert_not(fx_time_valid(INT64_MIN));
    cr_assert_not(fx_time_valid(INT64_MAX));
}
