/* Symbols (base/symbol.c): any bytes normalise or fail cleanly; a
 * normalised symbol is a fixed point. */
#include "base/symbol.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[FX_SYMBOL_MAX + 1], again[FX_SYMBOL_MAX + 1];
    if (fx_symbol_normalise_n((const char *)data, size, out) == 0) {
        if (strlen(out) == 0 || strlen(out) > FX_SYMBOL_MAX) abort();
        if (fx_symbol_normalise(out, again) != 0 || strcmp(out, again) != 0) abort();
    }
    return 0;
}
