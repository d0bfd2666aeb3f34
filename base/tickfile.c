#include "base/tickfile.h"

#include "base/price.h"

#include "base/calendar.h"
#include "base/errors.h"
#include "base/rfc3339.h"
#include "base/symbol.h"
#include "base/tick_rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HISTDATA_OFFSET_MIN (-5 * 60) /* HistData: EST all year, no DST */
#define MAX_FIELDS 8 /* more are counted, not kept */
#define SHOW_MAX 40 /* longest field quoted in an error */
#define MID_DECIMALS_MAX 12

struct span {
    const char *p;
    size_t n;
};

/* Quotes a field in a message, cut to SHOW_MAX. */
#define SHOW(s) (int)((s).n > SHOW_MAX ? SHOW_MAX : (s).n), (s).p

struct fields {
    struct span f[MAX_FIELDS];
    int n; /* all fields of the line, possibly more than MAX_FIELDS */
};

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

static struct span trim(const char *p, size_t n)
{
    while (n && is_space(*p))
        p++, n--;
    while (n && is_space(p[n - 1]))
        n--;
    return (struct span) { p, n };
}

/* The line without a byte order mark and surrounding white space (files
 * from Windows tools carry both). */
static struct span line_span(const char *line)
{
    if (strncmp(line, "\xEF\xBB\xBF", 3) == 0) line += 3;
    return trim(line, strlen(line));
}

/* A field without one pair of surrounding double quotes (spreadsheets
 * quote every field). */
static struct span unquote(struct span s)
{
    if (s.n >= 2 && s.p[0] == '"' && s.p[s.n - 1] == '"') return trim(s.p + 1, s.n - 2);
    return s;
}

static void split(struct span line, struct fields *out)
{
    out->n = 0;
    const char *p = line.p, *end = line.p + line.n;
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        if (out->n < MAX_FIELDS) out->f[out->n] = unquote(trim(p, (size_t)(stop - p)));
        out->n++;
        if (!comma) break;
        p = comma + 1;
    }
}

static int span_is(struct span s, const char *word)
{
    return s.n == strlen(word) && strncasecmp(s.p, word, s.n) == 0;
}

/* ---- numbers ------------------------------------------------------------ */

static int parse_decimal(struct span s, double *out, int *decimals)
{
    return fx_decimal_parse(s.p, s.n, out, decimals);
}

static int parse_price(struct span s, double *out, int *decimals)
{
    double v;
    if (parse_decimal(s, &v, decimals) != 0 || !(v > 0)) return -1;
    *out = v;
    return 0;
}

static int parse_volume(struct span s)
{
    double v;
    return parse_decimal(s, &v, NULL) == 0 && v >= 0 ? 0 : -1;
}

/* (bid + ask) / 2 to one more decimal than the quotes have: exact, and
 * printed as "1.081235" rather than "1.0812349999999999". */
static double mid(double bid, int dbid, double ask, int dask)
{
    double m = (bid + ask) / 2;
    int d = (dbid > dask ? dbid : dask) + 1;
    if (dbid < 0 || dask < 0 || d > MID_DECIMALS_MAX) return m;
    double scale = pow(10, d);
    if (m * scale > 9007199254740992.0) return m; /* 2^53: rounding would lose digits */
    return round(m * scale) / scale;
}

/* ---- times -------------------------------------------------------------- */

/* A time as written, before its UTC offset is applied. */
struct civil {
    int year, month, day, hour, minute, second, micros;
    int offset_min; /* local time minus UTC */
};

static int civil_to_us(const struct civil *c, struct span what, int64_t *out, char *why, size_t whylen)
{
    if (c->month < 1 || c->month > 12 || c->day < 1 || c->day > fx_days_in_month(c->year, c->month))
        return fx_fail(why, whylen, FX_EINVAL, "time \"%.*s\": no such date", SHOW(what));
    if (c->hour > 23 || c->minute > 59 || c->second > 59)
        return fx_fail(
            why, whylen, FX_EINVAL, "time \"%.*s\": hour, minute or second out of range", SHOW(what));
    int64_t sec = fx_days_from_civil(c->year, c->month, c->day) * FX_SEC_PER_DAY + c->hour * 3600LL
        + c->minute * 60LL + c->second - c->offset_min * 60LL;
    int64_t us = sec * FX_US_PER_SEC + c->micros;
    if (!fx_time_valid(us))
        return fx_fail(why, whylen, FX_EINVAL, "time \"%.*s\" is outside 1900..2199", SHOW(what));
    *out = us;
    return 0;
}

/* A cursor over a field, for fixed layouts like "YYYYMMDD HHMMSSmmm". */
struct cursor {
    const char *p, *end;
};

static int take_digits(struct cursor *c, int n, int *out)
{
    if (c->end - c->p < n) return -1;
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(c->p[i])) return -1;
        v = v * 10 + (c->p[i] - '0');
    }
    c->p += n;
    *out = v;
    return 0;
}

static int take(struct cursor *c, const char *chars)
{
    if (c->p == c->end || !strchr(chars, *c->p)) return -1;
    c->p++;
    return 0;
}

/* An optional ".f" of 1-6 digits, as microseconds. */
static int take_fraction(struct cursor *c, int *micros)
{
    *micros = 0;
    if (take(c, ".") != 0) return 0;
    int n = 0;
    for (; c->p < c->end && is_digit(*c->p); c->p++, n++) {
        if (n == 6) return -1; /* finer than fx-core keeps */
        *micros = *micros * 10 + (*c->p - '0');
    }
    if (n == 0) return -1;
    for (; n < 6; n++)
        *micros *= 10;
    return 0;
}

/* HistData: "YYYYMMDD HHMMSSmmm" in EST. */
static int parse_histdata_time(struct span s, int64_t *out, char *why, size_t whylen)
{
    struct cursor c = { s.p, s.p + s.n };
    struct civil t = { .offset_min = HISTDATA_OFFSET_MIN };
    int ms;
    if (take_digits(&c, 4, &t.year) || take_digits(&c, 2, &t.month) || take_digits(&c, 2, &t.day)
        || take(&c, " ") || take_digits(&c, 2, &t.hour) || take_digits(&c, 2, &t.minute)
        || take_digits(&c, 2, &t.second) || take_digits(&c, 3, &ms) || c.p != c.end)
        return fx_fail(why, whylen, FX_EINVAL, "time \"%.*s\" is not YYYYMMDD HHMMSSmmm", SHOW(s));
    t.micros = ms * 1000;
    return civil_to_us(&t, s, out, why, whylen);
}

/* Dukascopy: "DD.MM.YYYY HH:MM:SS.mmm", UTC. */
static int parse_dukascopy_time(struct span s, int64_t *out, char *why, size_t whylen)
{
    struct cursor c = { s.p, s.p + s.n };
    struct civil t = { 0 };
    if (take_digits(&c, 2, &t.day) || take(&c, ".") || take_digits(&c, 2, &t.month) || take(&c, ".")
        || take_digits(&c, 4, &t.year) || take(&c, " ") || take_digits(&c, 2, &t.hour) || take(&c, ":")
        || take_digits(&c, 2, &t.minute) || take(&c, ":") || take_digits(&c, 2, &t.second)
        || take_fraction(&c, &t.micros) || c.p != c.end)
        return fx_fail(why, whylen, FX_EINVAL, "time \"%.*s\" is not DD.MM.YYYY HH:MM:SS.mmm", SHOW(s));
    return civil_to_us(&t, s, out, why, whylen);
}

/* TrueFX: "YYYYMMDD HH:MM:SS.mmm", UTC. */
static int parse_truefx_time(struct span s, int64_t *out, char *why, size_t whylen)
{
    struct cursor c = { s.p, s.p + s.n };
    struct civil t = { 0 };
    if (take_digits(&c, 4, &t.year) || take_digits(&c, 2, &t.month) || take_digits(&c, 2, &t.day)
        || take(&c, " ") || take_digits(&c, 2, &t.hour) || take(&c, ":") || take_digits(&c, 2, &t.minute)
        || take(&c, ":") || take_digits(&c, 2, &t.second) || take_fraction(&c, &t.micros) || c.p != c.end)
        return fx_fail(why, whylen, FX_EINVAL, "time \"%.*s\" is not YYYYMMDD HH:MM:SS.mmm", SHOW(s));
    return civil_to_us(&t, s, out, why, whylen);
}

/* ---- symbols ------------------------------------------------------------ */

static int symbol_from_span(struct span s, char out[FX_SYMBOL_MAX + 1], char *why, size_t whylen)
{
    if (fx_symbol_normalise_n(s.p, s.n, out) == 0) return 0;
    return fx_fail(why, whylen, FX_EINVAL, "symbol \"%.*s\" is not " FX_SYMBOL_RULE, SHOW(s));
}

static int default_symbol(
    const char *sym, const char *format, char out[FX_SYMBOL_MAX + 1], char *why, size_t whylen)
{
    if (sym == NULL || *sym == '\0')
        return fx_fail(why, whylen, FX_EINVAL, "%s lines carry no symbol: give --symbol", format);
    if (fx_symbol_normalise(sym, out) != 0)
        return fx_fail(why, whylen, FX_EINVAL, "symbol \"%.*s\" is not " FX_SYMBOL_RULE, SHOW_MAX, sym);
    return 0;
}

/* ---- one parser per format ---------------------------------------------- */

/* The header line "symbol,time,price" (any case, maybe quoted). */
static int is_plain_header(const struct fields *f)
{
    return f->n >= 2 && span_is(f->f[0], "symbol") && span_is(f->f[1], "time");
}

static int parse_plain(const struct fields *f, struct fx_tick *out, char *why, size_t whylen)
{
    if (is_plain_header(f)) return FX_TICKFILE_SKIP;
    if (f->n != 3)
        return fx_fail(
            why, whylen, FX_EINVAL, "expected 3 comma-separated fields (symbol,time,price), found %d", f->n);
    struct fx_tick t;
    if (symbol_from_span(f->f[0], t.symbol, why, whylen) != 0) return FX_EINVAL;
    if (fx_time_parse_n(f->f[1].p, f->f[1].n, &t.time_us) != 0)
        return fx_fail(why, whylen, FX_EINVAL,
            "time \"%.*s\" is not RFC 3339 (e.g. 2025-12-05T10:00:00Z or 2025-12-05T12:00:00.123456+02:00)",
            SHOW(f->f[1]));
    if (!fx_time_valid(t.time_us))
        return fx_fail(why, whylen, FX_EINVAL, "time \"%.*s\" is outside 1900..2199", SHOW(f->f[1]));
    if (parse_price(f->f[2], &t.price, NULL) != 0)
        return fx_fail(why, whylen, FX_EINVAL, "price \"%.*s\" is not a number > 0", SHOW(f->f[2]));
    *out = t;
    return FX_TICKFILE_TICK;
}

/* bid and ask at fields[i] and fields[j] -> mid price */
static int parse_quotes(const struct fields *f, int ibid, int iask, double *price, char *why, size_t whylen)
{
    double bid, ask;
    int dbid, dask;
    if (parse_price(f->f[ibid], &bid, &dbid) != 0)
        return fx_fail(why, whylen, FX_EINVAL, "bid \"%.*s\" is not a price > 0", SHOW(f->f[ibid]));
    if (parse_price(f->f[iask], &ask, &dask) != 0)
        return fx_fail(why, whylen, FX_EINVAL, "ask \"%.*s\" is not a price > 0", SHOW(f->f[iask]));
    *price = mid(bid, dbid, ask, dask);
    return 0;
}

static int parse_histdata(
    const struct fields *f, const char *sym, struct fx_tick *out, char *why, size_t whylen)
{
    if (f->n != 4)
        return fx_fail(
            why, whylen, FX_EINVAL, "expected 4 fields (YYYYMMDD HHMMSSmmm,bid,ask,volume), found %d", f->n);
    struct fx_tick t;
    if (parse_histdata_time(f->f[0], &t.time_us, why, whylen) != 0) return FX_EINVAL;
    if (parse_quotes(f, 1, 2, &t.price, why, whylen) != 0) return FX_EINVAL;
    if (parse_volume(f->f[3]) != 0)
        return fx_fail(why, whylen, FX_EINVAL, "volume \"%.*s\" is not a number >= 0", SHOW(f->f[3]));
    if (default_symbol(sym, "HistData", t.symbol, why, whylen) != 0) return FX_EINVAL;
    *out = t;
    return FX_TICKFILE_TICK;
}

static int parse_dukascopy(
    const struct fields *f, const char *sym, struct fx_tick *out, char *why, size_t whylen)
{
    if (f->f[0].n >= 8 && strncasecmp(f->f[0].p, "gmt time", 8) == 0) return FX_TICKFILE_SKIP; /* the header */
    if (f->n != 5)
        return fx_fail(why, whylen, FX_EINVAL,
            "expected 5 fields (DD.MM.YYYY HH:MM:SS.mmm,ask,bid,askvolume,bidvolume), found %d", f->n);
    struct fx_tick t;
    if (parse_dukascopy_time(f->f[0], &t.time_us, why, whylen) != 0) return FX_EINVAL;
    if (parse_quotes(f, 2, 1, &t.price, why, whylen) != 0) return FX_EINVAL; /* ask comes first */
    for (int i = 3; i < 5; i++)
        if (parse_volume(f->f[i]) != 0)
            return fx_fail(why, whylen, FX_EINVAL, "%s volume \"%.*s\" is not a number >= 0",
                i == 3 ? "ask" : "bid", SHOW(f->f[i]));
    if (default_symbol(sym, "Dukascopy", t.symbol, why, whylen) != 0) return FX_EINVAL;
    *out = t;
    return FX_TICKFILE_TICK;
}

static int parse_truefx(const struct fields *f, struct fx_tick *out, char *why, size_t whylen)
{
    if (f->n != 4)
        return fx_fail(why, whylen, FX_EINVAL,
            "expected 4 fields (EUR/USD,YYYYMMDD HH:MM:SS.mmm,bid,ask), found %d", f->n);
    struct fx_tick t;
    if (symbol_from_span(f->f[0], t.symbol, why, whylen) != 0) return FX_EINVAL;
    if (parse_truefx_time(f->f[1], &t.time_us, why, whylen) != 0) return FX_EINVAL;
    if (parse_quotes(f, 2, 3, &t.price, why, whylen) != 0) return FX_EINVAL;
    *out = t;
    return FX_TICKFILE_TICK;
}

int fx_tickfile_parse_line(enum fx_tickfile_format fmt, const char *line, const char *default_sym, struct fx_tick *out,
    char *why, size_t whylen)
{
    struct span s = line_span(line);
    if (s.n == 0) return FX_TICKFILE_SKIP;
    struct fields f;
    split(s, &f);
    switch (fmt) {
    case FX_TICKFILE_PLAIN: return parse_plain(&f, out, why, whylen);
    case FX_TICKFILE_HISTDATA: return parse_histdata(&f, default_sym, out, why, whylen);
    case FX_TICKFILE_DUKASCOPY: return parse_dukascopy(&f, default_sym, out, why, whylen);
    case FX_TICKFILE_TRUEFX: return parse_truefx(&f, out, why, whylen);
    case FX_TICKFILE_UNKNOWN: break;
    }
    return fx_fail(why, whylen, FX_EINVAL, "unknown format");
}

/* ---- formats by name and by content ------------------------------------- */

static const char *const names[] = {
    [FX_TICKFILE_PLAIN] = "plain",
    [FX_TICKFILE_HISTDATA] = "histdata",
    [FX_TICKFILE_DUKASCOPY] = "dukascopy",
    [FX_TICKFILE_TRUEFX] = "truefx",
};

const char *fx_tickfile_format_name(enum fx_tickfile_format fmt)
{
    return fmt > FX_TICKFILE_UNKNOWN && fmt <= FX_TICKFILE_TRUEFX ? names[fmt] : "unknown";
}

enum fx_tickfile_format fx_tickfile_format_parse(const char *name)
{
    for (int i = FX_TICKFILE_PLAIN; i <= FX_TICKFILE_TRUEFX; i++)
        if (name && strcasecmp(name, names[i]) == 0) return (enum fx_tickfile_format)i;
    return FX_TICKFILE_UNKNOWN;
}

int fx_tickfile_needs_symbol(enum fx_tickfile_format fmt)
{
    return fmt == FX_TICKFILE_HISTDATA || fmt == FX_TICKFILE_DUKASCOPY;
}

/* A header names its format; otherwise the one format whose parser takes
 * the line (their layouts do not overlap: field counts and time shapes). */
enum fx_tickfile_format fx_tickfile_detect(const char *first_line)
{
    static const enum fx_tickfile_format order[]
        = { FX_TICKFILE_PLAIN, FX_TICKFILE_HISTDATA, FX_TICKFILE_DUKASCOPY, FX_TICKFILE_TRUEFX };
    struct span s = line_span(first_line);
    if (s.n == 0) return FX_TICKFILE_UNKNOWN;
    struct fields f;
    split(s, &f);
    if (span_is(f.f[0], "symbol")) return FX_TICKFILE_PLAIN;
    if (f.f[0].n >= 8 && strncasecmp(f.f[0].p, "gmt time", 8) == 0) return FX_TICKFILE_DUKASCOPY;
    struct fx_tick t;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (fx_tickfile_parse_line(order[i], first_line, "DETECT", &t, NULL, 0) == FX_TICKFILE_TICK) return order[i];
    return FX_TICKFILE_UNKNOWN;
}
