/* Route matching: exact paths, trailing slashes, {args}, 404 versus 405. */
#include "bridge/routes.h"

#include <criterion/criterion.h>
#include <string.h>

static struct fx_route_match match(const char *method, const char *path, struct fx_http_request *req)
{
    struct fx_route_match m;
    fx_routes_match(method, path, req, &m);
    return m;
}

Test(routes, trailing_slash_is_the_same_route)
{
    struct fx_http_request req = { 0 };
    struct fx_route_match a = match("POST", "/ticks/", &req), b = match("POST", "/ticks", &req);
    cr_assert_not_null(a.route);
    cr_assert_eq(a.route, b.route);
    cr_assert_str_eq(a.label, "/ticks");
}

Test(routes, path_arguments_are_captured)
{
    struct fx_http_request req = { 0 };
    struct fx_route_match m = match("DELETE", "/ticks/EURUSD/2025-12-05T10:00:00Z", &req);
    cr_assert_not_null(m.route);
    cr_assert_str_eq(m.label, "/ticks/{symbol}/{time}");
    cr_assert_str_eq(req.path_args[0], "EURUSD");
    cr_assert_str_eq(req.path_args[1], "2025-12-05T10:00:00Z");
}

Test(routes, a_known_path_with_the_wrong_method_is_405_with_allow)
{
    struct fx_http_request req = { 0 };
    struct fx_route_match m = match("PATCH", "/ticks/", &req);
    cr_assert_null(m.route);
    cr_assert_eq(m.status, 405);
    cr_assert(strstr(m.allow, "POST") && strstr(m.allow, "GET") && strstr(m.allow, "PUT") && strstr(m.allow, "DELETE"));
    m = match("GET", "/ticks/bulk", &req);
    cr_assert_eq(m.status, 405);
    cr_assert_str_eq(m.allow, "POST");
}

Test(routes, unknown_paths_are_404)
{
    struct fx_http_request req = { 0 };
    const char *paths[] = { "/nope", "/ticks/EURUSD", "/ticks/a/b/c", "/ticksx", "/healthz", "/ticks//" };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct fx_route_match m = match("GET", paths[i], &req);
        if (strcmp(paths[i], "/ticks//") == 0) {
            cr_assert_not_null(m.route, "/ticks// is /ticks");
            continue;
        }
        cr_assert_null(m.route, "%s matched", paths[i]);
        cr_assert_eq(m.status, 404, "%s: %u", paths[i], m.status);
        cr_assert_str_eq(m.label, "unmatched");
    }
}

Test(routes, head_is_served_by_get_routes)
{
    struct fx_http_request req = { 0 };
    cr_assert_not_null(match("HEAD", "/health", &req).route);
}
