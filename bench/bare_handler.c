/*
 * bare_handler.c — the baseline of bench/api.sh: a bare libmicrohttpd
 * server (same flags as `plumb serve`: epoll, thread pool of one thread per
 * core) that answers every request with a fixed JSON body. Layer: bench.
 * Usage: bare_handler PORT_FILE [THREADS [PATH=FILE ...]]; stops on SIGTERM.
 * Each PATH=FILE serves the bytes of FILE (read once at start) for that
 * URL path, so that the floor can be measured with a body of the same size
 * as a real reply (bench/api.sh captures them); any other path gets BODY.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

static const char BODY[] =
    "{\"items\":[{\"id\":\"U0\",\"name\":\"unit\",\"level\":\"county\"}],\"limit\":50,"
    "\"offset\":0,\"next_offset\":null}";

#define MAX_FIXED 8
static struct {
    const char *path;
    char *body;
    size_t len;
} fixed[MAX_FIXED];
static int nfixed;

static int load(const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || nfixed == MAX_FIXED)
        return -1;
    FILE *f = fopen(eq + 1, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, len = 0, n;
    char *b = malloc(cap);
    while (b && (n = fread(b + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap)
            b = realloc(b, cap *= 2);
    }
    fclose(f);
    if (!b)
        return -1;
    fixed[nfixed].path = strndup(arg, (size_t)(eq - arg));
    fixed[nfixed].body = b;
    fixed[nfixed++].len = len;
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    (void)cls;
    (void)method;
    (void)version;
    (void)data;
    if (!*con_cls) {
        *con_cls = (void *)1;
        return MHD_YES;
    }
    if (*size) {
        *size = 0;
        return MHD_YES;
    }
    const char *body = BODY;
    size_t len = sizeof BODY - 1;
    for (int i = 0; i < nfixed; i++)
        if (strcmp(url, fixed[i].path) == 0) {
            body = fixed[i].body;
            len = fixed[i].len;
        }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bare_handler PORT_FILE [THREADS]\n");
        return 1;
    }
    unsigned threads = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 0;
    if (!threads)
        threads = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 3; i < argc; i++)
        if (load(argv[i]) != 0) {
            fprintf(stderr, "bare_handler: cannot load %s (want PATH=FILE)\n", argv[i]);
            return 1;
        }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC, 0, NULL, NULL, &on_request, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_END);
    if (!d)
        return 2;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    FILE *f = fopen(argv[1], "w");
    if (f) {
        fprintf(f, "%d\n", di ? di->port : 0);
        fclose(f);
    }
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    return 0;
}
