/*
 * Ticks into a Redis Stream, as fx-core's ingest reads them: XADD <stream>
 * * symbol S time T price P, with time in RFC 3339 UTC. Commands are
 * pipelined: fxtg_out_add only queues, and every FXTG_OUT_CHUNK commands (or
 * at fxtg_out_flush) they are sent and every reply is checked. One
 * connection, used from one thread.
 */
#ifndef FXTG_REDIS_OUT_H
#define FXTG_REDIS_OUT_H

#include "fx/tick.h"

#include <stddef.h>
#include <stdint.h>

#define FXTG_OUT_CHUNK 256 /* commands in flight at most */
#define FXTG_OUT_TIMEOUT_MS 5000 /* connect, and each reply */

struct fxtg_out;

/* Connects to `url`, redis://[[user]:password@]host[:port][/db] (AUTH and
 * SELECT as it says). `maxlen` > 0 caps the stream (XADD MAXLEN ~), 0 leaves
 * it alone. Returns 0 with *out (free with fxtg_out_close), or FX_EREDIS with
 * the reason in `err`. */
int fxtg_out_open(
    struct fxtg_out **out, const char *url, const char *stream, long long maxlen, char *err, size_t errlen);

/* Queues one XADD; when FXTG_OUT_CHUNK are queued, flushes. Returns 0, or FX_EREDIS
 * with the reason in `err` (a reply was an error, or the connection failed):
 * the connection is then unusable. */
int fxtg_out_add(struct fxtg_out *o, const struct fx_tick *t, char *err, size_t errlen);

/* Sends what is queued and checks every reply. Returns 0 or FX_EREDIS as above. */
int fxtg_out_flush(struct fxtg_out *o, char *err, size_t errlen);

/* Entries Redis has confirmed (replied with an id) so far. */
uint64_t fxtg_out_sent(const struct fxtg_out *o);

/* "host:port/db", without the password, for messages. */
const char *fxtg_out_where(const struct fxtg_out *o);

/* Closes the connection; queued, unflushed commands are dropped. NULL is fine. */
void fxtg_out_close(struct fxtg_out *o);

#endif
