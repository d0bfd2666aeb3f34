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

#endif
