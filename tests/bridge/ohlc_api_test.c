/* The candle endpoints over real HTTP, and their errors. */
#include "tests/support/fixture.h"
#include "tests/support/bridge_fixture.h"
#include "tests/support/http_client.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

TestSuite(rest_ohlc, .init = fx_bridge_fixture_start, .fini = fx_bridge_fixture_stop, .timeout = 120);

static char sym[17];

/* Ticks every 10 minutes on 2025-12-04..06 (UTC), price rising by 0.0001. */
static void seed(void)
{
    fx_test_symbol(sym, "HO");
    fxc_tick t[3 * 144];
    int64_t t0;
    cr_assert_eq(fxc_time_parse("2025-12-04T00:00:00Z", &t0), 0);
    for (int i = 0; i < 3 * 144; i++) {
        snprintf(t[i].symbol, sizeof t[i].symbol, "%s", sym);
        t[i].time_us = t0 + (int64_t)i * 600 * 1000000;
        t[i].price = 1.08 + i * 0.0001;
    }
    fxc_err e;
    cr_assert_eq(fxc_ticks_bulk(fx_test_client, t, 3 * 144, NULL, NULL, &e), FXC_OK, "%s", e.message);
}

static json_t *get_json(const char *path, long status)
{
    struct fx_http_result r;
    fx_http("GET", path, NULL, &r);
    cr_assert_eq(r.status, status, "%s: %ld %.300s", path, r.status, r.body);
    json_t *j = fx_http_json(&r);
    fx_http_free(&r);
    return j;
}

static void get_error(const char *path, long status, const char *needle)
{
    struct fx_http_result r;
    fx_http("GET", path, NULL, &r);
    fx_http_assert_error(&r, status, needle);
    fx_http_free(&r);
}

Test(rest_ohlc, minute_hour_and_day_candles)
{
    seed();
    char path[256];
    snprintf(path, sizeof path, "/ohlc/minute?symbol=%s&start=2025-12-05T17:00:00Z&end=2025-12-05T18:00:00Z", sym);
    json_t *j = get_json(path, 200);
    cr_assert_eq(json_array_size(j), 6, "one tick every 10 minutes");
    json_t *c = json_array_get(j, 0);
    cr_assert_str_eq(json_string_value(json_object_get(c, "bucket")), "2025-12-05T17:00:00Z");
    cr_assert_str_eq(json_string_value(json_object_get(c, "symbol")), sym);
    cr_assert_eq(json_integer_value(json_object_get(c, "tick_count")), 1);
    cr_assert(json_is_true(json_object_get(c, "complete")));
    json_decref(j);

    snprintf(path, sizeof path, "/ohlc/hour?symbol=%s&start=2025-12-05T00:00:00Z&end=2025-12-06T00:00:00Z", sym);
    j = get_json(path, 200);
    cr_assert_eq(json_array_size(j), 24);
    c = json_array_get(j, 1);
    cr_assert_str_eq(json_string_value(json_object_get(c, "bucket")), "2025-12-05T01:00:00Z");
    cr_assert_eq(json_integer_value(json_object_get(c, "tick_count")), 6);
    /* ticks 150..155 of the seed: open 1.095, close 1.0955 */
    cr_assert_eq(json_real_value(json_object_get(c, "open")), 1.08 + 150 * 0.0001);
    cr_assert_eq(json_real_value(json_object_get(c, "close")), 1.08 + 155 * 0.0001);
    cr_assert_eq(json_real_value(json_object_get(c, "high")), 1.08 + 155 * 0.0001);
    cr_assert_eq(json_real_value(json_object_get(c, "low")), 1.08 + 150 * 0.0001);
    json_decref(j);

    snprintf(path, sizeof path, "/ohlc/day?symbol=%s&start=2025-12-01T00:00:00Z&end=2025-12-31T00:00:00Z", sym);
    j = get_json(path, 200);
    cr_assert_eq(json_array_size(j), 3);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(j, 0), "tick_count")), 144);
    json_decref(j);
}

Test(rest_ohlc, custom_days_start_at_the_given_utc_hour)
{
    seed();
    char path[256];
    snprintf(path, sizeof path, "/ohlc/custom-day?symbol=%s&start=2025-12-01T00:00:00Z&end=2025-12-31T00:00:00Z", sym);
    json_t *j = get_json(path, 200);
    /* default DAY_START_HOUR 22: days from 12-03, 12-04, 12-05 and 12-06 22:00 */
    cr_assert_eq(json_array_size(j), 4);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "bucket")), "2025-12-03T22:00:00Z");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(j, 0), "tick_count")), 132);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(j, 1), "tick_count")), 144);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(j, 3), "tick_count")), 12);
    json_decref(j);
    snprintf(path, sizeof path,
        "/ohlc/custom-day?symbol=%s&day_start_hour=0&start=2025-12-01T00:00:00Z&end=2025-12-31T00:00:00Z", sym);
    j = get_json(path, 200);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "bucket")), "2025-12-04T00:00:00Z");
    json_decref(j);
}

Test(rest_ohlc, generic_resolution_time_zone_and_day_start)
{
    seed();
    char path[256];
    snprintf(path, sizeof path,
        "/ohlc?symbol=%s&resolution=1d&tz=America/New_York&day_start=17:00&start=2025-12-01T00:00:00Z"
        "&end=2025-12-31T00:00:00Z",
        sym);
    json_t *j = get_json(path, 200);
    cr_assert_eq(json_array_size(j), 4);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 1), "bucket")), "2025-12-04T22:00:00Z");
    json_decref(j);
    snprintf(path, sizeof path, "/ohlc?symbol=%s&resolution=4h&start=2025-12-05T00:00:00Z&end=2025-12-06T00:00:00Z", sym);
    j = get_json(path, 200);
    cr_assert_eq(json_array_size(j), 6);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(j, 0), "tick_count")), 24);
    json_decref(j);
    snprintf(path, sizeof path, "/ohlc?symbol=%s&resolution=1h&tz=Asia/Kolkata&start=2025-12-05T00:00:00Z&end=2025-12-05T03:00:00Z", sym);
    j = get_json(path, 200);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "bucket")), "2025-12-05T00:30:00Z");
    json_decref(j);
}

Test(rest_ohlc, fill_prev_answers_every_bucket_of_the_range)
{
    seed();
    char path[256];
    /* ticks every 10 minutes: minutes :01..:09 are empty */
    snprintf(path, sizeof path,
        "/ohlc/minute?symbol=%s&start=2025-12-05T17:00:00Z&end=2025-12-05T18:00:00Z&fill=prev", sym);
    json_t *j = get_json(path, 200);
    cr_assert_eq(json_array_size(j), 60);
    json_t *c0 = json_array_get(j, 0), *c1 = json_array_get(j, 1);
    cr_assert_str_eq(json_string_value(json_object_get(c1, "bucket")), "2025-12-05T17:01:00Z");
    cr_assert_eq(json_integer_value(json_object_get(c1, "tick_count")), 0);
    cr_assert(json_equal(json_object_get(c1, "open"), json_object_get(c0, "close")));
    cr_assert(json_equal(json_object_get(c1, "high"), json_object_get(c0, "close")));
    cr_assert(json_is_true(json_object_get(c1, "complete")));
    json_decref(j);
    snprintf(path, sizeof path,
        "/ohlc?symbol=%s&resolution=5m&start=2025-12-05T17:00:00Z&end=2025-12-05T18:00:00Z&fill=none", sym);
    j = get_json(path, 200);
    cr_assert_eq(json_array_size(j), 6, "fill=none is the default: buckets with ticks");
    json_decref(j);
    const char *bad[] = { "previous", "PREV", "", "prev%00" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path,
            "/ohlc/hour?symbol=%s&start=2025-12-05T00:00:00Z&end=2025-12-06T00:00:00Z&fill=%s", sym, bad[i]);
        get_error(path, 422, "fill");
    }
}

Test(rest_ohlc, bad_parameters_are_clear_4xx)
{
    seed();
    char path[256];
    const char *q = "start=2025-12-05T00:00:00Z&end=2025-12-06T00:00:00Z";
    snprintf(path, sizeof path, "/ohlc?symbol=%s&resolution=7m&%s", sym, q);
    get_error(path, 422, "resolution");
    snprintf(path, sizeof path, "/ohlc?symbol=%s&%s", sym, q);
    get_error(path, 422, "resolution");
    snprintf(path, sizeof path, "/ohlc?symbol=%s&resolution=1d&tz=Nowhere/Atlantis&%s", sym, q);
    get_error(path, 422, "time zone");
    /* bytes that are not UTF-8, or not a zone name at all, never reach the database */
    const char *bad_tz[] = { "%ff", "Europe%2fBerlin%ff", "Europe/Berlin%00", "Am%C3%A9rica/New_York", "a%27b",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
    for (size_t i = 0; i < sizeof bad_tz / sizeof bad_tz[0]; i++) {
        snprintf(path, sizeof path, "/ohlc?symbol=%s&resolution=1h&tz=%s&%s", sym, bad_tz[i], q);
        get_error(path, 422, "time zone");
    }
    const char *bad_ds[] = { "25:00", "17", "17:60", "ab:cd", "17:00:00", "-1:00" };
    for (size_t i = 0; i < sizeof bad_ds / sizeof bad_ds[0]; i++) {
        snprintf(path, sizeof path, "/ohlc?symbol=%s&resolution=1d&day_start=%s&%s", sym, bad_ds[i], q);
        get_error(path, 422, "day_start");
    }
    const char *bad_hours[] = { "24", "-1", "x" };
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "/ohlc/custom-day?symbol=%s&day_start_hour=%s&%s", sym, bad_hours[i], q);
        get_error(path, 422, "day_start_hour");
    }
    snprintf(path, sizeof path, "/ohlc/minute?symbol=%s&start=2025-12-06T00:00:00Z&end=2025-12-05T00:00:00Z", sym);
    get_error(path, 400, "start");
    snprintf(path, sizeof path, "/ohlc/minute?symbol=%s&start=2020-01-01T00:00:00Z&end=2025-12-05T00:00:00Z", sym);
    get_error(path, 400, "100000");
    snprintf(path, sizeof path, "/ohlc/minute?symbol=%s&end=2025-12-05T00:00:00Z", sym);
    get_error(path, 422, "start");
}
