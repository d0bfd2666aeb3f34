/* Compacted chunks (server/tick_codec.c): any bytes decode or fail cleanly
 * (a chunk read back from the database is input too), and what decodes
 * encodes to a blob that decodes to the same ticks. */
#include "server/tick_codec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t n = fx_tick_chunk_count(data, size);
    if (n <= 0 || n > 100000) return 0;
    struct fx_tick *t = calloc((size_t)n, sizeof *t);
    if (fx_tick_chunk_decode(data, size, t, (size_t)n) == 0) {
        size_t cap = fx_tick_chunk_bound((size_t)n), len;
        uint8_t *blob = malloc(cap);
        if (fx_tick_chunk_encode(t, (size_t)n, blob, cap, &len) != 0) abort(); /* decoded times increase */
        struct fx_tick *u = calloc((size_t)n, sizeof *u);
        if (fx_tick_chunk_decode(blob, len, u, (size_t)n) != 0) abort();
        if (fx_tick_checksum(t, (size_t)n, 0) != fx_tick_checksum(u, (size_t)n, 0)) abort();
        free(u);
        free(blob);
    }
    free(t);
    return 0;
}
