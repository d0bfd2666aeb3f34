#include "server/request_keys.h"

#include "server/pg_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys are uint64 on the wire and bigint here: the same 64 bits. */
static const struct {
    const char *name, *sql;
    int nparams;
} statements[] = {
    { "request_key_claim", "INSERT INTO request_keys (client, id) VALUES ($1, $2) ON CONFLICT DO NOTHING", 2 },
    { "request_key_rows", "SELECT coalesce(rows, 0) FROM request_keys WHERE client = $1 AND id = $2", 2 },
    { "request_key_record", "UPDATE request_keys SET rows = $3 WHERE client = $1 AND id = $2", 3 },
    { "request_keys_prune", "DELETE FROM request_keys WHERE created_at < now() - make_interval(secs => $1)", 1 },
};

static int request_keys_prepare(struct fx_db *db, char *err, size_t errlen)
{
    static const Oid int8[3] = { 20, 20, 20 };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof statements / sizeof statements[0]; i++)
        rc = fx_db_prepare(db, statements[i].name, statements[i].sql, statements[i].nparams, int8, err, errlen);
    return rc;
}

FX_DB_SETUP(request_keys_prepare)

/* Runs statement `name` with the key and up to one more int8 (binary). */
static PGresult *run(struct fx_db *db, const char *name, const struct fx_request_key *key, int n, int64_t extra)
{
    char buf[3][8];
    fx_pg_put_i64(buf[0], (int64_t)key->client);
    fx_pg_put_i64(buf[1], (int64_t)key->id);
    fx_pg_put_i64(buf[2], extra);
    const char *values[3] = { buf[0], buf[1], buf[2] };
    static const int lengths[3] = { 8, 8, 8 }, formats[3] = { 1, 1, 1 };
    return PQexecPrepared(db->conn, name, n, values, lengths, formats, 1);
}

int fx_request_key_lookup(struct fx_db *db, const struct fx_request_key *key, int *found, uint64_t *rows, char *err,
    size_t errlen)
{
    PGresult *res = run(db, "request_key_rows", key, 2, 0);
    int rc = fx_db_rows(db, res, err, errlen);
    if (rc) return rc;
    *found = PQntuples(res) == 1;
    *rows = *found ? (uint64_t)fx_pg_get_i64(PQgetvalue(res, 0, 0)) : 0;
    PQclear(res);
    return 0;
}

int fx_request_key_claim(struct fx_db *db, const struct fx_request_key *key, int *replayed, uint64_t *rows, char *err,
    size_t errlen)
{
    /* A run of the same key in flight elsewhere holds its row: the INSERT
     * waits for it, and a commit there makes this a conflict. The SELECT
     * after it takes a new snapshot (READ COMMITTED), which sees that row. */
    uint64_t inserted = 0;
    int rc = fx_db_command(db, run(db, "request_key_claim", key, 2, 0), &inserted, err, errlen);
    if (rc) return rc;
    *replayed = inserted == 0;
    *rows = 0;
    if (!*replayed) return 0;
    int found = 0;
    return fx_request_key_lookup(db, key, &found, rows, err, errlen);
}

int fx_request_key_record(struct fx_db *db, const struct fx_request_key *key, uint64_t rows, char *err,
    size_t errlen)
{
    return fx_db_command(db, run(db, "request_key_record", key, 3, (int64_t)rows), NULL, err, errlen);
}

int fx_request_keys_prune(struct fx_db *db, int keep_s, uint64_t *pruned, char *err, size_t errlen)
{
    char buf[8];
    fx_pg_put_i64(buf, keep_s);
    const char *values[1] = { buf };
    static const int lengths[1] = { 8 }, formats[1] = { 1 };
    PGresult *res = PQexecPrepared(db->conn, "request_keys_prune", 1, values, lengths, formats, 1);
    return fx_db_command(db, res, pruned, err, errlen);
}
