/*
 * The tick endpoints of docs/api.md over real HTTP: fx-bridge ->
 * fx-core -> PostgreSQL. Every error is a JSON {"detail"} with the contract's
 * status, and a rejected request changes nothing.
 */
#include "tests/support/fixture.h"
#include "tests/support/bridge_fixture.h"
#include "tests/support/http_client.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(rest_ticks, .init = fx_bridge_fixture_start, .fini = fx_bridge_fixture_stop, .timeout = 120);

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    static char buf[4][4096];
    static int i;
    char *b = buf[i++ % 4];
    va_list ap;
    va_start(ap, f);
    vsnprintf(b, sizeof buf[0], f, ap);
    va_end(ap);
    return b;
}

static void post_tick(const char *symbol, const char *time, const char *price, long expect)
{
    struct fx_http_result r;
    fx_http("POST", "/ticks/", fmt("{\"symbol\":\"%s\",\"time\":\"%s\",\"price\":%s}", symbol, time, price), &r);
    cr_assert_eq(r.status, expect, "POST %s %s %s: %ld %s", symbol, time, price, r.status, r.body);
    fx_http_free(&r);
}

Test(rest_ticks, create_returns_201_and_the_stored_tick)
{
    char sym[17];
    fx_test_symbol(sym, "HC");
    struct fx_http_result r;
    fx_http("POST", "/ticks/", fmt("{\"symbol\":\"%s\",\"time\":\"2025-12-05T10:00:00Z\",\"price\":1.085}", sym), &r);
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_assert_str_eq(r.body, fmt("{\"symbol\":\"%s\",\"time\":\"2025-12-05T10:00:00Z\",\"price\":1.085}", sym));
    fx_http_free(&r);
    cr_assert_eq(fx_test_count_ticks(sym), 1);
}

Test(rest_ticks, offsets_are_normalised_to_utc_and_microseconds_kept)
{
    char sym[17];
    fx_test_symbol(sym, "HOFF");
    struct fx_http_result r;
    fx_http("POST", "/ticks",
        fmt("{\"symbol\":\"%s\",\"time\":\"2025-12-05T12:00:00.123456+02:00\",\"price\":1.0849999999999999}", sym), &r);
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_assert_str_eq(r.body, fmt("{\"symbol\":\"%s\",\"time\":\"2025-12-05T10:00:00.123456Z\",\"price\":1.085}", sym));
    fx_http_free(&r);
    /* an unencoded + in a query string arrives as a space: still understood */
    fx_http("GET", fmt("/ticks/?symbol=%s&start=2025-12-05T12:00:00+02:00&end=2025-12-05T12:00:01%%2B02:00", sym), NULL,
        &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(r.body, fmt("[{\"symbol\":\"%s\",\"time\":\"2025-12-05T10:00:00.123456Z\",\"price\":1.085}]", sym));
    fx_http_free(&r);
}

Test(rest_ticks, symbols_are_normalised_and_several_kept_apart)
{
    char a[17], b[17];
    fx_test_symbol(a, "HSA");
    fx_test_symbol(b, "HSB");
    char lower[17];
    snprintf(lower, sizeof lower, "%s", a);
    for (char *p = lower; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    post_tick(lower, "2025-12-05T10:00:00Z", "1.1", 201);
    post_tick(b, "2025-12-05T10:00:00Z", "2.2", 201);
    post_tick(b, "2025-12-05T10:00:01Z", "2.3", 201);
    cr_assert_eq(fx_test_count_ticks(a), 1);
    cr_assert_eq(fx_test_count_ticks(b), 2);
    struct fx_http_result r;
    fx_http("GET", fmt("/ticks/?symbol=%s&start=2025-12-05&end=2025-12-06", b), NULL, &r);
    json_t *j = fx_http_json(&r);
    cr_assert_eq(json_array_size(j), 2);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "symbol")), b);
    json_decref(j);
    fx_http_free(&r);
}

Test(rest_ticks, invalid_symbols_are_422_naming_symbol)
{
    const char *bad[] = { "", "EUR USD", "EUR$", "ABCDEFGHIJKLMNOPQ", "A/B/C" };
    /* A time no other test writes: tests of this file run in parallel. */
    const char *when = "2031-07-09T10:00:00.424242Z";
    const char *count = "SELECT count(*) FROM ticks WHERE time = '2031-07-09T10:00:00.424242Z'";
    long long before = fx_test_sql_int(count);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct fx_http_result r;
        fx_http("POST", "/ticks/", fmt("{\"symbol\":\"%s\",\"time\":\"%s\",\"price\":1.1}", bad[i], when), &r);
        fx_http_assert_error(&r, 422, "symbol");
        fx_http_free(&r);
    }
    cr_assert_eq(fx_test_sql_int(count), before);
}

Test(rest_ticks, invalid_prices_and_times_are_422_naming_the_field)
{
    char sym[17];
    fx_test_symbol(sym, "HPX");
    const char *prices[] = { "0", "-1.5", "\"1.1\"", "null", "true", "1e400", "[1]" };
    for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++) {
        struct fx_http_result r;
        fx_http("POST", "/ticks/", fmt("{\"symbol\":\"%s\",\"time\":\"2025-12-05T10:00:00Z\",\"price\":%s}", sym, prices[i]),
            &r);
        cr_assert_eq(r.status, 422, "price %s: %ld %s", prices[i], r.status, r.body);
        cr_assert(strstr(r.body, "price") || strstr(r.body, "JSON"), "price %s: %s", prices[i], r.body);
        fx_http_free(&r);
    }
    const char *times[] = { "\"yesterday\"", "\"2025-13-01T00:00:00Z\"", "\"2025-12-05T10:00:00+25:00\"", "null", "{}" };
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        struct fx_http_result r;
        fx_http("POST", "/ticks/", fmt("{\"symbol\":\"%s\",\"time\":%s,\"price\":1.1}", sym, times[i]), &r);
        fx_http_assert_error(&r, 422, "time");
        fx_http_free(&r);
    }
    struct fx_http_result r;
    fx_http("POST", "/ticks/", fmt("{\"symbol\":\"%s\",\"price\":1.1}", sym), &r);
    fx_http_assert_error(&r, 422, "time");
    fx_http_free(&r);
    cr_assert_eq(fx_test_count_ticks(sym), 0);
}

Test(rest_ticks, malformed_bodies_are_clear_errors_and_the_bridge_keeps_serving)
{
    char sym[17];
    fx_test_symbol(sym, "HMAL");
    const char *bodies[] = { "", "not json", "{\"symbol\":", "[]", "{} trailing", "{\"price\": NaN}",
        "{\"price\": 1.1, \"price\": 1.2}", "{\"time\": 99999999999999999999999999}" };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct fx_http_result r;
        fx_http("POST", "/ticks/", bodies[i], &r);
        cr_assert_eq(r.status, 422, "body <%s>: %ld %s", bodies[i], r.status, r.body);
        json_t *j = fx_http_json(&r);
        cr_assert(json_is_string(json_object_get(j, "detail")));
        json_decref(j);
        fx_http_free(&r);
    }
    /* a 10 MB string is over the limit of a single-tick body */
    size_t big = 10u << 20;
    char *huge = malloc(big + 64);
    int n = sprintf(huge, "{\"symbol\":\"");
    memset(huge + n, 'A', big);
    strcpy(huge + n + big, "\",\"time\":\"2025-12-05T10:00:00Z\",\"price\":1.1}");
    struct fx_http_result r;
    fx_http("POST", "/ticks/", huge, &r);
    fx_http_assert_error(&r, 413, "larger than");
    fx_http_free(&r);
    free(huge);
    post_tick(sym, "2025-12-05T10:00:00Z", "1.1", 201);
    cr_assert_eq(fx_test_count_ticks(sym), 1);
}

Test(rest_ticks, duplicate_is_409)
{
    char sym[17];
    fx_test_symbol(sym, "HDUP");
    post_tick(sym, "2025-12-05T10:00:00Z", "1.1", 201);
    struct fx_http_result r;
    fx_http("POST", "/ticks/", fmt("{\"symbol\":\"%s\",\"time\":\"2025-12-05T10:00:00Z\",\"price\":1.2}", sym), &r);
    fx_http_assert_error(&r, 409, "exists");
    fx_http_free(&r);
    cr_assert_eq(fx_test_count_ticks(sym), 1);
}

static char *bulk_body(const char *sym, int n, int bad_index)
{
    size_t cap = (size_t)n * 96 + 16;
    char *s = malloc(cap);
    size_t len = 0;
    s[len++] = '[';
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s{\"symbol\":\"%s\",\"time\":\"2025-12-05T10:%02d:%02d.%06dZ\",\"price\":%s}",
            i ? "," : "", sym, (i / 60) % 60, i % 60, i / 3600, i == bad_index ? "-1" : "1.0851");
    s[len++] = ']';
    s[len] = '\0';
    return s;
}

Test(rest_ticks, bulk_of_5_and_of_100_and_duplicates_counted)
{
    char sym[17];
    fx_test_symbol(sym, "HB");
    struct fx_http_result r;
    char *five = bulk_body(sym, 5, -1);
    fx_http("POST", "/ticks/bulk", five, &r);
    cr_assert_eq(r.status, 201, "%s", r.body);
    json_t *j = fx_http_json(&r);
    cr_assert_eq(json_integer_value(json_object_get(j, "created")), 5);
    cr_assert_eq(json_integer_value(json_object_get(j, "duplicates")), 0);
    cr_assert(json_is_string(json_object_get(j, "message")));
    json_decref(j);
    fx_http_free(&r);
    char *hundred = bulk_body(sym, 100, -1);
    fx_http("POST", "/ticks/bulk", hundred, &r);
    cr_assert_eq(r.status, 201, "%s", r.body);
    j = fx_http_json(&r);
    cr_assert_eq(json_integer_value(json_object_get(j, "created")), 95);
    cr_assert_eq(json_integer_value(json_object_get(j, "duplicates")), 5);
    json_decref(j);
    fx_http_free(&r);
    cr_assert_eq(fx_test_count_ticks(sym), 100);
    free(five);
    free(hundred);
}

Test(rest_ticks, bulk_with_one_bad_tick_is_422_naming_the_index_and_stores_nothing)
{
    char sym[17];
    fx_test_symbol(sym, "HBB");
    char *body = bulk_body(sym, 100, 42);
    struct fx_http_result r;
    fx_http("POST", "/ticks/bulk", body, &r);
    fx_http_assert_error(&r, 422, "[42]");
    fx_http_free(&r);
    free(body);
    fx_http("POST", "/ticks/bulk", fmt("[{\"symbol\":\"%s\",\"time\":\"2025-12-05T10:00:00Z\",\"price\":1.1}, 7]", sym), &r);
    fx_http_assert_error(&r, 422, "[1]");
    fx_http_free(&r);
    fx_http("POST", "/ticks/bulk", "{\"not\":\"an array\"}", &r);
    fx_http_assert_error(&r, 422, "array");
    fx_http_free(&r);
    cr_assert_eq(fx_test_count_ticks(sym), 0);
}

Test(rest_ticks, empty_bulk_creates_nothing)
{
    struct fx_http_result r;
    fx_http("POST", "/ticks/bulk", "[]", &r);
    cr_assert_eq(r.status, 201, "%s", r.body);
    json_t *j = fx_http_json(&r);
    cr_assert_eq(json_integer_value(json_object_get(j, "created")), 0);
    cr_assert_eq(json_integer_value(json_object_get(j, "duplicates")), 0);
    json_decref(j);
    fx_http_free(&r);
}

Test(rest_ticks, range_read_honours_limit_and_offset_and_rejects_bad_values)
{
    char sym[17];
    fx_test_symbol(sym, "HRNG");
    char *body = bulk_body(sym, 30, -1);
    struct fx_http_result r;
    fx_http("POST", "/ticks/bulk", body, &r);
    cr_assert_eq(r.status, 201);
    fx_http_free(&r);
    free(body);
    char q[256];
    snprintf(q, sizeof q, "/ticks/?symbol=%s&start=2025-12-05T10:00:00Z&end=2025-12-05T11:00:00Z", sym);
    fx_http("GET", q, NULL, &r);
    json_t *j = fx_http_json(&r);
    cr_assert_eq(json_array_size(j), 30);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "time")), "2025-12-05T10:00:00Z");
    json_decref(j);
    fx_http_free(&r);
    fx_http("GET", fmt("%s&limit=5&offset=10", q), NULL, &r);
    j = fx_http_json(&r);
    cr_assert_eq(json_array_size(j), 5);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "time")), "2025-12-05T10:00:10Z");
    json_decref(j);
    fx_http_free(&r);
    const char *bad_limits[] = { "0", "10001", "-1", "abc", "5x", "99999999999999999999" };
    for (size_t i = 0; i < sizeof bad_limits / sizeof bad_limits[0]; i++) {
        fx_http("GET", fmt("%s&limit=%s", q, bad_limits[i]), NULL, &r);
        fx_http_assert_error(&r, 422, "limit");
        fx_http_free(&r);
    }
    fx_http("GET", fmt("%s&limit=10000", q), NULL, &r);
    cr_assert_eq(r.status, 200);
    fx_http_free(&r);
    fx_http("GET", fmt("/ticks/?symbol=%s&start=2025-12-06&end=2025-12-05", sym), NULL, &r);
    fx_http_assert_error(&r, 400, "start");
    fx_http_free(&r);
    fx_http("GET", fmt("/ticks/?symbol=%s&end=2025-12-05", sym), NULL, &r);
    fx_http_assert_error(&r, 422, "start");
    fx_http_free(&r);
}

Test(rest_ticks, update_changes_the_price_and_a_missing_tick_is_404)
{
    char sym[17];
    fx_test_symbol(sym, "HUPD");
    post_tick(sym, "2025-12-05T10:00:00Z", "1.1", 201);
    struct fx_http_result r;
    fx_http("PUT", fmt("/ticks/?symbol=%s&time=2025-12-05T10:00:00Z", sym), "{\"price\":1.25}", &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(r.body, fmt("{\"symbol\":\"%s\",\"time\":\"2025-12-05T10:00:00Z\",\"price\":1.25}", sym));
    fx_http_free(&r);
    fx_http("PUT", fmt("/ticks/?symbol=%s&time=2025-12-05T10:00:01Z", sym), "{\"price\":1.3}", &r);
    fx_http_assert_error(&r, 404, sym);
    fx_http_free(&r);
    fx_http("PUT", fmt("/ticks/?symbol=%s&time=2025-12-05T10:00:00Z", sym), "{\"price\":-3}", &r);
    fx_http_assert_error(&r, 422, "price");
    fx_http_free(&r);
    fx_http("PUT", fmt("/ticks/?symbol=%s&time=2025-12-05T10:00:00Z", sym), "{}", &r);
    fx_http_assert_error(&r, 422, "price");
    fx_http_free(&r);
    double price;
    cr_assert(fx_test_stored_price(sym, 1764928800000000LL, &price));
    cr_assert_eq(price, 1.25);
    cr_assert_eq(fx_test_count_ticks(sym), 1);
}

Test(rest_ticks, delete_range_one_and_path_form)
{
    char sym[17];
    fx_test_symbol(sym, "HDEL");
    char *body = bulk_body(sym, 10, -1);
    struct fx_http_result r;
    fx_http("POST", "/ticks/bulk", body, &r);
    fx_http_free(&r);
    free(body);
    fx_http("DELETE", fmt("/ticks/?symbol=%s&start=2025-12-05T10:00:05Z&end=2025-12-05T10:00:02Z", sym), NULL, &r);
    fx_http_assert_error(&r, 400, "start");
    fx_http_free(&r);
    cr_assert_eq(fx_test_count_ticks(sym), 10);
    fx_http("DELETE", fmt("/ticks/?symbol=%s&start=2025-12-05T10:00:02Z&end=2025-12-05T10:00:05Z", sym), NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(r.body, "{\"deleted\":3}");
    fx_http_free(&r);
    fx_http("DELETE", fmt("/ticks/?symbol=%s&time=2025-12-05T10:00:00Z", sym), NULL, &r);
    cr_assert_str_eq(r.body, "{\"deleted\":1}");
    fx_http_free(&r);
    fx_http("DELETE", fmt("/ticks/?symbol=%s&time=2025-12-05T10:00:00Z", sym), NULL, &r);
    fx_http_assert_error(&r, 404, "no tick");
    fx_http_free(&r);
    fx_http("DELETE", fmt("/ticks/%s/2025-12-05T12:00:01%%2B02:00", sym), NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(r.body, "{\"deleted\":1}");
    fx_http_free(&r);
    fx_http("DELETE", fmt("/ticks/%s/2025-12-05T10:00:01Z", sym), NULL, &r);
    fx_http_assert_error(&r, 404, "no tick");
    fx_http_free(&r);
    fx_http("DELETE", fmt("/ticks/%s/not-a-time", sym), NULL, &r);
    fx_http_assert_error(&r, 422, "time");
    fx_http_free(&r);
    cr_assert_eq(fx_test_count_ticks(sym), 5);
}

/* An encoded NUL (%00) never cuts a value short: the whole value is judged,
 * and refused, and nothing changes. */
Test(rest_ticks, an_encoded_nul_is_refused_wherever_it_appears_and_changes_nothing)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "NUL");
    post_tick(sym, "2031-03-04T10:00:00Z", "1.5", 201);
    struct fx_http_result r;
    fx_http("PUT", fmt("/ticks/?symbol=%s%%00IGNORED&time=2031-03-04T10:00:00Z", sym), "{\"price\":2.5}", &r);
    fx_http_assert_error(&r, 422, "symbol");
    fx_http_free(&r);
    fx_http("PUT", fmt("/ticks/?symbol=%s&time=2031-03-04T10:00:00Z%%00x", sym), "{\"price\":2.5}", &r);
    fx_http_assert_error(&r, 422, "time");
    fx_http_free(&r);
    fx_http("DELETE", fmt("/ticks/?symbol=%s%%00&start=2031-03-04T00:00:00Z&end=2031-03-05T00:00:00Z", sym), NULL, &r);
    fx_http_assert_error(&r, 422, "symbol");
    fx_http_free(&r);
    fx_http("GET", fmt("/ticks/?symbol=%s&start=2031-03-04T00:00:00Z&end=2031-03-05T00:00:00Z&limit=5%%00", sym), NULL, &r);
    fx_http_assert_error(&r, 422, "limit");
    fx_http_free(&r);
    fx_http("GET", "/health%00", NULL, &r);
    fx_http_assert_error(&r, 404, "no such path");
    fx_http_free(&r);
    double price = 0;
    int64_t when;
    cr_assert_eq(fxc_time_parse("2031-03-04T10:00:00Z", &when), 0);
    cr_assert_eq(fx_test_stored_price(sym, when, &price), 1, "the tick is still there");
    cr_assert_float_eq(price, 1.5, 1e-12, "unchanged");
}

/* What the handlers echo is JSON in valid UTF-8, whatever the request held. */
Test(rest_ticks, echoed_bytes_that_are_not_utf8_are_replaced_in_valid_json)
{
    struct fx_http_result r;
    fx_http("GET", "/%ff%fe", NULL, &r);
    fx_http_assert_error(&r, 404, "no such path: /\xef\xbf\xbd\xef\xbf\xbd"); /* two U+FFFD */
    fx_http_free(&r);
    fx_http("GET", "/ticks/?symbol=EURUSD&start=%c3&end=2031-03-05T00:00:00Z", NULL, &r);
    fx_http_assert_error(&r, 422, "start");
    fx_http_free(&r);
}

Test(rest_ticks, a_time_of_the_wrong_kind_says_what_a_time_must_be)
{
    struct fx_http_result r;
    fx_http("POST", "/ticks/", "{\"symbol\":\"EURUSD\",\"time\":1e16,\"price\":1.1}", &r);
    fx_http_assert_error(&r, 422, "out of range");
    fx_http_free(&r);
    fx_http("POST", "/ticks/", "{\"symbol\":\"EURUSD\",\"time\":true,\"price\":1.1}", &r);
    fx_http_assert_error(&r, 422, "must be a string or a number");
    fx_http_free(&r);
    fx_http("POST", "/ticks/", "{\"symbol\":\"../etc\",\"time\":\"2025-12-05T10:00:00Z\",\"price\":1.1}", &r);
    fx_http_assert_error(&r, 422, "symbol");
    fx_http_free(&r);
    fx_http("POST", "/ticks/", "{\"symbol\":\"EURUSD\",\"symbol\":\"GBPUSD\",\"time\":\"2025-12-05T10:00:00Z\",\"price\":1.1}", &r);
    cr_assert_eq(r.status, 422, "a repeated key: %ld %s", r.status, r.body);
    fx_http_free(&r);
}

Test(rest_ticks, a_query_parameter_given_twice_is_refused)
{
    struct fx_http_result r;
    fx_http("GET", "/ticks/?symbol=EURUSD&symbol=GBPUSD&start=2025-12-05T00:00:00Z&end=2025-12-06T00:00:00Z", NULL, &r);
    fx_http_assert_error(&r, 422, "symbol: the query parameter is given more than once");
    fx_http_free(&r);
    fx_http("DELETE", "/ticks/?symbol=EURUSD&start=2025-12-05T00:00:00Z&end=2025-12-06T00:00:00Z&end=2030-01-01T00:00:00Z",
        NULL, &r);
    fx_http_assert_error(&r, 422, "end: the query parameter");
    fx_http_free(&r);
}

/* GET /symbols: the symbol picker's list, by name, with each symbol's first
 * and last tick and count as written through this API. */
Test(rest_ticks, symbols_lists_each_stored_symbol_with_its_first_last_and_count)
{
    char a[17], b[17];
    fx_test_symbol(a, "LSA");
    fx_test_symbol(b, "LSB");
    post_tick(a, "2025-12-05T10:00:00.250Z", "1.1", 201);
    post_tick(a, "2025-12-04T23:59:59Z", "1.2", 201);
    post_tick(a, "2025-12-07T08:30:00Z", "1.3", 201);
    post_tick(b, "2025-12-06T12:00:00Z", "2.5", 201);
    struct fx_http_result r;
    fx_http("DELETE", fmt("/ticks/?symbol=%s&time=2025-12-06T12:00:00Z", b), NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    fx_http_free(&r);

    fx_http("GET", "/symbols", NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *j = fx_http_json(&r);
    json_t *list = json_object_get(j, "symbols");
    cr_assert(json_is_array(list), "%s", r.body);
    json_t *found = NULL;
    const char *prev = "";
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *e = json_array_get(list, i);
        const char *name = json_string_value(json_object_get(e, "symbol"));
        cr_assert_not_null(name);
        cr_assert_lt(strcmp(prev, name), 0, "by name: %s after %s", name, prev);
        prev = name;
        cr_assert_str_neq(name, b, "a symbol whose only tick was deleted is not listed");
        if (strcmp(name, a) == 0) found = e;
    }
    cr_assert_not_null(found, "%s is listed", a);
    cr_assert_str_eq(json_string_value(json_object_get(found, "first_time")), "2025-12-04T23:59:59Z");
    cr_assert_str_eq(json_string_value(json_object_get(found, "last_time")), "2025-12-07T08:30:00Z");
    cr_assert_eq(json_integer_value(json_object_get(found, "tick_count")), 3);
    cr_assert_eq(json_object_size(found), 4, "symbol, first_time, last_time, tick_count");
    json_decref(j);
    fx_http_free(&r);
}
