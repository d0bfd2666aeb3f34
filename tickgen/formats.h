/*
 * Tick file formats fx-tickgen replays: pure line parsers, no I/O. Each line
 * is parsed on its own, so a file of any size is streamed a line at a time.
 *
 *   plain      symbol,time,price          time RFC 3339; optional "symbol,..." header
 *   histdata   YYYYMMDD HHMMSSmmm,bid,ask,volume
 *              HistData.com ASCII ticks, in fixed UTC-5 (EST, no DST)
 *   dukascopy  DD.MM.YYYY HH:MM:SS.mmm,ask,bid,askvolume,bidvolume   UTC
 *              after the header "Gmt time,Ask,Bid,AskVolume,BidVolume"
 *   truefx     EUR/USD,YYYYMMDD HH:MM:SS.mmm,bid,ask                  UTC
 *
 * Quote formats give a mid price, (bid + ask) / 2, rounded to one decimal
 * more than the quotes carry: that is exact (half a pip at most) and drops the
 * binary noise of the division. histdata and dukascopy lines carry no symbol;
 * the caller's default symbol is used.
 */
#ifndef FXTG_FORMATS_H
#define FXTG_FORMATS_H

#include <stddef.h>
#include <stdint.h>

#define FXTG_SYMBOL_MAX 16 /* as fx-core: 1-16 of A-Z 0-9 . _ - */
#define FXTG_TIME_STR_MAX 32 /* buffer for fxtg_time_format */
#define FXTG_PRICE_STR_MAX 32 /* buffer for fxtg_price_format */

enum fxtg_format {
    FXTG_FMT_UNKNOWN = 0,
    FXTG_FMT_PLAIN,
    FXTG_FMT_HISTDATA,
    FXTG_FMT_DUKASCOPY,
    FXTG_FMT_TRUEFX,
};

struct fxtg_tick {
    char symbol[FXTG_SYMBOL_MAX + 1];
    int64_t time_us; /* microseconds since the Unix epoch, UTC */
    double price;
};

/* fxtg_parse_line results */
#define FXTG_LINE_TICK 0 /* *out holds a tick */
#define FXTG_LINE_SKIP 1 /* a header or blank line: no tick, not an error */
#define FXTG_LINE_BAD (-1) /* malformed: the reason is in `why` */

/* Parses one line (a trailing "\n" or "\r\n" is allowed; a UTF-8 byte order
 * mark before it is skipped). `default_symbol` (may be NULL) names the ticks of
 * formats without a symbol column and is ignored by the others. Writes *out
 * only for FXTG_LINE_TICK, and `why` (may be NULL) only for FXTG_LINE_BAD. */
int fxtg_parse_line(enum fxtg_format fmt, const char *line, const char *default_symbol, struct fxtg_tick *out,
    char *why, size_t whylen);

/* The format of a file from its first non-blank line (a header or a tick),
 * or FXTG_FMT_UNKNOWN. */
enum fxtg_format fxtg_detect_format(const char *first_line);

/* "plain" etc. <-> enum; fxtg_format_parse returns FXTG_FMT_UNKNOWN for an
 * unknown name. */
const char *fxtg_format_name(enum fxtg_format fmt);
enum fxtg_format fxtg_format_parse(const char *name);

/* Whether lines of `fmt` lack a symbol, so the caller must supply one. */
int fxtg_format_needs_symbol(enum fxtg_format fmt);

/* fx-core's symbol rule: upper-cases, drops one "/" between characters
 * ("eur/usd" -> "EURUSD"), then 1-16 of A-Z 0-9 . _ -. Writes `out` only on
 * success. Returns 0 or -1. */
int fxtg_symbol_normalise(const char *in, char out[FXTG_SYMBOL_MAX + 1]);

/* RFC 3339 UTC with microseconds, "2024-01-02T03:04:05.000006Z", for times in
 * 0000..9999. Returns `buf`. */
char *fxtg_time_format(int64_t us, char buf[FXTG_TIME_STR_MAX]);

/* Shortest decimal that reads back as the same double ("1.08124", not
 * "1.0812400000000001"). Returns `buf`. */
char *fxtg_price_format(double price, char buf[FXTG_PRICE_STR_MAX]);

#endif
