/*
 * The security headers of fx-bridge's responses: X-Content-Type-Options:
 * nosniff on every one; on HTML pages (demo, docs, index) also a
 * Content-Security-Policy, X-Frame-Options: DENY and Referrer-Policy:
 * no-referrer. The pages' inline scripts are allowed by their SHA-256
 * (computed once at start from the pages the bridge serves), not by
 * 'unsafe-inline'.
 *
 * Threads: fx_security_csp_build on main before the daemon starts;
 * fx_security_headers_add from any connection thread (`csp` is read-only).
 */
#ifndef FX_BRIDGE_SECURITY_HEADERS_H
#define FX_BRIDGE_SECURITY_HEADERS_H

#include <microhttpd.h>
#include <stddef.h>

/* Writes into `csp` the policy allowing the inline <script> blocks of the
 * `n` HTML documents `pages`. Returns 0, or -1 if `cap` is too small. */
int fx_security_csp_build(const char *const *pages, size_t n, char *csp, size_t cap);

/* Adds the headers for a response of `content_type` (may be NULL). */
void fx_security_headers_add(struct MHD_Response *r, const char *content_type, const char *csp);

#endif
