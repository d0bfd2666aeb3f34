/* The tick file parsers and format detection (base/tickfile.h). */
#include "base/tickfile.h"
#include "base/errors.h"
#include "base/price.h"
#include "base/rfc3339.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* 2024-01-02T00:00:00Z in microseconds */
#define JAN2 (1704153600LL * 1000000LL)
#define HOUR (3600LL * 1000000LL)
#define MIN (60LL * 1000000LL)
#define SEC 1000000LL

static struct fx_tick good(enum fx_tickfile_format fmt, const char *line, const char *sym)
{
    struct fx_tick t;
    char why[256] = "";
    int rc = fx_tickfile_parse_line(fmt, line, sym, &t, why, sizeof why);
    cr_assert_eq(rc, FX_TICKFILE_TICK, "%s: \"%s\" rejected: %s", fx_tickfile_format_name(fmt), line, why);
    return t;
}

/* A malformed line: FX_EINVAL, *out untouched, `why` mentions `says`. */
static void bad(enum fx_tickfile_format fmt, const char *line, const char *sym, const char *says)
{
    struct fx_tick t = { "UNTOUCHED", 42, 4.2, 0 };
    char why[256] = "";
    int rc = fx_tickfile_parse_line(fmt, line, sym, &t, why, sizeof why);
    cr_assert_eq(rc, FX_EINVAL, "%s: \"%s\" accepted", fx_tickfile_format_name(fmt), line);
    cr_assert(strstr(why, says) != NULL, "%s: \"%s\": why \"%s\" lacks \"%s\"", fx_tickfile_format_name(fmt), line,
        why, says);
    cr_assert_str_eq(t.symbol, "UNTOUCHED", "output written on failure");
    cr_assert_eq(t.time_us, 42);
}

static void skipped(enum fx_tickfile_format fmt, const char *line)
{
    struct fx_tick t;
    char why[64];
    cr_assert_eq(fx_tickfile_parse_line(fmt, line, "EURUSD", &t, why, sizeof why), FX_TICKFILE_SKIP, "%s: \"%s\"",
        fx_tickfile_format_name(fmt), line);
}

/* ---- plain ---------------------------------------------------------------- */

Test(plain, good_lines)
{
    struct fx_tick t = good(FX_TICKFILE_PLAIN, "EURUSD,2024-01-02T03:04:05.123456Z,1.08123\n", NULL);
    cr_assert_str_eq(t.symbol, "EURUSD");
    cr_assert_eq(t.time_us, JAN2 + 3 * HOUR + 4 * MIN + 5 * SEC + 123456);
    cr_assert_eq(t.price, 1.08123);

    /* lower case and EUR/USD normalised, offsets applied, a space for T, CRLF, BOM */
    t = good(FX_TICKFILE_PLAIN,
        "\xEF\xBB\xBF"
        "eur/usd, 2024-01-02 05:04:05+02:00 ,1.5\r\n",
        "IGNORED");
    cr_assert_str_eq(t.symbol, "EURUSD");
    cr_assert_eq(t.time_us, JAN2 + 3 * HOUR + 4 * MIN + 5 * SEC);
    t = good(FX_TICKFILE_PLAIN, "USDJPY,2024-01-01T23:30:00.5-01:00,150.123", NULL);
    cr_assert_eq(t.time_us, JAN2 + 30 * MIN + 500000, "offset crosses midnight");
    cr_assert_eq(t.price, 150.123);
    t = good(FX_TICKFILE_PLAIN, "X,2024-02-29t00:00:00z,1e-3", NULL);
    cr_assert_eq(t.price, 0.001);

    /* as every fxctl argument: no offset means UTC, a bare date is midnight;
     * spreadsheets quote fields */
    t = good(FX_TICKFILE_PLAIN, "EURUSD,2024-01-02T03:04:05,1.1", NULL);
    cr_assert_eq(t.time_us, JAN2 + 3 * HOUR + 4 * MIN + 5 * SEC);
    t = good(FX_TICKFILE_PLAIN, "EURUSD,2024-01-02,1.1", NULL);
    cr_assert_eq(t.time_us, JAN2);
    t = good(FX_TICKFILE_PLAIN, "\"gbpusd\", \"2024-01-02T00:00:01Z\" ,\"1.27\"", NULL);
    cr_assert_str_eq(t.symbol, "GBPUSD");
    cr_assert_eq(t.time_us, JAN2 + SEC);
    cr_assert_eq(t.price, 1.27);
}

Test(plain, header_and_blank_lines_are_skipped)
{
    skipped(FX_TICKFILE_PLAIN, "symbol,time,price\n");
    skipped(FX_TICKFILE_PLAIN, "Symbol,Time,Price\r\n");
    skipped(FX_TICKFILE_PLAIN, "\"symbol\",\"time\",\"price\"\n");
    skipped(FX_TICKFILE_PLAIN, "\n");
    skipped(FX_TICKFILE_PLAIN, "  \r\n");
    skipped(FX_TICKFILE_PLAIN, "");
}

Test(plain, malformed_lines)
{
    bad(FX_TICKFILE_PLAIN, "EURUSD,2024-01-02T03:04:05Z", NULL, "expected 3 comma-separated fields");
    bad(FX_TICKFILE_PLAIN, "EURUSD,2024-01-02T03:04:05Z,1.1,7", NULL, "found 4");
    bad(FX_TICKFILE_PLAIN, "EUR$USD,2024-01-02T03:04:05Z,1.1", NULL, "symbol \"EUR$USD\"");
    bad(FX_TICKFILE_PLAIN, ",2024-01-02T03:04:05Z,1.1", NULL, "symbol");
    bad(FX_TICKFILE_PLAIN, "ABCDEFGHIJKLMNOPQ,2024-01-02T03:04:05Z,1.1", NULL, "symbol");
    bad(FX_TICKFILE_PLAIN, "EURUSD,1704164645,1.1", NULL, "not RFC 3339");
    bad(FX_TICKFILE_PLAIN, "EURUSD,2024-01-02T03:04:05.1234567Z,1.1", NULL, "not RFC 3339");
    bad(FX_TICKFILE_PLAIN, "EURUSD,2023-02-29T03:04:05Z,1.1", NULL, "not RFC 3339");
    bad(FX_TICKFILE_PLAIN, "EURUSD,2024-01-02T24:00:00Z,1.1", NULL, "not RFC 3339");
    bad(FX_TICKFILE_PLAIN, "ABC\x01,2024-01-02T03:04:05Z,1.1", NULL, "symbol");
    bad(FX_TICKFILE_PLAIN, "EURUSD,1899-12-31T23:59:59Z,1.1", NULL, "outside 1900..2199");
    const char *prices[] = { "0", "-1.1", "abc", "nan", "inf", "0x1p3", "1.1.1", "", "1,", "1e999" };
    for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++) {
        char line[80];
        snprintf(line, sizeof line, "EURUSD,2024-01-02T03:04:05Z,%s", prices[i]);
        bad(FX_TICKFILE_PLAIN, line, NULL, strchr(prices[i], ',') ? "found 4" : "price");
    }
}

/* ---- HistData: fixed UTC-5 --------------------------------------------------- */

Test(histdata, est_is_converted_to_utc)
{
    struct fx_tick t = good(FX_TICKFILE_HISTDATA, "20240101 170000123,1.10381,1.10389,0\r\n", "eurusd");
    cr_assert_str_eq(t.symbol, "EURUSD");
    cr_assert_eq(t.time_us, JAN2 - 2 * HOUR + 123000, "17:00 EST is 22:00 UTC");
    cr_assert_eq(t.price, 1.10385, "mid");
    /* no DST: a July time is UTC-5 as well */
    t = good(FX_TICKFILE_HISTDATA, "20240701 120000000,1.1,1.1,0", "EURUSD");
    cr_assert_eq(t.time_us, 1719835200LL * SEC + 5 * HOUR);
}

Test(histdata, across_midnight_month_and_year)
{
    /* 20:30 EST on New Year's Eve is 01:30 UTC on New Year's Day */
    struct fx_tick t = good(FX_TICKFILE_HISTDATA, "20231231 203000500,1.10381,1.10384,0", "EURUSD");
    cr_assert_eq(t.time_us, JAN2 - 24 * HOUR + 90 * MIN + 500000);
    cr_assert_eq(t.price, 1.103825, "mid keeps the half pip");
    /* 23:59:59.999 EST on 28 Feb of a leap year is 04:59:59.999 on the 29th */
    t = good(FX_TICKFILE_HISTDATA, "20240228 235959999,150.123,150.125,0", "USDJPY");
    cr_assert_eq(t.time_us, 1709164800LL * SEC + 4 * HOUR + 59 * MIN + 59 * SEC + 999000);
    cr_assert_eq(t.price, 150.124);
    /* just before midnight UTC stays on the same UTC day */
    t = good(FX_TICKFILE_HISTDATA, "20240101 185959999,1,1,0", "EURUSD");
    cr_assert_eq(t.time_us, JAN2 - 1000);
}

Test(histdata, needs_a_symbol)
{
    bad(FX_TICKFILE_HISTDATA, "20240101 170000123,1.10381,1.10389,0", NULL, "give --symbol");
    bad(FX_TICKFILE_HISTDATA, "20240101 170000123,1.10381,1.10389,0", "", "give --symbol");
    bad(FX_TICKFILE_HISTDATA, "20240101 170000123,1.10381,1.10389,0", "EUR USD", "symbol");
    cr_assert(fx_tickfile_needs_symbol(FX_TICKFILE_HISTDATA));
    cr_assert(fx_tickfile_needs_symbol(FX_TICKFILE_DUKASCOPY));
    cr_assert_not(fx_tickfile_needs_symbol(FX_TICKFILE_PLAIN));
    cr_assert_not(fx_tickfile_needs_symbol(FX_TICKFILE_TRUEFX));
}

Test(histdata, malformed_lines)
{
    const char *s = "EURUSD";
    bad(FX_TICKFILE_HISTDATA, "20240101 170000123,1.10381,1.10389", s, "expected 4 fields");
    bad(FX_TICKFILE_HISTDATA, "20240101 170000123,1.1,1.1,0,0", s, "found 5");
    bad(FX_TICKFILE_HISTDATA, "20240101 17000012,1.1,1.1,0", s, "not YYYYMMDD HHMMSSmmm");
    bad(FX_TICKFILE_HISTDATA, "20240101170000123,1.1,1.1,0", s, "not YYYYMMDD HHMMSSmmm");
    bad(FX_TICKFILE_HISTDATA, "2024-01-01 170000123,1.1,1.1,0", s, "not YYYYMMDD HHMMSSmmm");
    bad(FX_TICKFILE_HISTDATA, "20241301 170000123,1.1,1.1,0", s, "no such date");
    bad(FX_TICKFILE_HISTDATA, "20240101 176000123,1.1,1.1,0", s, "out of range");
    bad(FX_TICKFILE_HISTDATA, "20240101 170000123,x,1.1,0", s, "bid \"x\"");
    bad(FX_TICKFILE_HISTDATA, "20240101 170000123,1.1,0,0", s, "ask \"0\"");
    bad(FX_TICKFILE_HISTDATA, "20240101 170000123,1.1,1.1,-1", s, "volume \"-1\"");
    bad(FX_TICKFILE_HISTDATA, "20240101 170000123,1.1,1.1,", s, "volume");
}

/* ---- Dukascopy: DD.MM.YYYY, ask before bid ------------------------------------- */

Test(dukascopy, good_lines)
{
    skipped(FX_TICKFILE_DUKASCOPY, "Gmt time,Ask,Bid,AskVolume,BidVolume\r\n");
    struct fx_tick t
        = good(FX_TICKFILE_DUKASCOPY, "02.01.2024 03:04:05.678,1.10390,1.10380,1.5,2.25", "EURUSD");
    cr_assert_eq(t.time_us, JAN2 + 3 * HOUR + 4 * MIN + 5 * SEC + 678000, "day first, then month: 2 January");
    cr_assert_eq(t.price, 1.10385);
    cr_assert_str_eq(t.symbol, "EURUSD");
    /* day 13 is a day, not a month */
    t = good(FX_TICKFILE_DUKASCOPY, "13.01.2024 00:00:00.000,1.1,1.1,0,0", "EURUSD");
    cr_assert_eq(t.time_us, JAN2 + 11 * 24 * HOUR);
}

Test(dukascopy, malformed_lines)
{
    const char *s = "EURUSD";
    bad(FX_TICKFILE_DUKASCOPY, "02.01.2024 03:04:05.678,1.1,1.1,1", s, "expected 5 fields");
    bad(FX_TICKFILE_DUKASCOPY, "01.13.2024 03:04:05.678,1.1,1.1,1,1", s, "no such date"); /* month first */
    bad(FX_TICKFILE_DUKASCOPY, "2024.01.02 03:04:05.678,1.1,1.1,1,1", s, "not DD.MM.YYYY HH:MM:SS.mmm");
    bad(FX_TICKFILE_DUKASCOPY, "02.01.2024 3:04:05.678,1.1,1.1,1,1", s, "not DD.MM.YYYY HH:MM:SS.mmm");
    bad(FX_TICKFILE_DUKASCOPY, "02.01.2024 03:04:05.,1.1,1.1,1,1", s, "not DD.MM.YYYY HH:MM:SS.mmm");
    bad(FX_TICKFILE_DUKASCOPY, "02.01.2024 03:04:05.678,-1.1,1.1,1,1", s, "ask \"-1.1\"");
    bad(FX_TICKFILE_DUKASCOPY, "02.01.2024 03:04:05.678,1.1,bid,1,1", s, "bid \"bid\"");
    bad(FX_TICKFILE_DUKASCOPY, "02.01.2024 03:04:05.678,1.1,1.1,x,1", s, "ask volume");
    bad(FX_TICKFILE_DUKASCOPY, "02.01.2024 03:04:05.678,1.1,1.1,1,y", s, "bid volume");
    bad(FX_TICKFILE_DUKASCOPY, "02.01.2024 03:04:05.678,1.1,1.1,1,1", NULL, "give --symbol");
}

/* ---- TrueFX: the symbol with a slash ---------------------------------------------- */

Test(truefx, good_lines)
{
    struct fx_tick t = good(FX_TICKFILE_TRUEFX, "EUR/USD,20240102 03:04:05.678,1.10381,1.10389\n", "IGNORED");
    cr_assert_str_eq(t.symbol, "EURUSD", "slash removed, --symbol ignored");
    cr_assert_eq(t.time_us, JAN2 + 3 * HOUR + 4 * MIN + 5 * SEC + 678000, "UTC");
    cr_assert_eq(t.price, 1.10385);
    t = good(FX_TICKFILE_TRUEFX, "USD/JPY,20240102 00:00:00.000,150.123,150.128", NULL);
    cr_assert_str_eq(t.symbol, "USDJPY");
    cr_assert_eq(t.price, 150.1255);
    cr_assert_eq(t.time_us, JAN2);
}

Test(truefx, malformed_lines)
{
    bad(FX_TICKFILE_TRUEFX, "EUR/USD,20240102 03:04:05.678,1.10381", NULL, "expected 4 fields");
    bad(FX_TICKFILE_TRUEFX, "EUR//USD,20240102 03:04:05.678,1.1,1.1", NULL, "symbol \"EUR//USD\"");
    bad(FX_TICKFILE_TRUEFX, "EUR/,20240102 03:04:05.678,1.1,1.1", NULL, "symbol");
    bad(FX_TICKFILE_TRUEFX, "EUR/USD,20240102 3:04:05.678,1.1,1.1", NULL, "not YYYYMMDD HH:MM:SS.mmm");
    bad(FX_TICKFILE_TRUEFX, "EUR/USD,20240102T03:04:05.678,1.1,1.1", NULL, "not YYYYMMDD HH:MM:SS.mmm");
    bad(FX_TICKFILE_TRUEFX, "EUR/USD,20240230 03:04:05.678,1.1,1.1", NULL, "no such date");
    bad(FX_TICKFILE_TRUEFX, "EUR/USD,20240102 03:04:05.678,1.1,", NULL, "ask");
}

/* ---- detection ------------------------------------------------------------------- */

Test(detect, each_format_from_its_first_line)
{
    cr_assert_eq(fx_tickfile_detect("symbol,time,price\n"), FX_TICKFILE_PLAIN);
    cr_assert_eq(fx_tickfile_detect("EURUSD,2024-01-02T03:04:05Z,1.08123\n"), FX_TICKFILE_PLAIN);
    cr_assert_eq(fx_tickfile_detect("20240101 170000123,1.10381,1.10389,0\r\n"), FX_TICKFILE_HISTDATA);
    cr_assert_eq(
        fx_tickfile_detect("\xEF\xBB\xBFGmt time,Ask,Bid,AskVolume,BidVolume\r\n"), FX_TICKFILE_DUKASCOPY);
    cr_assert_eq(fx_tickfile_detect("02.01.2024 03:04:05.678,1.1,1.1,1,1"), FX_TICKFILE_DUKASCOPY);
    cr_assert_eq(fx_tickfile_detect("EUR/USD,20240102 03:04:05.678,1.10381,1.10389"), FX_TICKFILE_TRUEFX);
}

Test(detect, unknown_lines)
{
    const char *lines[] = { "", "\r\n", "hello", "1,2,3", "time,bid,ask", "EURUSD,2024-13-02,1.1",
        "20240101 170000123;1.1;1.1;0" };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        cr_assert_eq(fx_tickfile_detect(lines[i]), FX_TICKFILE_UNKNOWN, "\"%s\"", lines[i]);
    /* a bare date is midnight UTC in plain files */
    cr_assert_eq(fx_tickfile_detect("EURUSD,2024-01-02,1.1"), FX_TICKFILE_PLAIN);
}

Test(detect, names)
{
    for (int f = FX_TICKFILE_PLAIN; f <= FX_TICKFILE_TRUEFX; f++)
        cr_assert_eq(fx_tickfile_format_parse(fx_tickfile_format_name((enum fx_tickfile_format)f)), f);
    cr_assert_eq(fx_tickfile_format_parse("TrueFX"), FX_TICKFILE_TRUEFX);
    cr_assert_eq(fx_tickfile_format_parse("csv"), FX_TICKFILE_UNKNOWN);
    cr_assert_eq(fx_tickfile_format_parse(NULL), FX_TICKFILE_UNKNOWN);
    cr_assert_str_eq(fx_tickfile_format_name(FX_TICKFILE_UNKNOWN), "unknown");
}

/* ---- round trip ------------------------------------------------------------------ */

Test(output, what_the_parser_reads_the_formatters_write_back)
{
    char b[FX_TIME_STR_MAX], p[FX_PRICE_STR_MAX];
    struct fx_tick t = good(FX_TICKFILE_PLAIN, "EURUSD,2024-01-02T03:04:05.000001Z,1.081235", NULL);
    cr_assert_str_eq(fx_time_format(t.time_us, b), "2024-01-02T03:04:05.000001Z");
    cr_assert_str_eq(fx_price_format(t.price, p), "1.081235");
}
