/*
 * One PostgreSQL connection with fx-core's session settings and prepared
 * statements. Each RPC worker owns one (the pool is the set of workers), so no
 * locking is needed around a connection.
 */
#ifndef FX_DB_H
#define FX_DB_H

#include <libpq-fe.h>
#include <stddef.h>

struct fx_db {
    PGconn *conn;
    char url[512];
    int prepared; /* statements are prepared on this session */
    char last_sqlstate[6]; /* SQLSTATE of the last failure fx_db_error saw */
};

/* Connects to `url` (a libpq URI) with the session in UTC. Returns 0, or
 * FX_EUNAVAIL with the reason in `err`. Close with fx_db_close. */
int fx_db_open(struct fx_db *db, const char *url, char *err, size_t errlen);
void fx_db_close(struct fx_db *db);

/* Makes sure the connection is usable and the statements of tick_store.c
 * are prepared, reconnecting if PostgreSQL went away. Returns 0 or an FX_E*. */
int fx_db_ensure(struct fx_db *db, char *err, size_t errlen);

/* Runs `sql` (no parameters, result discarded). Returns 0 or FX_EDB /
 * FX_EUNAVAIL with the server's message in `err`. */
int fx_db_exec(struct fx_db *db, const char *sql, char *err, size_t errlen);

/* Classifies a failed result: FX_EUNAVAIL when the connection is gone, else
 * FX_EDB; copies the message into `err` and the SQLSTATE into
 * db->last_sqlstate. Does not clear `res`. */
int fx_db_error(struct fx_db *db, const PGresult *res, char *err, size_t errlen);

/* Runs a COPY ... FROM STDIN `sql` with `len` bytes of data. */
int fx_db_copy_in(struct fx_db *db, const char *sql, const char *data, size_t len, char *err, size_t errlen);

/* SQLSTATE of a failed result, "" if none. */
const char *fx_db_sqlstate(const PGresult *res);

#endif
