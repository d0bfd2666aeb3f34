/*
 * Schema migrations: the numbered SQL files of migrations/, embedded into the
 * binary at build time (cmake/embed_migrations.cmake), applied in order, each
 * in its own transaction, and recorded in schema_migrations. Applying them
 * again is a no-op; an advisory lock keeps concurrent cores from racing.
 */
#ifndef FX_MIGRATE_H
#define FX_MIGRATE_H

#include "server/db.h"

#include <stddef.h>

struct fx_migration {
    int version;
    const char *name;
    const char *sql;
};

extern const struct fx_migration fx_migrations[];
extern const int fx_migrations_count;

/* Applies the pending migrations; *applied (optional) receives how many.
 * Returns 0 or FX_EDB / FX_EUNAVAIL with the failing migration in `err`. */
int fx_migrate(struct fx_db *db, int *applied, char *err, size_t errlen);

#endif
