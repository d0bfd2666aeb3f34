#include "server/redis.h"

#include "base/errors.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fx_redis_parse_url(const char *url, struct fx_redis_addr *out)
{
    struct fx_redis_addr a = { .port = 6379 };
    const char *p = url;
    if (strncmp(p, "redis://", 8) != 0) return FX_EINVAL;
    p += 8;
    const char *at = strrchr(p, '@');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *pw = colon ? colon + 1 : p;
        size_t len = (size_t)(at - pw);
        if (len >= sizeof a.password) return FX_EINVAL;
        memcpy(a.password, pw, len);
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
        if (end == p + 1 || *end || db < 0) return FX_EINVAL;
        a.db = (int)db, p = end;
    } else if (*p == '/') {
        p++;
    }
    if (*p) return FX_EINVAL;
    *out = a;
    return 0;
}

redisContext *fx_redis_connect(const char *url, int timeout_ms, char *err, size_t errlen)
{
    struct fx_redis_addr a;
    if (fx_redis_parse_url(url, &a) != 0) {
        snprintf(err, errlen, "REDIS_URL is not redis://[:password@]host[:port][/db]");
        return NULL;
    }
    struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    redisContext *c = redisConnectWithTimeout(a.host, a.port, tv);
    if (c == NULL || c->err) {
        snprintf(err, errlen, "cannot connect to %s:%d: %s", a.host, a.port, c ? c->errstr : "out of memory");
        if (c) redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, tv);
    redisReply *r = NULL;
    if (a.password[0]) {
        r = redisCommand(c, "AUTH %s", a.password);
        if (r == NULL || r->type == REDIS_REPLY_ERROR) goto failed;
        freeReplyObject(r);
    }
    if (a.db) {
        r = redisCommand(c, "SELECT %d", a.db);
        if (r == NULL || r->type == REDIS_REPLY_ERROR) goto failed;
        freeReplyObject(r);
    }
    return c;
failed:
    snprintf(err, errlen, "%s", r ? r->str : c->errstr);
    if (r) freeReplyObject(r);
    redisFree(c);
    return NULL;
}

int fx_redis_ping(const char *url, int timeout_ms, char *err, size_t errlen)
{
    redisContext *c = fx_redis_connect(url, timeout_ms, err, errlen);
    if (c == NULL) return FX_EREDIS;
    redisReply *r = redisCommand(c, "PING");
    int rc = r == NULL || r->type == REDIS_REPLY_ERROR ? FX_EREDIS : 0;
    if (rc) snprintf(err, errlen, "PING failed: %s", r ? r->str : c->errstr);
    if (r) freeReplyObject(r);
    redisFree(c);
    return rc;
}
