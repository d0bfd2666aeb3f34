#include "bridge/header_deadline.h"

#include "base/calendar.h"
#include "base/log.h"
#include "base/worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define SWEEP_MS 200

/* One connection of MHD's (its socket context). */
struct entry {
    struct entry *prev, *next;
    int fd;
    int64_t deadline_us; /* 0: none */
    int upgraded;
};

struct fx_header_deadline {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    pthread_t sweeper;
    int stopping;
    int64_t header_us, idle_us;
    struct entry *head;
    char answer[256]; /* the 408, written whole */
    size_t answer_len;
};

static struct entry *entry_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* The 408 goes out with MSG_DONTWAIT: a client that reads nothing cannot
 * hold the sweeper, and a lost answer only leaves the close. */
static void expire(struct fx_header_deadline *hd, struct entry *e)
{
    (void)send(e->fd, hd->answer, hd->answer_len, MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(e->fd, SHUT_RDWR);
    e->deadline_us = 0;
}

static void *sweep(void *arg)
{
    struct fx_header_deadline *hd = arg;
    pthread_mutex_lock(&hd->mu);
    while (!hd->stopping) {
        struct timespec until = fx_timespec_after_ms(CLOCK_REALTIME, SWEEP_MS);
        pthread_cond_timedwait(&hd->wake, &hd->mu, &until);
        int64_t now = fx_now_us();
        unsigned closed = 0;
        for (struct entry *e = hd->head; e; e = e->next)
            if (e->deadline_us != 0 && e->deadline_us <= now) expire(hd, e), closed++;
        if (closed) fx_debug("http", "%u connections closed at their header deadline", closed);
    }
    pthread_mutex_unlock(&hd->mu);
    return NULL;
}

int fx_header_deadline_create(struct fx_header_deadline **out, int header_s, int idle_s)
{
    *out = NULL;
    if (header_s <= 0) return 0;
    struct fx_header_deadline *hd = calloc(1, sizeof *hd);
    if (hd == NULL) return -1;
    pthread_mutex_init(&hd->mu, NULL);
    pthread_cond_init(&hd->wake, NULL);
    hd->header_us = (int64_t)header_s * 1000000;
    hd->idle_us = (int64_t)idle_s * 1000000;
    char body[128];
    int blen = snprintf(body, sizeof body,
        "{\"detail\":\"the request headers did not arrive within %d s (BRIDGE_HEADER_TIMEOUT_S)\"}", header_s);
    hd->answer_len = (size_t)snprintf(hd->answer, sizeof hd->answer,
        "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
        "Connection: close\r\n\r\n%s",
        blen, body);
    int rc = pthread_create(&hd->sweeper, NULL, sweep, hd);
    if (rc != 0) {
        fx_error("http", "cannot start the header-deadline thread: %s", strerror(rc));
        pthread_cond_destroy(&hd->wake);
        pthread_mutex_destroy(&hd->mu);
        free(hd);
        return -1;
    }
    *out = hd;
    return 0;
}

void fx_header_deadline_destroy(struct fx_header_deadline *hd)
{
    if (hd == NULL) return;
    pthread_mutex_lock(&hd->mu);
    hd->stopping = 1;
    pthread_cond_signal(&hd->wake);
    pthread_mutex_unlock(&hd->mu);
    pthread_join(hd->sweeper, NULL);
    for (struct entry *e = hd->head, *next; e; e = next) next = e->next, free(e);
    pthread_cond_destroy(&hd->wake);
    pthread_mutex_destroy(&hd->mu);
    free(hd);
}

void fx_header_deadline_on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
    struct fx_header_deadline *hd = cls;
    if (hd == NULL) return;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        struct entry *e = calloc(1, sizeof *e);
        *socket_context = e;
        if (e == NULL) return; /* this connection goes without a deadline */
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        e->fd = ci ? ci->connect_fd : -1;
        pthread_mutex_lock(&hd->mu);
        e->deadline_us = e->fd >= 0 ? fx_now_us() + hd->header_us : 0;
        e->next = hd->head;
        if (hd->head) hd->head->prev = e;
        hd->head = e;
        pthread_mutex_unlock(&hd->mu);
        return;
    }
    struct entry *e = *socket_context;
    if (e == NULL) return;
    pthread_mutex_lock(&hd->mu);
    if (e->prev) e->prev->next = e->next;
    else hd->head = e->next;
    if (e->next) e->next->prev = e->prev;
    pthread_mutex_unlock(&hd->mu);
    free(e);
    *socket_context = NULL;
}

/* Sets the connection's deadline to `in_us` from now (0: none), or to the
 * earlier of the two when `keep_earlier`. */
static void set_deadline(struct fx_header_deadline *hd, struct MHD_Connection *conn, int64_t in_us, int keep_earlier)
{
    if (hd == NULL) return;
    struct entry *e = entry_of(conn);
    if (e == NULL || e->fd < 0) return;
    pthread_mutex_lock(&hd->mu);
    if (!e->upgraded) {
        int64_t at = in_us ? fx_now_us() + in_us : 0;
        if (!keep_earlier || e->deadline_us == 0 || at < e->deadline_us) e->deadline_us = at;
    }
    pthread_mutex_unlock(&hd->mu);
}

void *fx_header_deadline_on_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)uri;
    struct fx_header_deadline *hd = cls;
    if (hd) set_deadline(hd, conn, hd->header_us, 1);
    return NULL;
}

void fx_header_deadline_headers_done(struct fx_header_deadline *hd, struct MHD_Connection *conn)
{
    set_deadline(hd, conn, 0, 0);
}

void fx_header_deadline_request_done(struct fx_header_deadline *hd, struct MHD_Connection *conn)
{
    if (hd) set_deadline(hd, conn, hd->idle_us, 0);
}

void fx_header_deadline_upgraded(struct fx_header_deadline *hd, struct MHD_Connection *conn)
{
    if (hd == NULL) return;
    struct entry *e = entry_of(conn);
    if (e == NULL) return;
    pthread_mutex_lock(&hd->mu);
    e->upgraded = 1;
    e->deadline_us = 0;
    pthread_mutex_unlock(&hd->mu);
}
