/* RFC 3339 times (base/rfc3339.c): any bytes parse or fail cleanly; a parsed
 * time formats and parses back to itself. */
#include "base/rfc3339.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t us;
    if (fx_time_parse_n((const char *)data, size, &us) == 0) {
        char text[FX_TIME_STR_MAX];
        fx_time_format(us, text);
        int64_t again;
        if (fx_time_parse(text, &again) != 0 || again != us) abort();
    }
    /* the NUL-terminated entry point sees the same bytes up to a NUL */
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    fx_time_parse(s, &us);
    free(s);
    return 0;
}
