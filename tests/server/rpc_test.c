/*
 * The RPC socket under bad and concurrent input: malformed protobuf gets an
 * error reply and the core keeps serving; many clients are served at once.
 */
#define _GNU_SOURCE /* memmem */
#include "tests/support/fixture.h"

#include "fx/limits.h"
#include "fx/v1/rpc.pb-c.h"
#include "server/server.h"

#include <criterion/criterion.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TestSuite(rpc_robustness, .init = fx_fixture_start, .fini = fx_fixture_stop, .timeout = 120);

/* Sends raw bytes on a REQ socket and unpacks the reply. */
static Fx__V1__Response *raw_call(const void *bytes, size_t len)
{
    nng_socket s;
    cr_assert_eq(nng_req0_open(&s), 0);
    cr_assert_eq(nng_dial(s, fx_test_rpc_url(), NULL, 0), 0);
    nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 10000);
    cr_assert_eq(nng_send(s, (void *)bytes, len, 0), 0);
    char *buf = NULL;
    size_t n = 0;
    cr_assert_eq(nng_recv(s, &buf, &n, NNG_FLAG_ALLOC), 0, "the core answers malformed input");
    Fx__V1__Response *r = fx__v1__response__unpack(NULL, n, (uint8_t *)buf);
    nng_free(buf, n);
    nng_close(s);
    cr_assert_not_null(r, "the reply is a valid fx.v1.Response");
    return r;
}

static void assert_still_serving(void)
{
    fxc_health_info h;
    fxc_err e;
    cr_assert_eq(fxc_health(fx_test_client, &h, &e), FXC_OK, "%s", e.message);
    cr_assert(h.database_ok);
}

Test(rpc_robustness, garbage_bytes_get_an_invalid_argument_reply)
{
    const unsigned char garbage[] = { 0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x99, 0x00, 0x42 };
    Fx__V1__Response *r = raw_call(garbage, sizeof garbage);
    cr_assert_eq(r->status, FX__V1__STATUS_CODE__INVALID_ARGUMENT);
    cr_assert(strstr(r->message, "protobuf") != NULL, "message: %s", r->message);
    fx__v1__response__free_unpacked(r, NULL);
    assert_still_serving();
}

Test(rpc_robustness, a_truncated_request_gets_an_error_reply)
{
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__CreateTickRequest op = FX__V1__CREATE_TICK_REQUEST__INIT;
    Fx__V1__Tick t = FX__V1__TICK__INIT;
    t.symbol = "EURUSD", t.time_us = fx_test_time(0), t.price = 1.1;
    op.tick = &t;
    req.op_case = FX__V1__REQUEST__OP_CREATE_TICK, req.create_tick = &op;
    uint8_t buf[256];
    size_t len = fx__v1__request__pack(&req, buf);
    Fx__V1__Response *r = raw_call(buf, len - 3);
    cr_assert_eq(r->status, FX__V1__STATUS_CODE__INVALID_ARGUMENT);
    fx__v1__response__free_unpacked(r, NULL);
    assert_still_serving();
}

Test(rpc_robustness, an_empty_request_names_no_operation)
{
    Fx__V1__Response *r = raw_call("", 0);
    cr_assert_eq(r->status, FX__V1__STATUS_CODE__INVALID_ARGUMENT);
    cr_assert_str_eq(r->field, "op");
    fx__v1__response__free_unpacked(r, NULL);
    assert_still_serving();
}

Test(rpc_robustness, a_create_without_a_tick_is_rejected)
{
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__CreateTickRequest op = FX__V1__CREATE_TICK_REQUEST__INIT;
    req.op_case = FX__V1__REQUEST__OP_CREATE_TICK, req.create_tick = &op;
    req.id = 4242;
    uint8_t buf[64];
    size_t len = fx__v1__request__pack(&req, buf);
    Fx__V1__Response *r = raw_call(buf, len);
    cr_assert_eq(r->status, FX__V1__STATUS_CODE__INVALID_ARGUMENT);
    cr_assert_str_eq(r->field, "tick");
    cr_assert_eq(r->id, 4242, "the reply carries the request id");
    fx__v1__response__free_unpacked(r, NULL);
}

struct writer {
    char symbol[17];
    int index;
    int failures;
    int64_t t0;
};

static void *write_ticks(void *arg)
{
    struct writer *w = arg;
    for (int i = 0; i < 100; i++) {
        fxc_tick t = { .time_us = w->t0 + (w->index * 1000 + i) * 1000000LL, .price = 1.1 };
        memcpy(t.symbol, w->symbol, sizeof t.symbol);
        fxc_err e;
        if (fxc_tick_create(fx_test_client, &t, NULL, &e) != FXC_OK) w->failures++;
    }
    return NULL;
}

/* 8 threads writing into `t0`'s day at once; returns the stored count. */
static long long write_concurrently(const char *prefix, int64_t t0);

Test(rpc_robustness, one_client_handle_serves_many_threads_at_once)
{
    char sym[17];
    fx_test_symbol(sym, "CONC");
    cr_assert_eq(write_concurrently(sym, fx_test_time(0)), 8 * 100);
}

Test(rpc_robustness, concurrent_writers_meeting_a_new_day_all_succeed)
{
    /* a day no other test uses: its partition is created under contention */
    char sym[17];
    fx_test_symbol(sym, "NEWDAY");
    int64_t day = 7258118400LL - 86400LL * (1 + getpid() % 20000); /* before 2200-01-01 */
    cr_assert_eq(write_concurrently(sym, day * 1000000LL), 8 * 100);
}

static long long write_concurrently(const char *symbol, int64_t t0)
{
    enum { THREADS = 8 };
    struct writer w[THREADS];
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        snprintf(w[i].symbol, sizeof w[i].symbol, "%s", symbol);
        w[i].index = i;
        w[i].t0 = t0;
        cr_assert_eq(pthread_create(&th[i], NULL, write_ticks, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(w[i].failures, 0, "thread %d had failures", i);
    }
    return fx_test_count_ticks(symbol);
}

Test(rpc_robustness, an_unreachable_core_is_unavailable_not_a_hang)
{
    fxc *c;
    fxc_err e;
    cr_assert_eq(fxc_open("tcp://127.0.0.1:1", &c, &e), FXC_OK, "%s", e.message);
    fxc_set_timeout(c, 300);
    fxc_health_info h;
    cr_assert_eq(fxc_health(c, &h, &e), FXC_UNAVAILABLE);
    cr_assert(strlen(e.message) > 0);
    fxc_close(c);
    cr_assert_eq(fxc_open("nonsense://x", &c, &e), FXC_INVALID_ARGUMENT, "a bad URL is a bad argument");
    cr_assert_str_eq(e.field, "url");
}

/* ---- the graceful stop ----------------------------------------------------------- */

struct bulk_call {
    fxc *client;
    const char *symbol;
    int rc;
    uint64_t created;
    fxc_err err;
};

static void *bulk_thread(void *arg)
{
    struct bulk_call *b = arg;
    enum { N = 100000 };
    fxc_tick *ticks = calloc(N, sizeof *ticks);
    for (int i = 0; i < N; i++) {
        snprintf(ticks[i].symbol, sizeof ticks[i].symbol, "%s", b->symbol);
        ticks[i].time_us = fx_test_time(0) + (int64_t)i * 1000;
        ticks[i].price = 1.1;
    }
    uint64_t dups = 0;
    b->rc = fxc_ticks_bulk(b->client, ticks, N, &b->created, &dups, &b->err);
    free(ticks);
    return NULL;
}

/* A stop while a request is being handled answers it before closing. */
Test(rpc_robustness, a_stop_answers_the_request_in_hand)
{
    char rpc[64], feed[64], sym[17];
    snprintf(rpc, sizeof rpc, "inproc://fx-drain-%d", (int)getpid());
    snprintf(feed, sizeof feed, "inproc://fx-drain-feed-%d", (int)getpid());
    fx_test_symbol(sym, "DRAIN");
    struct fx_server *core = fx_test_core_start(rpc, feed);
    struct bulk_call b = { .symbol = sym };
    fxc_err e;
    cr_assert_eq(fxc_open(rpc, &b.client, &e), FXC_OK, "%s", e.message);
    fxc_set_timeout(b.client, 60000);
    pthread_t t;
    pthread_create(&t, NULL, bulk_thread, &b);
    /* until the bulk runs in PostgreSQL (it may also be over already) */
    for (int i = 0; i < 250 && fx_test_count_ticks(sym) == 0; i++) {
        long long active = fx_test_sql_int("SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                                           " AND pid <> pg_backend_pid() AND query LIKE 'COPY%'");
        if (active > 0) break;
        usleep(20000);
    }
    fx_server_destroy(core);
    pthread_join(t, NULL);
    cr_assert_eq(b.rc, FXC_OK, "the request in hand is answered: %s", b.err.message);
    cr_assert_eq(b.created, 100000);
    cr_assert_eq(fx_test_count_ticks(sym), 100000);
    fxc_close(b.client);
}

/* A bulk of more ticks than allowed is refused from the wire bytes, before
 * protobuf-c would allocate each (empty) tick. */
Test(rpc_robustness, a_bulk_over_the_limit_is_refused_before_unpacking)
{
    size_t n = FX_BULK_MAX + 1, inner = 2 * n;
    uint8_t *buf = malloc(inner + 16);
    size_t k = 0;
    buf[k++] = (11 << 3) | 2; /* Request.bulk_create_ticks, length-delimited */
    for (size_t v = inner; v >= 0x80; v >>= 7) buf[k++] = (uint8_t)(v | 0x80);
    buf[k++] = (uint8_t)(inner >> (7 * 2)); /* 200 002 needs three varint bytes: the last one */
    for (size_t i = 0; i < n; i++) buf[k++] = (1 << 3) | 2, buf[k++] = 0; /* an empty Tick */
    Fx__V1__Response *r = raw_call(buf, k);
    free(buf);
    cr_assert_eq(r->status, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "%s", r->message);
    cr_assert(strstr(r->message, "at most 100000 ticks") != NULL, "message: %s", r->message);
    cr_assert_str_eq(r->field, "ticks");
    fx__v1__response__free_unpacked(r, NULL);
    assert_still_serving();
}

/* protobuf-c would hand "RPC\0XYZ" over as "RPC": refused, nothing stored. */
Test(rpc_robustness, a_symbol_with_a_nul_byte_is_refused_not_cut)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "RPCN");
    char with_x[40];
    snprintf(with_x, sizeof with_x, "%sxJUNK", sym);
    Fx__V1__Tick t = FX__V1__TICK__INIT;
    t.symbol = with_x, t.time_us = fx_test_time(0), t.price = 1.5;
    Fx__V1__CreateTickRequest op = FX__V1__CREATE_TICK_REQUEST__INIT;
    op.tick = &t;
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    req.op_case = FX__V1__REQUEST__OP_CREATE_TICK, req.create_tick = &op;
    uint8_t buf[256];
    size_t len = fx__v1__request__pack(&req, buf);
    uint8_t *x = memmem(buf, len, "xJUNK", 5);
    cr_assert_not_null(x);
    *x = 0; /* "<sym>\0JUNK" on the wire */
    Fx__V1__Response *r = raw_call(buf, len);
    cr_assert_eq(r->status, FX__V1__STATUS_CODE__INVALID_ARGUMENT, "%s", r->message);
    cr_assert_str_eq(r->field, "symbol");
    fx__v1__response__free_unpacked(r, NULL);
    cr_assert_eq(fx_test_count_ticks(sym), 0, "nothing stored");
}
