/* Address lists (base/url_list.h). */
#include "base/url_list.h"

#include "base/errors.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

Test(url_list, one_address_or_many)
{
    struct fx_url_list l;
    char err[128];
    cr_assert_eq(fx_url_list_parse("tcp://127.0.0.1:5555", &l, err, sizeof err), 0, "%s", err);
    cr_assert_eq(l.n, 1);
    cr_assert_str_eq(l.url[0], "tcp://127.0.0.1:5555");
    cr_assert_eq(fx_url_list_parse(" tcp://a:1 ,tcp://b:2,\tipc:///tmp/c ", &l, err, sizeof err), 0, "%s", err);
    cr_assert_eq(l.n, 3);
    cr_assert_str_eq(l.url[0], "tcp://a:1");
    cr_assert_str_eq(l.url[1], "tcp://b:2");
    cr_assert_str_eq(l.url[2], "ipc:///tmp/c");
}

static void refused(const char *list, const char *says)
{
    struct fx_url_list l = { .n = 99 };
    char err[128] = "";
    cr_assert_eq(fx_url_list_parse(list, &l, err, sizeof err), FX_EINVAL, "\"%s\" accepted", list ? list : "(null)");
    cr_assert(strstr(err, says), "\"%s\": \"%s\" lacks \"%s\"", list ? list : "(null)", err, says);
    cr_assert_eq(l.n, 99, "output written on failure");
}

Test(url_list, malformed_lists)
{
    refused(NULL, "empty");
    refused("", "empty");
    refused(" ", "empty");
    refused("tcp://a:1,", "address 2 of the list is empty");
    refused(",tcp://a:1", "address 1 of the list is empty");
    refused("tcp://a:1,,tcp://b:2", "address 2");
    refused("tcp://a:1, tcp://a:1", "listed twice");
    char many[2048] = "";
    for (int i = 0; i <= FX_URL_LIST_MAX; i++) {
        size_t n = strlen(many);
        snprintf(many + n, sizeof many - n, "%stcp://h:%d", i ? "," : "", 1000 + i);
    }
    refused(many, "more than 32");
    char big[FX_URL_MAX + 8];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    refused(big, "longer than 255");
}
