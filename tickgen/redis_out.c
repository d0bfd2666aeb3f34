#include "tickgen/redis_out.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct addr {
    char host[256];
    int port;
    char user[128];
    char password[128];
    int db;
};

struct fxtg_out {
    redisContext *c;
    char stream[256];
    char maxlen[24]; /* "" = no MAXLEN */
    int queued; /* commands sent or buffered whose reply is unread */
    uint64_t sent;
    char where[300];
};

/* redis://[[user]:password@]host[:port][/db] */
static int parse_url(const char *url, struct addr *out)
{
    struct addr a = { .port = 6379 };
    const char *p = url;
    if (strncmp(p, "redis://", 8) != 0) return -1;
    p += 8;
    const char *at = strrchr(p, '@'); /* the last: a password may hold '@' */
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *pw = colon ? colon + 1 : p; /* "secret@host": a password, as fx-core reads it */
        size_t ulen = colon ? (size_t)(colon - p) : 0, plen = (size_t)(at - pw);
        if (ulen >= sizeof a.user || plen >= sizeof a.password) return -1;
        memcpy(a.user, p, ulen);
        memcpy(a.password, pw, plen);
        p = at + 1;
    }
    size_t hostlen = strcspn(p, ":/");
    if (hostlen == 0 || hostlen >= sizeof a.host) return -1;
    memcpy(a.host, p, hostlen);
    p += hostlen;
    char *end;
    if (*p == ':') {
        long port = strtol(p + 1, &end, 10);
        if (end == p + 1 || port < 1 || port > 65535) return -1;
        a.port = (int)port, p = end;
    }
    if (*p == '/' && p[1]) {
        long db = strtol(p + 1, &end, 10);
        if (end == p + 1 || *end || db < 0 || db > 1000000) return -1;
        a.db = (int)db, p = end;
    } else if (*p == '/') {
        p++;
    }
    if (*p) return -1;
    *out = a;
    return 0;
}

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

int fxtg_out_open(
    struct fxtg_out **out, const char *url, const char *stream, long long maxlen, char *err, size_t errlen)
{
    struct addr a;
    if (parse_url(url, &a) != 0) {
        snprintf(err, errlen, "REDIS_URL \"%s\" is not redis://[[user]:password@]host[:port][/db]", url);
        return -1;
    }
    if (strlen(stream) >= sizeof((struct fxtg_out *)0)->stream || stream[0] == '\0') {
        snprintf(err, errlen, "stream name must be 1-255 bytes");
        return -1;
    }
    struct fxtg_out *o = calloc(1, sizeof *o);
    if (o == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(o->stream, sizeof o->stream, "%s", stream);
    if (maxlen > 0) snprintf(o->maxlen, sizeof o->maxlen, "%lld", maxlen);
    snprintf(o->where, sizeof o->where, "%s:%d/%d", a.host, a.port, a.db);

    struct timeval tv = { FXTG_OUT_TIMEOUT_MS / 1000, (FXTG_OUT_TIMEOUT_MS % 1000) * 1000 };
    o->c = redisConnectWithTimeout(a.host, a.port, tv);
    if (o->c == NULL || o->c->err) {
        snprintf(err, errlen, "cannot connect to %s:%d: %s", a.host, a.port,
            o->c ? o->c->errstr : "out of memory");
        goto failed;
    }
    /* A reply that never comes (a stopped server) fails instead of hanging. */
    if (redisSetTimeout(o->c, tv) != REDIS_OK) {
        snprintf(err, errlen, "cannot set the timeout: %s", o->c->errstr);
        goto failed;
    }
    char db[16];
    snprintf(db, sizeof db, "%d", a.db);
    const char *auth_user[] = { "AUTH", a.user, a.password };
    const char *auth[] = { "AUTH", a.password };
    const char *select[] = { "SELECT", db };
    if (a.user[0] && setup_command(o->c, 3, auth_user, err, errlen) != 0) goto failed;
    if (!a.user[0] && a.password[0] && setup_command(o->c, 2, auth, err, errlen) != 0) goto failed;
    if (a.db && setup_command(o->c, 2, select, err, errlen) != 0) goto failed;
    *out = o;
    return 0;
failed:
    fxtg_out_close(o);
    return -1;
}

int fxtg_out_flush(struct fxtg_out *o, char *err, size_t errlen)
{
    int rc = 0;
    /* Read every reply even after an error one, so none is left behind. */
    while (o->queued > 0) {
        redisReply *r = NULL;
        if (redisGetReply(o->c, (void **)&r) != REDIS_OK || r == NULL) {
            snprintf(err, errlen, "Redis: %s", o->c->errstr[0] ? o->c->errstr : "connection lost");
            o->queued = 0;
            return -1;
        }
        o->queued--;
        if (r->type == REDIS_REPLY_STRING) {
            o->sent++;
        } else if (rc == 0) {
            snprintf(err, errlen, "XADD %s: %s", o->stream,
                r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply type");
            rc = -1;
        }
        freeReplyObject(r);
    }
    return rc;
}

int fxtg_out_add(struct fxtg_out *o, const struct fxtg_tick *t, char *err, size_t errlen)
{
    char time_s[FXTG_TIME_STR_MAX], price_s[FXTG_PRICE_STR_MAX];
    fxtg_time_format(t->time_us, time_s);
    fxtg_price_format(t->price, price_s);
    const char *argv[12];
    int argc = 0;
    argv[argc++] = "XADD";
    argv[argc++] = o->stream;
    if (o->maxlen[0]) {
        argv[argc++] = "MAXLEN";
        argv[argc++] = "~"; /* trims whole nodes: far cheaper than exact */
        argv[argc++] = o->maxlen;
    }
    argv[argc++] = "*";
    argv[argc++] = "symbol";
    argv[argc++] = t->symbol;
    argv[argc++] = "time";
    argv[argc++] = time_s;
    argv[argc++] = "price";
    argv[argc++] = price_s;
    if (redisAppendCommandArgv(o->c, argc, argv, NULL) != REDIS_OK) {
        snprintf(err, errlen, "Redis: %s", o->c->errstr[0] ? o->c->errstr : "out of memory");
        return -1;
    }
    if (++o->queued >= FXTG_OUT_CHUNK) return fxtg_out_flush(o, err, errlen);
    return 0;
}

uint64_t fxtg_out_sent(const struct fxtg_out *o) { return o->sent; }

const char *fxtg_out_where(const struct fxtg_out *o) { return o->where; }

void fxtg_out_close(struct fxtg_out *o)
{
    if (o == NULL) return;
    if (o->c) redisFree(o->c);
    free(o);
}
