/*
 * witness_http.c — `plumb witness serve`: a small libmicrohttpd server
 * with the one C2SP tlog-witness route, POST /add-checkpoint
 * (https://c2sp.org/tlog-witness; the logic is src/ledger/witness.c), and
 * the HTTP/1.1 client `plumb checkpoint push` uses to reach a witness.
 * Layer: http. Docs: docs/LEVELS.md.
 */
#include "witness_http.h"

#include "../store/store.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <strings.h>
#include <microhttpd.h>

/* A checkpoint note is at most PL_NOTE_MAX; 63 proof lines and "old N". */
#define MAX_BODY ((size_t)PL_NOTE_MAX + 4096)

typedef struct wreq {
    pl_buf body;
    int too_big;
} wreq;

static enum MHD_Result reply(struct MHD_Connection *c, int status, const char *ctype, pl_buf *out)
{
    size_t len = out->len;
    char *data = pl_buf_detach(out, NULL);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", ctype);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    pl_witness *w = cls;
    wreq *r = *con_cls;
    if (!r) {
        r = pl_calloc(1, sizeof *r);
        pl_buf_init(&r->body);
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_size) {
        if (r->body.len + *upload_size > MAX_BODY)
            r->too_big = 1;
        else
            pl_buf_add(&r->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    pl_buf out;
    pl_buf_init(&out);
    const char *json = "application/json";
    if (strcmp(url, "/add-checkpoint") != 0) {
        pl_buf_adds(&out, "{\"error\":{\"code\":\"not_found\",\"field\":\"path\","
                          "\"message\":\"no such route (POST /add-checkpoint)\"}}\n");
        return reply(c, 404, json, &out);
    }
    if (strcmp(method, "POST") != 0) {
        pl_buf_adds(&out, "{\"error\":{\"code\":\"method_not_allowed\",\"field\":\"method\","
                          "\"message\":\"POST only\"}}\n");
        return reply(c, 405, json, &out);
    }
    if (r->too_big) {
        pl_buf_adds(&out, "{\"error\":{\"code\":\"too_large\",\"field\":\"body\","
                          "\"message\":\"request body too large\"}}\n");
        return reply(c, 413, json, &out);
    }
    const char *ctype = "text/plain";
    int status = pl_witness_add_checkpoint(w, r->body.data ? r->body.data : "", r->body.len,
                                           (int64_t)time(NULL), &out, &ctype);
    fprintf(stderr, "{\"level\":\"info\",\"route\":\"add-checkpoint\",\"status\":%d}\n", status);
    return reply(c, status, ctype, &out);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    wreq *r = *con_cls;
    if (r) {
        pl_buf_release(&r->body);
        free(r);
    }
    *con_cls = NULL;
}

int pl_witness_serve(pl_witness *w, const char *listen, const char *port_file, pl_err *e)
{
    const char *colon = strrchr(listen, ':');
    char host[64];
    int64_t port = 0;
    if (!colon || (size_t)(colon - listen) >= sizeof host ||
        pl_parse_i64(colon + 1, 0, 65535, &port) != 0)
        return pl_err_set(e, PL_EINVAL, "--listen: expected ADDR:PORT (IPv4), got '%s'", listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return pl_err_set(e, PL_EINVAL, "--listen: not an IPv4 address: %s", host);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD, (uint16_t)port, NULL, NULL, &on_request, w,
        MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, &on_completed, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, 15u, MHD_OPTION_CONNECTION_LIMIT, 256u, MHD_OPTION_END);
    if (!d)
        return pl_err_set(e, PL_EIO, "cannot listen on %s", listen);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    int bound = di ? di->port : (int)port;
    pl_buf vk;
    pl_buf_init(&vk);
    pl_witness_vkey(w, &vk);
    fprintf(stderr,
            "{\"level\":\"info\",\"msg\":\"witness listening\",\"url\":\"http://%s:%d/\","
            "\"vkey\":\"%s\"}\n",
            host, bound, vk.data);
    pl_buf_release(&vk);
    if (port_file) {
        char tmp[PATH_MAX];
        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        FILE *f = fopen(tmp, "w");
        if (f) {
            fprintf(f, "%d\n", bound);
            fclose(f);
            rename(tmp, port_file);
        }
    }
    int sig;
    while (sigwait(&set, &sig) != 0)
        ;
    fprintf(stderr, "{\"level\":\"info\",\"msg\":\"shutting down\",\"signal\":%d}\n", sig);
    MHD_stop_daemon(d);
    return 0;
}

/* -------------------------------------------------------------- client */

void pl_http_response_release(pl_http_response *r)
{
    pl_buf_release(&r->body);
    memset(r, 0, sizeof *r);
}

/* One HTTP/1.1 request (Connection: close). `what` names the peer in
 * messages ("witness", "log"); `cookie`, if given, is sent as the Cookie
 * header (never logged); an answer over `max` bytes is refused. */
static int http_request(const char *what, const char *method, const char *url, const char *path,
                        const char *cookie, const char *body, size_t len, size_t max,
                        pl_http_response *resp, pl_err *e)
{
    memset(resp, 0, sizeof *resp);
    pl_buf_init(&resp->body);
    if (strncmp(url, "http://", 7) != 0)
        return pl_err_set(e, PL_EINVAL, "%s URL '%s': only http:// is supported", what, url);
    const char *h = url + 7;
    const char *slash = strchr(h, '/');
    size_t hl = slash ? (size_t)(slash - h) : strlen(h);
    char hostport[300], host[300], port[16] = "80";
    if (hl == 0 || hl >= sizeof hostport)
        return pl_err_set(e, PL_EINVAL, "%s URL '%s': bad host", what, url);
    memcpy(hostport, h, hl);
    hostport[hl] = 0;
    char *colon = strrchr(hostport, ':');
    if (colon) {
        if (strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof port)
            return pl_err_set(e, PL_EINVAL, "%s URL '%s': bad port", what, url);
        snprintf(port, sizeof port, "%s", colon + 1);
        *colon = 0;
    }
    snprintf(host, sizeof host, "%s", hostport);
    const char *prefix = slash ? slash : "";
    size_t pl = strlen(prefix);
    while (pl && prefix[pl - 1] == '/')
        pl--;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    int gr = getaddrinfo(host, port, &hints, &ai);
    if (gr != 0)
        return pl_err_set(e, PL_EIO, "%s %s: %s", what, url, gai_strerror(gr));
    int fd = -1;
    for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        struct timeval tv = {10, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(ai);
    if (fd < 0)
        return pl_err_set(e, PL_EIO, "%s %s: cannot connect: %s", what, url, strerror(errno));
    pl_buf rq;
    pl_buf_init(&rq);
    pl_buf_addf(&rq, "%s %.*s%s HTTP/1.1\r\nHost: %s\r\n", method, (int)pl, prefix, path, hostport);
    if (cookie)
        pl_buf_addf(&rq, "Cookie: %s\r\n", cookie);
    if (body)
        pl_buf_addf(&rq, "Content-Length: %zu\r\nContent-Type: text/plain\r\n", len);
    pl_buf_adds(&rq, "Connection: close\r\n\r\n");
    if (body)
        pl_buf_add(&rq, body, len);
    int rc = 0;
    for (size_t off = 0; off < rq.len;) {
        ssize_t k = send(fd, rq.data + off, rq.len - off, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            rc = pl_err_set(e, PL_EIO, "%s %s: send: %s", what, url, strerror(errno));
            break;
        }
        off += (size_t)k;
    }
    pl_buf_release(&rq);
    pl_buf raw;
    pl_buf_init(&raw);
    char buf[4096];
    while (rc == 0) {
        ssize_t k = recv(fd, buf, sizeof buf, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            rc = pl_err_set(e, PL_EIO, "%s %s: receive: %s", what, url, strerror(errno));
        if (k <= 0)
            break;
        pl_buf_add(&raw, buf, (size_t)k);
        if (raw.len > max)
            rc = pl_err_set(e, PL_EIO, "%s %s: answer too large", what, url);
    }
    close(fd);
    /* Status line, headers (Content-Type, Content-Length), body. */
    const char *end = NULL;
    if (rc == 0) {
        for (size_t i = 0; i + 3 < raw.len; i++)
            if (memcmp(raw.data + i, "\r\n\r\n", 4) == 0) {
                end = raw.data + i;
                break;
            }
        int st = 0;
        if (!end || sscanf(raw.data, "HTTP/1.%*1[01] %3d", &st) != 1 || st < 100 || st > 599)
            rc = pl_err_set(e, PL_EIO, "%s %s: not an HTTP answer", what, url);
        resp->status = st;
    }
    if (rc == 0) {
        size_t body_off = (size_t)(end - raw.data) + 4;
        size_t clen = raw.len - body_off;
        for (const char *p = strstr(raw.data, "\r\n"); p && p < end; p = strstr(p + 2, "\r\n")) {
            const char *hd = p + 2;
            if (strncasecmp(hd, "Content-Type:", 13) == 0) {
                const char *v = hd + 13;
                while (*v == ' ')
                    v++;
                size_t vl = strcspn(v, "\r");
                snprintf(resp->ctype, sizeof resp->ctype, "%.*s", (int)vl, v);
            } else if (strncasecmp(hd, "Content-Length:", 15) == 0) {
                long long cl = atoll(hd + 15);
                if (cl >= 0 && (size_t)cl < clen)
                    clen = (size_t)cl;
            }
        }
        pl_buf_add(&resp->body, raw.data + body_off, clen);
    }
    pl_buf_release(&raw);
    return rc;
}

int pl_http_post(const char *url, const char *path, const char *body, size_t len,
                 pl_http_response *resp, pl_err *e)
{
    /* The errors name what was reached: a witness, or a level's server. */
    const char *what = strncmp(path, "/levels/", 8) == 0 ? "level" : "witness";
    return http_request(what, "POST", url, path, NULL, body, len, MAX_BODY, resp, e);
}

int pl_http_get(const char *url, const char *path, const char *cookie, size_t max,
                pl_http_response *resp, pl_err *e)
{
    if (cookie && strpbrk(cookie, "\r\n"))
        return pl_err_set(e, PL_EINVAL, "cookie: a line break is not allowed");
    return http_request("log", "GET", url, path, cookie, NULL, 0, max, resp, e);
}

/* ---------------------------------------------------------------- push */

int pl_witness_push(pl_ledger *l, const pl_witness_target *t, int64_t *cosigned, pl_err *e)
{
    int64_t old = 0;
    int rc = pl_ledger_witness_old_size(l, &t->v, &old, e);
    for (int attempt = 0; rc == 0; attempt++) {
        pl_buf note, body;
        pl_buf_init(&note);
        pl_buf_init(&body);
        pl_checkpoint cp;
        memset(&cp, 0, sizeof cp);
        rc = pl_ledger_latest_checkpoint(l, &note, e);
        pl_note n;
        if (rc == 0 && (rc = pl_note_parse(&n, note.data, note.len, e)) == 0) {
            rc = pl_checkpoint_parse(&cp, n.text, n.text_len, e);
            pl_note_release(&n);
        }
        if (rc == 0 && old > cp.size)
            rc = pl_err_set(e, PL_ECORRUPT,
                            "witness %s has cosigned size %lld, beyond this log's checkpoint "
                            "(%lld): the log was cut back or forked",
                            t->v.name, (long long)old, (long long)cp.size);
        if (rc == 0)
            rc = pl_ledger_witness_request(l, note.data, note.len, old, &body, e);
        pl_http_response r;
        memset(&r, 0, sizeof r);
        if (rc == 0)
            rc = pl_http_post(t->url, "/add-checkpoint", body.data, body.len, &r, e);
        int again = 0;
        if (rc == 0) {
            const char *b = r.body.data ? r.body.data : "";
            if (r.status == 200) {
                rc = pl_ledger_add_cosignature(l, note.data, note.len, b, r.body.len, &t->v, e);
                if (rc == 0)
                    *cosigned = cp.size;
            } else if (r.status == 409 && strcmp(r.ctype, PL_WITNESS_SIZE_TYPE) == 0 &&
                       attempt == 0) {
                /* The witness holds another size: retry once from it. */
                int64_t held = 0;
                char num[24];
                snprintf(num, sizeof num, "%.*s", (int)strcspn(b, "\n"), b);
                if (pl_parse_i64(num, 0, INT64_MAX, &held) != 0 || held == old)
                    rc = pl_err_set(e, PL_ECORRUPT,
                                    "witness %s refused (409): it holds size %s, and the root "
                                    "it cosigned there differs from this log's",
                                    t->v.name, num);
                else {
                    old = held;
                    again = 1;
                }
            } else {
                rc = pl_err_set(e, r.status == 409 ? PL_ECORRUPT : PL_EINVAL,
                                "witness %s refused: HTTP %d: %.*s", t->v.name, r.status,
                                (int)strcspn(b, "\n"), b);
            }
        }
        pl_http_response_release(&r);
        pl_buf_release(&note);
        pl_buf_release(&body);
        if (!again)
            break;
    }
    return rc;
}

int pl_witness_target_add(pl_witness_target **ts, size_t *n, const char *vkey, const char *url,
                          pl_err *e)
{
    pl_witness_target t;
    memset(&t, 0, sizeof t);
    if (pl_verifier_parse_witness(&t.v, vkey, e) != 0)
        return PL_EINVAL;
    if (t.v.alg != PL_ALG_COSIG_V1)
        return pl_err_set(e, PL_EINVAL,
                          "witness key %s is not a cosignature/v1 key (type 4): print it with "
                          "plumb witness vkey",
                          t.v.name);
    t.url = pl_strdup(url);
    *ts = realloc(*ts, (*n + 1) * sizeof **ts);
    if (!*ts)
        abort();
    (*ts)[(*n)++] = t;
    return 0;
}

int pl_witness_targets_read(const char *path, pl_witness_target **ts, size_t *n, pl_err *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return pl_err_set(e, PL_ENOTFOUND, "%s: cannot open", path);
    char line[2048];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *h = strchr(line, '#');
        if (h)
            *h = 0;
        char vk[1024], url[1024], extra[2];
        int k = sscanf(line, "%1023s %1023s %1s", vk, url, extra);
        if (k <= 0)
            continue;
        if (k != 2)
            rc = pl_err_set(e, PL_EINVAL, "%s line %d: expected \"<witness vkey> <URL>\"", path,
                            lineno);
        else if (pl_witness_target_add(ts, n, vk, url, e) != 0)
            rc = pl_err_set(e, PL_EINVAL, "%s line %d: %s", path, lineno, e->msg);
    }
    fclose(f);
    return rc;
}

void pl_witness_targets_free(pl_witness_target *ts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ts[i].url);
    free(ts);
}

/* ------------------------------------------------------------- pusher */

struct pl_witness_pusher {
    char *db;
    pl_witness_target *ts;
    size_t n;
    int interval;
    int stop;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* One round: each witness that has not cosigned the latest checkpoint
 * gets it. Logged to stderr as JSON lines, only when something happens. */
static void push_round(pl_witness_pusher *p)
{
    pl_err e;
    pl_err_init(&e);
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    if (pl_store_open(&s, p->db, 0, &e) != 0 || pl_ledger_open(&l, s, &e) != 0) {
        fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"witness push: cannot open the store\"}\n");
        if (s)
            pl_store_close(s);
        return;
    }
    pl_buf note;
    pl_buf_init(&note);
    pl_checkpoint cp;
    int have = pl_ledger_latest_checkpoint(l, &note, &e) == 0;
    if (have) {
        pl_note n;
        have = pl_note_parse(&n, note.data, note.len, &e) == 0;
        if (have) {
            have = pl_checkpoint_parse(&cp, n.text, n.text_len, &e) == 0;
            pl_note_release(&n);
        }
    }
    for (size_t i = 0; have && i < p->n; i++) {
        int64_t old = 0, size = 0;
        pl_err_init(&e);
        if (pl_ledger_witness_old_size(l, &p->ts[i].v, &old, &e) != 0 || old == cp.size)
            continue;
        int rc = pl_witness_push(l, &p->ts[i], &size, &e);
        /* The names and sizes are public (checkpoints); messages carry no
         * secret. Quotes are replaced to keep the line JSON. */
        for (char *c = e.msg; *c; c++)
            if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
                *c = '\'';
        if (rc == 0)
            fprintf(stderr,
                    "{\"level\":\"info\",\"msg\":\"witness cosigned\",\"witness\":\"%s\","
                    "\"size\":%lld}\n",
                    p->ts[i].v.name, (long long)size);
        else
            fprintf(stderr,
                    "{\"level\":\"warn\",\"msg\":\"witness push failed\",\"witness\":\"%s\","
                    "\"error\":\"%s\"}\n",
                    p->ts[i].v.name, e.msg);
    }
    pl_buf_release(&note);
    pl_ledger_free(l);
    pl_store_close(s);
}

static void *pusher_main(void *arg)
{
    pl_witness_pusher *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += p->interval;
        while (!p->stop && pthread_cond_timedwait(&p->cv, &p->mu, &until) == 0)
            ;
        if (p->stop)
            break;
        pthread_mutex_unlock(&p->mu);
        push_round(p);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int pl_witness_pusher_start(pl_witness_pusher **out, const char *db, const char *witnesses_file,
                            int interval, pl_err *e)
{
    *out = NULL;
    pl_witness_pusher *p = pl_calloc(1, sizeof *p);
    int rc = pl_witness_targets_read(witnesses_file, &p->ts, &p->n, e);
    if (rc == 0 && p->n == 0)
        rc = pl_err_set(e, PL_EINVAL, "%s: no witness configured", witnesses_file);
    if (rc) {
        pl_witness_targets_free(p->ts, p->n);
        free(p);
        return rc;
    }
    p->db = pl_strdup(db);
    p->interval = interval;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    /* SIGTERM and SIGINT are the server's main thread's (sigtimedwait):
     * blocked here, or the thread would take them and end the process. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    if (pthread_create(&p->th, NULL, pusher_main, p) != 0)
        abort();
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    *out = p;
    return 0;
}

void pl_witness_pusher_stop(pl_witness_pusher *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->th, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    pl_witness_targets_free(p->ts, p->n);
    free(p->db);
    free(p);
}
