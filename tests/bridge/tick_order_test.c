/*
 * The per-symbol order of live ticks (bridge/tick_order.c), driven by hand:
 * what is forwarded, and which read backs are asked for, as ticks arrive in
 * and out of order, twice, after gaps, and when reads fail.
 */
#include "bridge/tick_order.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

struct recorder {
    int64_t forwarded[256];
    char fsym[256][FXC_SYMBOL_MAX + 1];
    size_t nf;
    char asked_symbol[FXC_SYMBOL_MAX + 1];
    int64_t asked_after;
    int asks;
    char started_symbol[FXC_SYMBOL_MAX + 1]; /* "*" for every symbol */
    int starts;
};

static void on_forward(void *arg, const fxc_tick *t)
{
    struct recorder *r = arg;
    cr_assert_lt(r->nf, 256);
    snprintf(r->fsym[r->nf], sizeof r->fsym[0], "%s", t->symbol);
    r->forwarded[r->nf++] = t->seq;
}

static void on_fetch(void *arg, const char *symbol, int64_t after)
{
    struct recorder *r = arg;
    snprintf(r->asked_symbol, sizeof r->asked_symbol, "%s", symbol);
    r->asked_after = after;
    r->asks++;
}

static void on_start(void *arg, const char *symbol)
{
    struct recorder *r = arg;
    snprintf(r->started_symbol, sizeof r->started_symbol, "%s", symbol ? symbol : "*");
    r->starts++;
}

static struct recorder rec;
static struct fx_tick_order *order;

static void setup(void)
{
    memset(&rec, 0, sizeof rec);
    struct fx_tick_order_callbacks cb = { on_forward, on_fetch, on_start, &rec };
    order = fx_tick_order_create(&cb, 8);
    cr_assert_not_null(order);
}

static void teardown(void) { fx_tick_order_destroy(order); }

TestSuite(tick_order, .init = setup, .fini = teardown);

static fxc_tick tick(const char *symbol, int64_t seq)
{
    fxc_tick t = { .time_us = seq * 1000, .price = 1.0, .seq = seq };
    snprintf(t.symbol, sizeof t.symbol, "%s", symbol);
    return t;
}

static void live(const char *symbol, int64_t seq, int64_t now)
{
    fxc_tick t = tick(symbol, seq);
    fx_tick_order_live(order, &t, now);
}

/* A watcher of `symbol` came; its numbering stood at `last` (0: none yet). */
static void begin(const char *symbol, int64_t last)
{
    fx_tick_order_watch(order, symbol, 0);
    fxc_symbol_seq q = { .last_seq = last };
    snprintf(q.symbol, sizeof q.symbol, "%s", symbol);
    fx_tick_order_started(order, symbol, &q, last > 0, 0, 0);
}

static void assert_forwarded(const int64_t *want, size_t n)
{
    cr_assert_eq(rec.nf, n, "forwarded %zu ticks, expected %zu", rec.nf, n);
    if (n == 0) return;
    for (size_t i = 0; i < n; i++) cr_assert_eq(rec.forwarded[i], want[i], "tick %zu: seq %lld, expected %lld", i,
        (long long)rec.forwarded[i], (long long)want[i]);
}

Test(tick_order, in_order_ticks_pass_and_repeats_are_dropped)
{
    begin("EURUSD", 4);
    live("EURUSD", 5, 0);
    live("EURUSD", 6, 0);
    live("EURUSD", 6, 0); /* the same tick from a second core */
    live("EURUSD", 5, 0);
    live("EURUSD", 7, 0);
    assert_forwarded((int64_t[]){ 5, 6, 7 }, 3);
    cr_assert_eq(rec.asks, 0);
    struct fx_tick_order_stats st;
    fx_tick_order_stats(order, &st);
    cr_assert_eq(st.duplicates, 2);
}

Test(tick_order, a_gap_is_read_back_before_going_on)
{
    begin("EURUSD", 0);
    live("EURUSD", 1, 0);
    live("EURUSD", 4, 0); /* 2 and 3 lost (a core died after its commit) */
    live("EURUSD", 5, 0);
    assert_forwarded((int64_t[]){ 1 }, 1);
    cr_assert_eq(rec.asks, 1, "one read back for the gap");
    cr_assert_str_eq(rec.asked_symbol, "EURUSD");
    cr_assert_eq(rec.asked_after, 1);
    const fxc_tick back[4] = { tick("EURUSD", 2), tick("EURUSD", 3), tick("EURUSD", 4), tick("EURUSD", 5) };
    fx_tick_order_fetched(order, "EURUSD", 1, back, 4, 10000, 0, 1);
    assert_forwarded((int64_t[]){ 1, 2, 3, 4, 5 }, 5);
    live("EURUSD", 6, 2);
    assert_forwarded((int64_t[]){ 1, 2, 3, 4, 5, 6 }, 6);
}

Test(tick_order, the_late_tick_itself_fills_the_gap)
{
    begin("EURUSD", 0);
    live("EURUSD", 1, 0);
    live("EURUSD", 3, 0); /* a second core published 3 before the first published 2 */
    live("EURUSD", 2, 0);
    assert_forwarded((int64_t[]){ 1, 2, 3 }, 3);
    /* the read back asked for meanwhile brings nothing new */
    const fxc_tick back[2] = { tick("EURUSD", 2), tick("EURUSD", 3) };
    fx_tick_order_fetched(order, "EURUSD", 1, back, 2, 10000, 0, 1);
    assert_forwarded((int64_t[]){ 1, 2, 3 }, 3);
}

Test(tick_order, symbols_are_independent)
{
    begin("EURUSD", 9);
    begin("USDJPY", 2);
    live("EURUSD", 10, 0);
    live("USDJPY", 3, 0);
    live("EURUSD", 12, 0); /* a gap of EURUSD holds nothing of USDJPY */
    live("USDJPY", 4, 0);
    assert_forwarded((int64_t[]){ 10, 3, 4 }, 3);
    cr_assert_str_eq(rec.fsym[2], "USDJPY");
    cr_assert_str_eq(rec.asked_symbol, "EURUSD");
}

Test(tick_order, a_failed_read_is_retried_then_given_up)
{
    begin("EURUSD", 0);
    live("EURUSD", 1, 0);
    live("EURUSD", 3, 0);
    cr_assert_eq(rec.asks, 1);
    fx_tick_order_fetched(order, "EURUSD", 1, NULL, 0, 10000, 1, 10); /* no core answered */
    fx_tick_order_timer(order, 100);
    cr_assert_eq(rec.asks, 1, "not before the retry delay");
    fx_tick_order_timer(order, 600);
    cr_assert_eq(rec.asks, 2, "asked again");
    fx_tick_order_fetched(order, "EURUSD", 1, NULL, 0, 10000, 1, 610);
    assert_forwarded((int64_t[]){ 1 }, 1);
    fx_tick_order_timer(order, 20000); /* past the give-up delay */
    assert_forwarded((int64_t[]){ 1, 3 }, 2);
    struct fx_tick_order_stats st;
    fx_tick_order_stats(order, &st);
    cr_assert_eq(st.gaps_given_up, 1);
}

Test(tick_order, a_long_answer_is_continued)
{
    begin("EURUSD", 0);
    live("EURUSD", 1, 0);
    live("EURUSD", 5, 0);
    const fxc_tick page[2] = { tick("EURUSD", 2), tick("EURUSD", 3) };
    fx_tick_order_fetched(order, "EURUSD", 1, page, 2, 2, 0, 1); /* as many as asked: more may follow */
    cr_assert_eq(rec.asks, 2);
    cr_assert_eq(rec.asked_after, 3);
    const fxc_tick rest[2] = { tick("EURUSD", 4), tick("EURUSD", 5) };
    fx_tick_order_fetched(order, "EURUSD", 3, rest, 2, 2, 0, 2);
    assert_forwarded((int64_t[]){ 1, 2, 3, 4, 5 }, 5);
}

Test(tick_order, a_resync_reads_back_what_a_dead_core_never_sent)
{
    begin("EURUSD", 0);
    begin("USDJPY", 6);
    live("EURUSD", 1, 0);
    live("USDJPY", 7, 0);
    fx_tick_order_resync(order, 5); /* a core's feed connection went away */
    cr_assert_eq(rec.asks, 2, "every symbol is read back after its last seq");
    const fxc_tick unsent[1] = { tick("EURUSD", 2) };
    fx_tick_order_fetched(order, "EURUSD", 1, unsent, 1, 10000, 0, 6);
    fx_tick_order_fetched(order, "USDJPY", 7, NULL, 0, 10000, 0, 6);
    assert_forwarded((int64_t[]){ 1, 7, 2 }, 3);
}

Test(tick_order, holding_more_than_the_limit_gives_the_gap_up)
{
    begin("EURUSD", 0);
    live("EURUSD", 1, 0);
    for (int64_t s = 10; s < 19; s++) live("EURUSD", s, 0); /* 9 held, the limit is 8 */
    int64_t want[10] = { 1 };
    for (int i = 1; i < 10; i++) want[i] = 9 + i;
    assert_forwarded(want, 10);
}

static int keep_none(void *arg, const char *symbol)
{
    (void)arg, (void)symbol;
    return 0;
}

Test(tick_order, a_forgotten_symbol_starts_afresh)
{
    begin("EURUSD", 0);
    live("EURUSD", 1, 0);
    fx_tick_order_forget(order, keep_none, NULL);
    begin("EURUSD", 49); /* a new watcher: from now on, not ticks 2..49 */
    live("EURUSD", 50, 0);
    assert_forwarded((int64_t[]){ 1, 50 }, 2);
    cr_assert_eq(rec.asks, 0);
}

Test(tick_order, a_watcher_starts_where_the_numbering_stood_whichever_tick_comes_first)
{
    fx_tick_order_watch(order, "EURUSD", 0);
    cr_assert_eq(rec.starts, 1);
    cr_assert_str_eq(rec.started_symbol, "EURUSD");
    live("EURUSD", 7, 0); /* core B's commit arrives before core A's 6 */
    assert_forwarded(NULL, 0);
    fxc_symbol_seq q = { "EURUSD", 5 };
    fx_tick_order_started(order, "EURUSD", &q, 1, 0, 1);
    cr_assert_eq(rec.asks, 1, "6 is read back");
    cr_assert_eq(rec.asked_after, 5);
    live("EURUSD", 6, 2); /* or arrives by itself */
    assert_forwarded((int64_t[]){ 6, 7 }, 2);
}

Test(tick_order, a_watcher_of_every_symbol_starts_each_where_it_stood)
{
    fx_tick_order_watch(order, NULL, 0);
    cr_assert_str_eq(rec.started_symbol, "*");
    live("EURUSD", 3, 0);
    live("NEWSYM", 1, 0);
    assert_forwarded(NULL, 0);
    fxc_symbol_seq q = { "EURUSD", 2 }; /* NEWSYM had no tick yet */
    fx_tick_order_started(order, NULL, &q, 1, 0, 1);
    assert_forwarded((int64_t[]){ 3, 1 }, 2);
    live("OTHER", 1, 2); /* a symbol first numbered after the start */
    assert_forwarded((int64_t[]){ 3, 1, 1 }, 3);
    cr_assert_eq(rec.asks, 0);
}

Test(tick_order, a_start_no_core_answers_is_retried_then_taken_from_the_feed)
{
    fx_tick_order_watch(order, "EURUSD", 0);
    live("EURUSD", 9, 0);
    fx_tick_order_started(order, "EURUSD", NULL, 0, 1, 10);
    fx_tick_order_timer(order, 600);
    cr_assert_eq(rec.starts, 2, "asked again");
    fx_tick_order_timer(order, 20000);
    assert_forwarded((int64_t[]){ 9 }, 1);
}

Test(tick_order, ticks_without_seq_pass_as_they_come)
{
    live("EURUSD", 0, 0);
    live("EURUSD", 0, 0);
    assert_forwarded((int64_t[]){ 0, 0 }, 2);
}

Test(tick_order, ticks_held_before_the_answer_go_out_even_if_it_counts_them)
{
    fx_tick_order_watch(order, "EURUSD", 0);
    live("EURUSD", 3, 0); /* stored and published after the watcher came, before the answer was read */
    live("EURUSD", 4, 0);
    fxc_symbol_seq q = { "EURUSD", 4 };
    fx_tick_order_started(order, "EURUSD", &q, 1, 0, 1);
    assert_forwarded(NULL, 0); /* the answer raced the feed: lower ticks may be on their way */
    fx_tick_order_timer(order, 400);
    assert_forwarded((int64_t[]){ 3, 4 }, 2);
    cr_assert_eq(rec.asks, 0);
}

Test(tick_order, a_start_that_raced_the_feed_waits_for_ticks_from_the_other_feed)
{
    fx_tick_order_watch(order, "EURUSD", 0); /* a new symbol: nothing numbered yet */
    live("EURUSD", 2, 0); /* core B's tick comes first */
    fxc_symbol_seq q = { "EURUSD", 2 }; /* the answer was read after both commits */
    fx_tick_order_started(order, "EURUSD", &q, 1, 0, 10);
    live("EURUSD", 1, 50); /* core A's, through its own feed, late */
    assert_forwarded(NULL, 0);
    fx_tick_order_timer(order, 100);
    assert_forwarded(NULL, 0);
    fx_tick_order_timer(order, 400);
    assert_forwarded((int64_t[]){ 1, 2 }, 2);
    live("EURUSD", 3, 450);
    assert_forwarded((int64_t[]){ 1, 2, 3 }, 3);
    cr_assert_eq(rec.asks, 0);
}

Test(tick_order, an_answer_that_does_not_fill_the_gap_is_asked_again)
{
    begin("EURUSD", 0);
    live("EURUSD", 1, 0);
    fx_tick_order_resync(order, 5); /* a core's feed went: a read after 1 is asked at 5 */
    cr_assert_eq(rec.asks, 1);
    live("EURUSD", 4, 7); /* then the feed shows a gap: 2 and 3 were committed after the read was asked */
    fx_tick_order_fetched(order, "EURUSD", 1, NULL, 0, 10000, 0, 8); /* the resync's answer: nothing yet */
    fx_tick_order_timer(order, 600);
    cr_assert_eq(rec.asks, 2, "asked again rather than given up");
    const fxc_tick back[3] = { tick("EURUSD", 2), tick("EURUSD", 3), tick("EURUSD", 4) };
    fx_tick_order_fetched(order, "EURUSD", 1, back, 3, 10000, 0, 9);
    assert_forwarded((int64_t[]){ 1, 2, 3, 4 }, 4);
}
