/* The WebSocket endpoints of fx-bridge over a real socket: an in-process
 * core and bridge, ticks written through the core (or XADDed to Redis), and
 * frames read by a wslay client. */
#include "server/config.h" /* fx-core's: struct fx_config */
#include "tests/support/fixture.h"
#include "bridge/http.h" /* fx-bridge's, with its struct fx_bridge_config */
#include "tests/support/bridge_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/ws_client.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

TestSuite(ws, .init = fx_bridge_fixture_start, .fini = fx_bridge_fixture_stop, .timeout = 60);

static fxc_tick tick(const char *sym, int64_t t, double p)
{
    fxc_tick x = { .time_us = t, .price = p };
    snprintf(x.symbol, sizeof x.symbol, "%s", sym);
    return x;
}

static void store(const fxc_tick *t)
{
    fxc_err e;
    cr_assert_eq(fxc_tick_create(fx_test_client, t, NULL, &e), FXC_OK, "%s", e.message);
}

static struct fx_ws_client *open_ws(const char *fmt, const char *a, const char *b)
{
    char path[256];
    snprintf(path, sizeof path, fmt, a, b);
    long status;
    struct fx_ws_client *c = fx_ws_connect(fx_test_bridge_port(), path, 0, &status, NULL);
    cr_assert_not_null(c, "%s: HTTP %ld instead of 101", path, status);
    return c;
}

/* The next frame as JSON (asserts one comes within 5 s). */
static json_t *next_json(struct fx_ws_client *c)
{
    char *text;
    int rc = fx_ws_next_text(c, 5000, &text);
    cr_assert_eq(rc, 0, "no frame within 5 s (%s)", rc == -2 ? "closed" : "timeout");
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    cr_assert_not_null(j, "not JSON: %s", text);
    free(text);
    return j;
}

static void assert_no_frame(struct fx_ws_client *c, int ms)
{
    char *text = NULL;
    int rc = fx_ws_next_text(c, ms, &text);
    cr_assert_eq(rc, -1, "unexpected frame: %s", text ? text : "(closed)");
}

static const char *str(json_t *j, const char *key) { return json_string_value(json_object_get(j, key)); }
static long long num(json_t *j, const char *key) { return json_integer_value(json_object_get(j, key)); }

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long stats_field(const char *path); /* a number of /ws/stats, "connections.ticks" */

/* The bridge's SUB connection to the feed is made asynchronously. */
static void settle(void) { usleep(300000); }

Test(ws, a_tick_stream_gets_the_stored_ticks_of_its_symbol_in_order)
{
    char sym[17], other[17];
    fx_test_symbol(sym, "WT");
    fx_test_symbol(other, "WTX");
    struct fx_ws_client *c = open_ws("/ws/ticks/%s%s", sym, "");
    settle();
    fxc_tick a = tick(sym, fx_test_time(0), 1.0855), b = tick(other, fx_test_time(0), 2.5),
             d = tick(sym, fx_test_time(1), 1.0856);
    store(&a), store(&b), store(&d);
    json_t *j = next_json(c);
    cr_assert_str_eq(str(j, "type"), "tick");
    cr_assert_str_eq(str(j, "symbol"), sym);
    cr_assert_str_eq(str(j, "time"), "2025-01-15T10:00:00Z");
    cr_assert_eq(json_real_value(json_object_get(j, "price")), 1.0855);
    json_decref(j);
    j = next_json(c);
    cr_assert_str_eq(str(j, "time"), "2025-01-15T10:00:01Z", "the other symbol is not sent");
    json_decref(j);
    assert_no_frame(c, 300);
    fx_ws_close(c);
}

Test(ws, the_all_symbols_stream_gets_every_symbol_and_lower_case_paths_are_normalised)
{
    char sym[17], other[17], lower[17];
    fx_test_symbol(sym, "WA");
    fx_test_symbol(other, "WAX");
    for (size_t i = 0; i <= strlen(sym); i++) lower[i] = (char)(sym[i] >= 'A' && sym[i] <= 'Z' ? sym[i] + 32 : sym[i]);
    struct fx_ws_client *all = open_ws("/ws/ticks%s%s", "", "");
    struct fx_ws_client *one = open_ws("/ws/ticks/%s%s", lower, "");
    settle();
    fxc_tick a = tick(sym, fx_test_time(0), 1.1), b = tick(other, fx_test_time(0), 1.2);
    store(&a), store(&b);
    /* other tests' ticks never reach this process's core: exactly ours */
    json_t *j1 = next_json(all), *j2 = next_json(all), *j3 = next_json(one);
    cr_assert_str_eq(str(j1, "symbol"), sym);
    cr_assert_str_eq(str(j2, "symbol"), other);
    cr_assert_str_eq(str(j3, "symbol"), sym);
    json_decref(j1), json_decref(j2), json_decref(j3);
    fx_ws_close(all), fx_ws_close(one);
}

/* The hub subscribes to a topic while any client needs it. */
Test(ws, a_stream_goes_on_when_another_client_of_the_same_symbol_leaves)
{
    char sym[17];
    fx_test_symbol(sym, "WL");
    struct fx_ws_client *a = open_ws("/ws/ticks/%s%s", sym, ""), *b = open_ws("/ws/ticks/%s%s", sym, "");
    settle();
    fx_ws_close(a);
    for (int i = 0; i < 50 && stats_field("connections.ticks") != 1; i++) usleep(20000);
    fxc_tick t = tick(sym, fx_test_time(0), 1.9);
    store(&t);
    json_t *j = next_json(b);
    cr_assert_str_eq(str(j, "symbol"), sym);
    json_decref(j);
    fx_ws_close(b);
    for (int i = 0; i < 50 && stats_field("connections.ticks") != 0; i++) usleep(20000);
    struct fx_ws_client *c = open_ws("/ws/ticks/%s%s", sym, ""); /* subscribed again after none was left */
    settle();
    fxc_tick u = tick(sym, fx_test_time(1), 1.8);
    store(&u);
    j = next_json(c);
    cr_assert_str_eq(str(j, "time"), "2025-01-15T10:00:01Z");
    json_decref(j);
    fx_ws_close(c);
}

Test(ws, a_candle_stream_starts_with_the_current_candle_then_follows_each_change)
{
    char sym[17];
    fx_test_symbol(sym, "WC");
    int64_t t = now_us();
    if (t % 60000000 > 55000000) { /* stay inside one minute */
        usleep(6000000);
        t = now_us();
    }
    fxc_tick a = tick(sym, t, 1.2);
    store(&a);
    struct fx_ws_client *c = open_ws("/ws/ohlc/minute/%s%s", sym, "");
    json_t *j = next_json(c);
    cr_assert_str_eq(str(j, "type"), "candle");
    cr_assert_str_eq(str(j, "resolution"), "minute");
    cr_assert_str_eq(str(j, "symbol"), sym);
    cr_assert_eq(num(j, "tick_count"), 1, "the current candle comes first");
    cr_assert(json_is_false(json_object_get(j, "complete")));
    char bucket[32];
    snprintf(bucket, sizeof bucket, "%s", str(j, "bucket"));
    json_decref(j);
    settle();
    fxc_tick b = tick(sym, t + 1000, 1.25);
    store(&b);
    j = next_json(c);
    cr_assert_eq(num(j, "tick_count"), 2);
    cr_assert_str_eq(str(j, "bucket"), bucket);
    cr_assert_eq(json_real_value(json_object_get(j, "high")), 1.25);
    cr_assert_eq(json_real_value(json_object_get(j, "open")), 1.2);
    json_decref(j);
    fx_ws_close(c);
}

Test(ws, each_resolution_streams_its_own_candles)
{
    char sym[17];
    fx_test_symbol(sym, "WR");
    const char *res[] = { "minute", "hour", "day", "custom-day" };
    /* 2025-01-15T23:00Z: in the custom day (22:00 UTC) that starts on the 15th */
    const char *bucket[] = { "2025-01-15T23:00:00Z", "2025-01-15T23:00:00Z", "2025-01-15T00:00:00Z",
        "2025-01-15T22:00:00Z" };
    struct fx_ws_client *c[4];
    for (int i = 0; i < 4; i++) c[i] = open_ws("/ws/ohlc/%s/%s", res[i], sym);
    settle();
    fxc_tick a = tick(sym, fx_test_time(13 * 3600), 1.3);
    store(&a);
    for (int i = 0; i < 4; i++) {
        json_t *j = next_json(c[i]);
        cr_assert_str_eq(str(j, "resolution"), res[i]);
        cr_assert_str_eq(str(j, "bucket"), bucket[i], "%s", res[i]);
        cr_assert(json_is_true(json_object_get(j, "complete")), "a 2025 candle is complete");
        json_decref(j);
        assert_no_frame(c[i], 100);
        fx_ws_close(c[i]);
    }
}

Test(ws, closed_only_sends_only_complete_candles)
{
    char sym[17];
    fx_test_symbol(sym, "WK");
    struct fx_ws_client *c = open_ws("/ws/ohlc/minute/%s%s", sym, "?closed_only=true");
    settle();
    fxc_tick now = tick(sym, now_us(), 1.4), old = tick(sym, fx_test_time(0), 1.5);
    store(&now), store(&old);
    json_t *j = next_json(c);
    cr_assert_str_eq(str(j, "bucket"), "2025-01-15T10:00:00Z", "the open minute is not sent");
    cr_assert(json_is_true(json_object_get(j, "complete")));
    json_decref(j);
    fx_ws_close(c);
}

Test(ws, a_candle_is_sent_complete_within_a_second_of_its_end_with_no_new_tick, .timeout = 120)
{
    char sym[17];
    fx_test_symbol(sym, "WE");
    struct fx_ws_client *c = open_ws("/ws/ohlc/minute/%s%s", sym, "");
    settle();
    int64_t t = now_us();
    fxc_tick a = tick(sym, t, 1.6);
    store(&a);
    json_t *j = next_json(c);
    cr_assert(json_is_false(json_object_get(j, "complete")));
    json_decref(j);
    int64_t end = (t / 60000000 + 1) * 60000000;
    char *text = NULL;
    int rc = fx_ws_next_text(c, (int)((end - now_us()) / 1000) + 1000, &text);
    int64_t late = now_us() - end;
    cr_assert_eq(rc, 0, "no closing frame within a second of the minute's end");
    j = json_loads(text, 0, NULL);
    free(text);
    cr_assert(json_is_true(json_object_get(j, "complete")));
    cr_assert_eq(num(j, "tick_count"), 1);
    cr_assert_lt(late, 1000000, "closed %lld us after the end", (long long)late);
    json_decref(j);
    fx_ws_close(c);
}

static long long stats_field(const char *path)
{
    struct fx_http_result r;
    fx_http("GET", "/ws/stats", NULL, &r);
    cr_assert_eq(r.status, 200);
    json_t *j = fx_http_json(&r);
    json_t *v = j;
    char copy[64];
    snprintf(copy, sizeof copy, "%s", path);
    for (char *part = strtok(copy, "."); part && v; part = strtok(NULL, ".")) v = json_object_get(v, part);
    cr_assert(json_is_integer(v), "/ws/stats has no %s: %s", path, r.body);
    long long n = json_integer_value(v);
    json_decref(j);
    fx_http_free(&r);
    return n;
}

Test(ws, stats_count_connections_per_stream_and_messages_sent)
{
    char sym[17];
    fx_test_symbol(sym, "WS");
    struct fx_ws_client *t1 = open_ws("/ws/ticks/%s%s", sym, ""), *t2 = open_ws("/ws/ticks%s%s", "", "");
    struct fx_ws_client *o = open_ws("/ws/ohlc/hour/%s%s", sym, "");
    settle();
    cr_assert_eq(stats_field("connections.ticks"), 2);
    cr_assert_eq(stats_field("connections.ohlc"), 1);
    cr_assert_eq(stats_field("total_connections"), 3);
    struct fx_http_result m;
    fx_http("GET", "/metrics", NULL, &m);
    cr_assert(strstr(m.body, "fx_ws_connections{stream=\"ticks\"} 2\n"), "%s", m.body);
    cr_assert(strstr(m.body, "fx_ws_connections{stream=\"ohlc\"} 1\n"), "%s", m.body);
    fx_http_free(&m);
    fxc_tick a = tick(sym, fx_test_time(0), 1.7);
    store(&a);
    json_t *j = next_json(t1);
    json_decref(j);
    j = next_json(t2);
    json_decref(j);
    j = next_json(o);
    json_decref(j);
    cr_assert_eq(stats_field("messages_sent"), 3);
    fx_ws_close(t2);
    for (int i = 0; i < 50 && stats_field("connections.ticks") != 1; i++) usleep(20000);
    cr_assert_eq(stats_field("connections.ticks"), 1, "a closed client is no longer counted");
    cr_assert_eq(stats_field("clients_dropped"), 0);
    fx_ws_close(t1), fx_ws_close(o);
}

Test(ws, bad_requests_get_a_json_error_and_no_upgrade)
{
    struct {
        const char *path;
        long status;
        const char *needle;
    } cases[] = {
        { "/ws/ohlc/week/EURUSD", 404, "minute, hour, day or custom-day" },
        { "/ws/ticks/EUR$USD", 422, "symbol" },
        { "/ws/ohlc/minute/EURUSD?closed_only=maybe", 422, "closed_only" },
        { "/ws/ticks/ABCDEFGHIJKLMNOPQ", 422, "symbol" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long status;
        char *body;
        struct fx_ws_client *c = fx_ws_connect(fx_test_bridge_port(), cases[i].path, 0, &status, &body);
        cr_assert_null(c, "%s was upgraded", cases[i].path);
        cr_assert_eq(status, cases[i].status, "%s: HTTP %ld", cases[i].path, status);
        cr_assert(body && strstr(body, "\"detail\"") && strstr(body, cases[i].needle), "%s: %s", cases[i].path,
            body ? body : "");
        free(body);
    }
    struct fx_http_result r; /* a plain GET, no Upgrade header */
    fx_http("GET", "/ws/ticks/EURUSD", NULL, &r);
    fx_http_assert_error(&r, 400, "WebSocket");
    fx_http_free(&r);
    cr_assert_eq(stats_field("total_connections"), 0);
}

/* The raw response head to a hand-written request (for requests the test
 * client would never send). */
static void raw_request(const char *request, char *head, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)fx_test_bridge_port()) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(send(fd, request, strlen(request), 0), (ssize_t)strlen(request));
    struct timeval tv = { 0, 500000 }; /* the connection stays open: read what comes in half a second */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    size_t len = 0;
    ssize_t r;
    while (len + 1 < cap && (r = recv(fd, head + len, cap - 1 - len, 0)) > 0) len += (size_t)r;
    head[len] = '\0';
    close(fd);
}

Test(ws, an_upgrade_must_be_a_get_over_http_1_1_with_version_13)
{
#define KEY "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    char head[4096];
    raw_request("GET /ws/ticks HTTP/1.1\r\nHost: x\r\n" KEY "Sec-WebSocket-Version: 8\r\n\r\n", head, sizeof head);
    cr_assert(strncmp(head, "HTTP/1.1 426", 12) == 0, "%s", head);
    cr_assert(strstr(head, "Sec-WebSocket-Version: 13\r\n"), "a 426 names the version it speaks: %s", head);
    raw_request("HEAD /ws/ticks HTTP/1.1\r\nHost: x\r\n" KEY "Sec-WebSocket-Version: 13\r\n\r\n", head, sizeof head);
    cr_assert(strncmp(head, "HTTP/1.1 400", 12) == 0, "HEAD is no upgrade: %s", head);
    raw_request("GET /ws/ticks HTTP/1.0\r\nHost: x\r\n" KEY "Sec-WebSocket-Version: 13\r\n\r\n", head, sizeof head);
    cr_assert(strstr(head, " 400 ") && strstr(head, "HTTP/1.1"), "HTTP/1.0 gets a 400, not a dropped connection: %s",
        head);
    cr_assert_eq(stats_field("total_connections"), 0);
#undef KEY
}

/* ---- a client that cannot keep up ------------------------------------------ */

static void small_queue(struct fx_bridge_config *cfg) { cfg->ws_queue_kb = 16; }
static void start_small_queue(void) { fx_bridge_fixture_start_with(NULL, small_queue); }

Test(ws_limits, a_client_that_never_reads_is_dropped_while_a_reading_one_gets_everything,
    .init = start_small_queue, .fini = fx_bridge_fixture_stop, .timeout = 60)
{
    char sym[17];
    fx_test_symbol(sym, "WD");
    long status;
    char path[64];
    snprintf(path, sizeof path, "/ws/ticks/%s", sym);
    struct fx_ws_client *stalled = fx_ws_connect(fx_test_bridge_port(), path, 4096, &status, NULL);
    cr_assert_not_null(stalled);
    struct fx_ws_client *reader = open_ws("/ws/ticks/%s%s", sym, "");
    settle();
    /* 10 000 ticks of ~80 bytes: far more than the stalled client's buffers
     * (4 KiB receive, 64 KiB send, 16 KiB queue) hold */
    enum { BATCHES = 100, PER_BATCH = 100 };
    int received = 0;
    int64_t last_time = 0;
    for (int b = 0; b < BATCHES; b++) {
        fxc_tick batch[PER_BATCH];
        for (int i = 0; i < PER_BATCH; i++) batch[i] = tick(sym, fx_test_time(b * PER_BATCH + i), 1.0 + i * 1e-4);
        fxc_err e;
        cr_assert_eq(fxc_ticks_bulk(fx_test_client, batch, PER_BATCH, NULL, NULL, &e), FXC_OK, "%s", e.message);
        while (received < (b + 1) * PER_BATCH) {
            json_t *j = next_json(reader);
            int64_t t;
            cr_assert_eq(fxc_time_parse(str(j, "time"), &t), 0);
            cr_assert_gt(t, last_time, "in order, each once");
            last_time = t;
            received++;
            json_decref(j);
        }
    }
    cr_assert_eq(received, BATCHES * PER_BATCH);
    cr_assert_eq(stats_field("clients_dropped"), 1, "the stalled client was dropped");
    cr_assert(fx_ws_wait_closed(stalled, 10000), "the stalled client's connection is closed");
    uint16_t code = fx_ws_close_code(stalled);
    cr_assert(code == 0 || code == 1008, "close code %u", code);
    for (int i = 0; i < 50 && stats_field("connections.ticks") != 1; i++) usleep(100000);
    cr_assert_eq(stats_field("connections.ticks"), 1, "only the reader is left");
    fx_ws_close(stalled), fx_ws_close(reader);
}

Test(ws_limits, a_client_that_sends_pings_and_never_reads_the_pongs_is_dropped, .init = start_small_queue,
    .fini = fx_bridge_fixture_stop, .timeout = 60)
{
    long status;
    struct fx_ws_client *c = fx_ws_connect(fx_test_bridge_port(), "/ws/ticks/QUIET", 4096, &status, NULL);
    cr_assert_not_null(c);
    /* 125-byte pongs pile up on the server: far past the 16 KiB limit */
    int sent = fx_ws_send_pings(c, 5000, 125);
    cr_assert_gt(sent, 200, "only %d pings went out", sent);
    for (int i = 0; i < 50 && stats_field("clients_dropped") == 0; i++) usleep(100000);
    cr_assert_eq(stats_field("clients_dropped"), 1, "the pongs count against the client's limit");
    fx_ws_close(c);
}

static void two_clients(struct fx_bridge_config *cfg) { cfg->ws_max_clients = 2; }
static void start_two_clients(void) { fx_bridge_fixture_start_with(NULL, two_clients); }

Test(ws_limits, past_the_client_limit_an_upgrade_gets_503, .init = start_two_clients, .fini = fx_bridge_fixture_stop)
{
    struct fx_ws_client *a = open_ws("/ws/ticks%s%s", "", ""), *b = open_ws("/ws/ohlc/minute/%s%s", "LIMIT", "");
    settle();
    long status;
    char *body;
    struct fx_ws_client *c = fx_ws_connect(fx_test_bridge_port(), "/ws/ticks", 0, &status, &body);
    cr_assert_null(c);
    cr_assert_eq(status, 503);
    cr_assert(body && strstr(body, "BRIDGE_WS_MAX_CLIENTS"), "%s", body ? body : "");
    free(body);
    fx_ws_close(a);
    for (int i = 0; i < 50 && stats_field("total_connections") != 1; i++) usleep(20000);
    c = open_ws("/ws/ticks%s%s", "", ""); /* a place is free again */
    fx_ws_close(b), fx_ws_close(c);
}

static void ping_every_second(struct fx_bridge_config *cfg) { cfg->ws_ping_s = 1; }
static void start_fast_pings(void) { fx_bridge_fixture_start_with(NULL, ping_every_second); }

/* BRIDGE_WS_PING_S=1: a client that answers pings (the test client does when
 * it reads) stays; one that never reads, so never answers, is closed after
 * two silent intervals - and is not counted as dropped for being slow. */
Test(ws_limits, pings_keep_answering_clients_and_close_silent_ones, .init = start_fast_pings,
    .fini = fx_bridge_fixture_stop, .timeout = 60)
{
    long status;
    struct fx_ws_client *silent = fx_ws_connect(fx_test_bridge_port(), "/ws/ticks/PINGS", 0, &status, NULL);
    cr_assert_not_null(silent);
    struct fx_ws_client *live = open_ws("/ws/ticks/%s%s", "PINGS", "");
    /* ping at 1 s, close frame at 2 s, connection gone 2 s later (the close
     * handshake's grace), while the live one keeps answering */
    char *text = NULL;
    for (int i = 0; i < 8 && stats_field("connections.ticks") != 1; i++)
        cr_assert_eq(fx_ws_next_text(live, 1000, &text), -1, "no frames, only pings: %s", text ? text : "(closed)");
    cr_assert_eq(stats_field("connections.ticks"), 1, "the silent client is gone, the answering one stays");
    cr_assert_eq(fx_ws_next_text(live, 1500, &text), -1, "still open after more pings");
    cr_assert_eq(stats_field("clients_dropped"), 0);
    cr_assert(fx_ws_wait_closed(silent, 1000), "the silent client's connection is closed");
    cr_assert_eq(fx_ws_close_code(silent), 1001, "closed as going away (no answer to ping)");
    fx_ws_close(silent), fx_ws_close(live);
}

/* ---- Redis to WebSocket ------------------------------------------------------- */

static char stream[64];

static void ingest_own_stream(struct fx_config *cfg)
{
    snprintf(stream, sizeof stream, "fx:wstest:%d", (int)getpid());
    snprintf(cfg->redis_stream, sizeof cfg->redis_stream, "%s", stream);
    snprintf(cfg->redis_group, sizeof cfg->redis_group, "g%d", (int)getpid());
    snprintf(cfg->dead_letter_stream, sizeof cfg->dead_letter_stream, "%s:dead", stream);
    cfg->ingest_enabled = 1;
    cfg->ingest_block_ms = 100;
}
static void start_ingesting(void) { fx_bridge_fixture_start_with(ingest_own_stream, NULL); }

Test(ws_ingest, ticks_added_to_the_redis_stream_are_stored_in_candles_and_on_websockets, .init = start_ingesting,
    .fini = fx_bridge_fixture_stop, .timeout = 60)
{
    char sym[17];
    fx_test_symbol(sym, "WX");
    struct fx_ws_client *ticks = open_ws("/ws/ticks/%s%s", sym, ""), *candles = open_ws("/ws/ohlc/hour/%s%s", sym, "");
    settle();
    const char *url = getenv("REDIS_URL");
    cr_assert_not_null(url);
    redisContext *r = redisConnect("127.0.0.1", atoi(strrchr(url, ':') + 1));
    cr_assert(r && !r->err);
    const char *times[] = { "2025-01-15T10:00:00Z", "2025-01-15T10:00:01.5Z", "2025-01-15T10:59:59Z" };
    const char *prices[] = { "1.1", "1.3", "1.2" };
    for (int i = 0; i < 3; i++) {
        redisReply *rep = redisCommand(r, "XADD %s * symbol %s time %s price %s", stream, sym, times[i], prices[i]);
        cr_assert(rep && rep->type == REDIS_REPLY_STRING);
        freeReplyObject(rep);
    }
    redisFree(r);
    const char *want[] = { "2025-01-15T10:00:00Z", "2025-01-15T10:00:01.500000Z", "2025-01-15T10:59:59Z" };
    for (int i = 0; i < 3; i++) {
        json_t *j = next_json(ticks);
        cr_assert_str_eq(str(j, "time"), want[i]);
        json_decref(j);
    }
    json_t *last = NULL;
    while (last == NULL || num(last, "tick_count") < 3) {
        json_decref(last);
        last = next_json(candles);
    }
    cr_assert_eq(json_real_value(json_object_get(last, "high")), 1.3);
    cr_assert_eq(json_real_value(json_object_get(last, "close")), 1.2);
    json_decref(last);
    cr_assert_eq(fx_test_count_ticks(sym), 3, "stored in PostgreSQL");
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT tick_count FROM candles_1h WHERE symbol = '%s'", sym);
    cr_assert_eq(fx_test_sql_int(sql), 3, "in the hourly rollup");
    fx_ws_close(ticks), fx_ws_close(candles);
}

/* RFC 6455 5.5.1: a close payload is empty or starts with a 2-byte code. */
Test(ws, a_close_frame_with_a_1_byte_payload_is_answered_with_1002)
{
    struct fx_ws_client *c = open_ws("/ws/ticks%s%s", "", "");
    cr_assert_eq(fx_ws_send_raw_close(c, "x", 1), 0);
    cr_assert(fx_ws_wait_closed(c, 3000), "not closed within 3 s");
    cr_assert_eq(fx_ws_close_code(c), 1002, "close code %u", fx_ws_close_code(c));
    fx_ws_close(c);
    struct fx_ws_client *ok = open_ws("/ws/ticks%s%s", "", "");
    cr_assert_eq(fx_ws_send_raw_close(ok, "\x03\xe8", 2), 0); /* 1000: echoed */
    cr_assert(fx_ws_wait_closed(ok, 3000));
    cr_assert_eq(fx_ws_close_code(ok), 1000, "close code %u", fx_ws_close_code(ok));
    fx_ws_close(ok);
}

static void two_second_headers(struct fx_bridge_config *cfg) { cfg->header_timeout_s = 2; }
static void start_two_second_headers(void) { fx_bridge_fixture_start_with(NULL, two_second_headers); }

/* The header deadline ends with the upgrade: a WebSocket quiet for longer
 * still gets its ticks. */
Test(ws_limits, a_websocket_outlives_the_header_deadline, .init = start_two_second_headers,
    .fini = fx_bridge_fixture_stop, .timeout = 60)
{
    struct fx_ws_client *c = open_ws("/ws/ticks/%s%s", "HDRDEAD", "");
    char *text = NULL;
    cr_assert_eq(fx_ws_next_text(c, 3500, &text), -1, "quiet and open 3.5 s on: %s", text ? text : "(closed)");
    fxc_tick t = tick("HDRDEAD", now_us(), 1.25);
    store(&t);
    json_t *j = next_json(c);
    cr_assert_str_eq(str(j, "symbol"), "HDRDEAD");
    json_decref(j);
    fx_ws_close(c);
}
