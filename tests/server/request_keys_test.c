/*
 * Writes run once however often they are sent (server/request_keys.h): a
 * request sent again with the same key (client, id), as nng's REQ does when
 * its core's connection closes, is answered with the first run's result and
 * changes nothing, even after later writes; two cores given the same request
 * at once run it once. Requests are packed and sent by hand here, as a
 * resend puts the same bytes on the wire.
 */
#include "tests/support/fixture.h"

#include "fx/v1/rpc.pb-c.h"
#include "server/db.h"
#include "server/request_keys.h"
#include "server/server.h"

#include <criterion/criterion.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

TestSuite(resends, .init = fx_fixture_start, .fini = fx_fixture_stop, .timeout = 180);

/* This process's client number: keys outlive a run by an hour, so a rerun
 * must not reuse them. */
static uint64_t client_number(void)
{
    static uint64_t n;
    if (n == 0) n = ((uint64_t)getpid() << 32 ^ (uint64_t)time(NULL)) | 1;
    return n;
}
#define CLIENT client_number()

/* A packed request, as nng would send it again. */
struct wire {
    uint8_t *bytes;
    size_t len;
};

static struct wire pack(Fx__V1__Request *req, uint64_t client, uint64_t id)
{
    req->client = client, req->id = id;
    struct wire w = { .len = fx__v1__request__get_packed_size(req) };
    w.bytes = malloc(w.len ? w.len : 1);
    cr_assert_not_null(w.bytes);
    fx__v1__request__pack(req, w.bytes);
    return w;
}

static Fx__V1__Response *send_to(const char *url, struct wire w)
{
    nng_socket s;
    cr_assert_eq(nng_req0_open(&s), 0);
    cr_assert_eq(nng_dial(s, url, NULL, 0), 0);
    nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 60000);
    nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, 64u << 20);
    cr_assert_eq(nng_send(s, w.bytes, w.len, 0), 0);
    char *buf = NULL;
    size_t n = 0;
    cr_assert_eq(nng_recv(s, &buf, &n, NNG_FLAG_ALLOC), 0);
    Fx__V1__Response *r = fx__v1__response__unpack(NULL, n, (uint8_t *)buf);
    nng_free(buf, n);
    nng_close(s);
    cr_assert_not_null(r);
    return r;
}

static Fx__V1__Response *send_once(struct wire w) { return send_to(fx_test_rpc_url(), w); }

static void expect_status(struct wire w, Fx__V1__StatusCode want, Fx__V1__Response **out)
{
    Fx__V1__Response *r = send_once(w);
    cr_assert_eq(r->status, want, "status %d (%s), expected %d", r->status, r->message, want);
    if (out) *out = r;
    else fx__v1__response__free_unpacked(r, NULL);
}

static struct wire create_request(const char *symbol, int64_t time_us, double price, uint64_t client, uint64_t id)
{
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__CreateTickRequest op = FX__V1__CREATE_TICK_REQUEST__INIT;
    Fx__V1__Tick t = FX__V1__TICK__INIT;
    t.symbol = (char *)symbol, t.time_us = time_us, t.price = price;
    op.tick = &t;
    req.op_case = FX__V1__REQUEST__OP_CREATE_TICK, req.create_tick = &op;
    return pack(&req, client, id);
}

static struct wire update_request(const char *symbol, int64_t time_us, double price, uint64_t id)
{
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__UpdateTickRequest op = FX__V1__UPDATE_TICK_REQUEST__INIT;
    Fx__V1__Tick t = FX__V1__TICK__INIT;
    t.symbol = (char *)symbol, t.time_us = time_us, t.price = price;
    op.tick = &t;
    req.op_case = FX__V1__REQUEST__OP_UPDATE_TICK, req.update_tick = &op;
    return pack(&req, CLIENT, id);
}

static struct wire delete_request(const char *symbol, int64_t time_us, uint64_t id)
{
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__DeleteTickRequest op = FX__V1__DELETE_TICK_REQUEST__INIT;
    op.symbol = (char *)symbol, op.time_us = time_us;
    req.op_case = FX__V1__REQUEST__OP_DELETE_TICK, req.delete_tick = &op;
    return pack(&req, CLIENT, id);
}

static struct wire range_delete_request(const char *symbol, int64_t start_us, int64_t end_us, uint64_t id)
{
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__DeleteTicksRequest op = FX__V1__DELETE_TICKS_REQUEST__INIT;
    op.symbol = (char *)symbol, op.start_us = start_us, op.end_us = end_us;
    req.op_case = FX__V1__REQUEST__OP_DELETE_TICKS, req.delete_ticks = &op;
    return pack(&req, CLIENT, id);
}

/* `n` ticks of `symbol`, `step_us` apart from `t0`. */
static struct wire bulk_request(const char *symbol, int64_t t0, int64_t step_us, size_t n, uint64_t id)
{
    Fx__V1__Tick *ticks = calloc(n, sizeof *ticks);
    Fx__V1__Tick **ptrs = calloc(n, sizeof *ptrs);
    cr_assert(ticks && ptrs);
    for (size_t i = 0; i < n; i++) {
        fx__v1__tick__init(&ticks[i]);
        ticks[i].symbol = (char *)symbol, ticks[i].time_us = t0 + (int64_t)i * step_us;
        ticks[i].price = 1.1 + (double)(i % 100) * 1e-5;
        ptrs[i] = &ticks[i];
    }
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    Fx__V1__BulkCreateTicksRequest op = FX__V1__BULK_CREATE_TICKS_REQUEST__INIT;
    op.n_ticks = n, op.ticks = ptrs;
    req.op_case = FX__V1__REQUEST__OP_BULK_CREATE_TICKS, req.bulk_create_ticks = &op;
    struct wire w = pack(&req, CLIENT, id);
    free(ptrs);
    free(ticks);
    return w;
}

static double stored_price(const char *symbol, int64_t time_us)
{
    double p = 0;
    cr_assert(fx_test_stored_price(symbol, time_us, &p), "the tick is stored");
    return p;
}

static long long candle_ticks(const char *symbol)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT coalesce(sum(tick_count), 0) FROM candles_1m WHERE symbol = '%s'", symbol);
    return fx_test_sql_int(sql);
}

Test(resends, a_resent_create_after_a_later_update_changes_nothing)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "RSC");
    int64_t t = fx_test_time(10);
    struct wire create = create_request(sym, t, 1.1, CLIENT, 1);
    expect_status(create, FX__V1__STATUS_CODE__OK, NULL);
    fxc_err e;
    cr_assert_eq(fxc_tick_update(fx_test_client, sym, t, 2.2, NULL, &e), FXC_OK, "%s", e.message);
    Fx__V1__Response *r;
    expect_status(create, FX__V1__STATUS_CODE__OK, &r); /* not ALREADY_EXISTS: the first run's answer */
    cr_assert_eq(r->result_case, FX__V1__RESPONSE__RESULT_CREATE_TICK);
    cr_assert_float_eq(r->create_tick->tick->price, 1.1, 1e-12, "the answer of the create itself");
    fx__v1__response__free_unpacked(r, NULL);
    cr_assert_float_eq(stored_price(sym, t), 2.2, 1e-12, "the later update stands");
    cr_assert_eq(fx_test_count_ticks(sym), 1);
    cr_assert_eq(candle_ticks(sym), 1, "counted once in the candles");
    free(create.bytes);
}

Test(resends, a_resent_update_does_not_undo_a_later_one)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "RSU");
    int64_t t = fx_test_time(20);
    fxc_tick tick = { .time_us = t, .price = 1.1 };
    snprintf(tick.symbol, sizeof tick.symbol, "%s", sym);
    fxc_err e;
    cr_assert_eq(fxc_tick_create(fx_test_client, &tick, NULL, &e), FXC_OK, "%s", e.message);
    struct wire update = update_request(sym, t, 1.5, 2);
    expect_status(update, FX__V1__STATUS_CODE__OK, NULL);
    cr_assert_eq(fxc_tick_update(fx_test_client, sym, t, 2.0, NULL, &e), FXC_OK, "%s", e.message);
    expect_status(update, FX__V1__STATUS_CODE__OK, NULL);
    cr_assert_float_eq(stored_price(sym, t), 2.0, 1e-12, "the resend changed nothing");
    free(update.bytes);
}

Test(resends, a_resent_delete_spares_the_tick_written_again)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "RSD");
    int64_t t = fx_test_time(30);
    fxc_tick tick = { .time_us = t, .price = 1.1 };
    snprintf(tick.symbol, sizeof tick.symbol, "%s", sym);
    fxc_err e;
    cr_assert_eq(fxc_tick_create(fx_test_client, &tick, NULL, &e), FXC_OK, "%s", e.message);
    struct wire del = delete_request(sym, t, 3);
    expect_status(del, FX__V1__STATUS_CODE__OK, NULL);
    tick.price = 1.3;
    cr_assert_eq(fxc_tick_create(fx_test_client, &tick, NULL, &e), FXC_OK, "%s", e.message);
    Fx__V1__Response *r;
    expect_status(del, FX__V1__STATUS_CODE__OK, &r);
    cr_assert_eq(r->delete_tick->deleted, 1);
    fx__v1__response__free_unpacked(r, NULL);
    cr_assert_float_eq(stored_price(sym, t), 1.3, 1e-12, "the tick written after the delete stays");
    free(del.bytes);
}

Test(resends, a_resend_gets_the_first_answer_even_when_it_was_an_error)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "RSE");
    int64_t t = fx_test_time(40);
    fxc_tick tick = { .time_us = t, .price = 1.1 };
    snprintf(tick.symbol, sizeof tick.symbol, "%s", sym);
    fxc_err e;
    cr_assert_eq(fxc_tick_create(fx_test_client, &tick, NULL, &e), FXC_OK, "%s", e.message);
    struct wire create = create_request(sym, t, 1.9, CLIENT, 4);
    expect_status(create, FX__V1__STATUS_CODE__ALREADY_EXISTS, NULL);
    cr_assert_eq(fxc_tick_delete(fx_test_client, sym, t, &e), FXC_OK, "%s", e.message);
    expect_status(create, FX__V1__STATUS_CODE__ALREADY_EXISTS, NULL); /* as answered the first time */
    cr_assert_eq(fx_test_count_ticks(sym), 0, "the resend stored nothing");
    struct wire update = update_request(sym, t, 1.5, 5); /* NOT_FOUND, then the tick comes, then the resend */
    expect_status(update, FX__V1__STATUS_CODE__NOT_FOUND, NULL);
    cr_assert_eq(fxc_tick_create(fx_test_client, &tick, NULL, &e), FXC_OK, "%s", e.message);
    expect_status(update, FX__V1__STATUS_CODE__NOT_FOUND, NULL);
    cr_assert_float_eq(stored_price(sym, t), 1.1, 1e-12);
    free(create.bytes);
    free(update.bytes);
}

Test(resends, requests_without_a_client_run_every_time)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "RSN");
    int64_t t = fx_test_time(50);
    struct wire create = create_request(sym, t, 1.1, 0, 6); /* an older client: no key */
    expect_status(create, FX__V1__STATUS_CODE__OK, NULL);
    expect_status(create, FX__V1__STATUS_CODE__ALREADY_EXISTS, NULL);
    free(create.bytes);
}

Test(resends, a_resent_bulk_answers_what_its_first_run_stored)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "RSB");
    struct wire bulk = bulk_request(sym, fx_test_time(0), 1000000, 1000, 7);
    Fx__V1__Response *r;
    expect_status(bulk, FX__V1__STATUS_CODE__OK, &r);
    cr_assert_eq(r->bulk_create_ticks->created, 1000);
    fx__v1__response__free_unpacked(r, NULL);
    expect_status(bulk, FX__V1__STATUS_CODE__OK, &r);
    cr_assert_eq(r->bulk_create_ticks->created, 1000, "the first run's answer, not 1000 duplicates");
    cr_assert_eq(r->bulk_create_ticks->duplicates, 0);
    fx__v1__response__free_unpacked(r, NULL);
    cr_assert_eq(fx_test_count_ticks(sym), 1000);
    cr_assert_eq(candle_ticks(sym), 1000);
    free(bulk.bytes);
}

struct sender {
    const char *url;
    struct wire w;
    uint64_t created;
    int status;
};

static void *send_thread(void *arg)
{
    struct sender *s = arg;
    Fx__V1__Response *r = send_to(s->url, s->w);
    s->status = r->status;
    s->created = r->status == 0 && r->bulk_create_ticks ? r->bulk_create_ticks->created : 0;
    fx__v1__response__free_unpacked(r, NULL);
    return NULL;
}

Test(resends, one_request_given_to_two_cores_at_once_runs_once)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "RS2");
    char rpc[64], feed[64];
    snprintf(rpc, sizeof rpc, "inproc://resends-rpc-%d", (int)getpid());
    snprintf(feed, sizeof feed, "inproc://resends-feed-%d", (int)getpid());
    struct fx_server *other = fx_test_core_start(rpc, feed);
    enum { N = 50000 };
    struct wire bulk = bulk_request(sym, fx_test_time(0), 100000, N, 8);
    struct sender a = { fx_test_rpc_url(), bulk, 0, -1 }, b = { rpc, bulk, 0, -1 };
    pthread_t ta, tb;
    cr_assert_eq(pthread_create(&ta, NULL, send_thread, &a), 0);
    cr_assert_eq(pthread_create(&tb, NULL, send_thread, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    cr_assert_eq(a.status, 0);
    cr_assert_eq(b.status, 0);
    cr_assert_eq(a.created, N, "core 1 answers that %d were stored (%llu)", N, (unsigned long long)a.created);
    cr_assert_eq(b.created, N, "core 2 answers the same (%llu)", (unsigned long long)b.created);
    cr_assert_eq(fx_test_count_ticks(sym), N);
    cr_assert_eq(candle_ticks(sym), N, "the candles count every tick once");
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(DISTINCT seq) FROM ticks WHERE symbol = '%s' AND seq BETWEEN 1 AND %d", sym,
        N);
    cr_assert_eq(fx_test_sql_int(sql), N, "one run numbered them");
    fx_server_destroy(other);
    free(bulk.bytes);
}

Test(resends, a_resent_range_delete_over_many_days_spares_later_ticks)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "RSR");
    enum { DAYS = 150 }; /* more than one window of daily partitions */
    int64_t day = 86400LL * 1000000;
    int64_t t0 = fx_test_time(0) + 400 * day; /* days of their own */
    struct wire bulk = bulk_request(sym, t0, day, DAYS, 9);
    expect_status(bulk, FX__V1__STATUS_CODE__OK, NULL);
    struct wire del = range_delete_request(sym, t0, t0 + DAYS * day, 10);
    Fx__V1__Response *r;
    expect_status(del, FX__V1__STATUS_CODE__OK, &r);
    cr_assert_eq(r->delete_ticks->deleted, DAYS);
    fx__v1__response__free_unpacked(r, NULL);
    fxc_tick again = { .time_us = t0 + 3 * day, .price = 1.4 };
    snprintf(again.symbol, sizeof again.symbol, "%s", sym);
    fxc_err e;
    cr_assert_eq(fxc_tick_create(fx_test_client, &again, NULL, &e), FXC_OK, "%s", e.message);
    expect_status(del, FX__V1__STATUS_CODE__OK, &r);
    cr_assert_eq(r->delete_ticks->deleted, DAYS, "the first run's count");
    fx__v1__response__free_unpacked(r, NULL);
    cr_assert_eq(fx_test_count_ticks(sym), 1, "the tick written after the delete stays");
    free(bulk.bytes);
    free(del.bytes);
}

Test(resends, keys_older_than_an_hour_are_forgotten)
{
    PGconn *pg = fx_test_pg();
    PGresult *res = PQexec(pg, "INSERT INTO request_keys (client, id, rows, created_at) VALUES"
                               " (424242, 1, 1, now() - interval '2 hours'), (424242, 2, 1, now())");
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQerrorMessage(pg));
    PQclear(res);
    struct fx_db db;
    char err[256], url[512];
    snprintf(url, sizeof url, "%s", getenv("DATABASE_URL"));
    cr_assert_eq(fx_db_open(&db, url, err, sizeof err), 0, "%s", err);
    cr_assert_eq(fx_db_ensure(&db, err, sizeof err), 0, "%s", err);
    uint64_t pruned = 0;
    cr_assert_eq(fx_request_keys_prune(&db, FX_REQUEST_KEYS_KEEP_S, &pruned, err, sizeof err), 0, "%s", err);
    cr_assert_geq(pruned, 1);
    cr_assert_eq(fx_test_sql_int("SELECT count(*) FROM request_keys WHERE client = 424242"), 1, "the recent key stays");
    fx_db_close(&db);
    PQclear(PQexec(pg, "DELETE FROM request_keys WHERE client = 424242"));
}
