/*
 * Writes that run once however often nng sends them: each write request
 * carries a key (the client handle's random id and the request's id), and
 * the write's own transaction claims the key first and records the rows it
 * changed before it commits. A resend of a committed write finds its key
 * and is answered with the recorded rows, changing nothing; a resend that
 * arrives while the first run is still in flight (on this core or another)
 * waits on the key's row until that run commits or rolls back. A write that
 * failed rolled its key back with it, so its resend runs again.
 *
 * Called inside the caller's transaction on the worker's own connection
 * (server/db.h): any thread that owns `db`. All return 0 or an FX_E* code
 * with PostgreSQL's message in `err`.
 */
#ifndef FX_REQUEST_KEYS_H
#define FX_REQUEST_KEYS_H

#include "server/db.h"

#include <stddef.h>
#include <stdint.h>

struct fx_request_key {
    uint64_t client; /* 0: the request has no key (an older client, the ingest) */
    uint64_t id;
};

#define FX_REQUEST_KEYS_KEEP_S 3600 /* how long a key is remembered */

/* Whether `key` names a request at all (non-NULL, client set). */
static inline int fx_request_key_set(const struct fx_request_key *key) { return key != NULL && key->client != 0; }

/* Claims `key` in the open transaction. *replayed = 1 when the request ran
 * already: *rows is what it recorded, and the caller rolls back. */
int fx_request_key_claim(struct fx_db *db, const struct fx_request_key *key, int *replayed, uint64_t *rows, char *err,
    size_t errlen);

/* Whether `key` was recorded (outside a transaction: a look without a claim,
 * for writes that span several transactions). */
int fx_request_key_lookup(struct fx_db *db, const struct fx_request_key *key, int *found, uint64_t *rows, char *err,
    size_t errlen);

/* Records the rows the claimed request changed, before the commit. */
int fx_request_key_record(struct fx_db *db, const struct fx_request_key *key, uint64_t rows, char *err,
    size_t errlen);

/* The same for many distinct keys (all set) in two statements: a group of
 * writes in one transaction (server/tick_group.h). replayed[i], rows[i]
 * as fx_request_key_claim's for keys[i]. */
int fx_request_keys_claim(struct fx_db *db, const struct fx_request_key *keys, size_t n, int *replayed,
    uint64_t *rows, char *err, size_t errlen);
int fx_request_keys_record(struct fx_db *db, const struct fx_request_key *keys, const uint64_t *rows, size_t n,
    char *err, size_t errlen);

/* Forgets keys older than `keep_s`; *pruned receives how many. */
int fx_request_keys_prune(struct fx_db *db, int keep_s, uint64_t *pruned, char *err, size_t errlen);

#endif
