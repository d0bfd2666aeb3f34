#include "ingest.h"

#include "db.h"
#include "errors.h"
#include "fx/client.h"
#include "log.h"
#include "redis.h"
#include "tick_store.h"
#include "validate.h"

#include <hiredis/hiredis.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define MAINTENANCE_EVERY_S 5 /* XAUTOCLAIM and trimming */
#define DEAD_LETTER_MAXLEN 100000

struct fx_ingest {
    struct fx_config cfg;
    struct fx_publisher *pub;
    pthread_t thread;
    int stopping; /* atomic */
    redisContext *redis;
    struct fx_db db;
    int read_pending; /* re-read our own pending entries before new ones */
    int backoff_ms;
    time_t last_maintenance;
};

/* One batch of entries as read: ids, and per id a tick or a reason. */
struct batch {
    size_t n;
    char (*ids)[32];
    struct fx_tick *ticks;
    size_t nticks;
    struct {
        size_t entry;
        char why[128];
    } *bad;
    size_t nbad;
    redisReply **entries; /* the raw entries, for the dead-letter copies */
};

static int stopping(struct fx_ingest *in) { return __atomic_load_n(&in->stopping, __ATOMIC_ACQUIRE); }

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
    nanosleep(&ts, NULL);
}

static void back_off(struct fx_ingest *in)
{
    sleep_ms(in->backoff_ms);
    in->backoff_ms = in->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : in->backoff_ms * 2;
}

/* ---- parsing ------------------------------------------------------------ */

static int field_is(const char *f, size_t len, const char *name)
{
    return len == strlen(name) && memcmp(f, name, len) == 0;
}

static int parse_time(const char *s, int64_t *out)
{
    if (fxc_time_parse(s, out) == 0) return 0;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v)) return -1;
    double a = fabs(v);
    double us = a > 1e14 ? v : a > 1e11 ? v * 1e3 : v * 1e6;
    if (fabs(us) > 9e18) return -1;
    *out = (int64_t)llround(us);
    return 0;
}

int fx_ingest_parse_entry(const char *const *fields, const size_t *lengths, size_t nfields, struct fx_tick *out,
    char *why, size_t whylen)
{
    char symbol[64] = "", time_s[64] = "", price_s[64] = "";
    int have = 0;
    for (size_t i = 0; i + 1 < nfields; i += 2) {
        char *dst = NULL;
        int bit = 0;
        if (field_is(fields[i], lengths[i], "symbol")) dst = symbol, bit = 1;
        if (field_is(fields[i], lengths[i], "time")) dst = time_s, bit = 2;
        if (field_is(fields[i], lengths[i], "price")) dst = price_s, bit = 4;
        if (dst == NULL) continue;
        if (lengths[i + 1] >= 64) {
            snprintf(why, whylen, "field %.*s is longer than 63 bytes", (int)lengths[i], fields[i]);
            return -1;
        }
        memcpy(dst, fields[i + 1], lengths[i + 1]);
        dst[lengths[i + 1]] = '\0';
        have |= bit;
    }
    if (have != 7) {
        snprintf(why, whylen, "missing field%s%s%s", have & 1 ? "" : " symbol", have & 2 ? "" : " time",
            have & 4 ? "" : " price");
        return -1;
    }
    struct fx_tick t;
    if (fx_symbol_normalise(symbol, t.symbol) != 0) {
        snprintf(why, whylen, "symbol \"%s\" is not 1-16 characters of A-Z 0-9 . _ -", symbol);
        return -1;
    }
    if (parse_time(time_s, &t.time_us) != 0 || !fx_time_valid(t.time_us)) {
        snprintf(why, whylen, "time \"%s\" is not an RFC 3339 time or Unix seconds in 1900..2199", time_s);
        return -1;
    }
    char *end;
    t.price = strtod(price_s, &end);
    if (end == price_s || *end || !fx_price_valid(t.price)) {
        snprintf(why, whylen, "price \"%s\" is not a finite number > 0", price_s);
        return -1;
    }
    *out = t;
    return 0;
}

/* ---- batches ------------------------------------------------------------ */

static void batch_free(struct batch *b)
{
    free(b->ids);
    free(b->ticks);
    free(b->bad);
    free(b->entries);
    memset(b, 0, sizeof *b);
}

/* Fills `b` from an array of entries [id, [field, value, ...]]. */
static int batch_from_entries(struct batch *b, redisReply *list)
{
    memset(b, 0, sizeof *b);
    size_t n = list->elements;
    b->ids = calloc(n ? n : 1, sizeof *b->ids);
    b->ticks = calloc(n ? n : 1, sizeof *b->ticks);
    b->bad = calloc(n ? n : 1, sizeof *b->bad);
    b->entries = calloc(n ? n : 1, sizeof *b->entries);
    if (!b->ids || !b->ticks || !b->bad || !b->entries) {
        batch_free(b);
        return FX_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        redisReply *e = list->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 || e->element[0]->type != REDIS_REPLY_STRING) continue;
        snprintf(b->ids[b->n], sizeof b->ids[0], "%s", e->element[0]->str);
        b->entries[b->n] = e;
        redisReply *f = e->element[1];
        if (f->type != REDIS_REPLY_ARRAY) { /* pending, but trimmed away: nothing to store, only ack */
            b->n++;
            continue;
        }
        const char *fields[32];
        size_t lengths[32], nf = 0;
        for (size_t k = 0; f->type == REDIS_REPLY_ARRAY && k < f->elements && nf < 32; k++) {
            fields[nf] = f->element[k]->str ? f->element[k]->str : "";
            lengths[nf++] = f->element[k]->str ? f->element[k]->len : 0;
        }
        if (fx_ingest_parse_entry(fields, lengths, nf, &b->ticks[b->nticks], b->bad[b->nbad].why,
                sizeof b->bad[0].why)
            == 0)
            b->nticks++;
        else
            b->bad[b->nbad++].entry = b->n;
        b->n++;
    }
    return 0;
}

/* Queues a command on the pipeline. */
static void append_argv(redisContext *c, int argc, const char **argv, const size_t *lens)
{
    redisAppendCommandArgv(c, argc, argv, lens);
}

/* Reads `count` pipelined replies; returns 0 when none failed. */
static int drain(redisContext *c, int count, char *err, size_t errlen)
{
    int rc = 0;
    for (int i = 0; i < count; i++) {
        redisReply *r = NULL;
        if (redisGetReply(c, (void **)&r) != REDIS_OK) {
            snprintf(err, errlen, "%s", c->errstr);
            return FX_EREDIS;
        }
        if (r->type == REDIS_REPLY_ERROR && rc == 0) {
            snprintf(err, errlen, "%s", r->str);
            rc = FX_EREDIS;
        }
        freeReplyObject(r);
    }
    return rc;
}

/* Dead letters, then one XACK for the whole batch (pipelined). */
static int dead_letter_and_ack(struct fx_ingest *in, struct batch *b, char *err, size_t errlen)
{
    int queued = 0;
    for (size_t i = 0; i < b->nbad; i++) {
        redisReply *f = b->entries[b->bad[i].entry]->element[1];
        const char *argv[80];
        size_t lens[80];
        int argc = 0;
        argv[argc] = "XADD", lens[argc++] = 4;
        argv[argc] = in->cfg.dead_letter_stream, lens[argc++] = strlen(in->cfg.dead_letter_stream);
        argv[argc] = "MAXLEN", lens[argc++] = 6;
        argv[argc] = "~", lens[argc++] = 1;
        argv[argc] = "100000", lens[argc++] = 6;
        argv[argc] = "*", lens[argc++] = 1;
        argv[argc] = "source_id", lens[argc++] = 9;
        argv[argc] = b->ids[b->bad[i].entry], lens[argc++] = strlen(b->ids[b->bad[i].entry]);
        argv[argc] = "reason", lens[argc++] = 6;
        argv[argc] = b->bad[i].why, lens[argc++] = strlen(b->bad[i].why);
        for (size_t k = 0; f->type == REDIS_REPLY_ARRAY && k + 1 < f->elements && argc < 78; k += 2) {
            argv[argc] = f->element[k]->str ? f->element[k]->str : "", lens[argc++] = f->element[k]->len;
            argv[argc] = f->element[k + 1]->str ? f->element[k + 1]->str : "", lens[argc++] = f->element[k + 1]->len;
        }
        append_argv(in->redis, argc, argv, lens);
        queued++;
    }
    const char **argv = malloc((b->n + 3) * sizeof *argv);
    size_t *lens = malloc((b->n + 3) * sizeof *lens);
    if (argv == NULL || lens == NULL) {
        free(argv);
        free(lens);
        return FX_ENOMEM;
    }
    argv[0] = "XACK", lens[0] = 4;
    argv[1] = in->cfg.redis_stream, lens[1] = strlen(in->cfg.redis_stream);
    argv[2] = in->cfg.redis_group, lens[2] = strlen(in->cfg.redis_group);
    for (size_t i = 0; i < b->n; i++) argv[3 + i] = b->ids[i], lens[3 + i] = strlen(b->ids[i]);
    append_argv(in->redis, (int)b->n + 3, argv, lens);
    queued++;
    free(argv);
    free(lens);
    return drain(in->redis, queued, err, errlen);
}

/* Stores a batch and acknowledges it. Returns 0, FX_EREDIS (reconnect) or
 * a database error (retry later: the entries stay pending). */
static int process(struct fx_ingest *in, redisReply *entries)
{
    struct batch b;
    if (batch_from_entries(&b, entries) != 0) return FX_ENOMEM;
    char err[512];
    int rc = 0;
    struct fx_write written = { 0 };
    if (b.nticks > 0) {
        rc = fx_ticks_insert_bulk(&in->db, b.ticks, b.nticks, &written, err, sizeof err);
        if (rc) fx_warn("ingest", "batch of %zu not stored, will retry: %s", b.nticks, err);
    }
    uint64_t created = written.created;
    if (rc == 0) {
        fx_publish_write(in->pub, &written);
        for (size_t i = 0; i < b.nbad; i++)
            fx_warn("ingest", "entry %s to %s: %s", b.ids[b.bad[i].entry], in->cfg.dead_letter_stream, b.bad[i].why);
        if (b.n > 0) rc = dead_letter_and_ack(in, &b, err, sizeof err);
        if (rc) fx_warn("ingest", "ack failed (entries will be re-read; stored ticks are skipped): %s", err);
        else fx_debug("ingest", "batch: %zu entries, %llu stored, %zu duplicates, %zu dead-lettered", b.n,
            (unsigned long long)created, b.nticks - (size_t)created, b.nbad);
    }
    fx_write_free(&written);
    batch_free(&b);
    return rc;
}

/* ---- Redis commands ----------------------------------------------------- */

static int connect_redis(struct fx_ingest *in)
{
    char err[256];
    in->redis = fx_redis_connect(in->cfg.redis_url, in->cfg.ingest_block_ms + 5000, err, sizeof err);
    if (in->redis == NULL) {
        fx_warn("ingest", "Redis unavailable (%s); retrying", err);
        return FX_EREDIS;
    }
    /* From 0: entries added before the group existed are ingested too. */
    redisReply *r = redisCommand(in->redis, "XGROUP CREATE %s %s 0 MKSTREAM", in->cfg.redis_stream,
        in->cfg.redis_group);
    int rc = 0;
    if (r == NULL || (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9) != 0)) {
        fx_warn("ingest", "XGROUP CREATE failed: %s", r ? r->str : in->redis->errstr);
        rc = FX_EREDIS;
    }
    if (r) freeReplyObject(r);
    if (rc) {
        redisFree(in->redis);
        in->redis = NULL;
        return rc;
    }
    fx_info("ingest", "reading %s as %s/%s", in->cfg.redis_stream, in->cfg.redis_group, in->cfg.redis_consumer);
    in->read_pending = 1;
    return 0;
}

/* The entries array of an XREADGROUP reply (NULL when there are none). */
static redisReply *stream_entries(redisReply *r)
{
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements == 0) return NULL;
    redisReply *s = r->element[0];
    if (s->type != REDIS_REPLY_ARRAY || s->elements < 2 || s->element[1]->type != REDIS_REPLY_ARRAY) return NULL;
    return s->element[1];
}

static redisReply *read_group(struct fx_ingest *in)
{
    char count[16], block[16];
    snprintf(count, sizeof count, "%d", in->cfg.ingest_batch);
    snprintf(block, sizeof block, "%d", in->cfg.ingest_block_ms);
    const char *argv[11] = { "XREADGROUP", "GROUP", in->cfg.redis_group, in->cfg.redis_consumer, "COUNT", count };
    int argc = 6;
    if (!in->read_pending) argv[argc++] = "BLOCK", argv[argc++] = block;
    argv[argc++] = "STREAMS";
    argv[argc++] = in->cfg.redis_stream;
    argv[argc++] = in->read_pending ? "0" : ">";
    return redisCommandArgv(in->redis, argc, argv, NULL);
}

/* Takes over entries idle longer than INGEST_CLAIM_IDLE_MS (their consumer
 * died) and processes them. */
static int claim_abandoned(struct fx_ingest *in)
{
    char idle[16], count[16];
    snprintf(idle, sizeof idle, "%d", in->cfg.ingest_claim_idle_ms);
    snprintf(count, sizeof count, "%d", in->cfg.ingest_batch);
    const char *argv[] = { "XAUTOCLAIM", in->cfg.redis_stream, in->cfg.redis_group, in->cfg.redis_consumer, idle,
        "0-0", "COUNT", count };
    redisReply *r = redisCommandArgv(in->redis, 8, argv, NULL);
    if (r == NULL) return FX_EREDIS;
    int rc = 0;
    if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2 && r->element[1]->type == REDIS_REPLY_ARRAY
        && r->element[1]->elements > 0) {
        fx_info("ingest", "took over %zu entries left pending by another consumer", r->element[1]->elements);
        rc = process(in, r->element[1]);
    }
    freeReplyObject(r);
    return rc;
}

/* Trims entries every reader has acknowledged: everything before the
 * oldest pending entry, or before the last delivered one when none is
 * pending. Un-acknowledged entries are never trimmed. */
static void trim_acknowledged(struct fx_ingest *in)
{
    redisReply *p = redisCommand(in->redis, "XPENDING %s %s", in->cfg.redis_stream, in->cfg.redis_group);
    redisReply *g = redisCommand(in->redis, "XINFO GROUPS %s", in->cfg.redis_stream);
    char minid[64] = "";
    if (p && p->type == REDIS_REPLY_ARRAY && p->elements >= 2 && p->element[0]->integer > 0
        && p->element[1]->type == REDIS_REPLY_STRING)
        snprintf(minid, sizeof minid, "%s", p->element[1]->str);
    for (size_t i = 0; !minid[0] && g && g->type == REDIS_REPLY_ARRAY && i < g->elements; i++) {
        redisReply *grp = g->element[i];
        const char *name = NULL, *last = NULL;
        for (size_t k = 0; grp->type == REDIS_REPLY_ARRAY && k + 1 < grp->elements; k += 2) {
            if (grp->element[k]->str && strcmp(grp->element[k]->str, "name") == 0) name = grp->element[k + 1]->str;
            if (grp->element[k]->str && strcmp(grp->element[k]->str, "last-delivered-id") == 0)
                last = grp->element[k + 1]->str;
        }
        if (name && last && strcmp(name, in->cfg.redis_group) == 0) snprintf(minid, sizeof minid, "%s", last);
    }
    if (p) freeReplyObject(p);
    if (g) freeReplyObject(g);
    if (!minid[0] || strcmp(minid, "0-0") == 0) return;
    redisReply *t = redisCommand(in->redis, "XTRIM %s MINID ~ %s", in->cfg.redis_stream, minid);
    if (t && t->type == REDIS_REPLY_INTEGER && t->integer > 0)
        fx_debug("ingest", "trimmed %lld acknowledged entries", t->integer);
    if (t) freeReplyObject(t);
}

static void drop_redis(struct fx_ingest *in)
{
    if (in->redis) redisFree(in->redis);
    in->redis = NULL;
}

/* One step of the loop; returns after each batch or wait. */
static void step(struct fx_ingest *in)
{
    if (in->redis == NULL && connect_redis(in) != 0) return back_off(in);
    char err[512];
    if (fx_db_ensure(&in->db, err, sizeof err) != 0) {
        fx_warn("ingest", "PostgreSQL unavailable (%s); retrying", err);
        return back_off(in);
    }
    time_t now = time(NULL);
    if (!in->read_pending && now - in->last_maintenance >= MAINTENANCE_EVERY_S) {
        in->last_maintenance = now;
        int rc = claim_abandoned(in);
        if (rc == FX_EREDIS) return drop_redis(in);
        if (rc == 0) trim_acknowledged(in);
    }
    redisReply *r = read_group(in);
    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        fx_warn("ingest", "XREADGROUP failed: %s; reconnecting", r ? r->str : in->redis->errstr);
        if (r) freeReplyObject(r);
        drop_redis(in); /* e.g. NOGROUP after a Redis restart without data: recreated on connect */
        return back_off(in);
    }
    redisReply *entries = stream_entries(r);
    if (entries == NULL || entries->elements == 0) {
        in->read_pending = 0; /* our pending entries are done: read new ones */
        freeReplyObject(r);
        return;
    }
    int rc = process(in, entries);
    freeReplyObject(r);
    if (rc == FX_EREDIS) {
        drop_redis(in);
        return back_off(in);
    }
    if (rc != 0) {
        in->read_pending = 1; /* stored nothing: these entries are re-read */
        return back_off(in);
    }
    in->backoff_ms = BACKOFF_MIN_MS;
}

static void *ingest_main(void *arg)
{
    struct fx_ingest *in = arg;
    while (!stopping(in)) step(in);
    drop_redis(in);
    fx_db_close(&in->db);
    return NULL;
}

int fx_ingest_start(struct fx_ingest **out, const struct fx_config *cfg, struct fx_publisher *pub, char *err,
    size_t errlen)
{
    struct fx_ingest *in = calloc(1, sizeof *in);
    if (in == NULL) return FX_ENOMEM;
    in->cfg = *cfg;
    in->pub = pub;
    in->backoff_ms = BACKOFF_MIN_MS;
    snprintf(in->db.url, sizeof in->db.url, "%s", cfg->database_url);
    if (pthread_create(&in->thread, NULL, ingest_main, in) != 0) {
        snprintf(err, errlen, "cannot start the ingest thread");
        free(in);
        return FX_ENOMEM;
    }
    *out = in;
    return 0;
}

void fx_ingest_stop(struct fx_ingest *in)
{
    if (in == NULL) return;
    __atomic_store_n(&in->stopping, 1, __ATOMIC_RELEASE);
    pthread_join(in->thread, NULL);
    free(in);
}
