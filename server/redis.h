/* Redis connections (hiredis): URL parsing, connecting, the health ping. */
#ifndef FX_REDIS_H
#define FX_REDIS_H

#include <stddef.h>

struct fx_redis_addr {
    char host[256];
    int port;
    char password[128];
    int db;
};

/* Parses redis://[[user]:password@]host[:port][/db]. Returns 0 or FX_EINVAL. */
int fx_redis_parse_url(const char *url, struct fx_redis_addr *out);

struct redisContext;

/* Connects to `url` (AUTH and SELECT as the URL says) with `timeout_ms` for
 * the connection and every command. Returns the context or NULL with the
 * reason in `err`. Free with redisFree. */
struct redisContext *fx_redis_connect(const char *url, int timeout_ms, char *err, size_t errlen);

/* Connects with a short timeout and sends PING. Returns 0, or FX_EREDIS /
 * FX_EINVAL with the reason in `err`. */
int fx_redis_ping(const char *url, int timeout_ms, char *err, size_t errlen);

#endif
