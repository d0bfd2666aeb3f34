/* fx_price_format: shortest text that reads back as the same double. */
#include "base/price.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void assert_format(double v, const char *expected)
{
    char buf[FX_PRICE_STR_MAX];
    cr_assert_str_eq(fx_price_format(v, buf), expected);
}

Test(price, common_prices_print_as_written)
{
    assert_format(1.085, "1.085");
    assert_format(1.0849999999999999, "1.085"); /* the same double */
    assert_format(150, "150");
    assert_format(150.123, "150.123");
    assert_format(0.00001, "0.00001");
    assert_format(0.1 + 0.2, "0.30000000000000004");
    assert_format(1e21, "1e21");
}

Test(price, random_doubles_read_back_exactly)
{
    srand(7);
    char buf[FX_PRICE_STR_MAX];
    for (int i = 0; i < 100000; i++) {
        double v = (double)rand() / RAND_MAX * 1000.0 + 1e-9;
        fx_price_format(v, buf);
        cr_assert_eq(strtod(buf, NULL), v, "%s does not read back", buf);
        cr_assert(strlen(buf) <= 20, "%s is too long", buf);
    }
}

/* Significant digits of a plain or exponent decimal text. */
static int significant_digits(const char *s)
{
    int n = 0, leading = 1, trailing_zeros = 0;
    for (const char *p = s; *p && *p != 'e'; p++) {
        if (*p < '0' || *p > '9') continue;
        if (leading && *p == '0') continue;
        leading = 0;
        n++;
        trailing_zeros = *p == '0' ? trailing_zeros + 1 : 0;
    }
    return n - trailing_zeros;
}

Test(price, the_text_is_as_short_as_any_that_reads_back)
{
    srand(11);
    char buf[FX_PRICE_STR_MAX], ref[64];
    for (int i = 0; i < 20000; i++) {
        /* prices of 1..17 significant digits */
        double v = (double)rand() / RAND_MAX * 200.0 + 0.5;
        int digits = 1 + rand() % 17;
        snprintf(ref, sizeof ref, "%.*g", digits, v);
        v = strtod(ref, NULL);
        int shortest = 17;
        for (int p = 1; p <= 17; p++) { /* brute force: the fewest digits that read back */
            snprintf(ref, sizeof ref, "%.*g", p, v);
            if (strtod(ref, NULL) == v) {
                shortest = p;
                break;
            }
        }
        fx_price_format(v, buf);
        cr_assert_eq(significant_digits(buf), shortest, "%s has %d digits, %d suffice", buf, significant_digits(buf),
            shortest);
    }
}
