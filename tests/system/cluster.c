#include "tests/system/cluster.h"

#include "tests/support/http_client.h"
#include "tests/support/prom_text.h"
#include "tests/support/proc.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef FX_BIN_DIR
#error "FX_BIN_DIR must name the folder of fx-core and fx-bridge"
#endif

void fx_cluster_run(struct fx_cluster_proc *p)
{
    const char *envp[FX_CLUSTER_ENV_MAX + 1];
    for (int i = 0; i < p->nenv; i++) envp[i] = p->env[i];
    envp[p->nenv] = NULL;
    p->pid = fx_proc_start(FX_BIN_DIR, p->prog, envp, p->log);
}

void fx_cluster_restart(struct fx_cluster_proc *p)
{
    int st = fx_proc_stop(p->pid, SIGTERM);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s exited with status %d on SIGTERM", p->prog, st);
    fx_cluster_run(p);
}

void fx_cluster_core_start(struct fx_cluster_core *c, const char *name, const char *stream)
{
    snprintf(c->rpc, sizeof c->rpc, "tcp://127.0.0.1:%d", fx_proc_free_port());
    snprintf(c->feed, sizeof c->feed, "tcp://127.0.0.1:%d", fx_proc_free_port());
    c->http_port = fx_proc_free_port();
    char (*e)[300] = c->p.env;
    int n = 0;
    snprintf(e[n++], 300, "FX_RPC_URL=%s", c->rpc);
    snprintf(e[n++], 300, "FX_FEED_URL=%s", c->feed);
    snprintf(e[n++], 300, "FX_HTTP_PORT=%d", c->http_port);
    snprintf(e[n++], 300, "REDIS_STREAM=%s", stream);
    snprintf(e[n++], 300, "REDIS_CONSUMER=%s", name);
    snprintf(e[n++], 300, "INGEST_CLAIM_IDLE_MS=1000");
    snprintf(e[n++], 300, "INGEST_BATCH=500");
    /* tests share past days and count rows by SQL: a leader must compact
     * nothing (the lifecycle tests use databases of their own) */
    snprintf(e[n++], 300, "COMPRESSION_AFTER_DAYS=0");
    snprintf(e[n++], 300, "LOG_LEVEL=warn");
    c->p.nenv = n;
    c->p.prog = "fx-core";
    snprintf(c->p.log, sizeof c->p.log, "/tmp/fx-cluster-%d-%s.log", (int)getpid(), name);
    fx_cluster_run(&c->p);
}

/* "a,b,…" of one field of every core */
static void join(char *out, size_t len, const struct fx_cluster_core *cores, int n, int feed)
{
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? "," : "", feed ? cores[i].feed : cores[i].rpc);
}

void fx_cluster_bridge_start(struct fx_cluster_bridge *b, const struct fx_cluster_core *cores, int n)
{
    b->port = fx_proc_free_port();
    char (*e)[300] = b->p.env;
    char list[256];
    int k = 0;
    join(list, sizeof list, cores, n, 0);
    snprintf(e[k++], 300, "FX_RPC_URL=%s", list);
    join(list, sizeof list, cores, n, 1);
    snprintf(e[k++], 300, "FX_FEED_URL=%s", list);
    snprintf(e[k++], 300, "BRIDGE_PORT=%d", b->port);
    snprintf(e[k++], 300, "BRIDGE_WS_QUEUE_KB=65536"); /* a burst of 20 000 frames is not "too slow" here */
    snprintf(e[k++], 300, "LOG_LEVEL=warn");
    snprintf(e[k++], 300, "BRIDGE_DRAIN_S=2");
    b->p.nenv = k;
    b->p.prog = "fx-bridge";
    snprintf(b->p.log, sizeof b->p.log, "/tmp/fx-cluster-%d-bridge-%d.log", (int)getpid(), b->port);
    fx_cluster_run(&b->p);
}

void fx_cluster_use_bridge(const struct fx_cluster_bridge *b)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", b->port);
    fx_http_set_base_url(url);
}

void fx_cluster_wait_healthy(const struct fx_cluster_bridge *b)
{
    cr_assert_eq(fx_proc_wait_port(b->port, 15000), 0, "bridge on port %d does not listen", b->port);
    fx_cluster_use_bridge(b);
    for (int i = 0; i < 150; i++) {
        struct fx_http_result r;
        fx_http("GET", "/health", NULL, &r);
        long status = r.status;
        fx_http_free(&r);
        if (status == 200) return;
        usleep(100000);
    }
    cr_assert_fail("bridge on port %d never became healthy", b->port);
}

int fx_cluster_core_leads(const struct fx_cluster_core *c)
{
    char saved[64], url[64];
    snprintf(saved, sizeof saved, "%s", fx_test_bridge_url());
    snprintf(url, sizeof url, "http://127.0.0.1:%d", c->http_port);
    fx_http_set_base_url(url);
    struct fx_http_result r;
    fx_http("GET", "/metrics", NULL, &r);
    fx_http_set_base_url(saved);
    cr_assert_eq(r.status, 200, "core /metrics: %ld", r.status);
    int leads = (int)fx_prom_sample(r.body, "fx_core_leader");
    fx_http_free(&r);
    return leads;
}
