#include "server/leader.h"

#include "base/errors.h"
#include "base/log.h"
#include "base/worker.h"
#include "server/core_metrics.h"

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)

struct fx_leader {
    char url[512];
    int check_ms;
    PGconn *conn; /* the thread's; holds the lock while leading */
    atomic_int leading;
    int warned; /* a failure was logged: the next ones only at debug level, until a success */
    struct fx_thread thread;
};

static void ignore_notice(void *arg, const char *message) { (void)arg, (void)message; }

static void failed(struct fx_leader *l, const char *what, const char *why)
{
    char msg[256];
    snprintf(msg, sizeof msg, "%s", why ? why : "");
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) msg[--n] = '\0';
    if (!l->warned) fx_warn("leader", "%s: %s (trying again every %d ms)", what, msg, l->check_ms);
    else fx_debug("leader", "%s: %s", what, msg);
    l->warned = 1;
}

/* A session whose end PostgreSQL notices soon: libpq keepalives for our
 * side, the server's keepalive and user-timeout settings for its side (the
 * lock lives as long as the server thinks the session does). */
static int connect_session(struct fx_leader *l)
{
    /* later keywords override what the URL (expanded from dbname) says */
    const char *keys[] = { "dbname", "application_name", "connect_timeout", "keepalives", "keepalives_idle",
        "keepalives_interval", "keepalives_count", "tcp_user_timeout", NULL };
    const char *values[] = { l->url, "fx-core leader", "5", "1", "5", "2", "3", "10000", NULL };
    l->conn = PQconnectdbParams(keys, values, 1);
    PGresult *res = NULL;
    if (l->conn && PQstatus(l->conn) == CONNECTION_OK) {
        PQsetNoticeProcessor(l->conn, ignore_notice, NULL);
        res = PQexec(l->conn, "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2;"
                              " SET tcp_keepalives_count = 3; SET tcp_user_timeout = 10000");
        if (PQresultStatus(res) == PGRES_COMMAND_OK) {
            PQclear(res);
            return 0;
        }
    }
    failed(l, "no connection for the candle leadership", l->conn ? PQerrorMessage(l->conn) : "out of memory");
    PQclear(res);
    PQfinish(l->conn);
    l->conn = NULL;
    return -1;
}

/* Runs `sql`, expecting one value; writes whether it is "t" or "1". */
static int ask(struct fx_leader *l, const char *sql, int *yes)
{
    PGresult *res = PQexec(l->conn, sql);
    int ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    if (ok) *yes = strcmp(PQgetvalue(res, 0, 0), "t") == 0 || strcmp(PQgetvalue(res, 0, 0), "1") == 0;
    else failed(l, "candle leadership check failed", PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res)
                                                                                   : PQerrorMessage(l->conn));
    PQclear(res);
    return ok ? 0 : -1;
}

/* One try (not leading) or one check (leading). Any failure drops the
 * session, so the lock is surely gone with it, and leadership too. */
static void step(struct fx_leader *l)
{
    if (l->conn == NULL && connect_session(l) != 0) return;
    int leading = atomic_load(&l->leading), yes = 0;
    int rc = leading ? ask(l, "SELECT 1", &yes)
                     : ask(l, "SELECT pg_try_advisory_lock(" STR(FX_LEADER_LOCK_KEY) ")", &yes);
    if (rc != 0) {
        PQfinish(l->conn);
        l->conn = NULL;
        if (leading) {
            atomic_store(&l->leading, 0);
            fx_core_metrics_set_leader(0);
            fx_warn("leader", "lost the candle leadership (connection to PostgreSQL failed)");
        }
        return;
    }
    l->warned = 0;
    if (!leading && yes) {
        atomic_store(&l->leading, 1);
        fx_core_metrics_set_leader(1);
        fx_info("leader", "this core is the candle leader now: it closes the candles of every core");
    }
}

static void leader_main(void *arg)
{
    struct fx_leader *l = arg;
    int wait_ms = 0; /* the first try at once */
    while (!fx_thread_wait_ms(&l->thread, wait_ms)) {
        step(l);
        wait_ms = l->check_ms;
    }
    if (atomic_load(&l->leading)) fx_info("leader", "stopping: the candle leadership is free for another core");
    atomic_store(&l->leading, 0);
    fx_core_metrics_set_leader(0);
    PQfinish(l->conn); /* the session's end frees the lock */
    l->conn = NULL;
}

int fx_leader_start(struct fx_leader **out, const char *database_url, int check_ms, char *err, size_t errlen)
{
    struct fx_leader *l = calloc(1, sizeof *l);
    if (l == NULL) {
        snprintf(err, errlen, "out of memory");
        return FX_ENOMEM;
    }
    snprintf(l->url, sizeof l->url, "%s", database_url);
    l->check_ms = check_ms > 0 ? check_ms : 1000;
    if (fx_thread_start(&l->thread, leader_main, l) != 0) {
        snprintf(err, errlen, "cannot start the candle leadership thread");
        free(l);
        return FX_ENOMEM;
    }
    *out = l;
    return 0;
}

void fx_leader_stop(struct fx_leader *l)
{
    if (l == NULL) return;
    fx_thread_stop(&l->thread);
    free(l);
}

int fx_leader_is(const struct fx_leader *l) { return l != NULL && atomic_load(&((struct fx_leader *)l)->leading); }
