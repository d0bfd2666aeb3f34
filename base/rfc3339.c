/*
 * RFC 3339 times <-> microseconds since the Unix epoch (UTC).
 *
 * Integer arithmetic on the calendar (base/calendar.h): the result never
 * depends on the machine's time zone or C library.
 *
 * Supported instants are 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999Z.
 * A time whose fields are in range but whose offset moves it outside (e.g.
 * 0001-01-01T00:00:00+01:00) is rejected, so everything fx_time_parse
 * accepts formats back as a four-digit year and parses again.
 */
#include "base/rfc3339.h"

#include "base/calendar.h"
#include "base/errors.h"

#include <stdio.h>
#include <string.h>

#define US_PER_SEC FX_US_PER_SEC
#define SEC_PER_DAY FX_SEC_PER_DAY
#define TIME_MIN_SEC (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define TIME_END_SEC 253402300800LL /* 10000-01-01T00:00:00Z, exclusive */
#define FRACTION_DIGITS_MAX 6

/* Fields of a parsed time, as written (before the offset is applied). */
struct time_fields {
    int year, month, day;
    int hour, minute, second;
    int micros;
    int offset_min; /* local time minus UTC, in minutes */
};

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Reads exactly `n` digits at *p into *out and advances *p. */
static int read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (!is_digit(c)) return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

/* Consumes `c` at *p if it is there. */
static int accept_char(const char **p, char c)
{
    if (**p != c) return -1;
    (*p)++;
    return 0;
}

/* YYYY-MM-DD */
static int parse_date(const char **p, struct time_fields *f)
{
    if (read_digits(p, 4, &f->year) != 0 || accept_char(p, '-') != 0) return -1;
    if (read_digits(p, 2, &f->month) != 0 || accept_char(p, '-') != 0) return -1;
    return read_digits(p, 2, &f->day);
}

/* Optional ".f{1,6}", scaled to microseconds. */
static int parse_fraction(const char **p, struct time_fields *f)
{
    if (accept_char(p, '.') != 0) return 0;
    int n = 0, v = 0;
    while (is_digit((*p)[n])) {
        if (++n > FRACTION_DIGITS_MAX) return -1;
        v = v * 10 + ((*p)[n - 1] - '0');
    }
    if (n == 0) return -1;
    for (int i = n; i < FRACTION_DIGITS_MAX; i++)
        v *= 10;
    *p += n;
    f->micros = v;
    return 0;
}

/* Optional "Z" / "z" / "+HH:MM" / "-HH:MM"; none means UTC. */
static int parse_offset(const char **p, struct time_fields *f)
{
    char c = **p;
    int hh, mm;
    if (c == 'Z' || c == 'z') {
        (*p)++;
        return 0;
    }
    if (c != '+' && c != '-') return 0;
    (*p)++;
    if (read_digits(p, 2, &hh) != 0 || accept_char(p, ':') != 0 || read_digits(p, 2, &mm) != 0) return -1;
    if (hh > 23 || mm > 59) return -1;
    f->offset_min = (c == '-' ? -1 : 1) * (hh * 60 + mm);
    return 0;
}

/* ("T" | "t" | " ") HH:MM:SS [fraction] [offset] */
static int parse_time_of_day(const char **p, struct time_fields *f)
{
    char sep = **p;
    if (sep != 'T' && sep != 't' && sep != ' ') return -1;
    (*p)++;
    if (read_digits(p, 2, &f->hour) != 0 || accept_char(p, ':') != 0) return -1;
    if (read_digits(p, 2, &f->minute) != 0 || accept_char(p, ':') != 0) return -1;
    if (read_digits(p, 2, &f->second) != 0) return -1;
    if (parse_fraction(p, f) != 0) return -1;
    return parse_offset(p, f);
}

/* Range of every field; no leap seconds (second 60 is rejected). */
static int fields_valid(const struct time_fields *f)
{
    if (f->year < 1 || f->month < 1 || f->month > 12) return 0;
    if (f->day < 1 || f->day > fx_days_in_month(f->year, f->month)) return 0;
    return f->hour <= 23 && f->minute <= 59 && f->second <= 59;
}

static int fields_to_us(const struct time_fields *f, int64_t *out_us)
{
    int64_t sec = fx_days_from_civil(f->year, f->month, f->day) * SEC_PER_DAY + f->hour * 3600 + f->minute * 60
        + f->second - (int64_t)f->offset_min * 60;
    if (sec < TIME_MIN_SEC || sec >= TIME_END_SEC) return -1;
    *out_us = sec * US_PER_SEC + f->micros;
    return 0;
}

int fx_time_parse_n(const char *s, size_t len, int64_t *out_us)
{
    /* The scanners below stop at a NUL: a copy bounds the text at `len`,
     * and a NUL inside it is refused rather than read as the end. */
    char buf[64];
    struct time_fields f = { 0 };
    int64_t us;
    if (s == NULL || out_us == NULL || len >= sizeof buf || memchr(s, '\0', len) != NULL) return FX_EINVAL;
    memcpy(buf, s, len);
    buf[len] = '\0';
    const char *p = buf;
    if (parse_date(&p, &f) != 0) return FX_EINVAL;
    if (*p != '\0' && parse_time_of_day(&p, &f) != 0) return FX_EINVAL;
    if (*p != '\0' || !fields_valid(&f)) return FX_EINVAL;
    if (fields_to_us(&f, &us) != 0) return FX_EINVAL;
    *out_us = us;
    return 0;
}

int fx_time_parse(const char *s, int64_t *out_us)
{
    return s == NULL ? FX_EINVAL : fx_time_parse_n(s, strlen(s), out_us);
}

/*
 * Years 0..9999 print as four digits; instants outside the supported range
 * (which fx_time_parse never produces) still print unambiguously, with an
 * ISO 8601 expanded, signed year ("+12345-01-01T00:00:00Z").
 */
/* Writes `v` (>= 0) as exactly `width` decimal digits; returns the end. */
static char *put_digits(char *p, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10) p[i] = (char)('0' + v % 10);
    return p + width;
}

char *fx_time_format(int64_t us, char buf[FX_TIME_STR_MAX])
{
    int64_t micros, sod, year;
    int month, day;
    if (buf == NULL) return NULL;
    int64_t sec = fx_floor_divmod(us, US_PER_SEC, &micros);
    int64_t days = fx_floor_divmod(sec, SEC_PER_DAY, &sod);
    fx_civil_from_days(days, &year, &month, &day);
    if (year < 0 || year > 9999) { /* rare: leave the signed year to snprintf */
        int n = snprintf(buf, FX_TIME_STR_MAX, "%+05lld", (long long)year);
        n += snprintf(buf + n, FX_TIME_STR_MAX - (size_t)n, "-%02d-%02dT%02d:%02d:%02d", month, day,
            (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
        snprintf(buf + n, FX_TIME_STR_MAX - (size_t)n, micros ? ".%06dZ" : "Z", (int)micros);
        return buf;
    }
    /* Digits by hand: JSON responses format a time per tick, and snprintf
     * was a visible share of fx-bridge's CPU. */
    char *p = buf;
    p = put_digits(p, year, 4);
    *p++ = '-';
    p = put_digits(p, month, 2);
    *p++ = '-';
    p = put_digits(p, day, 2);
    *p++ = 'T';
    p = put_digits(p, sod / 3600, 2);
    *p++ = ':';
    p = put_digits(p, sod / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, sod % 60, 2);
    if (micros != 0) {
        *p++ = '.';
        p = put_digits(p, micros, 6);
    }
    *p++ = 'Z';
    *p = '\0';
    return buf;
}
