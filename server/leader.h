/*
 * Candle leadership among the fx-cores of one database: the core holding a
 * PostgreSQL session-level advisory lock (FX_LEADER_LOCK_KEY) on a
 * connection of its own is the leader, the one that closes candles when
 * their bucket ends (publish.c). A thread tries the lock every `check_ms`
 * while not leader and checks the connection as often while leader; a
 * failed check or a lost connection ends leadership at once (and the
 * thread reconnects). The session's keepalive settings make PostgreSQL end
 * it, freeing the lock, within about 15 s of the leader's machine
 * vanishing; a core that stops closes it, freeing the lock at once.
 *
 * fx_leader_start and fx_leader_stop: the owner's thread; fx_leader_is: any
 * thread. The leader object is the owner's, freed by fx_leader_stop.
 */
#ifndef FX_LEADER_H
#define FX_LEADER_H

#include <stddef.h>

/* "fxcandle" in ASCII: above the int4 range of the hashtext() keys of the
 * other advisory locks (per symbol, migrations), so it meets none of them.
 * pg_locks shows the leader's session (classid, objid: its two halves). */
#define FX_LEADER_LOCK_KEY 7383760859188980837

struct fx_leader;

/* Starts contending for leadership on connections to `database_url`, the
 * first try at once. Returns 0, or FX_ENOMEM with the reason in `err` (an
 * unreachable database is not an error: the thread keeps trying). */
int fx_leader_start(struct fx_leader **out, const char *database_url, int check_ms, char *err, size_t errlen);

/* Stops the thread, closes its connection (PostgreSQL frees the lock, so
 * another core takes over within its check_ms) and frees `l`. NULL is fine. */
void fx_leader_stop(struct fx_leader *l);

/* Whether this core leads now (an atomic read; 0 for NULL). */
int fx_leader_is(const struct fx_leader *l);

#endif
