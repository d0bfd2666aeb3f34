#include "tests/support/http_client.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char base_url[64];

void fx_http_set_base_url(const char *url) { snprintf(base_url, sizeof base_url, "%s", url); }

const char *fx_test_bridge_url(void) { return base_url; }

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct fx_http_result *r = arg;
    size_t add = size * n;
    char *p = realloc(r->body, r->len + add + 1);
    cr_assert_not_null(p);
    memcpy(p + r->len, data, add);
    r->body = p;
    r->len += add;
    r->body[r->len] = '\0';
    return add;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    struct fx_http_result *r = arg;
    size_t len = size * n;
    size_t used = strlen(r->headers);
    if (used + len < sizeof r->headers) {
        memcpy(r->headers + used, data, len);
        r->headers[used + len] = '\0';
    }
    if (len > 6 && strncasecmp(data, "Allow:", 6) == 0) {
        snprintf(r->allow, sizeof r->allow, "%.*s", (int)(len - 6), data + 6);
        r->allow[strcspn(r->allow, "\r\n")] = '\0';
    }
    return len;
}

static void request(const char *method, const char *path, const char *body, size_t len, const char *const *extra,
    struct fx_http_result *out);

void fx_http_body(const char *method, const char *path, const char *body, size_t len, struct fx_http_result *out)
{
    static const char *const json[] = { "Content-Type: application/json", NULL };
    request(method, path, body, len, json, out);
}

void fx_http_with(const char *method, const char *path, const char *body, const char *const *headers,
    struct fx_http_result *out)
{
    static const char *const none[] = { NULL };
    request(method, path, body, body ? strlen(body) : 0, headers ? headers : none, out);
}

const char *fx_http_header(const struct fx_http_result *r, const char *name, char *buf, size_t len)
{
    size_t n = strlen(name);
    for (const char *p = r->headers; *p;) {
        const char *eol = strstr(p, "\r\n");
        if (eol == NULL) eol = p + strlen(p);
        if ((size_t)(eol - p) > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ') v++;
            snprintf(buf, len, "%.*s", (int)(eol - v), v);
            return buf;
        }
        p = *eol ? eol + 2 : eol;
    }
    return NULL;
}

static void request(const char *method, const char *path, const char *body, size_t len, const char *const *extra,
    struct fx_http_result *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    cr_assert_not_null(c);
    char url[8192];
    snprintf(url, sizeof url, "%s%s", base_url, path);
    struct curl_slist *headers = curl_slist_append(NULL, "Expect:"); /* no 100-continue round trip */
    /* no Content-Type unless asked for: libcurl's default (a form) is what a test of 415 must control */
    int typed = 0;
    for (size_t i = 0; extra[i]; i++) {
        headers = curl_slist_append(headers, extra[i]);
        typed |= strncasecmp(extra[i], "Content-Type:", 13) == 0;
    }
    if (!typed) headers = curl_slist_append(headers, "Content-Type:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    if (strcmp(method, "HEAD") == 0) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    CURLcode rc = curl_easy_perform(c);
    cr_assert_eq(rc, CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    char *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    snprintf(out->content_type, sizeof out->content_type, "%s", ct ? ct : "");
    if (out->body == NULL) out->body = calloc(1, 1);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
}

void fx_http(const char *method, const char *path, const char *body, struct fx_http_result *out)
{
    fx_http_body(method, path, body, body ? strlen(body) : 0, out);
}

void fx_http_free(struct fx_http_result *r)
{
    free(r->body);
    r->body = NULL;
}

json_t *fx_http_json(const struct fx_http_result *r)
{
    json_error_t e;
    json_t *j = json_loads(r->body, JSON_DECODE_ANY, &e);
    cr_assert_not_null(j, "not JSON (%s): %.200s", e.text, r->body);
    return j;
}

void fx_http_assert_error(const struct fx_http_result *r, long status, const char *needle)
{
    cr_assert_eq(r->status, status, "expected %ld, got %ld: %.300s", status, r->status, r->body);
    cr_assert(strncmp(r->content_type, "application/json", 16) == 0, "content type %s", r->content_type);
    json_t *j = fx_http_json(r);
    const char *detail = json_string_value(json_object_get(j, "detail"));
    cr_assert_not_null(detail, "no string detail in %s", r->body);
    cr_assert(strstr(detail, needle) != NULL, "detail \"%s\" does not mention \"%s\"", detail, needle);
    json_decref(j);
}
