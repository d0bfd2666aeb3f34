/*
 * fxctl import: tick file lines -> batches of fxc_ticks_bulk.
 *
 * The file is streamed through one fixed line buffer and one batch of ticks,
 * so memory does not grow with the file. A batch is sent only once every
 * line in it has parsed: a malformed line stops the import before its batch
 * reaches the core, and the caller can say exactly which lines are stored
 * (all of those of earlier batches). Importing the same file again is safe,
 * as the core skips duplicates.
 *
 * Every format goes through the one set of tick file parsers
 * (base/tickfile.h), which fx-tickgen replays files with too.
 */
#include "client/fxctl_import.h"

#include "base/errors.h"
#include "base/symbol.h"
#include "client/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PROGRESS_INTERVAL_S 0.2
#define QUOTE_MAX 40 /* characters of a bad value quoted in an error */

struct importer {
    fxc *c;
    FILE *in;
    const char *name; /* for messages: the path, or "<stdin>" */
    FILE *progress;
    fxc_tick *ticks; /* the batch being filled */
    uint64_t *line_of; /* line number of each tick of the batch */
    size_t n, cap;
    enum fx_tickfile_format fmt; /* FX_TICKFILE_UNKNOWN until the first non-blank line, with auto */
    uint64_t detected_at; /* line the format was detected from; 0 if it was given */
    int guessed_plain; /* auto: no format took that line, so it is read as plain */
    char symbol[FX_SYMBOL_MAX + 1]; /* the symbol option, normalised; "" if none */
    struct timespec t0;
    double last_progress;
    struct fxctl_import_stats *st;
    fxc_err err;
};

/* ---- one line ----------------------------------------------------------- */

static int is_space(char c) { return c == ' ' || c == '\t'; }

static void strip_eol(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

static int is_blank(const char *s)
{
    while (is_space(*s))
        s++;
    return *s == '\0';
}

/* ---- progress ----------------------------------------------------------- */

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void show_progress(struct importer *imp)
{
    const struct fxctl_import_stats *st = imp->st;
    if (imp->progress == NULL) return;
    double now = seconds_since(&imp->t0);
    if (now - imp->last_progress < PROGRESS_INTERVAL_S) return;
    imp->last_progress = now;
    /* "\r" returns to the start of the line, "\033[K" erases what a longer
     * previous line left behind. */
    fprintf(imp->progress, "\r%s: %llu lines read, %llu created, %llu duplicates, %.0f ticks/s\033[K",
        imp->name, (unsigned long long)st->lines, (unsigned long long)st->created,
        (unsigned long long)st->duplicates, now > 0 ? (double)st->ticks / now : 0.0);
    fflush(imp->progress);
}

static void erase_progress(struct importer *imp)
{
    if (imp->progress == NULL || imp->last_progress == 0.0) return;
    fputs("\r\033[K", imp->progress);
    fflush(imp->progress);
}

/* ---- batches ------------------------------------------------------------ */

/* Prefixes err.message with "FILE:LINE: ". */
static void err_at_line(struct importer *imp, uint64_t line)
{
    fxc_err e = imp->err;
    fxc_fail(&imp->err, e.code, e.field, "%s:%llu: %s", imp->name, (unsigned long long)line, e.message);
}

/* When the core rejects a batch it names the tick's index in err.field
 * ("17", or a form like "ticks[17]"): turn that into the file's line. */
static void locate_core_error(struct importer *imp)
{
    const char *p = imp->err.field;
    while (*p != '\0' && (*p < '0' || *p > '9'))
        p++;
    if (imp->err.code != FXC_INVALID_ARGUMENT || *p == '\0') return;
    unsigned long long i = strtoull(p, NULL, 10);
    if (i < imp->n) err_at_line(imp, imp->line_of[i]);
}

static int send_batch(struct importer *imp)
{
    uint64_t created = 0, duplicates = 0;
    if (imp->n == 0) return 0;
    int rc = fxc_ticks_bulk(imp->c, imp->ticks, imp->n, &created, &duplicates, &imp->err);
    if (rc != FXC_OK) {
        imp->err.code = rc;
        if (imp->err.message[0] == '\0') fxc_fail(&imp->err, rc, "", "bulk insert failed");
        locate_core_error(imp);
        return FX_EREMOTE;
    }
    imp->st->ticks += imp->n;
    imp->st->created += created;
    imp->st->duplicates += duplicates;
    imp->st->stored_through_line = imp->line_of[imp->n - 1];
    imp->n = 0;
    return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* After a full buffer without "\n": is the line complete anyway? */
static int at_line_end(FILE *in)
{
    int c = getc(in);
    if (c == EOF || c == '\n') return 1;
    ungetc(c, in);
    return 0;
}

/* Reads one line into buf; *got is 0 at the end of the file. */
static int read_line(struct importer *imp, char *buf, size_t size, int *got)
{
    *got = 0;
    if (fgets(buf, (int)size, imp->in) == NULL) {
        if (!ferror(imp->in)) return 0;
        fxc_fail(&imp->err, 0, "", "%s: read error: %s", imp->name, strerror(errno));
        return FX_EIO;
    }
    imp->st->lines++;
    if (strchr(buf, '\n') == NULL && strlen(buf) == size - 1 && !at_line_end(imp->in)) {
        fxc_fail(&imp->err, FXC_INVALID_ARGUMENT, "line", "%s:%llu: line longer than %d bytes", imp->name,
            (unsigned long long)imp->st->lines, FX_TICKFILE_LINE_MAX);
        return FX_EINVAL;
    }
    *got = 1;
    return 0;
}

/* ---- format and symbol -------------------------------------------------- */

static int check_symbol_option(struct importer *imp, const char *symbol)
{
    if (symbol == NULL || symbol[0] == '\0') return 0;
    if (fx_symbol_normalise(symbol, imp->symbol) == 0) return 0;
    fxc_fail(&imp->err, FXC_INVALID_ARGUMENT, "--symbol", "--symbol: '%.*s' is not " FX_SYMBOL_RULE,
        QUOTE_MAX, symbol);
    return FX_ECONFIG;
}

/* Histdata and dukascopy need the symbol option, the others name their own
 * symbol: an option they would ignore is refused rather than dropped. */
static int check_symbol_fits(struct importer *imp)
{
    const char *name = fx_tickfile_format_name(imp->fmt);
    char how[64] = "";
    if (imp->detected_at != 0)
        snprintf(how, sizeof how, " (%s from line %llu)", imp->guessed_plain ? "assumed" : "detected",
            (unsigned long long)imp->detected_at);
    if (fx_tickfile_needs_symbol(imp->fmt) && imp->symbol[0] == '\0') {
        fxc_fail(&imp->err, FXC_INVALID_ARGUMENT, "--symbol",
            "%s: %s lines%s carry no symbol: give --symbol SYM", imp->name, name, how);
        return FX_ECONFIG;
    }
    if (!fx_tickfile_needs_symbol(imp->fmt) && imp->symbol[0] != '\0') {
        fxc_fail(&imp->err, FXC_INVALID_ARGUMENT, "--symbol",
            "%s: --symbol does not apply: %s lines%s name their symbol", imp->name, name, how);
        return FX_ECONFIG;
    }
    return 0;
}

/* auto: the format of the first non-blank line; plain when none takes it,
 * so that the error names what plain would have wanted. */
static int detect_format(struct importer *imp, const char *line)
{
    imp->fmt = fx_tickfile_detect(line);
    imp->detected_at = imp->st->lines;
    if (imp->fmt == FX_TICKFILE_UNKNOWN) {
        imp->fmt = FX_TICKFILE_PLAIN;
        imp->guessed_plain = 1;
    }
    imp->st->format = imp->fmt;
    return check_symbol_fits(imp);
}

/* ---- lines -------------------------------------------------------------- */

static int add_tick(struct importer *imp, const fxc_tick *t)
{
    imp->ticks[imp->n] = *t;
    imp->line_of[imp->n++] = imp->st->lines;
    return imp->n == imp->cap ? send_batch(imp) : 0;
}

/* Header and blank lines are skipped; a tick joins the batch. */
static int take_tick(struct importer *imp, const char *line)
{
    fxc_tick t;
    char why[sizeof imp->err.message];
    int r = fx_tickfile_parse_line(imp->fmt, line, imp->symbol, &t, why, sizeof why);
    if (r == FX_TICKFILE_SKIP) return 0;
    if (r != FX_TICKFILE_TICK) {
        if (imp->guessed_plain && imp->st->lines == imp->detected_at)
            fxc_fail(&imp->err, FXC_INVALID_ARGUMENT, "line",
                "no format fits this line (as plain: %s); give --format plain|histdata|dukascopy|truefx",
                why);
        else
            fxc_fail(&imp->err, FXC_INVALID_ARGUMENT, "line", "%s", why);
        err_at_line(imp, imp->st->lines);
        return FX_EINVAL;
    }
    return add_tick(imp, &t);
}

/* One line of the file; a full batch is sent. */
static int take_line(struct importer *imp, char *line)
{
    show_progress(imp);
    if (imp->st->lines == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0) line += 3; /* UTF-8 BOM */
    strip_eol(line);
    if (imp->fmt == FX_TICKFILE_UNKNOWN) {
        if (is_blank(line)) return 0;
        int rc = detect_format(imp, line);
        if (rc != 0) return rc;
    }
    return take_tick(imp, line);
}

static int import_stream(struct importer *imp)
{
    char line[FX_TICKFILE_LINE_MAX + 2]; /* room for "\n" and the NUL */
    int got, rc;
    while ((rc = read_line(imp, line, sizeof line, &got)) == 0 && got) {
        rc = take_line(imp, line);
        if (rc != 0) return rc;
    }
    return rc != 0 ? rc : send_batch(imp);
}

/* ---- setup -------------------------------------------------------------- */

static int importer_open(struct importer *imp, const char *path)
{
    imp->ticks = malloc(imp->cap * sizeof *imp->ticks);
    imp->line_of = malloc(imp->cap * sizeof *imp->line_of);
    if (imp->ticks == NULL || imp->line_of == NULL) {
        fxc_fail(&imp->err, 0, "", "out of memory for a batch of %zu ticks", imp->cap);
        return FX_EIO;
    }
    if (strcmp(path, "-") == 0) {
        imp->in = stdin;
        imp->name = "<stdin>";
        return 0;
    }
    imp->name = path;
    imp->in = fopen(path, "r");
    if (imp->in == NULL) {
        fxc_fail(&imp->err, 0, "", "cannot open %s: %s", path, strerror(errno));
        return FX_EIO;
    }
    return 0;
}

static void importer_close(struct importer *imp)
{
    if (imp->in != NULL && imp->in != stdin) fclose(imp->in);
    free(imp->ticks);
    free(imp->line_of);
}

int fxctl_import_file(fxc *c, const char *path, const struct fxctl_import_options *opt,
    struct fxctl_import_stats *st, fxc_err *err)
{
    struct importer imp = { .c = c, .progress = opt->progress, .st = st, .fmt = opt->format };
    imp.name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    size_t batch = opt->batch;
    imp.cap = batch < 1 ? 1 : batch > FXC_BULK_MAX ? FXC_BULK_MAX : batch;
    memset(st, 0, sizeof *st);
    st->format = opt->format;
    clock_gettime(CLOCK_MONOTONIC, &imp.t0);
    int rc = check_symbol_option(&imp, opt->symbol);
    if (rc == 0 && imp.fmt != FX_TICKFILE_UNKNOWN) rc = check_symbol_fits(&imp);
    if (rc == 0) rc = importer_open(&imp, path);
    if (rc == 0) rc = import_stream(&imp);
    importer_close(&imp);
    st->elapsed_s = seconds_since(&imp.t0);
    erase_progress(&imp);
    if (rc != 0 && err != NULL) *err = imp.err;
    return rc;
}
