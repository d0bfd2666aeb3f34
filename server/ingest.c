#include "server/ingest.h"

#include "base/errors.h"
#include "base/log.h"
#include "base/redis_conn.h"
#include "server/core_metrics.h"
#include "server/db.h"
#include "server/ingest_entry.h"
#include "server/tick_store.h"
#include "base/worker.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define MAINTENANCE_EVERY_MS 5000 /* XAUTOCLAIM and trimming, at most this far apart */
#define DEAD_LETTER_MAXLEN 100000

/*
 * Two threads, so that reading the next batch overlaps storing this one:
 * the reader (XREADGROUP, parsing, takeover and trimming, on its own Redis
 * connection) hands each batch over through a one-batch slot to the storer
 * (transaction, live events, then XACK on a second Redis connection). A
 * batch the storer cannot store stays in its hands and is retried, so
 * batches are stored in the order they were read; every entry is pending
 * until its XACK, so a crash anywhere leaves it to be read again.
 */
struct fx_ingest {
    struct fx_config cfg;
    struct fx_publisher *pub;

    struct fx_thread reader; /* both are asked to stop at once (fx_ingest_stop) */
    redisContext *redis;
    int read_pending; /* re-read our own pending entries before new ones */
    char pending_after[32]; /* ...those after this id (the last one handed over) */
    struct fx_backoff backoff;
    int64_t last_maintenance_ms; /* CLOCK_MONOTONIC */

    struct fx_thread storer;
    struct fx_db db;
    redisContext *acker;
    struct fx_backoff store_backoff;

    pthread_mutex_t lock; /* the slot */
    pthread_cond_t changed;
    struct job *slot;
    int unstored; /* the storer stopped with a batch it could not store */
};

/* One batch of entries as read: ids, and per id a tick or a reason. */
struct batch {
    size_t n, cap;
    char (*ids)[32];
    struct fx_tick *ticks;
    size_t *tick_entry; /* the entry each tick came from */
    size_t nticks;
    struct {
        size_t entry;
        char why[128];
    } *bad;
    size_t nbad;
    redisReply **entries; /* the raw entries, for the dead-letter copies */
};

/* A batch on its way from the reader to the storer, with the replies that
 * hold its entries. While the storer is busy, the reader adds what arrives
 * to the batch waiting in the slot (up to INGEST_BATCH): a tick never waits
 * for a batch read before it to be stored first. */
struct job {
    redisReply **replies;
    size_t nreplies;
    struct batch b;
};

/* Each thread looks at its own stop flag; a stop cuts a backoff short. */
static int reader_stopping(struct fx_ingest *in) { return fx_thread_stopping(&in->reader); }
static int storer_stopping(struct fx_ingest *in) { return fx_thread_stopping(&in->storer); }
static void back_off(struct fx_ingest *in) { fx_backoff_sleep(&in->backoff, &in->reader); }
static void store_back_off(struct fx_ingest *in) { fx_backoff_sleep(&in->store_backoff, &in->storer); }

/* ---- batches ------------------------------------------------------------ */

static void batch_free(struct batch *b)
{
    free(b->ids);
    free(b->ticks);
    free(b->tick_entry);
    free(b->bad);
    free(b->entries);
    memset(b, 0, sizeof *b);
}

static int batch_init(struct batch *b, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->cap = cap;
    b->ids = calloc(cap, sizeof *b->ids);
    b->ticks = calloc(cap, sizeof *b->ticks);
    b->entries = calloc(cap, sizeof *b->entries);
    b->tick_entry = calloc(cap, sizeof *b->tick_entry);
    if (b->ids && b->ticks && b->entries && b->tick_entry) return 0;
    batch_free(b);
    return FX_ENOMEM;
}

/* Adds an array of entries [id, [field, value, ...]] (at most cap - n). */
static int batch_append(struct batch *b, redisReply *list)
{
    for (size_t i = 0; i < list->elements && b->n < b->cap; i++) {
        redisReply *e = list->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 || e->element[0]->type != REDIS_REPLY_STRING) continue;
        snprintf(b->ids[b->n], sizeof b->ids[0], "%s", e->element[0]->str);
        b->entries[b->n] = e;
        redisReply *f = e->element[1];
        if (f->type != REDIS_REPLY_ARRAY) { /* pending, but trimmed away: nothing to store, only ack */
            b->n++;
            continue;
        }
        /* the pairs the parser reads, however many other fields come first */
        const char *fields[32];
        size_t lengths[32], nf = 0;
        for (size_t k = 0; k + 1 < f->elements && nf + 2 <= 32; k += 2) {
            const redisReply *name = f->element[k], *value = f->element[k + 1];
            if (!name->str || !fx_ingest_field_wanted(name->str, name->len)) continue;
            fields[nf] = name->str, lengths[nf++] = name->len;
            fields[nf] = value->str ? value->str : "", lengths[nf++] = value->str ? value->len : 0;
        }
        char why[sizeof b->bad[0].why];
        if (fx_ingest_parse_entry(fields, lengths, nf, &b->ticks[b->nticks], why, sizeof why) == 0) {
            b->tick_entry[b->nticks++] = b->n;
        } else {
            if (b->bad == NULL && (b->bad = calloc(b->cap, sizeof *b->bad)) == NULL) return FX_ENOMEM;
            memcpy(b->bad[b->nbad].why, why, sizeof why);
            b->bad[b->nbad++].entry = b->n;
        }
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

/* Dead letters, then one XACK for the whole batch (pipelined), on the
 * storer's connection. */
static int dead_letter_and_ack(struct fx_ingest *in, struct batch *b, char *err, size_t errlen)
{
    redisContext *c = in->acker;
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
        append_argv(c, argc, argv, lens);
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
    append_argv(c, (int)b->n + 3, argv, lens);
    queued++;
    free(argv);
    free(lens);
    return drain(c, queued, err, errlen);
}

/* ---- the storer ---------------------------------------------------------- */

static void job_free(struct job *j)
{
    if (j == NULL) return;
    batch_free(&j->b);
    for (size_t i = 0; i < j->nreplies; i++) freeReplyObject(j->replies[i]);
    free(j->replies);
    free(j);
}

static int64_t monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Moves the ticks of sealed days (retention dropped their ticks: writes
 * there are refused) to the dead letters; returns how many. */
static size_t dead_letter_sealed(struct fx_ingest *in, struct batch *b)
{
    unsigned char *sealed = calloc(b->nticks ? b->nticks : 1, 1);
    char err[512];
    if (sealed == NULL || fx_ticks_sealed(&in->db, b->ticks, b->nticks, sealed, err, sizeof err) != 0) {
        free(sealed);
        return 0;
    }
    if (b->bad == NULL && (b->bad = calloc(b->cap, sizeof *b->bad)) == NULL) {
        free(sealed);
        return 0;
    }
    size_t kept = 0, moved = 0;
    for (size_t i = 0; i < b->nticks; i++) {
        if (!sealed[i]) {
            b->ticks[kept] = b->ticks[i], b->tick_entry[kept++] = b->tick_entry[i];
            continue;
        }
        b->bad[b->nbad].entry = b->tick_entry[i];
        snprintf(b->bad[b->nbad++].why, sizeof b->bad[0].why,
            "its day is sealed: retention dropped the day's ticks (RETENTION_DAYS), so none can be added");
        moved++;
    }
    b->nticks = kept;
    free(sealed);
    return moved;
}

/* Stores the batch's ticks, retrying (with backoff) until it works or the
 * ingester stops; tried once at least, also when stopping (a graceful stop
 * finishes the batch in hand). Returns 0 once stored, with the time the
 * successful try took in *seconds. */
static int store(struct fx_ingest *in, struct batch *b, struct fx_write *written, double *seconds)
{
    char err[512];
    for (int attempt = 0; attempt == 0 || !storer_stopping(in); attempt++) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int rc = fx_db_ensure(&in->db, err, sizeof err);
        if (rc == 0) rc = b->nticks ? fx_ticks_insert_bulk(&in->db, b->ticks, b->nticks, NULL, written, err, sizeof err) : 0;
        if (rc == 0) {
            *seconds = seconds_since(&t0);
            fx_backoff_reset(&in->store_backoff);
            return 0;
        }
        if (rc == FX_ESEALED && dead_letter_sealed(in, b) > 0) {
            attempt = -1; /* not a failure: the rest is stored at once */
            continue;
        }
        fx_log_event(FX_LOG_WARN, "ingest", FX_LOG_FIELDS(FX_LOG_INT("batch_size", b->nticks)),
            "batch of %zu not stored, will retry: %s", b->nticks, err);
        if (storer_stopping(in)) break;
        store_back_off(in);
    }
    return -1;
}

/* Dead letters and XACK, retrying on a lost connection. An error reply
 * (the group is gone: Redis lost its data) is not retried: what is still
 * pending is read again anyway. */
static void acknowledge(struct fx_ingest *in, struct batch *b)
{
    char err[512];
    /* at least one try, also when stopping: the batch is stored */
    for (int attempt = 0; attempt == 0 || !storer_stopping(in); attempt++) {
        if (in->acker == NULL) {
            in->acker = fx_redis_connect(in->cfg.redis_url, in->cfg.ingest_block_ms + 5000, err, sizeof err);
            if (in->acker == NULL) {
                fx_warn("ingest", "Redis unavailable for acknowledgements (%s); retrying", err);
                store_back_off(in);
                continue;
            }
        }
        if (dead_letter_and_ack(in, b, err, sizeof err) == 0) return;
        if (in->acker->err == 0) {
            fx_warn("ingest", "ack failed (the entries will be re-read; stored ticks are skipped): %s", err);
            return;
        }
        fx_warn("ingest", "ack failed, reconnecting: %s", err);
        redisFree(in->acker);
        in->acker = NULL;
        store_back_off(in);
    }
}

/* Stores, publishes and acknowledges one batch. */
static void process(struct fx_ingest *in, struct batch *b)
{
    struct fx_write written = { 0 };
    double seconds = 0;
    if (store(in, b, &written, &seconds) != 0) { /* stopping: the entries stay pending */
        in->unstored = 1;
        return;
    }
    fx_core_metrics_ingest_batch(b->n, written.created, b->nticks - (size_t)written.created, b->nbad, seconds);
    fx_publish_write(in->pub, &written);
    for (size_t i = 0; i < b->nbad; i++)
        fx_log_event(FX_LOG_WARN, "ingest",
            FX_LOG_FIELDS(FX_LOG_STR("entry_id", b->ids[b->bad[i].entry]), FX_LOG_STR("reason", b->bad[i].why)),
            "entry %s to %s: %s", b->ids[b->bad[i].entry], in->cfg.dead_letter_stream, b->bad[i].why);
    if (b->n > 0) acknowledge(in, b);
    fx_log_event(FX_LOG_DEBUG, "ingest",
        FX_LOG_FIELDS(FX_LOG_INT("batch_size", b->n), FX_LOG_INT("stored", written.created),
            FX_LOG_INT("duplicates", b->nticks - (size_t)written.created), FX_LOG_INT("dead_lettered", b->nbad),
            FX_LOG_INT("commit_ms", seconds * 1000)),
        "batch: %zu entries, %llu stored, %zu duplicates, %zu dead-lettered", b->n,
        (unsigned long long)written.created, b->nticks - (size_t)written.created, b->nbad);
    fx_write_free(&written);
}

/* Waits for the next batch; NULL when stopping. */
static struct job *take(struct fx_ingest *in)
{
    pthread_mutex_lock(&in->lock);
    while (in->slot == NULL && !storer_stopping(in)) pthread_cond_wait(&in->changed, &in->lock);
    struct job *j = in->slot;
    in->slot = NULL;
    pthread_cond_broadcast(&in->changed);
    pthread_mutex_unlock(&in->lock);
    return j;
}

static void storer_main(void *arg)
{
    struct fx_ingest *in = arg;
    struct job *j;
    while ((j = take(in)) != NULL) {
        process(in, &j->b);
        job_free(j);
    }
    if (in->acker) redisFree(in->acker);
    fx_db_close(&in->db);
}

/* ---- the reader ------------------------------------------------------------ */

/* How many entries the next read may take: what the waiting batch still
 * has room for, or a whole batch once the storer took it. Waits while the
 * waiting batch is full. */
static size_t room(struct fx_ingest *in)
{
    size_t cap = (size_t)in->cfg.ingest_batch;
    pthread_mutex_lock(&in->lock);
    while (in->slot != NULL && in->slot->b.n >= in->slot->b.cap && !reader_stopping(in))
        pthread_cond_wait(&in->changed, &in->lock);
    size_t n = in->slot ? in->slot->b.cap - in->slot->b.n : cap;
    pthread_mutex_unlock(&in->lock);
    return n ? n : 1;
}

/* Adds `entries` to the batch waiting for the storer, or makes them the
 * next batch. Takes `reply` (the entries live in it). Returns -1 when
 * stopping. */
static int hand_over(struct fx_ingest *in, redisReply *reply, redisReply *entries)
{
    fx_core_metrics_ingest_read(entries->elements);
    pthread_mutex_lock(&in->lock);
    struct job *w = in->slot;
    if (w != NULL && w->b.n + entries->elements <= w->b.cap && w->nreplies < w->b.cap) {
        int rc = batch_append(&w->b, entries);
        w->replies[w->nreplies++] = reply;
        pthread_mutex_unlock(&in->lock);
        return rc;
    }
    pthread_mutex_unlock(&in->lock);
    size_t cap = entries->elements > (size_t)in->cfg.ingest_batch ? entries->elements : (size_t)in->cfg.ingest_batch;
    struct job *j = calloc(1, sizeof *j);
    if (j == NULL || (j->replies = calloc(cap, sizeof *j->replies)) == NULL || batch_init(&j->b, cap) != 0
        || batch_append(&j->b, entries) != 0) {
        if (j) batch_free(&j->b), free(j->replies);
        free(j);
        freeReplyObject(reply);
        return FX_ENOMEM;
    }
    j->replies[j->nreplies++] = reply;
    pthread_mutex_lock(&in->lock);
    while (in->slot != NULL && !reader_stopping(in)) pthread_cond_wait(&in->changed, &in->lock);
    int stop = reader_stopping(in);
    if (!stop) in->slot = j;
    pthread_cond_broadcast(&in->changed);
    pthread_mutex_unlock(&in->lock);
    if (stop) job_free(j);
    return stop ? -1 : 0;
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
    snprintf(in->pending_after, sizeof in->pending_after, "0");
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

static redisReply *read_group(struct fx_ingest *in, size_t max)
{
    char count[24], block[16];
    snprintf(count, sizeof count, "%zu", max);
    snprintf(block, sizeof block, "%d", in->cfg.ingest_block_ms);
    const char *argv[11] = { "XREADGROUP", "GROUP", in->cfg.redis_group, in->cfg.redis_consumer, "COUNT", count };
    int argc = 6;
    if (!in->read_pending) argv[argc++] = "BLOCK", argv[argc++] = block;
    argv[argc++] = "STREAMS";
    argv[argc++] = in->cfg.redis_stream;
    argv[argc++] = in->read_pending ? in->pending_after : ">";
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
    if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2 && r->element[1]->type == REDIS_REPLY_ARRAY
        && r->element[1]->elements > 0) {
        fx_log_event(FX_LOG_INFO, "ingest", FX_LOG_FIELDS(FX_LOG_INT("entries", r->element[1]->elements)),
            "took over %zu entries left pending by another consumer", r->element[1]->elements);
        return hand_over(in, r, r->element[1]) == FX_ENOMEM ? FX_ENOMEM : 0;
    }
    freeReplyObject(r);
    return 0;
}

/* Stream ids "ms-seq": whether a < b. */
static int id_less(const char *a, const char *b)
{
    unsigned long long ams = 0, aseq = 0, bms = 0, bseq = 0;
    sscanf(a, "%llu-%llu", &ams, &aseq);
    sscanf(b, "%llu-%llu", &bms, &bseq);
    return ams < bms || (ams == bms && aseq < bseq);
}

/* The first entry group `name` still needs: its oldest pending entry, or
 * the one after its last delivered (then `last` itself is safe to trim
 * up to). Writes "" when unknown. */
static void group_floor(struct fx_ingest *in, const char *name, long long pending, const char *last, char *out,
    size_t outlen)
{
    out[0] = '\0';
    if (pending == 0) {
        snprintf(out, outlen, "%s", last);
        return;
    }
    redisReply *p = redisCommand(in->redis, "XPENDING %s %s", in->cfg.redis_stream, name);
    if (p && p->type == REDIS_REPLY_ARRAY && p->elements >= 2 && p->element[1]->type == REDIS_REPLY_STRING)
        snprintf(out, outlen, "%s", p->element[1]->str);
    if (p) freeReplyObject(p);
}

/* Trims what every consumer group of the stream is done with: entries
 * before the oldest one still pending or not yet delivered in any group
 * (another service may read the same stream with a group of its own).
 * Un-acknowledged entries are never trimmed. */
static void trim_acknowledged(struct fx_ingest *in)
{
    redisReply *g = redisCommand(in->redis, "XINFO GROUPS %s", in->cfg.redis_stream);
    char minid[64] = "";
    int unknown = g == NULL || g->type != REDIS_REPLY_ARRAY;
    for (size_t i = 0; !unknown && i < g->elements; i++) {
        redisReply *grp = g->element[i];
        const char *name = NULL, *last = NULL;
        long long pending = -1;
        for (size_t k = 0; grp->type == REDIS_REPLY_ARRAY && k + 1 < grp->elements; k += 2) {
            const char *key = grp->element[k]->str;
            redisReply *v = grp->element[k + 1];
            if (key == NULL) continue;
            if (strcmp(key, "name") == 0) name = v->str;
            if (strcmp(key, "last-delivered-id") == 0) last = v->str;
            if (strcmp(key, "pending") == 0 && v->type == REDIS_REPLY_INTEGER) pending = v->integer;
        }
        char floor[64];
        if (name && last && pending >= 0) group_floor(in, name, pending, last, floor, sizeof floor);
        else floor[0] = '\0';
        if (floor[0] == '\0') unknown = 1; /* not sure what a group needs: trim nothing */
        else if (minid[0] == '\0' || id_less(floor, minid)) snprintf(minid, sizeof minid, "%s", floor);
    }
    if (g) freeReplyObject(g);
    if (unknown || !minid[0] || strcmp(minid, "0-0") == 0) return;
    redisReply *t = redisCommand(in->redis, "XTRIM %s MINID ~ %s", in->cfg.redis_stream, minid);
    if (t && t->type == REDIS_REPLY_INTEGER && t->integer > 0)
        fx_debug("ingest", "trimmed %lld acknowledged entries", t->integer);
    if (t) freeReplyObject(t);
}

/* Samples the group's backlog for the metrics: entries pending (the
 * XPENDING summary) and entries not yet delivered ("lag" of XINFO GROUPS,
 * Redis 7; nil or absent when Redis cannot tell, e.g. after an XDEL inside
 * the group's range, or before Redis 7: then left out). */
static void sample_backlog(struct fx_ingest *in)
{
    long long pending = -1, lag = -1;
    redisReply *p = redisCommand(in->redis, "XPENDING %s %s", in->cfg.redis_stream, in->cfg.redis_group);
    if (p && p->type == REDIS_REPLY_ARRAY && p->elements >= 1 && p->element[0]->type == REDIS_REPLY_INTEGER)
        pending = p->element[0]->integer;
    if (p) freeReplyObject(p);
    redisReply *g = redisCommand(in->redis, "XINFO GROUPS %s", in->cfg.redis_stream);
    for (size_t i = 0; g && g->type == REDIS_REPLY_ARRAY && i < g->elements; i++) {
        redisReply *grp = g->element[i];
        int ours = 0;
        long long value = -1;
        for (size_t k = 0; grp->type == REDIS_REPLY_ARRAY && k + 1 < grp->elements; k += 2) {
            const char *key = grp->element[k]->str;
            redisReply *v = grp->element[k + 1];
            if (key && strcmp(key, "name") == 0) ours = v->str && strcmp(v->str, in->cfg.redis_group) == 0;
            if (key && strcmp(key, "lag") == 0 && v->type == REDIS_REPLY_INTEGER) value = v->integer;
        }
        if (ours) lag = value;
    }
    if (g) freeReplyObject(g);
    if (pending >= 0) fx_core_metrics_ingest_backlog(pending, lag);
}

static void drop_redis(struct fx_ingest *in)
{
    if (in->redis) redisFree(in->redis);
    in->redis = NULL;
}

/* One step of the reader: returns after each batch or wait. */
static void step(struct fx_ingest *in)
{
    if (in->redis == NULL && connect_redis(in) != 0) return back_off(in);
    /* A dead core's entries become claimable INGEST_CLAIM_IDLE_MS after its
     * last read: looking twice as often takes them over at most half that
     * late (a short setting, for a fast failover, is then worth it). */
    int every_ms = in->cfg.ingest_claim_idle_ms / 2;
    if (every_ms > MAINTENANCE_EVERY_MS) every_ms = MAINTENANCE_EVERY_MS;
    int64_t now = monotonic_ms();
    if (!in->read_pending && now - in->last_maintenance_ms >= every_ms) {
        in->last_maintenance_ms = now;
        int rc = claim_abandoned(in);
        if (rc == FX_EREDIS) return drop_redis(in);
        if (rc == 0) trim_acknowledged(in);
        if (rc == 0) sample_backlog(in);
    }
    redisReply *r = read_group(in, room(in));
    if (reader_stopping(in)) {
        if (r) freeReplyObject(r); /* not handed over: still pending, read again at the next start */
        return;
    }
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
    /* Pending entries are read in order, each once: the next read starts
     * after the last one handed over (they stay pending until acked). */
    redisReply *last = entries->element[entries->elements - 1];
    if (in->read_pending && last->type == REDIS_REPLY_ARRAY && last->elements > 0
        && last->element[0]->type == REDIS_REPLY_STRING)
        snprintf(in->pending_after, sizeof in->pending_after, "%s", last->element[0]->str);
    if (hand_over(in, r, entries) == FX_ENOMEM) return back_off(in);
    fx_backoff_reset(&in->backoff);
}

static void reader_main(void *arg)
{
    struct fx_ingest *in = arg;
    while (!reader_stopping(in)) step(in);
    drop_redis(in);
}

/* Asks both threads to stop and wakes them wherever they wait: in a
 * backoff (fx_thread) or at the slot (`changed`). */
static void request_stop(struct fx_ingest *in)
{
    fx_thread_request_stop(&in->reader);
    fx_thread_request_stop(&in->storer);
    pthread_mutex_lock(&in->lock);
    pthread_cond_broadcast(&in->changed);
    pthread_mutex_unlock(&in->lock);
}

int fx_ingest_start(struct fx_ingest **out, const struct fx_config *cfg, struct fx_publisher *pub, char *err,
    size_t errlen)
{
    /* Credentials Redis refuses are a configuration error, said at start:
     * retrying them forever would look like an outage. Redis not answering
     * yet is not (the reader keeps trying). */
    char why[256];
    struct redisContext *probe = fx_redis_connect(cfg->redis_url, 5000, why, sizeof why);
    if (probe) {
        redisFree(probe);
    } else if (strstr(why, "AUTH failed") != NULL) {
        snprintf(err, errlen, "REDIS_URL: Redis refused the credentials: %s", why);
        return FX_ECONFIG;
    }
    struct fx_ingest *in = calloc(1, sizeof *in);
    if (in == NULL) return FX_ENOMEM;
    in->cfg = *cfg;
    in->pub = pub;
    in->backoff = in->store_backoff = FX_BACKOFF_INIT(BACKOFF_MIN_MS, BACKOFF_MAX_MS);
    snprintf(in->db.url, sizeof in->db.url, "%s", cfg->database_url);
    pthread_mutex_init(&in->lock, NULL);
    pthread_cond_init(&in->changed, NULL);
    if (fx_thread_start(&in->storer, storer_main, in) != 0) {
        snprintf(err, errlen, "cannot start the ingest threads");
        pthread_cond_destroy(&in->changed);
        pthread_mutex_destroy(&in->lock);
        free(in);
        return FX_ENOMEM;
    }
    if (fx_thread_start(&in->reader, reader_main, in) != 0) {
        snprintf(err, errlen, "cannot start the ingest threads");
        request_stop(in);
        fx_thread_stop(&in->storer);
        pthread_cond_destroy(&in->changed);
        pthread_mutex_destroy(&in->lock);
        free(in);
        return FX_ENOMEM;
    }
    *out = in;
    return 0;
}

/* The graceful stop: the reader first (no more reads), then the storer,
 * which stores and acknowledges the batch waiting in the slot before it
 * ends (take() hands it out also when stopping). */
void fx_ingest_stop(struct fx_ingest *in)
{
    if (in == NULL) return;
    fx_thread_request_stop(&in->reader);
    pthread_mutex_lock(&in->lock);
    pthread_cond_broadcast(&in->changed);
    pthread_mutex_unlock(&in->lock);
    fx_thread_stop(&in->reader);
    fx_info("ingest", "stopped reading %s", in->cfg.redis_stream);
    request_stop(in);
    fx_thread_stop(&in->storer);
    if (in->unstored)
        fx_warn("ingest", "stopped; a batch could not be stored: its entries stay pending for the next start");
    else
        fx_info("ingest", "stopped; the batches handed to the storer are stored and acknowledged");
    job_free(in->slot); /* read, not stored: still pending, read again at the next start */
    pthread_cond_destroy(&in->changed);
    pthread_mutex_destroy(&in->lock);
    free(in);
}
