/*
 * Redis Streams ingestion against real Redis and PostgreSQL: entries become
 * ticks, candles and live events; malformed ones go to the dead-letter
 * stream; pending and abandoned entries are picked up; lost connections,
 * restarts of Redis and PostgreSQL and a SIGKILL of the core in the middle
 * of a stream lose and duplicate nothing.
 */
#include "tests/support/fixture.h"

#include "server/config.h"
#include "server/db.h"
#include "server/server.h"
#include "fx/v1/events.pb-c.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <hiredis/hiredis.h>
#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char stream[64], group[32], consumer[32], dead[80];

static void name_streams(void)
{
    snprintf(stream, sizeof stream, "fx:test:%d", (int)getpid());
    snprintf(group, sizeof group, "g%d", (int)getpid());
    snprintf(consumer, sizeof consumer, "c%d", (int)getpid());
    snprintf(dead, sizeof dead, "%s:dead", stream);
}

static void use_test_streams(struct fx_config *cfg)
{
    snprintf(cfg->redis_stream, sizeof cfg->redis_stream, "%s", stream);
    snprintf(cfg->redis_group, sizeof cfg->redis_group, "%s", group);
    snprintf(cfg->redis_consumer, sizeof cfg->redis_consumer, "%s", consumer);
    snprintf(cfg->dead_letter_stream, sizeof cfg->dead_letter_stream, "%s", dead);
    cfg->ingest_enabled = 1;
    cfg->ingest_block_ms = 100;
    cfg->ingest_claim_idle_ms = 200;
}

static void start_ingesting(void) { fx_fixture_start_with(use_test_streams); }

static redisContext *redis_ctx;

static redisContext *redis(void)
{
    if (redis_ctx == NULL) {
        const char *url = getenv("REDIS_URL");
        cr_assert_not_null(url, "REDIS_URL is not set");
        int port = 6379;
        const char *colon = strrchr(url, ':');
        if (colon) port = atoi(colon + 1);
        redis_ctx = redisConnect("127.0.0.1", port);
        cr_assert(redis_ctx && !redis_ctx->err, "redis: %s", redis_ctx ? redis_ctx->errstr : "no memory");
    }
    return redis_ctx;
}

/* After a Redis restart: the next redis() connects again. */
static void redis_forget(void)
{
    if (redis_ctx) redisFree(redis_ctx);
    redis_ctx = NULL;
}

static long long redis_int(const char *fmt, const char *a, const char *b)
{
    redisReply *r = redisCommand(redis(), fmt, a, b);
    cr_assert_not_null(r);
    long long v = r->type == REDIS_REPLY_INTEGER ? r->integer
        : r->type == REDIS_REPLY_ARRAY && r->elements > 0 && r->element[0]->type == REDIS_REPLY_INTEGER
        ? r->element[0]->integer
        : -1;
    freeReplyObject(r);
    return v;
}

static void xadd(const char *symbol, const char *time, const char *price)
{
    redisReply *r = redisCommand(redis(), "XADD %s * symbol %s time %s price %s", stream, symbol, time, price);
    cr_assert(r && r->type == REDIS_REPLY_STRING, "XADD: %s", r ? r->str : redis()->errstr);
    freeReplyObject(r);
}

/* Waits up to `seconds` for `symbol` to hold `count` ticks. */
static long long wait_for_ticks(const char *symbol, long long count, int seconds)
{
    long long n = 0;
    for (int i = 0; i < seconds * 20; i++) {
        n = fx_test_count_ticks(symbol);
        if (n >= count) break;
        usleep(50000);
    }
    return n;
}

TestSuite(ingest, .init = name_streams, .fini = fx_fixture_stop, .timeout = 120);

Test(ingest, stream_entries_become_ticks_candles_and_live_events)
{
    start_ingesting();
    char sym[17];
    fx_test_symbol(sym, "IN");
    nng_socket sub;
    cr_assert_eq(nng_sub0_open(&sub), 0);
    cr_assert_eq(nng_socket_set(sub, NNG_OPT_SUB_SUBSCRIBE, "tick.", 5), 0);
    cr_assert_eq(nng_dial(sub, fx_test_feed_url(), NULL, 0), 0);
    nng_socket_set_ms(sub, NNG_OPT_RECVTIMEO, 5000);
    usleep(100000); /* let the subscription reach the publisher */

    xadd(sym, "2025-12-05T10:00:00.5Z", "1.085");
    xadd(sym, "2025-12-05T12:00:01+02:00", "1.086"); /* an offset */
    xadd(sym, "1764928802", "1.087"); /* Unix seconds: 10:00:02Z */
    xadd(sym, "1764928803250", "1.084"); /* milliseconds */
    cr_assert_eq(wait_for_ticks(sym, 4, 10), 4);
    double price;
    cr_assert(fx_test_stored_price(sym, 1764928803250000LL, &price));
    cr_assert_eq(price, 1.084);

    fxc_candle_query q = { .symbol = sym, .resolution = "1m", .start_us = 1764928800000000LL,
        .end_us = 1764928860000000LL, .limit = 10 };
    fxc_candle *c;
    size_t n;
    fxc_err e;
    cr_assert_eq(fxc_candles_get(fx_test_client, &q, &c, &n, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(n, 1);
    cr_assert_eq(c[0].tick_count, 4);
    cr_assert_eq(c[0].open, 1.085);
    cr_assert_eq(c[0].close, 1.084);
    cr_assert_eq(c[0].high, 1.087);
    fxc_candles_free(c);

    /* one message per tick, or one TickBatch for ticks stored by one commit */
    int seen = 0;
    while (seen < 4) {
        char *buf;
        size_t len;
        cr_assert_eq(nng_recv(sub, &buf, &len, NNG_FLAG_ALLOC), 0, "live tick %d", seen);
        size_t tlen = strnlen(buf, len);
        cr_assert_lt(tlen, len, "topic, NUL, event");
        char topic[40];
        snprintf(topic, sizeof topic, "tick.%s", sym);
        cr_assert_str_eq(buf, topic);
        Fx__V1__LiveEvent *ev = fx__v1__live_event__unpack(NULL, len - tlen - 1, (uint8_t *)buf + tlen + 1);
        cr_assert_not_null(ev);
        if (ev->event_case == FX__V1__LIVE_EVENT__EVENT_TICKS) {
            cr_assert_gt(ev->ticks->n_ticks, 1, "a batch of one is sent as a Tick");
            for (size_t k = 0; k < ev->ticks->n_ticks; k++) cr_assert_str_eq(ev->ticks->ticks[k]->symbol, sym);
            seen += (int)ev->ticks->n_ticks;
        } else {
            cr_assert_eq(ev->event_case, FX__V1__LIVE_EVENT__EVENT_TICK);
            cr_assert_str_eq(ev->tick->symbol, sym);
            seen++;
        }
        fx__v1__live_event__free_unpacked(ev, NULL);
        nng_free(buf, len);
    }
    cr_assert_eq(seen, 4);
    nng_close(sub);
    cr_assert_eq(redis_int("XPENDING %s %s", stream, group), 0, "every entry is acknowledged");
}

Test(ingest, malformed_entries_go_to_the_dead_letter_stream_and_never_block)
{
    start_ingesting();
    char sym[17];
    fx_test_symbol(sym, "DLQ");
    xadd(sym, "2025-12-05T10:00:00Z", "NaN");
    xadd("EUR USD", "2025-12-05T10:00:00Z", "1.1");
    xadd(sym, "yesterday", "1.1");
    xadd(sym, "2025-12-05T10:00:01Z", "-3");
    redisReply *r = redisCommand(redis(), "XADD %s * symbol %s time 2025-12-05T10:00:02Z", stream, sym);
    freeReplyObject(r);
    xadd(sym, "2025-12-05T10:00:03Z", "1.1"); /* a good one after them all */
    cr_assert_eq(wait_for_ticks(sym, 1, 10), 1);
    long long dead_entries = 0;
    for (int i = 0; i < 100 && dead_entries < 5; i++, usleep(50000)) dead_entries = redis_int("XLEN %s", dead, NULL);
    cr_assert_eq(dead_entries, 5);
    r = redisCommand(redis(), "XRANGE %s - + COUNT 10", dead);
    cr_assert(r && r->type == REDIS_REPLY_ARRAY && r->elements == 5);
    int reasons = 0;
    for (size_t i = 0; i < r->elements; i++) {
        redisReply *f = r->element[i]->element[1];
        for (size_t k = 0; k + 1 < f->elements; k += 2)
            if (strcmp(f->element[k]->str, "reason") == 0 && strlen(f->element[k + 1]->str) > 5) reasons++;
    }
    freeReplyObject(r);
    cr_assert_eq(reasons, 5, "every dead letter says why");
    cr_assert_eq(redis_int("XPENDING %s %s", stream, group), 0);
}

/* A tick of a day retention sealed cannot be stored: it is dead-lettered
 * with the reason, and the ticks around it are stored. */
Test(ingest, ticks_of_a_sealed_day_are_dead_lettered_and_the_rest_stored)
{
    PGresult *res = PQexec(fx_test_pg(), "INSERT INTO tick_days (day, state, ticks, raw_bytes, compact_bytes)"
                                         " VALUES ('1990-01-02', 'sealed', 1, 0, 0) ON CONFLICT DO NOTHING");
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQerrorMessage(fx_test_pg()));
    PQclear(res);
    start_ingesting();
    char sym[17];
    fx_test_symbol(sym, "SEAL");
    xadd(sym, "2025-12-05T10:00:00Z", "1.1");
    xadd(sym, "1990-01-02T10:00:00Z", "1.2");
    xadd(sym, "2025-12-05T10:00:01Z", "1.3");
    cr_assert_eq(wait_for_ticks(sym, 2, 10), 2);
    long long dead_entries = 0;
    for (int i = 0; i < 100 && dead_entries < 1; i++, usleep(50000)) dead_entries = redis_int("XLEN %s", dead, NULL);
    cr_assert_eq(dead_entries, 1);
    redisReply *r = redisCommand(redis(), "XRANGE %s - +", dead);
    cr_assert(r && r->type == REDIS_REPLY_ARRAY && r->elements == 1);
    redisReply *f = r->element[0]->element[1];
    int said = 0;
    for (size_t k = 0; k + 1 < f->elements; k += 2)
        if (strcmp(f->element[k]->str, "reason") == 0 && strstr(f->element[k + 1]->str, "sealed")) said = 1;
    freeReplyObject(r);
    cr_assert(said, "the dead letter says the day is sealed");
    for (int i = 0; i < 40 && redis_int("XPENDING %s %s", stream, group) != 0; i++) usleep(50000);
    cr_assert_eq(redis_int("XPENDING %s %s", stream, group), 0);
    cr_assert_eq(fx_test_count_ticks(sym), 2);
}

/* Other fields are ignored however many come before the tick's: an entry
 * with 20 extra pairs first is stored, not dead-lettered as incomplete. */
Test(ingest, an_entry_with_many_other_fields_first_is_stored)
{
    start_ingesting();
    char sym[17];
    fx_test_symbol(sym, "MANY");
    const char *argv[4 + 40 + 6];
    char names[20][16];
    int argc = 0;
    argv[argc++] = "XADD", argv[argc++] = stream, argv[argc++] = "*";
    for (int i = 0; i < 20; i++) {
        snprintf(names[i], sizeof names[i], "extra%d", i);
        argv[argc++] = names[i], argv[argc++] = "x";
    }
    argv[argc++] = "symbol", argv[argc++] = sym, argv[argc++] = "time", argv[argc++] = "2025-12-05T10:00:00Z";
    argv[argc++] = "price", argv[argc++] = "1.25";
    redisReply *r = redisCommandArgv(redis(), argc, argv, NULL);
    cr_assert(r && r->type == REDIS_REPLY_STRING, "XADD failed");
    freeReplyObject(r);
    cr_assert_eq(wait_for_ticks(sym, 1, 10), 1, "stored");
    cr_assert_eq(redis_int("XLEN %s", dead, NULL), 0, "nothing dead-lettered");
}

/* `n` entries of `sym` read by `reader` of our group and never acknowledged. */
static void leave_pending(const char *sym, int n, const char *reader)
{
    redisReply *r = redisCommand(redis(), "XGROUP CREATE %s %s 0 MKSTREAM", stream, group);
    freeReplyObject(r);
    for (int i = 0; i < n; i++) {
        char t[40];
        snprintf(t, sizeof t, "2025-12-05T10:00:0%dZ", i);
        xadd(sym, t, "1.1");
    }
    r = redisCommand(redis(), "XREADGROUP GROUP %s %s COUNT 100 STREAMS %s >", group, reader, stream);
    freeReplyObject(r);
}

Test(ingest, own_pending_entries_are_read_again_at_start)
{
    char sym[17];
    fx_test_symbol(sym, "PEND");
    /* delivered to our consumer name, never acknowledged: a crash after reading */
    leave_pending(sym, 5, consumer);
    cr_assert_eq(redis_int("XPENDING %s %s", stream, group), 5);
    start_ingesting();
    cr_assert_eq(wait_for_ticks(sym, 5, 10), 5);
}

Test(ingest, entries_left_by_a_dead_consumer_are_taken_over, .timeout = 60)
{
    char sym[17];
    fx_test_symbol(sym, "CLM");
    leave_pending(sym, 3, "dead-consumer");
    start_ingesting();
    cr_assert_eq(wait_for_ticks(sym, 3, 20), 3);
}

static void xadd_many(const char *sym, int first, int count)
{
    for (int i = first; i < first + count; i++) {
        char t[40];
        snprintf(t, sizeof t, "%.6f", 1764892800.0 + i * 0.01);
        redisAppendCommand(redis(), "XADD %s * symbol %s time %s price 1.1", stream, sym, t);
    }
    for (int i = 0; i < count; i++) {
        redisReply *r;
        cr_assert_eq(redisGetReply(redis(), (void **)&r), REDIS_OK);
        cr_assert_eq(r->type, REDIS_REPLY_STRING, "XADD: %s", r->type == REDIS_REPLY_ERROR ? r->str : "?");
        freeReplyObject(r);
    }
}

/* Trimming runs every 5 s; entries another consumer group has not read
 * yet are kept, and trimmed once nobody needs them. */
Test(ingest, acknowledged_entries_are_trimmed_unless_another_group_still_needs_them, .timeout = 60)
{
    char sym[17];
    fx_test_symbol(sym, "TRIM");
    redisReply *r = redisCommand(redis(), "XGROUP CREATE %s other 0 MKSTREAM", stream);
    cr_assert(r && r->type == REDIS_REPLY_STATUS, "XGROUP CREATE: %s", r && r->str ? r->str : "?");
    freeReplyObject(r);
    xadd_many(sym, 0, 1000);
    start_ingesting();
    cr_assert_eq(wait_for_ticks(sym, 1000, 20), 1000);
    sleep(6); /* a maintenance round after the ticks were acknowledged */
    cr_assert_eq(redis_int("XLEN %s", stream, NULL), 1000, "the other group has read none of them");
    r = redisCommand(redis(), "XGROUP DESTROY %s other", stream);
    freeReplyObject(r);
    long long left = 1000;
    for (int i = 0; i < 80 && left >= 1000; i++) {
        usleep(100000);
        left = redis_int("XLEN %s", stream, NULL);
    }
    /* MINID ~ trims whole stream nodes (100 entries): most, maybe not all */
    cr_assert_lt(left, 200, "%lld entries left after the other group went away", left);
}

Test(ingest, losing_redis_and_postgresql_connections_mid_stream_loses_nothing, .timeout = 120)
{
    enum { CHUNK = 5000, CHUNKS = 4 };
    start_ingesting();
    char sym[17];
    fx_test_symbol(sym, "FAULT");
    for (int k = 0; k < CHUNKS; k++) {
        xadd_many(sym, k * CHUNK, CHUNK);
        usleep(100000);
        /* drop every other client of Redis (the core's reader among them) */
        redisReply *r = redisCommand(redis(), "CLIENT KILL TYPE normal SKIPME yes");
        freeReplyObject(r);
        /* and every other session of the database (the core's workers and reader) */
        long long killed = fx_test_sql_int("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                           " WHERE datname = current_database() AND pid <> pg_backend_pid()");
        (void)killed;
    }
    long long n = wait_for_ticks(sym, CHUNK * CHUNKS, 60);
    cr_assert_eq(n, CHUNK * CHUNKS, "every entry stored once (%lld)", n);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT sum(tick_count) FROM candles_1h WHERE symbol = '%s'", sym);
    cr_assert_eq(fx_test_sql_int(sql), CHUNK * CHUNKS, "and counted once in the candles");
    long long pending = -1;
    for (int i = 0; i < 100 && pending != 0; i++, usleep(50000)) pending = redis_int("XPENDING %s %s", stream, group);
    cr_assert_eq(pending, 0);
}

/* Runs `cmd` with /bin/sh; returns its exit status. The servers it starts
 * outlive this test, so they must not inherit our descriptors (the socket to
 * Redis, Criterion's pipes): all but stdin, stdout and stderr are closed. */
static int run_command(const char *cmd)
{
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        closefrom(3);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) == -1)
        cr_assert_eq(errno, EINTR);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* After a PostgreSQL restart: our own connection again, and a session of the
 * core's kind (`db`), which must come back with its settings, not only with
 * its prepared statements. */
static void reconnect_pg(struct fx_db *db)
{
    PQreset(fx_test_pg());
    cr_assert_eq(PQstatus(fx_test_pg()), CONNECTION_OK, "%s", PQerrorMessage(fx_test_pg()));
    char err[512];
    fx_db_exec(db, "SELECT 1", err, sizeof err); /* finds the session gone */
    cr_assert_eq(fx_db_ensure(db, err, sizeof err), 0, "%s", err);
    PGresult *res
        = PQexec(db->conn, "SELECT current_setting('plan_cache_mode') || ' ' || current_setting('TimeZone')");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    cr_assert_str_eq(PQgetvalue(res, 0, 0), "force_custom_plan UTC", "settings of a reconnected session");
    PQclear(res);
}

/*
 * The servers themselves restarted while the core consumes the stream, two
 * times each: PostgreSQL stopped with -m immediate (a crash to its clients:
 * the open transaction is cut off, and a COMMIT in flight may or may not
 * have been applied), Redis with SIGTERM and started again from its
 * append-only file (entries read but not yet acknowledged stay pending).
 * The commands are scripts/test.sh's, for its own throwaway servers.
 */
Test(ingest, restarting_the_postgresql_and_redis_servers_mid_stream_loses_nothing, .timeout = 120)
{
    const char *restart_pg = getenv("FX_TEST_PG_RESTART"), *restart_redis = getenv("FX_TEST_REDIS_RESTART");
    if (!restart_pg || !*restart_pg || !restart_redis || !*restart_redis)
        cr_skip("FX_TEST_PG_RESTART and FX_TEST_REDIS_RESTART are not set: not restarting servers that may"
                " not be ours (scripts/test.sh sets them for its own)");
    enum { CHUNK = 20000, ROUNDS = 4 };
    start_ingesting();
    char sym[17], err[512];
    fx_test_symbol(sym, "RESTART");
    struct fx_db db = { .conn = NULL };
    snprintf(db.url, sizeof db.url, "%s", getenv("DATABASE_URL"));
    cr_assert_eq(fx_db_ensure(&db, err, sizeof err), 0, "%s", err);
    for (int k = 0; k < ROUNDS; k++) {
        int pg = k % 2 == 0;
        xadd_many(sym, k * CHUNK, CHUNK);
        /* as soon as the core is storing this chunk */
        long long stored = 0;
        for (int i = 0; i < 3000 && stored <= k * CHUNK; i++, usleep(5000)) stored = fx_test_count_ticks(sym);
        cr_assert_gt(stored, k * CHUNK, "round %d: the core stores nothing", k);
        cr_assert_eq(run_command(pg ? restart_pg : restart_redis), 0, "%s failed",
            pg ? "FX_TEST_PG_RESTART" : "FX_TEST_REDIS_RESTART");
        if (pg)
            reconnect_pg(&db);
        else
            redis_forget();
        stored = fx_test_count_ticks(sym);
        cr_log_info("round %d: %s restarted with %lld of %d stored", k, pg ? "PostgreSQL" : "Redis", stored,
            (k + 1) * CHUNK);
        cr_assert_lt(stored, (k + 1) * CHUNK, "round %d: the restart came after the chunk was stored", k);
    }
    long long n = wait_for_ticks(sym, CHUNK * ROUNDS, 60);
    cr_assert_eq(n, CHUNK * ROUNDS, "every entry stored once (%lld)", n);
    static const char *const tables[] = { "candles_1m", "candles_1h", "candles_1d" };
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT sum(tick_count) FROM %s WHERE symbol = '%s'", tables[i], sym);
        cr_assert_eq(fx_test_sql_int(sql), CHUNK * ROUNDS, "%s counts every tick once", tables[i]);
    }
    long long pending = -1;
    for (int i = 0; i < 100 && pending != 0; i++, usleep(50000))
        pending = redis_int("XPENDING %s %s", stream, group);
    cr_assert_eq(pending, 0, "nothing left pending");
    cr_assert_eq(redis_int("XLEN %s", dead, NULL), 0, "nothing dead-lettered");
    fx_db_close(&db);
}

#ifdef FX_BIN_DIR
static pid_t spawn_core(const char *const *env)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        for (const char *const *e = env; *e; e++) putenv((char *)*e);
        execl(FX_BIN_DIR "/fx-core", "fx-core", (char *)NULL);
        _exit(127);
    }
    return pid;
}

Test(ingest, a_sigkill_in_the_middle_of_100000_entries_loses_and_duplicates_nothing, .timeout = 300)
{
    enum { TOTAL = 100000 };
    char sym[17];
    fx_test_symbol(sym, "KILL");
    /* the entries first (pipelined), then a core that is killed while reading them */
    xadd_many(sym, 0, TOTAL);
    char e_stream[96], e_group[64], e_consumer[64], e_rpc[64], e_feed[64];
    snprintf(e_stream, sizeof e_stream, "REDIS_STREAM=%s", stream);
    snprintf(e_group, sizeof e_group, "REDIS_GROUP=%s", group);
    snprintf(e_consumer, sizeof e_consumer, "REDIS_CONSUMER=%s", consumer);
    snprintf(e_rpc, sizeof e_rpc, "FX_RPC_URL=ipc:///tmp/fx-kill-%d.rpc", (int)getpid());
    snprintf(e_feed, sizeof e_feed, "FX_FEED_URL=ipc:///tmp/fx-kill-%d.feed", (int)getpid());
    const char *env[] = { e_stream, e_group, e_consumer, e_rpc, e_feed, "INGEST_BATCH=1000", "LOG_LEVEL=warn", NULL };
    /* the schema first, so that counting works before the core is up */
    struct fx_config cfg;
    char err[512];
    cr_assert_eq(fx_config_load(&cfg, err, sizeof err), 0, "%s", err);
    cr_assert_eq(fx_server_migrate(&cfg, NULL, err, sizeof err), 0, "%s", err);
    pid_t core = spawn_core(env);
    long long stored = 0;
    for (int i = 0; i < 3000 && stored < TOTAL / 5; i++, usleep(20000)) stored = fx_test_count_ticks(sym);
    kill(core, SIGKILL);
    waitpid(core, NULL, 0);
    long long at_kill = fx_test_count_ticks(sym);
    cr_assert(at_kill > 0 && at_kill < TOTAL, "killed mid-stream (%lld stored)", at_kill);
    core = spawn_core(env);
    long long n = wait_for_ticks(sym, TOTAL, 240);
    kill(core, SIGTERM);
    int status;
    waitpid(core, &status, 0);
    cr_assert_eq(n, TOTAL, "every entry stored exactly once (%lld)", n);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT sum(tick_count) FROM candles_1d WHERE symbol = '%s'", sym);
    cr_assert_eq(fx_test_sql_int(sql), TOTAL, "candles count every tick once");
    snprintf(sql, sizeof sql, "SELECT sum(tick_count) FROM candles_1m WHERE symbol = '%s'", sym);
    cr_assert_eq(fx_test_sql_int(sql), TOTAL);
    cr_assert_eq(redis_int("XPENDING %s %s", stream, group), 0);
}
#endif
