/* The symbol rule (base/symbol.h). */
#include "base/symbol.h"

#include "base/errors.h"

#include <criterion/criterion.h>

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

Test(symbol, symbols_are_upper_cased_and_slash_pairs_joined)
{
    assert_symbol("EURUSD", "EURUSD");
    assert_symbol("eurusd", "EURUSD");
    assert_symbol("EUR/USD", "EURUSD");
    assert_symbol("xau.usd_x-1", "XAU.USD_X-1");
    assert_symbol("ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOP");
    assert_symbol("ABCDEFGH/IJKLMNOP", "ABCDEFGHIJKLMNOP");
}

Test(symbol, bad_symbols_are_rejected)
{
    const char *bad[] = { "", "/", "EUR/", "/USD", "A//B", "A/B/C", "ABCDEFGHIJKLMNOPQ", "EUR USD", " EURUSD",
        "EUR\tUSD", "EUR$", "EUR:USD", "ÉURUSD", "EUR\"", "EUR'", "../etc", "-", "_EUR", "EUR.", "./X" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_symbol(bad[i], NULL);
    char out[FX_SYMBOL_MAX + 1];
    cr_assert_eq(fx_symbol_normalise(NULL, out), FX_EINVAL);
}

Test(symbol, the_length_aware_form_refuses_an_embedded_nul)
{
    char out[FX_SYMBOL_MAX + 1] = "untouched";
    cr_assert_eq(fx_symbol_normalise_n("ABC\0XYZ", 7, out), FX_EINVAL);
    cr_assert_str_eq(out, "untouched");
    cr_assert_eq(fx_symbol_normalise_n("eur/usdJUNK", 7, out), 0);
    cr_assert_str_eq(out, "EURUSD");
}
