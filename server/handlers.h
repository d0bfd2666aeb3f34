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

/* What every worker shares: read-only configuration and the live feed. */
struct fx_handler_env {
    const struct fx_config *cfg;
    struct fx_publisher *pub; /* NULL: nothing is published */
};

extern const struct fx_rpc_ops fx_handler_ops; /* arg: struct fx_handler_env * */

#endif
