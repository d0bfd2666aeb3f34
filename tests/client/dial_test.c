/*
 * libfxclient with a list of cores (client/dial.c): requests spread over
 * the cores that are up and move on when one stops, a core that comes back
 * is used again, and the feed arrives from every core. Real fx-core servers
 * (two in this process, on ipc:// sockets) against the test PostgreSQL.
 */
#include "tests/support/fixture.h"

#include "server/server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct core_addr {
    char rpc[96], feed[96];
};

static void addresses(struct core_addr *a, const char *name)
{
    snprintf(a->rpc, sizeof a->rpc, "ipc:///tmp/fx-dial-%d-%s.rpc", (int)getpid(), name);
    snprintf(a->feed, sizeof a->feed, "ipc:///tmp/fx-dial-%d-%s.feed", (int)getpid(), name);
}

/* Creates `n` ticks of `sym` from time t0 + `first` s on; every one must succeed. */
static void create_ticks(fxc *c, const char *sym, int first, int n)
{
    for (int i = first; i < first + n; i++) {
        fxc_tick t = { .time_us = fx_test_time(i), .price = 1.0 + i / 1000.0 };
        snprintf(t.symbol, sizeof t.symbol, "%s", sym);
        fxc_err e;
        int rc = fxc_tick_create(c, &t, NULL, &e);
        cr_assert_eq(rc, FXC_OK, "tick %d: %s: %s", i, fxc_status_name(rc), e.message);
    }
}

Test(dial, requests_move_to_the_core_that_is_up_and_back, .timeout = 120)
{
    struct core_addr a, b;
    addresses(&a, "a");
    addresses(&b, "b");
    struct fx_server *core_a = fx_test_core_start(a.rpc, a.feed), *core_b = fx_test_core_start(b.rpc, b.feed);
    char list[256], sym[FXC_SYMBOL_MAX + 1];
    snprintf(list, sizeof list, "%s, %s", a.rpc, b.rpc);
    fx_test_symbol(sym, "DIAL");
    fxc *c;
    fxc_err e;
    cr_assert_eq(fxc_open(list, &c, &e), FXC_OK, "%s", e.message);
    fxc_set_timeout(c, 10000);

    create_ticks(c, sym, 0, 20); /* both up */
    fx_server_destroy(core_a);
    create_ticks(c, sym, 20, 20); /* a stopped: b alone */
    core_a = fx_test_core_start(a.rpc, a.feed);
    fx_server_destroy(core_b);
    create_ticks(c, sym, 40, 20); /* a again, without reopening the client */

    cr_assert_eq(fx_test_count_ticks(sym), 60, "every create stored once");
    fxc_close(c);
    fx_server_destroy(core_a);
}

Test(dial, the_feed_comes_from_every_core_listed, .timeout = 60)
{
    struct core_addr a, b;
    addresses(&a, "fa");
    addresses(&b, "fb");
    struct fx_server *core_a = fx_test_core_start(a.rpc, a.feed), *core_b = fx_test_core_start(b.rpc, b.feed);
    char list[256], sym[FXC_SYMBOL_MAX + 1];
    snprintf(list, sizeof list, "%s,%s", a.feed, b.feed);
    fx_test_symbol(sym, "FEED");
    fxc_feed *f;
    fxc_err e;
    cr_assert_eq(fxc_feed_open(list, &f, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_feed_subscribe_ticks(f, sym, &e), FXC_OK, "%s", e.message);
    usleep(300000); /* both connections up, the subscription passed on */

    fxc *via_a, *via_b;
    cr_assert_eq(fxc_open(a.rpc, &via_a, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_open(b.rpc, &via_b, &e), FXC_OK, "%s", e.message);
    create_ticks(via_a, sym, 0, 1);
    create_ticks(via_b, sym, 1, 1);
    int seen[2] = { 0, 0 };
    for (int i = 0; i < 2; i++) {
        fxc_tick t;
        cr_assert_eq(fxc_feed_next_tick(f, 5000, &t, &e), FXC_OK, "tick %d of 2: %s", i + 1, e.message);
        cr_assert_str_eq(t.symbol, sym);
        for (int k = 0; k < 2; k++)
            if (t.time_us == fx_test_time(k)) seen[k]++;
    }
    cr_assert(seen[0] == 1 && seen[1] == 1, "the tick stored by each core arrived once (%d, %d)", seen[0], seen[1]);
    fxc_close(via_a);
    fxc_close(via_b);
    fxc_feed_close(f);
    fx_server_destroy(core_a);
    fx_server_destroy(core_b);
}

Test(dial, malformed_lists_are_refused_naming_the_setting)
{
    fxc *c;
    fxc_feed *f;
    fxc_err e;
    cr_assert_eq(fxc_open("tcp://127.0.0.1:1,,tcp://127.0.0.1:2", &c, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "url");
    cr_assert(strstr(e.message, "FX_RPC_URL") && strstr(e.message, "address 2 of the list is empty"), "%s", e.message);
    cr_assert_eq(fxc_feed_open("tcp://127.0.0.1:1, tcp://127.0.0.1:1", &f, &e), FXC_INVALID_ARGUMENT);
    cr_assert(strstr(e.message, "FX_FEED_URL") && strstr(e.message, "listed twice"), "%s", e.message);
    cr_assert_eq(fxc_open("nosuch://x", &c, &e), FXC_INVALID_ARGUMENT, "%s", e.message);
}
