#include "base/redis_conn.h"

#include "base/errors.h"
#include "base/redis_url.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <string.h>

/* Runs one command during set-up; anything but an error reply is fine. */
static int setup_command(redisContext *c, int argc, const char **argv, char *err, size_t errlen)
{
    redisReply *r = redisCommandArgv(c, argc, argv, NULL);
    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        snprintf(err, errlen, "%s failed: %s", argv[0], r ? r->str : c->errstr);
        if (r) freeReplyObject(r);
        return -1;
    }
    freeReplyObject(r);
    return 0;
}

redisContext *fx_redis_connect(const char *url, int timeout_ms, char *err, size_t errlen)
{
    struct fx_redis_addr a;
    if (fx_redis_url_parse(url, &a) != 0) {
        if (url && strncmp(url, "rediss://", 9) == 0)
            snprintf(err, errlen, "REDIS_URL: " FX_REDIS_NO_TLS);
        else
            snprintf(err, errlen, "REDIS_URL is not " FX_REDIS_URL_FORM);
        return NULL;
    }
    struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    redisContext *c = redisConnectWithTimeout(a.host, a.port, tv);
    if (c == NULL || c->err) {
        snprintf(err, errlen, "cannot connect to %s:%d: %s", a.host, a.port, c ? c->errstr : "out of memory");
        if (c) redisFree(c);
        return NULL;
    }
    /* A reply that never comes (a stopped server) fails instead of hanging. */
    if (redisSetTimeout(c, tv) != REDIS_OK) {
        snprintf(err, errlen, "cannot set the timeout: %s", c->errstr);
        redisFree(c);
        return NULL;
    }
    char db[16];
    snprintf(db, sizeof db, "%d", a.db);
    const char *auth_user[] = { "AUTH", a.user, a.password };
    const char *auth[] = { "AUTH", a.password };
    const char *select[] = { "SELECT", db };
    if ((a.user[0] && setup_command(c, 3, auth_user, err, errlen) != 0)
        || (!a.user[0] && a.password[0] && setup_command(c, 2, auth, err, errlen) != 0)
        || (a.db && setup_command(c, 2, select, err, errlen) != 0)) {
        redisFree(c);
        return NULL;
    }
    return c;
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
