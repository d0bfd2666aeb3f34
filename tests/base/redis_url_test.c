/*
 * Redis URLs (base/redis_url.h): redis://[[user]:password@]host[:port][/db]
 * with the defaults port 6379 and db 0, and the malformed ones refused.
 */
#include "base/redis_url.h"

#include "base/errors.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/* ---- URL parsing ------------------------------------------------------- */

static struct fx_redis_addr parse_ok(const char *url)
{
    struct fx_redis_addr a;
    memset(&a, 0x5a, sizeof a);
    int rc = fx_redis_url_parse(url, &a);
    cr_assert_eq(rc, 0, "\"%s\" refused (%d)", url, rc);
    return a;
}

static void assert_addr(const char *url, const char *host, int port, const char *password, int db)
{
    struct fx_redis_addr a = parse_ok(url);
    cr_assert_str_eq(a.host, host, "%s: host", url);
    cr_assert_eq(a.port, port, "%s: port %d, expected %d", url, a.port, port);
    cr_assert_str_eq(a.password, password, "%s: password", url);
    cr_assert_eq(a.db, db, "%s: db %d, expected %d", url, a.db, db);
}

static void assert_refused(const char *url)
{
    struct fx_redis_addr a, pattern;
    memset(&a, 0x5a, sizeof a);
    memset(&pattern, 0x5a, sizeof pattern);
    cr_assert_eq(fx_redis_url_parse(url, &a), FX_EINVAL, "\"%s\" accepted: host \"%.40s\" port %d db %d", url,
        a.host, a.port, a.db);
    cr_assert(memcmp(&a, &pattern, sizeof a) == 0, "\"%s\": output written although refused", url);
}

Test(redis_url, defaults_are_port_6379_and_db_0_without_password)
{
    assert_addr("redis://localhost", "localhost", 6379, "", 0);
    assert_addr("redis://127.0.0.1", "127.0.0.1", 6379, "", 0);
}

Test(redis_url, host_port_and_db)
{
    assert_addr("redis://cache.internal:6380", "cache.internal", 6380, "", 0);
    assert_addr("redis://h:1", "h", 1, "", 0);
    assert_addr("redis://h:65535", "h", 65535, "", 0);
    assert_addr("redis://h/3", "h", 6379, "", 3);
    assert_addr("redis://h:7000/15", "h", 7000, "", 15);
    assert_addr("redis://h/0", "h", 6379, "", 0);
}

Test(redis_url, a_trailing_slash_is_db_0)
{
    assert_addr("redis://h/", "h", 6379, "", 0);
    assert_addr("redis://h:6380/", "h", 6380, "", 0);
}

Test(redis_url, password_forms)
{
    assert_addr("redis://:secret@h", "h", 6379, "secret", 0);
    assert_addr("redis://default:secret@h:6380/2", "h", 6380, "secret", 2);
    /* a lone userinfo is the password (Redis before ACLs had no user names) */
    assert_addr("redis://secret@h", "h", 6379, "secret", 0);
    /* the password may contain ':' (only the first one separates the user) */
    assert_addr("redis://user:a:b@h", "h", 6379, "a:b", 0);
    /* an empty password is none */
    assert_addr("redis://:@h", "h", 6379, "", 0);
}

Test(redis_url, the_last_at_sign_ends_the_password)
{
    assert_addr("redis://:p@ss@h", "h", 6379, "p@ss", 0);
    assert_addr("redis://user:p@ss@w@h:6380/1", "h", 6380, "p@ss@w", 1);
    assert_addr("redis://:p/ss@h/4", "h", 6379, "p/ss", 4);
}

Test(redis_url, passwords_up_to_127_bytes)
{
    char url[300], pw[129];
    memset(pw, 'p', 127), pw[127] = '\0';
    snprintf(url, sizeof url, "redis://:%s@h", pw);
    assert_addr(url, "h", 6379, pw, 0);
    memset(pw, 'p', 128), pw[128] = '\0';
    snprintf(url, sizeof url, "redis://:%s@h", pw);
    assert_refused(url);
}

Test(redis_url, hosts_up_to_255_bytes)
{
    char url[300], host[257];
    memset(host, 'h', 255), host[255] = '\0';
    snprintf(url, sizeof url, "redis://%s:6380", host);
    assert_addr(url, host, 6380, "", 0);
    memset(host, 'h', 256), host[256] = '\0';
    snprintf(url, sizeof url, "redis://%s:6380", host);
    assert_refused(url);
}

Test(redis_url, other_schemes_are_refused)
{
    const char *bad[] = { "", "localhost:6379", "rediss://h", "http://h", "redis:/h", "redis:h",
        "unix:///tmp/r.sock", " redis://h" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_refused(bad[i]);
}

Test(redis_url, an_empty_host_is_refused)
{
    const char *bad[] = { "redis://", "redis://:6379", "redis:///0", "redis://:pw@", "redis://:pw@:6379",
        "redis://user:pw@/1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_refused(bad[i]);
}

Test(redis_url, bad_ports_are_refused)
{
    const char *bad[] = { "redis://h:", "redis://h:0", "redis://h:65536", "redis://h:-1", "redis://h:abc",
        "redis://h:63x79", "redis://h:6379x", "redis://h:99999999999999999999999", "redis://h::6379",
        "redis://h:/1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_refused(bad[i]);
}

Test(redis_url, bad_dbs_are_refused)
{
    const char *bad[] = { "redis://h/-1", "redis://h/x", "redis://h/1x", "redis://h/1/", "redis://h/1/2",
        "redis://h//", "redis://h:6379/-3", "redis://h/1?x=y" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_refused(bad[i]);
}

/* Redis 6 ACLs: the user before the password is kept (AUTH user password). */
Test(redis_url, a_user_before_the_password)
{
    struct fx_redis_addr a = parse_ok("redis://alice:secret@h:7000");
    cr_assert_str_eq(a.user, "alice");
    cr_assert_str_eq(a.password, "secret");
    a = parse_ok("redis://:secret@h");
    cr_assert_str_eq(a.user, "");
    a = parse_ok("redis://secret@h");
    cr_assert_str_eq(a.user, "", "a lone word before @ is a password, not a user");
}

Test(redis_url, where_leaves_the_credentials_out)
{
    struct fx_redis_addr a = parse_ok("redis://u:topsecret@cache:6390/4");
    char buf[300];
    cr_assert_str_eq(fx_redis_addr_where(&a, buf, sizeof buf), "cache:6390/4");
}

Test(redis_url, ports_and_dbs_are_digits_that_fit)
{
    const char *bad[] = { "redis://h:+80", "redis://h: 80", "redis://h/+1", "redis://h/ 1", "redis://h/2147483648",
        "redis://h/4294967297" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_refused(bad[i]);
}
