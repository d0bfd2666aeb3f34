/* The live tick feed through fxclient: every stored tick, once, after its commit. */
#include "tests/support/fixture.h"

#include "fx/v1/events.pb-c.h"
#include "server/server.h"

#include <criterion/criterion.h>
#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

TestSuite(feed, .init = fx_fixture_start, .fini = fx_fixture_stop, .timeout = 60);

static fxc_tick tick(const char *sym, int64_t t, double p)
{
    fxc_tick x = { .time_us = t, .price = p };
    snprintf(x.symbol, sizeof x.symbol, "%s", sym);
    return x;
}

Test(feed, stored_ticks_of_the_subscribed_symbol_arrive_once_and_duplicates_do_not)
{
    char sym[17], other[17];
    fx_test_symbol(sym, "FD");
    fx_test_symbol(other, "FDX");
    fxc_feed *f;
    fxc_err e;
    cr_assert_eq(fxc_feed_open(fx_test_feed_url(), &f, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_feed_subscribe_ticks(f, sym, &e), FXC_OK, "%s", e.message);
    usleep(300000); /* the SUB connection is made asynchronously */

    fxc_tick a = tick(sym, fx_test_time(0), 1.1), b = tick(other, fx_test_time(0), 2.2);
    cr_assert_eq(fxc_tick_create(fx_test_client, &a, NULL, &e), FXC_OK);
    cr_assert_eq(fxc_tick_create(fx_test_client, &b, NULL, &e), FXC_OK);
    fxc_tick bulk[3] = { tick(sym, fx_test_time(0), 9.9), tick(sym, fx_test_time(1), 1.2),
        tick(sym, fx_test_time(2), 1.3) };
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, bulk, 3, NULL, NULL, &e), FXC_OK, "%s", e.message);

    fxc_tick got;
    const int64_t expect_times[] = { fx_test_time(0), fx_test_time(1), fx_test_time(2) };
    const double expect_prices[] = { 1.1, 1.2, 1.3 };
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(fxc_feed_next_tick(f, 5000, &got, &e), FXC_OK, "tick %d: %s", i, e.message);
        cr_assert_str_eq(got.symbol, sym, "only the subscribed symbol (got %s, want %s)", got.symbol, sym);
        cr_assert_eq(got.time_us, expect_times[i]);
        cr_assert_eq(got.price, expect_prices[i], "the duplicate (9.9) is not published");
    }
    cr_assert_eq(fxc_feed_next_tick(f, 300, &got, &e), FXC_DEADLINE_EXCEEDED, "nothing more");
    fxc_feed_close(f);
}

/* A commit's ticks of one symbol travel as TickBatch messages of up to 1024;
 * fxclient hands them out one by one, in the order they were written. */
Test(feed, a_bulk_load_is_published_in_batches_per_symbol_and_read_tick_by_tick)
{
    char a[17], b[17];
    fx_test_symbol(a, "FBA");
    fx_test_symbol(b, "FBB");
    nng_socket sub;
    cr_assert_eq(nng_sub0_open(&sub), 0);
    cr_assert_eq(nng_socket_set(sub, NNG_OPT_SUB_SUBSCRIBE, "tick.", 5), 0);
    cr_assert_eq(nng_socket_set_int(sub, NNG_OPT_RECVBUF, 64), 0);
    cr_assert_eq(nng_dial(sub, fx_test_feed_url(), NULL, 0), 0);
    nng_socket_set_ms(sub, NNG_OPT_RECVTIMEO, 5000);
    fxc_feed *f;
    fxc_err e;
    cr_assert_eq(fxc_feed_open(fx_test_feed_url(), &f, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_feed_subscribe_ticks(f, a, &e), FXC_OK, "%s", e.message);
    usleep(300000);
    enum { N = 2500 };
    static fxc_tick t[N + 1];
    for (int i = 0; i < N; i++) t[i] = tick(a, fx_test_time(N - i), 1.0 + i * 1e-5); /* written newest first */
    t[N] = tick(b, fx_test_time(0), 2.0);
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, N + 1, NULL, NULL, &e), FXC_OK, "%s", e.message);
    size_t sizes[8], nmsg = 0, total_a = 0;
    while (total_a < N) {
        char *buf;
        size_t len;
        cr_assert_eq(nng_recv(sub, &buf, &len, NNG_FLAG_ALLOC), 0, "after %zu of %d ticks", total_a, N);
        size_t tlen = strnlen(buf, len);
        Fx__V1__LiveEvent *ev = fx__v1__live_event__unpack(NULL, len - tlen - 1, (uint8_t *)buf + tlen + 1);
        cr_assert_not_null(ev);
        if (strcmp(buf + 5, a) == 0) {
            cr_assert_eq(ev->event_case, FX__V1__LIVE_EVENT__EVENT_TICKS);
            cr_assert_lt(nmsg, 8);
            sizes[nmsg++] = ev->ticks->n_ticks;
            total_a += ev->ticks->n_ticks;
        } else {
            cr_assert_str_eq(buf + 5, b);
            cr_assert_eq(ev->event_case, FX__V1__LIVE_EVENT__EVENT_TICK, "one tick: a Tick, not a batch");
        }
        fx__v1__live_event__free_unpacked(ev, NULL);
        nng_free(buf, len);
    }
    cr_assert_eq(nmsg, 3);
    cr_assert(sizes[0] == 1024 && sizes[1] == 1024 && sizes[2] == 452, "%zu %zu %zu", sizes[0], sizes[1], sizes[2]);
    for (int i = 0; i < N; i++) {
        fxc_tick got;
        cr_assert_eq(fxc_feed_next_tick(f, 5000, &got, &e), FXC_OK, "tick %d: %s", i, e.message);
        cr_assert_eq(got.time_us, t[i].time_us, "tick %d in the order written", i);
        cr_assert_eq(got.price, t[i].price);
    }
    cr_assert_eq(fxc_feed_next_tick(f, 200, &(fxc_tick){ 0 }, &e), FXC_DEADLINE_EXCEEDED);
    fxc_feed_close(f);
    nng_close(sub);
}

Test(feed, a_stored_tick_updates_the_minute_hour_day_and_custom_day_candles_on_the_feed)
{
    char sym[17];
    fx_test_symbol(sym, "FC");
    nng_socket sub;
    cr_assert_eq(nng_sub0_open(&sub), 0);
    cr_assert_eq(nng_socket_set(sub, NNG_OPT_SUB_SUBSCRIBE, "candle.", 7), 0);
    cr_assert_eq(nng_dial(sub, fx_test_feed_url(), NULL, 0), 0);
    nng_socket_set_ms(sub, NNG_OPT_RECVTIMEO, 5000);
    usleep(300000);
    fxc_err e;
    fxc_tick a = tick(sym, fx_test_time(0), 1.1), b = tick(sym, fx_test_time(1), 1.3);
    cr_assert_eq(fxc_tick_create(fx_test_client, &a, NULL, &e), FXC_OK);
    cr_assert_eq(fxc_tick_create(fx_test_client, &b, NULL, &e), FXC_OK);
    const char *want[] = { "minute", "hour", "day", "custom-day", "minute", "hour", "day", "custom-day" };
    for (int i = 0; i < 8; i++) {
        char *buf;
        size_t len;
        cr_assert_eq(nng_recv(sub, &buf, &len, NNG_FLAG_ALLOC), 0, "candle event %d", i);
        size_t tlen = strnlen(buf, len), slen = strlen(sym);
        if (tlen <= slen || strcmp(buf + tlen - slen, sym) != 0 || buf[tlen - slen - 1] != '.') {
            /* another symbol's close: the leader closes every core's recent buckets */
            nng_free(buf, len);
            i--;
            continue;
        }
        char topic[64];
        snprintf(topic, sizeof topic, "candle.%s.%s", want[i], sym);
        cr_assert_str_eq(buf, topic);
        Fx__V1__LiveEvent *ev = fx__v1__live_event__unpack(NULL, len - tlen - 1, (uint8_t *)buf + tlen + 1);
        cr_assert_not_null(ev);
        cr_assert_eq(ev->event_case, FX__V1__LIVE_EVENT__EVENT_CANDLE);
        cr_assert_str_eq(ev->resolution, want[i]);
        cr_assert_eq(ev->candle->tick_count, i < 4 ? 1 : 2, "the candle as merged, not the delta");
        cr_assert_eq(ev->candle->open, 1.1);
        cr_assert_eq(ev->candle->close, i < 4 ? 1.1 : 1.3);
        cr_assert(ev->candle->complete, "a 2025 bucket is complete");
        fx__v1__live_event__free_unpacked(ev, NULL);
        nng_free(buf, len);
    }
    nng_close(sub);
}

Test(feed, candle_subscriptions_get_the_candles_of_one_resolution_and_symbol)
{
    char sym[17];
    fx_test_symbol(sym, "FCS");
    fxc_feed *f;
    fxc_err e;
    cr_assert_eq(fxc_feed_open(fx_test_feed_url(), &f, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_feed_subscribe_candles(f, "1h", sym, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_feed_subscribe_candles(f, "4h", sym, &e), FXC_INVALID_ARGUMENT);
    usleep(300000);
    fxc_tick t[2] = { tick(sym, fx_test_time(0), 1.5), tick(sym, fx_test_time(1), 1.4) };
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, 2, NULL, NULL, &e), FXC_OK, "%s", e.message);
    fxc_event ev;
    cr_assert_eq(fxc_feed_next(f, 5000, &ev, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(ev.kind, FXC_EVENT_CANDLE);
    cr_assert_str_eq(ev.resolution, "hour");
    cr_assert_str_eq(ev.candle.symbol, sym);
    cr_assert_eq(ev.candle.tick_count, 2);
    cr_assert_eq(ev.candle.open, 1.5);
    cr_assert_eq(ev.candle.close, 1.4);
    cr_assert_eq(ev.candle.bucket_us, fx_test_time(0), "2025-01-15T10:00Z is on the hour");
    cr_assert_eq(fxc_feed_next(f, 300, &ev, &e), FXC_DEADLINE_EXCEEDED, "no ticks, minutes or days");
    fxc_feed_close(f);
}

/* DAY_START_HOUR is 22 in the fixture: 21:30 and 22:30 UTC are in two custom
 * days, 22:30 and the next day's 01:00 in one. */
Test(feed, custom_day_candles_start_at_the_day_start_hour)
{
    char sym[17];
    fx_test_symbol(sym, "FCD");
    fxc_feed *f;
    fxc_err e;
    cr_assert_eq(fxc_feed_open(fx_test_feed_url(), &f, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_feed_subscribe_candles(f, "custom-day", sym, &e), FXC_OK, "%s", e.message);
    usleep(300000);
    const int64_t h = 3600; /* fx_test_time(0) is 2025-01-15T10:00Z */
    const int64_t day_start = fx_test_time(12 * h); /* 2025-01-15T22:00Z */
    fxc_tick t[3] = { tick(sym, fx_test_time(11 * h + 1800), 1.1), tick(sym, fx_test_time(12 * h + 1800), 1.2),
        tick(sym, fx_test_time(15 * h), 1.3) };
    for (int i = 0; i < 3; i++) cr_assert_eq(fxc_tick_create(fx_test_client, &t[i], NULL, &e), FXC_OK);
    const int64_t want_bucket[] = { day_start - 24 * h * 1000000, day_start, day_start };
    const uint64_t want_count[] = { 1, 1, 2 };
    const double want_close[] = { 1.1, 1.2, 1.3 };
    for (int i = 0; i < 3; i++) {
        fxc_event ev;
        cr_assert_eq(fxc_feed_next(f, 5000, &ev, &e), FXC_OK, "event %d: %s", i, e.message);
        cr_assert_str_eq(ev.resolution, "custom-day");
        cr_assert_eq(ev.candle.bucket_us, want_bucket[i], "event %d", i);
        cr_assert_eq(ev.candle.tick_count, want_count[i], "event %d", i);
        cr_assert_eq(ev.candle.close, want_close[i], "event %d", i);
        cr_assert_eq(ev.candle.open, i < 2 ? want_close[i] : 1.2, "event %d", i);
    }
    fxc_feed_close(f);
}

static int64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

Test(feed, a_candle_is_closed_within_a_second_of_its_end_without_a_new_tick, .timeout = 120)
{
    char sym[17];
    fx_test_symbol(sym, "FEND");
    fxc_feed *f;
    fxc_err e;
    cr_assert_eq(fxc_feed_open(fx_test_feed_url(), &f, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_feed_subscribe_candles(f, "1m", sym, &e), FXC_OK, "%s", e.message);
    usleep(300000);
    int64_t now = wall_us();
    fxc_tick t = tick(sym, now, 1.2345);
    cr_assert_eq(fxc_tick_create(fx_test_client, &t, NULL, &e), FXC_OK, "%s", e.message);
    fxc_event ev;
    cr_assert_eq(fxc_feed_next(f, 5000, &ev, &e), FXC_OK, "%s", e.message);
    int64_t bucket = now - now % 60000000;
    cr_assert_eq(ev.candle.bucket_us, bucket);
    cr_assert_not(ev.candle.complete, "the current minute is open");
    /* no more ticks: the timer must close the minute on its own */
    cr_assert_eq(fxc_feed_next(f, 70000, &ev, &e), FXC_OK, "%s", e.message);
    int64_t late_us = wall_us() - (bucket + 60000000);
    cr_assert_eq(ev.candle.bucket_us, bucket);
    cr_assert(ev.candle.complete);
    cr_assert_eq(ev.candle.tick_count, 1);
    cr_assert_eq(ev.candle.close, 1.2345);
    cr_assert(late_us >= 0 && late_us < 1000000, "closed %lld us after the end of the minute", (long long)late_us);
    fxc_feed_close(f);
}

/* The minute candle of `sym` at fx_test_time(0) as a query answers it (0: none). */
static uint64_t queried_version(const char *sym, size_t *n)
{
    fxc_candle_query q = { .symbol = sym, .resolution = "1m", .start_us = fx_test_time(0),
        .end_us = fx_test_time(60), .limit = 10 };
    fxc_candle *c;
    fxc_err e;
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, n, &e), FXC_OK, "%s", e.message);
    uint64_t v = *n ? c[0].version : 0;
    fxc_candles_free(c);
    return v;
}

static uint64_t next_version(fxc_feed *f, uint64_t count)
{
    fxc_event ev;
    fxc_err e;
    cr_assert_eq(fxc_feed_next(f, 5000, &ev, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(ev.candle.tick_count, count);
    cr_assert_gt(ev.candle.version, 0);
    return ev.candle.version;
}

Test(feed, a_buckets_version_grows_with_each_write_also_across_a_recompute_and_a_delete)
{
    char sym[17];
    fx_test_symbol(sym, "FV");
    fxc_feed *f;
    fxc_err e;
    cr_assert_eq(fxc_feed_open(fx_test_feed_url(), &f, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_feed_subscribe_candles(f, "1m", sym, &e), FXC_OK, "%s", e.message);
    usleep(300000);
    fxc_tick a = tick(sym, fx_test_time(0), 1.1), b = tick(sym, fx_test_time(1), 1.2);
    cr_assert_eq(fxc_tick_create(fx_test_client, &a, NULL, &e), FXC_OK, "%s", e.message);
    uint64_t v1 = next_version(f, 1);
    cr_assert_eq(fxc_tick_create(fx_test_client, &b, NULL, &e), FXC_OK, "%s", e.message);
    uint64_t v2 = next_version(f, 2);
    cr_assert_gt(v2, v1, "a merge gives the row a new version");
    size_t n;
    cr_assert_eq(queried_version(sym, &n), v2, "queries read the version too");

    cr_assert_eq(fxc_tick_update(fx_test_client, sym, a.time_us, 1.15, NULL, &e), FXC_OK, "%s", e.message);
    uint64_t v3 = queried_version(sym, &n);
    cr_assert_gt(v3, v2, "a recompute gives the rows it writes new versions");
    cr_assert_eq(fxc_ticks_delete(fx_test_client, sym, fx_test_time(0), fx_test_time(60), NULL, &e), FXC_OK);
    queried_version(sym, &n);
    cr_assert_eq(n, 0, "the minute is gone");
    cr_assert_eq(fxc_tick_create(fx_test_client, &a, NULL, &e), FXC_OK, "%s", e.message);
    uint64_t v4 = next_version(f, 1);
    cr_assert_gt(v4, v3, "a row inserted again has a version above the deleted one's");

    /* a day from 22:00 (the custom day; summed from hourly rows) has the
     * highest version of its rows */
    const int64_t h = 3600;
    fxc_candle_query q = { .symbol = sym, .resolution = "1d", .start_us = fx_test_time(-12 * h),
        .end_us = fx_test_time(12 * h), .day_start_minute = 22 * 60, .limit = 10 };
    fxc_candle *c;
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, 1);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT max(version) FROM candles_1h WHERE symbol = '%s'", sym);
    cr_assert_eq(c[0].version, (uint64_t)fx_test_sql_int(sql));
    cr_assert_gt(c[0].version, v4, "the hour was written after the minute");
    fxc_candles_free(c);
    fxc_feed_close(f);
}

/* ---- several cores on one database ---------------------------------------- */

/* No fixture: the test runs its own two cores. */
TestSuite(cores, .timeout = 300);

/* Every candle event of `bucket` until `until_us`: the completes (how many,
 * and the first one's delay after the bucket's end). */
static int count_completes(fxc_feed *f, int64_t bucket, int64_t until_us, int64_t *late_us)
{
    int completes = 0;
    for (int64_t now; (now = wall_us()) < until_us;) {
        fxc_event ev;
        fxc_err e;
        int rc = fxc_feed_next(f, (int)((until_us - now) / 1000) + 1, &ev, &e);
        if (rc == FXC_DEADLINE_EXCEEDED) continue;
        cr_assert_eq(rc, FXC_OK, "%s", e.message);
        if (ev.kind != FXC_EVENT_CANDLE || ev.candle.bucket_us != bucket || !ev.candle.complete) continue;
        if (completes++ == 0) *late_us = wall_us() - (bucket + 60000000);
    }
    return completes;
}

/* The start of a minute that has at least 5 s to go (waiting for the next
 * one when this one is nearly over). */
static int64_t writable_minute(void)
{
    int64_t now = wall_us();
    if (60000000 - now % 60000000 < 5000000) {
        usleep((useconds_t)(60000000 - now % 60000000) + 100000);
        now = wall_us();
    }
    return now - now % 60000000;
}

static void wait_leader(struct fx_server *s)
{
    for (int i = 0; i < 300 && !fx_server_is_leader(s); i++) usleep(10000);
    cr_assert(fx_server_is_leader(s), "the core leads within 3 s");
}

Test(cores, one_leader_closes_a_minute_written_through_two_cores_once_and_another_takes_over)
{
    char rpc[2][64], feed[2][64], feeds[130];
    for (int i = 0; i < 2; i++) {
        snprintf(rpc[i], sizeof rpc[i], "ipc:///tmp/fx-rpc-%c-%d", 'a' + i, (int)getpid());
        snprintf(feed[i], sizeof feed[i], "ipc:///tmp/fx-feed-%c-%d", 'a' + i, (int)getpid());
    }
    snprintf(feeds, sizeof feeds, "%s,%s", feed[0], feed[1]);
    struct fx_server *core[2];
    core[0] = fx_test_core_start(rpc[0], feed[0]);
    wait_leader(core[0]); /* the first core leads: the one stopped below */
    core[1] = fx_test_core_start(rpc[1], feed[1]);
    fxc *client[2];
    fxc_err e;
    for (int i = 0; i < 2; i++) cr_assert_eq(fxc_open(rpc[i], &client[i], &e), FXC_OK, "%s", e.message);
    char sym[17];
    fx_test_symbol(sym, "FLD");
    fxc_feed *f;
    cr_assert_eq(fxc_feed_open(feeds, &f, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_feed_subscribe_candles(f, "1m", sym, &e), FXC_OK, "%s", e.message);
    usleep(300000);
    cr_assert_not(fx_server_is_leader(core[1]), "one leader");

    int64_t bucket = writable_minute();
    for (int i = 0; i < 2; i++) {
        fxc_tick t = tick(sym, wall_us(), 1.1 + i * 0.1);
        cr_assert_eq(fxc_tick_create(client[i], &t, NULL, &e), FXC_OK, "core %d: %s", i, e.message);
    }
    int64_t late = -1;
    int n = count_completes(f, bucket, bucket + 60000000 + 2000000, &late);
    cr_assert_eq(n, 1, "the minute written through both cores is closed once (%d completes)", n);
    cr_assert(late >= 0 && late < 2000000, "closed %lld us after its end", (long long)late);

    fxc_close(client[0]);
    fx_server_destroy(core[0]);
    wait_leader(core[1]);
    bucket = writable_minute();
    fxc_tick t = tick(sym, wall_us(), 1.3);
    cr_assert_eq(fxc_tick_create(client[1], &t, NULL, &e), FXC_OK, "%s", e.message);
    late = -1;
    n = count_completes(f, bucket, bucket + 60000000 + 2000000, &late);
    cr_assert_eq(n, 1, "the next minute is closed by the new leader, once (%d completes)", n);
    cr_assert(late >= 0 && late < 2000000, "closed %lld us after its end", (long long)late);

    fxc_feed_close(f);
    fxc_close(client[1]);
    fx_server_destroy(core[1]);
}
