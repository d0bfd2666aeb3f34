#include "bridge/tick_order.h"

#include "base/hash.h"
#include "base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RETRY_MS 500 /* after a failed read back */
#define FETCH_TIMEOUT_MS 10000 /* a read back that never answered is asked again */
#define GAP_GIVE_UP_MS 10000 /* held this long without a successful read: forwarded with its gap */
#define BACKFILL_MAX 100000 /* a gap wider than this is not read back (the watcher is better off starting afresh) */
#define START_SETTLE_MS 300 /* a start that raced the feed waits this long for lower ticks from other cores' feeds */

/* One symbol's order. */
struct symbol_state {
    char symbol[FXC_SYMBOL_MAX + 1];
    int used;
    int64_t last; /* the last seq forwarded; 0 before the first */
    fxc_tick *held; /* after a gap: seq > last + 1, sorted, no repeats */
    size_t nheld, capheld;
    int starting; /* waiting to learn where the numbering stands: ticks are held */
    int64_t settle_until_ms; /* starting, answer known, waiting for lower ticks still on their way (0: not) */
    int64_t start_last; /* that answer */
    int fetching; /* a read back (or the start) is asked and not answered */
    int64_t fetch_at_ms; /* when to ask again (0: not due) */
    int64_t asked_ms; /* when the read back in flight was asked */
    int64_t gap_since_ms; /* the first held tick's arrival; 0 when none is held */
};

struct fx_tick_order {
    struct fx_tick_order_callbacks cb;
    size_t hold_max;
    struct symbol_state *table; /* open addressing, power-of-two capacity */
    size_t cap, count;
    int starting_all; /* every symbol waits for its start (a watcher of all symbols came) */
    int64_t start_all_asked_ms, start_all_at_ms;
    struct fx_tick_order_stats stats;
};

static uint64_t hash(const char *symbol) { return fx_hash_str(FX_HASH_INIT, symbol); }

static struct symbol_state *find(struct fx_tick_order *o, const char *symbol)
{
    for (size_t i = hash(symbol) & (o->cap - 1);; i = (i + 1) & (o->cap - 1)) {
        if (!o->table[i].used) return NULL;
        if (strcmp(o->table[i].symbol, symbol) == 0) return &o->table[i];
    }
}

static struct symbol_state *insert_slot(struct symbol_state *table, size_t cap, const char *symbol)
{
    size_t i = hash(symbol) & (cap - 1);
    while (table[i].used) i = (i + 1) & (cap - 1);
    return &table[i];
}

static int grow(struct fx_tick_order *o)
{
    size_t cap = o->cap * 2;
    struct symbol_state *table = calloc(cap, sizeof *table);
    if (table == NULL) return -1;
    for (size_t i = 0; i < o->cap; i++)
        if (o->table[i].used) *insert_slot(table, cap, o->table[i].symbol) = o->table[i];
    free(o->table);
    o->table = table, o->cap = cap;
    return 0;
}

static struct symbol_state *state_of(struct fx_tick_order *o, const char *symbol)
{
    struct symbol_state *s = find(o, symbol);
    if (s) return s;
    if ((o->count + 1) * 2 > o->cap && grow(o) != 0) return NULL;
    s = insert_slot(o->table, o->cap, symbol);
    memset(s, 0, sizeof *s);
    s->used = 1;
    s->starting = o->starting_all;
    snprintf(s->symbol, sizeof s->symbol, "%s", symbol);
    o->count++;
    return s;
}

struct fx_tick_order *fx_tick_order_create(const struct fx_tick_order_callbacks *cb, size_t hold_max)
{
    struct fx_tick_order *o = calloc(1, sizeof *o);
    if (o == NULL) return NULL;
    o->cb = *cb;
    o->hold_max = hold_max ? hold_max : 1;
    o->cap = 64;
    if ((o->table = calloc(o->cap, sizeof *o->table)) == NULL) {
        free(o);
        return NULL;
    }
    return o;
}

void fx_tick_order_destroy(struct fx_tick_order *o)
{
    if (o == NULL) return;
    for (size_t i = 0; i < o->cap; i++) free(o->table[i].held);
    free(o->table);
    free(o);
}

static void forward(struct fx_tick_order *o, struct symbol_state *s, const fxc_tick *t)
{
    s->last = t->seq;
    o->stats.forwarded++;
    o->cb.forward(o->cb.arg, t);
}

/* Forwards the held ticks that now follow `last`, drops those seen. */
static void release_following(struct fx_tick_order *o, struct symbol_state *s)
{
    size_t k = 0;
    while (k < s->nheld && s->held[k].seq <= s->last + 1) {
        if (s->held[k].seq == s->last + 1) forward(o, s, &s->held[k]);
        else o->stats.duplicates++;
        k++;
    }
    if (k > 0 && k < s->nheld) memmove(s->held, s->held + k, (s->nheld - k) * sizeof *s->held);
    s->nheld -= k;
    if (s->nheld == 0) s->gap_since_ms = 0;
}

static void ask(struct fx_tick_order *o, struct symbol_state *s, int64_t now_ms);

/* Gives a gap up: what is held goes out in order, the missing stay missing;
 * a further gap among the held is read back anew. */
static void give_up(struct fx_tick_order *o, struct symbol_state *s, const char *why, int64_t now_ms)
{
    if (s->nheld == 0) return;
    fx_warn("ws", "%s: ticks %lld..%lld are missing (%s); going on from %lld", s->symbol, (long long)s->last + 1,
        (long long)s->held[0].seq - 1, why, (long long)s->held[0].seq);
    o->stats.gaps_given_up++;
    s->last = s->held[0].seq - 1;
    release_following(o, s);
    if (s->nheld > 0) {
        s->gap_since_ms = now_ms;
        if (!s->fetching) ask(o, s, now_ms);
    }
}

static void ask(struct fx_tick_order *o, struct symbol_state *s, int64_t now_ms)
{
    s->fetching = 1;
    s->fetch_at_ms = 0;
    s->asked_ms = now_ms;
    if (s->starting)
        o->cb.start(o->cb.arg, s->symbol);
    else
        o->cb.fetch(o->cb.arg, s->symbol, s->last);
}

/* Keeps `t` (seq > last + 1) in seq order. */
static void hold(struct fx_tick_order *o, struct symbol_state *s, const fxc_tick *t, int64_t now_ms)
{
    size_t k = s->nheld;
    while (k > 0 && s->held[k - 1].seq > t->seq) k--;
    if (k > 0 && s->held[k - 1].seq == t->seq) {
        o->stats.duplicates++;
        return;
    }
    if (s->nheld == s->capheld) {
        size_t cap = s->capheld ? s->capheld * 2 : 64;
        fxc_tick *p = realloc(s->held, cap * sizeof *p);
        if (p == NULL) return give_up(o, s, "out of memory", now_ms);
        s->held = p, s->capheld = cap;
    }
    memmove(s->held + k + 1, s->held + k, (s->nheld - k) * sizeof *s->held);
    s->held[k] = *t;
    s->nheld++;
    if (s->gap_since_ms == 0) {
        s->gap_since_ms = now_ms;
        o->stats.gaps++;
    }
    if (s->nheld > o->hold_max) give_up(o, s, "too many held", now_ms);
}

void fx_tick_order_watch(struct fx_tick_order *o, const char *symbol, int64_t now_ms)
{
    if (symbol == NULL) {
        if (o->starting_all) return;
        o->starting_all = 1;
        o->start_all_asked_ms = now_ms, o->start_all_at_ms = 0;
        return o->cb.start(o->cb.arg, NULL);
    }
    if (find(o, symbol) != NULL) return; /* watched already (by a watcher of all symbols) */
    struct symbol_state *s = state_of(o, symbol);
    if (s == NULL) return;
    s->starting = 1;
    s->fetching = 1, s->asked_ms = now_ms, s->fetch_at_ms = 0;
    o->cb.start(o->cb.arg, s->symbol);
}

/* Starts `s` after `last`: its held ticks from there go out. */
static void start_from(struct fx_tick_order *o, struct symbol_state *s, int64_t last, int64_t now_ms)
{
    s->starting = 0;
    s->fetching = 0;
    s->settle_until_ms = 0;
    s->last = last;
    release_following(o, s);
    if (s->nheld > 0) ask(o, s, now_ms); /* stored after the start and before what the feed brought */
}

/* A symbol's start is known: the answer says its numbering stood at `last`.
 * Ticks held meanwhile were published after the watcher came, even if the
 * answer (read later) already counts them: they go out too. Such an answer
 * raced the feed, and ticks below the first held one may still be on their
 * way through another core's feed (core B's seq 2 came, core A's seq 1 not
 * yet): the start waits START_SETTLE_MS for them, then begins below the
 * lowest tick held. */
static void start_at(struct fx_tick_order *o, struct symbol_state *s, int64_t last, int64_t now_ms)
{
    int raced = s->nheld > 0 && s->held[0].seq - 1 < last;
    if (raced && s->held[0].seq > 1) {
        s->fetching = 0;
        s->start_last = last;
        s->settle_until_ms = now_ms + START_SETTLE_MS;
        return;
    }
    start_from(o, s, raced ? s->held[0].seq - 1 : last, now_ms);
}

/* The settle of a raced start is over: it begins below the lowest held. */
static void settle(struct fx_tick_order *o, struct symbol_state *s, int64_t now_ms)
{
    int64_t last = s->start_last;
    if (s->nheld > 0 && s->held[0].seq - 1 < last) last = s->held[0].seq - 1; /* a give-up may have emptied it */
    start_from(o, s, last, now_ms);
}

static const fxc_symbol_seq *seq_of(const fxc_symbol_seq *seqs, size_t n, const char *symbol)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(seqs[i].symbol, symbol) == 0) return &seqs[i];
    return NULL;
}

void fx_tick_order_started(struct fx_tick_order *o, const char *symbol, const fxc_symbol_seq *seqs, size_t n,
    int failed, int64_t now_ms)
{
    if (symbol == NULL) {
        if (!o->starting_all) return;
        if (failed) {
            o->start_all_at_ms = now_ms + RETRY_MS;
            return;
        }
        o->starting_all = 0;
        for (size_t i = 0; i < n; i++) { /* every symbol with a number: states for those that have none yet */
            struct symbol_state *s = state_of(o, seqs[i].symbol);
            if (s && s->last == 0 && s->nheld == 0) s->starting = 1;
        }
        for (size_t i = 0; i < o->cap; i++) {
            struct symbol_state *s = &o->table[i];
            if (!s->used || !s->starting || s->settle_until_ms) continue;
            const fxc_symbol_seq *q = seq_of(seqs, n, s->symbol);
            start_at(o, s, q ? q->last_seq : 0, now_ms); /* not listed: no tick numbered yet */
        }
        return;
    }
    struct symbol_state *s = find(o, symbol);
    if (s == NULL || !s->starting || s->settle_until_ms) return;
    if (failed) {
        s->fetching = 0;
        s->fetch_at_ms = now_ms + RETRY_MS;
        return;
    }
    const fxc_symbol_seq *q = seq_of(seqs, n, symbol);
    start_at(o, s, q ? q->last_seq : 0, now_ms);
}

void fx_tick_order_live(struct fx_tick_order *o, const fxc_tick *t, int64_t now_ms)
{
    struct symbol_state *s = t->seq > 0 ? state_of(o, t->symbol) : NULL;
    if (s == NULL) { /* no seq (an older core), or out of memory: as it comes */
        o->stats.forwarded++;
        return o->cb.forward(o->cb.arg, t);
    }
    if (s->starting) return hold(o, s, t, now_ms); /* until we know where to start */
    if (t->seq <= s->last) {
        o->stats.duplicates++;
        return;
    }
    if (t->seq == s->last + 1 && s->nheld == 0) return forward(o, s, t);
    if (t->seq - s->last > BACKFILL_MAX) { /* far behind: start afresh */
        fx_warn("ws", "%s: %lld ticks behind; going on from %lld", s->symbol, (long long)(t->seq - s->last - 1),
            (long long)t->seq);
        s->nheld = 0, s->gap_since_ms = 0;
        o->stats.gaps_given_up++;
        return forward(o, s, t);
    }
    hold(o, s, t, now_ms);
    if (s->nheld > 0 && s->held[0].seq == s->last + 1) return release_following(o, s);
    if (s->nheld > 0 && !s->fetching) ask(o, s, now_ms);
}

void fx_tick_order_fetched(struct fx_tick_order *o, const char *symbol, int64_t after_seq, const fxc_tick *t,
    size_t n, size_t limit, int failed, int64_t now_ms)
{
    (void)after_seq;
    struct symbol_state *s = find(o, symbol);
    if (s == NULL || s->starting) return; /* forgotten (and perhaps watched anew) meanwhile */
    s->fetching = 0;
    if (failed) {
        s->fetch_at_ms = now_ms + RETRY_MS;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (t[i].seq <= s->last) continue; /* forwarded live meanwhile */
        if (t[i].seq != s->last + 1 && s->last != 0)
            fx_warn("ws", "%s: storage has no ticks %lld..%lld", symbol, (long long)s->last + 1, (long long)t[i].seq - 1);
        o->stats.read_back++;
        forward(o, s, &t[i]);
    }
    release_following(o, s);
    if (n == limit) return ask(o, s, now_ms); /* more may be stored */
    /* Still a gap: what it lacks was not committed when the read ran (its
     * tick published by another core is on its way, or a read asked before
     * the gap showed). Ask again shortly; the live tick may come first. A
     * gap that never fills is given up by the timer (GAP_GIVE_UP_MS). */
    if (s->nheld > 0) s->fetch_at_ms = now_ms + RETRY_MS;
}

void fx_tick_order_resync(struct fx_tick_order *o, int64_t now_ms)
{
    for (size_t i = 0; i < o->cap; i++) {
        struct symbol_state *s = &o->table[i];
        if (s->used && !s->starting && s->last > 0 && !s->fetching) ask(o, s, now_ms);
    }
}

void fx_tick_order_timer(struct fx_tick_order *o, int64_t now_ms)
{
    if (o->starting_all) {
        int lost = now_ms - o->start_all_asked_ms > FETCH_TIMEOUT_MS;
        if (now_ms - o->start_all_asked_ms > GAP_GIVE_UP_MS) { /* nobody says: start at what the feed brings */
            fx_warn("ws", "no core says where the symbols' ticks stand; starting with what the feed brings");
            o->starting_all = 0;
            for (size_t i = 0; i < o->cap; i++)
                if (o->table[i].used && o->table[i].starting && !o->table[i].settle_until_ms)
                    start_from(o, &o->table[i], o->table[i].nheld ? o->table[i].held[0].seq - 1 : 0, now_ms);
        } else if (lost || (o->start_all_at_ms && now_ms >= o->start_all_at_ms)) {
            o->start_all_asked_ms = now_ms, o->start_all_at_ms = 0;
            o->cb.start(o->cb.arg, NULL);
        }
    }
    for (size_t i = 0; i < o->cap; i++) {
        struct symbol_state *s = &o->table[i];
        if (!s->used) continue;
        if (s->starting && s->settle_until_ms) {
            if (now_ms >= s->settle_until_ms) settle(o, s, now_ms);
            continue;
        }
        if (s->starting && !o->starting_all && s->nheld > 0 && now_ms - s->gap_since_ms > GAP_GIVE_UP_MS) {
            start_from(o, s, s->held[0].seq - 1, now_ms);
            continue;
        }
        if (s->fetching && now_ms - s->asked_ms > FETCH_TIMEOUT_MS) s->fetching = 0, s->fetch_at_ms = now_ms;
        if (s->nheld > 0 && now_ms - s->gap_since_ms > GAP_GIVE_UP_MS)
            give_up(o, s, "no core could read them back", now_ms);
        if (!s->fetching && s->fetch_at_ms && now_ms >= s->fetch_at_ms) ask(o, s, now_ms);
    }
}

void fx_tick_order_forget(struct fx_tick_order *o, int (*keep)(void *arg, const char *symbol), void *arg)
{
    struct symbol_state *old = o->table;
    size_t cap = o->cap;
    struct symbol_state *table = calloc(cap, sizeof *table);
    if (table == NULL) return; /* kept: costs only memory */
    o->table = table, o->count = 0;
    for (size_t i = 0; i < cap; i++) {
        if (!old[i].used) continue;
        if (keep(arg, old[i].symbol)) {
            *insert_slot(table, cap, old[i].symbol) = old[i];
            o->count++;
        } else {
            free(old[i].held);
        }
    }
    free(old);
}

int fx_tick_order_position(struct fx_tick_order *o, const char *symbol, int64_t *last)
{
    const struct symbol_state *s = find(o, symbol);
    if (s == NULL || s->starting) return -1;
    *last = s->last;
    return 0;
}

void fx_tick_order_stats(const struct fx_tick_order *o, struct fx_tick_order_stats *out) { *out = o->stats; }
