#include "tests/support/bridge_fixture.h"

#include "base/config_table.h"
#include "bridge/http.h"
#include "tests/support/fixture.h"
#include "tests/support/http_client.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdio.h>

static struct fx_bridge *bridge;

void fx_bridge_fixture_start(void) { fx_bridge_fixture_start_with(NULL, NULL); }

void fx_bridge_fixture_start_with(void (*core_tweak)(struct fx_config *cfg),
    void (*tweak)(struct fx_bridge_config *cfg))
{
    fx_fixture_start_with(core_tweak);
    struct fx_bridge_config cfg;
    char err[512];
    cr_assert_eq(fx_bridge_config_load(&cfg, fx_config_getenv, err, sizeof err), 0, "%s", err);
    snprintf(cfg.rpc_url, sizeof cfg.rpc_url, "%s", fx_test_rpc_url());
    snprintf(cfg.feed_url, sizeof cfg.feed_url, "%s", fx_test_feed_url());
    cfg.port = 0;
    cfg.max_body_mb = 16;
    if (tweak) tweak(&cfg);
    cr_assert_eq(fx_bridge_start(&bridge, &cfg, err, sizeof err), 0, "fx-bridge: %s", err);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", bridge->port);
    fx_http_set_base_url(url);
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void fx_bridge_fixture_stop(void)
{
    fx_bridge_stop(bridge);
    bridge = NULL;
    curl_global_cleanup();
    fx_fixture_stop();
}

unsigned fx_test_bridge_port(void) { return bridge->port; }

struct fx_bridge *fx_test_bridge(void) { return bridge; }
