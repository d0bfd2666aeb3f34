#include "server/tick_group.h"

#include "base/calendar.h"
#include "base/errors.h"
#include "server/candle_store.h"
#include "server/partitions.h"
#include "server/tick_chunks.h"
#include "server/tick_write.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int same_tick(const struct fx_tick *a, const struct fx_tick *b)
{
    return a->time_us == b->time_us && strcmp(a->symbol, b->symbol) == 0;
}

static int same_key(const struct fx_request_key *a, const struct fx_request_key *b)
{
    return a->client == b->client && a->id == b->id;
}

/* What one group needs while it runs (all malloc'ed, freed by group_free). */
struct group {
    struct fx_group_op *ops;
    size_t n;
    size_t *dup_of; /* dup_of[i] = j < i: op i resends op j (same key) in this group; n: none */
    struct fx_tick *pending; /* creates not stored yet */
    size_t *pending_op, npending;
    int stored; /* a flush ran in this transaction */
    struct fx_write *out;
};

static void group_free(struct group *g) { free(g->dup_of), free(g->pending), free(g->pending_op); }

/* Appends what one store wrote to the group's write. */
static int write_append(struct fx_write *to, struct fx_write *from)
{
    if (from->created > 0) {
        struct fx_tick *t = realloc(to->ticks, (to->created + from->created) * sizeof *t);
        if (t == NULL) return FX_ENOMEM;
        memcpy(t + to->created, from->ticks, from->created * sizeof *t);
        to->ticks = t, to->created += from->created;
    }
    if (from->ncandles > 0) {
        struct fx_candle_update *c = realloc(to->candles, (to->ncandles + from->ncandles) * sizeof *c);
        if (c == NULL) return FX_ENOMEM;
        memcpy(c + to->ncandles, from->candles, from->ncandles * sizeof *c);
        to->candles = c, to->ncandles += from->ncandles;
    }
    return 0;
}

/* Stores the creates gathered so far; each learns whether it was new. */
static int flush(struct fx_db *db, struct group *g, char *err, size_t errlen)
{
    if (g->npending == 0) return 0;
    struct fx_write w;
    int rc = fx_tick_write_store(db, g->pending, g->npending, g->stored, &w, err, errlen);
    g->stored = 1;
    if (rc == 0) {
        /* stored ticks are the first of their (symbol, time) among the pending */
        for (size_t k = 0; k < g->npending; k++)
            g->ops[g->pending_op[k]].rc = FX_EEXIST;
        for (size_t s = 0; s < w.created; s++)
            for (size_t k = 0; k < g->npending; k++)
                if (same_tick(&g->pending[k], &w.ticks[s])) {
                    g->ops[g->pending_op[k]].rc = 0;
                    break;
                }
        rc = write_append(g->out, &w);
    }
    fx_write_free(&w);
    g->npending = 0;
    return rc;
}

/* Whether op `t` touches a create gathered but not stored yet. */
static int pending_has(const struct group *g, const struct fx_tick *t)
{
    for (size_t k = 0; k < g->npending; k++)
        if (same_tick(&g->pending[k], t)) return 1;
    return 0;
}

/* Claims the group's keys: an op whose key ran already is answered as that
 * run was; an op resending another op of this group waits for its answer. */
static int claim_keys(struct fx_db *db, struct group *g, char *err, size_t errlen)
{
    struct fx_request_key *keys = malloc(g->n * sizeof *keys);
    size_t *of = malloc(g->n * sizeof *of);
    int *replayed = malloc(g->n * sizeof *replayed);
    uint64_t *rows = malloc(g->n * sizeof *rows);
    int rc = FX_ENOMEM;
    if (keys == NULL || of == NULL || replayed == NULL || rows == NULL) goto done;
    size_t m = 0;
    for (size_t i = 0; i < g->n; i++) {
        if (!fx_request_key_set(&g->ops[i].key)) continue;
        for (size_t j = 0; j < i && g->dup_of[i] == g->n; j++)
            if (fx_request_key_set(&g->ops[j].key) && same_key(&g->ops[i].key, &g->ops[j].key))
                g->dup_of[i] = j;
        if (g->dup_of[i] == g->n) keys[m] = g->ops[i].key, of[m++] = i;
    }
    rc = fx_request_keys_claim(db, keys, m, replayed, rows, err, errlen);
    for (size_t k = 0; rc == 0 && k < m; k++) {
        struct fx_group_op *op = &g->ops[of[k]];
        if (!replayed[k]) continue;
        op->replayed = 1;
        op->rc = rows[k] > 0 ? 0 : op->kind == FX_GROUP_CREATE ? FX_EEXIST : FX_ENOTFOUND;
    }
done:
    free(keys), free(of), free(replayed), free(rows);
    return rc;
}

/* Records the rows each claimed key's op changed. */
static int record_keys(struct fx_db *db, struct group *g, char *err, size_t errlen)
{
    struct fx_request_key *keys = malloc(g->n * sizeof *keys);
    uint64_t *rows = malloc(g->n * sizeof *rows);
    int rc = FX_ENOMEM;
    if (keys && rows) {
        size_t m = 0;
        for (size_t i = 0; i < g->n; i++) {
            const struct fx_group_op *op = &g->ops[i];
            if (!fx_request_key_set(&op->key) || op->replayed || g->dup_of[i] != g->n) continue;
            keys[m] = op->key, rows[m++] = op->rc == 0;
        }
        rc = fx_request_keys_record(db, keys, rows, m, err, errlen);
    }
    free(keys), free(rows);
    return rc;
}

/* The writes themselves, in order: creates are gathered and stored
 * together, until an edit of one of them needs it stored first. */
static int run_ops(struct fx_db *db, struct group *g, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < g->n; i++) {
        struct fx_group_op *op = &g->ops[i];
        if (op->replayed || g->dup_of[i] != g->n) continue;
        if (op->kind == FX_GROUP_CREATE) {
            g->pending[g->npending] = op->tick;
            g->pending_op[g->npending++] = i;
            continue;
        }
        if (pending_has(g, &op->tick)) rc = flush(db, g, err, errlen);
        uint64_t rows = 0;
        if (rc == 0)
            rc = fx_tick_write_edit(db, op->kind == FX_GROUP_DELETE, op->tick.symbol, op->tick.time_us,
                op->tick.price, &rows, err, errlen);
        op->rc = rows ? 0 : FX_ENOTFOUND;
    }
    if (rc == 0) rc = flush(db, g, err, errlen);
    /* the edited ticks' candles, once every tick of the group is in place */
    for (size_t i = 0; rc == 0 && i < g->n; i++) {
        const struct fx_group_op *op = &g->ops[i];
        if (op->kind != FX_GROUP_CREATE && !op->replayed && g->dup_of[i] == g->n && op->rc == 0)
            rc = fx_candles_recompute(db, op->tick.symbol, op->tick.time_us, op->tick.time_us, err, errlen);
    }
    return rc;
}

/* Locks, partitions and compacted chunks the live ops reach. */
static int prepare(struct fx_db *db, struct group *g, char *err, size_t errlen)
{
    struct fx_tick *live = malloc(g->n * sizeof *live);
    struct fx_tick_span *spans = malloc(g->n * sizeof *spans);
    int rc = FX_ENOMEM;
    if (live && spans) {
        size_t m = 0;
        for (size_t i = 0; i < g->n; i++) {
            const struct fx_group_op *op = &g->ops[i];
            if (op->replayed || g->dup_of[i] != g->n) continue;
            spans[m] = op->kind == FX_GROUP_CREATE
                ? (struct fx_tick_span) { op->tick.symbol, op->tick.time_us, op->tick.time_us }
                : fx_chunks_edit_span(op->tick.symbol, op->tick.time_us, op->tick.time_us);
            live[m++] = op->tick;
        }
        rc = m ? fx_tick_write_lock(db, live, m, err, errlen) : 0;
        if (rc == 0 && m) rc = fx_chunks_before_write(db, spans, m, fx_now_us(), err, errlen);
    }
    free(live), free(spans);
    return rc;
}

static int ensure_partitions(struct fx_db *db, const struct group *g, char *err, size_t errlen)
{
    int32_t *days = malloc(g->n * sizeof *days);
    if (days == NULL) return FX_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < g->n; i++)
        if (g->ops[i].kind == FX_GROUP_CREATE) days[m++] = fx_day_of(g->ops[i].tick.time_us);
    int rc = m ? fx_partitions_ensure(db, days, m, err, errlen) : 0;
    free(days);
    return rc;
}

int fx_group_op_error(const struct fx_group_op *op, char *err, size_t errlen)
{
    if (op->rc == FX_EEXIST) return fx_tick_exists_error(op->tick.symbol, err, errlen);
    if (op->rc == FX_ENOTFOUND) return fx_tick_missing_error(op->tick.symbol, err, errlen);
    if (errlen) err[0] = '\0';
    return op->rc;
}

int fx_ticks_write_group(
    struct fx_db *db, struct fx_group_op *ops, size_t n, struct fx_write *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (n == 0) return 0;
    struct group g = { .ops = ops, .n = n, .out = out };
    g.dup_of = malloc(n * sizeof *g.dup_of);
    g.pending = malloc(n * sizeof *g.pending);
    g.pending_op = malloc(n * sizeof *g.pending_op);
    if (g.dup_of == NULL || g.pending == NULL || g.pending_op == NULL) {
        group_free(&g);
        return FX_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        ops[i].rc = 0, ops[i].replayed = 0, g.dup_of[i] = n;
    int rc = ensure_partitions(db, &g, err, errlen);
    if (rc == 0) rc = fx_db_exec(db, "BEGIN", err, errlen);
    if (rc == 0) {
        rc = claim_keys(db, &g, err, errlen);
        if (rc == 0) rc = prepare(db, &g, err, errlen);
        if (rc == 0) rc = run_ops(db, &g, err, errlen);
        if (rc == 0) rc = record_keys(db, &g, err, errlen);
        if (rc == 0) rc = fx_db_exec(db, "COMMIT", err, errlen);
        if (rc) {
            char ignored[64];
            fx_db_exec(db, "ROLLBACK", ignored, sizeof ignored);
        }
    }
    if (rc == 0) /* resends within the group: the answer of the op they resend */
        for (size_t i = 0; i < n; i++)
            if (g.dup_of[i] != n) ops[i].rc = ops[g.dup_of[i]].rc, ops[i].replayed = 1;
    if (rc) fx_write_free(out);
    group_free(&g);
    return rc;
}
