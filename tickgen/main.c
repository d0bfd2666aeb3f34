/*
 * fx-tickgen: ticks into the Redis Stream fx-core ingests (XADD symbol, time,
 * price), either synthetic — a geometric random walk per symbol at --rate
 * ticks/s — or replayed from a tick file (--replay) at the pace of the ticks'
 * own times divided by --speed. Stops at the end (--duration, end of file) or
 * on SIGINT/SIGTERM, after sending what is queued.
 *
 * Exit status: 0 done or stopped by a signal, 1 Redis or the input failed,
 * 2 bad usage. --help lists flags and environment.
 */
#include "base/calendar.h"
#include "base/errors.h"
#include "base/rfc3339.h"
#include "base/symbol.h"
#include "base/tickfile.h"
#include "tickgen/redis_out.h"
#include "tickgen/walk.h"

#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef FX_VERSION
#define FX_VERSION "dev"
#endif

#define NS_PER_SEC 1000000000LL
#define LINE_BYTES 4096 /* longest input line + 2; tick lines are ~60 bytes */
#define SEED_MAX 1e18
/* Relative sigma of one tick at one tick per second per symbol; scaled by
 * sqrt(interval) so prices move as fast per minute whatever the rate. */
#define SIGMA_PER_SQRT_SECOND 2e-5
#define SPEED_MIN 0.01 /* below this a weekend gap would overflow the schedule */

/* ---- configuration: one table of flags, their environment and bounds ---- */

struct options {
    char redis_url[512];
    char stream[256];
    long long maxlen;
    char symbols[1024];
    long long rate; /* 0: one tick per second per symbol */
    double duration;
    long long seed;
    char replay[4096];
    char format[16];
    char symbol[64];
    double speed;
    double max_gap;
    char heartbeat[4096];
};

enum opt_type { OPT_STR, OPT_INT, OPT_NUM };
enum opt_mode { ANY, WALK, REPLAY }; /* the mode a flag belongs to */

struct opt {
    const char *flag, *arg, *env;
    enum opt_type type;
    const char *def; /* NULL: none (see help) */
    double min, max; /* OPT_INT, OPT_NUM */
    size_t offset, size;
    enum opt_mode mode;
    const char *help;
};

/* clang-format off */
#define FIELD(f) offsetof(struct options, f), sizeof(((struct options *)0)->f)
#define O_STR(f, flag, arg, env, def, mode, help) { flag, arg, env, OPT_STR, def, 0, 0, FIELD(f), mode, help }
#define O_INT(f, flag, arg, def, min, max, mode, help) { flag, arg, NULL, OPT_INT, def, min, max, FIELD(f), mode, help }
#define O_NUM(f, flag, arg, def, min, max, mode, help) { flag, arg, NULL, OPT_NUM, def, min, max, FIELD(f), mode, help }
/* clang-format on */

static const struct opt opts[] = {
    O_STR(redis_url, "--redis-url", "URL", "REDIS_URL", "redis://127.0.0.1:6379", ANY,
        "redis://[[user]:password@]host[:port][/db]"),
    O_STR(stream, "--stream", "NAME", "REDIS_STREAM", "fx:ticks", ANY, "the stream to XADD to"),
    O_INT(maxlen, "--maxlen", "N", "0", 0, 1e12, ANY,
        "cap the stream near N entries (MAXLEN ~); 0 = none, fx-core trims"),
    O_STR(symbols, "--symbols", "LIST", NULL, "EURUSD,GBPUSD,USDJPY", WALK,
        "comma-separated symbols to walk (1-64)"),
    O_INT(rate, "--rate", "N", NULL, 1, 100000, WALK,
        "ticks/s, all symbols together, 1..100000; default one per symbol"),
    O_NUM(
        duration, "--duration", "SECONDS", "0", 0, 1e9, WALK, "stop after this long; 0 = at SIGINT/SIGTERM"),
    O_INT(seed, "--seed", "N", NULL, 0, SEED_MAX, WALK,
        "seed, to repeat the prices; default from the clock, printed"),
    O_STR(
        replay, "--replay", "FILE", NULL, NULL, ANY, "replay FILE (- = standard input) instead of the walk"),
    O_STR(format, "--format", "NAME", NULL, "auto", REPLAY,
        "auto (from the first line), plain, histdata, dukascopy, truefx"),
    O_STR(symbol, "--symbol", "SYM", NULL, "", REPLAY,
        "symbol of histdata and dukascopy ticks (they carry none)"),
    O_NUM(speed, "--speed", "X", "1", 0, 1e6, REPLAY, "1 = real time, 10 = ten times faster, 0 = no waiting"),
    O_NUM(max_gap, "--max-gap", "SECONDS", "0", 0, 1e9, REPLAY,
        "longest wait between two ticks (weekends), before --speed; 0 = none"),
    O_STR(heartbeat, "--heartbeat", "FILE", NULL, "", ANY,
        "touch FILE each second while running (for a liveness probe)"),
};
#define NOPTS (sizeof opts / sizeof opts[0])

static void usage(FILE *out)
{
    fprintf(out,
        "Usage: fx-tickgen [options]                 random-walk ticks into the stream\n"
        "       fx-tickgen --replay FILE [options]   replay a tick file into the stream\n"
        "       fx-tickgen --help | --version\n\n"
        "Writes ticks as fx-core ingests them: XADD <stream> * symbol S time T price P,\n"
        "time in RFC 3339 UTC with microseconds. Flags take \"--flag VALUE\" or \"--flag=VALUE\".\n\n"
        "Options:\n");
    for (size_t i = 0; i < NOPTS; i++) {
        const struct opt *o = &opts[i];
        char left[40];
        snprintf(left, sizeof left, "%s %s", o->flag, o->arg);
        fprintf(out, "  %-20s %s\n", left, o->help);
        char more[160] = "";
        if (o->def && (o->def[0] || o->type != OPT_STR)) snprintf(more, sizeof more, "default %s", o->def);
        if (o->env)
            snprintf(
                more + strlen(more), sizeof more - strlen(more), "%senv %s", more[0] ? "; " : "", o->env);
        if (more[0]) fprintf(out, "  %-20s %s\n", "", more);
    }
    fprintf(out, "\nEnvironment (a flag wins over its variable):\n");
    for (size_t i = 0; i < NOPTS; i++)
        if (opts[i].env) fprintf(out, "  %-20s as %s\n", opts[i].env, opts[i].flag);
    fprintf(out, "  %-20s text (default) or json: messages as one JSON object per line\n", "LOG_FORMAT");
    fprintf(out,
        "\nRandom walk: the symbols take turns, evenly spaced at --rate, time = now. Each price moves by\n"
        "exp(sigma*z), z normal, sigma 2e-5 at one tick/s per symbol (scaled by the square root of the\n"
        "interval, so prices move as fast per minute at any rate). JPY-quoted pairs: 3 decimals, others 5.\n"
        "\nReplay formats (quote formats give the mid price, to half a pip):\n"
        "  plain      symbol,time,price                      RFC 3339 time; optional header \"symbol,...\"\n"
        "  histdata   YYYYMMDD HHMMSSmmm,bid,ask,volume       HistData ASCII, UTC-5 all year\n"
        "  dukascopy  DD.MM.YYYY HH:MM:SS.mmm,ask,bid,av,bv   UTC; header \"Gmt time,Ask,Bid,...\"\n"
        "  truefx     EUR/USD,YYYYMMDD HH:MM:SS.mmm,bid,ask    UTC\n"
        "\nExit status: 0 done (or stopped by SIGINT/SIGTERM), 1 Redis or the input failed, 2 bad usage.\n");
}

static size_t opt_index(const char *flag)
{
    size_t i = 0;
    while (i < NOPTS - 1 && strcmp(opts[i].flag, flag) != 0)
        i++;
    return i;
}

/* Writes one value into `o`; `source` names the flag or variable in errors. */
static int set_opt(struct options *o, const struct opt *d, const char *value, const char *source)
{
    char *dst = (char *)o + d->offset, *end;
    if (d->type == OPT_STR) {
        if (strlen(value) >= d->size) {
            fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: %s is longer than %zu bytes", source, d->size - 1);
            return -1;
        }
        strcpy(dst, value);
        return 0;
    }
    errno = 0;
    double v = d->type == OPT_INT ? (double)strtoll(value, &end, 10) : strtod(value, &end);
    if (errno || end == value || *end || !(v >= d->min && v <= d->max)) {
        fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: %s \"%s\": expected %s in %g..%g", source, value,
            d->type == OPT_INT ? "an integer" : "a number", d->min, d->max);
        return -1;
    }
    if (d->type == OPT_INT)
        *(long long *)dst = strtoll(value, NULL, 10);
    else
        *(double *)dst = v;
    return 0;
}

/* Defaults, then the environment, then the flags. *given marks the flags
 * used. Returns 0, 1 for --help/--version (printed), or -1 (reported). */
static int load_options(struct options *o, int given[NOPTS], int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < NOPTS; i++) {
        const char *env = opts[i].env ? getenv(opts[i].env) : NULL;
        const char *v = env && *env ? env : opts[i].def;
        if (v && set_opt(o, &opts[i], v, env && *env ? opts[i].env : opts[i].flag) != 0) return -1;
        given[i] = 0;
    }
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
            usage(stdout);
            return 1;
        }
        if (strcmp(argv[a], "--version") == 0) {
            printf("fx-tickgen %s\n", FX_VERSION);
            return 1;
        }
        size_t i, len = strcspn(argv[a], "=");
        for (i = 0; i < NOPTS; i++)
            if (strlen(opts[i].flag) == len && strncmp(argv[a], opts[i].flag, len) == 0) break;
        if (i == NOPTS) {
            fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: unknown argument \"%s\" (see --help)", argv[a]);
            return -1;
        }
        const char *value = argv[a][len] == '=' ? argv[a] + len + 1 : a + 1 < argc ? argv[++a] : NULL;
        if (value == NULL) {
            fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: %s needs a value (%s)", opts[i].flag, opts[i].arg);
            return -1;
        }
        if (set_opt(o, &opts[i], value, opts[i].flag) != 0) return -1;
        given[i] = 1;
    }
    int replay = o->replay[0] != '\0';
    for (size_t i = 0; i < NOPTS; i++) {
        if (given[i] && opts[i].mode == WALK && replay) {
            fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: %s is for the random walk, not --replay", opts[i].flag);
            return -1;
        }
        if (given[i] && opts[i].mode == REPLAY && !replay) {
            fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: %s needs --replay FILE", opts[i].flag);
            return -1;
        }
    }
    if (o->speed > 0 && o->speed < SPEED_MIN) {
        fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: --speed is 0 (no pacing) or at least %g", SPEED_MIN);
        return -1;
    }
    return 0;
}

/* ---- clocks, signals, progress ------------------------------------------ */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* An absolute deadline: oversleeping once does not shift later ticks. A
 * signal cuts it short (no SA_RESTART), and the caller looks at stop_signal. */
static void sleep_until(int64_t ns)
{
    struct timespec ts = { ns / NS_PER_SEC, ns % NS_PER_SEC };
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

struct progress {
    const char *heartbeat; /* a file touched each second, or NULL */
    int tty; /* status line only on a terminal: logs stay one line per event */
    int shown;
    int64_t start_ns, last_ns, next_ns;
    uint64_t last_sent;
};

static const char *heartbeat_file; /* --heartbeat, NULL when not given */

static void progress_start(struct progress *p)
{
    p->heartbeat = heartbeat_file;
    p->tty = isatty(STDERR_FILENO);
    p->shown = 0;
    p->start_ns = p->last_ns = mono_ns();
    /* without a terminal or a heartbeat there is no reason to wake */
    p->next_ns = p->tty || p->heartbeat ? p->start_ns + NS_PER_SEC : INT64_MAX;
    p->last_sent = 0;
}

/* The loop runs (sends, or waits for the next tick): a liveness probe
 * checks the file's age. Failing to touch it only means the probe fails. */
static void beat(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    futimens(fd, NULL);
    close(fd);
}

/* Once a second: "\r" and the counts, over the previous line. */
static void progress_update(struct progress *p, struct fxtg_out *out, int64_t now, const char *extra)
{
    if (now < p->next_ns) return;
    if (p->heartbeat) beat(p->heartbeat);
    p->next_ns = now + NS_PER_SEC;
    if (!p->tty) return;
    uint64_t sent = fxtg_out_sent(out);
    double rate = (double)(sent - p->last_sent) * NS_PER_SEC / (double)(now - p->last_ns);
    fprintf(stderr, "\r%llu sent, %.0f/s%s\033[K", (unsigned long long)sent, rate, extra ? extra : "");
    p->shown = 1;
    p->last_sent = sent, p->last_ns = now;
}

static void summary(struct progress *p, struct fxtg_out *out, const char *stream, const char *end)
{
    if (p->shown) fputc('\n', stderr);
    double s = (double)(mono_ns() - p->start_ns) / NS_PER_SEC;
    uint64_t sent = fxtg_out_sent(out);
    fx_log_say(FX_LOG_INFO, "tickgen", "fx-tickgen: %llu ticks sent to %s in %.2f s (%.0f/s)%s", (unsigned long long)sent,
        stream, s, s > 0 ? (double)sent / s : 0.0, end);
}

/* ---- mode 1: the random walk --------------------------------------------- */

struct walk_run {
    char symbols[FXTG_WALK_MAX][FX_SYMBOL_MAX + 1];
    size_t n;
    long long rate;
    uint64_t seed;
};

/* --symbols into normalised, distinct symbols. */
static int parse_symbols(const char *list, struct walk_run *w)
{
    w->n = 0;
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        char one[64];
        snprintf(one, sizeof one, "%.*s", (int)(len < sizeof one ? len : sizeof one - 1), p);
        if (w->n == FXTG_WALK_MAX) {
            fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: --symbols: more than %d symbols", FXTG_WALK_MAX);
            return -1;
        }
        if (len >= sizeof one || fx_symbol_normalise(one, w->symbols[w->n]) != 0) {
            fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: --symbols: \"%s\" is not " FX_SYMBOL_RULE, one);
            return -1;
        }
        for (size_t i = 0; i < w->n; i++)
            if (strcmp(w->symbols[i], w->symbols[w->n]) == 0) {
                fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: --symbols: %s twice", w->symbols[i]);
                return -1;
            }
        w->n++;
        if (p[len] == '\0') return 0;
        p += len + 1;
    }
}

/* When tick k is due: exact for any k, no drift from adding intervals. */
static int64_t due_ns(int64_t start, uint64_t k, long long rate)
{
    return start + (int64_t)(k / (uint64_t)rate) * NS_PER_SEC
        + (int64_t)(k % (uint64_t)rate) * NS_PER_SEC / rate;
}

static int run_walk(const struct options *o, const struct walk_run *run, struct fxtg_out *out)
{
    static struct fxtg_walk walk; /* 1.6 KB: not on the stack */
    const char *names[FXTG_WALK_MAX];
    for (size_t i = 0; i < run->n; i++)
        names[i] = run->symbols[i];
    double sigma = SIGMA_PER_SQRT_SECOND * sqrt((double)run->n / (double)run->rate);
    fxtg_walk_init(&walk, names, run->n, sigma, run->seed);
    int64_t last_us[FXTG_WALK_MAX] = { 0 };
    uint64_t total = o->duration > 0 ? (uint64_t)llround(o->duration * (double)run->rate) : UINT64_MAX;

    struct progress p;
    progress_start(&p);
    char err[512] = "";
    uint64_t k = 0;
    int rc = 0;
    while (!stop_signal && k < total && rc == 0) {
        int64_t now = mono_ns();
        int queued = 0;
        /* Everything due, a chunk at a time: one round trip per chunk. */
        while (k < total && queued < FXTG_OUT_CHUNK && due_ns(p.start_ns, k, run->rate) <= now) {
            size_t i = k % run->n; /* symbols take turns */
            struct fx_tick t;
            memcpy(t.symbol, run->symbols[i], sizeof t.symbol);
            t.price = fxtg_walk_next(&walk, i);
            /* now, but never twice the same (symbol, time): fx-core would
             * take the second for a duplicate and skip it */
            t.time_us = fx_now_us();
            if (t.time_us <= last_us[i]) t.time_us = last_us[i] + 1;
            last_us[i] = t.time_us;
            if ((rc = fxtg_out_add(out, &t, err, sizeof err)) != 0) break;
            k++, queued++;
        }
        if (rc == 0 && queued) rc = fxtg_out_flush(out, err, sizeof err);
        now = mono_ns();
        progress_update(&p, out, now, NULL);
        if (rc || k >= total || queued == FXTG_OUT_CHUNK) continue; /* behind: no sleep */
        int64_t next = due_ns(p.start_ns, k, run->rate);
        sleep_until(next < p.next_ns ? next : p.next_ns);
    }
    /* The whole --duration, so the summary's rate is the one asked for. */
    if (rc == 0 && total != UINT64_MAX)
        while (!stop_signal && mono_ns() < p.start_ns + (int64_t)(o->duration * NS_PER_SEC))
            sleep_until(p.start_ns + (int64_t)(o->duration * NS_PER_SEC));
    summary(&p, out, o->stream, rc ? ", then Redis failed" : stop_signal ? " (stopped by a signal)" : "");
    if (rc) fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: %s", err);
    return rc ? 1 : 0;
}

/* ---- mode 2: replay --------------------------------------------------------- */

struct reader {
    FILE *f;
    const char *path;
    unsigned long lineno;
    char line[LINE_BYTES];
    int have_line; /* line[] was read ahead (format detection), not yet parsed */
    enum fx_tickfile_format fmt;
    char symbol[FX_SYMBOL_MAX + 1]; /* --symbol, normalised; "" if none */
};

/* 1 with a line, 0 at the end, -1 with a message in `failure`. */
static int read_line(struct reader *r, char *failure, size_t len)
{
    if (fgets(r->line, sizeof r->line, r->f) == NULL) {
        if (ferror(r->f)) snprintf(failure, len, "%s: %s", r->path, strerror(errno));
        return ferror(r->f) ? -1 : 0;
    }
    r->lineno++;
    size_t n = strlen(r->line);
    if (n == sizeof r->line - 1 && r->line[n - 1] != '\n') {
        int c = getc(r->f); /* a last line of exactly the buffer's size is fine */
        if (c != EOF) {
            snprintf(
                failure, len, "%s:%lu: line is longer than %d bytes", r->path, r->lineno, LINE_BYTES - 2);
            return -1;
        }
    }
    return 1;
}

static int blank(const char *s)
{
    if (strncmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3;
    return s[strspn(s, " \t\r\n")] == '\0';
}

/* Opens the file and reads up to its first non-blank line, to learn the
 * format before connecting: usage errors come before any tick is sent.
 * Returns 0; 1 or 2 (the exit status) after reporting; -1 for a file
 * without a line (nothing to do, not an error). */
static int reader_open(struct reader *r, const struct options *o)
{
    memset(r, 0, sizeof *r);
    r->path = strcmp(o->replay, "-") == 0 ? "(stdin)" : o->replay;
    if (o->symbol[0] && fx_symbol_normalise(o->symbol, r->symbol) != 0) {
        fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: --symbol \"%s\" is not " FX_SYMBOL_RULE, o->symbol);
        return 2;
    }
    if (strcmp(o->format, "auto") != 0 && (r->fmt = fx_tickfile_format_parse(o->format)) == FX_TICKFILE_UNKNOWN) {
        fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: --format \"%s\": expected auto, plain, histdata, dukascopy or truefx",
            o->format);
        return 2;
    }
    r->f = strcmp(o->replay, "-") == 0 ? stdin : fopen(o->replay, "r");
    if (r->f == NULL) {
        fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: %s: %s", o->replay, strerror(errno));
        return 1;
    }
    char failure[600];
    int got;
    while ((got = read_line(r, failure, sizeof failure)) == 1 && blank(r->line)) { }
    if (got < 0) {
        fx_log_say(FX_LOG_ERROR, "tickgen", "%s", failure);
        return 1;
    }
    r->have_line = got == 1;
    if (got == 1 && r->fmt == FX_TICKFILE_UNKNOWN
        && (r->fmt = fx_tickfile_detect(r->line)) == FX_TICKFILE_UNKNOWN) {
        fx_log_say(FX_LOG_ERROR, "tickgen",
            "%s:%lu: cannot tell the format from this line; give --format plain|histdata|dukascopy|truefx",
            r->path, r->lineno);
        return 1;
    }
    if (got == 0) {
        fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: %s has no ticks: nothing to send", r->path);
        return -1;
    }
    if (fx_tickfile_needs_symbol(r->fmt) && !r->symbol[0]) {
        fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: %s: %s lines carry no symbol: give --symbol SYM", r->path,
            fx_tickfile_format_name(r->fmt));
        return 2;
    }
    if (r->symbol[0] && (r->fmt == FX_TICKFILE_PLAIN || r->fmt == FX_TICKFILE_TRUEFX))
        fprintf(
            stderr, "fx-tickgen: --symbol ignored: %s lines name their symbol\n", fx_tickfile_format_name(r->fmt));
    return 0;
}

static void reader_close(struct reader *r)
{
    if (r->f && r->f != stdin) fclose(r->f);
}

/* Sends what is queued (those ticks are due now), then sleeps until `due`,
 * waking each second for the status line. */
static int wait_until(
    int64_t due, struct fxtg_out *out, struct progress *p, const char *extra, char *err, size_t errlen)
{
    int64_t now = mono_ns();
    if (due <= now) return 0;
    if (fxtg_out_flush(out, err, errlen) != 0) return -1;
    while (!stop_signal && now < due) {
        sleep_until(due < p->next_ns ? due : p->next_ns);
        now = mono_ns();
        progress_update(p, out, now, extra);
    }
    return 0;
}

static int run_replay(const struct options *o, struct reader *r, struct fxtg_out *out)
{
    struct progress p;
    progress_start(&p);
    int64_t due = p.start_ns, prev_us = 0;
    int have_prev = 0;
    double max_gap_us = o->max_gap * 1e6;
    char failure[600] = "", err[512] = "", why[256], extra[64] = "";
    enum { DONE, INPUT_FAILED, REDIS_FAILED } state = DONE;
    while (!stop_signal) {
        if (!r->have_line) {
            int got = read_line(r, failure, sizeof failure);
            if (got < 0) state = INPUT_FAILED;
            if (got != 1) break;
        }
        r->have_line = 0;
        struct fx_tick t;
        int k = fx_tickfile_parse_line(r->fmt, r->line, r->symbol, &t, why, sizeof why);
        if (k == FX_TICKFILE_SKIP) continue;
        if (k == FX_EINVAL) {
            snprintf(failure, sizeof failure, "%s:%lu: %s", r->path, r->lineno, why);
            state = INPUT_FAILED;
            break;
        }
        if (o->speed > 0) {
            /* Pace by the latest time seen: a tick out of order goes at once
             * and does not make the next one wait twice. */
            if (have_prev && t.time_us > prev_us) {
                double gap = (double)(t.time_us - prev_us);
                if (max_gap_us > 0 && gap > max_gap_us) gap = max_gap_us;
                due += (int64_t)fmin(gap * 1000.0 / o->speed, 1e17);
            }
            if (!have_prev || t.time_us > prev_us) prev_us = t.time_us;
            have_prev = 1;
            if (p.tty) {
                char ts[FX_TIME_STR_MAX];
                snprintf(extra, sizeof extra, ", at %s", fx_time_format(t.time_us, ts));
            }
            if (wait_until(due, out, &p, extra, err, sizeof err) != 0) {
                state = REDIS_FAILED;
                break;
            }
            if (stop_signal) break; /* stopped while this one waited: not sent */
        }
        if (fxtg_out_add(out, &t, err, sizeof err) != 0) {
            state = REDIS_FAILED;
            break;
        }
        progress_update(&p, out, mono_ns(), extra);
    }
    /* The ticks before a bad line are good: send them, then report. */
    if (state != REDIS_FAILED && fxtg_out_flush(out, err, sizeof err) != 0) state = REDIS_FAILED;
    summary(&p, out, o->stream,
        state == REDIS_FAILED       ? ", then Redis failed"
            : state == INPUT_FAILED ? ", then the input failed"
            : stop_signal           ? " (stopped by a signal)"
                                    : "");
    if (state == REDIS_FAILED) fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: %s", err);
    if (failure[0]) fx_log_say(FX_LOG_ERROR, "tickgen", "%s", failure);
    return state == DONE ? 0 : 1;
}

/* ---- main ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    const char *log_format = getenv("LOG_FORMAT");
    if (log_format && fx_log_parse_format(log_format) < 0) {
        fprintf(stderr, "fx-tickgen: LOG_FORMAT=\"%s\": expected text or json\n", log_format);
        return 2;
    }
    fx_log_setup("info", log_format ? log_format : "text", "fx-tickgen");
    struct options o;
    int given[NOPTS];
    int rc = load_options(&o, given, argc, argv);
    if (rc) return rc > 0 ? 0 : 2;
    if (o.heartbeat[0]) heartbeat_file = o.heartbeat;

    static struct walk_run walk;
    struct reader r = { 0 };
    int replay = o.replay[0] != '\0';
    if (!replay) {
        if (parse_symbols(o.symbols, &walk) != 0) return 2;
        walk.rate = o.rate ? o.rate : (long long)walk.n;
        walk.seed = given[opt_index("--seed")]
            ? (uint64_t)o.seed
            : (uint64_t)(fx_now_us() ^ ((int64_t)getpid() << 32)) % (uint64_t)SEED_MAX;
    } else if ((rc = reader_open(&r, &o)) != 0) {
        reader_close(&r);
        return rc < 0 ? 0 : rc;
    }

    /* Stop on the first signal, die on a second (SA_RESETHAND) should the
     * stop itself hang; no SA_RESTART, so sleeps end at once. */
    struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESETHAND };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed connection is an error reply, not death */

    struct fxtg_out *out;
    char err[512];
    if (fxtg_out_open(&out, o.redis_url, o.stream, o.maxlen, err, sizeof err) != 0) {
        fx_log_say(FX_LOG_ERROR, "tickgen", "fx-tickgen: %s", err);
        reader_close(&r);
        return 1;
    }
    if (!replay) {
        char dur[32] = "until SIGINT/SIGTERM";
        if (o.duration > 0) snprintf(dur, sizeof dur, "for %g s", o.duration);
        char list[FXTG_WALK_MAX * (FX_SYMBOL_MAX + 1) + 1] = "";
        for (size_t i = 0; i < walk.n; i++)
            strcat(strcat(list, i ? "," : ""), walk.symbols[i]);
        fx_log_say(FX_LOG_INFO, "tickgen", "fx-tickgen: walking %s at %lld ticks/s %s (seed %llu) into %s on %s", list,
            walk.rate, dur, (unsigned long long)walk.seed, o.stream, fxtg_out_where(out));
        rc = run_walk(&o, &walk, out);
    } else {
        char speed[32] = "as fast as possible";
        if (o.speed > 0) snprintf(speed, sizeof speed, "at speed %g", o.speed);
        fx_log_say(FX_LOG_INFO, "tickgen", "fx-tickgen: replaying %s (%s%s%s) %s into %s on %s", r.path,
            fx_tickfile_format_name(r.fmt), fx_tickfile_needs_symbol(r.fmt) ? ", " : "",
            fx_tickfile_needs_symbol(r.fmt) ? r.symbol : "", speed, o.stream, fxtg_out_where(out));
        rc = run_replay(&o, &r, out);
        reader_close(&r);
    }
    fxtg_out_close(out);
    return rc;
}
