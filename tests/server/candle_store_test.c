/*
 * Candles against a brute-force reference computed by SQL from the raw
 * ticks, over random tick sets written late, out of order, with duplicates,
 * updates and deletes, across the 2025 New York DST changes; plus the
 * contract's fixed examples.
 */
#include "tests/support/fixture.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

TestSuite(candles, .init = fx_fixture_start, .fini = fx_fixture_stop, .timeout = 300);

static int64_t at(const char *rfc3339)
{
    int64_t us;
    cr_assert_eq(fxc_time_parse(rfc3339, &us), 0, "%s", rfc3339);
    return us;
}

static fxc_tick tick(const char *sym, int64_t t, double p)
{
    fxc_tick x = { .time_us = t, .price = p };
    snprintf(x.symbol, sizeof x.symbol, "%s", sym);
    return x;
}

struct config {
    const char *resolution, *tz;
    int day_start_minute;
    const char *reference; /* SQL bucket expression over `time` */
};

static const struct config configs[] = {
    { "1m", "UTC", 0, "to_timestamp(floor(extract(epoch FROM time) / 60) * 60)" },
    { "5m", "UTC", 0, "to_timestamp(floor(extract(epoch FROM time) / 300) * 300)" },
    { "15m", "America/New_York", 0, "to_timestamp(floor(extract(epoch FROM time) / 900) * 900)" },
    { "30m", "Asia/Kolkata", 0, "to_timestamp(floor(extract(epoch FROM time) / 1800) * 1800)" },
    { "1h", "UTC", 0, "to_timestamp(floor(extract(epoch FROM time) / 3600) * 3600)" },
    { "1h", "America/New_York", 0, "to_timestamp(floor(extract(epoch FROM time) / 3600) * 3600)" },
    { "1h", "Asia/Kolkata", 0, "to_timestamp(floor((extract(epoch FROM time) - 1800) / 3600) * 3600 + 1800)" },
    { "4h", "UTC", 0, "to_timestamp(floor(extract(epoch FROM time) / 14400) * 14400)" },
    { "4h", "UTC", 22 * 60, "to_timestamp(floor((extract(epoch FROM time) - 7200) / 14400) * 14400 + 7200)" },
    { "1d", "UTC", 0, "to_timestamp(floor(extract(epoch FROM time) / 86400) * 86400)" },
    { "1d", "UTC", 22 * 60, "to_timestamp(floor((extract(epoch FROM time) - 79200) / 86400) * 86400 + 79200)" },
    { "1d", "UTC", 17 * 60 + 30, "to_timestamp(floor((extract(epoch FROM time) - 63000) / 86400) * 86400 + 63000)" },
    { "1d", "America/New_York", 17 * 60,
        "(date_trunc('day', (time AT TIME ZONE 'America/New_York') - interval '17 hours') + interval '17 hours')"
        " AT TIME ZONE 'America/New_York'" },
    { "1d", "Asia/Kolkata", 0, "date_trunc('day', time AT TIME ZONE 'Asia/Kolkata') AT TIME ZONE 'Asia/Kolkata'" },
    { "1w", "America/New_York", 17 * 60,
        "(date_trunc('day', (time AT TIME ZONE 'America/New_York') - interval '17 hours')"
        " - extract(dow FROM (time AT TIME ZONE 'America/New_York') - interval '17 hours') * interval '1 day'"
        " + interval '17 hours') AT TIME ZONE 'America/New_York'" },
};

/* Compares the core's candles with the reference over [start, end). */
static void assert_matches_reference(const char *sym, const struct config *cf, int64_t start, int64_t end)
{
    fxc_candle_query q = { .symbol = sym, .resolution = cf->resolution, .start_us = start, .end_us = end,
        .time_zone = cf->tz, .day_start_minute = cf->day_start_minute, .limit = FXC_CANDLES_MAX };
    fxc_candle *got;
    size_t n;
    fxc_err e;
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &got, &n, &e), FXC_OK, "%s %s: %s", cf->resolution, cf->tz,
        e.message);
    char sql[2048];
    snprintf(sql, sizeof sql,
        "SELECT (extract(epoch FROM b) * 1000000)::int8, (array_agg(price ORDER BY time))[1]::text,"
        " max(price)::text, min(price)::text, (array_agg(price ORDER BY time DESC))[1]::text, count(*)"
        " FROM (SELECT %s AS b, time, price FROM ticks WHERE symbol = '%s') s"
        " WHERE b >= timestamptz 'epoch' + %" PRId64 " * interval '1 microsecond'"
        "   AND b < timestamptz 'epoch' + %" PRId64 " * interval '1 microsecond'"
        " GROUP BY b ORDER BY b",
        cf->reference, sym, start, end);
    PGresult *res = PQexec(fx_test_pg(), sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    size_t expect = (size_t)PQntuples(res);
    cr_assert_eq(n, expect, "%s %s day_start %d: %zu candles, reference %zu", cf->resolution, cf->tz,
        cf->day_start_minute, n, expect);
    for (size_t i = 0; i < n; i++) {
        int r = (int)i;
        char when[FXC_TIME_STR_MAX];
        fxc_time_format(got[i].bucket_us, when);
        const char *what = cf->resolution;
        cr_assert_eq(got[i].bucket_us, strtoll(PQgetvalue(res, r, 0), NULL, 10), "%s %s: bucket %s", what, cf->tz, when);
        cr_assert_eq(got[i].open, strtod(PQgetvalue(res, r, 1), NULL), "%s %s %s: open", what, cf->tz, when);
        cr_assert_eq(got[i].high, strtod(PQgetvalue(res, r, 2), NULL), "%s %s %s: high", what, cf->tz, when);
        cr_assert_eq(got[i].low, strtod(PQgetvalue(res, r, 3), NULL), "%s %s %s: low", what, cf->tz, when);
        cr_assert_eq(got[i].close, strtod(PQgetvalue(res, r, 4), NULL), "%s %s %s: close", what, cf->tz, when);
        cr_assert_eq(got[i].tick_count, strtoull(PQgetvalue(res, r, 5), NULL, 10), "%s %s %s: count", what, cf->tz,
            when);
        cr_assert_str_eq(got[i].symbol, sym);
        cr_assert(got[i].complete, "a 2025 bucket is complete");
    }
    PQclear(res);
    fxc_candles_free(got);
}

/* Random ticks within [t0, t0 + span), written in shuffled batches with
 * duplicates, some one by one; then some prices changed and ticks deleted. */
static void write_random_ticks(const char *sym, int64_t t0, int64_t span_us, size_t n, unsigned seed)
{
    srand(seed);
    fxc_tick *t = calloc(n, sizeof *t);
    for (size_t i = 0; i < n; i++) {
        int64_t off = (int64_t)((double)rand() / ((double)RAND_MAX + 1) * (double)span_us);
        t[i] = tick(sym, t0 + off, 1.0 + (double)(rand() % 100000) / 100000.0);
    }
    fxc_err e;
    size_t i = 0;
    while (i < n) {
        size_t batch = 1 + (size_t)(rand() % 400);
        if (i + batch > n) batch = n - i;
        if (rand() % 10 == 0) {
            for (size_t k = 0; k < batch; k++) {
                int rc = fxc_tick_create(fx_test_client, &t[i + k], NULL, &e);
                cr_assert(rc == FXC_OK || rc == FXC_ALREADY_EXISTS, "%s", e.message);
            }
        } else {
            cr_assert_eq(fxc_ticks_bulk(fx_test_client, &t[i], batch, NULL, NULL, &e), FXC_OK, "%s", e.message);
            /* resend part of it: duplicates must not count twice */
            cr_assert_eq(fxc_ticks_bulk(fx_test_client, &t[i], batch / 2 + 1, NULL, NULL, &e), FXC_OK, "%s", e.message);
        }
        i += batch;
    }
    for (size_t k = 0; k < n / 20; k++) {
        size_t j = (size_t)rand() % n;
        int rc = fxc_tick_update(fx_test_client, sym, t[j].time_us, 0.5 + (double)(rand() % 1000) / 100.0, NULL, &e);
        cr_assert(rc == FXC_OK || rc == FXC_NOT_FOUND, "%s", e.message);
    }
    for (size_t k = 0; k < n / 20; k++) {
        size_t j = (size_t)rand() % n;
        int rc = fxc_tick_delete(fx_test_client, sym, t[j].time_us, &e);
        cr_assert(rc == FXC_OK || rc == FXC_NOT_FOUND, "%s", e.message);
    }
    int64_t cut = t0 + span_us / 3;
    cr_assert_eq(fxc_ticks_delete(fx_test_client, sym, cut, cut + 3600LL * 1000000, NULL, &e), FXC_OK);
    free(t);
}

/* The close of the last tick of `sym` before `t` (there is one). */
static double price_before(const char *sym, int64_t t)
{
    char sql[512];
    snprintf(sql, sizeof sql,
        "SELECT price::text FROM ticks WHERE symbol = '%s'"
        " AND time < timestamptz 'epoch' + %" PRId64 " * interval '1 microsecond' ORDER BY time DESC LIMIT 1",
        sym, t);
    PGresult *res = PQexec(fx_test_pg(), sql);
    cr_assert_eq(PQntuples(res), 1, "a tick before the first filled bucket: %s", PQresultErrorMessage(res));
    double p = strtod(PQgetvalue(res, 0, 0), NULL);
    PQclear(res);
    return p;
}

/* fill=prev against the reference: every bucket start of [start, end) from
 * the bucket of the symbol's first tick on (the reference bins a series of
 * instants a minute apart), the real candles exactly as without fill, and
 * each empty bucket flat at the close before it. */
static void assert_fill_matches_reference(
    const char *sym, const struct config *cf, int64_t start, int64_t end)
{
    fxc_candle_query q = { .symbol = sym,
        .resolution = cf->resolution,
        .start_us = start,
        .end_us = end,
        .time_zone = cf->tz,
        .day_start_minute = cf->day_start_minute,
        .limit = FXC_CANDLES_MAX };
    fxc_candle *real, *got;
    size_t nreal, n;
    fxc_err e;
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &real, &nreal, &e), FXC_OK, "%s", e.message);
    q.fill = FXC_FILL_PREV;
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &got, &n, &e), FXC_OK, "%s %s: %s", cf->resolution,
        cf->tz, e.message);
    char sql[3072];
    snprintf(sql, sizeof sql,
        "SELECT DISTINCT (extract(epoch FROM b) * 1000000)::int8 FROM ("
        "  SELECT %s AS b FROM generate_series(timestamptz 'epoch' + %" PRId64 " * interval '1 microsecond'"
        "   - interval '8 days', timestamptz 'epoch' + %" PRId64
        " * interval '1 microsecond', interval '1 minute')"
        "   AS g(time)) s"
        " WHERE b >= timestamptz 'epoch' + %" PRId64 " * interval '1 microsecond'"
        "   AND b < timestamptz 'epoch' + %" PRId64 " * interval '1 microsecond'"
        "   AND b >= (SELECT %s FROM (SELECT min(time) AS time FROM ticks WHERE symbol = '%s') m)"
        " ORDER BY 1",
        cf->reference, start, end, start, end, cf->reference, sym);
    PGresult *res = PQexec(fx_test_pg(), sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    cr_assert_eq(n, (size_t)PQntuples(res), "%s %s day_start %d: %zu filled buckets, reference %d",
        cf->resolution, cf->tz, cf->day_start_minute, n, PQntuples(res));
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char when[FXC_TIME_STR_MAX];
        fxc_time_format(got[i].bucket_us, when);
        cr_assert_eq(got[i].bucket_us, strtoll(PQgetvalue(res, (int)i, 0), NULL, 10), "%s %s: bucket %s",
            cf->resolution, cf->tz, when);
        if (j < nreal && real[j].bucket_us == got[i].bucket_us) {
            cr_assert(got[i].tick_count > 0 && got[i].open == real[j].open && got[i].close == real[j].close
                    && got[i].high == real[j].high && got[i].low == real[j].low
                    && got[i].tick_count == real[j].tick_count,
                "%s %s %s: a real candle changed by fill", cf->resolution, cf->tz, when);
            j++;
            continue;
        }
        double prev = i ? got[i - 1].close : price_before(sym, got[i].bucket_us);
        cr_assert(got[i].tick_count == 0 && got[i].open == prev && got[i].high == prev && got[i].low == prev
                && got[i].close == prev,
            "%s %s %s: an empty bucket is not flat at the previous close %.6f", cf->resolution, cf->tz, when,
            prev);
        cr_assert(got[i].complete, "a 2025 bucket is complete");
    }
    cr_assert_eq(j, nreal, "%s %s: every real candle is among the filled ones", cf->resolution, cf->tz);
    PQclear(res);
    fxc_candles_free(real);
    fxc_candles_free(got);
}

static void check_all_configs(const char *sym, int64_t start, int64_t end)
{
    for (size_t i = 0; i < sizeof configs / sizeof configs[0]; i++) {
        assert_matches_reference(sym, &configs[i], start, end);
        assert_fill_matches_reference(sym, &configs[i], start, end);
    }
}

Test(candles, random_ticks_across_the_spring_dst_change_match_the_reference)
{
    char sym[17];
    fx_test_symbol(sym, "CSPR");
    int64_t t0 = at("2025-03-06T00:00:00Z"), span = 6LL * 86400 * 1000000;
    write_random_ticks(sym, t0, span, 4000, 11);
    check_all_configs(sym, t0 - 86400LL * 1000000 * 7, t0 + span + 86400LL * 1000000 * 7);
    /* a range not aligned to buckets */
    check_all_configs(sym, t0 + 3600LL * 1000000 * 30 + 123456789, t0 + span - 3600LL * 1000000 * 7 - 987654);
}

Test(candles, random_ticks_across_the_autumn_dst_change_match_the_reference)
{
    char sym[17];
    fx_test_symbol(sym, "CAUT");
    int64_t t0 = at("2025-10-30T00:00:00Z"), span = 6LL * 86400 * 1000000;
    write_random_ticks(sym, t0, span, 4000, 12);
    check_all_configs(sym, t0 - 86400LL * 1000000 * 7, t0 + span + 86400LL * 1000000 * 7);
}

Test(candles, a_new_york_1700_day_is_23_or_25_hours_on_change_days)
{
    char sym[17];
    fx_test_symbol(sym, "CNY");
    /* one tick per hour from 2025-03-06 to 2025-03-12 and around 2025-11-02 */
    fxc_err e;
    const char *starts[] = { "2025-03-06T00:00:00Z", "2025-10-29T00:00:00Z" };
    for (int s = 0; s < 2; s++) {
        fxc_tick t[24 * 7];
        for (int h = 0; h < 24 * 7; h++) t[h] = tick(sym, at(starts[s]) + (int64_t)h * 3600 * 1000000, 1.0 + h / 1000.0);
        cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, 24 * 7, NULL, NULL, &e), FXC_OK, "%s", e.message);
    }
    fxc_candle_query q = { .symbol = sym, .resolution = "1d", .time_zone = "America/New_York",
        .day_start_minute = 17 * 60, .limit = 100 };
    q.start_us = at("2025-03-07T22:00:00Z"); /* Fri 17:00 EST */
    q.end_us = at("2025-03-10T21:00:01Z");
    fxc_candle *c;
    size_t n;
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, 4);
    cr_assert_eq(c[0].bucket_us, at("2025-03-07T22:00:00Z"));
    cr_assert_eq(c[1].bucket_us, at("2025-03-08T22:00:00Z"));
    cr_assert_eq(c[2].bucket_us, at("2025-03-09T21:00:00Z"), "17:00 EDT after the spring change");
    cr_assert_eq(c[1].tick_count, 23, "the day holding the change lasts 23 hours");
    cr_assert_eq(c[2].tick_count, 24);
    fxc_candles_free(c);
    q.start_us = at("2025-10-31T21:00:00Z");
    q.end_us = at("2025-11-03T22:00:01Z");
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, 4);
    cr_assert_eq(c[1].bucket_us, at("2025-11-01T21:00:00Z"));
    cr_assert_eq(c[2].bucket_us, at("2025-11-02T22:00:00Z"), "17:00 EST after the autumn change");
    cr_assert_eq(c[1].tick_count, 25, "the day holding the change lasts 25 hours");
    fxc_candles_free(c);
}

Test(candles, minute_candles_for_1700_to_1800_are_exactly_60)
{
    char sym[17];
    fx_test_symbol(sym, "C60");
    fxc_tick t[3 * 3600 / 7 + 1];
    size_t n = 0;
    for (int64_t s = 0; s < 3 * 3600; s += 7) t[n++] = tick(sym, at("2025-12-05T16:00:00Z") + s * 1000000, 1.1);
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, n, NULL, NULL, &e), FXC_OK, "%s", e.message);
    fxc_candle_query q = { .symbol = sym, .resolution = "1m", .start_us = at("2025-12-05T17:00:00Z"),
        .end_us = at("2025-12-05T18:00:00Z"), .limit = 1000 };
    fxc_candle *c;
    size_t m;
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, &m, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(m, 60);
    cr_assert_eq(c[0].bucket_us, at("2025-12-05T17:00:00Z"));
    cr_assert_eq(c[59].bucket_us, at("2025-12-05T17:59:00Z"));
    fxc_candles_free(c);
    q.start_us = at("2025-12-05T17:00:30Z"); /* not aligned: 17:00 starts before it */
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, &m, &e), FXC_OK);
    cr_assert_eq(m, 59);
    fxc_candles_free(c);
    q.start_us = q.end_us = at("2025-12-05T17:00:00Z");
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, &m, &e), FXC_OK);
    cr_assert_eq(m, 0, "an empty range has no candles");
    fxc_candles_free(c);
}

Test(candles, a_tick_shows_at_once_and_the_current_bucket_is_incomplete)
{
    char sym[17];
    fx_test_symbol(sym, "CNOW");
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    fxc_err e;
    fxc_tick t = tick(sym, now, 1.2345);
    cr_assert_eq(fxc_tick_create(fx_test_client, &t, NULL, &e), FXC_OK, "%s", e.message);
    const char *res[] = { "1m", "1h", "1d" };
    for (int i = 0; i < 3; i++) {
        fxc_candle_query q = { .symbol = sym, .resolution = res[i], .start_us = now - 2LL * 86400 * 1000000,
            .end_us = now + 1000000, .limit = 10 };
        fxc_candle *c;
        size_t n;
        cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, &n, &e), FXC_OK, "%s", e.message);
        cr_assert_eq(n, 1, "%s", res[i]);
        cr_assert_eq(c[0].close, 1.2345);
        cr_assert_not(c[0].complete, "%s: the current bucket is not complete", res[i]);
        fxc_candles_free(c);
    }
}

Test(candles, bad_queries_are_invalid_arguments)
{
    char sym[17];
    fx_test_symbol(sym, "CBAD");
    fxc_candle_query q = { .symbol = sym, .resolution = "1m", .start_us = at("2025-12-05T17:00:00Z"),
        .end_us = at("2025-12-05T18:00:00Z"), .limit = 100 };
    fxc_candle *c;
    size_t n;
    fxc_err e;
    fxc_candle_query b = q;
    b.resolution = "3m";
    cr_assert_eq(fxc_candles_get(fx_test_client, &b, &c, &n, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "resolution");
    b = q;
    b.time_zone = "Mars/Olympus_Mons";
    cr_assert_eq(fxc_candles_get(fx_test_client, &b, &c, &n, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "tz");
    b = q;
    b.day_start_minute = 1440;
    cr_assert_eq(fxc_candles_get(fx_test_client, &b, &c, &n, &e), FXC_INVALID_ARGUMENT);
    b = q;
    b.fill = 7;
    cr_assert_eq(fxc_candles_get(fx_test_client, &b, &c, &n, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "fill");
    b = q;
    b.start_us = q.end_us + 1;
    cr_assert_eq(fxc_candles_get(fx_test_client, &b, &c, &n, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "");
    b = q;
    b.end_us = q.start_us + (int64_t)(FXC_CANDLES_MAX + 1) * 60 * 1000000;
    cr_assert_eq(fxc_candles_get(fx_test_client, &b, &c, &n, &e), FXC_INVALID_ARGUMENT);
    cr_assert(strstr(e.message, "100000") != NULL, "%s", e.message);
    b = q;
    b.limit = 0;
    cr_assert_eq(fxc_candles_get(fx_test_client, &b, &c, &n, &e), FXC_INVALID_ARGUMENT);
    cr_assert_str_eq(e.field, "limit");
}

Test(candles, fill_prev_carries_fridays_close_over_the_weekend)
{
    char sym[17];
    fx_test_symbol(sym, "CWKND");
    fxc_tick t[2]
        = { tick(sym, at("2025-12-05T21:59:30Z"), 1.3), tick(sym, at("2025-12-07T22:00:10Z"), 1.31) };
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, 2, NULL, NULL, &e), FXC_OK, "%s", e.message);
    fxc_candle_query q = { .symbol = sym,
        .resolution = "1h",
        .start_us = at("2025-12-05T21:00:00Z"),
        .end_us = at("2025-12-08T00:00:00Z"),
        .limit = 1000,
        .fill = FXC_FILL_PREV };
    fxc_candle *c;
    size_t n;
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, 51, "every hour from Friday 21:00 to Sunday 23:00");
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(c[i].bucket_us, q.start_us + (int64_t)i * 3600 * 1000000);
        int real = i == 0 || i == 49;
        cr_assert_eq(c[i].tick_count, (uint64_t)real, "hour %zu", i);
        if (!real) cr_assert(c[i].open == c[i].close && c[i].high == c[i].close && c[i].low == c[i].close);
        cr_assert_eq(c[i].close, i < 49 ? 1.3 : 1.31, "hour %zu", i);
    }
    fxc_candles_free(c);

    /* a range inside the gap: its first close comes from before it */
    q.start_us = at("2025-12-06T00:00:00Z");
    q.end_us = at("2025-12-06T03:00:00Z");
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, 3);
    cr_assert(c[0].open == 1.3 && c[2].close == 1.3 && c[0].tick_count == 0);
    fxc_candles_free(c);
    q.fill = FXC_FILL_NONE;
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, 0, "without fill an empty range has no candles");
    fxc_candles_free(c);

    /* the limit counts filled buckets; New York days from 17:00 over the weekend */
    q = (fxc_candle_query) { .symbol = sym,
        .resolution = "1d",
        .time_zone = "America/New_York",
        .day_start_minute = 17 * 60,
        .start_us = at("2025-12-04T22:00:00Z"),
        .end_us = at("2025-12-09T22:00:00Z"),
        .limit = 3,
        .fill = FXC_FILL_PREV };
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, 3, "the limit counts filled buckets");
    cr_assert(c[0].bucket_us == at("2025-12-04T22:00:00Z") && c[0].tick_count == 1,
        "Friday 16:59:30 EST is in Thursday's 17:00 day");
    cr_assert(c[1].bucket_us == at("2025-12-05T22:00:00Z") && c[1].tick_count == 0 && c[1].close == 1.3);
    cr_assert(c[2].bucket_us == at("2025-12-06T22:00:00Z") && c[2].tick_count == 0 && c[2].close == 1.3);
    q.limit = 100;
    fxc_candles_free(c);
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, 5);
    cr_assert(c[3].bucket_us == at("2025-12-07T22:00:00Z") && c[3].tick_count == 1 && c[3].close == 1.31);
    cr_assert(c[4].tick_count == 0 && c[4].open == 1.31);
    fxc_candles_free(c);
}
