/*
 * Access control of fx-bridge over real HTTP: API keys by route class and
 * scope, both header forms, public reads, SIGHUP reload (in-process and of
 * the fx-bridge program), a malformed keys file, WebSocket upgrades (header
 * key, "bearer.KEY" subprotocol, Origin), 415 for non-JSON bodies, and the
 * security headers of the pages.
 */
#include "tests/support/bridge_fixture.h"
#include "tests/support/fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/proc.h"
#include "tests/support/ws_client.h"

#include "bridge/config.h"
#include "bridge/http.h"

#include <criterion/criterion.h>
#include <nettle/sha2.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef FX_BIN_DIR
#error "FX_BIN_DIR must name the folder of fx-bridge"
#endif

#define READ_KEY "r3ad-key-0123456789"
#define WRITE_KEY "wr1te-key-0123456789"
#define ADMIN_KEY "adm1n-key-0123456789"
#define LATE_KEY "late-key-0123456789"

static char keys_path[256];
static int public_reads;

static const char *fmt(const char *f, ...)
{
    static char buf[8][1024];
    static int i;
    char *b = buf[i++ % 8];
    va_list ap;
    va_start(ap, f);
    vsnprintf(b, sizeof buf[0], f, ap);
    va_end(ap);
    return b;
}

static void sha256_hex(const char *key, char hex[65])
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(key), (const uint8_t *)key);
    sha256_digest(&ctx, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) sprintf(hex + 2 * i, "%02x", d[i]);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* The keys file: `entries` as "name:scope:KEY" with KEY replaced by its hash. */
static void write_keys(const char *path, const char *const *entries)
{
    char text[4096] = "# fx-bridge API keys\n\n";
    for (size_t i = 0; entries[i]; i++) {
        char name[64], scope[16], key[128], hex[65];
        cr_assert_eq(sscanf(entries[i], "%63[^:]:%15[^:]:%127s", name, scope, key), 3);
        sha256_hex(key, hex);
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s:%s:%s\n", name, scope, hex);
    }
    write_file(path, text);
}

static const char *const base_keys[] = { "reader:read:" READ_KEY, "writer:write:" WRITE_KEY, "root:admin:" ADMIN_KEY,
    NULL };

static void tweak(struct fx_bridge_config *cfg)
{
    snprintf(cfg->api_keys_file, sizeof cfg->api_keys_file, "%s", keys_path);
    cfg->public_reads = public_reads;
}

static void start_with_keys(void)
{
    snprintf(keys_path, sizeof keys_path, "/tmp/fx-auth-test-%d.keys", (int)getpid());
    write_keys(keys_path, base_keys);
    fx_bridge_fixture_start_with(NULL, tweak);
}

static void start_public_reads(void)
{
    public_reads = 1;
    start_with_keys();
}

static void stop(void)
{
    fx_bridge_fixture_stop();
    unlink(keys_path);
}

/* `method path` with `key` (NULL: none) as Bearer (or X-API-Key when `xapi`). */
static long call(const char *method, const char *path, const char *body, const char *key, int xapi,
    struct fx_http_result *r)
{
    const char *h[3] = { "Content-Type: application/json", NULL, NULL };
    if (key) h[1] = fmt(xapi ? "X-API-Key: %s" : "Authorization: Bearer %s", key);
    fx_http_with(method, path, body, h, r);
    return r->status;
}

static long status_of(const char *method, const char *path, const char *body, const char *key)
{
    struct fx_http_result r;
    long s = call(method, path, body, key, 0, &r);
    if (s == 401) {
        char v[64];
        cr_assert_not_null(fx_http_header(&r, "WWW-Authenticate", v, sizeof v), "401 without WWW-Authenticate");
        cr_assert_str_eq(v, "Bearer");
    }
    if (s == 401 || s == 403) fx_http_assert_error(&r, s, s == 401 ? "key" : "scope");
    if (s >= 400 && s != 401 && s != 403) cr_log_warn("%s %s: %ld %s", method, path, s, r.body);
    fx_http_free(&r);
    return s;
}

static const char *tick_body(const char *sym, int second)
{
    return fmt("{\"symbol\":\"%s\",\"time\":\"2025-12-05T10:00:%02dZ\",\"price\":1.085}", sym, second);
}

TestSuite(auth, .init = start_with_keys, .fini = stop, .timeout = 120);

Test(auth, every_route_class_needs_its_scope_and_a_higher_scope_includes_the_lower)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "AUTH");
    const char *keys[] = { NULL, READ_KEY, WRITE_KEY, ADMIN_KEY };
    /* reads: GET /ticks, /ohlc, /ws/stats */
    const long reads[] = { 401, 200, 200, 200 };
    for (int k = 0; k < 4; k++) {
        cr_assert_eq(status_of("GET", fmt("/ticks/?symbol=%s&start=2025-12-05T00:00:00Z&end=2025-12-06T00:00:00Z", sym), NULL, keys[k]), reads[k], "GET /ticks key %d", k);
        cr_assert_eq(status_of("GET", fmt("/ohlc/hour?symbol=%s&start=2025-12-05T00:00:00Z&end=2025-12-06T00:00:00Z", sym), NULL, keys[k]), reads[k], "ohlc key %d", k);
        cr_assert_eq(status_of("GET", "/ws/stats", NULL, keys[k]), reads[k], "ws/stats key %d", k);
    }
    /* writes: POST, PUT, DELETE /ticks */
    const long creates[] = { 401, 403, 201, 201 };
    for (int k = 0; k < 4; k++)
        cr_assert_eq(status_of("POST", "/ticks/", tick_body(sym, k), keys[k]), creates[k], "POST key %d", k);
    cr_assert_eq(fx_test_count_ticks(sym), 2, "only the write and admin keys stored a tick");
    const char *put = fmt("/ticks/?symbol=%s&time=2025-12-05T10:00:02Z", sym), *upd = "{\"price\":1.09}";
    cr_assert_eq(status_of("PUT", put, upd, NULL), 401);
    cr_assert_eq(status_of("PUT", put, upd, READ_KEY), 403);
    cr_assert_eq(status_of("PUT", put, upd, WRITE_KEY), 200);
    const char *del = fmt("/ticks/%s/2025-12-05T10:00:02Z", sym);
    cr_assert_eq(status_of("DELETE", del, NULL, NULL), 401);
    cr_assert_eq(status_of("DELETE", del, NULL, READ_KEY), 403);
    cr_assert_eq(status_of("DELETE", del, NULL, ADMIN_KEY), 200);
    cr_assert_eq(fx_test_count_ticks(sym), 1);
    /* admin */
    const long admin[] = { 401, 403, 403, 200 };
    for (int k = 0; k < 4; k++)
        cr_assert_eq(status_of("GET", "/admin/storage", NULL, keys[k]), admin[k], "/admin/storage key %d", k);
    cr_assert_eq(status_of("POST", "/admin/maintenance", NULL, WRITE_KEY), 403);
    cr_assert_eq(status_of("POST", "/admin/maintenance", NULL, NULL), 401);
    /* open: probes, metrics, pages */
    cr_assert_eq(status_of("GET", "/health", NULL, NULL), 200);
    cr_assert_eq(status_of("GET", "/livez", NULL, NULL), 200);
    cr_assert_eq(status_of("GET", "/metrics", NULL, NULL), 200);
    cr_assert_eq(status_of("GET", "/demo", NULL, NULL), 200);
    cr_assert_eq(status_of("GET", "/openapi.json", NULL, NULL), 200);
}

Test(auth, x_api_key_works_like_bearer_and_an_unknown_key_is_401)
{
    struct fx_http_result r;
    cr_assert_eq(call("GET", "/ws/stats", NULL, READ_KEY, 1, &r), 200, "%s", r.body);
    fx_http_free(&r);
    cr_assert_eq(call("GET", "/admin/storage", NULL, ADMIN_KEY, 1, &r), 200, "%s", r.body);
    fx_http_free(&r);
    cr_assert_eq(call("GET", "/admin/storage", NULL, READ_KEY, 1, &r), 403);
    fx_http_assert_error(&r, 403, "needs admin");
    fx_http_free(&r);
    cr_assert_eq(status_of("GET", "/ws/stats", NULL, "wrong-key"), 401);
    cr_assert_eq(call("GET", "/ws/stats", NULL, "wrong-key", 1, &r), 401);
    fx_http_assert_error(&r, 401, "unknown API key");
    cr_assert(strstr(r.body, "wrong-key") == NULL, "the key is echoed: %s", r.body);
    fx_http_free(&r);
    /* a key is compared whole: a prefix or a longer string is no key */
    cr_assert_eq(status_of("GET", "/ws/stats", NULL, "r3ad-key-012345678"), 401);
    cr_assert_eq(status_of("GET", "/ws/stats", NULL, READ_KEY "9"), 401);
}

Test(auth, sighup_reload_adds_and_removes_keys_and_a_bad_file_keeps_the_old_ones)
{
    cr_assert_eq(status_of("GET", "/ws/stats", NULL, LATE_KEY), 401);
    const char *const next[] = { "late:read:" LATE_KEY, "root:admin:" ADMIN_KEY, NULL };
    write_keys(keys_path, next);
    cr_assert_eq(fx_bridge_reload(fx_test_bridge()), 0);
    cr_assert_eq(status_of("GET", "/ws/stats", NULL, LATE_KEY), 200, "an added key works");
    cr_assert_eq(status_of("GET", "/ws/stats", NULL, READ_KEY), 401, "a removed key is refused");
    cr_assert_eq(status_of("POST", "/ticks/", tick_body("ZZZ", 1), WRITE_KEY), 401, "a removed key is refused");
    write_file(keys_path, "late:read:0123\n");
    cr_assert_neq(fx_bridge_reload(fx_test_bridge()), 0, "a bad file is an error");
    cr_assert_eq(status_of("GET", "/ws/stats", NULL, LATE_KEY), 200, "the old keys stay after a bad file");
    cr_assert_eq(status_of("GET", "/admin/storage", NULL, ADMIN_KEY), 200);
}

static struct fx_ws_client *ws(const char *extra, long *status, char *head, size_t headlen)
{
    char *body = NULL;
    struct fx_ws_client *c
        = fx_ws_connect_with(fx_test_bridge_port(), "/ws/ticks/EURUSD", extra, status, &body, head, headlen);
    free(body);
    return c;
}

Test(auth, websocket_upgrades_need_a_read_key_in_a_header_or_a_bearer_subprotocol)
{
    long status;
    char head[4096];
    cr_assert_null(ws(NULL, &status, head, sizeof head));
    cr_assert_eq(status, 401, "no key: %ld", status);
    cr_assert_null(ws("Authorization: Bearer nope\r\n", &status, head, sizeof head));
    cr_assert_eq(status, 401);
    struct fx_ws_client *c = ws("X-API-Key: " READ_KEY "\r\n", &status, head, sizeof head);
    cr_assert_not_null(c, "X-API-Key: %ld", status);
    cr_assert(strstr(head, "Sec-WebSocket-Protocol") == NULL, "%s", head);
    fx_ws_close(c);
    c = ws("Authorization: Bearer " READ_KEY "\r\n", &status, head, sizeof head);
    cr_assert_not_null(c, "Bearer: %ld", status);
    fx_ws_close(c);
    /* a browser: the key as a subprotocol token; the server selects fx.v1 and never echoes the key */
    c = ws("Sec-WebSocket-Protocol: fx.v1, bearer." READ_KEY "\r\n", &status, head, sizeof head);
    cr_assert_not_null(c, "subprotocol: %ld", status);
    cr_assert(strstr(head, "Sec-WebSocket-Protocol: fx.v1\r\n") != NULL, "%s", head);
    cr_assert(strstr(head, READ_KEY) == NULL, "the key is echoed: %s", head);
    fx_ws_close(c);
    /* only bearer.KEY offered: no subprotocol selected (none is echoed) */
    c = ws("Sec-WebSocket-Protocol: bearer." READ_KEY "\r\n", &status, head, sizeof head);
    cr_assert_not_null(c, "bearer only: %ld", status);
    cr_assert(strstr(head, "Sec-WebSocket-Protocol") == NULL, "%s", head);
    fx_ws_close(c);
    cr_assert_null(ws("Sec-WebSocket-Protocol: fx.v1, bearer.wrong\r\n", &status, head, sizeof head));
    cr_assert_eq(status, 401);
}

Test(auth, websocket_origin_must_be_the_bridge_itself_when_present)
{
    long status;
    char head[4096];
    cr_assert_null(ws("X-API-Key: " READ_KEY "\r\nOrigin: https://evil.example\r\n", &status, head, sizeof head));
    cr_assert_eq(status, 403, "%ld", status);
    cr_assert(strstr(head, "application/json") != NULL, "%s", head);
    struct fx_ws_client *c = ws(
        fmt("X-API-Key: " READ_KEY "\r\nOrigin: http://127.0.0.1:%u\r\n", fx_test_bridge_port()), &status, head,
        sizeof head);
    cr_assert_not_null(c, "own origin: %ld", status);
    fx_ws_close(c);
}

Test(auth, post_and_put_bodies_must_be_json_else_415_and_nothing_is_stored)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "CSRF");
    const char *const types[] = { "Content-Type: text/plain", "Content-Type: application/x-www-form-urlencoded",
        "Content-Type: multipart/form-data; boundary=x", "Content-Type: application/jsonx", NULL };
    struct fx_http_result r;
    for (size_t i = 0; i < 5; i++) {
        const char *h[] = { "Authorization: Bearer " ADMIN_KEY, types[i], NULL };
        fx_http_with("POST", "/ticks/", tick_body(sym, 1), h, &r);
        fx_http_assert_error(&r, 415, "application/json");
        fx_http_free(&r);
        fx_http_with("PUT", fmt("/ticks/?symbol=%s&time=2025-12-05T10:00:01Z", sym), "{\"price\":1.2}", h, &r);
        fx_http_assert_error(&r, 415, "application/json");
        fx_http_free(&r);
        fx_http_with("POST", "/ticks/bulk", fmt("[%s]", tick_body(sym, 2)), h, &r);
        fx_http_assert_error(&r, 415, "application/json");
        fx_http_free(&r);
    }
    cr_assert_eq(fx_test_count_ticks(sym), 0, "a 415 stored a tick");
    const char *h[] = { "Authorization: Bearer " ADMIN_KEY, "Content-Type: application/json; charset=utf-8", NULL };
    fx_http_with("POST", "/ticks/", tick_body(sym, 1), h, &r);
    cr_assert_eq(r.status, 201, "%s", r.body);
    fx_http_free(&r);
    cr_assert_eq(fx_test_count_ticks(sym), 1);
}

Test(auth, pages_carry_security_headers_and_every_response_nosniff)
{
    struct fx_http_result r;
    char v[2048];
    const char *const pages[] = { "/demo", "/ws-test", "/docs", "/redoc", "/" };
    for (size_t i = 0; i < 5; i++) {
        fx_http_with("GET", pages[i], NULL, NULL, &r);
        cr_assert_eq(r.status, 200, "%s", pages[i]);
        cr_assert_not_null(fx_http_header(&r, "Content-Security-Policy", v, sizeof v), "%s: no CSP", pages[i]);
        cr_assert(strstr(v, "default-src 'self'") && strstr(v, "frame-ancestors 'none'"), "%s", v);
        cr_assert(strstr(v, "unsafe-inline") == NULL || strstr(v, "script-src 'self' 'unsafe-inline'") == NULL, "%s",
            v);
        cr_assert(strstr(v, "script-src 'self' 'sha256-") != NULL, "inline scripts by hash: %s", v);
        cr_assert_not_null(fx_http_header(&r, "X-Frame-Options", v, sizeof v));
        cr_assert_str_eq(v, "DENY");
        cr_assert_not_null(fx_http_header(&r, "Referrer-Policy", v, sizeof v));
        cr_assert_str_eq(v, "no-referrer");
        cr_assert_not_null(fx_http_header(&r, "X-Content-Type-Options", v, sizeof v));
        cr_assert_str_eq(v, "nosniff");
        fx_http_free(&r);
    }
    const char *const others[] = { "/health", "/metrics", "/openapi.json", "/ticks/", "/nope" };
    for (size_t i = 0; i < 5; i++) {
        fx_http_with("GET", others[i], NULL, NULL, &r);
        cr_assert_not_null(fx_http_header(&r, "X-Content-Type-Options", v, sizeof v), "%s", others[i]);
        cr_assert_str_eq(v, "nosniff");
        cr_assert_null(fx_http_header(&r, "Content-Security-Policy", v, sizeof v), "%s: CSP on JSON", others[i]);
        fx_http_free(&r);
    }
}

TestSuite(auth_public_reads, .init = start_public_reads, .fini = stop, .timeout = 120);

Test(auth_public_reads, reads_need_no_key_but_writes_and_admin_still_do)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "PUB");
    cr_assert_eq(status_of("GET", fmt("/ticks/?symbol=%s&start=2025-12-05T00:00:00Z&end=2025-12-06T00:00:00Z", sym), NULL, NULL), 200);
    cr_assert_eq(status_of("GET", "/ws/stats", NULL, NULL), 200);
    cr_assert_eq(status_of("POST", "/ticks/", tick_body(sym, 1), NULL), 401);
    cr_assert_eq(status_of("POST", "/ticks/", tick_body(sym, 1), READ_KEY), 403);
    cr_assert_eq(status_of("GET", "/admin/storage", NULL, NULL), 401);
    cr_assert_eq(status_of("GET", "/admin/storage", NULL, WRITE_KEY), 403);
    long status;
    char head[1024];
    struct fx_ws_client *c = ws(NULL, &status, head, sizeof head);
    cr_assert_not_null(c, "public WebSocket: %ld", status);
    fx_ws_close(c);
    cr_assert_eq(fx_test_count_ticks(sym), 0);
}

/* The fx-bridge program: a malformed file refuses the start, naming the
 * line and not its text; SIGHUP reloads. No core is needed: access is
 * decided before any core round trip. */
TestSuite(auth_process, .fini = fx_proc_kill_all, .timeout = 120);

static const char *read_log(const char *path)
{
    static char text[65536];
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

Test(auth_process, a_malformed_keys_file_refuses_the_start_naming_the_line)
{
    char path[64], log[64], hex[65];
    snprintf(path, sizeof path, "/tmp/fx-auth-bad-%d.keys", (int)getpid());
    snprintf(log, sizeof log, "/tmp/fx-auth-bad-%d.log", (int)getpid());
    sha256_hex(READ_KEY, hex);
    /* line 3 holds a key in clear instead of its hash */
    write_file(path, fmt("# keys\nreader:read:%s\nwriter:write:sekrit-plain-key\n", hex));
    int port = fx_proc_free_port();
    const char *env[] = { fmt("BRIDGE_API_KEYS_FILE=%s", path), fmt("BRIDGE_PORT=%d", port),
        "FX_RPC_URL=tcp://127.0.0.1:1", "FX_FEED_URL=tcp://127.0.0.1:1", NULL };
    pid_t pid = fx_proc_start(FX_BIN_DIR, "fx-bridge", env, log);
    int st = fx_proc_wait(pid, 30);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) != 0, "fx-bridge started with a malformed keys file");
    const char *text = read_log(log);
    cr_assert(strstr(text, "line 3") != NULL, "%s", text);
    cr_assert(strstr(text, "sekrit") == NULL, "the line's text is logged: %s", text);
    write_file(path, "reader:reader:0000\n");
    pid = fx_proc_start(FX_BIN_DIR, "fx-bridge", env, log);
    st = fx_proc_wait(pid, 30);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) != 0);
    cr_assert(strstr(read_log(log), "line 1: the scope") != NULL, "%s", read_log(log));
    unlink(path);
    unlink(log);
}

Test(auth_process, sighup_reloads_the_keys_of_the_running_program)
{
    char path[64], log[64];
    snprintf(path, sizeof path, "/tmp/fx-auth-hup-%d.keys", (int)getpid());
    snprintf(log, sizeof log, "/tmp/fx-auth-hup-%d.log", (int)getpid());
    const char *const first[] = { "reader:read:" READ_KEY, NULL };
    write_keys(path, first);
    int port = fx_proc_free_port();
    const char *env[] = { fmt("BRIDGE_API_KEYS_FILE=%s", path), fmt("BRIDGE_PORT=%d", port),
        "FX_RPC_URL=tcp://127.0.0.1:1", "FX_FEED_URL=tcp://127.0.0.1:1", NULL };
    pid_t pid = fx_proc_start(FX_BIN_DIR, "fx-bridge", env, log);
    cr_assert_eq(fx_proc_wait_port(port, 20000), 0, "fx-bridge did not listen: %s", read_log(log));
    fx_http_set_base_url(fmt("http://127.0.0.1:%d", port));
    cr_assert_eq(status_of("GET", "/ws/stats", NULL, READ_KEY), 200);
    cr_assert_eq(status_of("GET", "/ws/stats", NULL, LATE_KEY), 401);
    const char *const second[] = { "late:read:" LATE_KEY, NULL };
    write_keys(path, second);
    kill(pid, SIGHUP);
    long s = 0;
    for (int i = 0; i < 100 && (s = status_of("GET", "/ws/stats", NULL, LATE_KEY)) == 401; i++) usleep(50000);
    cr_assert_eq(s, 200, "the added key after SIGHUP");
    cr_assert_eq(status_of("GET", "/ws/stats", NULL, READ_KEY), 401, "the removed key after SIGHUP");
    write_file(path, "broken\n");
    kill(pid, SIGHUP);
    for (int i = 0; i < 100 && strstr(read_log(log), "cannot reload") == NULL; i++) usleep(50000);
    cr_assert(strstr(read_log(log), "cannot reload the API keys") != NULL, "%s", read_log(log));
    cr_assert_eq(status_of("GET", "/ws/stats", NULL, LATE_KEY), 200, "the old keys stay after a bad file");
    int st = fx_proc_stop(pid, SIGTERM);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
    cr_assert(strstr(read_log(log), LATE_KEY) == NULL, "a key is logged");
    unlink(path);
    unlink(log);
}
