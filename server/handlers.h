/*
 * The RPC operations of fx-core: decode a protobuf Request, validate it,
 * run it against PostgreSQL, encode the Response. Plugged into rpc.c as its
 * ops; one fx_worker (with its own PostgreSQL connection) per worker thread.
 */
#ifndef FX_HANDLERS_H
#define FX_HANDLERS_H

#include "server/config.h"
#include "server/publish.h"
#include "server/rpc.h"

struct fx_group_queue;

/* What every worker shares: read-only configuration, the live feed and the
 * queue of single-tick writes waiting for group commit. */
struct fx_handler_env {
    const struct fx_config *cfg;
    struct fx_publisher *pub; /* NULL: nothing is published */
    struct fx_group_queue *writes; /* NULL: group commit off */
};

/* Sets up `env` (cfg and pub are the caller's, used until fini). Returns 0
 * or FX_ENOMEM. fini after the RPC server is destroyed. */
int fx_handler_env_init(struct fx_handler_env *env, const struct fx_config *cfg, struct fx_publisher *pub);
void fx_handler_env_fini(struct fx_handler_env *env);

extern const struct fx_rpc_ops fx_handler_ops; /* arg: struct fx_handler_env * */

#endif
