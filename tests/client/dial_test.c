/*
 * libfxclient with a list of cores (client/dial.c): requests spread over
 * the cores that are up and move on when one stops, a core that comes back
 * is used again, and the feed arrives from every core; dns+tcp:// entries
 * follow what a name resolves to. Real fx-core servers (in this process, on
 * ipc:// and tcp:// sockets) against the test PostgreSQL.
 */
#include "tests/support/fixture.h"
#include "tests/support/proc.h"

#include "client/dial.h"

#include <nng/protocol/reqrep0/req.h>
#include "server/server.h"

#include <criterion/criterion.h>
#include <pthread.h>
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

/* ---- dns+tcp:// entries ------------------------------------------------------ */

Test(dial, malformed_dns_entries_are_refused)
{
    fxc *c;
    fxc_err e;
    const char *bad[] = { "dns+tcp://fx-core", "dns+tcp://:5555", "dns+tcp://fx-core:0", "dns+tcp://fx-core:99999",
        "dns+tcp://fx-core:55x", "dns+tcp://[::1]:5555", "dns+tcp://a/b:5555" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(fxc_open(bad[i], &c, &e), FXC_INVALID_ARGUMENT, "%s accepted", bad[i]);
        cr_assert(strstr(e.message, "dns+tcp://NAME:PORT") && strstr(e.message, "FX_RPC_URL"), "%s", e.message);
    }
}

/* What the fake DNS answers: set by the test, read by the lookup thread. */
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static char fake_addrs[4][FXC_DIAL_ADDR_MAX];
static int fake_n; /* -1: the lookup fails */

static int fake_resolve(const char *host, const char *port, char (*out)[FXC_DIAL_ADDR_MAX], size_t max)
{
    cr_assert_str_eq(host, "cores");
    cr_assert_str_eq(port, "5555");
    pthread_mutex_lock(&fake_lock);
    int n = fake_n;
    for (int i = 0; i < n && (size_t)i < max; i++) memcpy(out[i], fake_addrs[i], FXC_DIAL_ADDR_MAX);
    pthread_mutex_unlock(&fake_lock);
    return n;
}

static void fake_answer(int n, const char *a0, const char *a1)
{
    pthread_mutex_lock(&fake_lock);
    fake_n = n;
    if (a0) snprintf(fake_addrs[0], sizeof fake_addrs[0], "%s", a0);
    if (a1) snprintf(fake_addrs[1], sizeof fake_addrs[1], "%s", a1);
    pthread_mutex_unlock(&fake_lock);
}

/* Waits up to 3 s for the set to dial exactly `want` (space-separated). */
static int dials_become(struct fxc_dialset *d, const char *want)
{
    for (int i = 0; i < 300; i++) {
        char got[8][FXC_DIAL_ADDR_MAX], joined[512] = "";
        size_t n = fxc_dialset_addresses(d, got, 8);
        /* the order of dialers is not the answer's: compare as sets */
        int same = 1, count = 0;
        for (size_t k = 0; k < n && k < 8; k++) {
            size_t used = strlen(joined), add = strlen(got[k]);
            if (used + 1 + add < sizeof joined) joined[used] = ' ', memcpy(joined + used + 1, got[k], add + 1);
            if (!strstr(want, got[k])) same = 0;
        }
        for (const char *p = want; *p; p++)
            if (*p == ',') count++;
        if (same && n == (size_t)count + 1) return 1;
        usleep(10000);
    }
    return 0;
}

Test(dial, a_dns_entry_dials_what_the_name_resolves_to_as_it_changes, .timeout = 30)
{
    fxc_dialset_testing(fake_resolve, 50, 300);
    fake_answer(1, "tcp://127.0.0.1:41001", NULL);
    nng_socket s;
    cr_assert_eq(nng_req0_open(&s), 0);
    struct fxc_dialset *d;
    fxc_err e;
    cr_assert_eq(fxc_dialset_open(&d, s, "dns+tcp://cores:5555", "FX_RPC_URL", &e), FXC_OK, "%s", e.message);
    cr_assert(dials_become(d, "tcp://127.0.0.1:41001"), "the first answer is dialled at once");
    fake_answer(2, "tcp://127.0.0.1:41001", "tcp://127.0.0.1:41002");
    cr_assert(dials_become(d, "tcp://127.0.0.1:41001,tcp://127.0.0.1:41002"), "a core scaled up is dialled");
    fake_answer(-1, NULL, NULL);
    usleep(600000); /* twice the forget time: a failed lookup forgets nothing */
    cr_assert(dials_become(d, "tcp://127.0.0.1:41001,tcp://127.0.0.1:41002"), "a failed lookup changed the dialers");
    fake_answer(1, "tcp://127.0.0.1:41002", NULL);
    cr_assert(dials_become(d, "tcp://127.0.0.1:41002"), "a core gone from the answers is dropped");
    fxc_dialset_close(d);
    nng_close(s);
}

/* The real resolver, through the public API: "localhost" names the core. */
Test(dial, requests_and_the_feed_reach_a_core_named_by_dns, .timeout = 60)
{
    char rpc[64], feed[64], rpc_dns[64], feed_dns[64], sym[FXC_SYMBOL_MAX + 1];
    int rport = fx_proc_free_port(), fport = fx_proc_free_port();
    snprintf(rpc, sizeof rpc, "tcp://127.0.0.1:%d", rport);
    snprintf(feed, sizeof feed, "tcp://127.0.0.1:%d", fport);
    snprintf(rpc_dns, sizeof rpc_dns, "dns+tcp://localhost:%d", rport);
    snprintf(feed_dns, sizeof feed_dns, "dns+tcp://localhost:%d", fport);
    struct fx_server *core = fx_test_core_start(rpc, feed);
    fx_test_symbol(sym, "DNS");
    fxc *c;
    fxc_feed *f;
    fxc_err e;
    cr_assert_eq(fxc_open(rpc_dns, &c, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_feed_open(feed_dns, &f, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_feed_subscribe_ticks(f, sym, &e), FXC_OK, "%s", e.message);
    usleep(300000);
    create_ticks(c, sym, 0, 3);
    for (int i = 0; i < 3; i++) {
        fxc_tick t;
        cr_assert_eq(fxc_feed_next_tick(f, 5000, &t, &e), FXC_OK, "tick %d from the feed: %s", i, e.message);
        cr_assert_str_eq(t.symbol, sym);
    }
    fxc_feed_close(f);
    fxc_close(c);
    fx_server_destroy(core);
}
