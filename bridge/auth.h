/*
 * API keys of fx-bridge (BRIDGE_API_KEYS_FILE): the key table, which key a
 * request presents, and whether its scope is enough for a route. One line
 * of the file is `name:scope:sha256-hex-of-key`; `#` comments and blank
 * lines are allowed. Scopes are ordered read < write < admin: a higher
 * scope includes the lower ones. Only SHA-256 digests are kept, compared
 * in constant time; keys and digests are never logged, and errors name a
 * line number, never its text.
 *
 * Threads: fx_auth_create and fx_auth_destroy on main only (before the
 * daemon starts / after it stops); fx_auth_reload on main (SIGHUP) while
 * connection threads call fx_auth_check: an rwlock guards the table.
 */
#ifndef FX_BRIDGE_AUTH_H
#define FX_BRIDGE_AUTH_H

#include <microhttpd.h>
#include <stddef.h>

/* What a route needs (routes.c). FX_SCOPE_OPEN: no key ever (probes,
 * metrics, pages that hold no data). */
enum fx_scope { FX_SCOPE_OPEN = 0, FX_SCOPE_READ, FX_SCOPE_WRITE, FX_SCOPE_ADMIN };

struct fx_auth;

/* Reads the keys file `path` ("" or NULL: no keys, every route open, as
 * before access control existed). `public_reads`: FX_SCOPE_READ routes need
 * no key. Returns 0, or FX_ECONFIG with the reason (naming the line) in
 * `err`. The caller frees *out with fx_auth_destroy. */
int fx_auth_create(struct fx_auth **out, const char *path, int public_reads, char *err, size_t errlen);
void fx_auth_destroy(struct fx_auth *a);

/* Re-reads the file. On an error the old keys stay in force and the
 * reason is in `err`. Returns 0, FX_ECONFIG, or 0 at once without a file. */
int fx_auth_reload(struct fx_auth *a, char *err, size_t errlen);

/* Whether a keys file is in use. */
int fx_auth_enabled(const struct fx_auth *a);

/* The number of keys now in the table. */
size_t fx_auth_key_count(struct fx_auth *a);

/* Whether the request on `conn` may use a route that needs `need`: 0, 401
 * (no key or an unknown one: answer with "WWW-Authenticate: Bearer") or
 * 403 (a known key of a lower scope), with the reason in `why`. The key is
 * taken from "Authorization: Bearer KEY", "X-API-Key: KEY" or, for
 * WebSocket upgrades (browsers cannot set headers), a
 * "Sec-WebSocket-Protocol" token "bearer.KEY". Any connection thread. */
unsigned fx_auth_check(struct fx_auth *a, enum fx_scope need, struct MHD_Connection *conn, char *why,
    size_t whylen);

/* Parses a scope name ("read", "write", "admin"); -1 if none. */
int fx_scope_parse(const char *s, size_t len);
const char *fx_scope_name(enum fx_scope s);

#endif
