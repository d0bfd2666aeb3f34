/* Candle leadership: of two contenders on one database exactly one leads, and
 * another takes over when the leader stops or its session ends. */
#include "server/leader.h"

#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

TestSuite(leader, .timeout = 60);

#define CHECK_MS 200

static const char *database_url(void)
{
    const char *url = getenv("DATABASE_URL");
    if (url == NULL) cr_assert_fail("DATABASE_URL is not set: run the tests with ./scripts/test.sh");
    return url;
}

static struct fx_leader *start(void)
{
    struct fx_leader *l;
    char err[256];
    cr_assert_eq(fx_leader_start(&l, database_url(), CHECK_MS, err, sizeof err), 0, "%s", err);
    return l;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits up to `ms` for exactly `want` to lead and `other` (may be NULL) not. */
static int wait_leads(struct fx_leader *want, struct fx_leader *other, int ms)
{
    for (int64_t until = mono_ms() + ms; mono_ms() < until; usleep(20000))
        if (fx_leader_is(want) && !fx_leader_is(other)) return 1;
    return 0;
}

/* Whichever of the two leads within `ms`, or NULL. */
static struct fx_leader *wait_either(struct fx_leader *a, struct fx_leader *b, int ms)
{
    for (int64_t until = mono_ms() + ms; mono_ms() < until; usleep(20000)) {
        int la = fx_leader_is(a), lb = fx_leader_is(b);
        cr_assert(!(la && lb), "two leaders at once");
        if (la || lb) return la ? a : b;
    }
    return NULL;
}

Test(leader, exactly_one_of_two_leads_and_stopping_it_hands_leadership_to_the_other)
{
    struct fx_leader *a = start(), *b = start();
    struct fx_leader *first = wait_either(a, b, 3000);
    cr_assert_not_null(first, "nobody leads after 3 s");
    struct fx_leader *second = first == a ? b : a;
    /* the other keeps trying (every CHECK_MS) and keeps failing */
    for (int64_t until = mono_ms() + 5 * CHECK_MS; mono_ms() < until; usleep(20000)) {
        cr_assert(fx_leader_is(first), "the leader stays leader");
        cr_assert_not(fx_leader_is(second), "one leader at a time");
    }
    int64_t stopped = mono_ms();
    fx_leader_stop(first);
    cr_assert(wait_leads(second, NULL, 3000), "the other leads within 3 s of the leader's stop");
    cr_log_info("taken over in %lld ms", (long long)(mono_ms() - stopped));
    fx_leader_stop(second);
    cr_assert_not(fx_leader_is(NULL));
}

/* The leader's session ends (as when PostgreSQL drops it after the node
 * vanished): it is not leader any more, until one of the two (it after
 * reconnecting, or the other) takes the free lock. */
Test(leader, a_leader_whose_session_ends_loses_leadership_until_one_takes_the_lock_again)
{
    struct fx_leader *a = start();
    cr_assert(wait_leads(a, NULL, 3000), "a lone contender leads");
    struct fx_leader *b = start();
    usleep(3 * CHECK_MS * 1000);
    cr_assert(fx_leader_is(a) && !fx_leader_is(b));

    PGconn *pg = PQconnectdb(database_url());
    cr_assert_eq(PQstatus(pg), CONNECTION_OK, "%s", PQerrorMessage(pg));
    char sql[512];
    snprintf(sql, sizeof sql,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND classid::int8 = %lld >> 32 AND objid::int8 = %lld & 4294967295 AND objsubid = 1",
        (long long)FX_LEADER_LOCK_KEY, (long long)FX_LEADER_LOCK_KEY);
    PGresult *res = PQexec(pg, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    cr_assert_str_eq(PQgetvalue(res, 0, 0), "1", "one session holds the leader's lock");
    PQclear(res);
    PQfinish(pg);

    int lost = 0;
    for (int64_t until = mono_ms() + 3000; mono_ms() < until && !lost; usleep(5000)) lost = !fx_leader_is(a);
    cr_assert(lost, "the leader noticed its session's end within 3 s");
    struct fx_leader *now = wait_either(a, b, 3000);
    cr_assert_not_null(now, "a leader again within 3 s");
    usleep(3 * CHECK_MS * 1000);
    cr_assert(fx_leader_is(now) && !fx_leader_is(now == a ? b : a), "one leader, and it stays");
    fx_leader_stop(a);
    fx_leader_stop(b);
}
