/*
 * An HTTP client for tests (libcurl): requests to the bridge that
 * bridge_fixture.h started, responses with status, headers and body.
 */
#ifndef FX_TEST_HTTP_CLIENT_H
#define FX_TEST_HTTP_CLIENT_H

#include <jansson.h>
#include <stddef.h>

struct fx_http_result {
    long status;
    char *body; /* NUL-terminated */
    size_t len;
    char content_type[128];
    char allow[128];
    char headers[8192]; /* the response's header lines, as received */
};

/* Where requests go: "http://127.0.0.1:PORT" (set by bridge_fixture.c). */
void fx_http_set_base_url(const char *url);
const char *fx_test_bridge_url(void);

/* Sends `method` `path` (with its query) and an optional body. */
void fx_http(const char *method, const char *path, const char *body, struct fx_http_result *out);
void fx_http_body(const char *method, const char *path, const char *body, size_t len, struct fx_http_result *out);
void fx_http_free(struct fx_http_result *r);

/* The same with the request headers `headers` ("Name: value", NULL-ended)
 * instead of the default "Content-Type: application/json". */
void fx_http_with(const char *method, const char *path, const char *body, const char *const *headers,
    struct fx_http_result *out);

/* The value of response header `name` (any case) in `buf`, or NULL. */
const char *fx_http_header(const struct fx_http_result *r, const char *name, char *buf, size_t len);

/* Parses the response body as JSON (asserts it is JSON). */
json_t *fx_http_json(const struct fx_http_result *r);

/* Asserts status `status` and a JSON {"detail": ...} containing `needle`. */
void fx_http_assert_error(const struct fx_http_result *r, long status, const char *needle);

#endif
