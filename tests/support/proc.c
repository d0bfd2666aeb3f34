#include "tests/support/proc.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 16

static pid_t children[MAX_CHILDREN];

static void forget(pid_t pid)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i] == pid) children[i] = 0;
}

pid_t fx_proc_start(const char *bin_dir, const char *prog, const char *const *env, const char *log)
{
    static const char *const none[] = { NULL };
    return fx_proc_start_args(bin_dir, prog, env, log, none);
}

pid_t fx_proc_start_args(const char *bin_dir, const char *prog, const char *const *env, const char *log,
    const char *const *args)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        /* Criterion kills a test that times out without running .fini:
         * the child must not outlive it */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (const char *const *e = env; *e; e++) putenv((char *)*e);
        if (log) {
            int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) dup2(fd, 1), dup2(fd, 2), close(fd);
        }
        /* FX_TEST_BIN_DIR runs other builds of the programs under the same
         * tests (scripts/tsan.sh: ThreadSanitizer builds) */
        const char *other = getenv("FX_TEST_BIN_DIR");
        char path[512];
        snprintf(path, sizeof path, "%s/%s", other && *other ? other : bin_dir, prog);
        const char *argv[32] = { prog };
        for (int i = 0; args[i] && i < 30; i++) argv[i + 1] = args[i];
        execv(path, (char *const *)argv);
        _exit(127);
    }
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i] == 0) {
            children[i] = pid;
            break;
        }
    return pid;
}

int fx_proc_stop(pid_t pid, int sig)
{
    kill(pid, sig);
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    forget(pid);
    return status;
}

int fx_proc_wait(pid_t pid, double seconds)
{
    int status = 0;
    pid_t got = 0;
    for (double waited = 0; (got = waitpid(pid, &status, WNOHANG)) == 0 && waited < seconds; waited += 0.02)
        usleep(20000);
    cr_assert_eq(got, pid, "pid %d still running after %.1f s", (int)pid, seconds);
    forget(pid);
    return status;
}

void fx_proc_kill_all(void)
{
    for (int i = 0; i < MAX_CHILDREN; i++) {
        if (children[i] <= 0) continue;
        kill(children[i], SIGKILL);
        waitpid(children[i], NULL, 0);
        children[i] = 0;
    }
}

int fx_proc_wait_port(int port, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
            .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        if (ok) return 0;
        usleep(50000);
    }
    return -1;
}

/* Lowest port the kernel hands out as an ephemeral source port. */
static int ephemeral_low(void)
{
    int low = 32768, high;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f) {
        if (fscanf(f, "%d %d", &low, &high) != 2) low = 32768;
        fclose(f);
    }
    return low;
}

static int port_is_free(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0) close(fd);
    return ok;
}

/* Ports come from just below the ephemeral range, never from it: a client
 * that dials a port in that range before its server listens can connect to
 * itself (TCP simultaneous open) and so take the port the server then fails
 * to bind. A random start per process keeps parallel test runs apart; later
 * calls go upwards so one process never gets the same port twice. */
int fx_proc_free_port(void)
{
    static int next;
    int low = ephemeral_low(), first = low - 12000 < 1024 ? 1024 : low - 12000;
    int span = low - first;
    cr_assert_gt(span, 0, "ephemeral port range starts at %d", low);
    if (!next) next = first + (int)(((unsigned)getpid() * 2654435761u) % (unsigned)span);
    for (int tries = 0; tries < span; tries++) {
        int port = next;
        next = next + 1 >= low ? first : next + 1;
        if (port_is_free(port)) return port;
    }
    cr_assert_fail("no free port in %d..%d", first, low - 1);
    return -1;
}
