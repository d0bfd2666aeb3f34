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
};

/* Where requests go: "http://127.0.0.1:PORT" (set by bridge_fixture.c). */
void fx_http_set_base_url(const char *url);
const char *fx_test_bridge_url(void);

/* Sends `method` `path` (with its query) and an optional body. */
void fx_http(const char *method, const char *path, const char *body, struct fx_http_result *out);
void fx_http_body(const char *method, const char *path, const char *body, size_t len, struct fx_http_result *out);
void fx_http_free(struct fx_http_result *r);

/* Parses the response body as JSON (asserts it is JSON). */
json_t *fx_http_json(const struct fx_http_result *r);

/* Asserts status `status` and a JSON {"detail": ...} containing `needle`. */
void fx_http_assert_error(const struct fx_http_result *r, long status, const char *needle);

#endif
