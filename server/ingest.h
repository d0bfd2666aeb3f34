/*
 * Redis Streams ingestion: reads REDIS_STREAM with a consumer group in
 * batches, stores each batch (ticks and candles) in one transaction and
 * acknowledges the entries only after the COMMIT; reading the next batch
 * overlaps storing the previous one (two threads). At-least-once from
 * Redis plus idempotent storage (duplicates are skipped) makes a crash
 * anywhere lose nothing and count nothing twice.
 *
 * On (re)connection it first re-reads this consumer's own pending entries,
 * and periodically takes over entries left pending by a dead consumer
 * (XAUTOCLAIM). Malformed entries go to the dead-letter stream with the reason
 * and are acknowledged: they never block the stream. Acknowledged entries are
 * trimmed from the stream. Redis or PostgreSQL going away: retry with backoff,
 * keeping the un-acknowledged entries.
 */
#ifndef FX_INGEST_H
#define FX_INGEST_H

#include "server/config.h"
#include "server/publish.h"

#include <stddef.h>
#include <stdint.h>

struct fx_ingest;

/* Starts the ingest threads (they connect on their own, with retries). */
int fx_ingest_start(struct fx_ingest **out, const struct fx_config *cfg, struct fx_publisher *pub, char *err,
    size_t errlen);

/* Stops after the batch in hand (waits at most INGEST_BLOCK_MS + a batch). */
void fx_ingest_stop(struct fx_ingest *in);

/* Parses one stream entry's fields into a tick. Times are RFC 3339 or a
 * number of Unix seconds (milliseconds above 1e11, microseconds above 1e14).
 * Returns 0, or -1 with the reason in `why`. */
struct fx_tick;
int fx_ingest_parse_entry(const char *const *fields, const size_t *lengths, size_t nfields, struct fx_tick *out,
    char *why, size_t whylen);

#endif
