/* fx-bridge's operational surface: health, metrics, docs, 404/405, limits. */
#include "tests/support/fixture.h"
#include "tests/support/bridge_fixture.h"
#include "tests/support/http_client.h"

#include "bridge/config.h"
#include "server/config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

TestSuite(rest_system, .init = fx_bridge_fixture_start, .fini = fx_bridge_fixture_stop, .timeout = 120);

Test(rest_system, health_is_healthy_with_postgresql_and_redis_up)
{
    struct fx_http_result r;
    fx_http("GET", "/health", NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *j = fx_http_json(&r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "healthy");
    cr_assert_str_eq(json_string_value(json_object_get(j, "database")), "connected");
    cr_assert_str_eq(json_string_value(json_object_get(j, "redis")), "connected");
    json_decref(j);
    fx_http_free(&r);
}

Test(rest_system, unknown_paths_are_404_and_wrong_methods_405_in_json)
{
    struct fx_http_result r;
    fx_http("GET", "/no/such/thing", NULL, &r);
    fx_http_assert_error(&r, 404, "/no/such/thing");
    fx_http_free(&r);
    fx_http("PATCH", "/ticks/", "{}", &r);
    fx_http_assert_error(&r, 405, "PATCH");
    cr_assert(strstr(r.allow, "POST") != NULL, "Allow: %s", r.allow);
    fx_http_free(&r);
    fx_http("GET", "/ticks/bulk", NULL, &r);
    fx_http_assert_error(&r, 405, "GET");
    fx_http_free(&r);
}

Test(rest_system, metrics_count_requests_by_route_and_status)
{
    struct fx_http_result r;
    fx_http("GET", "/nope", NULL, &r);
    fx_http_free(&r);
    fx_http("GET", "/health", NULL, &r);
    fx_http_free(&r);
    fx_http("GET", "/metrics", NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert(strncmp(r.content_type, "text/plain", 10) == 0);
    cr_assert(strstr(r.body, "fx_bridge_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1"), "%s",
        r.body);
    cr_assert(strstr(r.body, "fx_bridge_requests_total{route=\"/health\",method=\"GET\",status=\"200\"} 1"), "%s",
        r.body);
    cr_assert(strstr(r.body, "fx_bridge_request_duration_seconds_bucket{route=\"/health\",le=\"+Inf\"} 1"), "%s",
        r.body);
    fx_http_free(&r);
}

Test(rest_system, openapi_document_is_served_and_lists_every_tick_route)
{
    struct fx_http_result r;
    fx_http("GET", "/openapi.json", NULL, &r);
    cr_assert_eq(r.status, 200);
    json_t *j = fx_http_json(&r);
    cr_assert(strncmp(json_string_value(json_object_get(j, "openapi")), "3.", 2) == 0);
    json_t *paths = json_object_get(j, "paths");
    const char *expected[] = { "/ticks/", "/ticks/bulk", "/ticks/{symbol}/{time}", "/health", "/metrics", "/ws/stats" };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        cr_assert_not_null(json_object_get(paths, expected[i]), "%s is not documented", expected[i]);
    json_decref(j);
    fx_http_free(&r);
    fx_http("GET", "/docs", NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert(strstr(r.body, "/openapi.json") != NULL);
    fx_http_free(&r);
    fx_http("GET", "/redoc", NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert(strstr(r.body, "/openapi.json") != NULL);
    fx_http_free(&r);
}

Test(rest_system, ws_stats_are_zero_before_the_live_feed_exists)
{
    struct fx_http_result r;
    fx_http("GET", "/ws/stats", NULL, &r);
    cr_assert_eq(r.status, 200);
    json_t *j = fx_http_json(&r);
    cr_assert_eq(json_integer_value(json_object_get(j, "total_connections")), 0);
    json_decref(j);
    fx_http_free(&r);
}

Test(rest_system, a_body_over_the_bulk_limit_is_413)
{
    size_t big = (16u << 20) + 1;
    char *body = malloc(big);
    memset(body, ' ', big);
    body[0] = '[';
    body[big - 1] = ']';
    struct fx_http_result r;
    fx_http_body("POST", "/ticks/bulk", body, big, &r);
    fx_http_assert_error(&r, 413, "larger than");
    fx_http_free(&r);
    free(body);
    fx_http("GET", "/health", NULL, &r);
    cr_assert_eq(r.status, 200, "the bridge keeps serving");
    fx_http_free(&r);
}

Test(rest_system, static_files_refuse_path_tricks)
{
    struct fx_http_result r;
    fx_http("GET", "/static/../CMakeLists.txt", NULL, &r);
    cr_assert_eq(r.status, 404);
    fx_http_free(&r);
}

/* The lifecycle's admin routes, with every setting off: a pass has nothing
 * to do (and this test's core compacts nothing of the shared database). */
static void lifecycle_off(struct fx_config *cfg)
{
    cfg->retention_days = 0;
    cfg->candle_retention_days = 0;
    cfg->compression_after_days = 0;
}

static void start_with_lifecycle_off(void) { fx_bridge_fixture_start_with(lifecycle_off, NULL); }

TestSuite(rest_admin, .init = start_with_lifecycle_off, .fini = fx_bridge_fixture_stop, .timeout = 120);

static void assert_uint_field(json_t *obj, const char *name, json_int_t want, const char *body)
{
    json_t *v = json_object_get(obj, name);
    cr_assert(json_is_integer(v), "%s is not an integer: %s", name, body);
    cr_assert_eq(json_integer_value(v), want, "%s: %s", name, body);
}

/* The report of a pass with nothing due, dry or not. */
static void assert_nothing_done(const struct fx_http_result *r, int dry_run)
{
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(strncmp(r->content_type, "application/json", 16) == 0, "%s", r->content_type);
    json_t *j = fx_http_json(r);
    cr_assert(json_is_boolean(json_object_get(j, "dry_run")), "%s", r->body);
    cr_assert_eq(json_is_true(json_object_get(j, "dry_run")), dry_run, "%s", r->body);
    json_t *days = json_object_get(j, "days");
    cr_assert(json_is_array(days) && json_array_size(days) == 0, "%s", r->body);
    const char *zero[] = { "days_dropped", "days_compacted", "ticks_dropped", "ticks_compacted", "bytes_before",
        "bytes_after", "candles_dropped" };
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++) assert_uint_field(j, zero[i], 0, r->body);
    cr_assert(json_is_number(json_object_get(j, "seconds")), "%s", r->body);
    json_t *settings = json_object_get(j, "settings");
    cr_assert(json_is_object(settings), "%s", r->body);
    assert_uint_field(settings, "retention_days", 0, r->body);
    assert_uint_field(settings, "candle_retention_days", 0, r->body);
    assert_uint_field(settings, "compression_after_days", 0, r->body);
    json_decref(j);
}

Test(rest_admin, maintenance_dry_run_reports_nothing_to_do_with_the_settings)
{
    struct fx_http_result r;
    fx_http("POST", "/admin/maintenance?dry_run=true", NULL, &r);
    assert_nothing_done(&r, 1);
    fx_http_free(&r);
    fx_http("POST", "/admin/maintenance/?dry_run=1", "", &r);
    assert_nothing_done(&r, 1);
    fx_http_free(&r);
    /* a real pass with every setting off changes nothing either */
    fx_http("POST", "/admin/maintenance", NULL, &r);
    assert_nothing_done(&r, 0);
    fx_http_free(&r);
    fx_http("POST", "/admin/maintenance?dry_run=false", "{}", &r);
    assert_nothing_done(&r, 0);
    fx_http_free(&r);
    fx_http("GET", "/metrics", NULL, &r);
    cr_assert(strstr(r.body, "fx_bridge_requests_total{route=\"/admin/maintenance\",method=\"POST\",status=\"200\"} 4"),
        "%s", r.body);
    fx_http_free(&r);
}

Test(rest_admin, maintenance_refuses_a_bad_dry_run_and_other_methods)
{
    struct fx_http_result r;
    fx_http("POST", "/admin/maintenance?dry_run=maybe", NULL, &r);
    fx_http_assert_error(&r, 422, "dry_run");
    cr_assert(strstr(r.body, "maybe") != NULL, "%s", r.body);
    fx_http_free(&r);
    fx_http("POST", "/admin/maintenance?dry_run=", NULL, &r);
    fx_http_assert_error(&r, 422, "dry_run");
    fx_http_free(&r);
    fx_http("POST", "/admin/maintenance?dry_run=true&dry_run=false", NULL, &r);
    fx_http_assert_error(&r, 422, "dry_run");
    fx_http_free(&r);
    fx_http("GET", "/admin/maintenance", NULL, &r);
    fx_http_assert_error(&r, 405, "GET");
    cr_assert(strstr(r.allow, "POST") != NULL && strstr(r.allow, "GET") == NULL, "Allow: %s", r.allow);
    fx_http_free(&r);
    fx_http("POST", "/admin/storage", NULL, &r);
    fx_http_assert_error(&r, 405, "POST");
    cr_assert(strstr(r.allow, "GET") != NULL && strstr(r.allow, "POST") == NULL, "Allow: %s", r.allow);
    fx_http_free(&r);
}

/* Today's date, "YYYY-MM-DD" (UTC), and a time in it. */
static int64_t today(char date[11])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, 11, "%Y-%m-%d", &tm);
    return (int64_t)now * 1000000;
}

Test(rest_admin, storage_lists_a_symbols_raw_day)
{
    struct fx_http_result r;
    fx_http("GET", "/admin/storage", NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *j = fx_http_json(&r);
    cr_assert(json_is_array(json_object_get(j, "ranges")), "%s", r.body); /* [] on an empty database */
    json_decref(j);
    fx_http_free(&r);

    char sym[FXC_SYMBOL_MAX + 1], date[11];
    fx_test_symbol(sym, "STOR");
    fxc_tick t = { .time_us = today(date), .price = 1.25 };
    snprintf(t.symbol, sizeof t.symbol, "%s", sym);
    fxc_err e;
    cr_assert_eq(fxc_tick_create(fx_test_client, &t, NULL, &e), FXC_OK, "%s", e.message);
    fx_http("GET", "/admin/storage/", NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    j = fx_http_json(&r);
    json_t *ranges = json_object_get(j, "ranges"), *mine = NULL;
    for (size_t i = 0; i < json_array_size(ranges); i++) {
        json_t *g = json_array_get(ranges, i);
        cr_assert(json_is_string(json_object_get(g, "symbol")), "%s", r.body);
        if (strcmp(json_string_value(json_object_get(g, "symbol")), sym) == 0) {
            cr_assert_null(mine, "%s is listed twice: %s", sym, r.body);
            mine = g;
        }
    }
    cr_assert_not_null(mine, "%s is not listed: %s", sym, r.body);
    cr_assert_str_eq(json_string_value(json_object_get(mine, "from")), date);
    cr_assert_str_eq(json_string_value(json_object_get(mine, "to")), date);
    cr_assert_str_eq(json_string_value(json_object_get(mine, "state")), "raw");
    assert_uint_field(mine, "days", 1, r.body);
    assert_uint_field(mine, "ticks", 1, r.body);
    cr_assert(json_is_integer(json_object_get(mine, "bytes")), "%s", r.body);
    json_decref(j);
    fx_http_free(&r);
}

/* A second core that is not running: the bridge lists both. */
static char absent_core[96];

static void with_an_absent_core(struct fx_bridge_config *cfg)
{
    snprintf(absent_core, sizeof absent_core, "ipc:///tmp/fx-absent-core-%d", (int)getpid());
    size_t n = strlen(cfg->rpc_url);
    snprintf(cfg->rpc_url + n, sizeof cfg->rpc_url - n, ",%s", absent_core);
}

static void start_with_an_absent_core(void) { fx_bridge_fixture_start_with(NULL, with_an_absent_core); }

TestSuite(rest_system_cores, .init = start_with_an_absent_core, .fini = fx_bridge_fixture_stop, .timeout = 120);

Test(rest_system_cores, health_is_healthy_while_one_core_answers_and_lists_each_core)
{
    struct fx_http_result r;
    fx_http("GET", "/health", NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *j = fx_http_json(&r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "healthy");
    json_t *cores = json_object_get(j, "cores");
    cr_assert_eq(json_array_size(cores), 2, "%s", r.body);
    json_t *up = json_array_get(cores, 0), *down = json_array_get(cores, 1);
    cr_assert_str_eq(json_string_value(json_object_get(up, "url")), fx_test_rpc_url());
    cr_assert_str_eq(json_string_value(json_object_get(up, "status")), "healthy");
    cr_assert_str_eq(json_string_value(json_object_get(up, "database")), "connected");
    cr_assert_str_eq(json_string_value(json_object_get(down, "url")), absent_core);
    cr_assert_str_eq(json_string_value(json_object_get(down, "status")), "unreachable");
    cr_assert(strstr(json_string_value(json_object_get(down, "error")), "did not answer"), "%s", r.body);
    json_decref(j);
    fx_http_free(&r);
    /* requests still work: they go to the core that is up */
    fx_http("GET", "/ticks/?symbol=EURUSD&start=2025-01-01T00:00:00Z&end=2025-01-02T00:00:00Z", NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    fx_http_free(&r);
}

Test(rest_system, livez_answers_alive)
{
    struct fx_http_result r;
    fx_http("GET", "/livez", NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *j = fx_http_json(&r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "alive");
    json_decref(j);
    fx_http_free(&r);
}

/* ---- connection budgets: one address cannot take them all ---- */

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

/* A TCP connection to the bridge from the loopback address `from`. */
static int connect_from(const char *from)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET };
    inet_pton(AF_INET, from, &src.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    dst.sin_port = htons((uint16_t)fx_test_bridge_port());
    cr_assert_eq(bind(fd, (struct sockaddr *)&src, sizeof src), 0, "bind %s", from);
    cr_assert_eq(connect(fd, (struct sockaddr *)&dst, sizeof dst), 0, "connect from %s", from);
    return fd;
}

/* Whether the bridge closed `fd` (it reads EOF or a reset within `ms`). */
static int closed_by_bridge(int fd, int ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    if (poll(&p, 1, ms) <= 0) return 0;
    char c;
    return recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

TestSuite(rest_limits, .init = fx_bridge_fixture_start, .fini = fx_bridge_fixture_stop, .timeout = 120);

/* Enough descriptors for `n` more sockets (the soft limit is often 1024). */
static void allow_descriptors(rlim_t n)
{
    struct rlimit rl;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur >= n + 64) return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= n + 64 ? n + 64 : rl.rlim_max;
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    cr_assert_geq(rl.rlim_cur, n + 64, "RLIMIT_NOFILE's hard limit %lu is below %lu", (unsigned long)rl.rlim_max,
        (unsigned long)(n + 64));
}

/* A slowloris from 127.0.0.3 (2 000 requests whose headers never end) holds
 * at most BRIDGE_MAX_CONNECTIONS_PER_IP (256) of them; a client from
 * 127.0.0.2 is served all the while. */
Test(rest_limits, one_address_holding_partial_requests_cannot_lock_others_out)
{
    enum { ATTACK = 2000 };
    allow_descriptors(ATTACK);
    static int fds[ATTACK];
    static const char partial[] = "GET /health HTTP/1.1\r\nHost: x\r\nX-a: ";
    for (int i = 0; i < ATTACK; i++) {
        fds[i] = connect_from("127.0.0.3");
        send(fds[i], partial, sizeof partial - 1, MSG_NOSIGNAL);
    }
    int refused = 0;
    for (int i = 0; i < ATTACK; i++) refused += closed_by_bridge(fds[i], i == 0 ? 500 : 5);
    cr_assert_geq(refused, ATTACK - 256, "%d of %d partial requests were refused", refused, ATTACK);

    int fd = connect_from("127.0.0.2");
    static const char get[] = "GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    cr_assert_eq(send(fd, get, sizeof get - 1, MSG_NOSIGNAL), (ssize_t)(sizeof get - 1));
    struct pollfd p = { .fd = fd, .events = POLLIN };
    cr_assert_eq(poll(&p, 1, 5000), 1, "no answer while the attack runs");
    char answer[256] = "";
    cr_assert_gt(recv(fd, answer, sizeof answer - 1, 0), 0);
    cr_assert(strncmp(answer, "HTTP/1.1 200", 12) == 0, "%s", answer);
    close(fd);
    for (int i = 0; i < ATTACK; i++) close(fds[i]);
}

/* ---- the header deadline (BRIDGE_HEADER_TIMEOUT_S) ---- */

static void two_second_headers(struct fx_bridge_config *cfg) { cfg->header_timeout_s = 2; }
static void start_two_second_headers(void) { fx_bridge_fixture_start_with(NULL, two_second_headers); }

TestSuite(header_deadline, .init = start_two_second_headers, .fini = fx_bridge_fixture_stop, .timeout = 60);

static double elapsed_s(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Reads what the bridge sends on `fd` until it closes, at most `ms`.
 * Returns the bytes read (-1: still open at the end). */
static ssize_t read_until_closed(int fd, char *buf, size_t cap, int ms)
{
    size_t n = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (elapsed_s(&t0) * 1000 < ms) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 50) <= 0) continue;
        ssize_t got = recv(fd, buf + n, cap - 1 - n, 0);
        if (got <= 0) {
            buf[n] = '\0';
            return (ssize_t)n;
        }
        n += (size_t)got;
    }
    buf[n] = '\0';
    return -1;
}

/* The slowloris the inactivity timeout never catches: a byte every 300 ms.
 * At 2 s it is answered 408 in JSON and closed, not before; a normal client
 * is served meanwhile. */
Test(header_deadline, headers_that_trickle_in_are_answered_408_at_the_deadline)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int fd = connect_from("127.0.0.3");
    static const char start[] = "GET /health HTTP/1.1\r\nHost: x\r\nX-a: ";
    cr_assert_eq(send(fd, start, sizeof start - 1, MSG_NOSIGNAL), (ssize_t)(sizeof start - 1));
    int sent = 0;
    char answer[512];
    ssize_t n = -1;
    while (n < 0 && elapsed_s(&t0) < 6) {
        if (send(fd, "a", 1, MSG_NOSIGNAL) == 1) sent++;
        n = read_until_closed(fd, answer, sizeof answer, 300);
        if (sent == 2) {
            struct fx_http_result r;
            fx_http("GET", "/livez", NULL, &r);
            cr_assert_eq(r.status, 200, "a normal client is served meanwhile: %s", r.body);
            fx_http_free(&r);
        }
    }
    double took = elapsed_s(&t0);
    cr_assert_geq(n, 0, "still open after %.1f s and %d bytes sent one by one", took, sent);
    cr_assert_geq(took, 1.9, "closed after %.2f s, before the 2 s deadline: %s", took, answer);
    cr_assert_leq(took, 3.5, "closed after %.2f s", took);
    cr_assert(strncmp(answer, "HTTP/1.1 408 ", 13) == 0, "%s", answer);
    const char *body = strstr(answer, "\r\n\r\n");
    cr_assert_not_null(body, "%s", answer);
    json_error_t e;
    json_t *j = json_loads(body + 4, 0, &e);
    cr_assert_not_null(j, "not JSON: %s", body + 4);
    cr_assert(strstr(json_string_value(json_object_get(j, "detail")), "BRIDGE_HEADER_TIMEOUT_S"), "%s", body + 4);
    json_decref(j);
    close(fd);
}

/* A connection that opens and sends nothing is closed at the deadline too. */
Test(header_deadline, a_connection_that_sends_nothing_is_closed_at_the_deadline)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int fd = connect_from("127.0.0.3");
    char answer[512];
    ssize_t n = read_until_closed(fd, answer, sizeof answer, 5000);
    double took = elapsed_s(&t0);
    cr_assert_geq(n, 0, "still open after 5 s");
    cr_assert(took >= 1.9 && took <= 3.5, "closed after %.2f s", took);
    cr_assert(strncmp(answer, "HTTP/1.1 408 ", 13) == 0, "%s", answer);
    close(fd);
}

/* Between requests a kept-alive connection has the idle time, not the
 * header deadline: a second request 3 s after the first is answered. */
Test(header_deadline, a_kept_alive_connection_may_wait_past_the_deadline_between_requests)
{
    int fd = connect_from("127.0.0.2");
    static const char get[] = "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n";
    char answer[1024];
    for (int round = 0; round < 2; round++) {
        if (round == 1) sleep(3);
        cr_assert_eq(send(fd, get, sizeof get - 1, MSG_NOSIGNAL), (ssize_t)(sizeof get - 1));
        struct pollfd p = { .fd = fd, .events = POLLIN };
        cr_assert_eq(poll(&p, 1, 5000), 1, "no answer to request %d", round + 1);
        ssize_t n = recv(fd, answer, sizeof answer - 1, 0);
        cr_assert_gt(n, 0, "closed instead of answering request %d", round + 1);
        answer[n] = '\0';
        cr_assert(strncmp(answer, "HTTP/1.1 200", 12) == 0, "request %d: %s", round + 1, answer);
    }
    close(fd);
}

/* ---- connections hold no thread (epoll threads + the request pool) ---- */

static void many_connections(struct fx_bridge_config *cfg)
{
    cfg->max_connections = 6000;
    cfg->max_connections_per_ip = 0;
}
static void start_many_connections(void) { fx_bridge_fixture_start_with(NULL, many_connections); }

static int threads_of_this_process(void)
{
    DIR *d = opendir("/proc/self/task");
    cr_assert_not_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* 5 000 keep-alive connections, each served a request and then holding
 * half of the next one, while /health is answered; the bridge (in this
 * process) starts no thread for them. */
TestSuite(rest_threads, .init = start_many_connections, .fini = fx_bridge_fixture_stop, .timeout = 180);

Test(rest_threads, thousands_of_kept_alive_and_half_sent_connections_hold_no_thread)
{
    enum { N = 5000 };
    allow_descriptors(2 * N + 200); /* both ends are in this process */
    static int fds[N];
    int threads_before = threads_of_this_process();
    static const char get[] = "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n";
    for (int i = 0; i < N; i++) {
        fds[i] = connect_from("127.0.0.2");
        cr_assert_eq(send(fds[i], get, sizeof get - 1, MSG_NOSIGNAL), (ssize_t)(sizeof get - 1));
    }
    for (int i = 0; i < N; i++) {
        struct pollfd p = { .fd = fds[i], .events = POLLIN };
        cr_assert_eq(poll(&p, 1, 20000), 1, "connection %d got no answer", i);
        char answer[512];
        ssize_t n = recv(fds[i], answer, sizeof answer - 1, 0);
        cr_assert_gt(n, 0, "connection %d closed instead of answering", i);
        answer[n] = '\0';
        cr_assert(strncmp(answer, "HTTP/1.1 200", 12) == 0, "connection %d: %s", i, answer);
    }
    static const char half[] = "GET /health HTTP/1.1\r\nHost: x\r\nX-a: ";
    for (int i = 0; i < N; i++) send(fds[i], half, sizeof half - 1, MSG_NOSIGNAL);
    struct fx_http_result r;
    fx_http("GET", "/health", NULL, &r);
    cr_assert_eq(r.status, 200, "/health while 5 000 connections are open: %s", r.body);
    fx_http_free(&r);
    int threads_now = threads_of_this_process();
    cr_assert_lt(threads_now - threads_before, 20, "%d threads before, %d with %d connections open", threads_before,
        threads_now, N);
    for (int i = 0; i < N; i++) close(fds[i]);
}
