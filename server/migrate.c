#include "server/migrate.h"

#include "base/errors.h"
#include "base/log.h"

#include <stdio.h>
#include <stdlib.h>

#define MIGRATION_LOCK_KEY "hashtext('fx_schema_migrations')"

static int is_applied(struct fx_db *db, int version, int *applied, char *err, size_t errlen)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT 1 FROM schema_migrations WHERE version = %d", version);
    PGresult *res = PQexec(db->conn, sql);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = fx_db_error(db, res, err, errlen);
    else
        *applied = PQntuples(res) > 0;
    PQclear(res);
    return rc;
}

static int apply_one(struct fx_db *db, const struct fx_migration *m, char *err, size_t errlen)
{
    char detail[512];
    char record[256];
    snprintf(record, sizeof record, "INSERT INTO schema_migrations (version, name) VALUES (%d, '%s')",
        m->version, m->name);
    int rc = fx_db_exec(db, "BEGIN", detail, sizeof detail);
    if (rc == 0) rc = fx_db_exec(db, m->sql, detail, sizeof detail);
    if (rc == 0) rc = fx_db_exec(db, record, detail, sizeof detail);
    if (rc == 0) rc = fx_db_exec(db, "COMMIT", detail, sizeof detail);
    if (rc != 0) {
        char ignored[64];
        fx_db_exec(db, "ROLLBACK", ignored, sizeof ignored);
        snprintf(err, errlen, "migration %s failed: %s", m->name, detail);
    }
    return rc;
}

int fx_migrate(struct fx_db *db, int *applied, char *err, size_t errlen)
{
    /* The lock first: two cores starting on a fresh database would both run
     * CREATE TABLE IF NOT EXISTS, and one of them fail on the catalog's
     * unique index ("IF NOT EXISTS" does not serialise concurrent creators). */
    int rc = fx_db_exec(db, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", err, errlen);
    if (rc != 0) return rc;
    rc = fx_db_exec(db,
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY,"
        " name text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())",
        err, errlen);
    int count = 0;
    for (int i = 0; i < fx_migrations_count && rc == 0; i++) {
        int done = 0;
        rc = is_applied(db, fx_migrations[i].version, &done, err, errlen);
        if (rc != 0 || done) continue;
        rc = apply_one(db, &fx_migrations[i], err, errlen);
        if (rc == 0) {
            fx_info("migrate", "applied %s", fx_migrations[i].name);
            count++;
        }
    }
    char ignored[64];
    fx_db_exec(db, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")", ignored, sizeof ignored);
    if (rc == 0 && applied) *applied = count;
    return rc;
}
