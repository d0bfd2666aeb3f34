#include "server/request_keys.h"

#include "base/errors.h"
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
    /* many keys at once (fx_request_keys_claim / _record): int8[] arrays */
    { "request_keys_claim",
        "INSERT INTO request_keys (client, id) SELECT * FROM unnest($1::int8[], $2::int8[]) ORDER BY 1, 2"
        " ON CONFLICT DO NOTHING RETURNING client, id", 2 },
    { "request_keys_rows",
        "SELECT k.client, k.id, coalesce(k.rows, 0) FROM request_keys k"
        " JOIN unnest($1::int8[], $2::int8[]) u(client, id) ON k.client = u.client AND k.id = u.id", 2 },
    { "request_keys_record",
        "UPDATE request_keys k SET rows = u.rows FROM unnest($1::int8[], $2::int8[], $3::int8[]) u(client, id, rows)"
        " WHERE k.client = u.client AND k.id = u.id", 3 },
    { "request_keys_prune", "DELETE FROM request_keys WHERE created_at < now() - make_interval(secs => $1)", 1 },
};

static int request_keys_prepare(struct fx_db *db, char *err, size_t errlen)
{
    static const Oid int8[3] = { 20, 20, 20 }, int8_arrays[3] = { 1016, 1016, 1016 };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof statements / sizeof statements[0]; i++) {
        int arrays = strncmp(statements[i].name, "request_keys_", 13) == 0
            && strcmp(statements[i].name, "request_keys_prune") != 0;
        rc = fx_db_prepare(db, statements[i].name, statements[i].sql, statements[i].nparams,
            arrays ? int8_arrays : int8, err, errlen);
    }
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

/* int8[] literals of the keys' clients and ids, and of `rows` (when
 * given): "{1,-2}" (keys are 64 bits, printed as PostgreSQL's bigint). */
struct key_arrays {
    char *a[3];
};

static void key_arrays_free(struct key_arrays *k)
{
    for (int i = 0; i < 3; i++) free(k->a[i]);
}

static int key_arrays_make(struct key_arrays *k, const struct fx_request_key *keys, const uint64_t *rows, size_t n)
{
    memset(k, 0, sizeof *k);
    int columns = rows ? 3 : 2;
    for (int c = 0; c < columns; c++) {
        char *p = k->a[c] = malloc(3 + n * 21);
        if (p == NULL) return key_arrays_free(k), -1;
        *p++ = '{';
        for (size_t i = 0; i < n; i++) {
            uint64_t v = c == 0 ? keys[i].client : c == 1 ? keys[i].id : rows[i];
            p += sprintf(p, "%s%lld", i ? "," : "", (long long)(int64_t)v);
        }
        *p++ = '}', *p = '\0';
    }
    return 0;
}

/* The index of (client, id) among keys[0..n), or n. */
static size_t key_index(const struct fx_request_key *keys, size_t n, const char *client, const char *id)
{
    uint64_t c = (uint64_t)strtoll(client, NULL, 10), d = (uint64_t)strtoll(id, NULL, 10);
    for (size_t i = 0; i < n; i++)
        if (keys[i].client == c && keys[i].id == d) return i;
    return n;
}

int fx_request_keys_claim(struct fx_db *db, const struct fx_request_key *keys, size_t n, int *replayed,
    uint64_t *rows, char *err, size_t errlen)
{
    if (n == 0) return 0;
    struct key_arrays k;
    if (key_arrays_make(&k, keys, NULL, n)) return FX_ENOMEM;
    for (size_t i = 0; i < n; i++) replayed[i] = 1, rows[i] = 0;
    const char *values[2] = { k.a[0], k.a[1] };
    /* as fx_request_key_claim: the INSERT waits for runs in flight, the
     * SELECT after it sees what they recorded */
    PGresult *res = PQexecPrepared(db->conn, "request_keys_claim", 2, values, NULL, NULL, 0);
    int rc = fx_db_rows(db, res, err, errlen);
    size_t claimed = 0;
    if (rc == 0) {
        for (int r = 0; r < PQntuples(res); r++) {
            size_t i = key_index(keys, n, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1));
            if (i < n) replayed[i] = 0, claimed++;
        }
        PQclear(res);
    }
    if (rc == 0 && claimed < n) {
        res = PQexecPrepared(db->conn, "request_keys_rows", 2, values, NULL, NULL, 0);
        rc = fx_db_rows(db, res, err, errlen);
        for (int r = 0; rc == 0 && r < PQntuples(res); r++) {
            size_t i = key_index(keys, n, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1));
            if (i < n && replayed[i]) rows[i] = (uint64_t)strtoll(PQgetvalue(res, r, 2), NULL, 10);
        }
        if (rc == 0) PQclear(res);
    }
    key_arrays_free(&k);
    return rc;
}

int fx_request_keys_record(struct fx_db *db, const struct fx_request_key *keys, const uint64_t *rows, size_t n,
    char *err, size_t errlen)
{
    if (n == 0) return 0;
    struct key_arrays k;
    if (key_arrays_make(&k, keys, rows, n)) return FX_ENOMEM;
    const char *values[3] = { k.a[0], k.a[1], k.a[2] };
    int rc = fx_db_command(db, PQexecPrepared(db->conn, "request_keys_record", 3, values, NULL, NULL, 0), NULL,
        err, errlen);
    key_arrays_free(&k);
    return rc;
}
