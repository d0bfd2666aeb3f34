/* WebSocket frames from a client (bridge/ws_conn.c through wslay): the
 * input arrives as the bytes read past the upgrade request, then the
 * client's end shuts; the conn reads, answers (pongs, closes such as 1002
 * for a 1-byte close payload) and ends without a sanitizer report.
 * Debian's libwslay is not instrumented: coverage guides the fuzzer
 * through our callbacks only, so the seeds hold the frame kinds. */
#include "bridge/ws_conn.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int epfd = -1;
    if (epfd < 0) epfd = epoll_create1(0);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 0;
    struct fx_ws_conn_env env = { .epfd = epfd, .queue_bytes = 1 << 20 };
    struct fx_ws_filter filter = { .stream = FX_WS_TICKS };
    struct fx_ws_conn *c = fx_ws_conn_create(&env, sv[0], NULL, &filter, (const char *)data, size);
    if (c == NULL) abort();
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
    epoll_ctl(epfd, EPOLL_CTL_ADD, sv[0], &ev);
    shutdown(sv[1], SHUT_WR); /* after the input, the client sends nothing more */
    char sink[65536];
    for (int i = 0; i < 16; i++) {
        int rc = fx_ws_conn_service(c, 1);
        while (recv(sv[1], sink, sizeof sink, MSG_DONTWAIT) > 0) {
        }
        if (rc != 0) break;
    }
    epoll_ctl(epfd, EPOLL_CTL_DEL, sv[0], NULL);
    fx_ws_conn_free(c); /* closes sv[0] */
    close(sv[1]);
    return 0;
}
