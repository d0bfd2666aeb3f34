/* fx-bridge's operational surface: health, metrics, docs, 404/405, limits. */
#include "tests/support/fixture.h"
#include "tests/support/bridge_fixture.h"
#include "tests/support/http_client.h"

#include "bridge/config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
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
