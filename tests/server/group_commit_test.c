/*
 * Group commit end to end (server/group_commit.h, server/tick_group.h): 64
 * clients at once send creates, price updates and deletes of the ticks of
 * 4 symbols (each client its own ticks, their times interleaved with the
 * others', so the candles mix every client's ticks), with a duplicate
 * create every 100 requests. Each client's answers are what a model of its
 * own ticks says; afterwards the stored ticks and the candles equal those of
 * the same requests run one at a time on other symbols.
 */
#include "tests/support/fixture.h"

#include "server/core_metrics.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(group_commit, .init = fx_fixture_start, .fini = fx_fixture_stop, .timeout = 300);

#define CLIENTS 64
#define OPS 90 /* per client */
#define SLOTS 40 /* ticks a client may create */
#define SYMBOLS 4

enum kind { CREATE, UPDATE, DELETE };

struct op {
    enum kind kind;
    int slot;
    double price;
    int want; /* fxc status the model expects */
};

struct client {
    int index;
    struct op ops[OPS];
    char symbol[FXC_SYMBOL_MAX + 1];
    int wrong; /* answers that differ from the model's */
    char first_wrong[512];
};

static char group_symbols[SYMBOLS][FXC_SYMBOL_MAX + 1], serial_symbols[SYMBOLS][FXC_SYMBOL_MAX + 1];
static struct client clients[CLIENTS];

/* Client c's tick of `slot`: times interleave every client's ticks. */
static int64_t slot_time(int c, int slot) { return fx_test_time((int64_t)slot * 67 + c); }

/* A random mix of writes of client c's ticks, with the model's answers. */
static void make_ops(struct client *cl)
{
    unsigned seed = 1234u + (unsigned)cl->index;
    int exists[SLOTS] = { 0 }, created = 0;
    for (int k = 0; k < OPS; k++) {
        struct op *op = &cl->ops[k];
        int global = k * CLIENTS + cl->index; /* every 100th request of all is a duplicate */
        op->price = 1.0 + (double)(cl->index * 1000 + k) * 1e-5;
        if (global % 100 == 0 && created > 0) {
            op->kind = CREATE, op->slot = rand_r(&seed) % created;
        } else {
            int r = rand_r(&seed) % 10;
            op->kind = r < 5 && created < SLOTS ? CREATE : r < 8 ? UPDATE : DELETE;
            op->slot = op->kind == CREATE ? created++ : rand_r(&seed) % (created ? created : 1);
        }
        if (op->kind == CREATE) {
            op->want = exists[op->slot] ? FXC_ALREADY_EXISTS : FXC_OK;
            exists[op->slot] = 1;
        } else {
            op->want = exists[op->slot] ? FXC_OK : FXC_NOT_FOUND;
            if (op->kind == DELETE) exists[op->slot] = 0;
        }
    }
}

static int run_op(fxc *c, const char *symbol, int client, const struct op *op, fxc_err *e)
{
    int64_t t = slot_time(client, op->slot);
    if (op->kind == CREATE) {
        fxc_tick tick = { .time_us = t, .price = op->price };
        snprintf(tick.symbol, sizeof tick.symbol, "%s", symbol);
        return fxc_tick_create(c, &tick, NULL, e);
    }
    if (op->kind == UPDATE) return fxc_tick_update(c, symbol, t, op->price, NULL, e);
    return fxc_tick_delete(c, symbol, t, e);
}

static void *client_main(void *arg)
{
    struct client *cl = arg;
    fxc *c;
    fxc_err e;
    if (fxc_open(fx_test_rpc_url(), &c, &e) != FXC_OK) {
        cl->wrong = OPS;
        snprintf(cl->first_wrong, sizeof cl->first_wrong, "open: %s", e.message);
        return NULL;
    }
    for (int k = 0; k < OPS; k++) {
        int got = run_op(c, cl->symbol, cl->index, &cl->ops[k], &e);
        if (got != cl->ops[k].want && cl->wrong++ == 0)
            snprintf(cl->first_wrong, sizeof cl->first_wrong,
                "client %d op %d (kind %d slot %d): %d, expected %d: %s", cl->index, k, cl->ops[k].kind,
                cl->ops[k].slot, got, cl->ops[k].want, e.message);
    }
    fxc_close(c);
    return NULL;
}

static void expect_same_ticks(const char *a, const char *b, int64_t start, int64_t end)
{
    fxc_tick *ta, *tb;
    size_t na, nb;
    fxc_err e;
    cr_assert_eq(fxc_ticks_get(fx_test_client, a, start, end, FXC_TICKS_GET_MAX, 0, &ta, &na, &e), FXC_OK,
        "%s", e.message);
    cr_assert_eq(fxc_ticks_get(fx_test_client, b, start, end, FXC_TICKS_GET_MAX, 0, &tb, &nb, &e), FXC_OK,
        "%s", e.message);
    cr_assert_eq(na, nb, "%s holds %zu ticks, the serial run %zu", a, na, nb);
    cr_assert_gt(na, 0);
    for (size_t i = 0; i < na; i++) {
        cr_assert_eq(ta[i].time_us, tb[i].time_us, "tick %zu of %s", i, a);
        cr_assert_float_eq(ta[i].price, tb[i].price, 1e-12, "tick %zu of %s", i, a);
    }
    fxc_ticks_free(ta);
    fxc_ticks_free(tb);
}

static void expect_same_candles(
    const char *a, const char *b, const char *resolution, int64_t start, int64_t end)
{
    fxc_candle *ca, *cb;
    size_t na, nb;
    fxc_err e;
    fxc_candle_query q
        = { .symbol = a, .resolution = resolution, .start_us = start, .end_us = end, .limit = 1000 };
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &ca, &na, &e), FXC_OK, "%s", e.message);
    q.symbol = b;
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &cb, &nb, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(na, nb, "%s %s: %zu candles, the serial run %zu", a, resolution, na, nb);
    for (size_t i = 0; i < na; i++) {
        cr_assert_eq(ca[i].bucket_us, cb[i].bucket_us);
        cr_assert_eq(ca[i].tick_count, cb[i].tick_count, "%s %s candle %zu", a, resolution, i);
        cr_assert_float_eq(ca[i].open, cb[i].open, 1e-12, "%s %s candle %zu open", a, resolution, i);
        cr_assert_float_eq(ca[i].high, cb[i].high, 1e-12, "%s %s candle %zu high", a, resolution, i);
        cr_assert_float_eq(ca[i].low, cb[i].low, 1e-12, "%s %s candle %zu low", a, resolution, i);
        cr_assert_float_eq(ca[i].close, cb[i].close, 1e-12, "%s %s candle %zu close", a, resolution, i);
    }
    fxc_candles_free(ca);
    fxc_candles_free(cb);
}

/* Sum and count of the group-size histogram: groups of more than one write
 * formed when sum > count. */
static void group_sizes(double *sum, double *count)
{
    size_t len;
    char *text = fx_core_metrics_render(&len);
    cr_assert_not_null(text);
    const char *s = strstr(text, "fx_core_group_commit_writes_sum ");
    const char *c = strstr(text, "fx_core_group_commit_writes_count ");
    cr_assert(s && c, "no group commit metrics");
    *sum = strtod(s + strlen("fx_core_group_commit_writes_sum "), NULL);
    *count = strtod(c + strlen("fx_core_group_commit_writes_count "), NULL);
    free(text);
}

Test(group_commit, concurrent_writers_get_their_own_answers_and_equal_a_serial_replay)
{
    for (int s = 0; s < SYMBOLS; s++) {
        fx_test_symbol(group_symbols[s], "GC");
        fx_test_symbol(serial_symbols[s], "GS");
    }
    double sum0, count0;
    group_sizes(&sum0, &count0);
    pthread_t threads[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        clients[i].index = i;
        snprintf(clients[i].symbol, sizeof clients[i].symbol, "%s", group_symbols[i % SYMBOLS]);
        make_ops(&clients[i]);
    }
    for (int i = 0; i < CLIENTS; i++)
        cr_assert_eq(pthread_create(&threads[i], NULL, client_main, &clients[i]), 0);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(threads[i], NULL);
    int wrong = 0, duplicates = 0;
    for (int i = 0; i < CLIENTS; i++) {
        cr_expect_eq(clients[i].wrong, 0, "%s", clients[i].first_wrong);
        wrong += clients[i].wrong;
        for (int k = 0; k < OPS; k++)
            duplicates += clients[i].ops[k].want == FXC_ALREADY_EXISTS;
    }
    cr_assert_eq(wrong, 0, "%d answers differ from the model", wrong);
    cr_assert_gt(duplicates, 20, "the mix holds duplicates (%d)", duplicates);
    double sum1, count1;
    group_sizes(&sum1, &count1);
    cr_assert_gt(count1, count0, "writes went through group commit");
    cr_assert_gt(sum1 - sum0, count1 - count0,
        "some groups held more than one write (%.0f writes in %.0f groups)", sum1 - sum0, count1 - count0);

    /* the same requests, one at a time, on the serial symbols */
    fxc_err e;
    for (int i = 0; i < CLIENTS; i++)
        for (int k = 0; k < OPS; k++) {
            int got = run_op(fx_test_client, serial_symbols[i % SYMBOLS], i, &clients[i].ops[k], &e);
            cr_assert_eq(got, clients[i].ops[k].want, "serial: client %d op %d: %s", i, k, e.message);
        }
    int64_t start = fx_test_time(-86400), end = fx_test_time(86400);
    for (int s = 0; s < SYMBOLS; s++) {
        expect_same_ticks(group_symbols[s], serial_symbols[s], start, end);
        expect_same_candles(
            group_symbols[s], serial_symbols[s], "1m", fx_test_time(-3600), fx_test_time(7200));
        expect_same_candles(group_symbols[s], serial_symbols[s], "1h", start, end);
        expect_same_candles(group_symbols[s], serial_symbols[s], "1d", start, end);
    }
}
