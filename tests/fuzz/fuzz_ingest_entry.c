/* Redis Stream entries (server/ingest_entry.c): the input is split at 0xff
 * bytes into field names and values (which may hold any other byte, NUL
 * included); an entry parses into a valid tick or fails with a reason. */
#include "base/symbol.h"
#include "server/ingest_entry.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *fields[64];
    size_t lengths[64], n = 0, start = 0;
    for (size_t i = 0; i <= size && n < 64; i++)
        if (i == size || data[i] == 0xff) {
            fields[n] = (const char *)data + start, lengths[n++] = i - start;
            start = i + 1;
        }
    n &= ~(size_t)1; /* pairs */
    struct fx_tick t;
    char why[128] = "";
    if (fx_ingest_parse_entry(fields, lengths, n, &t, why, sizeof why) == 0) {
        char again[FX_SYMBOL_MAX + 1];
        if (fx_symbol_normalise(t.symbol, again) != 0 || strcmp(again, t.symbol) != 0) abort();
        if (!(t.price > 0) || !isfinite(t.price)) abort();
    } else if (why[0] == '\0') {
        abort(); /* a dead letter always says why */
    }
    return 0;
}
