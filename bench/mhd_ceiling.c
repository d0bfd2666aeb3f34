/*
 * bench-mhd-ceiling: a libmicrohttpd server answering every request with a
 * fixed 100-byte JSON body. It measures the HTTP ceiling of this machine
 * that the bridge's figures are compared with.
 *   bench-mhd-ceiling PORT            trivial handler, thread per connection
 *   bench-mhd-ceiling PORT --nng-echo each request first makes one nng
 *                                     REQ/REP round trip of 64 bytes over
 *                                     loopback TCP to an echo REP in this
 *                                     process: what every fx-bridge request
 *                                     that reaches fx-core costs at least
 * Runs until SIGINT/SIGTERM.
 */
#include <microhttpd.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char body[] = "{\"symbol\":\"EURUSD\",\"time\":\"2025-12-05T10:00:00.123456Z\",\"price\":1.085,"
                           "\"padding\":\"xxxxxxxxxxxxx\"}";

#define ECHO_URL "tcp://127.0.0.1:0"
#define ECHO_THREADS 4

static nng_socket req; /* shared by every connection thread: one context per round trip */
static int echo;

/* An echo REP context: receives and sends back, forever. */
static void *echo_serve(void *arg)
{
    nng_socket *rep = arg;
    nng_ctx ctx;
    nng_aio *aio;
    if (nng_ctx_open(&ctx, *rep) != 0 || nng_aio_alloc(&aio, NULL, NULL) != 0) return NULL;
    for (;;) {
        nng_ctx_recv(ctx, aio);
        nng_aio_wait(aio);
        if (nng_aio_result(aio) != 0) break;
        nng_aio_set_msg(aio, nng_aio_get_msg(aio));
        nng_ctx_send(ctx, aio);
        nng_aio_wait(aio);
        if (nng_aio_result(aio) != 0) nng_msg_free(nng_aio_get_msg(aio));
    }
    nng_aio_free(aio);
    return NULL;
}

static int round_trip(void)
{
    nng_ctx ctx;
    nng_aio *aio;
    nng_msg *m;
    if (nng_ctx_open(&ctx, req) != 0) return -1;
    if (nng_aio_alloc(&aio, NULL, NULL) != 0) {
        nng_ctx_close(ctx);
        return -1;
    }
    int rc = nng_msg_alloc(&m, 64);
    if (rc == 0) {
        memset(nng_msg_body(m), 'x', 64);
        nng_aio_set_msg(aio, m);
        nng_ctx_send(ctx, aio);
        nng_aio_wait(aio);
        rc = nng_aio_result(aio);
        if (rc != 0) nng_msg_free(m);
    }
    if (rc == 0) {
        nng_ctx_recv(ctx, aio);
        nng_aio_wait(aio);
        rc = nng_aio_result(aio);
        if (rc == 0) nng_msg_free(nng_aio_get_msg(aio));
    }
    nng_aio_free(aio);
    nng_ctx_close(ctx);
    return rc;
}

static int echo_start(void)
{
    static nng_socket rep;
    nng_listener l;
    char url[64];
    if (nng_rep0_open(&rep) != 0 || nng_listen(rep, ECHO_URL, &l, 0) != 0) return -1;
    int port = 0;
    nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port);
    snprintf(url, sizeof url, "tcp://127.0.0.1:%d", port);
    for (int i = 0; i < ECHO_THREADS; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, echo_serve, &rep) != 0) return -1;
        pthread_detach(t);
    }
    if (nng_req0_open(&req) != 0 || nng_dial(req, url, NULL, 0) != 0) return -1;
    return 0;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **state)
{
    (void)cls, (void)url, (void)method, (void)version, (void)upload;
    if (*state == NULL) {
        *state = (void *)1;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (echo && round_trip() != 0) return MHD_NO;
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}

int main(int argc, char **argv)
{
    echo = argc == 3 && strcmp(argv[2], "--nng-echo") == 0;
    if (argc != 2 && !echo) {
        fprintf(stderr, "usage: bench-mhd-ceiling PORT [--nng-echo]\n");
        return 2;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (echo && echo_start() != 0) {
        fprintf(stderr, "bench-mhd-ceiling: cannot start the nng echo REP on loopback\n");
        return 1;
    }
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
        (uint16_t)atoi(argv[1]), NULL, NULL, answer, NULL, MHD_OPTION_CONNECTION_LIMIT, 1024u, MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "bench-mhd-ceiling: cannot listen on port %s\n", argv[1]);
        return 1;
    }
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    return 0;
}
