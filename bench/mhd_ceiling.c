/*
 * bench-mhd-ceiling: a trivial libmicrohttpd server answering every request
 * with a fixed 100-byte JSON body, in the same threading mode as fx-bridge
 * (thread per connection). It measures the HTTP ceiling of this machine that
 * the bridge's figures are compared with.
 *   bench-mhd-ceiling PORT        (runs until SIGINT/SIGTERM)
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char body[] = "{\"symbol\":\"EURUSD\",\"time\":\"2025-12-05T10:00:00.123456Z\",\"price\":1.085,"
                           "\"padding\":\"xxxxxxxxxxxxx\"}";

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
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench-mhd-ceiling PORT\n");
        return 2;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
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
