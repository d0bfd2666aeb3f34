/*
 * fx-core as a whole: applies migrations, keeps daily partitions created
 * ahead, and serves RPC. main.c and the integration tests create it.
 */
#ifndef FX_SERVER_H
#define FX_SERVER_H

#include "server/config.h"

#include <stddef.h>

struct fx_server;

/* Starts serving according to `cfg` (copied). Returns 0, or a negative FX_E*
 * code with the reason in `err`. Free with fx_server_destroy. */
int fx_server_create(struct fx_server **out, const struct fx_config *cfg, char *err, size_t errlen);

/* Stops serving (finishing requests in hand) and frees everything. */
void fx_server_destroy(struct fx_server *s);

/* Applies pending migrations on a connection of its own; *applied receives
 * how many. Used by `fx-core migrate` and by fx_server_create. */
int fx_server_migrate(const struct fx_config *cfg, int *applied, char *err, size_t errlen);

#endif
