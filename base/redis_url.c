#include "base/redis_url.h"

#include "base/errors.h"

#include <stdio.h>
#include <string.h>

#define DB_MAX 1000000

/* Decimal digits only (strtol would also take a sign and spaces), at most
 * `max`. Returns the number or -1; *end is after the digits. */
static long read_number(const char *p, long max, const char **end)
{
    long v = 0;
    const char *q = p;
    for (; *q >= '0' && *q <= '9'; q++) {
        v = v * 10 + (*q - '0');
        if (v > max) return -1;
    }
    *end = q;
    return q == p ? -1 : v;
}

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
    const char *end;
    if (*p == ':') {
        long port = read_number(p + 1, 65535, &end);
        if (port < 1) return FX_EINVAL;
        a.port = (int)port, p = end;
    }
    if (*p == '/' && p[1]) {
        long db = read_number(p + 1, DB_MAX, &end);
        if (db < 0 || *end) return FX_EINVAL;
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
