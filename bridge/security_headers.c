#include "bridge/security_headers.h"

#include <nettle/base64.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Styles may be inline: Swagger UI and ReDoc set style attributes and
 * inject <style> elements at run time; styles cannot run code. Images from
 * data: URLs are Swagger UI's icons; ReDoc's bundle shows its "API docs by
 * Redocly" logo from cdn.redoc.ly (an image: it cannot run code). Workers
 * from blob: are ReDoc's. */
static const char csp_head[] = "default-src 'self'; script-src 'self'";
static const char csp_tail[] = "; style-src 'self' 'unsafe-inline'; img-src 'self' data: https://cdn.redoc.ly; worker-src 'self' blob:; "
                               "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                               "frame-ancestors 'none'";

static int append(char *out, size_t cap, size_t *used, const char *s, size_t n)
{
    if (*used + n + 1 > cap) return -1;
    memcpy(out + *used, s, n);
    *used += n;
    out[*used] = '\0';
    return 0;
}

int fx_security_csp_build(const char *const *pages, size_t n, char *csp, size_t cap)
{
    size_t used = 0;
    if (append(csp, cap, &used, csp_head, sizeof csp_head - 1)) return -1;
    for (size_t i = 0; i < n; i++) {
        /* only "<script>" without attributes is inline: with src= it loads a file */
        for (const char *p = strstr(pages[i], "<script>"); p; p = strstr(p, "<script>")) {
            p += strlen("<script>");
            const char *end = strstr(p, "</script>");
            if (end == NULL) break;
            struct sha256_ctx ctx;
            uint8_t digest[SHA256_DIGEST_SIZE];
            sha256_init(&ctx);
            sha256_update(&ctx, (size_t)(end - p), (const uint8_t *)p);
            sha256_digest(&ctx, sizeof digest, digest);
            char b64[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE) + 1];
            base64_encode_raw(b64, sizeof digest, digest);
            b64[sizeof b64 - 1] = '\0';
            char src[96];
            int len = snprintf(src, sizeof src, " 'sha256-%s'", b64);
            if (strstr(csp, src) == NULL && append(csp, cap, &used, src, (size_t)len)) return -1;
            p = end;
        }
    }
    return append(csp, cap, &used, csp_tail, sizeof csp_tail - 1);
}

void fx_security_headers_add(struct MHD_Response *r, const char *content_type, const char *csp)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (content_type == NULL || strncasecmp(content_type, "text/html", 9) != 0) return;
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}
