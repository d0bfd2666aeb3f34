/*
 * Tick file formats, as fxctl imports them and fx-tickgen replays them: pure
 * line parsers, no I/O. Each line is parsed on its own, so a file of any
 * size is streamed a line at a time. Any thread.
 *
 *   plain      symbol,time,price          optional "symbol,time,price" header; fields may be
 *                                         quoted; RFC 3339 times as base/rfc3339.h reads them
 *                                         (no offset means UTC, a bare date is midnight)
 *   histdata   YYYYMMDD HHMMSSmmm,bid,ask,volume
 *              HistData.com ASCII ticks, in fixed UTC-5 (EST, no DST)
 *   dukascopy  DD.MM.YYYY HH:MM:SS.mmm,ask,bid,askvolume,bidvolume   UTC
 *              after the header "Gmt time,Ask,Bid,AskVolume,BidVolume"
 *   truefx     EUR/USD,YYYYMMDD HH:MM:SS.mmm,bid,ask                  UTC
 *
 * Quote formats give a mid price, (bid + ask) / 2, rounded to one decimal
 * more than the quotes carry: that is exact (half a pip at most) and drops the
 * binary noise of the division. histdata and dukascopy lines carry no symbol;
 * the caller's default symbol is used. Symbols and times follow the core's
 * rules (base/symbol.h, base/tick_rules.h), so a file is refused here rather
 * than at the core.
 */
#ifndef FX_BASE_TICKFILE_H
#define FX_BASE_TICKFILE_H

#include "fx/tick.h"

#include <stddef.h>

enum fx_tickfile_format {
    FX_TICKFILE_UNKNOWN = 0,
    FX_TICKFILE_PLAIN,
    FX_TICKFILE_HISTDATA,
    FX_TICKFILE_DUKASCOPY,
    FX_TICKFILE_TRUEFX,
};

/* fx_tickfile_parse_line results besides FX_EINVAL (malformed) */
#define FX_TICKFILE_TICK 0 /* *out holds a tick */
#define FX_TICKFILE_SKIP 1 /* a header or blank line: no tick, not an error */

/* Parses one line (a trailing "\n" or "\r\n" is allowed; a UTF-8 byte order
 * mark before it is skipped). `default_symbol` (may be NULL) names the ticks of
 * formats without a symbol column and is ignored by the others. Writes *out
 * only for FX_TICKFILE_TICK, and `why` (may be NULL) only for FX_EINVAL. */
int fx_tickfile_parse_line(enum fx_tickfile_format fmt, const char *line, const char *default_symbol,
    struct fx_tick *out, char *why, size_t whylen);

/* The format of a file from its first non-blank line (a header or a tick),
 * or FX_TICKFILE_UNKNOWN. */
enum fx_tickfile_format fx_tickfile_detect(const char *first_line);

/* "plain" etc. <-> enum; fx_tickfile_format_parse returns
 * FX_TICKFILE_UNKNOWN for an unknown name. */
const char *fx_tickfile_format_name(enum fx_tickfile_format fmt);
enum fx_tickfile_format fx_tickfile_format_parse(const char *name);

/* Whether lines of `fmt` lack a symbol, so the caller must supply one. */
int fx_tickfile_needs_symbol(enum fx_tickfile_format fmt);

#endif
