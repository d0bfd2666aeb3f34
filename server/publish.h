/*
 * The live feed: an nng PUB socket on FX_FEED_URL. Events are published only
 * after their transaction committed, so a feed never shows a tick the
 * database could lose. nng's PUB drops messages for a subscriber that lags
 * rather than queueing without bound. Thread-safe.
 */
#ifndef FX_PUBLISH_H
#define FX_PUBLISH_H

#include "server/tick_store.h"

#include <stddef.h>

struct fx_publisher;
struct fx_leader; /* server/leader.h */

/* Publishes on `url`; custom days start at `day_start_hour` UTC. While
 * `leader` says this core leads (fx_leader_is; it must outlive the
 * publisher), a timer thread closes candles: when buckets end, it reads
 * every symbol's candles of them from the rollups (on a connection of its own
 * to `database_url`) and publishes them with complete = true, within a
 * second, whether or not another tick comes and whichever core wrote them.
 * On becoming leader it closes the buckets of the last minute too. Free
 * with fx_publisher_destroy (the owner's thread). */
int fx_publisher_create(struct fx_publisher **out, const char *url, const char *database_url, int day_start_hour,
    const struct fx_leader *leader, char *err, size_t errlen);
void fx_publisher_destroy(struct fx_publisher *p);

/* Publishes what a committed write stored: one event per new tick (topic
 * "tick.<SYMBOL>") and per changed rollup candle ("candle.minute.<SYMBOL>",
 * "candle.hour.<SYMBOL>", "candle.day.<SYMBOL>", and the custom day of each
 * changed hour, "candle.custom-day.<SYMBOL>"), each with its version.
 * `p` may be NULL. */
void fx_publish_write(struct fx_publisher *p, const struct fx_write *w);

#endif
