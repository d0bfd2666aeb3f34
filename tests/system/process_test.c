/*
 * The programs as a user runs them: fx-core and fx-bridge binaries started
 * with environment configuration, --help, health answered over HTTP with a
 * 503 naming the failing part, and a clean stop on SIGTERM: fx-core's own
 * HTTP port (probes, /readyz failing while it drains), fx-bridge closing
 * its WebSockets with 1001.
 */
#include "tests/support/fixture.h"
#include "tests/support/proc.h"
#include "tests/support/ws_client.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef FX_BIN_DIR
#error "FX_BIN_DIR must name the folder of fx-core and fx-bridge"
#endif

/* Children still running when a test ends (an assertion failed before it
 * stopped them) are killed by the suite's .fini: no orphans hold ports. */
TestSuite(process, .fini = fx_proc_kill_all);

static pid_t spawn(const char *prog, const char *const *env) { return fx_proc_start(FX_BIN_DIR, prog, env, NULL); }

static int stop(pid_t pid) { return fx_proc_stop(pid, SIGTERM); }

static int free_port(void) { return fx_proc_free_port(); }

/* curl's status code for `url` (000 when nothing answers), and its body. */
static int http_get(const char *url, char *body, size_t len)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "curl -s -m 10 -w '\\n%%{http_code}' '%s'", url);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(body, 1, len - 1, p);
    body[n] = '\0';
    pclose(p);
    char *last = strrchr(body, '\n');
    cr_assert_not_null(last, "no status from curl");
    *last = '\0';
    return atoi(last + 1);
}

static int wait_http(const char *url, char *body, size_t len)
{
    for (int i = 0; i < 100; i++) {
        int status = http_get(url, body, len);
        if (status != 0) return status;
        usleep(100000);
    }
    return 0;
}

/* fx-core and fx-bridge on free ports; `extra` is one more setting (or NULL).
 * `url` receives the bridge's /health URL. */
static void start_pair(const char *extra, pid_t *core, pid_t *bridge, char url[128])
{
    static char rpc[64], feed[64], bridge_port[32];
    int bport = free_port();
    snprintf(rpc, sizeof rpc, "FX_RPC_URL=tcp://127.0.0.1:%d", free_port());
    snprintf(feed, sizeof feed, "FX_FEED_URL=tcp://127.0.0.1:%d", free_port());
    snprintf(bridge_port, sizeof bridge_port, "BRIDGE_PORT=%d", bport);
    snprintf(url, 128, "http://127.0.0.1:%d/health", bport);
    const char *env[] = { rpc, feed, bridge_port, "INGEST_ENABLED=0", extra, NULL };
    *core = spawn("fx-core", env);
    *bridge = spawn("fx-bridge", env);
}

Test(process, core_and_bridge_serve_and_stop_cleanly_on_sigterm, .timeout = 60)
{
    char url[128], body[4096];
    pid_t core, bridge;
    start_pair(NULL, &core, &bridge, url);
    int status = wait_http(url, body, sizeof body);
    for (int i = 0; i < 50 && status != 200; i++) { /* the core may still be migrating */
        usleep(100000);
        status = http_get(url, body, sizeof body);
    }
    cr_assert_eq(status, 200, "%s", body);
    cr_assert(strstr(body, "\"healthy\"") != NULL, "%s", body);

    /* the core stops: the bridge says so, naming the core */
    int st = stop(core);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fx-core exit status %d", st);
    status = http_get(url, body, sizeof body);
    cr_assert_eq(status, 503, "%s", body);
    cr_assert(strstr(body, "\"core\"") != NULL, "%s", body);
    st = stop(bridge);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fx-bridge exit status %d", st);
}

Test(process, health_names_redis_when_it_is_down, .timeout = 60)
{
    char url[128], body[4096];
    pid_t core, bridge;
    start_pair("REDIS_URL=redis://127.0.0.1:1", &core, &bridge, url);
    int status = wait_http(url, body, sizeof body);
    for (int i = 0; i < 50 && strstr(body, "redis") == NULL; i++) {
        usleep(100000);
        status = http_get(url, body, sizeof body);
    }
    cr_assert_eq(status, 503, "%s", body);
    cr_assert(strstr(body, "\"database\":\"connected\"") != NULL, "%s", body);
    cr_assert(strstr(body, "cannot connect") != NULL, "redis is named: %s", body);
    stop(core);
    stop(bridge);
}

Test(process, help_lists_the_configuration_and_bad_values_are_refused)
{
    char cmd[512], out[8192];
    snprintf(cmd, sizeof cmd, "%s/fx-core --help", FX_BIN_DIR);
    FILE *p = popen(cmd, "r");
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    cr_assert_eq(pclose(p), 0);
    const char *vars[] = { "DATABASE_URL", "REDIS_URL", "FX_RPC_URL", "DB_POOL_SIZE", "LOG_LEVEL", "DAY_START_HOUR" };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) cr_assert(strstr(out, vars[i]), "%s missing", vars[i]);
    snprintf(cmd, sizeof cmd, "DB_POOL_SIZE=0 %s/fx-core 2>&1", FX_BIN_DIR);
    p = popen(cmd, "r");
    n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "exit %d", st);
    cr_assert(strstr(out, "DB_POOL_SIZE") != NULL, "%s", out);
    snprintf(cmd, sizeof cmd, "%s/fx-bridge --help", FX_BIN_DIR);
    p = popen(cmd, "r");
    n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    cr_assert_eq(pclose(p), 0);
    cr_assert(strstr(out, "BRIDGE_PORT") != NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int wait_exit(pid_t pid, double seconds) { return fx_proc_wait(pid, seconds); }

Test(process, core_http_port_answers_probes_and_readyz_fails_while_draining, .timeout = 60)
{
    static char rpc[64], feed[64], http[32];
    int port = free_port();
    snprintf(rpc, sizeof rpc, "FX_RPC_URL=tcp://127.0.0.1:%d", free_port());
    snprintf(feed, sizeof feed, "FX_FEED_URL=tcp://127.0.0.1:%d", free_port());
    snprintf(http, sizeof http, "FX_HTTP_PORT=%d", port);
    const char *env[] = { rpc, feed, http, "INGEST_ENABLED=0", "FX_DRAIN_DELAY_MS=1500", NULL };
    pid_t core = spawn("fx-core", env);
    char livez[96], readyz[96], metrics[96], body[8192];
    snprintf(livez, sizeof livez, "http://127.0.0.1:%d/livez", port);
    snprintf(readyz, sizeof readyz, "http://127.0.0.1:%d/readyz", port);
    snprintf(metrics, sizeof metrics, "http://127.0.0.1:%d/metrics", port);
    cr_assert_eq(wait_http(livez, body, sizeof body), 200, "%s", body);
    cr_assert(strstr(body, "\"ok\"") != NULL, "%s", body);
    cr_assert_eq(http_get(readyz, body, sizeof body), 200, "%s", body);
    cr_assert(strstr(body, "\"ready\"") != NULL, "%s", body);
    /* a lone core becomes the candle leader within a moment */
    int status = 0;
    for (int i = 0; i < 50; i++) {
        status = http_get(metrics, body, sizeof body);
        if (status == 200 && strstr(body, "fx_core_leader 1") != NULL) break;
        usleep(100000);
    }
    cr_assert_eq(status, 200, "%s", body);
    cr_assert(strstr(body, "fx_core_leader 1") != NULL, "%s", body);

    /* SIGTERM: /readyz fails ("draining") while the core waits FX_DRAIN_DELAY_MS, then it exits 0 */
    double t0 = now_s();
    kill(core, SIGTERM);
    status = 0;
    for (int i = 0; i < 50 && status != 503; i++) {
        status = http_get(readyz, body, sizeof body);
        if (status != 503) usleep(20000);
    }
    cr_assert_eq(status, 503, "%s", body);
    cr_assert(strstr(body, "draining") != NULL, "%s", body);
    cr_assert_lt(now_s() - t0, 1.5, "seen before the drain delay is over");
    cr_assert_eq(http_get(livez, body, sizeof body), 200, "still live while draining: %s", body);
    int st = wait_exit(core, 6);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fx-core exit status %d", st);
    cr_assert_geq(now_s() - t0, 1.4, "the drain delay was kept");
}

Test(process, core_without_http_port_listens_on_none_and_help_lists_it)
{
    char cmd[512], out[8192];
    snprintf(cmd, sizeof cmd, "%s/fx-core --help", FX_BIN_DIR);
    FILE *p = popen(cmd, "r");
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    cr_assert_eq(pclose(p), 0);
    const char *vars[] = { "FX_HTTP_PORT", "FX_HTTP_BIND", "FX_DRAIN_DELAY_MS" };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) cr_assert(strstr(out, vars[i]), "%s missing", vars[i]);
    snprintf(cmd, sizeof cmd, "%s/fx-bridge --help", FX_BIN_DIR);
    p = popen(cmd, "r");
    n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    cr_assert_eq(pclose(p), 0);
    cr_assert(strstr(out, "BRIDGE_DRAIN_S") != NULL, "%s", out);
}

Test(process, bridge_closes_websockets_with_1001_and_exits_on_sigterm, .timeout = 60)
{
    char url[128], body[4096];
    pid_t core, bridge;
    start_pair("BRIDGE_DRAIN_S=5", &core, &bridge, url);
    int status = wait_http(url, body, sizeof body);
    for (int i = 0; i < 50 && status != 200; i++) { /* the core may still be migrating */
        usleep(100000);
        status = http_get(url, body, sizeof body);
    }
    cr_assert_eq(status, 200, "%s", body);
    unsigned port = 0;
    cr_assert_eq(sscanf(url, "http://127.0.0.1:%u/", &port), 1);
    long ws_status = 0;
    char *ws_body = NULL;
    struct fx_ws_client *ws = fx_ws_connect(port, "/ws/ticks", 0, &ws_status, &ws_body);
    cr_assert_not_null(ws, "WebSocket refused: %ld %s", ws_status, ws_body ? ws_body : "");
    free(ws_body);

    double t0 = now_s();
    kill(bridge, SIGTERM);
    cr_assert(fx_ws_wait_closed(ws, 5000), "no close within 5 s");
    cr_assert_eq(fx_ws_close_code(ws), 1001, "close code %u", fx_ws_close_code(ws));
    fx_ws_close(ws);
    int st = wait_exit(bridge, 5);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fx-bridge exit status %d", st);
    cr_assert_lt(now_s() - t0, 5, "within BRIDGE_DRAIN_S");
    /* no new connections once stopped */
    cr_assert_eq(http_get(url, body, sizeof body), 0, "%s", body);
    st = stop(core);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fx-core exit status %d", st);
}

/* fx-tickgen --heartbeat: the file is touched each second while it runs
 * (what the Kubernetes liveness probe of the dev overlay checks). */
Test(process, tickgen_touches_its_heartbeat_file_each_second, .timeout = 60)
{
    cr_assert_not_null(getenv("REDIS_URL"), "run the tests with ./scripts/test.sh, which starts Redis");
    char beat[96], stream[64];
    snprintf(beat, sizeof beat, "/tmp/fx-process-%d.heartbeat", (int)getpid());
    snprintf(stream, sizeof stream, "REDIS_STREAM=fx:process:heartbeat:%d", (int)getpid());
    unlink(beat);
    const char *env[] = { stream, NULL };
    pid_t g = fx_proc_start_args(FX_BIN_DIR, "fx-tickgen", env, NULL,
        (const char *[]){ "--symbols", "HBEAT", "--rate", "1", "--heartbeat", beat, NULL });
    struct stat st;
    int i = 0;
    while (stat(beat, &st) != 0 && i++ < 50) usleep(100000);
    cr_assert_eq(stat(beat, &st), 0, "no heartbeat file after 5 s");
    struct timespec first = st.st_mtim;
    usleep(2200000);
    cr_assert_eq(stat(beat, &st), 0);
    double moved = (double)(st.st_mtim.tv_sec - first.tv_sec) + (st.st_mtim.tv_nsec - first.tv_nsec) / 1e9;
    cr_assert_geq(moved, 1.0, "touched again within 2.2 s (moved %.2f s)", moved);
    int status = stop(g);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "fx-tickgen status %d", status);
    unlink(beat);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "redis-cli -u \"$REDIS_URL\" DEL fx:process:heartbeat:%d >/dev/null", (int)getpid());
    cr_assert_eq(system(cmd), 0);
}

/* LOG_FORMAT=json: every line fx-core writes is a JSON object naming the
 * program; an unknown format is refused at start. */
Test(process, core_writes_json_lines_with_log_format_json, .timeout = 60)
{
    char log[96], rpc[64], feed[64];
    snprintf(log, sizeof log, "/tmp/fx-process-%d-json.log", (int)getpid());
    unlink(log);
    snprintf(rpc, sizeof rpc, "FX_RPC_URL=tcp://127.0.0.1:%d", free_port());
    snprintf(feed, sizeof feed, "FX_FEED_URL=tcp://127.0.0.1:%d", free_port());
    const char *env[] = { rpc, feed, "INGEST_ENABLED=0", "LOG_FORMAT=json", NULL };
    pid_t core = fx_proc_start(FX_BIN_DIR, "fx-core", env, log);
    usleep(1500000);
    int st = stop(core);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fx-core status %d", st);
    FILE *f = fopen(log, "r");
    cr_assert_not_null(f);
    char line[4096];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        json_error_t e;
        json_t *j = json_loads(line, 0, &e);
        cr_assert_not_null(j, "not JSON (%s): %s", e.text, line);
        cr_assert_str_eq(json_string_value(json_object_get(j, "program")), "fx-core", "%s", line);
        cr_assert_not_null(json_string_value(json_object_get(j, "message")), "%s", line);
        json_decref(j);
        lines++;
    }
    fclose(f);
    unlink(log);
    cr_assert_geq(lines, 3, "%d lines (start and stop are logged)", lines);

    char cmd[256], out[1024];
    snprintf(cmd, sizeof cmd, "LOG_FORMAT=xml %s/fx-bridge 2>&1", FX_BIN_DIR);
    FILE *p = popen(cmd, "r");
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    st = pclose(p);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "exit %d", st);
    cr_assert(strstr(out, "LOG_FORMAT") != NULL, "%s", out);
}

/* fx-tickgen with LOG_FORMAT=json: its messages (start, summary) are JSON
 * objects too, as the cluster's log collector reads them. */
Test(process, tickgen_writes_json_lines_with_log_format_json, .timeout = 60)
{
    cr_assert_not_null(getenv("REDIS_URL"), "run the tests with ./scripts/test.sh, which starts Redis");
    char cmd[512], out[8192];
    snprintf(cmd, sizeof cmd,
        "LOG_FORMAT=json REDIS_STREAM=fx:process:json:%d %s/fx-tickgen --symbols JSONLOG --rate 5 --duration 1 2>&1"
        " && redis-cli -u \"$REDIS_URL\" DEL fx:process:json:%d >/dev/null",
        (int)getpid(), FX_BIN_DIR, (int)getpid());
    FILE *p = popen(cmd, "r");
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    cr_assert_eq(pclose(p), 0, "%s", out);
    int lines = 0, summary = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        cr_assert_not_null(j, "not JSON: %s", line);
        cr_assert_str_eq(json_string_value(json_object_get(j, "program")), "fx-tickgen");
        if (strstr(json_string_value(json_object_get(j, "message")), "ticks sent to")) summary++;
        json_decref(j);
        lines++;
    }
    cr_assert_geq(lines, 2, "%d lines", lines);
    cr_assert_eq(summary, 1, "the summary line, as JSON");
}

/* Group commit in the program (server/group_commit.h): clients writing at
 * once, each of its own ticks, each get their own answers (the duplicate
 * create among them alone is refused), and the core stops cleanly after. */
#define GROUP_WRITERS 8
#define GROUP_TICKS 8

struct group_writer {
    const char *rpc;
    char symbol[FXC_SYMBOL_MAX + 1];
    int index, wrong;
    char why[300];
};

static void *group_writer_main(void *arg)
{
    struct group_writer *g = arg;
    fxc *c;
    fxc_err e;
    if (fxc_open(g->rpc, &c, &e) != FXC_OK) {
        g->wrong = 1;
        snprintf(g->why, sizeof g->why, "open: %s", e.message);
        return NULL;
    }
    for (int k = 0; k < GROUP_TICKS && !g->wrong; k++) {
        fxc_tick t = { .time_us = fx_test_time(k * GROUP_WRITERS + g->index), .price = 1.0 + k * 1e-4 };
        snprintf(t.symbol, sizeof t.symbol, "%s", g->symbol);
        int want[4] = { FXC_OK, FXC_ALREADY_EXISTS, FXC_OK, k % 2 ? FXC_OK : FXC_NOT_FOUND };
        int got[4];
        got[0] = fxc_tick_create(c, &t, NULL, &e);
        got[1] = fxc_tick_create(c, &t, NULL, &e);
        got[2] = fxc_tick_update(c, t.symbol, t.time_us, 2.0, NULL, &e);
        got[3] = k % 2 ? fxc_tick_delete(c, t.symbol, t.time_us, &e)
                       : fxc_tick_delete(c, t.symbol, t.time_us + 1, &e); /* no such tick */
        for (int i = 0; i < 4; i++)
            if (got[i] != want[i] && !g->wrong) {
                g->wrong = 1;
                snprintf(g->why, sizeof g->why, "writer %d tick %d step %d: %d, expected %d (%s)", g->index, k, i,
                    got[i], want[i], e.message);
            }
    }
    fxc_close(c);
    return NULL;
}

Test(process, core_answers_concurrent_single_writes_each_its_own, .timeout = 300)
{
    static char rpc_env[64];
    char rpc[48];
    snprintf(rpc, sizeof rpc, "tcp://127.0.0.1:%d", free_port());
    snprintf(rpc_env, sizeof rpc_env, "FX_RPC_URL=%s", rpc);
    char feed_env[64];
    snprintf(feed_env, sizeof feed_env, "FX_FEED_URL=tcp://127.0.0.1:%d", free_port());
    const char *env[] = { rpc_env, feed_env, "INGEST_ENABLED=0", NULL };
    pid_t core = spawn("fx-core", env);
    char symbol[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(symbol, "PGC");
    struct group_writer w[GROUP_WRITERS];
    pthread_t threads[GROUP_WRITERS];
    for (int i = 0; i < GROUP_WRITERS; i++) {
        w[i] = (struct group_writer){ .rpc = rpc, .index = i };
        snprintf(w[i].symbol, sizeof w[i].symbol, "%s", symbol);
        cr_assert_eq(pthread_create(&threads[i], NULL, group_writer_main, &w[i]), 0);
    }
    for (int i = 0; i < GROUP_WRITERS; i++) pthread_join(threads[i], NULL);
    for (int i = 0; i < GROUP_WRITERS; i++) cr_expect_eq(w[i].wrong, 0, "%s", w[i].why);
    /* every writer kept its even ticks (at price 2.0) and deleted its odd ones */
    cr_assert_eq(fx_test_count_ticks(symbol), GROUP_WRITERS * ((GROUP_TICKS + 1) / 2));
    int st = stop(core);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fx-core exit status %d", st);
}
