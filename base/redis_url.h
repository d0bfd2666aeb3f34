/*
 * Redis URLs, redis://[[user]:password@]host[:port][/db], as REDIS_URL of
 * fx-core and fx-tickgen reads them. Parsing only (no connection): pure; any
 * thread.
 */
#ifndef FX_BASE_REDIS_URL_H
#define FX_BASE_REDIS_URL_H

#include <stddef.h>

struct fx_redis_addr {
    char host[256];
    int port; /* 6379 when not given */
    char user[128]; /* "" unless given (Redis 6 ACL) */
    char password[128]; /* "" when none */
    int db; /* 0 when not given */
};

#define FX_REDIS_URL_FORM "redis://[[user]:password@]host[:port][/db]"
/* Debian 12's hiredis (0.14) has no TLS: rediss:// is refused with this. */
#define FX_REDIS_NO_TLS \
    "rediss:// (TLS) is not supported (Debian's hiredis 0.14 has no TLS): run a local TLS tunnel (stunnel) to " \
    "Redis and set REDIS_URL=redis://[user:password@]127.0.0.1:PORT of the tunnel (README, TLS)"

/* Returns 0 with *out, or FX_EINVAL. "secret@host" is a password, the last
 * "@" ends it (a password may hold "@"). */
int fx_redis_url_parse(const char *url, struct fx_redis_addr *out);

/* "host:port/db" without the credentials, for messages. Returns `buf`. */
char *fx_redis_addr_where(const struct fx_redis_addr *a, char *buf, size_t len);

#endif
