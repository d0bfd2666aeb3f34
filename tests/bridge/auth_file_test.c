/* The keys file, the CORS list and the CSP, without a server. */
#include "bridge/auth.h"
#include "bridge/cors.h"
#include "bridge/security_headers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char hex[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF";

static char path[64];

static int load(const char *text, size_t *n, char *err, size_t errlen)
{
    snprintf(path, sizeof path, "/tmp/fx-auth-file-%d.keys", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    struct fx_auth *a = NULL;
    int rc = fx_auth_create(&a, path, 0, err, errlen);
    unlink(path);
    if (rc == 0) {
        *n = fx_auth_key_count(a);
        cr_assert(fx_auth_enabled(a));
        fx_auth_destroy(a);
    }
    return rc;
}

Test(auth_file, comments_blank_lines_and_crlf_are_allowed)
{
    char text[1024], err[512] = "";
    snprintf(text, sizeof text, "# keys\n\n  \r\nci:read:%s\r\n  # another\nops.admin_1:admin:%s\nw-1:write:%s", hex, hex,
        hex);
    size_t n = 0;
    cr_assert_eq(load(text, &n, err, sizeof err), 0, "%s", err);
    cr_assert_eq(n, 3);
}

Test(auth_file, a_malformed_line_is_refused_naming_its_number_not_its_text)
{
    char text[1024], err[512];
    size_t n;
    const char *const bad[] = { "ci:read", "ci:reader:%s", ":read:%s", "ci:read:s3cret-key-in-clear",
        "ci:read:%s:extra", "c i:read:%s", "ci:read:%.63sg" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char line[256];
        snprintf(line, sizeof line, bad[i], hex);
        snprintf(text, sizeof text, "# ok\nok:read:%s\n%s\n", hex, line);
        err[0] = '\0';
        cr_assert_neq(load(text, &n, err, sizeof err), 0, "accepted: %s", line);
        cr_assert(strstr(err, "line 3:") != NULL, "%s", err);
        cr_assert(strstr(err, "s3cret") == NULL, "the line is in the error: %s", err);
    }
    snprintf(text, sizeof text, "a:read:%s\na:write:%s\n", hex, hex);
    cr_assert_neq(load(text, &n, err, sizeof err), 0);
    cr_assert(strstr(err, "line 2") && strstr(err, "used twice"), "%s", err);
    struct fx_auth *a;
    cr_assert_neq(fx_auth_create(&a, "/nonexistent/keys", 0, err, sizeof err), 0);
}

Test(auth_file, no_file_means_open)
{
    struct fx_auth *a;
    char err[128];
    cr_assert_eq(fx_auth_create(&a, "", 0, err, sizeof err), 0);
    cr_assert_not(fx_auth_enabled(a));
    cr_assert_eq(fx_auth_check(a, FX_SCOPE_ADMIN, NULL, err, sizeof err), 0);
    fx_auth_destroy(a);
}

Test(auth_file, scopes_are_ordered)
{
    cr_assert_eq(fx_scope_parse("read", 4), FX_SCOPE_READ);
    cr_assert_eq(fx_scope_parse("write", 5), FX_SCOPE_WRITE);
    cr_assert_eq(fx_scope_parse("admin", 5), FX_SCOPE_ADMIN);
    cr_assert_eq(fx_scope_parse("Admin", 5), -1);
    cr_assert(FX_SCOPE_READ < FX_SCOPE_WRITE && FX_SCOPE_WRITE < FX_SCOPE_ADMIN);
}

Test(cors_list, origins_are_exact_scheme_host_port)
{
    struct fx_cors c;
    char err[512];
    cr_assert_eq(fx_cors_parse(&c, "", err, sizeof err), 0);
    cr_assert_not(fx_cors_enabled(&c));
    cr_assert_eq(fx_cors_parse(&c, " https://a.example , http://b.example:8080,*", err, sizeof err), 0, "%s", err);
    cr_assert_eq(c.n, 2);
    cr_assert(c.any);
    cr_assert_str_eq(c.origins[0], "https://a.example");
    cr_assert_str_eq(c.origins[1], "http://b.example:8080");
    const char *const bad[] = { "https://a.example/", "a.example", "https://a.example/path", "https://",
        "https://u@a.example" };
    for (size_t i = 0; i < 5; i++)
        cr_assert_neq(fx_cors_parse(&c, bad[i], err, sizeof err), 0, "accepted %s", bad[i]);
}

Test(csp, inline_scripts_are_allowed_by_their_sha256_only)
{
    /* printf %s 'alert(1)' | openssl dgst -sha256 -binary | base64 */
    const char *pages[] = { "<html><script src=\"/static/x.js\"></script><script>alert(1)</script></html>",
        "<script>alert(1)</script>" };
    char csp[1024];
    cr_assert_eq(fx_security_csp_build(pages, 2, csp, sizeof csp), 0);
    cr_assert(strstr(csp, "script-src 'self' 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=';") != NULL, "%s",
        csp);
    cr_assert(strstr(csp, "frame-ancestors 'none'") != NULL);
    cr_assert(strstr(csp, "script-src 'self' 'unsafe-inline'") == NULL);
    cr_assert_eq(fx_security_csp_build(pages, 2, csp, 40), -1);
}
