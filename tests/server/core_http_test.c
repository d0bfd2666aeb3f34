/*
 * fx-core's HTTP port: /livez, /readyz (PostgreSQL with the latest
 * migration, Redis when ingesting, "draining" once stopping) and /metrics
 * with real numbers after real requests, against an in-process core
 * (fixture.h) on a free port, over real HTTP (http_client.h); 404 and 405
 * with JSON details. The module alone (fx_core_http_start) for what the
 * whole core cannot show: a database that is down, the draining answer.
 */
#include "tests/support/prom_text.h"
#include "tests/support/fixture.h"
#include "tests/support/proc.h"
#include "tests/support/http_client.h"

#include "server/config.h"
#include "server/core_http.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void use_port(int port)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    fx_http_set_base_url(url);
}

static void with_http(struct fx_config *cfg)
{
    cfg->http_port = fx_proc_free_port();
    use_port(cfg->http_port);
}

/* Ingest on streams of this process's own (the fixture turns it off). */
static void with_http_and_ingest(struct fx_config *cfg)
{
    with_http(cfg);
    cfg->ingest_enabled = 1;
    cfg->ingest_block_ms = 100;
    snprintf(cfg->redis_stream, sizeof cfg->redis_stream, "fx:test:http:%d", (int)getpid());
    snprintf(cfg->redis_group, sizeof cfg->redis_group, "g%d", (int)getpid());
    snprintf(cfg->redis_consumer, sizeof cfg->redis_consumer, "c%d", (int)getpid());
    snprintf(cfg->dead_letter_stream, sizeof cfg->dead_letter_stream, "fx:test:http:%d:dead", (int)getpid());
}

static void with_http_and_redis_down(struct fx_config *cfg)
{
    with_http_and_ingest(cfg);
    snprintf(cfg->redis_url, sizeof cfg->redis_url, "redis://127.0.0.1:1");
}

static void start(void) { fx_fixture_start_with(with_http); }
static void start_ingesting(void) { fx_fixture_start_with(with_http_and_ingest); }
static void start_redis_down(void) { fx_fixture_start_with(with_http_and_redis_down); }

static const char *json_str(json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    cr_assert_not_null(s, "no string \"%s\"", key);
    return s;
}

static char *get_metrics(void)
{
    struct fx_http_result r;
    fx_http("GET", "/metrics", NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strncmp(r.content_type, "text/plain", 10) == 0, "content type %s", r.content_type);
    return r.body; /* the caller frees it */
}

TestSuite(core_http, .init = start, .fini = fx_fixture_stop, .timeout = 60);

Test(core_http, livez_answers_ok)
{
    struct fx_http_result r;
    fx_http("GET", "/livez", NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strncmp(r.content_type, "application/json", 16) == 0, "%s", r.content_type);
    json_t *j = fx_http_json(&r);
    cr_assert_str_eq(json_str(j, "status"), "ok");
    json_decref(j);
    fx_http_free(&r);
    fx_http("HEAD", "/livez", NULL, &r);
    cr_assert_eq(r.status, 200);
    fx_http_free(&r);
}

Test(core_http, readyz_is_ready_with_the_database_migrated)
{
    struct fx_http_result r;
    fx_http("GET", "/readyz", NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *j = fx_http_json(&r);
    cr_assert_str_eq(json_str(j, "status"), "ready");
    cr_assert_str_eq(json_str(j, "database"), "ok");
    cr_assert_str_eq(json_str(j, "redis"), "not used", "ingest is off: Redis is not needed");
    long long latest = fx_test_sql_int("SELECT max(version) FROM schema_migrations");
    cr_assert_eq(json_integer_value(json_object_get(j, "migration")), latest);
    json_decref(j);
    fx_http_free(&r);
}

Test(core_http, metrics_count_rpc_requests_with_cumulative_buckets)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "MET");
    fxc_err e;
    enum { N = 5 };
    for (int i = 0; i < N; i++) {
        fxc_tick *ticks = NULL;
        size_t n = 0;
        cr_assert_eq(fxc_ticks_get(fx_test_client, sym, fx_test_time(0), fx_test_time(60), 10, 0, &ticks, &n, &e),
            FXC_OK, "%s", e.message);
        fxc_ticks_free(ticks);
    }
    fxc_tick t = { .time_us = fx_test_time(1), .price = 1.1 };
    snprintf(t.symbol, sizeof t.symbol, "%s", sym);
    cr_assert_eq(fxc_tick_create(fx_test_client, &t, NULL, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_tick_create(fx_test_client, &t, NULL, &e), FXC_ALREADY_EXISTS);
    char *text = get_metrics();
    cr_assert_eq(fx_prom_sample(text, "fx_core_rpc_requests_total{op=\"get_ticks\",status=\"OK\"}"), N, "%s", text);
    cr_assert_eq(fx_prom_sample(text, "fx_core_rpc_requests_total{op=\"create_tick\",status=\"OK\"}"), 1, "%s", text);
    cr_assert_eq(fx_prom_sample(text, "fx_core_rpc_requests_total{op=\"create_tick\",status=\"ALREADY_EXISTS\"}"), 1);
    /* the buckets never decrease, and +Inf is the count */
    static const char *const le[] = { "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
        "0.5", "1", "2.5", "5", "+Inf" };
    double prev = 0;
    for (size_t i = 0; i < sizeof le / sizeof le[0]; i++) {
        char p[128];
        snprintf(p, sizeof p, "fx_core_rpc_duration_seconds_bucket{op=\"get_ticks\",le=\"%s\"}", le[i]);
        double v = fx_prom_sample(text, p);
        cr_assert_geq(v, prev, "%s = %g after %g", p, v, prev);
        prev = v;
    }
    cr_assert_eq(prev, N);
    cr_assert_eq(fx_prom_sample(text, "fx_core_rpc_duration_seconds_count{op=\"get_ticks\"}"), N);
    cr_assert_gt(fx_prom_sample(text, "fx_core_rpc_duration_seconds_sum{op=\"get_ticks\"}"), 0);
    /* the create published its tick and candles */
    cr_assert_geq(fx_prom_sample(text, "fx_core_feed_messages_total{kind=\"tick\"}"), 1);
    cr_assert_geq(fx_prom_sample(text, "fx_core_feed_messages_total{kind=\"candle\"}"), 1);
    double leader = fx_prom_sample(text, "fx_core_leader"); /* this lone core may have become the candle leader */
    cr_assert(leader == 0 || leader == 1, "fx_core_leader %g", leader);
    free(text);
}

Test(core_http, unknown_paths_are_404_and_other_methods_405)
{
    struct fx_http_result r;
    fx_http("GET", "/nope", NULL, &r);
    fx_http_assert_error(&r, 404, "/nope");
    fx_http_free(&r);
    fx_http("POST", "/readyz", "{}", &r);
    fx_http_assert_error(&r, 405, "POST");
    cr_assert(strstr(r.allow, "GET") != NULL, "Allow: %s", r.allow);
    fx_http_free(&r);
    fx_http("DELETE", "/metrics", NULL, &r);
    fx_http_assert_error(&r, 405, "DELETE");
    fx_http_free(&r);
}

/* ---- with ingest --------------------------------------------------------------- */

static redisContext *redis(void)
{
    const char *url = getenv("REDIS_URL");
    cr_assert_not_null(url, "REDIS_URL is not set");
    const char *colon = strrchr(url, ':');
    redisContext *c = redisConnect("127.0.0.1", colon ? atoi(colon + 1) : 6379);
    cr_assert(c && !c->err, "redis: %s", c ? c->errstr : "no memory");
    return c;
}

TestSuite(core_http_ingest, .init = start_ingesting, .fini = fx_fixture_stop, .timeout = 60);

Test(core_http_ingest, readyz_checks_redis_and_metrics_count_the_stream)
{
    struct fx_http_result r;
    fx_http("GET", "/readyz", NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *j = fx_http_json(&r);
    cr_assert_str_eq(json_str(j, "redis"), "ok");
    json_decref(j);
    fx_http_free(&r);

    char sym[FXC_SYMBOL_MAX + 1], stream[64];
    fx_test_symbol(sym, "HTI");
    snprintf(stream, sizeof stream, "fx:test:http:%d", (int)getpid());
    redisContext *c = redis();
    const char *times[] = { "2025-12-05T10:00:01Z", "2025-12-05T10:00:02Z", "2025-12-05T10:00:03Z",
        "2025-12-05T10:00:01Z" /* a duplicate */ };
    for (int i = 0; i < 4; i++) {
        redisReply *x = redisCommand(c, "XADD %s * symbol %s time %s price 1.1", stream, sym, times[i]);
        cr_assert(x && x->type == REDIS_REPLY_STRING);
        freeReplyObject(x);
    }
    redisReply *x = redisCommand(c, "XADD %s * symbol %s time never price 1.1", stream, sym);
    freeReplyObject(x);
    char *text = NULL;
    for (int i = 0; i < 100; i++) { /* until all five are stored or dead-lettered */
        free(text);
        text = get_metrics();
        if (fx_prom_sample(text, "fx_core_ingest_ticks_stored_total") + fx_prom_sample(text, "fx_core_ingest_duplicates_total")
                + fx_prom_sample(text, "fx_core_ingest_dead_lettered_total")
            >= 5)
            break;
        usleep(100000);
    }
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_entries_read_total"), 5, "%s", text);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_ticks_stored_total"), 3);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_duplicates_total"), 1);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_dead_lettered_total"), 1);
    double batches = fx_prom_sample(text, "fx_core_ingest_batch_size_count");
    cr_assert(batches >= 1 && batches <= 5, "%g batches", batches);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_batch_size_sum"), 5);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_commit_duration_seconds_count"), batches);
    /* the backlog gauges: sampled when the reader started (an empty group) */
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_pending"), 0, "%s", text);
    cr_assert_eq(fx_prom_sample(text, "fx_core_ingest_lag"), 0, "%s", text);
    free(text);
    redisFree(c);
}

TestSuite(core_http_redis_down, .init = start_redis_down, .fini = fx_fixture_stop, .timeout = 60);

Test(core_http_redis_down, readyz_is_503_naming_redis)
{
    struct fx_http_result r;
    fx_http("GET", "/readyz", NULL, &r);
    fx_http_assert_error(&r, 503, "redis: ");
    json_t *j = fx_http_json(&r);
    cr_assert_str_eq(json_str(j, "status"), "not ready");
    cr_assert_str_eq(json_str(j, "database"), "ok");
    cr_assert(strstr(json_str(j, "detail"), "database") == NULL, "only redis fails: %s", r.body);
    cr_assert(strstr(json_str(j, "redis"), "127.0.0.1:1") != NULL, "%s", r.body);
    json_decref(j);
    fx_http_free(&r);
    /* the process still lives */
    fx_http("GET", "/livez", NULL, &r);
    cr_assert_eq(r.status, 200);
    fx_http_free(&r);
}

/* ---- the module alone ----------------------------------------------------------- */

static struct fx_core_http *module_start(const char *database_url)
{
    struct fx_config cfg;
    char err[512];
    cr_assert_eq(fx_config_load(&cfg, err, sizeof err), 0, "%s", err);
    cfg.http_port = 0; /* the kernel picks */
    cfg.ingest_enabled = 0;
    if (database_url) snprintf(cfg.database_url, sizeof cfg.database_url, "%s", database_url);
    struct fx_core_http *h;
    cr_assert_eq(fx_core_http_start(&h, &cfg, err, sizeof err), 0, "%s", err);
    cr_assert_gt(fx_core_http_port(h), 0);
    use_port((int)fx_core_http_port(h));
    return h;
}

Test(core_http_module, readyz_names_the_database_when_it_is_down, .timeout = 30)
{
    struct fx_core_http *h = module_start("postgresql://fx@127.0.0.1:1/fx");
    struct fx_http_result r;
    fx_http("GET", "/readyz", NULL, &r);
    fx_http_assert_error(&r, 503, "database: ");
    fx_http_free(&r);
    fx_core_http_stop(h);
}

Test(core_http_module, readyz_says_draining_once_stopping, .timeout = 30)
{
    struct fx_core_http *h = module_start(NULL);
    struct fx_http_result r;
    fx_http("GET", "/readyz", NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    fx_http_free(&r);
    fx_core_http_set_draining(h);
    fx_http("GET", "/readyz", NULL, &r);
    fx_http_assert_error(&r, 503, "draining");
    fx_http_free(&r);
    fx_http("GET", "/livez", NULL, &r);
    cr_assert_eq(r.status, 200, "live while draining");
    fx_http_free(&r);
    fx_core_http_stop(h);
}

Test(core_http_module, a_bad_bind_address_is_refused)
{
    struct fx_config cfg;
    char err[512];
    cr_assert_eq(fx_config_load(&cfg, err, sizeof err), 0, "%s", err);
    snprintf(cfg.http_bind, sizeof cfg.http_bind, "localhost:80");
    struct fx_core_http *h = NULL;
    cr_assert_lt(fx_core_http_start(&h, &cfg, err, sizeof err), 0);
    cr_assert(strstr(err, "FX_HTTP_BIND") != NULL, "%s", err);
}
