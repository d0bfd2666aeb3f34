/*
 * The Redis Stream entry parser (fx_ingest_parse_entry): the fields symbol,
 * time and price in any order, extra fields ignored, times as RFC 3339 or Unix
 * seconds / milliseconds (> 1e11) / microseconds (> 1e14), and every kind of
 * malformed entry refused with a reason that names what is wrong. Expected
 * times are worked out by hand: 2025-01-15 is day 20103 (55 years of 365
 * days + 14 leap days + 14), so 2025-01-15T10:00:00Z is 1736935200 s.
 */
#include "server/ingest_entry.h"
#include "fx/tick.h"
#include "base/tick_rules.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define T0_S 1736935200LL /* 2025-01-15T10:00:00Z */
#define T0_US (T0_S * 1000000LL)
#define MAX_FIELDS 16

struct result {
    int rc;
    struct fx_tick tick;
    char why[128];
};

/* Parses the NULL-terminated list of fields and values (lengths by strlen). */
static struct result parse_list(const char *const *list)
{
    size_t lengths[MAX_FIELDS], n = 0;
    while (list[n]) {
        cr_assert_lt(n, MAX_FIELDS);
        lengths[n] = strlen(list[n]);
        n++;
    }
    struct result r;
    memset(&r.tick, 0x5a, sizeof r.tick); /* to see whether a failure writes it */
    snprintf(r.why, sizeof r.why, "untouched");
    r.rc = fx_ingest_parse_entry(list, lengths, n, &r.tick, r.why, sizeof r.why);
    return r;
}

#define PARSE(...) parse_list((const char *const[]) { __VA_ARGS__, NULL })

static struct result parse_tick(const char *symbol, const char *time, const char *price)
{
    return PARSE("symbol", symbol, "time", time, "price", price);
}

static void assert_ok(struct result r, const char *symbol, int64_t time_us, double price)
{
    cr_assert_eq(r.rc, 0, "refused: %s", r.why);
    cr_assert_str_eq(r.tick.symbol, symbol);
    cr_assert_eq(
        r.tick.time_us, time_us, "time %lld, expected %lld", (long long)r.tick.time_us, (long long)time_us);
    cr_assert_eq(r.tick.price, price, "price %.17g, expected %.17g", r.tick.price, price);
}

static int untouched(const struct fx_tick *t)
{
    struct fx_tick pattern;
    memset(&pattern, 0x5a, sizeof pattern);
    return memcmp(t, &pattern, sizeof pattern) == 0;
}

/* Refused, with a reason containing `reason`, and the output not written. */
static void assert_refused(struct result r, const char *reason)
{
    cr_assert_eq(r.rc, -1, "accepted (%s %lld %.17g), expected: %s", r.tick.symbol, (long long)r.tick.time_us,
        r.tick.price, reason);
    cr_assert(strstr(r.why, reason) != NULL, "reason \"%s\" does not contain \"%s\"", r.why, reason);
    cr_assert(untouched(&r.tick), "the tick was written although the entry was refused");
}

Test(ingest_entry, a_complete_entry_with_an_rfc3339_time)
{
    assert_ok(parse_tick("EURUSD", "2025-01-15T10:00:00Z", "1.085"), "EURUSD", T0_US, 1.085);
    assert_ok(parse_tick("EURUSD", "2025-01-15T10:00:00.123456Z", "1.085"), "EURUSD", T0_US + 123456, 1.085);
}

Test(ingest_entry, an_rfc3339_offset_is_applied)
{
    /* 12:00 at +02:00 and 05:30 at -04:30 are both 10:00 UTC */
    assert_ok(parse_tick("EURUSD", "2025-01-15T12:00:00+02:00", "1.085"), "EURUSD", T0_US, 1.085);
    assert_ok(parse_tick("EURUSD", "2025-01-15T05:30:00-04:30", "1.085"), "EURUSD", T0_US, 1.085);
    /* an offset that moves the date: 2025-01-16T01:00+15:00 is still 2025-01-15T10:00Z */
    assert_ok(parse_tick("EURUSD", "2025-01-16T01:00:00+15:00", "1.085"), "EURUSD", T0_US, 1.085);
}

Test(ingest_entry, an_rfc3339_time_without_offset_is_utc)
{
    assert_ok(parse_tick("EURUSD", "2025-01-15T10:00:00", "1.085"), "EURUSD", T0_US, 1.085);
    assert_ok(parse_tick("EURUSD", "2025-01-15 10:00:00Z", "1.085"), "EURUSD", T0_US, 1.085);
    assert_ok(parse_tick("EURUSD", "2025-01-15", "1.085"), "EURUSD", T0_US - 10 * 3600LL * 1000000, 1.085);
}

Test(ingest_entry, unix_seconds_milliseconds_and_microseconds)
{
    assert_ok(parse_tick("EURUSD", "1736935200", "1.085"), "EURUSD", T0_US, 1.085);
    assert_ok(parse_tick("EURUSD", "1736935200123", "1.085"), "EURUSD", T0_US + 123000, 1.085);
    assert_ok(parse_tick("EURUSD", "1736935200123456", "1.085"), "EURUSD", T0_US + 123456, 1.085);
    /* before 1970: -86400 s is 1969-12-31T00:00:00Z */
    assert_ok(parse_tick("EURUSD", "-86400", "1.085"), "EURUSD", -86400LL * 1000000, 1.085);
    assert_ok(parse_tick("EURUSD", "0", "1.085"), "EURUSD", 0, 1.085);
}

Test(ingest_entry, fractional_seconds_round_to_the_microsecond)
{
    assert_ok(parse_tick("EURUSD", "1736935200.5", "1.085"), "EURUSD", T0_US + 500000, 1.085);
    assert_ok(parse_tick("EURUSD", "1736935200.25", "1.085"), "EURUSD", T0_US + 250000, 1.085);
    /* not exact in binary, but well within half a microsecond */
    assert_ok(parse_tick("EURUSD", "1736935200.123456", "1.085"), "EURUSD", T0_US + 123456, 1.085);
    /* fractional milliseconds */
    assert_ok(parse_tick("EURUSD", "1736935200123.5", "1.085"), "EURUSD", T0_US + 123500, 1.085);
}

Test(ingest_entry, the_unit_thresholds_are_strictly_above_1e11_and_1e14)
{
    /* exactly 1e11 is still seconds: year 5138, out of range */
    assert_refused(parse_tick("EURUSD", "100000000000", "1.085"), "time \"100000000000\"");
    /* one more is milliseconds: 1e11 + 1 ms = 100000000001000 us (1973) */
    assert_ok(parse_tick("EURUSD", "100000000001", "1.085"), "EURUSD", 100000000001000LL, 1.085);
    /* exactly 1e14 is still milliseconds: 1e17 us, out of range */
    assert_refused(parse_tick("EURUSD", "100000000000000", "1.085"), "time \"100000000000000\"");
    /* one more is microseconds */
    assert_ok(parse_tick("EURUSD", "100000000000001", "1.085"), "EURUSD", 100000000000001LL, 1.085);
}

Test(ingest_entry, field_order_does_not_matter)
{
    assert_ok(PARSE("price", "1.085", "time", "1736935200", "symbol", "EURUSD"), "EURUSD", T0_US, 1.085);
    assert_ok(PARSE("time", "1736935200", "price", "1.085", "symbol", "EURUSD"), "EURUSD", T0_US, 1.085);
}

Test(ingest_entry, extra_fields_are_ignored)
{
    static char long_value[200];
    memset(long_value, 'x', sizeof long_value - 1);
    assert_ok(PARSE("source", "feed-a", "symbol", "EURUSD", "bid", "nonsense", "time", "1736935200", "price",
                  "1.085", "note", long_value),
        "EURUSD", T0_US, 1.085);
    /* names are matched whole: "symbols" and "times" are not symbol and time */
    assert_ok(PARSE("symbols", "X", "symbol", "EURUSD", "times", "x", "time", "1736935200", "prices", "0",
                  "price", "1.085"),
        "EURUSD", T0_US, 1.085);
}

Test(ingest_entry, missing_fields_are_named)
{
    assert_refused(PARSE("time", "1736935200", "price", "1.085"), "missing field symbol");
    assert_refused(PARSE("symbol", "EURUSD", "price", "1.085"), "missing field time");
    assert_refused(PARSE("symbol", "EURUSD", "time", "1736935200"), "missing field price");
    assert_refused(PARSE("price", "1.085"), "missing field symbol time");
    assert_refused(PARSE("other", "1"), "missing field symbol time price");
    /* no fields at all */
    struct result r;
    memset(&r.tick, 0x5a, sizeof r.tick);
    r.rc = fx_ingest_parse_entry(NULL, NULL, 0, &r.tick, r.why, sizeof r.why);
    assert_refused(r, "missing field symbol time price");
    /* field names are case-sensitive */
    assert_refused(PARSE("Symbol", "EURUSD", "time", "1736935200", "price", "1.085"), "missing field symbol");
}

Test(ingest_entry, an_odd_number_of_fields)
{
    /* a trailing name without a value is not a field */
    assert_refused(PARSE("symbol", "EURUSD", "time", "1736935200", "price"), "missing field price");
    /* a trailing unknown name changes nothing */
    assert_ok(
        PARSE("symbol", "EURUSD", "time", "1736935200", "price", "1.085", "extra"), "EURUSD", T0_US, 1.085);
    /* a trailing "symbol" does not overwrite the symbol given */
    assert_ok(
        PARSE("symbol", "EURUSD", "time", "1736935200", "price", "1.085", "symbol"), "EURUSD", T0_US, 1.085);
}

Test(ingest_entry, values_of_64_bytes_or_more_are_refused)
{
    char v63[64], v64[65];
    /* 63 bytes: "1." and 61 zeros is a price of exactly 1 */
    memset(v63, '0', sizeof v63 - 1), v63[63] = '\0', v63[0] = '1', v63[1] = '.';
    assert_ok(parse_tick("EURUSD", "1736935200", v63), "EURUSD", T0_US, 1.0);
    memset(v64, '0', sizeof v64 - 1), v64[64] = '\0', v64[0] = '1', v64[1] = '.';
    assert_refused(parse_tick("EURUSD", "1736935200", v64), "field price is longer than 63 bytes");
    assert_refused(parse_tick(v64, "1736935200", "1.085"), "field symbol is longer than 63 bytes");
    assert_refused(parse_tick("EURUSD", v64, "1.085"), "field time is longer than 63 bytes");
}

Test(ingest_entry, symbols_are_normalised)
{
    assert_ok(parse_tick("eur/usd", "1736935200", "1.085"), "EURUSD", T0_US, 1.085);
    assert_ok(parse_tick("xau.usd_x-1", "1736935200", "2650.5"), "XAU.USD_X-1", T0_US, 2650.5);
    assert_ok(parse_tick("ABCDEFGHIJKLMNOP", "1736935200", "1.085"), "ABCDEFGHIJKLMNOP", T0_US, 1.085);
}

Test(ingest_entry, bad_symbols_are_refused)
{
    const char *bad[] = { "", "EUR USD", "EUR/", "/USD", "A/B/C", "EUR$", "ABCDEFGHIJKLMNOPQ", "ÉURUSD" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char reason[96];
        snprintf(reason, sizeof reason, "symbol \"%s\" is not", bad[i]);
        assert_refused(parse_tick(bad[i], "1736935200", "1.085"), reason);
    }
}

Test(ingest_entry, bad_times_are_refused)
{
    const char *bad[] = { "", "yesterday", "2025-13-01T00:00:00Z", "2025-02-29", "2025-01-15T24:00:00Z",
        "2025-01-15T10:00:60Z", "2025-01-15T10:00:00.1234567Z", "2025-01-15T10:00:00+24:00", "1736935200x",
        "1736935200 ", "1.2.3", "inf", "-inf", "nan", "1e400", "--5" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char reason[96];
        snprintf(reason, sizeof reason, "time \"%s\" is not", bad[i]);
        assert_refused(parse_tick("EURUSD", bad[i], "1.085"), reason);
    }
}

Test(ingest_entry, times_must_lie_in_1900_to_2199)
{
    /* 1900-01-01T00:00:00Z = -(70 * 365 + 17) days = -2208988800 s */
    assert_ok(
        parse_tick("EURUSD", "1900-01-01T00:00:00Z", "1.085"), "EURUSD", -2208988800LL * 1000000, 1.085);
    assert_ok(parse_tick("EURUSD", "-2208988800", "1.085"), "EURUSD", -2208988800LL * 1000000, 1.085);
    assert_refused(parse_tick("EURUSD", "1899-12-31T23:59:59.999999Z", "1.085"), "in 1900..2199");
    assert_refused(parse_tick("EURUSD", "-2208988801", "1.085"), "in 1900..2199");
    /* 00:30 at +01:00 is 1899-12-31T23:30Z */
    assert_refused(parse_tick("EURUSD", "1900-01-01T00:30:00+01:00", "1.085"), "in 1900..2199");
    /* 2200-01-01T00:00:00Z = (230 * 365 + 56) days = 7258118400 s, exclusive */
    assert_ok(parse_tick("EURUSD", "2199-12-31T23:59:59.999999Z", "1.085"), "EURUSD",
        7258118400LL * 1000000 - 1, 1.085);
    assert_refused(parse_tick("EURUSD", "2200-01-01T00:00:00Z", "1.085"), "in 1900..2199");
    assert_refused(parse_tick("EURUSD", "7258118400", "1.085"), "in 1900..2199");
    assert_ok(parse_tick("EURUSD", "7258118399", "1.085"), "EURUSD", 7258118399LL * 1000000, 1.085);
    /* huge numbers do not overflow into a valid time */
    assert_refused(parse_tick("EURUSD", "1e30", "1.085"), "time \"1e30\"");
    assert_refused(parse_tick("EURUSD", "-1e30", "1.085"), "time \"-1e30\"");
    assert_refused(parse_tick("EURUSD", "9999-12-31T23:59:59Z", "1.085"), "in 1900..2199");
}

Test(ingest_entry, prices_must_be_finite_numbers_above_zero)
{
    const char *bad[] = { "0", "0.0", "-0", "-1.5", "inf", "-inf", "infinity", "nan", "1.5x", "", "x",
        "1e400", "1e-400", "1.5 " };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char reason[96];
        snprintf(reason, sizeof reason, "price \"%s\" is not a finite number > 0", bad[i]);
        assert_refused(parse_tick("EURUSD", "1736935200", bad[i]), reason);
    }
    assert_ok(parse_tick("EURUSD", "1736935200", "150"), "EURUSD", T0_US, 150.0);
    assert_ok(parse_tick("EURUSD", "1736935200", "1e-8"), "EURUSD", T0_US, 1e-8);
    assert_ok(parse_tick("EURUSD", "1736935200", "1.0850"), "EURUSD", T0_US, 1.085);
}

Test(ingest_entry, the_first_problem_is_reported)
{
    /* symbol, then time, then price */
    assert_refused(parse_tick("EUR USD", "nope", "0"), "symbol \"EUR USD\"");
    assert_refused(parse_tick("EURUSD", "nope", "0"), "time \"nope\"");
}

Test(ingest_entry, a_short_reason_buffer_is_not_overrun)
{
    const char *fields[] = { "price", "1.085" };
    size_t lengths[] = { 5, 5 };
    struct fx_tick t;
    char why[12];
    memset(why, '#', sizeof why);
    cr_assert_eq(fx_ingest_parse_entry(fields, lengths, 2, &t, why, 8), -1);
    cr_assert_str_eq(why, "missing", "truncated to the 8 bytes given");
    cr_assert_eq(why[8], '#', "wrote past the length given");
}

Test(ingest_entry, values_are_taken_by_length_not_up_to_a_nul)
{
    /* Redis values are not NUL-terminated strings: lengths count, so a value
     * is read as its first `length` bytes even when more follow in memory. */
    const char *fields[] = { "symbolXX", "EURUSDGBP", "time", "1736935200999", "price", "1.0859" };
    size_t lengths[] = { 6, 6, 4, 10, 5, 5 };
    struct fx_tick t;
    char why[128];
    cr_assert_eq(fx_ingest_parse_entry(fields, lengths, 6, &t, why, sizeof why), 0, "%s", why);
    cr_assert_str_eq(t.symbol, "EURUSD");
    cr_assert_eq(t.time_us, T0_US);
    cr_assert_eq(t.price, 1.085);
}

Test(ingest_entry, a_nul_byte_inside_a_value_is_refused)
{
    /* "EURUSD\0GBP" must be dead-lettered, not stored as EURUSD */
    const char *fields[] = { "symbol", "EURUSD\0GBP", "time", "1736935200", "price", "1.5\0garbage" };
    size_t lengths[] = { 6, 10, 4, 10, 5, 11 };
    struct result r;
    memset(&r.tick, 0x5a, sizeof r.tick);
    r.rc = fx_ingest_parse_entry(fields, lengths, 6, &r.tick, r.why, sizeof r.why);
    assert_refused(r, "NUL");
    lengths[1] = 6; /* the symbol alone: then the price's NUL is refused */
    memset(&r.tick, 0x5a, sizeof r.tick);
    r.rc = fx_ingest_parse_entry(fields, lengths, 6, &r.tick, r.why, sizeof r.why);
    assert_refused(r, "price holds a NUL");
}

/* Numbers are plain decimals: strtod's extras (hex, spaces, inf) are refused. */
Test(ingest_entry, hex_spaces_and_special_numbers_are_refused)
{
    assert_refused(parse_tick("EURUSD", "1736935200", "0x1p0"), "price");
    assert_refused(parse_tick("EURUSD", "1736935200", " 1.5"), "price");
    assert_refused(parse_tick("EURUSD", "1736935200", "1.5 "), "price");
    assert_refused(parse_tick("EURUSD", "1736935200", "inf"), "price");
    assert_refused(parse_tick("EURUSD", "0x67878e20", "1.5"), "time");
    assert_refused(parse_tick("EURUSD", " 1736935200", "1.5"), "time");
    assert_ok(parse_tick("EURUSD", "1736935200", "1.5e0"), "EURUSD", T0_US, 1.5);
    cr_assert(fx_ingest_field_wanted("price", 5) && !fx_ingest_field_wanted("prices", 6) && !fx_ingest_field_wanted("bid", 3));
}
