/* fx-tickgen's pure parts: the tick file parsers, format detection, the
 * output formatting, and the random walk. */
#include "tickgen/formats.h"
#include "tickgen/walk.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* 2024-01-02T00:00:00Z in microseconds */
#define JAN2 (1704153600LL * 1000000LL)
#define HOUR (3600LL * 1000000LL)
#define MIN (60LL * 1000000LL)
#define SEC 1000000LL

static struct fxtg_tick good(enum fxtg_format fmt, const char *line, const char *sym)
{
    struct fxtg_tick t;
    char why[256] = "";
    int rc = fxtg_parse_line(fmt, line, sym, &t, why, sizeof why);
    cr_assert_eq(rc, FXTG_LINE_TICK, "%s: \"%s\" rejected: %s", fxtg_format_name(fmt), line, why);
    return t;
}

/* A malformed line: FXTG_LINE_BAD, *out untouched, `why` mentions `says`. */
static void bad(enum fxtg_format fmt, const char *line, const char *sym, const char *says)
{
    struct fxtg_tick t = { "UNTOUCHED", 42, 4.2 };
    char why[256] = "";
    int rc = fxtg_parse_line(fmt, line, sym, &t, why, sizeof why);
    cr_assert_eq(rc, FXTG_LINE_BAD, "%s: \"%s\" accepted", fxtg_format_name(fmt), line);
    cr_assert(strstr(why, says) != NULL, "%s: \"%s\": why \"%s\" lacks \"%s\"", fxtg_format_name(fmt), line,
        why, says);
    cr_assert_str_eq(t.symbol, "UNTOUCHED", "output written on failure");
    cr_assert_eq(t.time_us, 42);
}

static void skipped(enum fxtg_format fmt, const char *line)
{
    struct fxtg_tick t;
    char why[64];
    cr_assert_eq(fxtg_parse_line(fmt, line, "EURUSD", &t, why, sizeof why), FXTG_LINE_SKIP, "%s: \"%s\"",
        fxtg_format_name(fmt), line);
}

/* ---- plain ---------------------------------------------------------------- */

Test(plain, good_lines)
{
    struct fxtg_tick t = good(FXTG_FMT_PLAIN, "EURUSD,2024-01-02T03:04:05.123456Z,1.08123\n", NULL);
    cr_assert_str_eq(t.symbol, "EURUSD");
    cr_assert_eq(t.time_us, JAN2 + 3 * HOUR + 4 * MIN + 5 * SEC + 123456);
    cr_assert_eq(t.price, 1.08123);

    /* lower case and EUR/USD normalised, offsets applied, a space for T, CRLF, BOM */
    t = good(FXTG_FMT_PLAIN,
        "\xEF\xBB\xBF"
        "eur/usd, 2024-01-02 05:04:05+02:00 ,1.5\r\n",
        "IGNORED");
    cr_assert_str_eq(t.symbol, "EURUSD");
    cr_assert_eq(t.time_us, JAN2 + 3 * HOUR + 4 * MIN + 5 * SEC);
    t = good(FXTG_FMT_PLAIN, "USDJPY,2024-01-01T23:30:00.5-01:00,150.123", NULL);
    cr_assert_eq(t.time_us, JAN2 + 30 * MIN + 500000, "offset crosses midnight");
    cr_assert_eq(t.price, 150.123);
    t = good(FXTG_FMT_PLAIN, "X,2024-02-29t00:00:00z,1e-3", NULL);
    cr_assert_eq(t.price, 0.001);
}

Test(plain, header_and_blank_lines_are_skipped)
{
    skipped(FXTG_FMT_PLAIN, "symbol,time,price\n");
    skipped(FXTG_FMT_PLAIN, "Symbol,Time,Price\r\n");
    skipped(FXTG_FMT_PLAIN, "\n");
    skipped(FXTG_FMT_PLAIN, "  \r\n");
    skipped(FXTG_FMT_PLAIN, "");
}

Test(plain, malformed_lines)
{
    bad(FXTG_FMT_PLAIN, "EURUSD,2024-01-02T03:04:05Z", NULL, "expected 3 fields");
    bad(FXTG_FMT_PLAIN, "EURUSD,2024-01-02T03:04:05Z,1.1,7", NULL, "found 4");
    bad(FXTG_FMT_PLAIN, "EUR$USD,2024-01-02T03:04:05Z,1.1", NULL, "symbol \"EUR$USD\"");
    bad(FXTG_FMT_PLAIN, ",2024-01-02T03:04:05Z,1.1", NULL, "symbol");
    bad(FXTG_FMT_PLAIN, "ABCDEFGHIJKLMNOPQ,2024-01-02T03:04:05Z,1.1", NULL, "symbol");
    bad(FXTG_FMT_PLAIN, "EURUSD,2024-01-02T03:04:05,1.1", NULL, "not RFC 3339");
    bad(FXTG_FMT_PLAIN, "EURUSD,1704164645,1.1", NULL, "not RFC 3339");
    bad(FXTG_FMT_PLAIN, "EURUSD,2024-01-02T03:04:05.1234567Z,1.1", NULL, "not RFC 3339");
    bad(FXTG_FMT_PLAIN, "EURUSD,2023-02-29T03:04:05Z,1.1", NULL, "no such date");
    bad(FXTG_FMT_PLAIN, "EURUSD,2024-01-02T24:00:00Z,1.1", NULL, "out of range");
    bad(FXTG_FMT_PLAIN, "EURUSD,1899-12-31T23:59:59Z,1.1", NULL, "outside 1900..2199");
    const char *prices[] = { "0", "-1.1", "abc", "nan", "inf", "0x1p3", "1.1.1", "", "1,", "1e999" };
    for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++) {
        char line[80];
        snprintf(line, sizeof line, "EURUSD,2024-01-02T03:04:05Z,%s", prices[i]);
        bad(FXTG_FMT_PLAIN, line, NULL, strchr(prices[i], ',') ? "found 4" : "price");
    }
}

/* ---- HistData: fixed UTC-5 --------------------------------------------------- */

Test(histdata, est_is_converted_to_utc)
{
    struct fxtg_tick t = good(FXTG_FMT_HISTDATA, "20240101 170000123,1.10381,1.10389,0\r\n", "eurusd");
    cr_assert_str_eq(t.symbol, "EURUSD");
    cr_assert_eq(t.time_us, JAN2 - 2 * HOUR + 123000, "17:00 EST is 22:00 UTC");
    cr_assert_eq(t.price, 1.10385, "mid");
    /* no DST: a July time is UTC-5 as well */
    t = good(FXTG_FMT_HISTDATA, "20240701 120000000,1.1,1.1,0", "EURUSD");
    cr_assert_eq(t.time_us, 1719835200LL * SEC + 5 * HOUR);
}

Test(histdata, across_midnight_month_and_year)
{
    /* 20:30 EST on New Year's Eve is 01:30 UTC on New Year's Day */
    struct fxtg_tick t = good(FXTG_FMT_HISTDATA, "20231231 203000500,1.10381,1.10384,0", "EURUSD");
    cr_assert_eq(t.time_us, JAN2 - 24 * HOUR + 90 * MIN + 500000);
    cr_assert_eq(t.price, 1.103825, "mid keeps the half pip");
    /* 23:59:59.999 EST on 28 Feb of a leap year is 04:59:59.999 on the 29th */
    t = good(FXTG_FMT_HISTDATA, "20240228 235959999,150.123,150.125,0", "USDJPY");
    cr_assert_eq(t.time_us, 1709164800LL * SEC + 4 * HOUR + 59 * MIN + 59 * SEC + 999000);
    cr_assert_eq(t.price, 150.124);
    /* just before midnight UTC stays on the same UTC day */
    t = good(FXTG_FMT_HISTDATA, "20240101 185959999,1,1,0", "EURUSD");
    cr_assert_eq(t.time_us, JAN2 - 1000);
}

Test(histdata, needs_a_symbol)
{
    bad(FXTG_FMT_HISTDATA, "20240101 170000123,1.10381,1.10389,0", NULL, "give --symbol");
    bad(FXTG_FMT_HISTDATA, "20240101 170000123,1.10381,1.10389,0", "", "give --symbol");
    bad(FXTG_FMT_HISTDATA, "20240101 170000123,1.10381,1.10389,0", "EUR USD", "symbol");
    cr_assert(fxtg_format_needs_symbol(FXTG_FMT_HISTDATA));
    cr_assert(fxtg_format_needs_symbol(FXTG_FMT_DUKASCOPY));
    cr_assert_not(fxtg_format_needs_symbol(FXTG_FMT_PLAIN));
    cr_assert_not(fxtg_format_needs_symbol(FXTG_FMT_TRUEFX));
}

Test(histdata, malformed_lines)
{
    const char *s = "EURUSD";
    bad(FXTG_FMT_HISTDATA, "20240101 170000123,1.10381,1.10389", s, "expected 4 fields");
    bad(FXTG_FMT_HISTDATA, "20240101 170000123,1.1,1.1,0,0", s, "found 5");
    bad(FXTG_FMT_HISTDATA, "20240101 17000012,1.1,1.1,0", s, "not YYYYMMDD HHMMSSmmm");
    bad(FXTG_FMT_HISTDATA, "20240101170000123,1.1,1.1,0", s, "not YYYYMMDD HHMMSSmmm");
    bad(FXTG_FMT_HISTDATA, "2024-01-01 170000123,1.1,1.1,0", s, "not YYYYMMDD HHMMSSmmm");
    bad(FXTG_FMT_HISTDATA, "20241301 170000123,1.1,1.1,0", s, "no such date");
    bad(FXTG_FMT_HISTDATA, "20240101 176000123,1.1,1.1,0", s, "out of range");
    bad(FXTG_FMT_HISTDATA, "20240101 170000123,x,1.1,0", s, "bid \"x\"");
    bad(FXTG_FMT_HISTDATA, "20240101 170000123,1.1,0,0", s, "ask \"0\"");
    bad(FXTG_FMT_HISTDATA, "20240101 170000123,1.1,1.1,-1", s, "volume \"-1\"");
    bad(FXTG_FMT_HISTDATA, "20240101 170000123,1.1,1.1,", s, "volume");
}

/* ---- Dukascopy: DD.MM.YYYY, ask before bid ------------------------------------- */

Test(dukascopy, good_lines)
{
    skipped(FXTG_FMT_DUKASCOPY, "Gmt time,Ask,Bid,AskVolume,BidVolume\r\n");
    struct fxtg_tick t
        = good(FXTG_FMT_DUKASCOPY, "02.01.2024 03:04:05.678,1.10390,1.10380,1.5,2.25", "EURUSD");
    cr_assert_eq(t.time_us, JAN2 + 3 * HOUR + 4 * MIN + 5 * SEC + 678000, "day first, then month: 2 January");
    cr_assert_eq(t.price, 1.10385);
    cr_assert_str_eq(t.symbol, "EURUSD");
    /* day 13 is a day, not a month */
    t = good(FXTG_FMT_DUKASCOPY, "13.01.2024 00:00:00.000,1.1,1.1,0,0", "EURUSD");
    cr_assert_eq(t.time_us, JAN2 + 11 * 24 * HOUR);
}

Test(dukascopy, malformed_lines)
{
    const char *s = "EURUSD";
    bad(FXTG_FMT_DUKASCOPY, "02.01.2024 03:04:05.678,1.1,1.1,1", s, "expected 5 fields");
    bad(FXTG_FMT_DUKASCOPY, "01.13.2024 03:04:05.678,1.1,1.1,1,1", s, "no such date"); /* month first */
    bad(FXTG_FMT_DUKASCOPY, "2024.01.02 03:04:05.678,1.1,1.1,1,1", s, "not DD.MM.YYYY HH:MM:SS.mmm");
    bad(FXTG_FMT_DUKASCOPY, "02.01.2024 3:04:05.678,1.1,1.1,1,1", s, "not DD.MM.YYYY HH:MM:SS.mmm");
    bad(FXTG_FMT_DUKASCOPY, "02.01.2024 03:04:05.,1.1,1.1,1,1", s, "not DD.MM.YYYY HH:MM:SS.mmm");
    bad(FXTG_FMT_DUKASCOPY, "02.01.2024 03:04:05.678,-1.1,1.1,1,1", s, "ask \"-1.1\"");
    bad(FXTG_FMT_DUKASCOPY, "02.01.2024 03:04:05.678,1.1,bid,1,1", s, "bid \"bid\"");
    bad(FXTG_FMT_DUKASCOPY, "02.01.2024 03:04:05.678,1.1,1.1,x,1", s, "ask volume");
    bad(FXTG_FMT_DUKASCOPY, "02.01.2024 03:04:05.678,1.1,1.1,1,y", s, "bid volume");
    bad(FXTG_FMT_DUKASCOPY, "02.01.2024 03:04:05.678,1.1,1.1,1,1", NULL, "give --symbol");
}

/* ---- TrueFX: the symbol with a slash ---------------------------------------------- */

Test(truefx, good_lines)
{
    struct fxtg_tick t = good(FXTG_FMT_TRUEFX, "EUR/USD,20240102 03:04:05.678,1.10381,1.10389\n", "IGNORED");
    cr_assert_str_eq(t.symbol, "EURUSD", "slash removed, --symbol ignored");
    cr_assert_eq(t.time_us, JAN2 + 3 * HOUR + 4 * MIN + 5 * SEC + 678000, "UTC");
    cr_assert_eq(t.price, 1.10385);
    t = good(FXTG_FMT_TRUEFX, "USD/JPY,20240102 00:00:00.000,150.123,150.128", NULL);
    cr_assert_str_eq(t.symbol, "USDJPY");
    cr_assert_eq(t.price, 150.1255);
    cr_assert_eq(t.time_us, JAN2);
}

Test(truefx, malformed_lines)
{
    bad(FXTG_FMT_TRUEFX, "EUR/USD,20240102 03:04:05.678,1.10381", NULL, "expected 4 fields");
    bad(FXTG_FMT_TRUEFX, "EUR//USD,20240102 03:04:05.678,1.1,1.1", NULL, "symbol \"EUR//USD\"");
    bad(FXTG_FMT_TRUEFX, "EUR/,20240102 03:04:05.678,1.1,1.1", NULL, "symbol");
    bad(FXTG_FMT_TRUEFX, "EUR/USD,20240102 3:04:05.678,1.1,1.1", NULL, "not YYYYMMDD HH:MM:SS.mmm");
    bad(FXTG_FMT_TRUEFX, "EUR/USD,20240102T03:04:05.678,1.1,1.1", NULL, "not YYYYMMDD HH:MM:SS.mmm");
    bad(FXTG_FMT_TRUEFX, "EUR/USD,20240230 03:04:05.678,1.1,1.1", NULL, "no such date");
    bad(FXTG_FMT_TRUEFX, "EUR/USD,20240102 03:04:05.678,1.1,", NULL, "ask");
}

/* ---- detection ------------------------------------------------------------------- */

Test(detect, each_format_from_its_first_line)
{
    cr_assert_eq(fxtg_detect_format("symbol,time,price\n"), FXTG_FMT_PLAIN);
    cr_assert_eq(fxtg_detect_format("EURUSD,2024-01-02T03:04:05Z,1.08123\n"), FXTG_FMT_PLAIN);
    cr_assert_eq(fxtg_detect_format("20240101 170000123,1.10381,1.10389,0\r\n"), FXTG_FMT_HISTDATA);
    cr_assert_eq(
        fxtg_detect_format("\xEF\xBB\xBFGmt time,Ask,Bid,AskVolume,BidVolume\r\n"), FXTG_FMT_DUKASCOPY);
    cr_assert_eq(fxtg_detect_format("02.01.2024 03:04:05.678,1.1,1.1,1,1"), FXTG_FMT_DUKASCOPY);
    cr_assert_eq(fxtg_detect_format("EUR/USD,20240102 03:04:05.678,1.10381,1.10389"), FXTG_FMT_TRUEFX);
}

Test(detect, unknown_lines)
{
    const char *lines[] = { "", "\r\n", "hello", "1,2,3", "time,bid,ask", "EURUSD,2024-01-02,1.1",
        "20240101 170000123;1.1;1.1;0" };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        cr_assert_eq(fxtg_detect_format(lines[i]), FXTG_FMT_UNKNOWN, "\"%s\"", lines[i]);
}

Test(detect, names)
{
    for (int f = FXTG_FMT_PLAIN; f <= FXTG_FMT_TRUEFX; f++)
        cr_assert_eq(fxtg_format_parse(fxtg_format_name((enum fxtg_format)f)), f);
    cr_assert_eq(fxtg_format_parse("TrueFX"), FXTG_FMT_TRUEFX);
    cr_assert_eq(fxtg_format_parse("csv"), FXTG_FMT_UNKNOWN);
    cr_assert_eq(fxtg_format_parse(NULL), FXTG_FMT_UNKNOWN);
    cr_assert_str_eq(fxtg_format_name(FXTG_FMT_UNKNOWN), "unknown");
}

/* ---- output ----------------------------------------------------------------------- */

Test(output, times_and_prices)
{
    char b[FXTG_TIME_STR_MAX], p[FXTG_PRICE_STR_MAX];
    cr_assert_str_eq(fxtg_time_format(0, b), "1970-01-01T00:00:00.000000Z");
    cr_assert_str_eq(fxtg_time_format(-1, b), "1969-12-31T23:59:59.999999Z");
    cr_assert_str_eq(fxtg_time_format(JAN2 + 3 * HOUR + 123456, b), "2024-01-02T03:00:00.123456Z");
    cr_assert_str_eq(fxtg_price_format(1.08124, p), "1.08124");
    cr_assert_str_eq(fxtg_price_format(150.124, p), "150.124");
    cr_assert_str_eq(fxtg_price_format(0.1 + 0.2, p), "0.30000000000000004");
    /* what the parser reads, the formatter writes back */
    struct fxtg_tick t = good(FXTG_FMT_PLAIN, "EURUSD,2024-01-02T03:04:05.000001Z,1.081235", NULL);
    cr_assert_str_eq(fxtg_time_format(t.time_us, b), "2024-01-02T03:04:05.000001Z");
    cr_assert_str_eq(fxtg_price_format(t.price, p), "1.081235");
}

/* ---- the random walk ------------------------------------------------------------------ */

static const char *const majors[] = { "EURUSD", "GBPUSD", "USDJPY" };

Test(walk, start_prices_and_decimals)
{
    cr_assert_eq(fxtg_pair_decimals("USDJPY"), 3);
    cr_assert_eq(fxtg_pair_decimals("EURJPY"), 3);
    cr_assert_eq(fxtg_pair_decimals("EURUSD"), 5);
    cr_assert_eq(fxtg_pair_decimals("XYZ"), 5);
    cr_assert_eq(fxtg_pair_start_price("EURUSD"), 1.08);
    cr_assert_eq(fxtg_pair_start_price("GBPUSD"), 1.27);
    cr_assert_eq(fxtg_pair_start_price("USDJPY"), 150.0);
    cr_assert_eq(fxtg_pair_start_price("ABCDEF"), 1.0);

    struct fxtg_walk w;
    cr_assert_eq(fxtg_walk_init(&w, majors, 3, 2e-5, 1), 0);
    cr_assert_float_eq(fxtg_walk_next(&w, 0), 1.08, 0.001);
    cr_assert_float_eq(fxtg_walk_next(&w, 1), 1.27, 0.001);
    cr_assert_float_eq(fxtg_walk_next(&w, 2), 150.0, 0.1);
}

Test(walk, rejects_bad_arguments)
{
    struct fxtg_walk w;
    cr_assert_eq(fxtg_walk_init(&w, majors, 0, 2e-5, 1), -1);
    cr_assert_eq(fxtg_walk_init(&w, majors, FXTG_WALK_MAX + 1, 2e-5, 1), -1);
    cr_assert_eq(fxtg_walk_init(&w, majors, 3, 0, 1), -1);
    cr_assert_eq(fxtg_walk_init(&w, majors, 3, -1e-5, 1), -1);
    cr_assert_eq(fxtg_walk_init(&w, majors, 3, NAN, 1), -1);
}

/* Is `p` a whole number of 10^-decimals? */
static int on_grid(double p, int decimals)
{
    double scaled = p * pow(10, decimals);
    return fabs(scaled - round(scaled)) < 1e-6 * fmax(1, scaled);
}

Test(walk, prices_stay_positive_and_rounded)
{
    struct fxtg_walk w;
    /* a volatility far beyond any market, to push prices towards 0 */
    cr_assert_eq(fxtg_walk_init(&w, majors, 3, 0.05, 7), 0);
    double lowest = INFINITY;
    for (int k = 0; k < 300000; k++) {
        size_t i = (size_t)k % 3;
        double p = fxtg_walk_next(&w, i);
        cr_assert(isfinite(p) && p > 0, "step %d: price %g", k, p);
        int d = i == 2 ? 3 : 5;
        if (k < 3000)
            cr_assert(on_grid(p, d), "step %d: %s price %.10f not to %d decimals", k, majors[i], p, d);
        if (!on_grid(p, d)) cr_assert_eq(p, pow(10, -d), "only the one-pip floor may look off-grid");
        lowest = fmin(lowest, p);
    }
    cr_assert(lowest > 0);
}

Test(walk, jpy_rounds_to_3_decimals)
{
    const char *pairs[] = { "USDJPY", "EURJPY", "GBPJPY", "CADJPY" };
    struct fxtg_walk w;
    cr_assert_eq(fxtg_walk_init(&w, pairs, 4, 2e-5, 3), 0);
    int moved = 0;
    double prev = 0;
    for (int k = 0; k < 4000; k++) {
        double p = fxtg_walk_next(&w, (size_t)k % 4);
        cr_assert(on_grid(p, 3), "%s: %.10f", pairs[k % 4], p);
        if (k % 4 == 0) moved += p != prev, prev = p;
    }
    cr_assert_gt(moved, 100, "the price moves (USDJPY moved %d times in 1000 steps)", moved);
    cr_assert_float_eq(fxtg_pair_start_price("CADJPY"), 100.0, 1e-9);
}

Test(walk, same_seed_same_prices)
{
    struct fxtg_walk a, b, c;
    fxtg_walk_init(&a, majors, 3, 2e-5, 12345);
    fxtg_walk_init(&b, majors, 3, 2e-5, 12345);
    fxtg_walk_init(&c, majors, 3, 2e-5, 12346);
    int differ = 0;
    for (int k = 0; k < 10000; k++) {
        size_t i = (size_t)k % 3;
        double pa = fxtg_walk_next(&a, i), pb = fxtg_walk_next(&b, i), pc = fxtg_walk_next(&c, i);
        cr_assert_eq(pa, pb, "step %d", k);
        differ += pa != pc;
    }
    cr_assert_gt(differ, 1000, "another seed gives other prices");
}
