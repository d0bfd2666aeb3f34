#include "server/db.h"

#include "base/errors.h"
#include "base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_message(char *err, size_t errlen, const char *msg)
{
    if (err == NULL || errlen == 0) return;
    snprintf(err, errlen, "%s", msg ? msg : "");
    /* libpq messages end in a newline; one log line per event */
    size_t n = strlen(err);
    while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' ')) err[--n] = '\0';
}

/* The settings of every session: fx_db_open's, and again after PQreset,
 * whose new session has none of them. */
static int session_settings(struct fx_db *db, char *err, size_t errlen)
{
    int rc = fx_db_exec(db, "SET TIME ZONE 'UTC'", err, errlen);
    /* A generic plan over the partitioned ticks table locks every partition
     * at each execution (PostgreSQL 15 prunes only after locking): with a
     * few hundred daily partitions that quadrupled a one-row read. Custom
     * plans prune at planning time and touch only the partitions in range. */
    if (rc == 0) rc = fx_db_exec(db, "SET plan_cache_mode = force_custom_plan", err, errlen);
    return rc;
}

static struct fx_db_setup *setups, **setups_tail = &setups;

void fx_db_register_setup(struct fx_db_setup *setup)
{
    setup->next = NULL;
    *setups_tail = setup;
    setups_tail = &setup->next;
}

/* Runs the stores' setups. DEALLOCATE first: an earlier attempt on this
 * session (before the migrations ran, say) may have prepared some. */
static int setup_session(struct fx_db *db, char *err, size_t errlen)
{
    int rc = session_settings(db, err, errlen);
    if (rc == 0) rc = fx_db_exec(db, "DEALLOCATE ALL", err, errlen);
    for (const struct fx_db_setup *s = setups; rc == 0 && s; s = s->next) rc = s->prepare(db, err, errlen);
    db->prepared = rc == 0;
    return rc;
}

/* PostgreSQL's NOTICEs ("relation ... already exists, skipping") are
 * expected chatter: log them at debug level, one line each. */
static void log_notice(void *arg, const char *message)
{
    (void)arg;
    fx_debug("db", "%s", message);
}

int fx_db_open(struct fx_db *db, const char *url, char *err, size_t errlen)
{
    char copy[sizeof db->url]; /* `url` may be db->url itself (reconnects) */
    snprintf(copy, sizeof copy, "%s", url);
    memset(db, 0, sizeof *db);
    memcpy(db->url, copy, sizeof copy);
    db->conn = PQconnectdb(db->url);
    if (db->conn == NULL) {
        copy_message(err, errlen, "out of memory");
        return FX_ENOMEM;
    }
    if (PQstatus(db->conn) != CONNECTION_OK) {
        copy_message(err, errlen, PQerrorMessage(db->conn));
        return FX_EUNAVAIL;
    }
    PQsetNoticeProcessor(db->conn, log_notice, NULL);
    /* Statements are prepared by fx_db_ensure: the migrations that create
     * their tables run on a connection opened here first. */
    return session_settings(db, err, errlen);
}

void fx_db_close(struct fx_db *db)
{
    if (db->conn) PQfinish(db->conn);
    db->conn = NULL;
}

int fx_db_ensure(struct fx_db *db, char *err, size_t errlen)
{
    if (db->conn == NULL) {
        int rc = fx_db_open(db, db->url, err, errlen);
        if (rc) {
            fx_db_close(db); /* keep the URL, drop the failed connection */
            return rc;
        }
    }
    if (PQstatus(db->conn) == CONNECTION_OK && db->prepared) return 0;
    if (PQstatus(db->conn) != CONNECTION_OK) {
        PQreset(db->conn);
        if (PQstatus(db->conn) != CONNECTION_OK) {
            copy_message(err, errlen, PQerrorMessage(db->conn));
            return FX_EUNAVAIL;
        }
        fx_info("db", "reconnected to PostgreSQL");
    }
    return setup_session(db, err, errlen);
}

const char *fx_db_sqlstate(const PGresult *res)
{
    const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return s ? s : "";
}

int fx_db_error(struct fx_db *db, const PGresult *res, char *err, size_t errlen)
{
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    if (msg == NULL || *msg == '\0') msg = PQerrorMessage(db->conn);
    copy_message(err, errlen, msg);
    snprintf(db->last_sqlstate, sizeof db->last_sqlstate, "%s", fx_db_sqlstate(res));
    if (PQstatus(db->conn) != CONNECTION_OK) {
        db->prepared = 0;
        return FX_EUNAVAIL;
    }
    return FX_EDB;
}

int fx_db_rows(struct fx_db *db, PGresult *res, char *err, size_t errlen)
{
    if (PQresultStatus(res) == PGRES_TUPLES_OK) return 0;
    int rc = fx_db_error(db, res, err, errlen);
    PQclear(res);
    return rc;
}

int fx_db_prepare(struct fx_db *db, const char *name, const char *sql, int nparams, const Oid *types, char *err,
    size_t errlen)
{
    PGresult *res = PQprepare(db->conn, name, sql, nparams, types);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : fx_db_error(db, res, err, errlen);
    PQclear(res);
    return rc;
}

int fx_db_command(struct fx_db *db, PGresult *res, uint64_t *affected, char *err, size_t errlen)
{
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = fx_db_error(db, res, err, errlen);
    else if (affected)
        *affected = strtoull(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return rc;
}

int fx_db_exec(struct fx_db *db, const char *sql, char *err, size_t errlen)
{
    PGresult *res = PQexec(db->conn, sql);
    int st = PQresultStatus(res);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) rc = fx_db_error(db, res, err, errlen);
    PQclear(res);
    return rc;
}

int fx_db_copy_in(struct fx_db *db, const char *sql, const char *data, size_t len, char *err, size_t errlen)
{
    PGresult *res = PQexec(db->conn, sql);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COPY_IN) rc = fx_db_error(db, res, err, errlen);
    PQclear(res);
    if (rc) return rc;
    if (PQputCopyData(db->conn, data, (int)len) != 1 || PQputCopyEnd(db->conn, NULL) != 1)
        rc = fx_db_error(db, NULL, err, errlen);
    /* drain the COPY's result(s), also after a failure */
    while ((res = PQgetResult(db->conn)) != NULL) {
        if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK) rc = fx_db_error(db, res, err, errlen);
        PQclear(res);
    }
    return rc;
}
