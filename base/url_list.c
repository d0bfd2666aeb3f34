#include "base/url_list.h"

#include "base/errors.h"

#include <stdio.h>
#include <string.h>

static int is_space(char c) { return c == ' ' || c == '\t'; }

int fx_url_list_parse(const char *list, struct fx_url_list *out, char *err, size_t errlen)
{
    static struct fx_url_list empty;
    struct fx_url_list l = empty;
    const char *p = list ? list : "";
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        while (p < end && is_space(*p)) p++;
        while (end > p && is_space(end[-1])) end--;
        size_t len = (size_t)(end - p);
        if (len == 0) {
            snprintf(err, errlen, "address %zu of the list is empty", l.n + 1);
            return FX_EINVAL;
        }
        if (len >= FX_URL_MAX) {
            snprintf(err, errlen, "address %zu is longer than %d bytes", l.n + 1, FX_URL_MAX - 1);
            return FX_EINVAL;
        }
        if (l.n == FX_URL_LIST_MAX) {
            snprintf(err, errlen, "more than %d addresses", FX_URL_LIST_MAX);
            return FX_EINVAL;
        }
        memcpy(l.url[l.n], p, len);
        l.url[l.n][len] = '\0';
        for (size_t i = 0; i < l.n; i++) {
            if (strcmp(l.url[i], l.url[l.n]) == 0) {
                snprintf(err, errlen, "%s is listed twice", l.url[i]);
                return FX_EINVAL;
            }
        }
        l.n++;
        if (comma == NULL) break;
        p = comma + 1;
    }
    *out = l;
    return 0;
}
