/*
 * fx_time_parse / fx_time_format: RFC 3339 as the API reads and writes times (base/rfc3339.h).
 * Expected instants were computed independently (Python's datetime); the
 * sweep tests compare with glibc's timegm/gmtime_r, used here only as a
 * reference.
 */
#include "base/rfc3339.h"

#include "base/errors.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#define US 1000000LL
#define SENTINEL 0x5a5a5a5a5a5a5a5aLL

static int64_t parse_ok(const char *s)
{
    int64_t us = SENTINEL;
    cr_assert_eq(fx_time_parse(s, &us), 0, "expected \"%s\" to parse", s);
    return us;
}

static void expect_rejected(const char *s)
{
    int64_t us = SENTINEL;
    cr_expect_eq(fx_time_parse(s, &us), FX_EINVAL, "expected \"%s\" to be rejected", s);
    cr_expect_eq(us, SENTINEL, "output written although \"%s\" was rejected", s);
}

static void expect_format(int64_t us, const char *want)
{
    char buf[FX_TIME_STR_MAX];
    cr_expect_eq(fx_time_format(us, buf), buf);
    cr_expect_str_eq(buf, want, "format(%lld)", (long long)us);
}

static void expect_round_trip(const char *s)
{
    char buf[FX_TIME_STR_MAX];
    cr_expect_str_eq(fx_time_format(parse_ok(s), buf), s);
}

/* ---- parsing ------------------------------------------------------------ */

Test(time_parse, utc_with_z_is_the_unix_epoch_offset)
{
    cr_expect_eq(parse_ok("1970-01-01T00:00:00Z"), 0);
    cr_expect_eq(parse_ok("2025-12-05T10:00:00Z"), 1764928800LL * US);
}

Test(time_parse, fraction_of_one_to_six_digits_is_scaled_to_microseconds)
{
    int64_t base = 1764928800LL * US;
    cr_expect_eq(parse_ok("2025-12-05T10:00:00.1Z"), base + 100000);
    cr_expect_eq(parse_ok("2025-12-05T10:00:00.12Z"), base + 120000);
    cr_expect_eq(parse_ok("2025-12-05T10:00:00.123Z"), base + 123000);
    cr_expect_eq(parse_ok("2025-12-05T10:00:00.000001Z"), base + 1);
    cr_expect_eq(parse_ok("2025-12-05T10:00:00.123456Z"), base + 123456);
    cr_expect_eq(parse_ok("2025-12-05T10:00:00.000000Z"), base);
}

Test(time_parse, no_offset_means_utc)
{
    cr_expect_eq(parse_ok("2025-12-05T10:00:00"), 1764928800LL * US);
    cr_expect_eq(parse_ok("2025-12-05T10:00:00.5"), 1764928800LL * US + 500000);
}

Test(time_parse, bare_date_is_midnight_utc)
{
    cr_expect_eq(parse_ok("2025-12-05"), parse_ok("2025-12-05T00:00:00Z"));
    cr_expect_eq(parse_ok("1970-01-01"), 0);
}

Test(time_parse, space_and_lower_case_t_and_z_are_accepted)
{
    int64_t want = 1764928800LL * US;
    cr_expect_eq(parse_ok("2025-12-05 10:00:00Z"), want);
    cr_expect_eq(parse_ok("2025-12-05t10:00:00z"), want);
    cr_expect_eq(parse_ok("2025-12-05 10:00:00"), want);
}

Test(time_parse, positive_offset_is_normalised_to_utc)
{
    cr_expect_eq(parse_ok("2025-12-05T12:00:00+02:00"), parse_ok("2025-12-05T10:00:00Z"));
    cr_expect_eq(parse_ok("2025-12-05T12:00:00.25+02:00"), parse_ok("2025-12-05T10:00:00.25Z"));
}

Test(time_parse, negative_offset_with_minutes_is_normalised_to_utc)
{
    cr_expect_eq(parse_ok("2025-12-05T04:30:00-05:30"), parse_ok("2025-12-05T10:00:00Z"));
}

Test(time_parse, offset_can_move_the_instant_across_midnight_and_year_end)
{
    cr_expect_eq(parse_ok("2025-12-31T23:30:00-01:00"), parse_ok("2026-01-01T00:30:00Z"));
    cr_expect_eq(parse_ok("2026-01-01T00:30:00+01:00"), parse_ok("2025-12-31T23:30:00Z"));
}

Test(time_parse, zero_offsets_and_the_largest_offsets_are_accepted)
{
    int64_t utc = parse_ok("2025-12-05T10:00:00Z");
    cr_expect_eq(parse_ok("2025-12-05T10:00:00+00:00"), utc);
    cr_expect_eq(parse_ok("2025-12-05T10:00:00-00:00"), utc);
    cr_expect_eq(parse_ok("2025-12-05T10:00:00+23:59"), utc - (23 * 3600 + 59 * 60) * US);
    cr_expect_eq(parse_ok("2025-12-05T10:00:00-23:59"), utc + (23 * 3600 + 59 * 60) * US);
}

Test(time_parse, times_before_1970_are_negative)
{
    cr_expect_eq(parse_ok("1969-12-31T23:59:59Z"), -1 * US);
    cr_expect_eq(parse_ok("1969-12-31T23:59:59.999999Z"), -1);
    cr_expect_eq(parse_ok("1969-07-20T20:17:40Z"), -14182940LL * US);
    cr_expect_eq(parse_ok("1900-03-01"), -2203891200LL * US);
}

Test(time_parse, february_29_exists_only_in_leap_years)
{
    cr_expect_eq(parse_ok("2024-02-29T12:00:00Z"), 1709208000LL * US);
    cr_expect_eq(parse_ok("2000-02-29"), 951782400LL * US); /* divisible by 400 */
    cr_expect_eq(parse_ok("1600-02-29"), -11670998400LL * US);
    expect_rejected("2023-02-29"); /* not divisible by 4 */
    expect_rejected("1900-02-29"); /* divisible by 100, not by 400 */
    expect_rejected("2100-02-29T00:00:00Z");
}

Test(time_parse, first_and_last_supported_instants)
{
    cr_expect_eq(parse_ok("0001-01-01T00:00:00Z"), -62135596800LL * US);
    cr_expect_eq(parse_ok("9999-12-31T23:59:59.999999Z"), 253402300799999999LL);
}

Test(time_parse, last_day_of_every_month_is_accepted)
{
    const char *days[] = { "2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31", "2025-06-30",
        "2025-07-31", "2025-08-31", "2025-09-30", "2025-10-31", "2025-11-30", "2025-12-31" };
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        parse_ok(days[i]);
}

/* ---- rejections --------------------------------------------------------- */

Test(time_parse_rejects, empty_and_null_input)
{
    int64_t us = SENTINEL;
    expect_rejected("");
    cr_expect_eq(fx_time_parse(NULL, &us), FX_EINVAL);
    cr_expect_eq(fx_time_parse("2025-12-05", NULL), FX_EINVAL);
}

Test(time_parse_rejects, leading_and_trailing_spaces)
{
    expect_rejected(" 2025-12-05T10:00:00Z");
    expect_rejected("2025-12-05T10:00:00Z ");
    expect_rejected("2025-12-05 ");
    expect_rejected("2025-12-05T10:00:00\n");
}

Test(time_parse_rejects, trailing_garbage)
{
    expect_rejected("2025-12-05T10:00:00Zx");
    expect_rejected("2025-12-05T10:00:00ZZ");
    expect_rejected("2025-12-05T10:00:00+02:00:00");
    expect_rejected("2025-12-05x");
    expect_rejected("2025-12-05T");
    expect_rejected("2025-12-05T10:00:00.");
}

Test(time_parse_rejects, more_than_six_fraction_digits)
{
    expect_rejected("2025-12-05T10:00:00.1234567Z");
    expect_rejected("2025-12-05T10:00:00.0000000Z");
    expect_rejected("2025-12-05T10:00:00.123456789");
}

Test(time_parse_rejects, month_out_of_range)
{
    expect_rejected("2025-13-01");
    expect_rejected("2025-00-10");
}

Test(time_parse_rejects, day_out_of_range_for_its_month)
{
    expect_rejected("2025-01-32");
    expect_rejected("2025-01-00");
    expect_rejected("2025-02-30");
    expect_rejected("2024-02-30");
    expect_rejected("2025-04-31");
    expect_rejected("2025-06-31T00:00:00Z");
    expect_rejected("2025-09-31");
    expect_rejected("2025-11-31");
}

Test(time_parse_rejects, hour_24_minute_60_and_leap_second_60)
{
    expect_rejected("2025-12-05T24:00:00Z");
    expect_rejected("2025-12-05T10:60:00Z");
    expect_rejected("2025-12-05T10:00:60Z");
    expect_rejected("2016-12-31T23:59:60Z"); /* a real leap second: still rejected */
}

Test(time_parse_rejects, offsets_beyond_23_59)
{
    expect_rejected("2025-12-05T10:00:00+24:00");
    expect_rejected("2025-12-05T10:00:00-24:00");
    expect_rejected("2025-12-05T10:00:00+02:60");
    expect_rejected("2025-12-05T10:00:00+99:00");
}

Test(time_parse_rejects, malformed_offsets)
{
    expect_rejected("2025-12-05T10:00:00+0200");
    expect_rejected("2025-12-05T10:00:00+02");
    expect_rejected("2025-12-05T10:00:00+2:00");
    expect_rejected("2025-12-05T10:00:00 +02:00");
    expect_rejected("2025-12-05T10:00:00UTC");
}

Test(time_parse_rejects, year_zero_and_years_beyond_9999)
{
    expect_rejected("0000-01-01");
    expect_rejected("0000-12-31T23:59:59Z");
    expect_rejected("10000-01-01");
    expect_rejected("+2025-12-05");
    expect_rejected("-0001-01-01");
}

Test(time_parse_rejects, offsets_that_leave_the_supported_range)
{
    expect_rejected("0001-01-01T00:00:00+00:01");
    expect_rejected("9999-12-31T23:59:59-00:01");
    parse_ok("0001-01-01T00:00:00-00:01");
    parse_ok("9999-12-31T23:59:59+00:01");
}

Test(time_parse_rejects, wrong_widths_and_separators)
{
    expect_rejected("2025-12-5");
    expect_rejected("2025-1-05");
    expect_rejected("25-12-05");
    expect_rejected("2025/12/05");
    expect_rejected("20251205");
    expect_rejected("2025-12-05T10:00Z"); /* seconds are required */
    expect_rejected("2025-12-05T1:00:00Z");
    expect_rejected("2025-12-05T10-00-00Z");
    expect_rejected("2025-12-05_10:00:00Z");
    expect_rejected("2025-12-05  10:00:00Z");
    expect_rejected("2025-12-05T10:00:00,5Z");
    expect_rejected("2025-12-05T10:00:00.Z");
    expect_rejected("2025-12-05T10:00:00.+02:00");
}

Test(time_parse_rejects, non_digits_in_numeric_fields)
{
    expect_rejected("2O25-12-05");
    expect_rejected("2025-1a-05");
    expect_rejected("2025-12-05T1a:00:00Z");
    expect_rejected("2025-12-05T10:00:00.12a4Z");
    expect_rejected("2025-12-05T10:00:00+0a:00");
    expect_rejected("yesterday");
}

/* ---- formatting --------------------------------------------------------- */

Test(time_format, whole_seconds_have_no_fraction)
{
    expect_format(0, "1970-01-01T00:00:00Z");
    expect_format(1764928800LL * US, "2025-12-05T10:00:00Z");
}

Test(time_format, non_zero_fraction_always_has_six_digits)
{
    expect_format(1764928800LL * US + 123456, "2025-12-05T10:00:00.123456Z");
    expect_format(1764928800LL * US + 500000, "2025-12-05T10:00:00.500000Z");
    expect_format(1764928800LL * US + 1, "2025-12-05T10:00:00.000001Z");
}

Test(time_format, times_before_1970_count_backwards_from_the_epoch)
{
    expect_format(-1, "1969-12-31T23:59:59.999999Z");
    expect_format(-1 * US, "1969-12-31T23:59:59Z");
    expect_format(-1 * US - 1, "1969-12-31T23:59:58.999999Z");
    expect_format(-86400LL * US, "1969-12-31T00:00:00Z");
    expect_format(-14182940LL * US, "1969-07-20T20:17:40Z");
    expect_format(-2203891200LL * US, "1900-03-01T00:00:00Z");
}

Test(time_format, leap_days)
{
    expect_format(951782400LL * US, "2000-02-29T00:00:00Z");
    expect_format(-11670998400LL * US, "1600-02-29T00:00:00Z");
    expect_format(1709208000LL * US, "2024-02-29T12:00:00Z");
}

Test(time_format, first_and_last_supported_instants)
{
    expect_format(-62135596800LL * US, "0001-01-01T00:00:00Z");
    expect_format(253402300799999999LL, "9999-12-31T23:59:59.999999Z");
}

Test(time_format, years_outside_0_to_9999_get_a_signed_expanded_year)
{
    expect_format(253402300800LL * US, "+10000-01-01T00:00:00Z");
    expect_format(-62135596800LL * US - 1, "0000-12-31T23:59:59.999999Z");
    expect_format(-62167219200LL * US - 1, "-0001-12-31T23:59:59.999999Z");
}

Test(time_format, extreme_int64_values_fit_the_buffer)
{
    char buf[FX_TIME_STR_MAX];
    cr_expect_str_eq(fx_time_format(INT64_MAX, buf), "+294247-01-10T04:00:54.775807Z");
    cr_expect_str_eq(fx_time_format(INT64_MIN, buf), "-290308-12-21T19:59:05.224192Z");
}

Test(time_format, null_buffer_returns_null) { cr_expect_null(fx_time_format(0, NULL)); }

/* ---- round trips -------------------------------------------------------- */

Test(time_round_trip, formatted_times_parse_back_unchanged)
{
    expect_round_trip("2025-12-05T10:00:00Z");
    expect_round_trip("2025-12-05T10:00:00.123456Z");
    expect_round_trip("1969-12-31T23:59:59.999999Z");
    expect_round_trip("0001-01-01T00:00:00Z");
    expect_round_trip("9999-12-31T23:59:59.999999Z");
    expect_round_trip("2024-02-29T23:59:59.000001Z");
}

Test(time_round_trip, microseconds_are_preserved_for_every_fraction_digit_position)
{
    int64_t base = parse_ok("2025-12-05T10:00:00Z");
    for (int64_t f = 1; f < US; f *= 10) {
        char buf[FX_TIME_STR_MAX];
        for (int64_t us = base - f; us <= base + f; us += f)
            cr_expect_eq(parse_ok(fx_time_format(us, buf)), us, "%s", buf);
    }
}

/* Every day of years 1..9999, through both functions: each day is exactly
 * 86 400 s after the previous one and reads back to the same instant. */
Test(time_round_trip, every_day_from_year_1_to_9999)
{
    char buf[FX_TIME_STR_MAX];
    int64_t first = parse_ok("0001-01-01T00:00:00Z") / US / 86400;
    int64_t last = parse_ok("9999-12-31T00:00:00Z") / US / 86400;
    for (int64_t d = first; d <= last; d++) {
        int64_t us = (d * 86400 + 45296) * US + 789; /* 12:34:56.000789 */
        fx_time_format(us, buf);
        int64_t back = SENTINEL;
        if (fx_time_parse(buf, &back) != 0 || back != us || strcmp(buf + 10, "T12:34:56.000789Z") != 0)
            cr_assert_fail("day %lld: %s -> %lld", (long long)d, buf, (long long)back);
    }
}

/* A pseudo-random sweep over 1900..2199, compared with glibc. */
Test(time_round_trip, agrees_with_the_c_library_reference)
{
    uint64_t state = 88172645463325252ULL;
    int64_t lo = -2208988800LL, span = 7258118400LL - lo;
    for (int i = 0; i < 200000; i++) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17; /* xorshift64 */
        time_t t = (time_t)(lo + (int64_t)(state % (uint64_t)span));
        struct tm tm;
        char want[64], got[FX_TIME_STR_MAX];
        gmtime_r(&t, &tm);
        strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
        fx_time_format((int64_t)t * US, got);
        if (strcmp(got, want) != 0 || parse_ok(want) != (int64_t)t * US)
            cr_assert_fail("t=%lld: want %s, got %s", (long long)t, want, got);
    }
}

Test(rfc3339, the_length_aware_form_reads_exactly_len_bytes)
{
    int64_t us = SENTINEL;
    cr_expect_eq(fx_time_parse_n("2025-12-05T10:00:00Zjunk", 20, &us), 0);
    cr_expect_eq(us, 1764928800LL * US);
    cr_expect_eq(fx_time_parse_n("2025-12-05T10:00:00Z\0x", 22, &us), FX_EINVAL, "an embedded NUL is not the end");
    cr_expect_eq(fx_time_parse_n("2025-12-05", 4, &us), FX_EINVAL);
}
