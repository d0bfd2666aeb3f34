#include "base/redis_url.h"

#include "base/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB_MAX 1000000

int fx_redis_url_parse(const char *url, struct fx_redis_addr *out)
{
    struct fx_redis_addr a = { .port = 6379 };
    if (url == NULL || strncmp(url, "redis://", 8) != 0) return FX_EINVAL;
    const char *p = url + 8;
    const char *at = strrchr(p, '@'); /* the last: a password may hold '@' */
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *pw = colon ? colon + 1 : p;
        size_t ulen = colon ? (size_t)(colon - p) : 0, plen = (size_t)(at - pw);
        if (ulen >= sizeof a.user || plen >= sizeof a.password) return FX_EINVAL;
        memcpy(a.user, p, ulen);
        memcpy(a.password, pw, plen);
        p = at + 1;
    }
    size_t hostlen = strcspn(p, ":/");
    if (hostlen == 0 || hostlen >= sizeof a.host) return FX_EINVAL;
    memcpy(a.host, p, hostlen);
    p += hostlen;
    char *end;
    if (*p == ':') {
        long port = strtol(p + 1, &end, 10);
        if (end == p + 1 || port < 1 || port > 65535) return FX_EINVAL;
        a.port = (int)port, p = end;
    }
    if (*p == '/' && p[1]) {
        long db = strtol(p + 1, &end, 10);
        if (end == p + 1 || *end || db < 0 || db > DB_MAX) return FX_EINVAL;
        a.db = (int)db, p = end;
    } else if (*p == '/') {
        p++;
    }
    if (*p) return FX_EINVAL;
    *out = a;
    return 0;
}

char *fx_redis_addr_where(const struct fx_redis_addr *a, char *buf, size_t len)
{
    snprintf(buf, len, "%s:%d/%d", a->host, a->port, a->db);
    return buf;
}
