/*
 * Blocking Redis connections (hiredis) from a REDIS_URL: connect, AUTH and
 * SELECT as the URL says, and a health ping. Part of base/ but a library of
 * its own (fxredis), so that only the programs that speak Redis link
 * hiredis. A context is used by one thread at a time.
 */
#ifndef FX_BASE_REDIS_CONN_H
#define FX_BASE_REDIS_CONN_H

#include <stddef.h>

struct redisContext;

/* Connects to `url` with `timeout_ms` for the connection and for every
 * command. Returns the context (free with redisFree) or NULL with the reason
 * in `err`. */
struct redisContext *fx_redis_connect(const char *url, int timeout_ms, char *err, size_t errlen);

/* Connects and sends PING. Returns 0, or FX_EREDIS with the reason in `err`. */
int fx_redis_ping(const char *url, int timeout_ms, char *err, size_t errlen);

#endif
