/*
 * fxctl import (client/fxctl_import.c) against an in-process fx-core: vendor
 * tick files (HistData, Dukascopy, TrueFX) and plain CSV, written to a temp
 * file, imported through fxctl_import_file and read back with fxc_ticks_get:
 * times in UTC, the mid price of the quotes. Also the option checks (the
 * symbol of formats without one) and a malformed line stopping the import
 * before its batch is sent.
 */
#include "tests/support/fixture.h"
#include "client/fxctl_import.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TestSuite(fxctl_import, .init = fx_fixture_start, .fini = fx_fixture_stop, .timeout = 120);

#define PATH_MAX_LEN 64

/* `content` into a new temp file; its name into `path`. */
static void write_file(char path[PATH_MAX_LEN], const char *content)
{
    snprintf(path, PATH_MAX_LEN, "/tmp/fxctl_import_XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0, "mkstemp");
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    cr_assert_eq(fputs(content, f) >= 0, 1);
    cr_assert_eq(fclose(f), 0);
}

/* Imports `content` as a file; returns the fxctl_import_result. */
static int import_text(const char *content, enum fx_tickfile_format format, const char *symbol, size_t batch,
    struct fxctl_import_stats *st, fxc_err *err)
{
    char path[PATH_MAX_LEN];
    write_file(path, content);
    struct fxctl_import_options opt = { .format = format, .symbol = symbol, .batch = batch };
    memset(err, 0, sizeof *err);
    int rc = fxctl_import_file(fx_test_client, path, &opt, st, err);
    unlink(path);
    return rc;
}

static int64_t utc(const char *rfc3339)
{
    int64_t us;
    cr_assert_eq(fxc_time_parse(rfc3339, &us), 0, "%s", rfc3339);
    return us;
}

struct expect {
    const char *time; /* RFC 3339, UTC */
    double price;
};

#define EXPECT_MAX 8

/* The stored ticks of `sym` are exactly `want`, in order. */
static void expect_ticks(const char *sym, const struct expect *want, size_t nwant)
{
    fxc_tick *got_ticks = NULL, t[EXPECT_MAX];
    size_t n = 0;
    fxc_err e;
    int rc = fxc_ticks_get(fx_test_client, sym, utc("2000-01-01T00:00:00Z"), utc("2100-01-01T00:00:00Z"),
        EXPECT_MAX, 0, &got_ticks, &n, &e);
    cr_assert_eq(rc, FXC_OK, "%s", e.message);
    if (n > 0) memcpy(t, got_ticks, n * sizeof t[0]);
    fxc_ticks_free(got_ticks); /* before any assertion ends the test */
    cr_assert_eq(n, nwant, "%s: %zu ticks stored, expected %zu", sym, n, nwant);
    for (size_t i = 0; i < n; i++) {
        char got[FXC_TIME_STR_MAX];
        cr_assert_str_eq(t[i].symbol, sym);
        cr_assert_eq(t[i].time_us, utc(want[i].time), "tick %zu at %s, expected %s", i,
            fxc_time_format(t[i].time_us, got), want[i].time);
        cr_assert_eq(
            t[i].price, want[i].price, "tick %zu: price %.17g, expected %.17g", i, t[i].price, want[i].price);
    }
}

static void lower(char *dst, const char *src)
{
    while ((*dst++ = (char)tolower((unsigned char)*src++)) != '\0') { }
}

/* ---- vendor formats ------------------------------------------------------- */

Test(fxctl_import, histdata_is_detected_and_stored_in_utc_at_the_mid_price)
{
    char sym[17], text[512];
    fx_test_symbol(sym, "IHD");
    /* EST all year (UTC-5): 17:00 is 22:00 UTC; 23:59:59.999 is the next day */
    snprintf(text, sizeof text,
        "\n"
        "20240102 170000123,1.10381,1.10389,0\r\n"
        "20240102 170000500,1.10381,1.10384,0\r\n"
        "20240702 235959999,150.123,150.125,12\r\n");
    struct fxctl_import_stats st;
    fxc_err e;
    int rc = import_text(text, FX_TICKFILE_UNKNOWN, sym, 2, &st, &e);
    cr_assert_eq(rc, 0, "%d: %s", rc, e.message);
    cr_assert_eq(st.format, FX_TICKFILE_HISTDATA);
    cr_assert_eq(st.lines, 4);
    cr_assert_eq(st.ticks, 3);
    cr_assert_eq(st.created, 3);
    cr_assert_eq(st.stored_through_line, 4);
    const struct expect want[] = {
        { "2024-01-02T22:00:00.123Z", 1.10385 },
        { "2024-01-02T22:00:00.5Z", 1.103825 }, /* the half pip kept */
        { "2024-07-03T04:59:59.999Z", 150.124 }, /* no DST in HistData's EST */
    };
    expect_ticks(sym, want, 3);
}

Test(fxctl_import, dukascopy_with_its_header_is_stored_at_the_mid_price)
{
    char sym[17], given[17], text[512];
    fx_test_symbol(sym, "IDK");
    lower(given, sym); /* --symbol is normalised like the core's symbols */
    snprintf(text, sizeof text,
        "\xEF\xBB\xBF"
        "Gmt time,Ask,Bid,AskVolume,BidVolume\r\n"
        "02.01.2024 03:04:05.678,1.10390,1.10380,1.5,2.25\r\n"
        "02.01.2024 03:04:06.000,1.1039,1.1038,0,0\r\n"
        "13.01.2024 00:00:00.001,1.2,1.1,0,0\r\n");
    struct fxctl_import_stats st;
    fxc_err e;
    int rc = import_text(text, FX_TICKFILE_UNKNOWN, given, FXCTL_IMPORT_BATCH_DEFAULT, &st, &e);
    cr_assert_eq(rc, 0, "%d: %s", rc, e.message);
    cr_assert_eq(st.format, FX_TICKFILE_DUKASCOPY, "detected from the header");
    cr_assert_eq(st.lines, 4);
    cr_assert_eq(st.ticks, 3);
    const struct expect want[] = {
        { "2024-01-02T03:04:05.678Z", 1.10385 }, /* ask first, then bid */
        { "2024-01-02T03:04:06Z", 1.10385 }, /* ".000" */
        { "2024-01-13T00:00:00.001Z", 1.15 }, /* day first: 13 January */
    };
    expect_ticks(sym, want, 3);

    /* given explicitly, and again: all duplicates */
    rc = import_text(text, FX_TICKFILE_DUKASCOPY, sym, 1, &st, &e);
    cr_assert_eq(rc, 0, "%d: %s", rc, e.message);
    cr_assert_eq(st.created, 0);
    cr_assert_eq(st.duplicates, 3);
    expect_ticks(sym, want, 3);
}

Test(fxctl_import, truefx_names_its_symbol_and_is_stored_in_utc_at_the_mid_price)
{
    char sym[17], slashed[18], text[512];
    fx_test_symbol(sym, "ITF");
    snprintf(slashed, sizeof slashed, "%.3s/%s", sym, sym + 3); /* "ITF/..." as TrueFX writes EUR/USD */
    snprintf(text, sizeof text,
        "%s,20240102 03:04:05.678,1.10381,1.10389\n"
        "%s,20240102 03:04:05.679,1.10382,1.10389\n"
        "%s,20241231 23:59:59.999,150.1,150.2\n",
        slashed, slashed, slashed);
    struct fxctl_import_stats st;
    fxc_err e;
    int rc = import_text(text, FX_TICKFILE_UNKNOWN, NULL, 2, &st, &e);
    cr_assert_eq(rc, 0, "%d: %s", rc, e.message);
    cr_assert_eq(st.format, FX_TICKFILE_TRUEFX);
    cr_assert_eq(st.ticks, 3);
    cr_assert_eq(st.created, 3);
    const struct expect want[] = {
        { "2024-01-02T03:04:05.678Z", 1.10385 },
        { "2024-01-02T03:04:05.679Z", 1.103855 },
        { "2024-12-31T23:59:59.999Z", 150.15 },
    };
    expect_ticks(sym, want, 3);
}

/* ---- the symbol option ---------------------------------------------------- */

Test(fxctl_import, histdata_without_symbol_is_refused_naming_the_option)
{
    struct fxctl_import_stats st;
    fxc_err e;
    const char *text = "20240102 170000123,1.10381,1.10389,0\n";

    /* detected from the first line: refused before anything is sent */
    int rc = import_text(text, FX_TICKFILE_UNKNOWN, NULL, 10, &st, &e);
    cr_assert_eq(rc, FX_ECONFIG, "%d: %s", rc, e.message);
    cr_assert_str_eq(e.field, "--symbol");
    cr_assert(strstr(e.message, "histdata lines (detected from line 1) carry no symbol: give --symbol SYM"),
        "%s", e.message);
    cr_assert_eq(st.format, FX_TICKFILE_HISTDATA);
    cr_assert_eq(st.ticks, 0);

    /* given: refused before the file is read; "" is no symbol */
    rc = import_text(text, FX_TICKFILE_DUKASCOPY, "", 10, &st, &e);
    cr_assert_eq(rc, FX_ECONFIG, "%d: %s", rc, e.message);
    cr_assert_str_eq(e.field, "--symbol");
    cr_assert(strstr(e.message, "dukascopy lines carry no symbol: give --symbol SYM"), "%s", e.message);
    cr_assert_eq(st.lines, 0);
}

Test(fxctl_import, a_symbol_for_files_that_name_theirs_or_an_invalid_one_is_refused)
{
    struct fxctl_import_stats st;
    fxc_err e;
    int rc = import_text("ABC,20240102 03:04:05.678,1.1,1.2\n", FX_TICKFILE_UNKNOWN, "EURUSD", 10, &st, &e);
    cr_assert_eq(rc, FX_ECONFIG, "%d: %s", rc, e.message);
    cr_assert_str_eq(e.field, "--symbol");
    cr_assert(strstr(e.message, "--symbol does not apply: truefx lines"), "%s", e.message);

    rc = import_text("ABC,2024-01-02T03:04:05Z,1.1\n", FX_TICKFILE_PLAIN, "EURUSD", 10, &st, &e);
    cr_assert_eq(rc, FX_ECONFIG, "%d: %s", rc, e.message);
    cr_assert(strstr(e.message, "--symbol does not apply: plain lines name their symbol"), "%s", e.message);

    rc = import_text("20240102 170000123,1.1,1.2,0\n", FX_TICKFILE_HISTDATA, "EUR USD", 10, &st, &e);
    cr_assert_eq(rc, FX_ECONFIG, "%d: %s", rc, e.message);
    cr_assert_str_eq(e.field, "--symbol");
    cr_assert(strstr(e.message, "--symbol: 'EUR USD' is not"), "%s", e.message);
}

/* ---- malformed lines ------------------------------------------------------ */

Test(fxctl_import, a_bad_vendor_line_stops_before_its_batch_naming_file_and_line)
{
    char sym[17];
    fx_test_symbol(sym, "IBAD");
    const char *text = "20240102 170000001,1.1,1.2,0\n"
                       "20240102 170000002,1.1,1.2,0\n"
                       "20240102 170000003,1.1,1.2,0\n"
                       "20240102 170000004,1.1,zero,0\n"
                       "20240102 170000005,1.1,1.2,0\n";
    char path[PATH_MAX_LEN];
    write_file(path, text);
    struct fxctl_import_options opt = { .format = FX_TICKFILE_HISTDATA, .symbol = sym, .batch = 2 };
    struct fxctl_import_stats st;
    fxc_err e = { 0 };
    int rc = fxctl_import_file(fx_test_client, path, &opt, &st, &e);
    unlink(path);
    cr_assert_eq(rc, FX_EINVAL, "%d: %s", rc, e.message);
    char prefix[PATH_MAX_LEN + 8];
    snprintf(prefix, sizeof prefix, "%s:4: ", path);
    cr_assert_eq(strncmp(e.message, prefix, strlen(prefix)), 0, "%s", e.message);
    cr_assert(strstr(e.message, "ask \"zero\" is not a price > 0"), "%s", e.message);
    /* lines 1-2 went in their batch; line 3 waited in the one line 4 spoilt */
    cr_assert_eq(st.stored_through_line, 2);
    cr_assert_eq(st.ticks, 2);
    cr_assert_eq(st.lines, 4);
    cr_assert_eq(fx_test_count_ticks(sym), 2);
}

/* ---- plain ---------------------------------------------------------------- */

Test(fxctl_import, plain_keeps_fxctl_times_and_quotes)
{
    char sym[17], text[512];
    fx_test_symbol(sym, "IPL");
    /* a quoted header and fields, and a time without offset: no format of
     * fx_tickfile_detect takes them, fxctl's plain parser does */
    snprintf(text, sizeof text,
        "\"symbol\",\"time\",\"price\"\n"
        "\"%s\", \"2025-12-05T10:00:01\" ,1.0851\n"
        "%s,2025-12-05T12:00:02+02:00,1.0852\n"
        "%s,2025-12-06,1.0853\n",
        sym, sym, sym);
    struct fxctl_import_stats st;
    fxc_err e;
    int rc = import_text(text, FX_TICKFILE_UNKNOWN, NULL, 10, &st, &e);
    cr_assert_eq(rc, 0, "%d: %s", rc, e.message);
    cr_assert_eq(st.format, FX_TICKFILE_PLAIN);
    cr_assert_eq(st.ticks, 3);
    const struct expect want[] = {
        { "2025-12-05T10:00:01Z", 1.0851 },
        { "2025-12-05T10:00:02Z", 1.0852 },
        { "2025-12-06T00:00:00Z", 1.0853 },
    };
    expect_ticks(sym, want, 3);

    /* detected from a plain header, as before */
    snprintf(text, sizeof text, "symbol,time,price\n%s,2025-12-05T10:00:03Z,1.0854\n", sym);
    rc = import_text(text, FX_TICKFILE_UNKNOWN, NULL, 10, &st, &e);
    cr_assert_eq(rc, 0, "%d: %s", rc, e.message);
    cr_assert_eq(st.format, FX_TICKFILE_PLAIN);
    cr_assert_eq(st.created, 1);
}

Test(fxctl_import, a_first_line_no_format_fits_is_named)
{
    struct fxctl_import_stats st;
    fxc_err e;
    int rc = import_text("\n2024-01-02;1.1;1.2\n", FX_TICKFILE_UNKNOWN, NULL, 10, &st, &e);
    cr_assert_eq(rc, FX_EINVAL, "%d: %s", rc, e.message);
    cr_assert(strstr(e.message, ":2: no format fits this line (as plain: expected 3 comma-separated fields"),
        "%s", e.message);
    cr_assert(strstr(e.message, "give --format plain|histdata|dukascopy|truefx"), "%s", e.message);
    cr_assert_eq(st.ticks, 0);
}
