/* Decimal prices (base/price.c): any bytes parse or fail cleanly; a parsed
 * price is finite and formats to text that parses back to the same double. */
#include "base/price.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    double v;
    int decimals;
    if (fx_decimal_parse((const char *)data, size, &v, &decimals) == 0) {
        if (!isfinite(v)) abort();
        char text[FX_PRICE_STR_MAX];
        fx_price_format(v, text);
        double again;
        if (fx_decimal_parse(text, strlen(text), &again, &decimals) != 0 || memcmp(&again, &v, sizeof v) != 0) abort();
    }
    return 0;
}
