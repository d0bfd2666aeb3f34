/* Redis URLs (base/redis_url.h). */
#include "base/redis_url.h"

#include "base/errors.h"

#include <criterion/criterion.h>
#include <string.h>

static struct fx_redis_addr parse_ok(const char *url)
{
    struct fx_redis_addr a;
    cr_assert_eq(fx_redis_url_parse(url, &a), 0, "\"%s\" rejected", url);
    return a;
}

static void parse_bad(const char *url)
{
    struct fx_redis_addr a = { .port = -7 };
    cr_assert_eq(fx_redis_url_parse(url, &a), FX_EINVAL, "\"%s\" accepted", url ? url : "(null)");
    cr_assert_eq(a.port, -7, "output written on failure");
}

Test(redis_url, defaults_port_and_db)
{
    struct fx_redis_addr a = parse_ok("redis://localhost");
    cr_assert_str_eq(a.host, "localhost");
    cr_assert_eq(a.port, 6379);
    cr_assert_eq(a.db, 0);
    cr_assert_str_eq(a.password, "");
    cr_assert_str_eq(a.user, "");
    a = parse_ok("redis://10.0.0.7:6380/3");
    cr_assert_str_eq(a.host, "10.0.0.7");
    cr_assert_eq(a.port, 6380);
    cr_assert_eq(a.db, 3);
    a = parse_ok("redis://h:1/");
    cr_assert_eq(a.port, 1);
    cr_assert_eq(a.db, 0);
}

Test(redis_url, credentials)
{
    struct fx_redis_addr a = parse_ok("redis://:secret@h");
    cr_assert_str_eq(a.user, "");
    cr_assert_str_eq(a.password, "secret");
    a = parse_ok("redis://alice:secret@h:7000");
    cr_assert_str_eq(a.user, "alice");
    cr_assert_str_eq(a.password, "secret");
    cr_assert_eq(a.port, 7000);
    a = parse_ok("redis://secret@h");
    cr_assert_str_eq(a.password, "secret", "a lone word before @ is a password");
    a = parse_ok("redis://:p@ss@h/2");
    cr_assert_str_eq(a.password, "p@ss", "the last @ ends the password");
    cr_assert_str_eq(a.host, "h");
    cr_assert_eq(a.db, 2);
}

Test(redis_url, malformed)
{
    const char *bad[] = { NULL, "", "localhost:6379", "http://h", "redis://", "redis://:6379", "redis://h:0",
        "redis://h:65536", "redis://h:x", "redis://h:", "redis://h/-1", "redis://h/1x", "redis://h/1/2",
        "redis://h/1000001" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) parse_bad(bad[i]);
    char url[400] = "redis://";
    memset(url + 8, 'h', 300);
    url[308] = '\0';
    parse_bad(url);
}

Test(redis_url, where_leaves_the_credentials_out)
{
    struct fx_redis_addr a = parse_ok("redis://u:topsecret@cache:6390/4");
    char buf[300];
    cr_assert_str_eq(fx_redis_addr_where(&a, buf, sizeof buf), "cache:6390/4");
}
