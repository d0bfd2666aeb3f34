/*
 * fxctl — command-line client of fx-core, built on the public API
 * (include/fx/client.h) and the rules of base/ (resolutions, tick files).
 *
 *   fxctl [--url URL] [--timeout MS] COMMAND [ARGS...]   (fxctl --help)
 *
 * Each command is one entry of `commands`: its words, its arguments, the
 * options it takes and a run function. Options are parsed by one getopt_long
 * loop shared by all commands (GNU getopt permutes, so options may follow
 * the arguments); values are converted and checked by the command.
 *
 * Exit status: 0 success, 1 an error from the core (or I/O), 2 a usage error.
 * `fxctl health` exits 1 when a dependency is down and 2 when the core is
 * unreachable. Results go to stdout, errors to stderr:
 *   fxctl: <STATUS_NAME>: <message> (field: x)
 */
#include "client/fxctl_import.h"

#include "base/log.h"
#include "base/resolution.h"
#include "base/symbol.h"

#include <fx/client.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 2 };

#define DEFAULT_URL_TEXT "tcp://127.0.0.1:5555" /* the library's default, for help texts */
#define HEALTH_TIMEOUT_MS 5000
#define TICKS_LIMIT_DEFAULT 1000
#define CANDLES_LIMIT_DEFAULT 10000
#define PRICE_STR_MAX 32

/* Options beyond --url, --timeout and --help, which every command takes. */
enum opt_flag {
    OPT_RANGE = 1 << 0, /* --start --end */
    OPT_LIMIT = 1 << 1,
    OPT_OFFSET = 1 << 2,
    OPT_JSON = 1 << 3,
    OPT_BATCH = 1 << 4,
    OPT_ZONE = 1 << 5, /* --tz --day-start */
    OPT_CANDLES = 1 << 6, /* --candles RES */
    OPT_FORMAT = 1 << 7, /* --format --symbol */
    OPT_DRY_RUN = 1 << 8,
    OPT_FILL = 1 << 9, /* --fill none|prev */
    OPT_SINCE = 1 << 10, /* --since SEQ */
};

struct cli;

struct command {
    const char *name; /* "tick" */
    const char *sub; /* "add", or NULL for a one-word command */
    const char *args; /* for usage lines */
    const char *summary; /* one line for `fxctl --help` */
    const char *options; /* its own options, for `fxctl CMD --help` */
    const char *notes; /* the rest of `fxctl CMD --help` */
    int nargs; /* positional arguments */
    unsigned opts; /* enum opt_flag */
    int (*run)(const struct cli *);
};

/* The command line, as strings; commands convert what they use. */
struct cli {
    const struct command *cmd; /* NULL while parsing the global options */
    const char *group; /* "tick" when only the group is known, for hints */
    const char *url, *timeout;
    const char *start, *end, *limit, *offset, *batch, *tz, *day_start, *candles, *format, *symbol, *fill, *since;
    int json, help, dry_run;
    char **pos; /* positional arguments */
    int npos;
};

/* ---- messages ----------------------------------------------------------- */

static void print_command_name(FILE *out, const struct command *cmd)
{
    fprintf(out, "fxctl %s%s%s", cmd->name, cmd->sub ? " " : "", cmd->sub ? cmd->sub : "");
}

__attribute__((format(printf, 2, 3))) static int usage_error(const struct cli *cli, const char *fmt, ...)
{
    va_list ap;
    fputs("fxctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry '", stderr);
    if (cli->cmd != NULL)
        print_command_name(stderr, cli->cmd);
    else
        fprintf(stderr, "fxctl%s%s", cli->group ? " " : "", cli->group ? cli->group : "");
    fputs(" --help'.\n", stderr);
    return EXIT_USAGE;
}

/* fxctl: NOT_FOUND: no tick EURUSD at 2025-12-05T10:00:00Z (field: time);
 * with LOG_FORMAT=json one JSON object with "status" and "field". */
static int core_error(int rc, const fxc_err *err)
{
    const char *msg = err->message[0] != '\0' ? err->message : "request failed";
    if (fx_log_format == FX_LOG_JSON) {
        fx_log_event(FX_LOG_ERROR, "fxctl",
            FX_LOG_FIELDS(FX_LOG_STR("status", fxc_status_name(rc)), FX_LOG_STR("field", err->field[0] ? err->field : NULL)), "%s", msg);
        return EXIT_FAIL;
    }
    fprintf(stderr, "fxctl: %s: %s", fxc_status_name(rc), msg);
    if (err->field[0] != '\0') fprintf(stderr, " (field: %s)", err->field);
    fputc('\n', stderr);
    return EXIT_FAIL;
}


/* ---- values ------------------------------------------------------------- */

static int parse_time_arg(const struct cli *cli, const char *what, const char *s, int64_t *out)
{
    if (fxc_time_parse(s, out) == 0) return 0;
    return usage_error(cli,
        "%s: '%s' is not an RFC 3339 time (e.g. 2025-12-05T10:00:00Z, "
        "2025-12-05 12:00:00.25+02:00, 2025-12-05)",
        what, s);
}

static int parse_price_arg(const struct cli *cli, const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || !isfinite(v) || v <= 0.0)
        return usage_error(cli, "PRICE: '%s' is not a number > 0", s);
    *out = v;
    return 0;
}

/* fxc_tick holds the symbol as written (the core normalises it). */
static int parse_symbol_arg(const struct cli *cli, const char *s, char *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > FXC_SYMBOL_MAX)
        return usage_error(cli, "SYMBOL: '%s' is not 1 to %d characters", s, FXC_SYMBOL_MAX);
    memcpy(out, s, n + 1);
    return 0;
}

static int parse_uint_arg(const struct cli *cli, const char *what, const char *s, unsigned long long min,
    unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = (*s >= '0' && *s <= '9') ? strtoull(s, &end, 10) : 0;
    if (*s < '0' || *s > '9' || *end != '\0' || errno == ERANGE || v < min || v > max)
        return usage_error(cli, "%s: '%s' is not an integer from %llu to %llu", what, s, min, max);
    *out = v;
    return 0;
}

/* "HH:MM", 00:00 to 23:59, exactly two digits each -> minutes after midnight. */
static int parse_day_start_arg(const struct cli *cli, const char *s, int *out)
{
    int ok = strlen(s) == 5 && s[2] == ':';
    for (int i = 0; ok && i < 5; i++)
        ok = i == 2 || (s[i] >= '0' && s[i] <= '9');
    int hours = ok ? (s[0] - '0') * 10 + (s[1] - '0') : 0;
    int minutes = ok ? (s[3] - '0') * 10 + (s[4] - '0') : 0;
    if (!ok || hours > 23 || minutes > 59)
        return usage_error(cli, "--day-start: '%s' is not a time of day HH:MM from 00:00 to 23:59", s);
    *out = hours * 60 + minutes;
    return 0;
}

/* SYMBOL TIME PRICE, from the positional arguments. */
static int tick_from_args(const struct cli *cli, fxc_tick *t)
{
    int rc = parse_symbol_arg(cli, cli->pos[0], t->symbol);
    if (rc == 0) rc = parse_time_arg(cli, "TIME", cli->pos[1], &t->time_us);
    if (rc == 0) rc = parse_price_arg(cli, cli->pos[2], &t->price);
    return rc;
}

/* --start and --end, both required. */
static int range_from_options(const struct cli *cli, int64_t *start, int64_t *end)
{
    if (cli->start == NULL) return usage_error(cli, "missing --start TIME");
    if (cli->end == NULL) return usage_error(cli, "missing --end TIME");
    int rc = parse_time_arg(cli, "--start", cli->start, start);
    return rc != 0 ? rc : parse_time_arg(cli, "--end", cli->end, end);
}

/* ---- the core ----------------------------------------------------------- */

/* Returns 0, EXIT_USAGE (a bad --timeout) or EXIT_FAIL (reported). */
static int connect_core(const struct cli *cli, int default_timeout_ms, fxc **out)
{
    unsigned long long ms = (unsigned long long)default_timeout_ms;
    fxc_err err = { 0 };
    int rc;
    if (cli->timeout != NULL && (rc = parse_uint_arg(cli, "--timeout", cli->timeout, 1, INT_MAX, &ms)))
        return rc;
    rc = fxc_open(cli->url, out, &err);
    if (rc != FXC_OK) return core_error(rc, &err);
    if (ms > 0) fxc_set_timeout(*out, (int)ms);
    return 0;
}

/* ---- output ------------------------------------------------------------- */

static void print_tick(const fxc_tick *t)
{
    char time[FXC_TIME_STR_MAX], price[PRICE_STR_MAX];
    fxc_price_format(t->price, price);
    printf("%s %s %s\n", t->symbol, fxc_time_format(t->time_us, time), price);
}

/* Characters before the decimal point (or exponent): prices line up on it. */
static int price_lead(const char *price) { return (int)strcspn(price, ".e"); }

static void print_ticks_table(const fxc_tick *t, size_t n, uint32_t limit, uint32_t offset)
{
    char time[FXC_TIME_STR_MAX], price[PRICE_STR_MAX];
    int time_w = 4, lead_w = 0;
    for (size_t i = 0; i < n; i++) {
        int w = (int)strlen(fxc_time_format(t[i].time_us, time));
        fxc_price_format(t[i].price, price);
        time_w = w > time_w ? w : time_w;
        lead_w = price_lead(price) > lead_w ? price_lead(price) : lead_w;
    }
    if (n > 0) printf("%-*s  PRICE\n", time_w, "TIME");
    for (size_t i = 0; i < n; i++) {
        fxc_price_format(t[i].price, price);
        printf("%-*s  %*s%s\n", time_w, fxc_time_format(t[i].time_us, time), lead_w - price_lead(price), "",
            price);
    }
    printf("(%zu tick%s", n, n == 1 ? "" : "s");
    if (n == limit) printf("; there may be more: --offset %llu", (unsigned long long)offset + n);
    printf(")\n");
}

/* Symbols are A-Z 0-9 . _ - once stored; escaping keeps any text valid. */
static void print_json_string(const char *s)
{
    putchar('"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void print_ticks_json(const fxc_tick *t, size_t n)
{
    char time[FXC_TIME_STR_MAX], price[PRICE_STR_MAX];
    fputs(n == 0 ? "[" : "[\n", stdout);
    for (size_t i = 0; i < n; i++) {
        fxc_price_format(t[i].price, price);
        fputs("  {\"symbol\":", stdout);
        print_json_string(t[i].symbol);
        printf(",\"time\":\"%s\",\"price\":%s}%s\n", fxc_time_format(t[i].time_us, time), price,
            i + 1 < n ? "," : "");
    }
    fputs("]\n", stdout);
}

/* A column of prices lined up on the decimal point: its widest part before
 * the point (price_lead) and widest part from the point on. */
struct price_col {
    int lead, tail;
};

static void price_col_widen(struct price_col *col, double price)
{
    char text[PRICE_STR_MAX];
    int lead = price_lead(fxc_price_format(price, text)), tail = (int)strlen(text) - lead;
    col->lead = lead > col->lead ? lead : col->lead;
    col->tail = tail > col->tail ? tail : col->tail;
}

/* The price in a column `width` wide, then the gap to the next column. */
static void price_col_print(const struct price_col *col, int width, double price)
{
    char text[PRICE_STR_MAX];
    int pad = col->lead - price_lead(fxc_price_format(price, text));
    printf("%*s%s%*s  ", pad, "", text, width - pad - (int)strlen(text), "");
}

enum { CANDLE_PRICES = 4 };
static const char *const candle_price_names[CANDLE_PRICES] = { "OPEN", "HIGH", "LOW", "CLOSE" };

static void candle_prices(const fxc_candle *c, double p[CANDLE_PRICES])
{
    p[0] = c->open;
    p[1] = c->high;
    p[2] = c->low;
    p[3] = c->close;
}

/* BUCKET OPEN HIGH LOW CLOSE TICKS, and "open" after a candle still open. */
static void print_candles_table(const fxc_candle *c, size_t n, uint32_t limit)
{
    char time[FXC_TIME_STR_MAX], count[24];
    struct price_col cols[CANDLE_PRICES] = { { 0, 0 } };
    int time_w = 6, width[CANDLE_PRICES], count_w = 5;
    double p[CANDLE_PRICES];
    for (size_t i = 0; i < n; i++) {
        int w = (int)strlen(fxc_time_format(c[i].bucket_us, time));
        time_w = w > time_w ? w : time_w;
        candle_prices(&c[i], p);
        for (int k = 0; k < CANDLE_PRICES; k++)
            price_col_widen(&cols[k], p[k]);
        w = snprintf(count, sizeof count, "%llu", (unsigned long long)c[i].tick_count);
        count_w = w > count_w ? w : count_w;
    }
    for (int k = 0; k < CANDLE_PRICES; k++) {
        int name_w = (int)strlen(candle_price_names[k]);
        width[k] = cols[k].lead + cols[k].tail > name_w ? cols[k].lead + cols[k].tail : name_w;
    }
    if (n > 0) {
        printf("%-*s  ", time_w, "BUCKET");
        for (int k = 0; k < CANDLE_PRICES; k++)
            printf("%-*s  ", width[k], candle_price_names[k]);
        printf("%*s\n", count_w, "TICKS");
    }
    for (size_t i = 0; i < n; i++) {
        printf("%-*s  ", time_w, fxc_time_format(c[i].bucket_us, time));
        candle_prices(&c[i], p);
        for (int k = 0; k < CANDLE_PRICES; k++)
            price_col_print(&cols[k], width[k], p[k]);
        printf("%*llu%s\n", count_w, (unsigned long long)c[i].tick_count, c[i].complete ? "" : "  open");
    }
    printf("(%zu candle%s", n, n == 1 ? "" : "s");
    if (n == limit && limit < FXC_CANDLES_MAX) printf("; there may be more: --limit %d", FXC_CANDLES_MAX);
    if (n == limit && limit == FXC_CANDLES_MAX) printf("; there may be more: --start after the last bucket");
    printf(")\n");
}

static void print_candles_json(const fxc_candle *c, size_t n)
{
    char time[FXC_TIME_STR_MAX], price[CANDLE_PRICES][PRICE_STR_MAX];
    double p[CANDLE_PRICES];
    fputs(n == 0 ? "[" : "[\n", stdout);
    for (size_t i = 0; i < n; i++) {
        candle_prices(&c[i], p);
        for (int k = 0; k < CANDLE_PRICES; k++)
            fxc_price_format(p[k], price[k]);
        printf("  {\"bucket\":\"%s\",\"symbol\":", fxc_time_format(c[i].bucket_us, time));
        print_json_string(c[i].symbol);
        printf(",\"open\":%s,\"high\":%s,\"low\":%s,\"close\":%s,\"tick_count\":%llu,\"complete\":%s}%s\n",
            price[0], price[1], price[2], price[3], (unsigned long long)c[i].tick_count,
            c[i].complete ? "true" : "false", i + 1 < n ? "," : "");
    }
    fputs("]\n", stdout);
}

/* ---- commands ----------------------------------------------------------- */

static int run_tick_add(const struct cli *cli)
{
    fxc_tick tick, stored;
    fxc_err err = { 0 };
    fxc *c;
    int rc = tick_from_args(cli, &tick);
    if (rc != 0 || (rc = connect_core(cli, 0, &c)) != 0) return rc;
    rc = fxc_tick_create(c, &tick, &stored, &err);
    fxc_close(c);
    if (rc != FXC_OK) return core_error(rc, &err);
    print_tick(&stored);
    return EXIT_OK;
}

static int run_tick_set(const struct cli *cli)
{
    fxc_tick tick, updated;
    fxc_err err = { 0 };
    fxc *c;
    int rc = tick_from_args(cli, &tick);
    if (rc != 0 || (rc = connect_core(cli, 0, &c)) != 0) return rc;
    rc = fxc_tick_update(c, cli->pos[0], tick.time_us, tick.price, &updated, &err);
    fxc_close(c);
    if (rc != FXC_OK) return core_error(rc, &err);
    print_tick(&updated);
    return EXIT_OK;
}

static int run_tick_rm(const struct cli *cli)
{
    int64_t time_us;
    fxc_err err = { 0 };
    fxc *c;
    int rc = parse_time_arg(cli, "TIME", cli->pos[1], &time_us);
    if (rc != 0 || (rc = connect_core(cli, 0, &c)) != 0) return rc;
    rc = fxc_tick_delete(c, cli->pos[0], time_us, &err);
    fxc_close(c);
    if (rc != FXC_OK) return core_error(rc, &err);
    printf("deleted 1\n");
    return EXIT_OK;
}

/* --limit (default TICKS_LIMIT_DEFAULT) and --offset (default 0). */
static int page_from_options(const struct cli *cli, uint32_t *limit, uint32_t *offset)
{
    unsigned long long l = TICKS_LIMIT_DEFAULT, o = 0;
    int rc = 0;
    if (cli->limit != NULL) rc = parse_uint_arg(cli, "--limit", cli->limit, 1, FXC_TICKS_GET_MAX, &l);
    if (rc == 0 && cli->offset != NULL) rc = parse_uint_arg(cli, "--offset", cli->offset, 0, UINT32_MAX, &o);
    *limit = (uint32_t)l;
    *offset = (uint32_t)o;
    return rc;
}

static int run_ticks_list(const struct cli *cli)
{
    int64_t start, end;
    uint32_t limit, offset;
    fxc_tick *ticks;
    size_t n;
    fxc_err err = { 0 };
    fxc *c;
    int rc = range_from_options(cli, &start, &end);
    if (rc != 0 || (rc = page_from_options(cli, &limit, &offset)) != 0) return rc;
    if ((rc = connect_core(cli, 0, &c)) != 0) return rc;
    rc = fxc_ticks_get(c, cli->pos[0], start, end, limit, offset, &ticks, &n, &err);
    fxc_close(c);
    if (rc != FXC_OK) return core_error(rc, &err);
    if (cli->json)
        print_ticks_json(ticks, n);
    else
        print_ticks_table(ticks, n, limit, offset);
    fxc_ticks_free(ticks);
    return EXIT_OK;
}

/* SYMBOL RES, --start, --end, --tz, --day-start, --limit and --fill; the core checks
 * the symbol, the resolution and the zone. */
static int candle_query_from_cli(const struct cli *cli, fxc_candle_query *q)
{
    unsigned long long limit = CANDLES_LIMIT_DEFAULT;
    memset(q, 0, sizeof *q);
    int rc = range_from_options(cli, &q->start_us, &q->end_us);
    if (rc == 0 && cli->day_start != NULL)
        rc = parse_day_start_arg(cli, cli->day_start, &q->day_start_minute);
    if (rc == 0 && cli->limit != NULL)
        rc = parse_uint_arg(cli, "--limit", cli->limit, 1, FXC_CANDLES_MAX, &limit);
    if (rc == 0 && cli->fill != NULL) {
        if (strcmp(cli->fill, "prev") == 0)
            q->fill = FXC_FILL_PREV;
        else if (strcmp(cli->fill, "none") != 0)
            rc = usage_error(cli, "--fill: '%s' is not none or prev", cli->fill);
    }
    q->symbol = cli->pos[0];
    q->resolution = cli->pos[1];
    q->time_zone = cli->tz;
    q->limit = (uint32_t)limit;
    return rc;
}

static int run_candles(const struct cli *cli)
{
    fxc_candle_query q;
    fxc_candle *candles;
    size_t n;
    fxc_err err = { 0 };
    fxc *c;
    int rc = candle_query_from_cli(cli, &q);
    if (rc != 0 || (rc = connect_core(cli, 0, &c)) != 0) return rc;
    rc = fxc_candles_get(c, &q, &candles, &n, &err);
    fxc_close(c);
    if (rc != FXC_OK) return core_error(rc, &err);
    if (cli->json)
        print_candles_json(candles, n);
    else
        print_candles_table(candles, n, q.limit);
    fxc_candles_free(candles);
    return EXIT_OK;
}

static int run_ticks_rm(const struct cli *cli)
{
    int64_t start, end;
    uint64_t deleted = 0;
    fxc_err err = { 0 };
    fxc *c;
    int rc = range_from_options(cli, &start, &end);
    if (rc != 0 || (rc = connect_core(cli, 0, &c)) != 0) return rc;
    rc = fxc_ticks_delete(c, cli->pos[0], start, end, &deleted, &err);
    fxc_close(c);
    if (rc != FXC_OK) return core_error(rc, &err);
    printf("deleted %llu\n", (unsigned long long)deleted);
    return EXIT_OK;
}

/* "redis:    FAILING (Connection refused)" */
static void print_part(const char *part, const char *state, const char *detail)
{
    printf("%-9s %s (%s)\n", part, state, detail[0] != '\0' ? detail : "no detail");
}

static int run_health(const struct cli *cli)
{
    fxc_health_info h;
    char version[sizeof h.version + 16];
    fxc_err err = { 0 };
    fxc *c;
    int rc = connect_core(cli, HEALTH_TIMEOUT_MS, &c);
    if (rc != 0) return rc == EXIT_USAGE ? EXIT_USAGE : EXIT_UNREACHABLE;
    rc = fxc_health(c, &h, &err);
    fxc_close(c);
    if (rc == FXC_UNAVAILABLE) {
        print_part("core:", "UNREACHABLE", err.message);
        return EXIT_UNREACHABLE;
    }
    if (rc != FXC_OK) return core_error(rc, &err);
    snprintf(version, sizeof version, "version %s", h.version[0] != '\0' ? h.version : "unknown");
    print_part("core:", "ok", version);
    print_part("database:", h.database_ok ? "ok" : "FAILING", h.database);
    print_part("redis:", h.redis_ok ? "ok" : "FAILING", h.redis);
    return h.database_ok && h.redis_ok ? EXIT_OK : EXIT_FAIL;
}

/* with_seq (tail --since): JSON lines carry the seq to resume from. */
static void print_live_tick(const fxc_tick *t, int json, int with_seq)
{
    char when[FXC_TIME_STR_MAX], price[FXC_PRICE_STR_MAX];
    fxc_time_format(t->time_us, when);
    fxc_price_format(t->price, price);
    if (json && with_seq && t->seq > 0)
        printf("{\"type\":\"tick\",\"symbol\":\"%s\",\"time\":\"%s\",\"price\":%s,\"seq\":%lld}\n", t->symbol,
            when, price, (long long)t->seq);
    else if (json)
        printf("{\"type\":\"tick\",\"symbol\":\"%s\",\"time\":\"%s\",\"price\":%s}\n", t->symbol, when, price);
    else
        printf("%s  %-16s %s\n", when, t->symbol, price);
}

static void print_live_candle(const fxc_event *ev, int json)
{
    const fxc_candle *c = &ev->candle;
    char when[FXC_TIME_STR_MAX], o[FXC_PRICE_STR_MAX], h[FXC_PRICE_STR_MAX], l[FXC_PRICE_STR_MAX],
        cl[FXC_PRICE_STR_MAX];
    fxc_time_format(c->bucket_us, when);
    fxc_price_format(c->open, o), fxc_price_format(c->high, h), fxc_price_format(c->low, l);
    fxc_price_format(c->close, cl);
    if (json)
        printf("{\"type\":\"candle\",\"resolution\":\"%s\",\"bucket\":\"%s\",\"symbol\":\"%s\",\"open\":%s,"
               "\"high\":%s,\"low\":%s,\"close\":%s,\"tick_count\":%llu,\"complete\":%s}\n",
            ev->resolution, when, c->symbol, o, h, l, cl, (unsigned long long)c->tick_count,
            c->complete ? "true" : "false");
    else
        printf("%s  %-16s %-6s O %s  H %s  L %s  C %s  n %llu%s\n", when, c->symbol, ev->resolution, o, h, l, cl,
            (unsigned long long)c->tick_count, c->complete ? "" : "  open");
}

/* Prints the stored ticks of `symbol` after *last, by seq, up to `below`
 * (0: all of them), moving *last on. */
static int print_ticks_after(fxc *c, const char *symbol, int64_t *last, int64_t below, int json, fxc_err *err)
{
    for (;;) {
        fxc_tick *t;
        size_t n;
        int rc = fxc_ticks_after(c, symbol, *last, FXC_TICKS_GET_MAX, &t, &n, err);
        if (rc != FXC_OK) return rc;
        size_t k = 0;
        for (; k < n && (below == 0 || t[k].seq < below); k++) {
            print_live_tick(&t[k], json, 1);
            *last = t[k].seq;
        }
        fxc_ticks_free(t);
        if (k < n || n < FXC_TICKS_GET_MAX) return FXC_OK;
    }
}

/* tail --since: subscribed first, then what is stored after SEQ, then the
 * live ticks after the last printed; a live tick past a gap (the feed
 * connects asynchronously, or missed some) has the gap read back first. */
static int tail_since(const struct cli *cli, fxc_feed *f)
{
    unsigned long long since = 0;
    int rc = parse_uint_arg(cli, "--since", cli->since, 0, INT64_MAX, &since);
    if (rc != 0) return rc;
    fxc *c;
    if ((rc = connect_core(cli, 0, &c)) != 0) return rc;
    fxc_err err = { 0 };
    int64_t last = (int64_t)since;
    rc = print_ticks_after(c, cli->pos[0], &last, 0, cli->json, &err);
    while (rc == FXC_OK) {
        fxc_event ev;
        if ((rc = fxc_feed_next(f, -1, &ev, &err)) != FXC_OK) break;
        if (ev.kind != FXC_EVENT_TICK) continue;
        if (ev.tick.seq > last + 1) rc = print_ticks_after(c, cli->pos[0], &last, ev.tick.seq, cli->json, &err);
        if (rc == FXC_OK && (ev.tick.seq == 0 || ev.tick.seq > last)) {
            print_live_tick(&ev.tick, cli->json, 1);
            if (ev.tick.seq > 0) last = ev.tick.seq;
        }
    }
    fxc_close(c);
    return core_error(rc, &err);
}

/* Prints the live ticks (or, with --candles, candles) of one symbol (or
 * "*": all) until interrupted. */
static int run_tail(const struct cli *cli)
{
    if (cli->since && (cli->candles || strcmp(cli->pos[0], "*") == 0))
        return usage_error(
            cli, "--since: a seq numbers the ticks of one symbol: give SYMBOL, not '*', and no --candles");
    fxc_feed *f;
    fxc_err err = { 0 };
    int rc = fxc_feed_open(NULL, &f, &err);
    if (rc != FXC_OK) return core_error(rc, &err);
    if (cli->candles)
        rc = fxc_feed_subscribe_candles(f, cli->candles, cli->pos[0], &err);
    else
        rc = fxc_feed_subscribe_ticks(f, cli->pos[0], &err);
    if (rc != FXC_OK) {
        fxc_feed_close(f);
        return rc == FXC_INVALID_ARGUMENT ? usage_error(cli, "--candles: %s", err.message) : core_error(rc, &err);
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* one line per event, also into a pipe */
    if (cli->since) {
        rc = tail_since(cli, f);
        fxc_feed_close(f);
        return rc;
    }
    for (;;) {
        fxc_event ev;
        rc = fxc_feed_next(f, -1, &ev, &err);
        if (rc != FXC_OK) break;
        if (ev.kind == FXC_EVENT_TICK) print_live_tick(&ev.tick, cli->json, 0);
        if (ev.kind == FXC_EVENT_CANDLE) print_live_candle(&ev, cli->json);
    }
    fxc_feed_close(f);
    return core_error(rc, &err);
}

/* "... from 4 lines (histdata): ..." names a format other than plain. */
static void print_import_summary(const char *path, const struct fxctl_import_stats *st)
{
    double s = st->elapsed_s;
    int quotes = st->format != FX_TICKFILE_UNKNOWN && st->format != FX_TICKFILE_PLAIN;
    printf("%s: %llu ticks from %llu lines%s%s%s: %llu created, %llu duplicates in %.2f s (%.0f ticks/s)\n",
        strcmp(path, "-") == 0 ? "<stdin>" : path, (unsigned long long)st->ticks,
        (unsigned long long)st->lines, quotes ? " (" : "", quotes ? fx_tickfile_format_name(st->format) : "",
        quotes ? ")" : "", (unsigned long long)st->created, (unsigned long long)st->duplicates, s,
        s > 0 ? (double)st->ticks / s : 0.0);
}

static void print_import_failure(int rc, const struct fxctl_import_stats *st, const fxc_err *err)
{
    if (rc == FX_EREMOTE)
        core_error(err->code, err);
    else
        fx_log_say(FX_LOG_ERROR, "fxctl", "fxctl: %s", err->message);
    if (st->lines == 0) return;
    if (st->ticks == 0) {
        fx_log_say(FX_LOG_ERROR, "fxctl", "fxctl: no ticks were stored");
        return;
    }
    fx_log_say(FX_LOG_ERROR, "fxctl", "fxctl: earlier batches stored lines 1-%llu: %llu ticks created, %llu duplicates; "
        "importing the file again skips them as duplicates",
        (unsigned long long)st->stored_through_line, (unsigned long long)st->created,
        (unsigned long long)st->duplicates);
}

/* --format auto|plain|histdata|dukascopy|truefx; auto is FX_TICKFILE_UNKNOWN. */
static int parse_format_arg(const struct cli *cli, enum fx_tickfile_format *out)
{
    *out = FX_TICKFILE_UNKNOWN;
    if (cli->format == NULL || strcmp(cli->format, "auto") == 0) return 0;
    if ((*out = fx_tickfile_format_parse(cli->format)) != FX_TICKFILE_UNKNOWN) return 0;
    return usage_error(cli, "--format: '%s' is not auto, plain, histdata, dukascopy or truefx", cli->format);
}

static int run_import(const struct cli *cli)
{
    unsigned long long batch = FXCTL_IMPORT_BATCH_DEFAULT;
    struct fxctl_import_options opt = { .symbol = cli->symbol };
    struct fxctl_import_stats st;
    fxc_err err = { 0 };
    fxc *c;
    int rc = 0;
    if (cli->batch != NULL) rc = parse_uint_arg(cli, "--batch", cli->batch, 1, FXC_BULK_MAX, &batch);
    if (rc != 0 || (rc = parse_format_arg(cli, &opt.format)) != 0) return rc;
    if ((rc = connect_core(cli, 0, &c)) != 0) return rc;
    opt.batch = (size_t)batch;
    opt.progress = isatty(STDERR_FILENO) ? stderr : NULL;
    rc = fxctl_import_file(c, cli->pos[0], &opt, &st, &err);
    fxc_close(c);
    if (rc == FX_ECONFIG) return usage_error(cli, "%s", err.message);
    if (rc != 0) {
        print_import_failure(rc, &st, &err);
        return EXIT_FAIL;
    }
    print_import_summary(cli->pos[0], &st);
    return EXIT_OK;
}

/* ---- data lifecycle ----------------------------------------------------- */

#define DAY_STR_MAX 11 /* "2026-01-02" */
#define BYTES_STR_MAX 24

/* The UTC date of a day's start: "2026-01-02". */
static char *day_format(int64_t day_us, char out[DAY_STR_MAX])
{
    char time[FXC_TIME_STR_MAX];
    snprintf(out, DAY_STR_MAX, "%.10s", fxc_time_format(day_us, time));
    return out;
}

/* 950 B, 12.3 kB, 1.2 MB, 4.0 GB (powers of 1000). */
static char *bytes_format(uint64_t bytes, char out[BYTES_STR_MAX])
{
    static const char *const units[] = { "kB", "MB", "GB", "TB", "PB" };
    if (bytes < 1000) {
        snprintf(out, BYTES_STR_MAX, "%llu B", (unsigned long long)bytes);
        return out;
    }
    double v = (double)bytes / 1000.0;
    size_t u = 0;
    while (v >= 999.95 && u + 1 < sizeof units / sizeof units[0]) v /= 1000.0, u++;
    snprintf(out, BYTES_STR_MAX, "%.1f %s", v, units[u]);
    return out;
}

static int max_int(int a, int b) { return a > b ? a : b; }

static int uint_width(uint64_t v)
{
    char text[24];
    return snprintf(text, sizeof text, "%llu", (unsigned long long)v);
}

/* "RETENTION_DAYS=0 (keep forever), ..." : what a pass applied. */
static void print_lifecycle_settings(const fxc_maintenance_report *r, int compression_first)
{
    char retention[64], candles[64], compression[64];
    snprintf(retention, sizeof retention, "RETENTION_DAYS=%d%s", r->retention_days,
        r->retention_days == 0 ? " (keep forever)" : "");
    snprintf(candles, sizeof candles, "CANDLE_RETENTION_DAYS=%d%s", r->candle_retention_days,
        r->candle_retention_days == 0 ? " (keep forever)" : "");
    snprintf(compression, sizeof compression, "COMPRESSION_AFTER_DAYS=%d%s", r->compression_after_days,
        r->compression_after_days == 0 ? " (never)" : "");
    if (compression_first)
        printf("%s, %s, %s", compression, retention, candles);
    else
        printf("%s, %s, %s", retention, candles, compression);
}

/* One line per day: date, action, ticks, bytes before -> after, ratio, seconds. */
static void print_maintenance_days(const fxc_maintenance_report *r)
{
    char before[BYTES_STR_MAX], after[BYTES_STR_MAX], day[DAY_STR_MAX];
    int ticks_w = 1, before_w = 1, after_w = 1;
    for (size_t i = 0; i < r->ndays; i++) {
        const fxc_maintenance_day *d = &r->days[i];
        ticks_w = max_int(ticks_w, uint_width(d->ticks));
        before_w = max_int(before_w, (int)strlen(bytes_format(d->bytes_before, before)));
        after_w = max_int(after_w, (int)strlen(bytes_format(d->bytes_after, after)));
    }
    for (size_t i = 0; i < r->ndays; i++) {
        const fxc_maintenance_day *d = &r->days[i];
        day_format(d->day_us, day);
        bytes_format(d->bytes_before, before);
        if (r->dry_run) { /* nothing was written: no size after, no time */
            printf("%s  %-13s  %*llu ticks  %*s\n", day, d->dropped ? "would drop" : "would compact", ticks_w,
                (unsigned long long)d->ticks, before_w, before);
            continue;
        }
        char ratio[24] = "-";
        if (!d->dropped && d->bytes_after > 0)
            snprintf(ratio, sizeof ratio, "%.1fx", (double)d->bytes_before / (double)d->bytes_after);
        printf("%s  %-9s  %*llu ticks  %*s -> %*s  %6s  %.2f s\n", day, d->dropped ? "dropped" : "compacted",
            ticks_w, (unsigned long long)d->ticks, before_w, before, after_w, bytes_format(d->bytes_after, after),
            ratio, d->seconds);
    }
}

static const char *plural(uint64_t n, const char *one, const char *many) { return n == 1 ? one : many; }

static void print_maintenance_text(const fxc_maintenance_report *r)
{
    char before[BYTES_STR_MAX], after[BYTES_STR_MAX];
    if (r->ndays == 0 && r->candles_dropped == 0) {
        printf("%snothing to do: ", r->dry_run ? "dry run: " : "");
        print_lifecycle_settings(r, 1);
        printf(" (%.2f s)\n", r->seconds);
        return;
    }
    print_maintenance_days(r);
    bytes_format(r->bytes_before, before);
    if (r->dry_run)
        printf("dry run, nothing changed: would drop %u %s (%llu ticks), compact %u %s (%llu ticks), %s in all;"
               " would delete %llu %s",
            r->days_dropped, plural(r->days_dropped, "day", "days"), (unsigned long long)r->ticks_dropped,
            r->days_compacted, plural(r->days_compacted, "day", "days"), (unsigned long long)r->ticks_compacted,
            before, (unsigned long long)r->candles_dropped, plural(r->candles_dropped, "candle", "candles"));
    else
        printf("dropped %u %s (%llu ticks), compacted %u %s (%llu ticks): %s -> %s; deleted %llu %s",
            r->days_dropped, plural(r->days_dropped, "day", "days"), (unsigned long long)r->ticks_dropped,
            r->days_compacted, plural(r->days_compacted, "day", "days"), (unsigned long long)r->ticks_compacted,
            before, bytes_format(r->bytes_after, after), (unsigned long long)r->candles_dropped,
            plural(r->candles_dropped, "candle", "candles"));
    printf("; %.2f s (", r->seconds);
    print_lifecycle_settings(r, 0);
    printf(")\n");
}

static void print_maintenance_json(const fxc_maintenance_report *r)
{
    char day[DAY_STR_MAX];
    printf("{\"dry_run\":%s,\"days\":[", r->dry_run ? "true" : "false");
    for (size_t i = 0; i < r->ndays; i++) {
        const fxc_maintenance_day *d = &r->days[i];
        printf("%s{\"day\":\"%s\",\"action\":\"%s\",\"ticks\":%llu,\"bytes_before\":%llu,\"bytes_after\":%llu,"
               "\"seconds\":%.3f}",
            i ? "," : "", day_format(d->day_us, day), d->dropped ? "dropped" : "compacted",
            (unsigned long long)d->ticks, (unsigned long long)d->bytes_before, (unsigned long long)d->bytes_after,
            d->seconds);
    }
    printf("],\"days_dropped\":%u,\"days_compacted\":%u,\"ticks_dropped\":%llu,\"ticks_compacted\":%llu,"
           "\"bytes_before\":%llu,\"bytes_after\":%llu,\"candles_dropped\":%llu,\"seconds\":%.3f,"
           "\"settings\":{\"retention_days\":%d,\"candle_retention_days\":%d,\"compression_after_days\":%d}}\n",
        r->days_dropped, r->days_compacted, (unsigned long long)r->ticks_dropped,
        (unsigned long long)r->ticks_compacted, (unsigned long long)r->bytes_before,
        (unsigned long long)r->bytes_after, (unsigned long long)r->candles_dropped, r->seconds, r->retention_days,
        r->candle_retention_days, r->compression_after_days);
}

static int run_maintenance(const struct cli *cli)
{
    fxc_maintenance_report r;
    fxc_err err = { 0 };
    fxc *c;
    int rc = connect_core(cli, 0, &c);
    if (rc != 0) return rc;
    rc = fxc_maintenance(c, cli->dry_run, &r, &err);
    fxc_close(c);
    if (rc != FXC_OK) return core_error(rc, &err);
    if (cli->json)
        print_maintenance_json(&r);
    else
        print_maintenance_text(&r);
    fxc_maintenance_report_free(&r);
    return EXIT_OK;
}

static const char *const storage_states[] = { "raw", "compact", "sealed" };
#define N_STORAGE_STATES (sizeof storage_states / sizeof storage_states[0])

/* "9.9" bytes per tick, "-" without ticks. */
static char *per_tick_format(uint64_t bytes, uint64_t ticks, char out[24])
{
    if (ticks == 0)
        snprintf(out, 24, "-");
    else
        snprintf(out, 24, "%.1f", (double)bytes / (double)ticks);
    return out;
}

static void print_storage_table(const fxc_storage_range *g, size_t n)
{
    if (n == 0) {
        printf("(no stored days)\n");
        return;
    }
    char from[DAY_STR_MAX], to[DAY_STR_MAX], bytes[BYTES_STR_MAX], per[24];
    int sym_w = 6, state_w = 5, days_w = 4, ticks_w = 5, bytes_w = 5, per_w = 10;
    for (size_t i = 0; i < n; i++) {
        sym_w = max_int(sym_w, (int)strlen(g[i].symbol));
        state_w = max_int(state_w, (int)strlen(g[i].state));
        days_w = max_int(days_w, uint_width(g[i].days));
        ticks_w = max_int(ticks_w, uint_width(g[i].ticks));
        bytes_w = max_int(bytes_w, (int)strlen(bytes_format(g[i].bytes, bytes)));
        per_w = max_int(per_w, (int)strlen(per_tick_format(g[i].bytes, g[i].ticks, per)));
    }
    printf("%-*s  %-10s  %-10s  %-*s  %*s  %*s  %*s  %*s\n", sym_w, "SYMBOL", "FROM", "TO", state_w, "STATE", days_w,
        "DAYS", ticks_w, "TICKS", bytes_w, "BYTES", per_w, "BYTES/TICK");
    for (size_t i = 0; i < n; i++)
        printf("%-*s  %-10s  %-10s  %-*s  %*u  %*llu  %*s  %*s\n", sym_w, g[i].symbol,
            day_format(g[i].first_day_us, from), day_format(g[i].last_day_us, to), state_w, g[i].state, days_w,
            g[i].days, ticks_w, (unsigned long long)g[i].ticks, bytes_w, bytes_format(g[i].bytes, bytes), per_w,
            per_tick_format(g[i].bytes, g[i].ticks, per));
    /* a total per state: the known ones in lifecycle order, then any other the core names */
    const char *states[N_STORAGE_STATES + 8];
    size_t nstates = 0;
    for (size_t k = 0; k < N_STORAGE_STATES; k++) states[nstates++] = storage_states[k];
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < nstates && strcmp(states[k], g[i].state) != 0) k++;
        if (k == nstates && nstates < sizeof states / sizeof states[0]) states[nstates++] = g[i].state;
    }
    for (size_t k = 0; k < nstates; k++) {
        uint64_t days = 0, ticks = 0, sum = 0, nranges = 0;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(g[i].state, states[k]) != 0) continue;
            days += g[i].days, ticks += g[i].ticks, sum += g[i].bytes, nranges++;
        }
        if (nranges == 0) continue;
        printf("total %s: %llu %s in %llu %s, %llu ticks, %s (%s bytes/tick)\n", states[k],
            (unsigned long long)days, plural(days, "day", "days"), (unsigned long long)nranges,
            plural(nranges, "range", "ranges"), (unsigned long long)ticks, bytes_format(sum, bytes),
            per_tick_format(sum, ticks, per));
    }
}

static void print_storage_json(const fxc_storage_range *g, size_t n)
{
    char from[DAY_STR_MAX], to[DAY_STR_MAX];
    printf("{\"ranges\":[");
    for (size_t i = 0; i < n; i++) {
        printf("%s{\"symbol\":", i ? "," : "");
        print_json_string(g[i].symbol);
        printf(",\"from\":\"%s\",\"to\":\"%s\",\"state\":", day_format(g[i].first_day_us, from),
            day_format(g[i].last_day_us, to));
        print_json_string(g[i].state);
        printf(",\"days\":%u,\"ticks\":%llu,\"bytes\":%llu}", g[i].days, (unsigned long long)g[i].ticks,
            (unsigned long long)g[i].bytes);
    }
    printf("]}\n");
}

static int run_storage(const struct cli *cli)
{
    fxc_storage_range *ranges;
    size_t n;
    fxc_err err = { 0 };
    fxc *c;
    int rc = connect_core(cli, 0, &c);
    if (rc != 0) return rc;
    rc = fxc_storage(c, &ranges, &n, &err);
    fxc_close(c);
    if (rc != FXC_OK) return core_error(rc, &err);
    if (cli->json)
        print_storage_json(ranges, n);
    else
        print_storage_table(ranges, n);
    fxc_storage_free(ranges);
    return EXIT_OK;
}

/* SYMBOL FIRST LAST TICKS, a line each; or the JSON of GET /symbols. */
static void print_symbols(const fxc_symbol_info *s, size_t n, int json)
{
    char first[FXC_TIME_STR_MAX], last[FXC_TIME_STR_MAX];
    int sym_w = 6, time_w = 5;
    for (size_t i = 0; i < n && !json; i++) {
        int w = (int)strlen(s[i].symbol);
        sym_w = w > sym_w ? w : sym_w;
        w = (int)strlen(fxc_time_format(s[i].first_time_us, first));
        time_w = w > time_w ? w : time_w;
        w = (int)strlen(fxc_time_format(s[i].last_time_us, last));
        time_w = w > time_w ? w : time_w;
    }
    if (json) printf("{\"symbols\":[");
    else if (n > 0) printf("%-*s  %-*s  %-*s  TICKS\n", sym_w, "SYMBOL", time_w, "FIRST", time_w, "LAST");
    for (size_t i = 0; i < n; i++) {
        fxc_time_format(s[i].first_time_us, first);
        fxc_time_format(s[i].last_time_us, last);
        if (!json) {
            printf("%-*s  %-*s  %-*s  %llu\n", sym_w, s[i].symbol, time_w, first, time_w, last,
                (unsigned long long)s[i].tick_count);
            continue;
        }
        printf("%s{\"symbol\":", i ? "," : "");
        print_json_string(s[i].symbol);
        printf(",\"first_time\":\"%s\",\"last_time\":\"%s\",\"tick_count\":%llu}", first, last,
            (unsigned long long)s[i].tick_count);
    }
    if (json) printf("]}\n");
}

static int run_symbols(const struct cli *cli)
{
    fxc_symbol_info *symbols;
    size_t n;
    fxc_err err = { 0 };
    fxc *c;
    int rc = connect_core(cli, 0, &c);
    if (rc != 0) return rc;
    rc = fxc_symbols_list(c, &symbols, &n, &err);
    fxc_close(c);
    if (rc != FXC_OK) return core_error(rc, &err);
    print_symbols(symbols, n, cli->json);
    fxc_symbols_free(symbols);
    return EXIT_OK;
}

/* ---- the command table and help ----------------------------------------- */

#define RANGE_OPTIONS_HELP                                                                                   \
    "  --start TIME   first instant (inclusive)\n"                                                           \
    "  --end TIME     end (exclusive)\n"

static const struct command commands[] = {
    { "tick", "add", "SYMBOL TIME PRICE", "Store one tick; print it as stored.", "",
        "Fails with ALREADY_EXISTS when SYMBOL already has a tick at TIME.\n", 3, 0, run_tick_add },
    { "tick", "set", "SYMBOL TIME PRICE", "Change the price of the tick at TIME; print it.", "",
        "Fails with NOT_FOUND when there is no such tick.\n", 3, 0, run_tick_set },
    { "tick", "rm", "SYMBOL TIME", "Delete the tick at TIME.", "",
        "Fails with NOT_FOUND when there is no such tick.\n", 2, 0, run_tick_rm },
    { "ticks", "rm", "SYMBOL --start TIME --end TIME", "Delete the ticks in [start, end); print how many.",
        RANGE_OPTIONS_HELP, "", 1, OPT_RANGE, run_ticks_rm },
    { "ticks", NULL, "SYMBOL --start TIME --end TIME [--limit N] [--offset N] [--json]",
        "List the ticks in [start, end), by time.",
        RANGE_OPTIONS_HELP
        "  --limit N      at most N ticks, 1-10000 (default 1000)\n"
        "  --offset N     skip the first N ticks (default 0)\n"
        "  --json         a JSON array of {\"symbol\",\"time\",\"price\"} instead of a table\n",
        "Prices are printed in the shortest form that reads back exactly (1.085).\n"
        "A symbol named RM is listed with 'fxctl ticks RM' (upper case): 'rm' is the\n"
        "delete command.\n",
        1, OPT_RANGE | OPT_LIMIT | OPT_OFFSET | OPT_JSON, run_ticks_list },
    { "candles", NULL,
        "SYMBOL RES --start TIME --end TIME [--tz ZONE] [--day-start HH:MM] [--limit N] [--fill none|prev] "
        "[--json]",
        "OHLC candles of SYMBOL whose bucket start lies in [start, end), by time.",
        "  --start TIME   first bucket start (inclusive)\n"
        "  --end TIME     end of the bucket starts (exclusive)\n"
        "  --tz ZONE      IANA time zone of the buckets, e.g. America/New_York\n"
        "                 (default UTC)\n"
        "  --day-start HH:MM\n"
        "                 local time at which days and weeks start, 00:00-23:59\n"
        "                 (default 00:00)\n"
        "  --limit N      at most N candles, 1-100000 (default 10000)\n"
        "  --fill prev    every bucket of the range: one without ticks carries the\n"
        "                 previous close as open, high, low and close, 0 ticks\n"
        "                 (default none: buckets with ticks only)\n"
        "  --json         a JSON array of {\"bucket\",\"symbol\",\"open\",\"high\",\"low\",\n"
        "                 \"close\",\"tick_count\",\"complete\"} instead of a table\n",
        "Buckets follow the local clock of --tz, DST-aware: days and weeks start at\n"
        "--day-start local time (a day lasts 23 or 25 hours when the clocks change),\n"
        "weeks start on Sunday, and shorter buckets are counted from --day-start too\n"
        "(with --day-start 17:30, hours start at half past). Buckets without ticks are\n"
        "not listed unless --fill prev. BUCKET is a bucket's start, printed in UTC; a candle whose bucket\n"
        "is not over yet is marked 'open' (\"complete\": false in JSON).\n",
        2, OPT_RANGE | OPT_LIMIT | OPT_JSON | OPT_ZONE | OPT_FILL, run_candles },
    { "import", NULL, "FILE [--format auto|plain|histdata|dukascopy|truefx] [--symbol SYM] [--batch N]",
        "Bulk-load ticks from a CSV or vendor tick file ('-' = stdin).",
        "  --format NAME  auto (default: told from the first non-blank line), plain,\n"
        "                 histdata, dukascopy or truefx\n"
        "  --symbol SYM   the symbol of histdata and dukascopy ticks, which carry none\n"
        "                 (required for them; the other formats name their own)\n"
        "  --batch N      ticks per request, 1-100000 (default 10000)\n",
        "Formats:\n"
        "  plain      symbol,time,price                             RFC 3339\n"
        "  histdata   YYYYMMDD HHMMSSmmm,bid,ask,volume             EST (UTC-5)\n"
        "  dukascopy  DD.MM.YYYY HH:MM:SS.mmm,ask,bid,askvol,bidvol UTC\n"
        "  truefx     EUR/USD,YYYYMMDD HH:MM:SS.mmm,bid,ask         UTC\n"
        "Plain times are read as in the other commands (no offset means UTC) and\n"
        "plain fields may be quoted; the other formats store the mid price,\n"
        "(bid + ask) / 2, at the UTC time. A first plain line starting with 'symbol'\n"
        "and Dukascopy's 'Gmt time,...' are headers; blank lines and CRLF line ends\n"
        "are fine. Ticks already stored are counted as duplicates, so an interrupted\n"
        "import can simply be run again. A malformed line stops the import (exit 1),\n"
        "naming FILE:LINE; the batches before it are stored. On a terminal, progress\n"
        "is shown on stderr.\n",
        1, OPT_BATCH | OPT_FORMAT, run_import },
    { "tail", NULL, "SYMBOL [--candles RES | --since SEQ] [--json]",
        "Print live ticks (or candles) of SYMBOL ('*' for all) as they are stored.",
        "  --candles RES  the candles of RES (a live stream, see below) as they change, instead of ticks\n"
        "  --since SEQ    first the stored ticks of SYMBOL (one symbol) after seq SEQ, then\n"
        "                 the live ones, each once and in seq order; JSON lines carry \"seq\"\n"
        "  --json         one JSON object per line ({\"type\":\"tick\",...} or {\"type\":\"candle\",...})\n",
        "Reads fx-core's live feed (FX_FEED_URL, default tcp://127.0.0.1:5556): every\n"
        "tick is printed once it is committed, from any source (REST, fxctl, bulk\n"
        "loads, the Redis stream). Runs until interrupted (Ctrl-C). With --since,\n"
        "restart from the last \"seq\" printed to miss nothing in between.\n",
        1, OPT_JSON | OPT_CANDLES | OPT_SINCE, run_tail },
    { "maintenance", NULL, "[--dry-run] [--json]", "Run retention and compaction now; print what was done.",
        "  --dry-run      report what a pass would do now; change nothing\n"
        "  --json         one JSON object {\"dry_run\",\"days\":[{\"day\",\"action\",\"ticks\",\n"
        "                 \"bytes_before\",\"bytes_after\",\"seconds\"}],\"days_dropped\",...,\n"
        "                 \"settings\":{...}} instead of text\n",
        "Applies the core's settings: RETENTION_DAYS (drop the ticks of older days and\n"
        "seal them: their candles stay, writes there fail with FAILED_PRECONDITION;\n"
        "0 keeps them forever), CANDLE_RETENTION_DAYS (delete older candles; 0 keeps\n"
        "them) and COMPRESSION_AFTER_DAYS (store older days' ticks compactly; reads\n"
        "are unchanged; 0 never). Prints a line per day (date, dropped or compacted,\n"
        "ticks, bytes before -> after, ratio, seconds) and a summary with the settings.\n"
        "The leader core also runs a pass every MAINTENANCE_INTERVAL_S; one pass runs\n"
        "at a time (this one waits for another core's). A pass over much data takes\n"
        "minutes: the answer is awaited for 30 minutes (or --timeout, if longer).\n",
        0, OPT_DRY_RUN | OPT_JSON, run_maintenance },
    { "storage", NULL, "[--json]", "What the store holds: each symbol's days by state, with sizes.",
        "  --json         one JSON object {\"ranges\":[{\"symbol\",\"from\",\"to\",\"state\",\n"
        "                 \"days\",\"ticks\",\"bytes\"}]} instead of a table\n",
        "Lists runs of consecutive UTC days of one symbol in one state: raw (as\n"
        "written), compact (compacted) or sealed (ticks dropped by retention, candles\n"
        "kept), then a total per state. FROM and TO are the first and last day; BYTES\n"
        "are the days' partitions, shared among symbols by their ticks (1 MB = 10^6 B).\n",
        0, OPT_JSON, run_storage },
    { "symbols", NULL, "[--json]", "Every stored symbol: its first and last tick time and tick count.",
        "  --json         one JSON object {\"symbols\":[{\"symbol\",\"first_time\",\"last_time\",\n"
        "                 \"tick_count\"}]} instead of a table\n",
        "Symbols are listed by name, times in UTC. The core sums its daily candles, so\n"
        "this is quick however many ticks are stored; days whose ticks retention\n"
        "dropped are not counted.\n",
        0, OPT_JSON, run_symbols },
    { "health", NULL, "", "Status of the core, its database and redis.", "",
        "Exit status: 0 all healthy, 1 the database or redis is failing,\n"
        "2 the core is unreachable. The default --timeout here is 5000 ms.\n",
        0, 0, run_health },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const char common_options_help[]
    = "  --url URL      fx-core RPC address (default: $FX_RPC_URL, else " DEFAULT_URL_TEXT ")\n"
      "  --timeout MS   request timeout in milliseconds (default 30000)\n"
      "  -h, --help     show this help\n";

/* "fxctl tick add SYMBOL TIME PRICE" */
static void print_usage_line(const struct command *cmd)
{
    print_command_name(stdout, cmd);
    printf("%s%s\n", cmd->args[0] != '\0' ? " " : "", cmd->args);
}

static void print_main_help(void)
{
    printf("usage: fxctl [--url URL] [--timeout MS] COMMAND [ARGS...]\n\n"
           "Command-line client of fx-core, the FX tick and OHLC service.\n\nCommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        printf("  ");
        print_usage_line(&commands[i]);
        printf("      %s\n", commands[i].summary);
    }
    printf("\nOptions (before or after the command):\n%s\n"
           "'fxctl COMMAND --help' describes a command.\n\n"
           "Times are RFC 3339: 2025-12-05T10:00:00Z, 2025-12-05 12:00:00.123456+02:00, or a\n"
           "date (midnight UTC); no offset means UTC. Times are printed in UTC.\n"
           "Symbols are " FX_SYMBOL_RULE ", in any case.\n\n"
           "Environment:\n  FX_RPC_URL     fx-core RPC address (default " DEFAULT_URL_TEXT "); a\n"
           "                 comma-separated list of cores: requests fail over among them\n"
           "  FX_FEED_URL    fx-core live feed, for tail (default " FXC_DEFAULT_FEED_URL "); a list: every core's\n"
           "  LOG_FORMAT     text (default) or json: errors as one JSON object per line\n\n"
           "Exit status: 0 success, 1 error (reported as 'fxctl: STATUS: message'),\n"
           "2 usage error or, for 'fxctl health', core unreachable.\n",
        common_options_help);
}

static void print_command_help(const struct command *cmd)
{
    printf("usage: ");
    print_usage_line(cmd);
    printf("\n%s\n\nOptions:\n%s%s", cmd->summary, cmd->options, common_options_help);
    /* the resolutions come from the one table (base/resolution.c) */
    if (cmd->run == run_candles) printf("\nRES is one of %s.\n", fx_resolution_names());
    if (cmd->opts & OPT_CANDLES) printf("\nRES of --candles is %s (or the matching name of\n'fxctl candles', e.g. 1m).\n", fx_resolution_stream_names());
    if (cmd->notes[0] != '\0') printf("%s%s", cmd->run == run_candles ? "" : "\n", cmd->notes);
}

/* `fxctl tick --help`: the commands of a group. */
static void print_group_help(const char *name)
{
    printf("usage:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(commands[i].name, name) != 0) continue;
        printf("  ");
        print_usage_line(&commands[i]);
        printf("      %s\n", commands[i].summary);
    }
    printf("\n'fxctl %s COMMAND --help' describes a command.\n", name);
}

/* ---- command line ------------------------------------------------------- */

static const struct option long_options[] = {
    { "url", required_argument, NULL, 'u' },
    { "timeout", required_argument, NULL, 'T' },
    { "help", no_argument, NULL, 'h' },
    { "start", required_argument, NULL, 's' },
    { "end", required_argument, NULL, 'e' },
    { "limit", required_argument, NULL, 'l' },
    { "offset", required_argument, NULL, 'o' },
    { "json", no_argument, NULL, 'j' },
    { "batch", required_argument, NULL, 'b' },
    { "tz", required_argument, NULL, 'z' },
    { "day-start", required_argument, NULL, 'd' },
    { "candles", required_argument, NULL, 'c' },
    { "format", required_argument, NULL, 'f' },
    { "symbol", required_argument, NULL, 'y' },
    { "dry-run", no_argument, NULL, 'n' },
    { "fill", required_argument, NULL, 'F' },
    { "since", required_argument, NULL, 'Q' },
    { NULL, 0, NULL, 0 },
};

static unsigned option_flag(int c)
{
    switch (c) {
    case 's':
    case 'e': return OPT_RANGE;
    case 'l': return OPT_LIMIT;
    case 'o': return OPT_OFFSET;
    case 'j': return OPT_JSON;
    case 'b': return OPT_BATCH;
    case 'z':
    case 'd': return OPT_ZONE;
    case 'c': return OPT_CANDLES;
    case 'f':
    case 'y': return OPT_FORMAT;
    case 'n': return OPT_DRY_RUN;
    case 'F': return OPT_FILL;
    case 'Q': return OPT_SINCE;
    default: return 0; /* --url, --timeout, --help: everywhere */
    }
}

static void set_option(struct cli *cli, int c, const char *value)
{
    switch (c) {
    case 'u': cli->url = value; break;
    case 'T': cli->timeout = value; break;
    case 'h': cli->help = 1; break;
    case 's': cli->start = value; break;
    case 'e': cli->end = value; break;
    case 'l': cli->limit = value; break;
    case 'o': cli->offset = value; break;
    case 'j': cli->json = 1; break;
    case 'b': cli->batch = value; break;
    case 'z': cli->tz = value; break;
    case 'd': cli->day_start = value; break;
    case 'c': cli->candles = value; break;
    case 'f': cli->format = value; break;
    case 'y': cli->symbol = value; break;
    case 'n': cli->dry_run = 1; break;
    case 'F': cli->fill = value; break;
    case 'Q': cli->since = value; break;
    }
}

/*
 * Parses the options of argv[1..] into `cli` (argv[0] is the program or the
 * last command word). Global options stop at the first non-option ("+");
 * command options may come anywhere. Returns 0 or EXIT_USAGE.
 */
static int parse_options(int argc, char **argv, struct cli *cli, int global)
{
    unsigned allowed = global ? 0 : cli->cmd->opts;
    int c, idx = 0;
    optind = 0; /* GNU: start afresh on a new argv */
    opterr = 0;
    while ((c = getopt_long(argc, argv, global ? "+:h" : ":h", long_options, &idx)) != -1) {
        if (c == ':') return usage_error(cli, "option '%s' needs a value", argv[optind - 1]);
        if (c == '?' && optopt != 0)
            return usage_error(
                cli, "unknown option '-%c' (put '--' before arguments that start with '-')", optopt);
        if (c == '?') return usage_error(cli, "unknown option '%s'", argv[optind - 1]);
        if (option_flag(c) != 0 && !(option_flag(c) & allowed))
            return usage_error(cli,
                global ? "option '--%s' belongs after the command"
                       : "option '--%s' does not apply to this command",
                long_options[idx].name);
        set_option(cli, c, optarg);
    }
    cli->pos = argv + optind;
    cli->npos = argc - optind;
    return 0;
}

/* The command named by words[0] (and words[1]); *used gets how many words. */
static const struct command *find_command(int nwords, char **words, int *used)
{
    const struct command *one_word = NULL;
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const struct command *cmd = &commands[i];
        if (strcmp(cmd->name, words[0]) != 0) continue;
        if (cmd->sub == NULL)
            one_word = cmd;
        else if (nwords > 1 && strcmp(cmd->sub, words[1]) == 0) {
            *used = 2;
            return cmd;
        }
    }
    *used = 1;
    return one_word;
}

static int is_help_word(const char *s)
{
    return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0 || strcmp(s, "help") == 0;
}

/* A word that is not a command, or a group ("tick") without a valid sub-command. */
static int unknown_command(struct cli *cli, int nwords, char **words)
{
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(commands[i].name, words[0]) != 0) continue;
        cli->group = words[0];
        if (cli->help || (nwords > 1 && is_help_word(words[1]))) {
            print_group_help(words[0]);
            return EXIT_OK;
        }
        if (nwords == 1) return usage_error(cli, "'%s' needs a sub-command", words[0]);
        return usage_error(cli, "unknown command '%s %s'", words[0], words[1]);
    }
    return usage_error(cli, "unknown command '%s'", words[0]);
}

static int run_command(int nwords, char **words, struct cli *cli)
{
    int used;
    const struct command *cmd = find_command(nwords, words, &used);
    if (cmd == NULL) return unknown_command(cli, nwords, words);
    cli->cmd = cmd;
    int rc = parse_options(nwords - used + 1, words + used - 1, cli, 0);
    if (rc != 0) return rc;
    if (cli->help) {
        print_command_help(cmd);
        return EXIT_OK;
    }
    if (cli->npos != cmd->nargs)
        return usage_error(cli, "expected %s, got %d argument%s", cmd->nargs > 0 ? cmd->args : "no arguments",
            cli->npos, cli->npos == 1 ? "" : "s");
    return cmd->run(cli);
}

int main(int argc, char **argv)
{
    const char *log_format = getenv("LOG_FORMAT");
    if (log_format && fx_log_parse_format(log_format) < 0) {
        fprintf(stderr, "fxctl: LOG_FORMAT=\"%s\": expected text or json\n", log_format);
        return EXIT_USAGE;
    }
    fx_log_setup("info", log_format ? log_format : "text", "fxctl");
    struct cli cli = { 0 };
    int rc = parse_options(argc, argv, &cli, 1);
    if (rc != 0) return rc;
    if (cli.help || (cli.npos > 0 && strcmp(cli.pos[0], "help") == 0 && cli.npos == 1)) {
        print_main_help();
        return EXIT_OK;
    }
    if (cli.npos == 0) return usage_error(&cli, "missing COMMAND");
    if (strcmp(cli.pos[0], "help") == 0) { /* "fxctl help tick add" */
        cli.help = 1;
        return run_command(cli.npos - 1, cli.pos + 1, &cli);
    }
    return run_command(cli.npos, cli.pos, &cli);
}
