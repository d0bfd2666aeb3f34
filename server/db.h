/*
 * One PostgreSQL connection with fx-core's session settings and prepared
 * statements. Each RPC worker owns one (the pool is the set of workers), so no
 * locking is needed around a connection.
 */
#ifndef FX_DB_H
#define FX_DB_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

struct fx_db {
    PGconn *conn;
    char url[512];
    int prepared; /* statements are prepared on this session */
    char last_sqlstate[6]; /* SQLSTATE of the last failure fx_db_error saw */
};

/*
 * What a store does on every new session (prepared statements, temporary
 * tables), registered by the store itself (FX_DB_SETUP), so that this module
 * knows no store. Run in the order registered, after DEALLOCATE ALL.
 */
struct fx_db_setup {
    const char *name;
    int (*prepare)(struct fx_db *db, char *err, size_t errlen);
    struct fx_db_setup *next;
};

/* Adds a setup; called before main (FX_DB_SETUP), never concurrently. */
void fx_db_register_setup(struct fx_db_setup *setup);

/* Registers `fn` as the session setup of the file it appears in. */
#define FX_DB_SETUP(fn)                                                             \
    static struct fx_db_setup fx_db_setup_##fn = { #fn, fn, NULL };                 \
    __attribute__((constructor)) static void fx_db_setup_register_##fn(void)        \
    {                                                                               \
        fx_db_register_setup(&fx_db_setup_##fn);                                    \
    }

/* Connects to `url` (a libpq URI) with the session in UTC. Returns 0, or
 * FX_EUNAVAIL with the reason in `err`. Close with fx_db_close. */
int fx_db_open(struct fx_db *db, const char *url, char *err, size_t errlen);
void fx_db_close(struct fx_db *db);

/* Makes sure the connection is usable and every registered setup ran on
 * its session, reconnecting if PostgreSQL went away. Returns 0 or an FX_E*. */
int fx_db_ensure(struct fx_db *db, char *err, size_t errlen);

/* Runs `sql` (no parameters, result discarded). Returns 0 or FX_EDB /
 * FX_EUNAVAIL with the server's message in `err`. */
int fx_db_exec(struct fx_db *db, const char *sql, char *err, size_t errlen);

/* Classifies a failed result: FX_EUNAVAIL when the connection is gone, else
 * FX_EDB; copies the message into `err` and the SQLSTATE into
 * db->last_sqlstate. Does not clear `res`. */
int fx_db_error(struct fx_db *db, const PGresult *res, char *err, size_t errlen);

/* Whether `res` holds rows (PGRES_TUPLES_OK): 0, or, after clearing it,
 * fx_db_error's code with the message in `err`. */
int fx_db_rows(struct fx_db *db, PGresult *res, char *err, size_t errlen);

/* Prepares statement `name` on the session (types may be NULL). */
int fx_db_prepare(struct fx_db *db, const char *name, const char *sql, int nparams, const Oid *types, char *err,
    size_t errlen);

/* Takes the result of a data-modifying statement: 0 with *affected (when
 * not NULL) its row count, or fx_db_error's code. Clears `res`. */
int fx_db_command(struct fx_db *db, PGresult *res, uint64_t *affected, char *err, size_t errlen);

/* Runs a COPY ... FROM STDIN `sql` with `len` bytes of data. */
int fx_db_copy_in(struct fx_db *db, const char *sql, const char *data, size_t len, char *err, size_t errlen);

/* SQLSTATE of a failed result, "" if none. */
const char *fx_db_sqlstate(const PGresult *res);

#endif
