/*
 * HTTP tests of fx-bridge: an in-process fx-core (fixture.h) plus an
 * in-process fx-bridge on a free port, driven over real HTTP with libcurl.
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

void fx_bridge_fixture_start(void); /* core + bridge; use as .init */
struct fx_config;
struct fx_bridge_config;
/* Like fx_bridge_fixture_start, with the core's and the bridge's
 * configuration adjusted first (either may be NULL). */
void fx_bridge_fixture_start_with(void (*core_tweak)(struct fx_config *cfg),
    void (*tweak)(struct fx_bridge_config *cfg));
void fx_bridge_fixture_stop(void);

/* The bridge's base URL, "http://127.0.0.1:PORT". */
const char *fx_test_bridge_url(void);
unsigned fx_test_bridge_port(void);

/* Sends `method` `path` (with its query) and an optional body. */
void fx_http(const char *method, const char *path, const char *body, struct fx_http_result *out);
void fx_http_body(const char *method, const char *path, const char *body, size_t len, struct fx_http_result *out);
void fx_http_free(struct fx_http_result *r);

/* Parses the response body as JSON (asserts it is JSON). */
json_t *fx_http_json(const struct fx_http_result *r);

/* Asserts status `status` and a JSON {"detail": ...} containing `needle`. */
void fx_http_assert_error(const struct fx_http_result *r, long status, const char *needle);

#endif
