/*
 * CORS of fx-bridge over real HTTP: no Access-Control-* header by default;
 * a listed origin gets Access-Control-Allow-Origin and Vary: Origin, an
 * unlisted one none; preflights 204 / 403; "*" admits reads only.
 */
#include "tests/support/bridge_fixture.h"
#include "tests/support/fixture.h"
#include "tests/support/http_client.h"

#include "bridge/config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static const char *origins;

static void tweak(struct fx_bridge_config *cfg)
{
    snprintf(cfg->cors_origins, sizeof cfg->cors_origins, "%s", origins);
}

static void start_off(void) { fx_bridge_fixture_start(); }
static void start_listed(void)
{
    origins = "http://app.example:8080, https://other.example";
    fx_bridge_fixture_start_with(NULL, tweak);
}
static void start_any(void)
{
    origins = "*";
    fx_bridge_fixture_start_with(NULL, tweak);
}

static void get_from(const char *method, const char *path, const char *origin, const char *body,
    struct fx_http_result *r)
{
    char o[300];
    snprintf(o, sizeof o, "Origin: %s", origin);
    const char *h[] = { "Content-Type: application/json", o, NULL };
    fx_http_with(method, path, body, h, r);
}

static void preflight(const char *origin, const char *method, struct fx_http_result *r)
{
    char o[300], m[64];
    snprintf(o, sizeof o, "Origin: %s", origin);
    snprintf(m, sizeof m, "Access-Control-Request-Method: %s", method);
    const char *h[] = { o, m, "Access-Control-Request-Headers: authorization, content-type", NULL };
    fx_http_with("OPTIONS", "/ticks/", NULL, h, r);
}

TestSuite(cors_off, .init = start_off, .fini = fx_bridge_fixture_stop, .timeout = 120);

Test(cors_off, no_access_control_headers_by_default)
{
    struct fx_http_result r;
    get_from("GET", "/ws/stats", "http://app.example:8080", NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert(strstr(r.headers, "Access-Control-") == NULL, "%s", r.headers);
    cr_assert(strstr(r.headers, "Vary") == NULL, "%s", r.headers);
    fx_http_free(&r);
    preflight("http://app.example:8080", "POST", &r);
    cr_assert_eq(r.status, 405, "no CORS: OPTIONS is no route");
    cr_assert(strstr(r.headers, "Access-Control-") == NULL, "%s", r.headers);
    fx_http_free(&r);
}

TestSuite(cors_listed, .init = start_listed, .fini = fx_bridge_fixture_stop, .timeout = 120);

Test(cors_listed, a_listed_origin_gets_its_origin_back_and_vary)
{
    struct fx_http_result r;
    char v[300];
    get_from("GET", "/ws/stats", "http://app.example:8080", NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert_not_null(fx_http_header(&r, "Access-Control-Allow-Origin", v, sizeof v), "%s", r.headers);
    cr_assert_str_eq(v, "http://app.example:8080");
    cr_assert_not_null(fx_http_header(&r, "Vary", v, sizeof v));
    cr_assert_str_eq(v, "Origin");
    cr_assert(strstr(r.headers, "Access-Control-Allow-Credentials") == NULL, "%s", r.headers);
    fx_http_free(&r);
    get_from("GET", "/ws/stats", "https://other.example", NULL, &r);
    cr_assert_not_null(fx_http_header(&r, "Access-Control-Allow-Origin", v, sizeof v));
    cr_assert_str_eq(v, "https://other.example");
    fx_http_free(&r);
}

Test(cors_listed, an_unlisted_origin_gets_none)
{
    struct fx_http_result r;
    char v[300];
    const char *const bad[] = { "https://evil.example", "http://app.example", "http://app.example:8080.evil",
        "https://app.example:8080" };
    for (size_t i = 0; i < 4; i++) {
        get_from("GET", "/ws/stats", bad[i], NULL, &r);
        cr_assert_null(fx_http_header(&r, "Access-Control-Allow-Origin", v, sizeof v), "%s: %s", bad[i], v);
        cr_assert_not_null(fx_http_header(&r, "Vary", v, sizeof v));
        fx_http_free(&r);
    }
}

Test(cors_listed, preflights_of_a_listed_origin_are_204_and_of_others_403)
{
    struct fx_http_result r;
    char v[300];
    preflight("http://app.example:8080", "POST", &r);
    cr_assert_eq(r.status, 204, "%s", r.body);
    cr_assert_not_null(fx_http_header(&r, "Access-Control-Allow-Origin", v, sizeof v));
    cr_assert_str_eq(v, "http://app.example:8080");
    cr_assert_not_null(fx_http_header(&r, "Access-Control-Allow-Methods", v, sizeof v));
    cr_assert(strstr(v, "POST") && strstr(v, "DELETE") && strstr(v, "GET"), "%s", v);
    cr_assert_not_null(fx_http_header(&r, "Access-Control-Allow-Headers", v, sizeof v));
    cr_assert(strstr(v, "Authorization") && strstr(v, "X-API-Key") && strstr(v, "Content-Type"), "%s", v);
    cr_assert_not_null(fx_http_header(&r, "Access-Control-Max-Age", v, sizeof v));
    cr_assert_not_null(fx_http_header(&r, "Vary", v, sizeof v));
    fx_http_free(&r);
    preflight("https://evil.example", "POST", &r);
    fx_http_assert_error(&r, 403, "BRIDGE_CORS_ORIGINS");
    cr_assert_null(fx_http_header(&r, "Access-Control-Allow-Origin", v, sizeof v));
    fx_http_free(&r);
}

TestSuite(cors_any, .init = start_any, .fini = fx_bridge_fixture_stop, .timeout = 120);

Test(cors_any, star_lets_any_origin_read_but_never_write)
{
    struct fx_http_result r;
    char v[300];
    get_from("GET", "/ws/stats", "https://any.example", NULL, &r);
    cr_assert_not_null(fx_http_header(&r, "Access-Control-Allow-Origin", v, sizeof v));
    cr_assert_str_eq(v, "*");
    fx_http_free(&r);
    char sym[FXC_SYMBOL_MAX + 1], body[200];
    fx_test_symbol(sym, "CORS");
    snprintf(body, sizeof body, "{\"symbol\":\"%s\",\"time\":\"2025-12-05T10:00:00Z\",\"price\":1.085}", sym);
    get_from("POST", "/ticks/", "https://any.example", body, &r);
    cr_assert_null(fx_http_header(&r, "Access-Control-Allow-Origin", v, sizeof v), "a write admitted: %s", v);
    fx_http_free(&r);
    preflight("https://any.example", "POST", &r);
    fx_http_assert_error(&r, 403, "only read");
    fx_http_free(&r);
    preflight("https://any.example", "DELETE", &r);
    cr_assert_eq(r.status, 403);
    fx_http_free(&r);
    preflight("https://any.example", "GET", &r);
    cr_assert_eq(r.status, 204);
    cr_assert_not_null(fx_http_header(&r, "Access-Control-Allow-Methods", v, sizeof v));
    cr_assert(strstr(v, "POST") == NULL, "%s", v);
    fx_http_free(&r);
}
