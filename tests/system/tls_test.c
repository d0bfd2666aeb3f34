/*
 * nng over TLS with client certificates (base/nng_tls.h): an fx-core process
 * serving RPC and its live feed on tls+tcp://localhost, with certificates
 * made by tls_certs.sh for this test (one CA, a server certificate for
 * localhost, a client one, and a stranger's of another CA). A client with a
 * certificate of the CA writes, reads and receives the feed; one without a
 * certificate is refused at once by the library, naming the variable; one
 * with the stranger's certificate, or plain tcp:// to the TLS port, gets no
 * answer and no event; fx-bridge over TLS serves REST; a core without its
 * files does not start, naming what is missing.
 */
#include "tests/support/fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/proc.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef FX_BIN_DIR
#error "FX_BIN_DIR must name the folder of fx-core and fx-bridge"
#endif
#ifndef FX_TLS_CERTS_SH
#error "FX_TLS_CERTS_SH must name tests/system/tls_certs.sh"
#endif

static char dir[64];
static char rpc_url[64], feed_url[64];
static pid_t core;

static char *path(const char *file)
{
    static char buf[8][128];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 128, "%s/%s", dir, file);
    return p;
}

/* This process's certificate: FX_TLS_* as a client of the cores reads them
 * (NULL: unset). */
static void use_certificate(const char *cert, const char *key)
{
    if (cert) {
        setenv("FX_TLS_CERT", path(cert), 1);
        setenv("FX_TLS_KEY", path(key), 1);
    } else {
        unsetenv("FX_TLS_CERT");
        unsetenv("FX_TLS_KEY");
    }
    setenv("FX_TLS_CA", path("ca.crt"), 1);
}

/* fx-core with `env`, and the log it writes; returns its pid. */
static pid_t start_core(const char *const *env, const char *log) { return fx_proc_start(FX_BIN_DIR, "fx-core", env, log); }

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/fx-tls-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char cmd[256];
    snprintf(cmd, sizeof cmd, "bash %s %s", FX_TLS_CERTS_SH, dir);
    cr_assert_eq(system(cmd), 0, "%s failed", cmd);
    static char rpc[96], feed[96], http[32], cert[160], key[160], ca[160];
    int http_port = fx_proc_free_port();
    snprintf(rpc_url, sizeof rpc_url, "tls+tcp://localhost:%d", fx_proc_free_port());
    snprintf(feed_url, sizeof feed_url, "tls+tcp://localhost:%d", fx_proc_free_port());
    snprintf(rpc, sizeof rpc, "FX_RPC_URL=%s", rpc_url);
    snprintf(feed, sizeof feed, "FX_FEED_URL=%s", feed_url);
    snprintf(http, sizeof http, "FX_HTTP_PORT=%d", http_port);
    snprintf(cert, sizeof cert, "FX_TLS_CERT=%s", path("server.crt"));
    snprintf(key, sizeof key, "FX_TLS_KEY=%s", path("server.key"));
    snprintf(ca, sizeof ca, "FX_TLS_CA=%s", path("ca.crt"));
    const char *env[] = { rpc, feed, http, cert, key, ca, "INGEST_ENABLED=0", "COMPRESSION_AFTER_DAYS=0", NULL };
    core = start_core(env, path("core.log"));
    cr_assert_eq(fx_proc_wait_port(http_port, 30000), 0, "fx-core did not start: see %s", path("core.log"));
}

static void teardown(void)
{
    fx_proc_kill_all();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (dir[0]) (void)system(cmd);
}

TestSuite(tls, .init = setup, .fini = teardown, .timeout = 120);

/* A tick of `symbol` stored through `c`; returns the call's status. */
static int store(fxc *c, const char *symbol, int64_t seconds, fxc_err *e)
{
    fxc_tick t = { .time_us = fx_test_time(seconds), .price = 1.25 };
    snprintf(t.symbol, sizeof t.symbol, "%s", symbol);
    fxc_tick stored;
    return fxc_tick_create(c, &t, &stored, e);
}

Test(tls, a_client_with_a_certificate_of_the_ca_writes_reads_and_gets_the_feed)
{
    use_certificate("client.crt", "client.key");
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "TLSA");
    fxc *c;
    fxc_feed *f;
    fxc_err e;
    cr_assert_eq(fxc_open(rpc_url, &c, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_feed_open(feed_url, &f, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_feed_subscribe_ticks(f, sym, &e), FXC_OK, "%s", e.message);
    fxc_set_timeout(c, 20000);
    fxc_health_info h;
    cr_assert_eq(fxc_health(c, &h, &e), FXC_OK, "health over TLS: %s", e.message);
    usleep(500000); /* the feed's TLS connection is up before the write publishes */
    cr_assert_eq(store(c, sym, 1, &e), FXC_OK, "%s", e.message);
    fxc_tick *ticks;
    size_t n;
    cr_assert_eq(fxc_ticks_get(c, sym, fx_test_time(0), fx_test_time(10), 100, 0, &ticks, &n, &e), FXC_OK, "%s",
        e.message);
    cr_assert_eq(n, 1);
    cr_assert_float_eq(ticks[0].price, 1.25, 1e-9);
    fxc_ticks_free(ticks);
    fxc_tick live;
    cr_assert_eq(fxc_feed_next_tick(f, 10000, &live, &e), FXC_OK, "live feed over TLS: %s", e.message);
    cr_assert_str_eq(live.symbol, sym);
    cr_assert_eq(live.time_us, fx_test_time(1));
    fxc_feed_close(f);
    fxc_close(c);
}

Test(tls, a_client_without_a_certificate_is_refused_naming_the_variable)
{
    use_certificate(NULL, NULL);
    fxc *c;
    fxc_feed *f;
    fxc_err e;
    cr_assert_eq(fxc_open(rpc_url, &c, &e), FXC_INVALID_ARGUMENT);
    cr_assert(strstr(e.message, "FX_TLS_CERT is not set") != NULL, "%s", e.message);
    cr_assert_eq(fxc_feed_open(feed_url, &f, &e), FXC_INVALID_ARGUMENT);
    cr_assert(strstr(e.message, "FX_TLS_CERT") != NULL, "%s", e.message);
    setenv("FX_TLS_CERT", path("client.crt"), 1);
    setenv("FX_TLS_KEY", path("missing.key"), 1);
    cr_assert_eq(fxc_open(rpc_url, &c, &e), FXC_INVALID_ARGUMENT);
    cr_assert(strstr(e.message, "FX_TLS_KEY=") != NULL && strstr(e.message, "missing.key: cannot read") != NULL, "%s",
        e.message);
}

/* No answer through `c` within 3 s, and nothing stored. */
static void refused(fxc *c, const char *what)
{
    char sym[FXC_SYMBOL_MAX + 1];
    fx_test_symbol(sym, "TLSX");
    fxc_set_timeout(c, 3000);
    fxc_err e;
    int rc = store(c, sym, 1, &e);
    cr_assert_neq(rc, FXC_OK, "%s: a write went through", what);
    cr_assert(rc == FXC_DEADLINE_EXCEEDED || rc == FXC_UNAVAILABLE, "%s: %d %s", what, rc, e.message);
    cr_assert_eq(fx_test_count_ticks(sym), 0, "%s: a tick was stored", what);
}

Test(tls, a_certificate_of_another_ca_and_plain_tcp_get_nothing)
{
    use_certificate("other-client.crt", "other-client.key");
    setenv("FX_TLS_CA", path("ca.crt"), 1); /* it trusts the server: the server does not trust it */
    fxc *c;
    fxc_feed *f;
    fxc_err e;
    cr_assert_eq(fxc_open(rpc_url, &c, &e), FXC_OK, "%s", e.message);
    refused(c, "another CA's certificate");
    fxc_close(c);
    cr_assert_eq(fxc_feed_open(feed_url, &f, &e), FXC_OK, "%s", e.message);
    cr_assert_eq(fxc_feed_subscribe_ticks(f, "*", &e), FXC_OK);
    fxc_tick t;
    cr_assert_eq(fxc_feed_next_tick(f, 1500, &t, &e), FXC_DEADLINE_EXCEEDED);
    cr_assert_eq(fxc_feed_connection_events(f), 0, "no feed connection was made");
    fxc_feed_close(f);

    /* a client that trusts another CA does not take the core's certificate */
    use_certificate("client.crt", "client.key");
    setenv("FX_TLS_CA", path("other-ca.crt"), 1);
    cr_assert_eq(fxc_open(rpc_url, &c, &e), FXC_OK, "%s", e.message);
    refused(c, "a server certificate of a CA the client does not trust");
    fxc_close(c);

    /* plain TCP to the TLS port */
    char plain[64];
    snprintf(plain, sizeof plain, "tcp://127.0.0.1:%s", strrchr(rpc_url, ':') + 1);
    cr_assert_eq(fxc_open(plain, &c, &e), FXC_OK, "%s", e.message);
    refused(c, "plain tcp://");
    fxc_close(c);
}

Test(tls, the_bridge_serves_rest_over_tls_to_the_core)
{
    static char rpc[96], feed[96], port[32], cert[160], key[160], ca[160];
    int bport = fx_proc_free_port();
    snprintf(rpc, sizeof rpc, "FX_RPC_URL=%s", rpc_url);
    snprintf(feed, sizeof feed, "FX_FEED_URL=%s", feed_url);
    snprintf(port, sizeof port, "BRIDGE_PORT=%d", bport);
    snprintf(cert, sizeof cert, "FX_TLS_CERT=%s", path("client.crt"));
    snprintf(key, sizeof key, "FX_TLS_KEY=%s", path("client.key"));
    snprintf(ca, sizeof ca, "FX_TLS_CA=%s", path("ca.crt"));
    const char *env[] = { rpc, feed, port, cert, key, ca, NULL };
    fx_proc_start(FX_BIN_DIR, "fx-bridge", env, path("bridge.log"));
    cr_assert_eq(fx_proc_wait_port(bport, 30000), 0, "fx-bridge did not start: see %s", path("bridge.log"));
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", bport);
    fx_http_set_base_url(base);
    struct fx_http_result r = { 0 };
    for (int i = 0; i < 100; i++) {
        if (i) fx_http_free(&r), usleep(100000);
        fx_http("GET", "/health", NULL, &r);
        if (r.status == 200) break;
    }
    cr_assert_eq(r.status, 200, "%s", r.body);
    fx_http_free(&r);
    char sym[FXC_SYMBOL_MAX + 1], body[256], query[256];
    fx_test_symbol(sym, "TLSB");
    snprintf(body, sizeof body, "{\"symbol\":\"%s\",\"time\":\"2025-01-15T10:00:05Z\",\"price\":1.5}", sym);
    fx_http("POST", "/ticks/", body, &r);
    cr_assert(r.status == 200 || r.status == 201, "%ld %s", r.status, r.body);
    fx_http_free(&r);
    snprintf(query, sizeof query, "/ticks/?symbol=%s&start=2025-01-15T00:00:00Z&end=2025-01-16T00:00:00Z", sym);
    fx_http("GET", query, NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "1.5") != NULL, "%s", r.body);
    fx_http_free(&r);
    cr_assert_eq(fx_test_count_ticks(sym), 1);
}

Test(tls, a_core_without_its_ca_file_does_not_start_and_names_it)
{
    static char rpc[96], feed[96], cert[160], key[160], ca[160];
    snprintf(rpc, sizeof rpc, "FX_RPC_URL=tls+tcp://localhost:%d", fx_proc_free_port());
    snprintf(feed, sizeof feed, "FX_FEED_URL=tls+tcp://localhost:%d", fx_proc_free_port());
    snprintf(cert, sizeof cert, "FX_TLS_CERT=%s", path("server.crt"));
    snprintf(key, sizeof key, "FX_TLS_KEY=%s", path("server.key"));
    snprintf(ca, sizeof ca, "FX_TLS_CA=%s", path("no-such-ca.crt"));
    const char *env[] = { rpc, feed, cert, key, ca, "INGEST_ENABLED=0", NULL };
    pid_t p = start_core(env, path("bad-core.log"));
    int st = fx_proc_wait(p, 30);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) != 0, "fx-core started without its CA file (status %d)", st);
    char cmd[256], out[4096];
    snprintf(cmd, sizeof cmd, "cat %s", path("bad-core.log"));
    FILE *fp = popen(cmd, "r");
    size_t n = fread(out, 1, sizeof out - 1, fp);
    out[n] = '\0';
    pclose(fp);
    cr_assert(strstr(out, "FX_TLS_CA=") != NULL && strstr(out, "no-such-ca.crt: cannot read") != NULL, "%s", out);
}
