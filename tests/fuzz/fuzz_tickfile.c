/* Tick-file lines (base/tickfile.c), every format: the first byte picks the
 * format, the rest is one line; lines parse, are skipped, or fail with a
 * reason, and a tick is valid. */
#include "base/errors.h"
#include "base/symbol.h"
#include "base/tickfile.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    enum fx_tickfile_format fmt = (enum fx_tickfile_format)(1 + data[0] % 4);
    char *line = malloc(size);
    memcpy(line, data + 1, size - 1);
    line[size - 1] = '\0';
    struct fx_tick t;
    char why[256] = "";
    int rc = fx_tickfile_parse_line(fmt, line, "EURUSD", &t, why, sizeof why);
    if (rc == FX_TICKFILE_TICK) {
        char again[FX_SYMBOL_MAX + 1];
        if (fx_symbol_normalise(t.symbol, again) != 0 || !isfinite(t.price)) abort();
    } else if (rc == FX_EINVAL && why[0] == '\0') {
        abort();
    }
    fx_tickfile_detect(line);
    free(line);
    return 0;
}
