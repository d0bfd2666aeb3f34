#include "tickgen/redis_out.h"

#include "base/errors.h"
#include "base/price.h"
#include "base/redis_conn.h"
#include "base/redis_url.h"
#include "base/rfc3339.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fxtg_out {
    redisContext *c;
    char stream[256];
    char maxlen[24]; /* "" = no MAXLEN */
    int queued; /* commands sent or buffered whose reply is unread */
    uint64_t sent;
    char where[300];
};

int fxtg_out_open(
    struct fxtg_out **out, const char *url, const char *stream, long long maxlen, char *err, size_t errlen)
{
    struct fx_redis_addr a;
    if (fx_redis_url_parse(url, &a) != 0) {
        if (strncmp(url, "rediss://", 9) == 0)
            snprintf(err, errlen, "REDIS_URL: " FX_REDIS_NO_TLS);
        else
            snprintf(err, errlen, "REDIS_URL \"%s\" is not " FX_REDIS_URL_FORM, url);
        return FX_EREDIS;
    }
    if (strlen(stream) >= sizeof((struct fxtg_out *)0)->stream || stream[0] == '\0') {
        snprintf(err, errlen, "stream name must be 1-255 bytes");
        return FX_EREDIS;
    }
    struct fxtg_out *o = calloc(1, sizeof *o);
    if (o == NULL) {
        snprintf(err, errlen, "out of memory");
        return FX_EREDIS;
    }
    snprintf(o->stream, sizeof o->stream, "%s", stream);
    if (maxlen > 0) snprintf(o->maxlen, sizeof o->maxlen, "%lld", maxlen);
    fx_redis_addr_where(&a, o->where, sizeof o->where);

    if ((o->c = fx_redis_connect(url, FXTG_OUT_TIMEOUT_MS, err, errlen)) == NULL) goto failed;
    *out = o;
    return 0;
failed:
    fxtg_out_close(o);
    return FX_EREDIS;
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
            return FX_EREDIS;
        }
        o->queued--;
        if (r->type == REDIS_REPLY_STRING) {
            o->sent++;
        } else if (rc == 0) {
            snprintf(err, errlen, "XADD %s: %s", o->stream,
                r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply type");
            rc = FX_EREDIS;
        }
        freeReplyObject(r);
    }
    return rc;
}

int fxtg_out_add(struct fxtg_out *o, const struct fx_tick *t, char *err, size_t errlen)
{
    char time_s[FX_TIME_STR_MAX], price_s[FX_PRICE_STR_MAX];
    fx_time_format(t->time_us, time_s);
    fx_price_format(t->price, price_s);
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
        return FX_EREDIS;
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
