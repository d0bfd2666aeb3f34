/*
 * fxctl import: a tick file, streamed into fx-core in fxc_ticks_bulk batches.
 * Uses only the public client API and the tick file parsers of base/
 * (base/tickfile.h).
 *
 *   plain      symbol,time,price       RFC 3339 times as every fxctl argument (no
 *                                      offset = UTC), quoted fields; optional header
 *   histdata   YYYYMMDD HHMMSSmmm,bid,ask,volume           (EST) needs a symbol
 *   dukascopy  DD.MM.YYYY HH:MM:SS.mmm,ask,bid,askvol,bidvol (UTC) needs a symbol
 *   truefx     EUR/USD,YYYYMMDD HH:MM:SS.mmm,bid,ask         (UTC)
 *
 * Quote formats store the mid price and UTC times (see base/tickfile.h).
 *
 * This module reads, parses and sends; it does not exit and prints nothing
 * but the optional progress line. fxctl.c parses the command line and prints
 * the summary or the error.
 */
#ifndef FXCTL_IMPORT_H
#define FXCTL_IMPORT_H

#include "base/errors.h"
#include "base/tickfile.h"

#include <fx/client.h>

#include <stdint.h>
#include <stdio.h>

#define FXCTL_IMPORT_BATCH_DEFAULT 10000

struct fxctl_import_options {
    /* FX_TICKFILE_UNKNOWN ("auto"): told by fx_tickfile_detect from the first
     * non-blank line; a line no format takes is read as plain. */
    enum fx_tickfile_format format;
    /* The symbol of histdata and dukascopy ticks, which carry none (required
     * for them); NULL or "" otherwise: the other formats name their symbol. */
    const char *symbol;
    size_t batch; /* ticks per fxc_ticks_bulk, clamped to 1..FXC_BULK_MAX */
    FILE *progress; /* NULL, or where the progress line goes */
};

struct fxctl_import_stats {
    enum fx_tickfile_format format; /* as given or detected; FX_TICKFILE_UNKNOWN if not known yet */
    uint64_t lines; /* lines read, including header and blank lines */
    uint64_t ticks; /* ticks in batches the core accepted */
    uint64_t created;
    uint64_t duplicates;
    uint64_t stored_through_line; /* last line of the last accepted batch; 0 if none */
    double elapsed_s;
};

/* What fxctl_import_file returns besides 0 (base/errors.h's codes):
 *   FX_EIO      the file could not be opened or read
 *   FX_EINVAL   a malformed or overlong line: nothing of its batch was sent
 *   FX_EREMOTE  fxc_ticks_bulk failed: err is the core's error
 *   FX_ECONFIG  the options do not fit the format (--symbol missing, not
 *               applicable or invalid): err.field names the option; nothing
 *               was sent */

/* Streams `path` ("-" = stdin) into the core in batches of opt->batch ticks:
 * memory use is one batch and one line, whatever the file size. The symbol
 * option is checked before the file is read when the format is given, and
 * after its first non-blank line when it is detected.
 * When opt->progress is not NULL, a line updated in place ("\r") shows the
 * progress there, and is erased before returning. `st` is always filled.
 * On failure `err` gets the reason; messages about a line start with
 * "FILE:LINE: ". Returns 0 or one of the codes above. */
int fxctl_import_file(fxc *c, const char *path, const struct fxctl_import_options *opt,
    struct fxctl_import_stats *st, fxc_err *err);

#endif
