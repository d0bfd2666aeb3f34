/*
 * fxctl's data lifecycle commands (client/fxctl.c: maintenance, storage) and
 * its candles --fill, the fxctl binary run as a user would, its output read
 * back:
 *   - against a fake core (an nng REP socket in this process answering
 *     fixed reports): the per-day lines, the summary, the storage table and
 *     its totals, and both JSON shapes, exactly;
 *   - against a real in-process fx-core (ipc://) with every lifecycle
 *     setting off: "nothing to do" with the settings, a raw day of a new
 *     symbol in the storage report, and the usage errors.
 * The real lifecycle (compaction, retention) is tested with the server.
 */
#include "tests/support/fixture.h"

#include "fx/v1/rpc.pb-c.h"
#include "server/config.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef FXCTL_BIN
#error "FXCTL_BIN must name the fxctl binary"
#endif

struct run {
    int status; /* exit status */
    char *out; /* stdout and stderr, all of it (the shared database's storage report is long) */
    size_t len, cap;
};

/* Runs the shell command `cmd`; its output and exit status into *r, whose
 * earlier output it frees. */
static void run_shell(const char *cmd, struct run *r)
{
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "popen %s", cmd);
    r->len = 0;
    for (;;) {
        if (r->len + 4096 + 1 > r->cap) {
            r->cap = r->cap ? r->cap * 2 : 65536;
            r->out = realloc(r->out, r->cap);
            cr_assert_not_null(r->out);
        }
        size_t n = fread(r->out + r->len, 1, 4096, p);
        r->len += n;
        if (n == 0) break;
    }
    r->out[r->len] = '\0';
    int st = pclose(p);
    cr_assert(WIFEXITED(st), "%s did not exit: %d", cmd, st);
    r->status = WEXITSTATUS(st);
}

/* Runs `fxctl --url URL ARGS` (ARGS: shell words) into *r. */
static void fxctl(const char *url, const char *args, struct run *r)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' --url '%s' %s 2>&1", FXCTL_BIN, url, args);
    run_shell(cmd, r);
}

/* ---- against a fake core ------------------------------------------------- */

static nng_socket fake;
static pthread_t fake_thread;
static char fake_url[96];

#define DAY_US(y_m_d) day_us(y_m_d)

static int64_t day_us(const char *date)
{
    int64_t us;
    cr_assert_eq(fxc_time_parse(date, &us), 0, "%s", date);
    return us;
}

static void answer_maintenance(const Fx__V1__MaintenanceRequest *q, Fx__V1__Response *resp,
    Fx__V1__MaintenanceResponse *m, Fx__V1__MaintenanceDay *days, Fx__V1__MaintenanceDay **pdays)
{
    fx__v1__maintenance_response__init(m);
    fx__v1__maintenance_day__init(&days[0]);
    fx__v1__maintenance_day__init(&days[1]);
    days[0].day_us = DAY_US("2025-01-01");
    days[0].action = "dropped";
    days[0].ticks = 80000;
    days[0].bytes_before = 3000000;
    days[0].seconds = 0.05;
    days[1].day_us = DAY_US("2025-01-09");
    days[1].action = "compacted";
    days[1].ticks = 120000;
    days[1].bytes_before = 4100000;
    days[1].bytes_after = q->dry_run ? 0 : 512000;
    days[1].seconds = q->dry_run ? 0 : 1.32;
    pdays[0] = &days[0], pdays[1] = &days[1];
    m->dry_run = q->dry_run;
    m->n_days = 2;
    m->days = pdays;
    m->days_dropped = 1;
    m->days_compacted = 1;
    m->ticks_dropped = 80000;
    m->ticks_compacted = 120000;
    m->bytes_before = 7100000;
    m->bytes_after = q->dry_run ? 0 : 512000;
    m->candles_dropped = 1440;
    m->seconds = 1.375;
    m->retention_days = 30;
    m->candle_retention_days = 90;
    m->compression_after_days = 7;
    resp->result_case = FX__V1__RESPONSE__RESULT_MAINTENANCE;
    resp->maintenance = m;
}

static const struct {
    const char *symbol, *first, *last, *state;
    uint32_t days;
    uint64_t ticks, bytes;
} fake_ranges[] = {
    { "EURUSD", "2025-01-01", "2025-01-08", "sealed", 8, 0, 0 },
    { "EURUSD", "2025-01-09", "2025-01-20", "compact", 12, 1200000, 9600000 },
    { "EURUSD", "2025-01-21", "2025-01-27", "raw", 7, 700000, 56000000 },
    { "GBPUSD", "2025-01-21", "2025-01-27", "raw", 7, 100, 5000 },
};
#define N_FAKE_RANGES (sizeof fake_ranges / sizeof fake_ranges[0])

static void answer_storage(
    Fx__V1__Response *resp, Fx__V1__StorageResponse *s, Fx__V1__StorageRange *g, Fx__V1__StorageRange **pg)
{
    fx__v1__storage_response__init(s);
    for (size_t i = 0; i < N_FAKE_RANGES; i++) {
        fx__v1__storage_range__init(&g[i]);
        g[i].symbol = (char *)fake_ranges[i].symbol;
        g[i].first_day_us = DAY_US(fake_ranges[i].first);
        g[i].last_day_us = DAY_US(fake_ranges[i].last);
        g[i].state = (char *)fake_ranges[i].state;
        g[i].days = fake_ranges[i].days;
        g[i].ticks = fake_ranges[i].ticks;
        g[i].bytes = fake_ranges[i].bytes;
        pg[i] = &g[i];
    }
    s->n_ranges = N_FAKE_RANGES;
    s->ranges = pg;
    resp->result_case = FX__V1__RESPONSE__RESULT_STORAGE;
    resp->storage = s;
}

/* Answers every request until the socket closes. */
static void *fake_core(void *arg)
{
    (void)arg;
    for (;;) {
        nng_msg *msg;
        if (nng_recvmsg(fake, &msg, 0) != 0) return NULL;
        Fx__V1__Request *req = fx__v1__request__unpack(NULL, nng_msg_len(msg), nng_msg_body(msg));
        Fx__V1__Response resp = FX__V1__RESPONSE__INIT;
        Fx__V1__MaintenanceResponse m;
        Fx__V1__MaintenanceDay days[2], *pdays[2];
        Fx__V1__StorageResponse s;
        Fx__V1__StorageRange g[N_FAKE_RANGES], *pg[N_FAKE_RANGES];
        resp.id = req ? req->id : 0;
        if (req && req->op_case == FX__V1__REQUEST__OP_MAINTENANCE)
            answer_maintenance(req->maintenance, &resp, &m, days, pdays);
        else if (req && req->op_case == FX__V1__REQUEST__OP_STORAGE)
            answer_storage(&resp, &s, g, pg);
        else
            resp.status = FX__V1__STATUS_CODE__INTERNAL,
            resp.message = "the fake core answers maintenance and storage";
        nng_msg_clear(msg);
        size_t len = fx__v1__response__get_packed_size(&resp);
        uint8_t *buf = malloc(len ? len : 1);
        fx__v1__response__pack(&resp, buf);
        nng_msg_append(msg, buf, len);
        free(buf);
        fx__v1__request__free_unpacked(req, NULL);
        if (nng_sendmsg(fake, msg, 0) != 0) nng_msg_free(msg);
    }
}

static void fake_start(void)
{
    snprintf(fake_url, sizeof fake_url, "ipc:///tmp/fxctl-fake-core-%d", (int)getpid());
    cr_assert_eq(nng_rep0_open(&fake), 0);
    cr_assert_eq(nng_listen(fake, fake_url, NULL, 0), 0, "listen %s", fake_url);
    cr_assert_eq(pthread_create(&fake_thread, NULL, fake_core, NULL), 0);
}

static void fake_stop(void)
{
    nng_close(fake);
    pthread_join(fake_thread, NULL);
}

TestSuite(fxctl_lifecycle_output, .init = fake_start, .fini = fake_stop, .timeout = 60);

Test(fxctl_lifecycle_output, maintenance_prints_a_line_per_day_and_a_summary)
{
    struct run r = { 0 };
    fxctl(fake_url, "maintenance", &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert_str_eq(r.out,
        "2025-01-01  dropped     80000 ticks  3.0 MB ->      0 B       -  0.05 s\n"
        "2025-01-09  compacted  120000 ticks  4.1 MB -> 512.0 kB    8.0x  1.32 s\n"
        "dropped 1 day (80000 ticks), compacted 1 day (120000 ticks): 7.1 MB -> 512.0 kB; deleted 1440 "
        "candles;"
        " 1.38 s (RETENTION_DAYS=30, CANDLE_RETENTION_DAYS=90, COMPRESSION_AFTER_DAYS=7)\n");
    free(r.out);
}

Test(fxctl_lifecycle_output, maintenance_dry_run_says_so_and_what_it_would_do)
{
    struct run r = { 0 };
    fxctl(fake_url, "maintenance --dry-run", &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert_str_eq(r.out,
        "2025-01-01  would drop      80000 ticks  3.0 MB\n"
        "2025-01-09  would compact  120000 ticks  4.1 MB\n"
        "dry run, nothing changed: would drop 1 day (80000 ticks), compact 1 day (120000 ticks), 7.1 MB in "
        "all;"
        " would delete 1440 candles; 1.38 s (RETENTION_DAYS=30, CANDLE_RETENTION_DAYS=90, "
        "COMPRESSION_AFTER_DAYS=7)\n");
    free(r.out);
}

Test(fxctl_lifecycle_output, maintenance_json_is_one_object)
{
    struct run r = { 0 };
    fxctl(fake_url, "maintenance --json", &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert_str_eq(r.out,
        "{\"dry_run\":false,\"days\":["
        "{\"day\":\"2025-01-01\",\"action\":\"dropped\",\"ticks\":80000,\"bytes_before\":3000000,\"bytes_"
        "after\":0,"
        "\"seconds\":0.050},"
        "{\"day\":\"2025-01-09\",\"action\":\"compacted\",\"ticks\":120000,\"bytes_before\":4100000,"
        "\"bytes_after\":512000,\"seconds\":1.320}],"
        "\"days_dropped\":1,\"days_compacted\":1,\"ticks_dropped\":80000,\"ticks_compacted\":120000,"
        "\"bytes_before\":7100000,\"bytes_after\":512000,\"candles_dropped\":1440,\"seconds\":1.375,"
        "\"settings\":{\"retention_days\":30,\"candle_retention_days\":90,\"compression_after_days\":7}}\n");
    json_error_t e;
    json_t *j = json_loads(r.out, 0, &e);
    cr_assert_not_null(j, "not JSON: %s", e.text);
    json_decref(j);
    free(r.out);
}

Test(fxctl_lifecycle_output, storage_prints_a_table_and_a_total_per_state)
{
    struct run r = { 0 };
    fxctl(fake_url, "storage", &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert_str_eq(r.out,
        "SYMBOL  FROM        TO          STATE    DAYS    TICKS    BYTES  BYTES/TICK\n"
        "EURUSD  2025-01-01  2025-01-08  sealed      8        0      0 B           -\n"
        "EURUSD  2025-01-09  2025-01-20  compact    12  1200000   9.6 MB         8.0\n"
        "EURUSD  2025-01-21  2025-01-27  raw         7   700000  56.0 MB        80.0\n"
        "GBPUSD  2025-01-21  2025-01-27  raw         7      100   5.0 kB        50.0\n"
        "total raw: 14 days in 2 ranges, 700100 ticks, 56.0 MB (80.0 bytes/tick)\n"
        "total compact: 12 days in 1 range, 1200000 ticks, 9.6 MB (8.0 bytes/tick)\n"
        "total sealed: 8 days in 1 range, 0 ticks, 0 B (- bytes/tick)\n");
    free(r.out);
}

Test(fxctl_lifecycle_output, storage_json_is_one_object)
{
    struct run r = { 0 };
    fxctl(fake_url, "storage --json", &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert(strncmp(r.out,
                  "{\"ranges\":[{\"symbol\":\"EURUSD\",\"from\":\"2025-01-01\",\"to\":\"2025-01-08\","
                  "\"state\":\"sealed\","
                  "\"days\":8,\"ticks\":0,\"bytes\":0},",
                  107)
            == 0,
        "%s", r.out);
    json_error_t e;
    json_t *j = json_loads(r.out, 0, &e);
    cr_assert_not_null(j, "not JSON: %s", e.text);
    json_t *ranges = json_object_get(j, "ranges");
    cr_assert_eq(json_array_size(ranges), N_FAKE_RANGES, "%s", r.out);
    for (size_t i = 0; i < N_FAKE_RANGES; i++) {
        json_t *g = json_array_get(ranges, i);
        cr_assert_str_eq(json_string_value(json_object_get(g, "symbol")), fake_ranges[i].symbol);
        cr_assert_str_eq(json_string_value(json_object_get(g, "from")), fake_ranges[i].first);
        cr_assert_str_eq(json_string_value(json_object_get(g, "to")), fake_ranges[i].last);
        cr_assert_str_eq(json_string_value(json_object_get(g, "state")), fake_ranges[i].state);
        cr_assert_eq(json_integer_value(json_object_get(g, "days")), fake_ranges[i].days);
        cr_assert_eq(json_integer_value(json_object_get(g, "ticks")), (json_int_t)fake_ranges[i].ticks);
        cr_assert_eq(json_integer_value(json_object_get(g, "bytes")), (json_int_t)fake_ranges[i].bytes);
    }
    json_decref(j);
    free(r.out);
}

/* ---- against a real core -------------------------------------------------- */

static char core_url[96];

/* Every lifecycle setting off (this core then compacts nothing of the shared
 * database), on an ipc:// address fxctl can reach from its own process. */
static void lifecycle_off_on_ipc(struct fx_config *cfg)
{
    snprintf(core_url, sizeof core_url, "ipc:///tmp/fxctl-test-core-%d", (int)getpid());
    snprintf(cfg->rpc_url, sizeof cfg->rpc_url, "%s", core_url);
    cfg->retention_days = 0;
    cfg->candle_retention_days = 0;
    cfg->compression_after_days = 0;
}

static void core_start(void) { fx_fixture_start_with(lifecycle_off_on_ipc); }

TestSuite(fxctl_lifecycle, .init = core_start, .fini = fx_fixture_stop, .timeout = 120);

Test(fxctl_lifecycle, maintenance_with_every_setting_off_has_nothing_to_do)
{
    struct run r = { 0 };
    fxctl(core_url, "maintenance --dry-run", &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert(
        strncmp(r.out,
            "dry run: nothing to do: COMPRESSION_AFTER_DAYS=0 (never), RETENTION_DAYS=0 (keep forever), "
            "CANDLE_RETENTION_DAYS=0 (keep forever) (",
            127)
            == 0,
        "%s", r.out);
    fxctl(core_url, "maintenance", &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert(strncmp(r.out, "nothing to do: COMPRESSION_AFTER_DAYS=0 (never), ", 49) == 0, "%s", r.out);

    fxctl(core_url, "maintenance --json --dry-run", &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    json_error_t e;
    json_t *j = json_loads(r.out, 0, &e);
    cr_assert_not_null(j, "not JSON (%s): %s", e.text, r.out);
    cr_assert(json_is_true(json_object_get(j, "dry_run")), "%s", r.out);
    cr_assert_eq(json_array_size(json_object_get(j, "days")), 0, "%s", r.out);
    json_t *settings = json_object_get(j, "settings");
    cr_assert_eq(json_integer_value(json_object_get(settings, "compression_after_days")), 0, "%s", r.out);
    cr_assert_not_null(json_object_get(settings, "retention_days"), "%s", r.out);
    json_decref(j);
    free(r.out);
}

Test(fxctl_lifecycle, storage_lists_a_new_symbols_raw_day)
{
    char sym[FXC_SYMBOL_MAX + 1], date[11], args[128];
    fx_test_symbol(sym, "FXST");
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    struct run r = { 0 };
    snprintf(args, sizeof args, "tick add %s %sT00:00:01Z 1.25", sym, date);
    fxctl(core_url, args, &r);
    cr_assert_eq(r.status, 0, "%s", r.out);

    fxctl(core_url, "storage", &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert(strncmp(r.out, "SYMBOL ", 7) == 0, "%s", r.out);
    char *line = strstr(r.out, sym);
    cr_assert_not_null(line, "%s is not listed: %s", sym, r.out);
    char want[64];
    snprintf(want, sizeof want, "%s  %s  raw ", date, date);
    cr_assert(strstr(line, want) != NULL && strstr(line, want) < strchr(line, '\n'), "%s", r.out);
    cr_assert(strstr(r.out, "\ntotal raw: ") != NULL, "%s", r.out);

    fxctl(core_url, "storage --json", &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    json_error_t e;
    json_t *j = json_loads(r.out, 0, &e), *mine = NULL;
    cr_assert_not_null(j, "not JSON (%s): %s", e.text, r.out);
    json_t *ranges = json_object_get(j, "ranges");
    for (size_t i = 0; i < json_array_size(ranges); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(ranges, i), "symbol")), sym) == 0)
            mine = json_array_get(ranges, i);
    cr_assert_not_null(mine, "%s is not listed: %s", sym, r.out);
    cr_assert_str_eq(json_string_value(json_object_get(mine, "from")), date);
    cr_assert_str_eq(json_string_value(json_object_get(mine, "state")), "raw");
    cr_assert_eq(json_integer_value(json_object_get(mine, "ticks")), 1);
    json_decref(j);
    free(r.out);
}

Test(fxctl_lifecycle, usage_errors_exit_2)
{
    struct run r = { 0 };
    fxctl(core_url, "storage extra", &r);
    cr_assert_eq(r.status, 2, "%s", r.out);
    fxctl(core_url, "storage --dry-run", &r);
    cr_assert_eq(r.status, 2, "%s", r.out);
    cr_assert(strstr(r.out, "does not apply") != NULL, "%s", r.out);
    fxctl(core_url, "maintenance --limit 3", &r);
    cr_assert_eq(r.status, 2, "%s", r.out);
    fxctl(core_url, "maintenance --help", &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert(strstr(r.out, "--dry-run") != NULL && strstr(r.out, "RETENTION_DAYS") != NULL, "%s", r.out);
    free(r.out);
}

TestSuite(fxctl_candles, .init = core_start, .fini = fx_fixture_stop, .timeout = 120);

/* fxctl with printf-formatted ARGS, expecting exit status `status`. */
__attribute__((format(printf, 4, 5))) static void fxctl_expect(struct run *r, int status, const char *sym,
    const char *fmt, ...)
{
    char args[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    fxctl(core_url, args, r);
    cr_assert_eq(r->status, status, "%s (%s): %s", args, sym, r->out);
}

Test(fxctl_candles, fill_prev_lists_every_bucket)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "FXFL");
    struct run r = { 0 };
    fxctl_expect(&r, 0, sym, "tick add %s 2025-12-05T10:00:10Z 1.25", sym);
    fxctl_expect(&r, 0, sym, "tick add %s 2025-12-05T10:03:20Z 1.5", sym);
    fxctl_expect(&r, 0, sym, "candles %s 1m --start 2025-12-05T09:58:00Z --end 2025-12-05T10:05:00Z --fill prev --json",
        sym);
    json_error_t e;
    json_t *j = json_loads(r.out, 0, &e);
    cr_assert_not_null(j, "not JSON (%s): %s", e.text, r.out);
    cr_assert_eq(json_array_size(j), 5, "10:00 to 10:04 (nothing to carry before the first tick): %s", r.out);
    const long counts[] = { 1, 0, 0, 1, 0 };
    const double closes[] = { 1.25, 1.25, 1.25, 1.5, 1.5 };
    for (size_t i = 0; i < 5; i++) {
        json_t *c = json_array_get(j, i);
        cr_assert_eq(json_integer_value(json_object_get(c, "tick_count")), counts[i], "%s", r.out);
        cr_assert_eq(json_real_value(json_object_get(c, "close")), closes[i], "%s", r.out);
    }
    json_decref(j);
    fxctl_expect(&r, 2, sym, "candles %s 1m --start 2025-12-05T10:00:00Z --end 2025-12-05T10:05:00Z --fill all", sym);
    cr_assert(strstr(r.out, "--fill") != NULL, "%s", r.out);
    free(r.out);
}

TestSuite(fxctl_symbols, .init = core_start, .fini = fx_fixture_stop, .timeout = 120);

/* The table has a line per symbol with its first and last tick and count;
 * --json is GET /symbols' object. */
Test(fxctl_symbols, lists_a_symbol_with_its_first_last_and_count)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "FXSY");
    struct run r = { 0 };
    fxctl_expect(&r, 0, sym, "tick add %s 2025-12-05T10:00:10Z 1.25", sym);
    fxctl_expect(&r, 0, sym, "tick add %s 2025-12-08T07:00:00.5Z 1.5", sym);
    fxctl_expect(&r, 0, sym, "symbols");
    cr_assert(strncmp(r.out, "SYMBOL ", 7) == 0, "a header first: %s", r.out);
    char line[256];
    snprintf(line, sizeof line, "\n%s ", sym);
    const char *at = strstr(r.out, line);
    cr_assert_not_null(at, "a line for %s", sym);
    char name[32], first[40], last[40];
    unsigned long long count;
    cr_assert_eq(sscanf(at + 1, "%31s %39s %39s %llu", name, first, last, &count), 4, "%s", at + 1);
    cr_assert_str_eq(first, "2025-12-05T10:00:10Z");
    cr_assert_str_eq(last, "2025-12-08T07:00:00.500000Z");
    cr_assert_eq(count, 2);

    fxctl_expect(&r, 0, sym, "symbols --json");
    json_error_t e;
    json_t *j = json_loads(r.out, 0, &e);
    cr_assert_not_null(j, "not JSON (%s): %s", e.text, r.out);
    json_t *list = json_object_get(j, "symbols"), *mine = NULL;
    for (size_t i = 0; i < json_array_size(list); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(list, i), "symbol")), sym) == 0)
            mine = json_array_get(list, i);
    cr_assert_not_null(mine, "%s in the JSON", sym);
    cr_assert_str_eq(json_string_value(json_object_get(mine, "last_time")), "2025-12-08T07:00:00.500000Z");
    cr_assert_eq(json_integer_value(json_object_get(mine, "tick_count")), 2);
    json_decref(j);
    fxctl_expect(&r, 2, sym, "symbols %s", sym);
    free(r.out);
}

/* ---- tail --since ---------------------------------------------------------- */

static char feed_url[96];

/* The core_start core, its live feed on ipc:// too (FX_FEED_URL of fxctl). */
static void rpc_and_feed_on_ipc(struct fx_config *cfg)
{
    lifecycle_off_on_ipc(cfg);
    snprintf(feed_url, sizeof feed_url, "ipc:///tmp/fxctl-test-feed-%d", (int)getpid());
    snprintf(cfg->feed_url, sizeof cfg->feed_url, "%s", feed_url);
}

static void core_with_feed_start(void) { fx_fixture_start_with(rpc_and_feed_on_ipc); }

TestSuite(fxctl_tail, .init = core_with_feed_start, .fini = fx_fixture_stop, .timeout = 120);

/* Through a client of its own on the core's ipc:// address (any thread). */
static void store_ticks(const char *sym, int first, int n)
{
    fxc *c;
    fxc_err e;
    cr_assert_eq(fxc_open(core_url, &c, &e), FXC_OK, "%s", e.message);
    for (int i = first; i < first + n; i++) {
        fxc_tick t = { .time_us = fx_test_time(i), .price = 1.5 };
        snprintf(t.symbol, sizeof t.symbol, "%s", sym);
        cr_assert_eq(fxc_tick_create(c, &t, NULL, &e), FXC_OK, "%s", e.message);
    }
    fxc_close(c);
}

static char live_sym[FXC_SYMBOL_MAX + 1];

/* While tail runs: three live ticks, once it has had time to subscribe. */
static void *store_live(void *arg)
{
    (void)arg;
    usleep(1500000);
    store_ticks(live_sym, 5, 3);
    return NULL;
}

Test(fxctl_tail, since_prints_the_stored_ticks_after_it_then_the_live_ones_each_once)
{
    fx_test_symbol(live_sym, "FXTS");
    store_ticks(live_sym, 0, 5); /* seqs 1..5 */
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, store_live, NULL), 0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "FX_FEED_URL='%s' timeout -s INT 4 '%s' --url '%s' tail %s --since 2 --json 2>&1",
        feed_url, FXCTL_BIN, core_url, live_sym);
    struct run r = { 0 };
    run_shell(cmd, &r);
    pthread_join(th, NULL);
    char *line = r.out;
    for (long long seq = 3; seq <= 8; seq++) {
        char *nl = strchr(line, '\n');
        cr_assert_not_null(nl, "seq %lld missing: %s", seq, r.out);
        *nl = '\0';
        json_t *j = json_loads(line, 0, NULL);
        cr_assert_not_null(j, "not JSON: %s", line);
        cr_assert_eq(json_integer_value(json_object_get(j, "seq")), seq, "%s", line);
        cr_assert_str_eq(json_string_value(json_object_get(j, "symbol")), live_sym);
        char when[FXC_TIME_STR_MAX];
        fxc_time_format(fx_test_time(seq - 1), when);
        cr_assert_str_eq(json_string_value(json_object_get(j, "time")), when);
        json_decref(j);
        line = nl + 1;
    }
    cr_assert_str_eq(line, "", "nothing else (the replayed ticks not again)");
    free(r.out);
}

Test(fxctl_tail, since_needs_one_symbol_and_a_seq)
{
    struct run r = { 0 };
    fxctl(core_url, "tail '*' --since 1", &r);
    cr_assert_eq(r.status, 2, "%s", r.out);
    cr_assert(strstr(r.out, "--since") != NULL, "%s", r.out);
    fxctl(core_url, "tail EURUSD --candles minute --since 1", &r);
    cr_assert_eq(r.status, 2, "%s", r.out);
    fxctl(core_url, "tail EURUSD --since -1", &r);
    cr_assert_eq(r.status, 2, "%s", r.out);
    fxctl(core_url, "tail EURUSD --since x", &r);
    cr_assert_eq(r.status, 2, "%s", r.out);
    fxctl(core_url, "tail --help", &r);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert(strstr(r.out, "--since SEQ") != NULL, "%s", r.out);
    free(r.out);
}
