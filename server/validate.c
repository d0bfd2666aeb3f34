#include "server/validate.h"

#include "base/errors.h"

#include <math.h>
#include <string.h>

static int symbol_char_ok(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int fx_symbol_normalise(const char *in, char out[FX_SYMBOL_MAX + 1])
{
    char buf[FX_SYMBOL_MAX + 1];
    size_t n = 0;
    int slashes = 0;
    if (in == NULL) return FX_EINVAL;
    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c == '/') {
            /* only the "EUR/USD" form: one slash with characters on both sides */
            if (++slashes > 1 || p == in || p[1] == '\0') return FX_EINVAL;
            continue;
        }
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (!symbol_char_ok(c) || n == FX_SYMBOL_MAX) return FX_EINVAL;
        buf[n++] = c;
    }
    if (n == 0) return FX_EINVAL;
    buf[n] = '\0';
    memcpy(out, buf, n + 1);
    return 0;
}

int fx_price_valid(double price) { return isfinite(price) && price > 0.0; }

int fx_time_valid(int64_t time_us) { return time_us >= FX_TIME_MIN_US && time_us < FX_TIME_MAX_US; }
