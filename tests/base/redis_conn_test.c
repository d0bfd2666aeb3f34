/*
 * fx_redis_connect / fx_redis_ping (base/redis_conn.h) against a fake Redis
 * on a loopback socket of this test (no real services): the commands it
 * receives (AUTH, SELECT, PING), an error reply, a server that never
 * answers, a port nobody listens on.
 */
#include "base/redis_conn.h"

#include "base/errors.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- a fake Redis ------------------------------------------------------ */

/* How the fake answers: to AUTH (NULL: +OK), and whether it answers at all. */
struct fake {
    int listener;
    int port;
    const char *auth_error; /* "-ERR ..." reply to AUTH, or NULL for +OK */
    int silent; /* accept, read, never answer */
    pthread_t thread;
    char log[1024]; /* the commands received, "AUTH secret|SELECT 3|PING|" */
};

/* Reads one RESP array of bulk strings into `cmd` ("AUTH secret"). Returns
 * 0, or -1 at the end of the connection or on anything else (this runs on
 * the fake's thread, where Criterion's assertions must not be used). */
static int read_command(FILE *in, char *cmd, size_t cmdlen)
{
    char line[256];
    if (fgets(line, sizeof line, in) == NULL || line[0] != '*') return -1;
    int n = atoi(line + 1);
    size_t used = 0;
    cmd[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (fgets(line, sizeof line, in) == NULL || line[0] != '$') return -1;
        size_t len = (size_t)atoi(line + 1);
        char arg[258];
        if (len + 2 > sizeof arg) return -1;
        if (fread(arg, 1, len + 2, in) != len + 2) return -1; /* with \r\n */
        arg[len] = '\0';
        int w = snprintf(cmd + used, cmdlen - used, "%s%s", i ? " " : "", arg);
        if (w < 0 || (size_t)w >= cmdlen - used) return -1;
        used += (size_t)w;
    }
    return 0;
}

static void *fake_serve(void *arg)
{
    struct fake *f = arg;
    int fd = accept(f->listener, NULL, NULL);
    if (fd < 0) return NULL;
    FILE *in = fdopen(dup(fd), "r");
    char cmd[512];
    while (in && read_command(in, cmd, sizeof cmd) == 0) {
        size_t used = strlen(f->log);
        snprintf(f->log + used, sizeof f->log - used, "%s|", cmd);
        if (f->silent) continue;
        const char *reply = "+OK\r\n";
        if (strncmp(cmd, "PING", 4) == 0) reply = "+PONG\r\n";
        if (strncmp(cmd, "AUTH", 4) == 0 && f->auth_error) reply = f->auth_error;
        if (write(fd, reply, strlen(reply)) < 0) break;
    }
    if (in) fclose(in);
    close(fd);
    return NULL;
}

static void fake_start(struct fake *f)
{
    f->listener = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(f->listener, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    cr_assert_eq(bind(f->listener, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq(listen(f->listener, 4), 0);
    socklen_t len = sizeof sa;
    cr_assert_eq(getsockname(f->listener, (struct sockaddr *)&sa, &len), 0);
    f->port = ntohs(sa.sin_port);
    cr_assert_eq(pthread_create(&f->thread, NULL, fake_serve, f), 0);
}

/* After the client closed its connection: the fake has seen everything. */
static void fake_stop(struct fake *f)
{
    pthread_join(f->thread, NULL);
    close(f->listener);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(redis_connect, ping_without_password_or_db_sends_only_ping)
{
    struct fake f = { 0 };
    fake_start(&f);
    char url[64], err[256] = "";
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", f.port);
    cr_assert_eq(fx_redis_ping(url, 2000, err, sizeof err), 0, "%s", err);
    fake_stop(&f);
    cr_assert_str_eq(f.log, "PING|");
}

Test(redis_connect, the_password_and_db_of_the_url_are_used)
{
    struct fake f = { 0 };
    fake_start(&f);
    char url[96], err[256] = "";
    snprintf(url, sizeof url, "redis://:s3cr@t@127.0.0.1:%d/3", f.port);
    cr_assert_eq(fx_redis_ping(url, 2000, err, sizeof err), 0, "%s", err);
    fake_stop(&f);
    cr_assert_str_eq(f.log, "AUTH s3cr@t|SELECT 3|PING|");
}

/* Redis 6 ACLs: a user in the URL logs in as that user. */
Test(redis_connect, a_user_of_the_url_is_sent_with_the_password)
{
    struct fake f = { 0 };
    fake_start(&f);
    char url[96], err[256] = "";
    snprintf(url, sizeof url, "redis://alice:s3cr@t@127.0.0.1:%d", f.port);
    cr_assert_eq(fx_redis_ping(url, 2000, err, sizeof err), 0, "%s", err);
    fake_stop(&f);
    cr_assert_str_eq(f.log, "AUTH alice s3cr@t|PING|");
}

Test(redis_connect, connect_returns_a_usable_context)
{
    struct fake f = { 0 };
    fake_start(&f);
    char url[64], err[256] = "";
    snprintf(url, sizeof url, "redis://:pw@127.0.0.1:%d/1", f.port);
    redisContext *c = fx_redis_connect(url, 2000, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    redisReply *r = redisCommand(c, "PING");
    cr_assert_not_null(r);
    cr_assert_eq(r->type, REDIS_REPLY_STATUS);
    cr_assert_str_eq(r->str, "PONG");
    freeReplyObject(r);
    redisFree(c);
    fake_stop(&f);
    cr_assert_str_eq(f.log, "AUTH pw|SELECT 1|PING|");
}

Test(redis_connect, a_refused_password_fails_with_the_server_message)
{
    struct fake f = { .auth_error = "-WRONGPASS invalid username-password pair\r\n" };
    fake_start(&f);
    char url[64], err[256] = "";
    snprintf(url, sizeof url, "redis://:nope@127.0.0.1:%d/2", f.port);
    cr_assert_null(fx_redis_connect(url, 2000, err, sizeof err));
    fake_stop(&f);
    cr_assert(strstr(err, "WRONGPASS invalid username-password pair") != NULL, "err: %s", err);
    cr_assert_str_eq(f.log, "AUTH nope|", "nothing is sent after a refused AUTH");

    struct fake g = { .auth_error = "-WRONGPASS invalid username-password pair\r\n" };
    fake_start(&g);
    snprintf(url, sizeof url, "redis://:nope@127.0.0.1:%d", g.port);
    err[0] = '\0';
    cr_assert_eq(fx_redis_ping(url, 2000, err, sizeof err), FX_EREDIS);
    fake_stop(&g);
    cr_assert(strstr(err, "WRONGPASS") != NULL, "err: %s", err);
}

Test(redis_connect, a_server_that_never_answers_times_out)
{
    struct fake f = { .silent = 1 };
    fake_start(&f);
    char url[64], err[256] = "";
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", f.port);
    double t0 = now_s();
    cr_assert_eq(fx_redis_ping(url, 300, err, sizeof err), FX_EREDIS);
    double took = now_s() - t0;
    fake_stop(&f);
    cr_assert(took >= 0.25 && took < 5, "took %.3f s with a 300 ms timeout", took);
    cr_assert(strstr(err, "PING failed") != NULL, "err: %s", err);
    cr_assert_str_eq(f.log, "PING|");
}

Test(redis_connect, nobody_listening_fails_with_the_address)
{
    /* a port that was free a moment ago */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    cr_assert_eq(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t len = sizeof sa;
    cr_assert_eq(getsockname(s, (struct sockaddr *)&sa, &len), 0);
    int port = ntohs(sa.sin_port);
    close(s);
    char url[64], err[256] = "", expected[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", port);
    cr_assert_eq(fx_redis_ping(url, 1000, err, sizeof err), FX_EREDIS);
    snprintf(expected, sizeof expected, "cannot connect to 127.0.0.1:%d", port);
    cr_assert(strstr(err, expected) != NULL, "err: %s", err);
    err[0] = '\0';
    cr_assert_null(fx_redis_connect(url, 1000, err, sizeof err));
    cr_assert(strstr(err, expected) != NULL, "err: %s", err);
}

Test(redis_connect, a_bad_url_is_reported_without_connecting)
{
    char err[256] = "";
    cr_assert_null(fx_redis_connect("http://127.0.0.1:1", 1000, err, sizeof err));
    cr_assert(strstr(err, "REDIS_URL is not redis://") != NULL, "err: %s", err);
    err[0] = '\0';
    cr_assert_neq(fx_redis_ping("redis://", 1000, err, sizeof err), 0);
    cr_assert(strstr(err, "REDIS_URL is not redis://") != NULL, "err: %s", err);
}
