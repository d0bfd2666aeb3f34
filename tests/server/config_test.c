/* The configuration table: defaults, bounds, and the asyncpg URL form. */
#include "server/config.h"
#include "base/errors.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static const char *env_names[8], *env_values[8];
static int env_count;

static const char *fake_env(const char *name)
{
    for (int i = 0; i < env_count; i++)
        if (strcmp(env_names[i], name) == 0) return env_values[i];
    return NULL;
}

static void set(const char *name, const char *value)
{
    env_names[env_count] = name;
    env_values[env_count++] = value;
}

static void reset(void) { env_count = 0; }

TestSuite(config, .init = reset);

Test(config, defaults_apply_when_nothing_is_set)
{
    struct fx_config cfg;
    char err[256];
    cr_assert_eq(fx_config_load_from(&cfg, fake_env, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(cfg.rpc_url, "tcp://127.0.0.1:5555");
    cr_assert_str_eq(cfg.symbol, "EURUSD");
    cr_assert_eq(cfg.day_start_hour, 22);
    cr_assert_eq(cfg.db_pool_size, 4);
}

Test(config, asyncpg_database_urls_are_accepted)
{
    set("DATABASE_URL", "postgresql+asyncpg://fx:secret@db:5432/fx");
    struct fx_config cfg;
    char err[256];
    cr_assert_eq(fx_config_load_from(&cfg, fake_env, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(cfg.database_url, "postgresql://fx:secret@db:5432/fx");
}

Test(config, out_of_bounds_integers_name_the_variable)
{
    const char *bad[] = { "24", "-1", "abc", "22x", "" };
    for (int i = 0; i < 4; i++) {
        reset();
        set("DAY_START_HOUR", bad[i]);
        struct fx_config cfg;
        char err[256] = "";
        cr_assert_eq(fx_config_load_from(&cfg, fake_env, err, sizeof err), FX_ECONFIG, "%s accepted", bad[i]);
        cr_assert(strstr(err, "DAY_START_HOUR") != NULL, "%s", err);
        cr_assert(strstr(err, "0..23") != NULL, "%s", err);
    }
}

Test(config, symbol_and_log_level_are_checked)
{
    struct fx_config cfg;
    char err[256];
    set("SYMBOL", "eur/usd");
    cr_assert_eq(fx_config_load_from(&cfg, fake_env, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(cfg.symbol, "EURUSD");
    set("LOG_LEVEL", "loud");
    cr_assert_eq(fx_config_load_from(&cfg, fake_env, err, sizeof err), FX_ECONFIG);
    cr_assert(strstr(err, "LOG_LEVEL") != NULL);
}

Test(config, the_http_port_is_off_by_default_and_bounded)
{
    struct fx_config cfg;
    char err[256];
    cr_assert_eq(fx_config_load_from(&cfg, fake_env, err, sizeof err), 0, "%s", err);
    cr_assert_eq(cfg.http_port, 0, "no HTTP port unless asked");
    cr_assert_str_eq(cfg.http_bind, "127.0.0.1");
    cr_assert_eq(cfg.drain_delay_ms, 0);
    set("FX_HTTP_PORT", "9100");
    set("FX_DRAIN_DELAY_MS", "5000");
    cr_assert_eq(fx_config_load_from(&cfg, fake_env, err, sizeof err), 0, "%s", err);
    cr_assert_eq(cfg.http_port, 9100);
    cr_assert_eq(cfg.drain_delay_ms, 5000);
    reset();
    set("FX_HTTP_PORT", "65536");
    cr_assert_eq(fx_config_load_from(&cfg, fake_env, err, sizeof err), FX_ECONFIG);
    cr_assert(strstr(err, "FX_HTTP_PORT") != NULL, "%s", err);
}

Test(config, lifecycle_settings_default_to_keep_forever_and_compact_after_a_week)
{
    struct fx_config cfg;
    char err[256];
    cr_assert_eq(fx_config_load_from(&cfg, fake_env, err, sizeof err), 0, "%s", err);
    cr_assert_eq(cfg.retention_days, 0);
    cr_assert_eq(cfg.candle_retention_days, 0);
    cr_assert_eq(cfg.compression_after_days, 7);
    cr_assert_eq(cfg.maintenance_interval_s, 3600);
}

Test(config, lifecycle_settings_are_bounded_and_candles_outlive_their_ticks)
{
    static const struct {
        const char *retention, *candles, *compression;
        int ok;
    } cases[] = {
        { "0", "0", "0", 1 }, /* everything off */
        { "90", "0", "7", 1 }, /* the old service's policy, candles forever */
        { "90", "365", "7", 1 },
        { "90", "90", "1", 1 },
        { "36500", "36500", "36500", 1 },
        { "36501", "0", "7", 0 },
        { "-1", "0", "7", 0 },
        { "0", "0", "36501", 0 },
        { "0", "30", "7", 0 }, /* candles dropped while their ticks stay */
        { "90", "30", "7", 0 },
        { "x", "0", "7", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reset();
        set("RETENTION_DAYS", cases[i].retention);
        set("CANDLE_RETENTION_DAYS", cases[i].candles);
        set("COMPRESSION_AFTER_DAYS", cases[i].compression);
        struct fx_config cfg;
        char err[256] = "";
        int rc = fx_config_load_from(&cfg, fake_env, err, sizeof err);
        if (cases[i].ok) {
            cr_assert_eq(rc, 0, "case %zu: %s", i, err);
            cr_assert_eq(cfg.retention_days, atoi(cases[i].retention));
        } else {
            cr_assert_eq(rc, FX_ECONFIG, "case %zu accepted", i);
            cr_assert(strstr(err, "RETENTION_DAYS") != NULL || strstr(err, "COMPRESSION_AFTER_DAYS") != NULL, "%s", err);
        }
    }
}

Test(config, rediss_is_refused_with_the_tunnel_advice_and_acl_users_are_accepted)
{
    struct fx_config cfg;
    char err[512];
    set("REDIS_URL", "rediss://fx:secret@redis.example:6380");
    cr_assert_eq(fx_config_load_from(&cfg, fake_env, err, sizeof err), FX_ECONFIG);
    cr_assert(strstr(err, "rediss://") != NULL && strstr(err, "stunnel") != NULL, "%s", err);
    reset();
    set("REDIS_URL", "redis://fx:secret@127.0.0.1:6380/2");
    cr_assert_eq(fx_config_load_from(&cfg, fake_env, err, sizeof err), 0, "%s", err);
}
