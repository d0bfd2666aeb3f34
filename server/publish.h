/*
 * The live feed: an nng PUB socket on FX_FEED_URL. Events are published only
 * after their transaction committed, so a feed never shows a tick the
 * database could lose. nng's PUB drops messages for a subscriber that lags
 * rather than queueing without bound. Thread-safe.
 */
#ifndef FX_PUBLISH_H
#define FX_PUBLISH_H

#include "tick.h"

#include <stddef.h>

struct fx_publisher;

int fx_publisher_create(struct fx_publisher **out, const char *url, char *err, size_t errlen);
void fx_publisher_destroy(struct fx_publisher *p);

/* Publishes one tick event per tick, topic "tick.<SYMBOL>". NULL-safe. */
void fx_publish_ticks(struct fx_publisher *p, const struct fx_tick *ticks, size_t n);

#endif
