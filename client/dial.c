#include "client/dial.h"

#include "base/errors.h"
#include "base/nng_tls.h"
#include "base/url_list.h"
#include "base/worker.h"
#include "client/err.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DNS_SCHEME "dns+tcp://"
#define DNS_TLS_SCHEME "dns+tls+tcp://" /* the same, dialled over TLS (base/nng_tls.h) */
#define RESOLVED_MAX 64 /* addresses of one name */

/* A dialer made for an address a name resolved to. */
struct resolved {
    char addr[FXC_DIAL_ADDR_MAX];
    nng_dialer dialer;
    size_t name; /* the entry of names[] it came from */
    int64_t seen_ms; /* in the answers last at this time */
};

struct name {
    char host[FX_URL_MAX], port[8];
    /* dns+tls+tcp: one client TLS configuration for every address of the
     * name, verifying that the server's certificate names `host` (the IP
     * addresses it resolves to are in no certificate); NULL for dns+tcp */
    nng_tls_config *tls;
};

struct fxc_dialset {
    nng_socket sock;
    struct name names[FX_URL_LIST_MAX];
    size_t nnames;
    pthread_mutex_t lock; /* `dialed` and `ndialed`: the thread writes, anyone reads */
    struct resolved *dialed;
    size_t ndialed, capdialed;
    fxc_resolve_fn resolve;
    int refresh_ms, forget_ms;
    struct fx_thread thread;
};

static fxc_resolve_fn test_resolve;
static int test_refresh_ms, test_forget_ms;

void fxc_dialset_testing(fxc_resolve_fn resolve, int refresh_ms, int forget_ms)
{
    test_resolve = resolve;
    test_refresh_ms = refresh_ms;
    test_forget_ms = forget_ms;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* getaddrinfo: every TCP address of host, as nng URLs. */
static int resolve_dns(const char *host, const char *port, char (*out)[FXC_DIAL_ADDR_MAX], size_t max)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res;
    if (getaddrinfo(host, port, &hints, &res) != 0) return -1;
    size_t n = 0;
    for (struct addrinfo *a = res; a && n < max; a = a->ai_next) {
        char ip[INET6_ADDRSTRLEN];
        const void *where = a->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
                                                    : (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
        if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) || !inet_ntop(a->ai_family, where, ip, sizeof ip))
            continue;
        snprintf(out[n], FXC_DIAL_ADDR_MAX, a->ai_family == AF_INET ? "tcp://%s:%s" : "tcp://[%s]:%s", ip, port);
        size_t k = 0;
        while (k < n && strcmp(out[k], out[n]) != 0) k++;
        if (k == n) n++; /* the same address once */
    }
    freeaddrinfo(res);
    return (int)n;
}

static struct resolved *find(struct fxc_dialset *d, const char *addr)
{
    for (size_t i = 0; i < d->ndialed; i++)
        if (strcmp(d->dialed[i].addr, addr) == 0) return &d->dialed[i];
    return NULL;
}

/* One round of lookups: dial what is new, drop what has been gone long. */
static void refresh(struct fxc_dialset *d)
{
    int64_t now = now_ms();
    for (size_t i = 0; i < d->nnames; i++) {
        char addrs[RESOLVED_MAX][FXC_DIAL_ADDR_MAX];
        int n = d->resolve(d->names[i].host, d->names[i].port, addrs, RESOLVED_MAX);
        if (n < 0) { /* no answer is not an empty answer: keep what this name had */
            for (size_t k = 0; k < d->ndialed; k++)
                if (d->dialed[k].name == i) d->dialed[k].seen_ms = now;
            continue;
        }
        for (int k = 0; k < n; k++) {
            if (d->names[i].tls) { /* "tcp://…" becomes "tls+tcp://…" */
                size_t len = strnlen(addrs[k], FXC_DIAL_ADDR_MAX);
                if (len + 4 >= FXC_DIAL_ADDR_MAX) continue; /* no room for the prefix */
                memmove(addrs[k] + 4, addrs[k], len + 1);
                memcpy(addrs[k], "tls+", 4);
            }
            struct resolved *r = find(d, addrs[k]);
            if (r) {
                r->seen_ms = now;
                continue;
            }
            nng_dialer dialer;
            char why[256];
            if (fx_tls_dial(d->sock, addrs[k], d->names[i].tls, &dialer, NNG_FLAG_NONBLOCK, why, sizeof why, NULL) != 0)
                continue; /* tried again next round */
            pthread_mutex_lock(&d->lock);
            if (d->ndialed == d->capdialed) {
                size_t cap = d->capdialed ? d->capdialed * 2 : 8;
                struct resolved *grown = realloc(d->dialed, cap * sizeof *grown);
                if (grown == NULL) {
                    pthread_mutex_unlock(&d->lock);
                    nng_dialer_close(dialer);
                    continue;
                }
                d->dialed = grown, d->capdialed = cap;
            }
            struct resolved *r2 = &d->dialed[d->ndialed++];
            memcpy(r2->addr, addrs[k], sizeof r2->addr); /* same size, NUL-terminated */
            r2->dialer = dialer;
            r2->name = i;
            r2->seen_ms = now;
            pthread_mutex_unlock(&d->lock);
        }
    }
    pthread_mutex_lock(&d->lock);
    for (size_t i = 0; i < d->ndialed;) {
        if (now - d->dialed[i].seen_ms >= d->forget_ms) {
            nng_dialer_close(d->dialed[i].dialer);
            d->dialed[i] = d->dialed[--d->ndialed];
        } else {
            i++;
        }
    }
    pthread_mutex_unlock(&d->lock);
}

static void lookups_main(void *arg)
{
    struct fxc_dialset *d = arg;
    while (!fx_thread_wait_ms(&d->thread, d->refresh_ms)) refresh(d);
}

/* "dns+tcp://NAME:PORT" (or dns+tls+tcp) into `n`; -1 when malformed. */
static int parse_name(const char *url, struct name *n)
{
    const char *host = strstr(url, "://") + 3, *colon = strrchr(host, ':');
    if (colon == NULL || colon == host || (size_t)(colon - host) >= sizeof n->host || strchr(host, '/')
        || strchr(host, '[') || strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof n->port)
        return -1;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535) return -1;
    snprintf(n->host, sizeof n->host, "%.*s", (int)(colon - host), host);
    snprintf(n->port, sizeof n->port, "%ld", port);
    return 0;
}

int fxc_dialset_open(struct fxc_dialset **out, nng_socket sock, const char *list, const char *what, fxc_err *err)
{
    struct fx_url_list urls;
    char why[160];
    if (fx_url_list_parse(list, &urls, why, sizeof why) != 0)
        return fxc_fail(err, FXC_INVALID_ARGUMENT, "url", "%s \"%.64s\": %s", what, list, why);
    struct fxc_dialset *d = calloc(1, sizeof *d);
    if (d == NULL) return fxc_fail(err, FXC_RESOURCE_EXHAUSTED, "url", "out of memory");
    d->sock = sock;
    d->resolve = test_resolve ? test_resolve : resolve_dns;
    d->refresh_ms = test_refresh_ms > 0 ? test_refresh_ms : FXC_DNS_REFRESH_MS;
    d->forget_ms = test_forget_ms > 0 ? test_forget_ms : FXC_DNS_FORGET_MS;
    pthread_mutex_init(&d->lock, NULL);
    int rc = FXC_OK;
    for (size_t i = 0; i < urls.n && rc == FXC_OK; i++) {
        int tls = strncmp(urls.url[i], DNS_TLS_SCHEME, strlen(DNS_TLS_SCHEME)) == 0;
        if (tls || strncmp(urls.url[i], DNS_SCHEME, strlen(DNS_SCHEME)) == 0) {
            struct name *n = &d->names[d->nnames];
            char why[512];
            int trc;
            if (parse_name(urls.url[i], n) != 0)
                rc = fxc_fail(err, FXC_INVALID_ARGUMENT, "url", "%s: %s: expected %sNAME:PORT", what,
                    urls.url[i], tls ? DNS_TLS_SCHEME : DNS_SCHEME);
            else if (tls && (trc = fx_tls_config_new(&n->tls, 0, n->host, why, sizeof why)) != 0)
                rc = fxc_fail(err, trc == FX_ECONFIG ? FXC_INVALID_ARGUMENT : FXC_UNAVAILABLE, "url",
                    "%s %s: %s", what, urls.url[i], why);
            else
                d->nnames++;
            continue;
        }
        char why[512];
        int rv = 0, trc = fx_tls_dial(sock, urls.url[i], NULL, NULL, NNG_FLAG_NONBLOCK, why, sizeof why, &rv);
        if (trc != 0)
            rc = fxc_fail(err,
                trc == FX_ECONFIG || rv == NNG_EADDRINVAL || rv == NNG_ENOTSUP ? FXC_INVALID_ARGUMENT
                                                                               : FXC_UNAVAILABLE,
                "url", "%s: %s", what, why);
    }
    if (rc == FXC_OK && d->nnames > 0) {
        refresh(d); /* the first answers now: requests can go out at once */
        if (fx_thread_start(&d->thread, lookups_main, d) != 0)
            rc = fxc_fail(err, FXC_RESOURCE_EXHAUSTED, "url", "%s: no thread for the DNS lookups", what);
    }
    if (rc != FXC_OK) {
        fxc_dialset_close(d);
        return rc;
    }
    *out = d;
    return FXC_OK;
}

void fxc_dialset_close(struct fxc_dialset *d)
{
    if (d == NULL) return;
    fx_thread_stop(&d->thread);
    for (size_t i = 0; i < d->nnames; i++)
        if (d->names[i].tls) nng_tls_config_free(d->names[i].tls); /* the dialers hold their own */
    pthread_mutex_destroy(&d->lock);
    free(d->dialed);
    free(d);
}

size_t fxc_dialset_addresses(struct fxc_dialset *d, char (*out)[FXC_DIAL_ADDR_MAX], size_t max)
{
    pthread_mutex_lock(&d->lock);
    size_t n = d->ndialed;
    for (size_t i = 0; i < n && i < max; i++) snprintf(out[i], FXC_DIAL_ADDR_MAX, "%s", d->dialed[i].addr);
    pthread_mutex_unlock(&d->lock);
    return n;
}
