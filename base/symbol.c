#include "base/symbol.h"

#include "base/errors.h"

#include <string.h>

static int alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

static int symbol_char_ok(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int fx_symbol_normalise_n(const char *in, size_t len, char out[FX_SYMBOL_MAX + 1])
{
    char buf[FX_SYMBOL_MAX + 1];
    size_t n = 0;
    int slashes = 0;
    if (in == NULL) return FX_EINVAL;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '/') {
            /* only the "EUR/USD" form: one slash with characters on both sides */
            if (++slashes > 1 || i == 0 || i + 1 == len) return FX_EINVAL;
            continue;
        }
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (!symbol_char_ok(c) || n == FX_SYMBOL_MAX) return FX_EINVAL;
        buf[n++] = c;
    }
    /* Punctuation only inside: "../etc" or "-" name no instrument (and
     * "../etc" would otherwise become "..ETC"). */
    if (n == 0 || !alnum(buf[0]) || !alnum(buf[n - 1])) return FX_EINVAL;
    buf[n] = '\0';
    memcpy(out, buf, n + 1);
    return 0;
}

int fx_symbol_normalise(const char *in, char out[FX_SYMBOL_MAX + 1])
{
    return in == NULL ? FX_EINVAL : fx_symbol_normalise_n(in, strlen(in), out);
}
