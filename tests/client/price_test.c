/* fxc_price_format: shortest text that reads back as the same double. */
#include "fx/client.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void assert_format(double v, const char *expected)
{
    char buf[FXC_PRICE_STR_MAX];
    cr_assert_str_eq(fxc_price_format(v, buf), expected);
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
    char buf[FXC_PRICE_STR_MAX];
    for (int i = 0; i < 100000; i++) {
        double v = (double)rand() / RAND_MAX * 1000.0 + 1e-9;
        fxc_price_format(v, buf);
        cr_assert_eq(strtod(buf, NULL), v, "%s does not read back", buf);
        cr_assert(strlen(buf) <= 20, "%s is too long", buf);
    }
}
