/* A tick stream resumed with ?since=SEQ (bridge/ws_replay.h) over a real
 * socket: an in-process core and bridge, ticks written through the core
 * (from another thread while the client catches up), frames read by a
 * wslay client. The seqs received must be exactly since+1..last. */
#include "tests/support/fixture.h"
#include "tests/support/bridge_fixture.h"
#include "tests/support/ws_client.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TestSuite(ws_replay, .init = fx_bridge_fixture_start, .fini = fx_bridge_fixture_stop, .timeout = 120);

/* n ticks of `sym` through `c`, 1 ms apart from `first` (ms after the fixture's time). */
static void store_many(fxc *c, const char *sym, int first, int n)
{
    static _Thread_local fxc_tick b[1000];
    for (int done = 0; done < n;) {
        int k = n - done < 1000 ? n - done : 1000;
        for (int i = 0; i < k; i++) {
            b[i] = (fxc_tick){ .time_us = fx_test_time(0) + (int64_t)(first + done + i) * 1000, .price = 1.1 };
            snprintf(b[i].symbol, sizeof b[i].symbol, "%s", sym);
        }
        uint64_t created, dups;
        fxc_err e;
        cr_assert_eq(fxc_ticks_bulk(c, b, (size_t)k, &created, &dups, &e), FXC_OK, "%s", e.message);
        cr_assert_eq(created, (uint64_t)k);
        done += k;
    }
}

static long long last_seq(const char *sym)
{
    const char *one[1] = { sym };
    fxc_symbol_seq *seqs;
    size_t n;
    fxc_err e;
    cr_assert_eq(fxc_last_seqs(fx_test_client, one, 1, &seqs, &n, &e), FXC_OK, "%s", e.message);
    long long last = n ? seqs[0].last_seq : 0;
    fxc_last_seqs_free(seqs);
    return last;
}

/* Writes ticks at about 1 000/s (10 every 10 ms) on a client of its own. */
struct writer {
    char sym[FXC_SYMBOL_MAX + 1];
    int first, n;
    atomic_int done;
};

static void *write_ticks(void *arg)
{
    struct writer *w = arg;
    fxc *c;
    fxc_err e;
    cr_assert_eq(fxc_open(fx_test_rpc_url(), &c, &e), FXC_OK, "%s", e.message);
    for (int i = 0; i < w->n; i += 10) {
        store_many(c, w->sym, w->first + i, 10);
        usleep(10000);
    }
    fxc_close(c);
    w->done = 1;
    return NULL;
}

static struct fx_ws_client *open_ws(const char *sym, long long since)
{
    char path[128];
    snprintf(path, sizeof path, "/ws/ticks/%s?since=%lld", sym, since);
    long status;
    char *body = NULL;
    struct fx_ws_client *c = fx_ws_connect(fx_test_bridge_port(), path, 0, &status, &body);
    cr_assert_not_null(c, "%s: HTTP %ld instead of 101: %s", path, status, body ? body : "");
    free(body);
    return c;
}

/* The seq of the next frame (a tick of `sym`); -1 when none came within `ms`, -2 when closed. */
static long long next_seq(struct fx_ws_client *c, const char *sym, int ms)
{
    char *text;
    int rc = fx_ws_next_text(c, ms, &text);
    if (rc != 0) return rc;
    json_t *j = json_loads(text, 0, NULL);
    cr_assert_not_null(j, "not JSON: %s", text);
    cr_assert_str_eq(json_string_value(json_object_get(j, "type")), "tick", "%s", text);
    cr_assert_str_eq(json_string_value(json_object_get(j, "symbol")), sym, "%s", text);
    json_t *seq = json_object_get(j, "seq");
    cr_assert(json_is_integer(seq), "no seq: %s", text);
    long long s = json_integer_value(seq);
    json_decref(j);
    free(text);
    return s;
}

Test(ws_replay, a_reconnect_with_since_gets_every_tick_after_it_once_in_order_while_ticks_arrive)
{
    struct writer w = { .first = 25000, .n = 3000 };
    fx_test_symbol(w.sym, "RS");
    store_many(fx_test_client, w.sym, 0, 25000);
    /* 24 000 stored ones to replay (pages of 10 000, more than the client's
     * 1 MiB queue holds at once), then the seam */
    long long since = 1000;
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, write_ticks, &w), 0);
    usleep(500000); /* the writer is under way */
    struct fx_ws_client *c = open_ws(w.sym, since);
    long long expect = since + 1, got = 0, final = -1;
    for (int quiet = 0;;) {
        if (final < 0 && w.done) final = last_seq(w.sym); /* the writer stopped: this is the last */
        if (final >= 0 && expect > final) break;
        long long s = next_seq(c, w.sym, 100);
        if (s == -1 && ++quiet < 50) continue;
        cr_assert(s > 0, "after seq %lld: %s", expect - 1, s == -1 ? "nothing within 5 s" : "closed");
        quiet = 0;
        cr_assert_eq(s, expect, "seq %lld instead of %lld (%s)", s, expect, s < expect ? "a repeat" : "a gap");
        expect++, got++;
    }
    pthread_join(th, NULL);
    cr_assert_eq(final, 28000);
    cr_assert_eq(got, final - since, "%lld frames for seqs %lld..%lld", got, since + 1, final);
    cr_assert_eq(next_seq(c, w.sym, 500), -1, "nothing after the last");
    fx_ws_close(c);
}

Test(ws_replay, since_at_the_last_seq_gets_only_live_ticks)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "RL");
    store_many(fx_test_client, sym, 0, 5);
    struct fx_ws_client *c = open_ws(sym, 5);
    cr_assert_eq(next_seq(c, sym, 700), -1, "nothing is replayed");
    store_many(fx_test_client, sym, 5, 2);
    cr_assert_eq(next_seq(c, sym, 5000), 6);
    cr_assert_eq(next_seq(c, sym, 5000), 7);
    cr_assert_eq(next_seq(c, sym, 500), -1);
    fx_ws_close(c);
}

Test(ws_replay, since_more_than_100000_ticks_back_is_closed_with_4413_before_any_tick)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "RF");
    store_many(fx_test_client, sym, 0, 3);
    /* numbering far on without storing 100 000 ticks: the next tick is 200 001 */
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE symbol_seq SET last_seq = 200000 WHERE symbol = '%s' RETURNING last_seq", sym);
    cr_assert_eq(fx_test_sql_int(sql), 200000);
    store_many(fx_test_client, sym, 3, 1);
    cr_assert_eq(last_seq(sym), 200001);
    struct fx_ws_client *c = open_ws(sym, 100000); /* 100 001 back */
    cr_assert_eq(next_seq(c, sym, 5000), -2, "closed before any frame");
    cr_assert_eq(fx_ws_close_code(c), 4413);
    fx_ws_close(c);
    c = open_ws(sym, 100001); /* exactly 100 000 back: replayed (seqs 200 001 only are stored after it) */
    cr_assert_eq(next_seq(c, sym, 5000), 200001);
    fx_ws_close(c);
}

Test(ws_replay, since_is_refused_before_the_upgrade_on_all_symbols_and_when_not_a_seq)
{
    struct {
        const char *path;
        long status;
    } cases[] = {
        { "/ws/ticks?since=5", 400 },
        { "/ws/ticks/EURUSD?since=-1", 422 },
        { "/ws/ticks/EURUSD?since=abc", 422 },
        { "/ws/ticks/EURUSD?since=1.5", 422 },
        { "/ws/ticks/EURUSD?since=", 422 },
        { "/ws/ticks/EURUSD?since=99999999999999999999", 422 },
        { "/ws/ticks/EURUSD?since=1&since=2", 422 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long status;
        char *body = NULL;
        struct fx_ws_client *c = fx_ws_connect(fx_test_bridge_port(), cases[i].path, 0, &status, &body);
        cr_assert_null(c, "%s was upgraded", cases[i].path);
        cr_assert_eq(status, cases[i].status, "%s: HTTP %ld %s", cases[i].path, status, body ? body : "");
        cr_assert(body && strstr(body, "\"detail\":\"since"), "%s: %s", cases[i].path, body ? body : "");
        free(body);
    }
}
