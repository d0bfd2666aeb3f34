/*
 * The JSON text builder of the bridge's responses: escaped strings, prices in
 * the shortest text that reads back as the same double, RFC 3339 times, the
 * tick and candle objects as REST sends them, and buffer growth. Whatever
 * can be checked that way is parsed back with jansson instead of trusting
 * the text alone.
 */
#include "bridge/json_out.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define T0_US (1736935200LL * 1000000LL) /* 2025-01-15T10:00:00Z: day 20103 * 86400 + 10 h */

/* The text of one builder call on a fresh buffer. The caller frees it. */
static char *take(struct fx_jbuf *b, size_t *len)
{
    size_t n = (size_t)-1;
    char *s = fx_jbuf_take(b, &n);
    cr_assert_not_null(s);
    cr_assert_eq(n, strlen(s), "length %zu, text of %zu bytes: %s", n, strlen(s), s);
    cr_assert_null(b->data, "take() leaves the buffer empty");
    if (len) *len = n;
    return s;
}

static char *string_text(const char *s)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_string(&b, s);
    return take(&b, NULL);
}

static char *price_text(double p)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_price(&b, p);
    return take(&b, NULL);
}

static char *time_text(int64_t us)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_time(&b, us);
    return take(&b, NULL);
}

static void assert_string(const char *in, const char *expected)
{
    char *s = string_text(in);
    cr_assert_str_eq(s, expected);
    free(s);
}

/* `text` as a JSON document (the caller json_decref's it). */
static json_t *parse_flags(const char *text, size_t flags)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY | flags, &e);
    cr_assert_not_null(j, "not JSON (%s at %d): %s", e.text, e.position, text);
    return j;
}

static json_t *parse(const char *text) { return parse_flags(text, 0); }

Test(json_out, strings_are_quoted_and_escaped)
{
    assert_string("", "\"\"");
    assert_string("EURUSD", "\"EURUSD\"");
    assert_string("say \"hi\"", "\"say \\\"hi\\\"\"");
    assert_string("C:\\temp\\", "\"C:\\\\temp\\\\\"");
    assert_string("\"", "\"\\\"\"");
    assert_string("\\\"\\", "\"\\\\\\\"\\\\\"");
}

Test(json_out, control_characters_become_u00xx)
{
    assert_string("a\nb", "\"a\\u000ab\"");
    assert_string("\t", "\"\\u0009\"");
    assert_string("\r\n", "\"\\u000d\\u000a\"");
    assert_string("\x01", "\"\\u0001\"");
    assert_string("x\x1f", "\"x\\u001f\"");
    assert_string("\x7f", "\"\x7f\""); /* DEL is not a control character for JSON */
    assert_string(" ~", "\" ~\"");
}

Test(json_out, utf8_passes_through)
{
    assert_string("€ 1,5 · ÉURUSD · 円", "\"€ 1,5 · ÉURUSD · 円\"");
    char *s = string_text("→\"€\"");
    json_t *j = parse(s);
    cr_assert_str_eq(json_string_value(j), "→\"€\"");
    json_decref(j);
    free(s);
}

Test(json_out, every_ascii_character_reads_back_with_jansson)
{
    char all[128];
    for (int i = 1; i < 128; i++)
        all[i - 1] = (char)i;
    all[127] = '\0';
    char *s = string_text(all);
    for (const char *p = s; *p; p++)
        cr_assert(
            (unsigned char)*p >= 0x20, "a raw control character 0x%02x in the output", (unsigned char)*p);
    json_t *j = parse(s);
    cr_assert(json_is_string(j));
    cr_assert_eq(json_string_length(j), 127);
    cr_assert(memcmp(json_string_value(j), all, 127) == 0);
    json_decref(j);
    free(s);
}

static void assert_price(double p, const char *expected)
{
    char *s = price_text(p);
    cr_assert_str_eq(s, expected, "%.17g", p);
    cr_assert_eq(strtod(s, NULL), p, "%s does not read back as %.17g", s, p);
    /* as a real: jansson refuses integers beyond int64 ("100000000000000000000") */
    json_t *j = parse_flags(s, JSON_DECODE_INT_AS_REAL);
    cr_assert_eq(json_number_value(j), p, "jansson reads %s as %.17g", s, json_number_value(j));
    json_decref(j);
    free(s);
}

Test(json_out, prices_are_the_shortest_text_that_reads_back)
{
    assert_price(1.085, "1.085");
    assert_price(150, "150");
    assert_price(150.5, "150.5");
    assert_price(0.00001, "0.00001");
    assert_price(0.1 + 0.2, "0.30000000000000004");
    assert_price(1.0 / 3.0, "0.3333333333333333");
    assert_price(123456.789, "123456.789");
    assert_price(1e20, "100000000000000000000");
}

Test(json_out, prices_use_an_exponent_below_1e_7_and_from_1e21)
{
    assert_price(1e-7, "0.0000001");
    assert_price(1e-8, "1e-8");
    assert_price(1.5e-9, "1.5e-9");
    assert_price(1e21, "1e21");
    assert_price(2.5e300, "2.5e300");
}

Test(json_out, random_prices_read_back_exactly)
{
    srand(12345);
    for (int i = 0; i < 2000; i++) {
        double p = ldexp((double)rand() / RAND_MAX + 0.5, rand() % 80 - 40);
        char *s = price_text(p);
        cr_assert_eq(strtod(s, NULL), p, "%s does not read back as %.17g", s, p);
        cr_assert_leq(strlen(s), 25, "%s", s); /* "0.000000" + 17 digits at most */
        free(s);
    }
}

Test(json_out, times_are_quoted_rfc3339)
{
    char *s = time_text(T0_US);
    cr_assert_str_eq(s, "\"2025-01-15T10:00:00Z\"", "no fraction when it is zero");
    free(s);
    s = time_text(T0_US + 123456);
    cr_assert_str_eq(s, "\"2025-01-15T10:00:00.123456Z\"");
    free(s);
    s = time_text(T0_US + 1);
    cr_assert_str_eq(s, "\"2025-01-15T10:00:00.000001Z\"");
    free(s);
    s = time_text(0);
    cr_assert_str_eq(s, "\"1970-01-01T00:00:00Z\"");
    free(s);
    s = time_text(-1); /* one microsecond before the epoch */
    cr_assert_str_eq(s, "\"1969-12-31T23:59:59.999999Z\"");
    free(s);
    s = time_text(-2208988800LL * 1000000); /* 1900-01-01: 70 * 365 + 17 days before */
    cr_assert_str_eq(s, "\"1900-01-01T00:00:00Z\"");
    free(s);
}

Test(json_out, a_tick_is_symbol_time_price)
{
    fxc_tick t = { "EURUSD", T0_US + 500000, 1.085, 0 };
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_tick(&b, &t);
    char *s = take(&b, NULL);
    cr_assert_str_eq(s, "{\"symbol\":\"EURUSD\",\"time\":\"2025-01-15T10:00:00.500000Z\",\"price\":1.085}");
    free(s);

    fx_jbuf_init(&b);
    fx_jbuf_raw(&b, "{\"type\":\"tick\",");
    fx_jbuf_tick_fields(&b, &t);
    fx_jbuf_raw(&b, "}");
    s = take(&b, NULL);
    cr_assert_str_eq(s,
        "{\"type\":\"tick\",\"symbol\":\"EURUSD\",\"time\":\"2025-01-15T10:00:00.500000Z\",\"price\":1.085}");
    free(s);
}

Test(json_out, a_tick_reads_back_as_the_same_values)
{
    const fxc_tick ticks[] = { { "EURUSD", T0_US, 1.085, 0 }, { "USDJPY", T0_US + 123456, 150, 0 },
        { "XAU.USD_X-1", -1, 2650.123456789, 0 }, { "BTCUSD", 7258118399999999LL, 0.1 + 0.2, 0 },
        { "TINY", -2208988800LL * 1000000, 1e-8, 0 } };
    for (size_t i = 0; i < sizeof ticks / sizeof ticks[0]; i++) {
        struct fx_jbuf b;
        fx_jbuf_init(&b);
        fx_jbuf_tick(&b, &ticks[i]);
        char *s = take(&b, NULL);
        json_t *j = parse(s);
        cr_assert(json_is_object(j), "%s", s);
        cr_assert_eq(json_object_size(j), 3, "%s", s);
        cr_assert_str_eq(json_string_value(json_object_get(j, "symbol")), ticks[i].symbol);
        int64_t us;
        cr_assert_eq(fxc_time_parse(json_string_value(json_object_get(j, "time")), &us), 0, "%s", s);
        cr_assert_eq(us, ticks[i].time_us, "%s", s);
        cr_assert(json_is_number(json_object_get(j, "price")), "%s", s);
        cr_assert_eq(json_number_value(json_object_get(j, "price")), ticks[i].price, "%s", s);
        json_decref(j);
        free(s);
    }
}

Test(json_out, candle_fields_as_rest_sends_them)
{
    fxc_candle c = { .symbol = "EURUSD",
        .bucket_us = T0_US,
        .open = 1.085,
        .high = 1.09,
        .low = 1.08,
        .close = 1.0875,
        .tick_count = 42,
        .complete = 1 };
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_raw(&b, "{");
    fx_jbuf_candle_fields(&b, &c);
    fx_jbuf_raw(&b, "}");
    char *s = take(&b, NULL);
    cr_assert_str_eq(s,
        "{\"bucket\":\"2025-01-15T10:00:00Z\",\"symbol\":\"EURUSD\",\"open\":1.085,\"high\":1.09,"
        "\"low\":1.08,\"close\":1.0875,\"tick_count\":42,\"complete\":true}");
    free(s);

    c.complete = 0;
    c.tick_count = UINT64_C(9007199254740993); /* above 2^53: still exact in the text */
    fx_jbuf_init(&b);
    fx_jbuf_raw(&b, "{");
    fx_jbuf_candle_fields(&b, &c);
    fx_jbuf_raw(&b, "}");
    s = take(&b, NULL);
    json_t *j = parse(s);
    cr_assert(json_is_false(json_object_get(j, "complete")), "%s", s);
    cr_assert(json_is_integer(json_object_get(j, "tick_count")), "%s", s);
    cr_assert_eq(json_integer_value(json_object_get(j, "tick_count")), 9007199254740993LL, "%s", s);
    cr_assert_eq(json_number_value(json_object_get(j, "close")), 1.0875);
    cr_assert_eq(json_object_size(j), 8);
    json_decref(j);
    free(s);
}

Test(json_out, printf_grows_past_256_bytes)
{
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_raw(&b, "[");
    fx_jbuf_printf(&b, "\"%s\"", big); /* 1001 bytes: more than printf's 256-byte scratch */
    fx_jbuf_printf(&b, ",%d", 7);
    fx_jbuf_raw(&b, ",");
    fx_jbuf_printf(&b, "\"%.*s\"", 254, big); /* 256 bytes: just too many for the scratch */
    fx_jbuf_raw(&b, ",");
    fx_jbuf_printf(&b, "\"%.*s\"", 253, big); /* 255 bytes: the most it holds */
    fx_jbuf_raw(&b, "]");
    size_t len;
    char *s = take(&b, &len);
    cr_assert_eq(len, 1 + 1001 + 2 + 1 + 256 + 1 + 255 + 1, "length %zu", len);
    json_t *j = parse(s);
    cr_assert_eq(json_array_size(j), 4);
    cr_assert_str_eq(json_string_value(json_array_get(j, 0)), big);
    cr_assert_eq(json_integer_value(json_array_get(j, 1)), 7);
    cr_assert_eq(json_string_length(json_array_get(j, 2)), 254);
    cr_assert_eq(json_string_length(json_array_get(j, 3)), 253);
    json_decref(j);
    free(s);
}

Test(json_out, many_small_appends_keep_everything)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_raw(&b, "[");
    for (int i = 0; i < 5000; i++) {
        if (i) fx_jbuf_raw(&b, ",");
        fx_jbuf_printf(&b, "%d", i);
    }
    fx_jbuf_raw(&b, "]");
    char *s = take(&b, NULL);
    json_t *j = parse(s);
    cr_assert_eq(json_array_size(j), 5000);
    for (int i = 0; i < 5000; i++)
        cr_assert_eq(json_integer_value(json_array_get(j, (size_t)i)), i);
    json_decref(j);
    free(s);
}

Test(json_out, take_of_an_empty_buffer_is_an_empty_text)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    size_t len;
    char *s = take(&b, &len);
    cr_assert_str_eq(s, "");
    cr_assert_eq(len, 0);
    free(s);
    /* the buffer is reusable after take */
    fx_jbuf_raw(&b, "{}");
    s = take(&b, &len);
    cr_assert_str_eq(s, "{}");
    cr_assert_eq(len, 2);
    free(s);
    /* and the length is optional */
    fx_jbuf_raw(&b, "x");
    s = fx_jbuf_take(&b, NULL);
    cr_assert_str_eq(s, "x");
    free(s);
}

Test(json_out, a_failed_buffer_gives_null_and_frees)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_raw(&b, "{\"partial\":");
    b.failed = 1; /* as after an allocation failure */
    fx_jbuf_raw(&b, "1}"); /* ignored */
    cr_assert_eq(b.len, strlen("{\"partial\":"));
    cr_assert_null(fx_jbuf_take(&b, NULL));
    cr_assert_null(b.data);
    cr_assert_eq(b.failed, 0, "the buffer starts over");
}

Test(json_out, free_releases_and_resets)
{
    struct fx_jbuf b;
    fx_jbuf_init(&b);
    fx_jbuf_printf(&b, "%0600d", 1);
    cr_assert_eq(b.len, 600);
    fx_jbuf_free(&b);
    cr_assert_null(b.data);
    cr_assert_eq(b.len, 0);
    cr_assert_eq(b.cap, 0);
    fx_jbuf_free(&b); /* twice is fine */
}
