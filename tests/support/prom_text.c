#include "tests/support/prom_text.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* The first line of `text` that is the sample `prefix`, or NULL. */
static const char *find(const char *text, const char *prefix, int *count)
{
    size_t plen = strlen(prefix);
    const char *first = NULL;
    *count = 0;
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        cr_assert_not_null(nl, "the exposition ends without a newline");
        if ((size_t)(nl - line) > plen && strncmp(line, prefix, plen) == 0 && line[plen] == ' ') {
            if ((*count)++ == 0) first = line;
        }
        line = nl + 1;
    }
    return first;
}

int fx_prom_count(const char *text, const char *prefix)
{
    int n;
    find(text, prefix, &n);
    return n;
}

double fx_prom_sample(const char *text, const char *prefix)
{
    int n;
    const char *line = find(text, prefix, &n);
    cr_assert_eq(n, 1, "%s appears %d times in:\n%s", prefix, n, text);
    size_t plen = strlen(prefix);
    char *end;
    double v = strtod(line + plen + 1, &end);
    cr_assert(end > line + plen + 1 && *end == '\n', "bad value in: %.*s", (int)(strchr(line, '\n') - line), line);
    return v;
}
