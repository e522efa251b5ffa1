/*
 * server.c — `plumb serve`: libmicrohttpd with epoll and a thread pool
 * sized to the cores, request bodies with size limits, routing with
 * deny-by-default permission checks, CSRF, rate limits, security headers,
 * static files, C2SP tlog-tiles under /ledger/, one-line JSON access logs,
 * graceful shutdown on SIGTERM. Layer: http (top, beside the CLI).
 * Spec: docs/API.md, docs/SECURITY.md, C2SP tlog-tiles.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <sodium.h>

#include "../accounts/accounts.h"
#include "../cases/cases.h"
#include "../ledger/witness.h"
#include "http_int.h"

static atomic_int inflight;

#define PL_STR_(x) #x
#define PL_STR(x) PL_STR_(x)

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void pl_http_opts_default(pl_http_opts *o)
{
    memset(o, 0, sizeof *o);
    o->db = "plumbline.db";
    o->bind = "127.0.0.1";
    o->port = 8080;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    o->threads = n > 0 ? (int)n : 2;
    o->max_body = 1u << 20;
    o->max_import = 16u << 20;
    o->conn_timeout = 15;
    o->header_timeout = 10;
    o->max_conns = 1000;
    o->conns_per_ip = 100;
    o->busy_wait = 10;
    o->rate_ip = 6000;
    o->rate_user = 3000;
    o->rate_login = 20;
    o->lockout_after = 5;
    o->lockout_secs = 900;
    o->idle_secs = 1800;
    o->session_secs = 43200;
}

/* ------------------------------------------------------------- the clock */

static pthread_mutex_t clock_mu = PTHREAD_MUTEX_INITIALIZER;

int64_t http_now(server *srv)
{
    if (!srv->o.clock_file)
        return pl_time_now();
    /* A test rewrites the file while requests run: a read that finds it
     * truncated or half-written keeps the last time read, never falls back
     * to the real clock (which made sessions expire at random). */
    static int64_t last_read;
    pthread_mutex_lock(&clock_mu);
    int64_t t = last_read ? last_read : pl_time_now();
    FILE *f = fopen(srv->o.clock_file, "r");
    if (f) {
        char line[64] = "";
        if (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\r\n")] = 0;
            int64_t v;
            if (pl_time_parse(line, &v) == 0)
                t = last_read = v;
        }
        fclose(f);
    }
    pthread_mutex_unlock(&clock_mu);
    return t;
}

void http_today(server *srv, char out[11])
{
    char full[21];
    pl_time_format_clock(full, http_now(srv));
    memcpy(out, full, 10);
    out[10] = 0;
}

void http_sync_clock(req *r)
{
    if (r->srv->o.clock_file)
        pl_time_set_now(http_now(r->srv));
}

const char *http_msg_field(const char *msg, char out[48])
{
    size_t k = 0;
    out[0] = 0;
    while (k < 47 && (islower((unsigned char)msg[k]) || msg[k] == '_'))
        k++;
    if (k == 0 || msg[k] != ':' || msg[k + 1] != ' ')
        return NULL;
    memcpy(out, msg, k);
    out[k] = 0;
    return out;
}

int reply_module(req *r, int rc, const pl_err *e)
{
    const char *msg = e && e->msg[0] ? e->msg : pl_strerror(rc);
    char buf[48];
    const char *field = http_msg_field(msg, buf);
    switch (rc) {
    case PL_EINVAL: return reply_error(r, 400, "invalid", field, msg);
    case PL_EDENIED: return reply_error(r, 403, "forbidden", field, msg);
    case PL_EEXIST: return reply_error(r, 422, "unprocessable", field, msg);
    case PL_ENOTFOUND: return reply_error(r, 404, "not_found", field, msg);
    default: return reply_status(r, rc, e);
    }
}

int http_caller_scopes(req *r, pl_store *s, http_scopes *sc, pl_err *e)
{
    memset(sc, 0, sizeof *sc);
    int got = pl_accounts_user_scopes(s, r->who.uid, sc->buf, HTTP_MAX_SCOPES, e);
    if (got < 0)
        return got;
    sc->n = (size_t)got;
    for (size_t i = 0; i < sc->n; i++)
        sc->v[i] = sc->buf[i];
    return 0;
}

/* ---------------------------------------------------------- log handles */

void http_handle(server *srv, const char *id, char out[HTTP_HANDLE_LEN])
{
    uint8_t h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)id, strlen(id), srv->handle_key,
                       sizeof srv->handle_key);
    out[0] = 'h';
    out[1] = ':';
    pl_hex(out + 2, h, sizeof h);
}

/* The handle key: the ledger's subject handle of a fixed label, i.e. a
 * PRF of the store's subject key (kept in the store, never in a log or an
 * event header: that label is no record's id). Not the subject key itself,
 * so a log line cannot be matched with the public event headers. */
static int handle_key_init(server *srv, pl_err *e)
{
    char k[PL_SUBJECT_HANDLE_LEN];
    int rc = pl_ledger_subject_handle(srv->w.l, "plumb-http-log-handle-key-1", k, e);
    if (rc)
        return rc;
    rc = pl_unhex(srv->handle_key, sizeof srv->handle_key, k + 2);
    sodium_memzero(k, sizeof k);
    return rc ? pl_err_set(e, PL_EINTERNAL, "cannot derive the log handle key") : 0;
}

/* ----------------------------------------------------------- rate limits */

#define RL_SLOTS 4096
typedef struct rl_slot {
    char key[80];
    double tat; /* theoretical arrival time of the next request (mono_s) */
} rl_slot;
static rl_slot rl[RL_SLOTS];
static pthread_mutex_t rl_mu = PTHREAD_MUTEX_INITIALIZER;

/* `limit` requests per minute per key, as a token bucket of `limit` tokens
 * refilled evenly over the minute (the generic cell rate algorithm: one
 * time stamp per key). Unlike fixed one-minute windows it lets no burst of
 * twice the limit through across a window boundary, and its answer does not
 * depend on where a burst falls in the minute. 1 if `key` is over. A slot
 * whose time stamp has passed holds nothing and may be taken by any key. */
int http_rate_exceeded_at(const char *key, int limit, double now)
{
    if (limit <= 0)
        return 0;
    double step = 60.0 / limit, tolerance = 60.0 - step;
    uint64_t h = 1469598103934665603ull;
    for (const char *p = key; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ull;
    pthread_mutex_lock(&rl_mu);
    rl_slot *slot = NULL;
    for (int i = 0; i < 8 && !slot; i++) {
        rl_slot *c = &rl[(h + (uint64_t)i) % RL_SLOTS];
        if (strcmp(c->key, key) == 0 || c->tat <= now || !c->key[0])
            slot = c;
    }
    if (!slot)
        slot = &rl[h % RL_SLOTS];
    if (strcmp(slot->key, key) != 0) {
        snprintf(slot->key, sizeof slot->key, "%s", key);
        slot->tat = now;
    }
    double tat = slot->tat > now ? slot->tat : now;
    int over = tat - now > tolerance;
    if (!over)
        slot->tat = tat + step;
    pthread_mutex_unlock(&rl_mu);
    return over;
}

int http_rate_exceeded(const char *key, int limit)
{
    return http_rate_exceeded_at(key, limit, mono_s());
}

/* ---------------------------------------------------------------- replies */

static int dump_to_buf(const char *buf, size_t size, void *data)
{
    pl_buf_add(data, buf, size);
    return 0;
}

int reply_json(req *r, int status, json_t *v)
{
    r->status = status;
    pl_buf_reset(&r->out);
    /* Straight into the reply buffer: no intermediate string. */
    if (!v || json_dump_callback(v, dump_to_buf, &r->out, JSON_COMPACT) != 0) {
        pl_buf_reset(&r->out);
        pl_buf_adds(&r->out, "null");
    }
    json_decref(v);
    r->ctype = "application/json; charset=utf-8";
    return 0;
}

void reply_direct(req *r)
{
    r->status = 200;
    pl_buf_reset(&r->out);
    r->ctype = "application/json; charset=utf-8";
}

int reply_error(req *r, int status, const char *code, const char *field, const char *msg)
{
    /* Every 503 says when to try again (a store that cannot be opened or
     * reached during a failover, shutting down, busy). */
    if (status == 503 && !r->extra_hdr[0]) {
        snprintf(r->extra_hdr, sizeof r->extra_hdr, "Retry-After");
        snprintf(r->extra_val, sizeof r->extra_val, "%d", HTTP_BUSY_RETRY_SECS);
    }
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", msg ? msg : code);
    if (field)
        json_object_set_new(err, "field", json_string(field));
    return reply_json(r, status, json_pack("{s:o}", "error", err));
}

/* One JSON line on stderr for a 500: the route, the code and the store's
 * message (SQL text and SQLSTATE at most: values are bound, never in the
 * text, and libpq's messages carry no password), escaped by jansson. */
static void log_internal(req *r, int rc, const pl_err *e)
{
    json_t *o = json_pack("{s:s, s:i, s:s}", "level", "error", "rc", rc, "where",
                          r->rt ? r->rt->path : "?");
    if (o && e && e->msg[0])
        json_object_set_new(o, "msg", json_string(e->msg));
    char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
    fprintf(stderr, "%s\n", line ? line : "{\"level\":\"error\"}");
    free(line);
    json_decref(o);
}

int reply_status(req *r, int rc, const pl_err *e)
{
    const char *msg = e && e->msg[0] ? e->msg : pl_strerror(rc);
    /* A caller that reports any store failure as PL_ESTORE still gets the
     * busy and disk-full answers the store's code calls for. */
    if ((rc == PL_ESTORE || rc == PL_EIO || rc == PL_EINTERNAL) && e &&
        (e->code == PL_EBUSY || e->code == PL_EFULL))
        rc = e->code;
    switch (rc) {
    case PL_EINVAL: return reply_error(r, 400, "invalid", NULL, msg);
    case PL_ENOTFOUND: return reply_error(r, 404, "not_found", NULL, "not found");
    case PL_EEXIST: return reply_error(r, 409, "exists", NULL, msg);
    case PL_EDENIED: return reply_error(r, 403, "forbidden", NULL, "forbidden");
    case PL_EBUSY:
        /* Another process (a CLI import) held the writer lock past the
         * bounded wait: the transaction was rolled back, nothing of this
         * request is stored, and the client is told to send it again. */
        fprintf(stderr, "{\"level\":\"warn\",\"rc\":%d,\"where\":\"%s\",\"msg\":\"store busy\"}\n",
                rc, r->rt ? r->rt->path : "?");
        snprintf(r->extra_hdr, sizeof r->extra_hdr, "Retry-After");
        snprintf(r->extra_val, sizeof r->extra_val, "%d", HTTP_BUSY_RETRY_SECS);
        return reply_error(r, 503, "store_busy", NULL,
                           "存储忙, 本次请求未保存任何内容, 请稍后重试 / the store is busy with "
                           "another writer; nothing of this request was stored: send it again "
                           "after Retry-After seconds");
    case PL_EFULL:
        fprintf(stderr, "{\"level\":\"error\",\"rc\":%d,\"where\":\"%s\",\"msg\":\"disk full\"}\n",
                rc, r->rt ? r->rt->path : "?");
        return reply_error(r, 507, "disk_full", NULL,
                           "存储所在磁盘已满, 本次请求未保存任何内容 / the store's disk is full; "
                           "nothing of this request was stored");
    default:
        /* Store and internal errors: the detail (which may quote SQL) goes
         * to the server log only. */
        log_internal(r, rc, e);
        return reply_error(r, 500, "internal", NULL, "internal error");
    }
}

const char *req_arg(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->mc, MHD_GET_ARGUMENT_KIND, name);
}

/* ----------------------------------------------------------- connections */

static __thread pl_store *tl_store;

static pl_store *thread_store(server *srv, pl_err *e)
{
    if (tl_store)
        return tl_store;
    if (pl_store_open(&tl_store, srv->o.db, 0, e) != 0)
        return NULL;
    /* Its writes (sessions, sign-in counters) wait no longer than the
     * writer's: a pool thread is not held for longer by a CLI import. */
    pl_store_busy_timeout(tl_store, srv->o.busy_wait * 1000);
    if (pl_accounts_scope_init(tl_store, e) != 0) {
        pl_store_close(tl_store);
        tl_store = NULL;
        return NULL;
    }
    pthread_mutex_lock(&srv->conns_mu);
    if (srv->nconns == srv->capconns) {
        srv->capconns = srv->capconns ? srv->capconns * 2 : 8;
        srv->conns = pl_realloc(srv->conns, srv->capconns * sizeof *srv->conns);
    }
    srv->conns[srv->nconns++] = tl_store;
    pthread_mutex_unlock(&srv->conns_mu);
    return tl_store;
}

/* The read replica's connection of this thread (--read-url): read-only
 * (default_transaction_read_only, whatever the server), no scope TEMP
 * table; opened when first needed and made again by the store after a
 * loss. */
static __thread pl_store *tl_rstore;

static pl_store *replica_store(server *srv, pl_err *e)
{
    if (tl_rstore)
        return tl_rstore;
    if (pl_store_open(&tl_rstore, srv->o.read_db, PL_STORE_READONLY, e) != 0)
        return NULL;
    pthread_mutex_lock(&srv->conns_mu);
    if (srv->nconns == srv->capconns) {
        srv->capconns = srv->capconns ? srv->capconns * 2 : 8;
        srv->conns = pl_realloc(srv->conns, srv->capconns * sizeof *srv->conns);
    }
    srv->conns[srv->nconns++] = tl_rstore;
    pthread_mutex_unlock(&srv->conns_mu);
    return tl_rstore;
}

static void writer_close(writer *w)
{
    pl_cases_free(w->cases);
    w->cases = NULL;
    pl_rules_free(w->rules);
    pl_registry_free(w->reg);
    pl_ledger_free(w->l);
    w->rules = NULL;
    w->reg = NULL;
    w->l = NULL;
}

static void ckpt_on_commit(void *ctx, int frames);
static void ckpt_size(server *srv, pl_store *s);

static int writer_open(server *srv, pl_err *e)
{
    writer *w = &srv->w;
    int rc = 0;
    if (!w->s) {
        rc = pl_store_open(&w->s, srv->o.db, 0, e);
        if (!rc)
            pl_store_busy_timeout(w->s, srv->o.busy_wait * 1000);
        /* The writer does not checkpoint: a checkpoint copies the WAL's
         * pages (~1,000 of 16 KiB) into the database and fsyncs it, which
         * inside a COMMIT holds every writer for its duration. ckpt_main
         * does it on its own connection when the WAL has grown past
         * SQLite's own mark; a PASSIVE checkpoint never blocks the writer.
         * Durability is the WAL's, as before. */
        if (!rc && srv->ck_started) {
            ckpt_size(srv, w->s);
            pl_store_wal_hook(w->s, ckpt_on_commit, srv);
        }
    }
    if (!rc)
        rc = pl_ledger_open(&w->l, w->s, e);
    if (!rc)
        rc = pl_registry_new(&w->reg, w->s, w->l, e);
    if (!rc)
        rc = pl_rules_new(&w->rules, w->s, w->l, e);
    /* Single writes are checked incrementally in their own transaction: a
     * finding exists the moment its evidence does. */
    if (!rc)
        pl_rules_attach(w->rules);
    if (!rc)
        rc = cases_writer_open(srv, w, e);
    /* Half open (the database went away during a failover): nothing
     * open, so that writer_ready opens it all again next time. */
    if (rc)
        writer_close(w);
    return rc;
}

static writer *writer_ready(server *srv, pl_err *e);

/* Takes wmu, counted as waiting meanwhile (the group's last member is the
 * one that sees nobody waiting). Bounded: while a CLI import holds the
 * store, the request that holds wmu waits in SQLite's busy handler and
 * the others here; each gives up after --busy-wait seconds with PL_EBUSY
 * (503 with Retry-After, nothing written). */
static int wmu_take(server *srv, pl_err *e)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += srv->o.busy_wait > 0 ? srv->o.busy_wait : 1;
    pthread_mutex_lock(&srv->gc_mu);
    srv->gc_waiters++;
    pthread_mutex_unlock(&srv->gc_mu);
    int lr = pthread_mutex_timedlock(&srv->wmu, &until);
    pthread_mutex_lock(&srv->gc_mu);
    srv->gc_waiters--;
    pthread_mutex_unlock(&srv->gc_mu);
    if (lr != 0)
        return pl_err_set(e, lr == ETIMEDOUT ? PL_EBUSY : PL_EINTERNAL,
                          "store busy: another write held the store for %d s", srv->o.busy_wait);
    return 0;
}

/* ------------------------------------------------------- checkpoints */

/* A checkpoint is asked for each time the WAL has grown by this many
 * bytes of pages: SQLite's own mark (wal_autocheckpoint's 1,000 frames) of
 * the 16 KiB pages a store gets by default. Counted in bytes, not frames,
 * so that a store of 4 KiB pages (`plumb init --page-size 4096`) is not
 * checkpointed four times as often: each checkpoint copies every page
 * the frames since the last one touched and fsyncs the database, and the
 * hot pages of a stream of small commits (index leaves, the ledger's
 * tails) are the same few from one checkpoint to the next
 * (docs/BENCHMARKS.md "Smaller pages"). */
#define CK_BYTES (1000 * 16384)

/* The writer's WAL hook, after each of its commits (wmu held). A
 * checkpoint is asked for each time the WAL has grown by ck_frames since
 * the last request, not after every commit past the mark: under a steady
 * stream of commits the WAL is never found fully copied (a commit lands
 * during each checkpoint), so asking on every commit ran a checkpoint and
 * its fsync for every few commits, copying each hot page again each time
 * (docs/BENCHMARKS.md "The checkpoint's trigger"). The WAL restarting from
 * its start shows as fewer frames than at the last request. */
static void ckpt_on_commit(void *ctx, int frames)
{
    server *srv = ctx;
    if (frames < srv->ck_mark)
        srv->ck_mark = 0;
    if (frames - srv->ck_mark < srv->ck_frames)
        return;
    srv->ck_mark = frames;
    pthread_mutex_lock(&srv->ck_mu);
    srv->ck_due = 1;
    pthread_cond_signal(&srv->ck_cv);
    pthread_mutex_unlock(&srv->ck_mu);
}

/* ck_frames from the writer's page size (16 KiB unless the store was
 * made otherwise: 1,000 frames, as before). */
static void ckpt_size(server *srv, pl_store *s)
{
    int64_t ps = 0;
    pl_err e;
    pl_err_init(&e);
    if (strcmp(pl_store_backend(s), "sqlite") != 0 ||
        pl_store_query_i64(s, &ps, &e, "PRAGMA page_size", NULL) != 0 || ps < 512 || ps > 65536)
        ps = 16384;
    srv->ck_frames = (int)(CK_BYTES / ps);
}

static void *ckpt_main(void *arg)
{
    server *srv = arg;
    pl_store *s = NULL;
    pthread_mutex_lock(&srv->ck_mu);
    while (!srv->ck_quit) {
        if (!srv->ck_due) {
            pthread_cond_wait(&srv->ck_cv, &srv->ck_mu);
            continue;
        }
        srv->ck_due = 0;
        pthread_mutex_unlock(&srv->ck_mu);
        pl_err e;
        pl_err_init(&e);
        if (!s && pl_store_open(&s, srv->o.db, 0, &e) != 0)
            s = NULL; /* tried again next time */
        if (s && strcmp(pl_store_backend(s), "sqlite") != 0) {
            pl_store_close(s); /* PostgreSQL checkpoints by itself */
            return NULL;
        }
        if (s && pl_store_exec(s, "PRAGMA wal_checkpoint(PASSIVE)", &e) != 0 && !srv->o.quiet)
            fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"checkpoint\",\"rc\":%d}\n", e.code);
        /* The frames committed while that ran, copied with the writer held
         * (a short pass: the bulk is done), so that the checkpoint is
         * complete and the writer's next transaction starts the WAL over
         * from its beginning; without it a steady stream of commits never
         * leaves the WAL fully copied and the file grows without bound. */
        if (s) {
            pl_err_init(&e);
            if (writer_lock(srv, &e)) {
                pl_store_exec(s, "PRAGMA wal_checkpoint(PASSIVE)", &e);
                writer_unlock(srv);
            }
        }
        pthread_mutex_lock(&srv->ck_mu);
    }
    pthread_mutex_unlock(&srv->ck_mu);
    if (s)
        pl_store_close(s);
    return NULL;
}

/* SQLite only (the thread ends at once on PostgreSQL). ck_started is set
 * before the writer opens (so that it leaves checkpoints to the thread)
 * and the thread started once the signals are masked; if it cannot be,
 * the writer checkpoints again. PLUMB_CHECKPOINT=writer keeps SQLite's own
 * checkpoints in the writer's COMMIT (the benches' "before"). */
static void ckpt_want(server *srv)
{
    const char *env = getenv("PLUMB_CHECKPOINT");
    srv->ck_started = !(env && strcmp(env, "writer") == 0);
}

static void ckpt_start(server *srv)
{
    if (!srv->ck_started)
        return;
    if (pthread_create(&srv->ck_th, NULL, ckpt_main, srv) == 0) {
        srv->ck_running = 1;
        return;
    }
    srv->ck_started = 0;
    pl_err e;
    pl_err_init(&e);
    if (srv->w.s && strcmp(pl_store_backend(srv->w.s), "sqlite") == 0)
        pl_store_exec(srv->w.s, "PRAGMA wal_autocheckpoint=1000", &e);
}

static void ckpt_stop(server *srv)
{
    if (!srv->ck_running)
        return;
    pthread_mutex_lock(&srv->ck_mu);
    srv->ck_quit = 1;
    pthread_cond_signal(&srv->ck_cv);
    pthread_mutex_unlock(&srv->ck_mu);
    pthread_join(srv->ck_th, NULL);
    srv->ck_running = 0;
}

/* Commits the open group (wmu held): one COMMIT, one fsync; then every
 * member waiting for it is told the outcome. */
static void group_commit(server *srv)
{
    pl_err e;
    pl_err_init(&e);
    int rc = pl_store_commit(srv->w.s, &e);
    srv->gc_open = 0;
    pthread_mutex_lock(&srv->gc_mu);
    gc_member *head = srv->gc_head;
    int64_t n = 0;
    for (gc_member *m = head; m; m = m->next)
        n++;
    srv->gc_head = NULL;
    srv->gc_groups++;
    srv->gc_members += n;
    if (n > srv->gc_largest)
        srv->gc_largest = n;
    pthread_mutex_unlock(&srv->gc_mu);
    /* Each member woken on its own semaphore: a broadcast woke them all
     * onto gc_mu at once, each waiting for it in turn (futex round trips
     * and context switches per member, docs/BENCHMARKS.md "The
     * checkpoint's trigger"). A member may return and end as soon as it is
     * posted: its next is read first. */
    for (gc_member *m = head, *next; m; m = next) {
        next = m->next;
        m->rc = rc;
        m->done = 1;
        sem_post(&m->sem);
    }
    if (rc)
        fprintf(stderr, "plumb serve: group commit of %lld requests failed: %s\n", (long long)n,
                e.msg);
}

writer *writer_lock(server *srv, pl_err *e)
{
    if (wmu_take(srv, e))
        return NULL;
    if (srv->gc_open)
        group_commit(srv);
    return writer_ready(srv, e);
}

writer *writer_lock_group(server *srv, gc_member *m, int flags, pl_err *e)
{
    memset(m, 0, sizeof *m);
    if (!srv->gc_enabled) {
        m->solo = 1;
        return writer_lock(srv, e);
    }
    if (wmu_take(srv, e))
        return NULL;
    if (!srv->gc_open) {
        if (!writer_ready(srv, e))
            return NULL;
        if (pl_store_begin(srv->w.s, e)) {
            pthread_mutex_unlock(&srv->wmu);
            return NULL;
        }
        srv->gc_open = 1;
        /* The group's first member runs in the group's transaction itself,
         * without a savepoint: there is nothing of others to keep if it
         * fails (its failure rolls the whole, still its own, transaction
         * back). A savepoint copies every page it changes, whole, into the
         * sub-journal: ~28 pages of 16 KiB for a clue, 13 % of an intake's
         * instructions (docs/BENCHMARKS.md "The savepoint's page copies"). */
        m->first = 1;
        srv->gc_redo_ok = (flags & GC_REDO) != 0;
        return &srv->w;
    }
    char today[11];
    http_today(srv, today);
    pl_rules_set_as_of(srv->w.rules, today, NULL);
    if (!(flags & GC_REDO))
        srv->gc_redo_ok = 0;
    else if (srv->gc_redo_ok) {
        /* Every member before this one can be run again: no savepoint. If
         * this member fails, writer_unlock_group rolls the group back
         * whole and has them run again. */
        m->bare = 1;
        return &srv->w;
    }
    if (pl_store_savepoint(srv->w.s, e)) {
        /* Nothing of this member was written: the group goes on. */
        pthread_mutex_unlock(&srv->wmu);
        return NULL;
    }
    return &srv->w;
}

int writer_unlock_group(server *srv, gc_member *m, pl_err *e)
{
    if (m->solo) {
        writer_unlock(srv);
        return 0;
    }
    int rc;
    if ((m->first || m->bare) && pl_store_tx_failed(srv->w.s)) {
        /* A member without a savepoint failed: the transaction is rolled
         * back whole (the outermost commit of a failed transaction rolls
         * back and says why); no group is left open. The members before
         * it (none if it was the first; otherwise all of them could be run
         * again, GC_REDO) are waiting for a commit that will not come:
         * each is told to run its write again. */
        rc = pl_store_commit(srv->w.s, e);
        srv->gc_open = 0;
        pthread_mutex_lock(&srv->gc_mu);
        gc_member *head = srv->gc_head;
        srv->gc_head = NULL;
        srv->gc_redone += head != NULL;
        pthread_mutex_unlock(&srv->gc_mu);
        for (gc_member *o = head, *next; o; o = next) {
            next = o->next;
            o->rc = GC_AGAIN;
            o->done = 1;
            sem_post(&o->sem);
        }
        pthread_mutex_unlock(&srv->wmu);
        return rc ? rc : pl_err_set(e, PL_ESTORE, "transaction was rolled back");
    }
    /* The member's savepoint: released, or rolled back to if a write of
     * this member failed (that failure is the member's own answer). The
     * first member and a bare one have none: their writes are the
     * transaction's. */
    rc = (m->first || m->bare) ? 0 : pl_store_commit(srv->w.s, e);
    sem_init(&m->sem, 0, 0);
    pthread_mutex_lock(&srv->gc_mu);
    m->next = srv->gc_head;
    srv->gc_head = m;
    int waiting = srv->gc_waiters;
    pthread_mutex_unlock(&srv->gc_mu);
    if (!waiting) {
        group_commit(srv);
        pthread_mutex_unlock(&srv->wmu);
    } else {
        /* Another request takes the writer next and joins this group; the
         * last one commits it. If none does (it gave up waiting), the
         * group is committed here after a short wait. */
        pthread_mutex_unlock(&srv->wmu);
        for (;;) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 20 * 1000 * 1000;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            if (sem_timedwait(&m->sem, &until) == 0)
                break;
            if (errno != ETIMEDOUT)
                continue; /* EINTR */
            /* Not committed yet: the group open is this member's. */
            pthread_mutex_lock(&srv->wmu);
            if (srv->gc_open && sem_trywait(&m->sem) != 0)
                group_commit(srv);
            else if (!srv->gc_open)
                sem_wait(&m->sem); /* posted by the commit that closed it */
            pthread_mutex_unlock(&srv->wmu);
            break;
        }
    }
    sem_destroy(&m->sem);
    if (rc)
        return rc;
    if (m->rc == GC_AGAIN)
        return GC_AGAIN;
    if (m->rc)
        return pl_err_set(e, m->rc, "the group's commit failed");
    return 0;
}

/* The writer, wmu held: brought up to date with the log; NULL (wmu
 * released) on error. */
static writer *writer_ready(server *srv, pl_err *e)
{
    /* Another process (plumb import, plumb user) may have appended: the
     * handles cache the tree, so reopen them when the log grew. */
    int64_t n = 0;
    int rc = pl_store_query_i64_cached(srv->w.s, &n, e,
                                       "SELECT COALESCE(MAX(seq)+1, 0) FROM ledger_events", NULL);
    if (rc == 0 && (!srv->w.l || n != pl_ledger_size(srv->w.l))) {
        writer_close(&srv->w);
        rc = writer_open(srv, e);
    }
    if (rc) {
        pthread_mutex_unlock(&srv->wmu);
        return NULL;
    }
    char today[11];
    http_today(srv, today);
    pl_rules_set_as_of(srv->w.rules, today, NULL);
    return &srv->w;
}

void writer_unlock(server *srv)
{
    pthread_mutex_unlock(&srv->wmu);
}

/* ------------------------------------------------------------ responses */

static void add_security_headers(struct MHD_Response *resp, server *srv, int static_file)
{
    MHD_add_response_header(resp, "Content-Security-Policy",
                            static_file
                                ? "default-src 'self'; script-src 'self'; style-src 'self'; "
                                  "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                                  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
                                : "default-src 'none'; base-uri 'none'; form-action 'none'; "
                                  "frame-ancestors 'none'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
    MHD_add_response_header(resp, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    if (!static_file)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (srv->tls)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

static enum MHD_Result send_reply(req *r)
{
    size_t len = r->out.len;
    r->sent = len;
    char *data = pl_buf_detach(&r->out, NULL);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type",
                            r->ctype ? r->ctype : "application/json; charset=utf-8");
    add_security_headers(resp, r->srv, 0);
    if (r->cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", r->cookie);
    if (r->extra_hdr[0])
        MHD_add_response_header(resp, r->extra_hdr, r->extra_val);
    enum MHD_Result ret = MHD_queue_response(r->mc, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---------------------------------------------------------------- static */

static const char *mime_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return "application/octet-stream";
    static const char *const map[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(dot, map[i][0]) == 0)
            return map[i][1];
    return "application/octet-stream";
}

static enum MHD_Result serve_static(req *r, const char *path)
{
    server *srv = r->srv;
    if (strstr(path, "..") || strchr(path, '\\') || strlen(path) > 512) {
        reply_error(r, 404, "not_found", NULL, "not found");
        return send_reply(r);
    }
    char full[PATH_MAX];
    snprintf(full, sizeof full, "%s%s%s", srv->o.web_dir, path,
             path[strlen(path) - 1] == '/' ? "index.html" : "");
    int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        reply_error(r, 404, "not_found", NULL, "not found");
        return send_reply(r);
    }
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
    MHD_add_response_header(resp, "Content-Type", mime_of(full));
    add_security_headers(resp, srv, 1);
    r->status = 200;
    r->sent = (size_t)sb.st_size;
    r->ctype = mime_of(full);
    enum MHD_Result ret = MHD_queue_response(r->mc, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ------------------------------------------------------------ tlog-tiles */

/* Parse a C2SP tile index path ("x001/x234/067" or "067.p/5"). */
static int parse_tile_index(const char *s, int64_t *index, int *width)
{
    int64_t n = 0;
    *width = PL_TILE_WIDTH;
    for (;;) {
        int x = s[0] == 'x';
        if (x)
            s++;
        if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
              s[2] <= '9'))
            return -1;
        if (n > INT64_MAX / 1000)
            return -1;
        n = n * 1000 + (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
        s += 3;
        if (x) {
            if (*s != '/')
                return -1;
            s++;
            continue;
        }
        break;
    }
    if (strncmp(s, ".p/", 3) == 0) {
        int64_t w;
        if (pl_parse_i64(s + 3, 1, PL_TILE_WIDTH - 1, &w) != 0)
            return -1;
        *width = (int)w;
    } else if (*s) {
        return -1;
    }
    *index = n;
    return 0;
}

static enum MHD_Result serve_ledger(req *r, const char *path)
{
    pl_err e;
    pl_err_init(&e);
    pl_ledger *l = NULL;
    int rc = pl_ledger_open(&l, r->s, &e);
    if (rc) {
        reply_status(r, rc, &e);
        return send_reply(r);
    }
    pl_buf_reset(&r->out);
    r->ctype = "application/octet-stream";
    if (strcmp(path, "checkpoint") == 0) {
        rc = pl_ledger_latest_checkpoint(l, &r->out, &e);
        r->ctype = "text/plain; charset=utf-8";
    } else if (strncmp(path, "tile/", 5) == 0) {
        const char *p = path + 5;
        int level;
        if (strncmp(p, "entries/", 8) == 0) {
            level = -1;
            p += 8;
        } else if (p[0] >= '0' && p[0] <= '9' && p[1] == '/') {
            level = p[0] - '0';
            p += 2;
        } else {
            level = -2;
        }
        int64_t index = 0;
        int width = 0;
        if (level < -1 || parse_tile_index(p, &index, &width) != 0) {
            rc = PL_ENOTFOUND;
        } else {
            int64_t size = pl_ledger_size(l);
            int tree_level = level < 0 ? 0 : level * PL_TILE_HEIGHT;
            int64_t count = tree_level < 63 ? size >> tree_level : 0;
            int64_t have = count - index * PL_TILE_WIDTH;
            if (index > INT64_MAX / PL_TILE_WIDTH || have < width ||
                (width < PL_TILE_WIDTH && have >= PL_TILE_WIDTH))
                rc = PL_ENOTFOUND;
            for (int i = 0; rc == 0 && i < width; i++) {
                int64_t idx = index * PL_TILE_WIDTH + i;
                if (level < 0) {
                    pl_event_rec ev;
                    rc = pl_ledger_get(l, idx, &ev, &e);
                    if (rc == 0) {
                        uint8_t len2[2] = {(uint8_t)(ev.header_len >> 8), (uint8_t)ev.header_len};
                        pl_buf_add(&r->out, len2, 2);
                        pl_buf_add(&r->out, ev.header, ev.header_len);
                        pl_event_rec_release(&ev);
                    }
                } else {
                    uint8_t h[PL_HASH_BYTES];
                    rc = pl_ledger_node(l, tree_level, idx, h, &e);
                    if (rc == 0)
                        pl_buf_add(&r->out, h, PL_HASH_BYTES);
                }
            }
        }
    } else {
        rc = PL_ENOTFOUND;
    }
    pl_ledger_free(l);
    if (rc) {
        reply_status(r, rc == PL_ENOTFOUND ? rc : rc, &e);
        return send_reply(r);
    }
    r->status = 200;
    return send_reply(r);
}

/* ---------------------------------------------------------------- routing */

/* Match `path` against the pattern; captures go to r->params. */
static int match(const char *pattern, const char *path, req *r)
{
    int np = 0;
    const char *a = pattern, *b = path;
    while (*a && *b) {
        if (*a == '{') {
            const char *close = strchr(a, '}');
            const char *end = strchr(b, '/');
            size_t n = end ? (size_t)(end - b) : strlen(b);
            if (n == 0 || np >= 4)
                break; /* *a is '{': no match, captures freed below */
            r->params[np++] = pl_strndup(b, n);
            a = close + 1;
            b += n;
            continue;
        }
        if (*a != *b)
            break; /* the captures so far are freed below */
        a++;
        b++;
    }
    if (*a || *b) {
        for (int i = 0; i < np; i++) {
            free(r->params[i]);
            r->params[i] = NULL;
        }
        return 0;
    }
    r->nparams = np;
    return 1;
}

static void free_params(req *r)
{
    for (int i = 0; i < 4; i++) {
        free(r->params[i]);
        r->params[i] = NULL;
    }
    r->nparams = 0;
}

static int json_content_type(req *r)
{
    const char *ct = MHD_lookup_connection_value(r->mc, MHD_HEADER_KIND, "Content-Type");
    if (!ct)
        return 0;
    size_t n = strlen("application/json");
    return strncasecmp(ct, "application/json", n) == 0 && (ct[n] == 0 || ct[n] == ';');
}

static void dispatch_route(req *r, const route *rt);

/* Finds the request's route (r->rt, with its path parameters); -1 with a
 * 404 or 405 reply when there is none. */
static int find_route(req *r)
{
    char *q = strchr(r->url, '?');
    if (q)
        *q = 0;
    const char *path = r->url;
    size_t n;
    const route *tab = routes_table(&n);
    const route *rt = NULL;
    int path_known = 0;
    for (size_t i = 0; i < n && !rt; i++) {
        if (match(tab[i].path, path, r)) {
            path_known = 1;
            if (strcmp(tab[i].method, r->method) == 0)
                rt = &tab[i];
            else
                free_params(r);
        }
    }
    if (!rt) {
        if (path_known)
            reply_error(r, 405, "method_not_allowed", NULL, "method not allowed");
        else
            reply_error(r, 404, "not_found", NULL, "no such route");
        return -1;
    }
    r->rt = rt;
    return 0;
}

static void touch_later(req *r);

/* Runs the found route r->rt on r->s. */
static void dispatch(req *r)
{
    const route *rt = r->rt;
    /* The plain reads (lists and single records) run session check, scope
     * check and query in one read transaction on the worker's connection:
     * one snapshot, one WAL read lock instead of one per statement. */
    pl_err e;
    pl_err_init(&e);
    /* (the version pinned: one commits reading per request, on PostgreSQL
     * in BEGIN's round trip). A clue intake's session check and checks
     * share one too (routes_read_first), ended before the writer lock: on
     * SQLite each statement in autocommit began and ended a read of its
     * own, the first after every commit re-reading its pages. */
    int txn = ((strcmp(r->method, "GET") == 0 && routes_read_txn(rt)) || routes_read_first(rt)) &&
              pl_store_read_begin(r->s, &e) == 0;
    r->in_txn = txn;
    dispatch_route(r, rt);
    http_read_end(r);
    pl_store_version_unpin(r->s);
    touch_later(r);
}

void http_read_end(req *r)
{
    if (!r->in_txn)
        return;
    pl_err e;
    pl_err_init(&e);
    /* BEGIN went straight to the connection (not pl_store_begin), so the
     * store's nesting count does not know of it: pl_store_rollback would
     * do nothing and leave the snapshot open for the next request.
     * pl_store_read_end commits (or rolls back a failed one), or does
     * nothing when the route's last read already committed it
     * (pl_store_read_last). */
    pl_store_read_end(r->s, &e);
    r->in_txn = 0;
}

static void dispatch_route(req *r, const route *rt)
{
    server *srv = r->srv;
    if (strcmp(rt->perm, "public") != 0) {
        int arc = auth_session(r);
        if (arc == PL_EBUSY) {
            reply_status(r, PL_EBUSY, NULL);
            return;
        }
        if (arc != 0) {
            reply_error(r, 401, "unauthenticated", NULL, "sign in first");
            return;
        }
        char key[64];
        snprintf(key, sizeof key, "user:%lld", (long long)r->who.uid);
        if (http_rate_exceeded(key, srv->o.rate_user)) {
            snprintf(r->extra_hdr, sizeof r->extra_hdr, "Retry-After");
            snprintf(r->extra_val, sizeof r->extra_val, "60");
            reply_error(r, 429, "rate_limited", NULL, "too many requests for this account");
            return;
        }
        if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
            const char *tok = MHD_lookup_connection_value(r->mc, MHD_HEADER_KIND, "X-CSRF-Token");
            size_t tl = tok ? strlen(tok) : 0;
            if (tl != strlen(r->who.csrf) || tl == 0 || sodium_memcmp(tok, r->who.csrf, tl) != 0) {
                reply_error(r, 403, "csrf", "X-CSRF-Token", "missing or wrong CSRF token");
                return;
            }
        }
        if (strcmp(rt->perm, "authenticated") != 0 &&
            !pl_accounts_role_has(r->who.role, rt->perm)) {
            reply_error(r, 403, "forbidden", NULL, "your role does not allow this");
            return;
        }
    }
    if (rt->body) {
        if (!json_content_type(r)) {
            reply_error(r, 415, "content_type", "Content-Type",
                        "send Content-Type: application/json");
            return;
        }
        json_error_t je;
        r->json = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
        if (!r->json) {
            char msg[256];
            snprintf(msg, sizeof msg, "malformed JSON at line %d column %d: %s", je.line, je.column,
                     je.text);
            reply_error(r, 400, "malformed_json", "body", msg);
            return;
        }
        if (!json_is_object(r->json)) {
            reply_error(r, 400, "malformed_json", "body", "the body must be a JSON object");
            return;
        }
    } else if (r->body.len) {
        reply_error(r, 400, "unexpected_body", "body", "this route takes no body");
        return;
    }
    /* The dashboard's aggregates from the read replica, once the session
     * is checked here: they write nothing and read no audited record
     * (docs/DEPLOY.md "Read replicas for dashboards"). */
    pl_store *primary = r->s;
    if (srv->o.read_db && !r->in_txn && routes_replica(rt)) {
        pl_err e;
        pl_err_init(&e);
        pl_store *rs = replica_store(srv, &e);
        if (!rs) {
            reply_status(r, PL_EBUSY, &e);
            return;
        }
        r->s = rs;
        r->replica = 1;
    }
    rt->fn(r);
    r->s = primary;
}

/* ------------------------------------------------------------- the pool
 * libmicrohttpd's worker threads each serve many connections from one
 * epoll loop, so a handler that waits (for the writer lock, the ledger's
 * fsync, argon2id at sign-in, an import) stalls every other connection of
 * its thread. Measured before the pool (county store, 2 workers): while 8
 * clients read declaration lists, each read appending its access.read
 * event with one fsync, single reads by 16 other clients fell from 20,229
 * to 1,563 replies/s, median 0.6 → 10.8 ms. Now a request that may wait
 * runs here: the worker suspends its connection and goes on with the
 * others, a pool thread runs the handler on a store connection of its own
 * and resumes the connection, and the worker sends the reply. Plain reads
 * (routes_never_writes) stay on the worker: for them the hand-off would
 * cost more than it saves. */

static pl_store *thread_store(server *srv, pl_err *e);

static void run_job(server *srv, req *r)
{
    pl_err e;
    pl_err_init(&e);
    r->s = thread_store(srv, &e);
    if (r->s)
        dispatch(r);
    else
        reply_error(r, 503, "unavailable", NULL, "store unavailable");
    r->job = 2;
    MHD_resume_connection(r->mc);
}

/* A session's last_seen touch, left by a worker (it is a write). */
typedef struct touch_item {
    char token_hash[72];
    int64_t at;
    struct touch_item *next;
} touch_item;

static void touch_later(req *r)
{
    if (!r->touch_at)
        return;
    if (r->job) { /* on the pool already */
        auth_touch(r);
        return;
    }
    server *srv = r->srv;
    touch_item *t = pl_calloc(1, sizeof *t);
    snprintf(t->token_hash, sizeof t->token_hash, "%s", r->who.token_hash);
    t->at = r->touch_at;
    r->touch_at = 0;
    pthread_mutex_lock(&srv->pool_mu);
    if (srv->pool_n == 0) { /* no pool (stopping): the touch is only a hint */
        pthread_mutex_unlock(&srv->pool_mu);
        free(t);
        return;
    }
    t->next = srv->touch_head;
    srv->touch_head = t;
    pthread_cond_signal(&srv->pool_cv);
    pthread_mutex_unlock(&srv->pool_mu);
}

static void *pool_main(void *arg)
{
    server *srv = arg;
    for (;;) {
        pthread_mutex_lock(&srv->pool_mu);
        while (!srv->pool_head && !srv->touch_head && !srv->pool_quit)
            pthread_cond_wait(&srv->pool_cv, &srv->pool_mu);
        req *r = srv->pool_head;
        touch_item *t = NULL;
        if (r) {
            srv->pool_head = r->next_job;
            if (!srv->pool_head)
                srv->pool_tail = &srv->pool_head;
        } else if ((t = srv->touch_head) != NULL) {
            srv->touch_head = t->next;
        }
        pthread_mutex_unlock(&srv->pool_mu);
        if (r) {
            run_job(srv, r);
        } else if (t) {
            pl_err e;
            pl_err_init(&e);
            pl_store *s = thread_store(srv, &e);
            if (s)
                pl_accounts_session_touch(s, t->token_hash, t->at);
            free(t);
        } else {
            return NULL; /* quitting, and nothing left */
        }
    }
}

/* Hands r to the pool (its connection suspended until answered); -1 when
 * the server is shutting down. Called from the access handler. */
static int pool_submit(server *srv, req *r)
{
    pthread_mutex_lock(&srv->pool_mu);
    if (srv->pool_quit || srv->pool_n == 0) {
        pthread_mutex_unlock(&srv->pool_mu);
        return -1;
    }
    r->job = 1;
    r->next_job = NULL;
    MHD_suspend_connection(r->mc);
    *srv->pool_tail = r;
    srv->pool_tail = &r->next_job;
    pthread_cond_signal(&srv->pool_cv);
    pthread_mutex_unlock(&srv->pool_mu);
    return 0;
}

static int pool_start(server *srv, pl_err *e)
{
    for (int i = 0; i < HTTP_POOL_THREADS; i++) {
        if (pthread_create(&srv->pool_th[i], NULL, pool_main, srv) != 0)
            return pl_err_set(e, PL_EINTERNAL, "cannot start the request pool");
        pthread_mutex_lock(&srv->pool_mu);
        srv->pool_n++;
        pthread_mutex_unlock(&srv->pool_mu);
    }
    return 0;
}

/* Lets the queued requests finish, then joins the threads. */
static void pool_stop(server *srv)
{
    pthread_mutex_lock(&srv->pool_mu);
    srv->pool_quit = 1;
    pthread_cond_broadcast(&srv->pool_cv);
    int n = srv->pool_n;
    pthread_mutex_unlock(&srv->pool_mu);
    for (int i = 0; i < n; i++)
        pthread_join(srv->pool_th[i], NULL);
    pthread_mutex_lock(&srv->pool_mu);
    srv->pool_n = 0;
    while (srv->touch_head) { /* left after the threads' last look */
        touch_item *t = srv->touch_head;
        srv->touch_head = t->next;
        free(t);
    }
    pthread_mutex_unlock(&srv->pool_mu);
}

/* ------------------------------------------------------- header deadline */

/* libmicrohttpd's --timeout is an idle timeout: a client that sends one
 * byte of its headers every few seconds keeps its connection for ever, and
 * a thousand of them fill the connection limit (slowloris). Each
 * connection is tracked from accept (and again from each answer, for the
 * next request on a kept-alive connection) until its request's headers are
 * complete, which is when libmicrohttpd first calls on_request; the main
 * thread shuts down, once a second, every connection still without
 * complete headers after --header-timeout seconds. libmicrohttpd calls
 * the CLOSED notification before it closes the socket, and both sides
 * hold ct_mu, so a shut-down descriptor is never one reused by another
 * connection. */
typedef struct conn_track {
    struct conn_track *prev, *next;
    int fd;
    int in_request; /* headers complete, request not yet answered */
    int reaped;
    double since; /* mono_s when this request's headers began */
} conn_track;

static pthread_mutex_t ct_mu = PTHREAD_MUTEX_INITIALIZER;
static conn_track *ct_head;

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_track *t = pl_calloc(1, sizeof *t);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        t->fd = ci ? ci->connect_fd : -1;
        t->since = mono_s();
        pthread_mutex_lock(&ct_mu);
        t->next = ct_head;
        if (ct_head)
            ct_head->prev = t;
        ct_head = t;
        pthread_mutex_unlock(&ct_mu);
        *socket_context = t;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        conn_track *t = *socket_context;
        pthread_mutex_lock(&ct_mu);
        if (t->prev)
            t->prev->next = t->next;
        else
            ct_head = t->next;
        if (t->next)
            t->next->prev = t->prev;
        pthread_mutex_unlock(&ct_mu);
        free(t);
        *socket_context = NULL;
    }
}

static void track_request(req *r, int in_request)
{
    if (!r->track)
        return;
    pthread_mutex_lock(&ct_mu);
    r->track->in_request = in_request;
    r->track->since = mono_s();
    pthread_mutex_unlock(&ct_mu);
}

/* Shuts down the connections whose headers are overdue; how many. */
static int reap_slow_headers(int timeout)
{
    if (timeout <= 0)
        return 0;
    int n = 0;
    double now = mono_s();
    pthread_mutex_lock(&ct_mu);
    for (conn_track *t = ct_head; t; t = t->next) {
        if (t->in_request || t->reaped || t->fd < 0 || now - t->since < timeout)
            continue;
        /* libmicrohttpd sees the end of the stream and closes it. */
        shutdown(t->fd, SHUT_RDWR);
        t->reaped = 1;
        n++;
    }
    pthread_mutex_unlock(&ct_mu);
    return n;
}

/* ------------------------------------------------------------- callbacks */

/* The path for the log: each path parameter of the route (a record id, a
 * citizen ID, a receipt code) as its handle, and, on a path that matched no
 * route, each segment holding 6 or more digits; never the query string. */
static void log_path(req *r, pl_buf *out)
{
    char h[HTTP_HANDLE_LEN];
    const char *url = r->url ? r->url : "";
    size_t end = strcspn(url, "?");
    if (r->rt && r->nparams > 0) {
        const char *p = r->rt->path;
        int i = 0;
        while (*p) {
            const char *open = strchr(p, '{');
            if (!open || i >= r->nparams) {
                pl_buf_adds(out, p);
                break;
            }
            pl_buf_add(out, p, (size_t)(open - p));
            http_handle(r->srv, r->params[i++], h);
            pl_buf_adds(out, h);
            const char *close = strchr(open, '}');
            p = close ? close + 1 : open + strlen(open);
        }
        return;
    }
    size_t i = 0;
    while (i < end) {
        size_t seg = i + 1 + strcspn(url + i + 1, "/?");
        if (seg > end)
            seg = end;
        size_t digits = 0;
        for (size_t j = i; j < seg; j++)
            digits += url[j] >= '0' && url[j] <= '9';
        if (digits >= 6 && url[i] == '/') {
            char *id = pl_strndup(url + i + 1, seg - i - 1);
            http_handle(r->srv, id, h);
            free(id);
            pl_buf_adds(out, "/");
            pl_buf_adds(out, h);
        } else {
            pl_buf_add(out, url + i, seg - i);
        }
        i = seg;
    }
}

static void log_line(req *r)
{
    if (r->srv->o.quiet)
        return;
    pl_buf path;
    pl_buf_init(&path);
    log_path(r, &path);
    char at[21];
    pl_time_format_clock(at, pl_time_now());
    /* Path only (query strings may hold search terms); never cookies,
     * tokens, passwords or codes. */
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:f}", "t", at, "ip", r->ip, "method",
                          r->method, "path", path.data ? path.data : "", "status", r->status,
                          "bytes", (json_int_t)r->sent, "ms", (mono_s() - r->t0) * 1000.0);
    if (r->authed) {
        json_object_set_new(o, "user", json_string(r->who.username));
        json_object_set_new(o, "role", json_string(pl_accounts_role_name(r->who.role)));
    }
    if (r->replica) /* answered from the read replica (--read-url) */
        json_object_set_new(o, "db", json_string("replica"));
    char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(4));
    if (s)
        fprintf(stderr, "%s\n", s);
    free(s);
    json_decref(o);
    pl_buf_release(&path);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    req *r = *con_cls;
    if (!r)
        return;
    if (!r->status)
        r->status = 499;
    log_line(r);
    if (r->counted)
        atomic_fetch_sub(&inflight, 1);
    track_request(r, 0); /* the next request's headers start now */
    free_params(r);
    json_decref(r->json);
    pl_buf_release(&r->body);
    pl_buf_release(&r->out);
    free(r->url);
    free(r);
    *con_cls = NULL;
}

/* At most this many query parameters (the API's lists take a handful):
 * libmicrohttpd keeps each one in the connection's 32 KiB memory pool, and
 * some hundreds of them used that up before the request reached us, so
 * that not even its own 431 could be sent (an empty reply). */
#define HTTP_MAX_QUERY_PARAMS 100
static char too_many_params; /* the mark uri_check leaves as *con_cls */

/* libmicrohttpd's URI callback runs on the request line before the query
 * is split into parameters. A query with too many is emptied in place (the
 * line is in the connection's own read buffer, which libmicrohttpd parses
 * next), so nothing is allocated for it, and on_request answers 400. */
static void *uri_check(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    char *q = strchr(uri, '?');
    if (!q)
        return NULL;
    size_t n = 1;
    for (const char *p = q + 1; *p; p++)
        n += *p == '&' || *p == ';';
    if (n <= HTTP_MAX_QUERY_PARAMS)
        return NULL;
    memset(q, 0, strlen(q));
    return &too_many_params;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    server *srv = cls;
    req *r = *con_cls;
    int params_over = r == (void *)&too_many_params;
    if (!r || params_over) {
        r = pl_calloc(1, sizeof *r);
        *con_cls = r;
        r->srv = srv;
        r->mc = c;
        r->t0 = mono_s();
        r->counted = 1;
        atomic_fetch_add(&inflight, 1);
        const union MHD_ConnectionInfo *sc =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        r->track = sc ? sc->socket_context : NULL;
        track_request(r, 1);
        snprintf(r->method, sizeof r->method, "%s", method);
        r->url = pl_strdup(url);
        pl_buf_init(&r->body);
        pl_buf_init(&r->out);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        snprintf(r->ip, sizeof r->ip, "?");
        if (ci && ci->client_addr) {
            const struct sockaddr *sa = ci->client_addr;
            if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->ip,
                          sizeof r->ip);
            else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->ip,
                          sizeof r->ip);
        }
        /* Bulk bodies (an import, a bundle, a batch of clues) up to --max-import. */
        r->limit = strcmp(url, "/api/v1/import") == 0 || strcmp(url, "/levels/bundles") == 0 ||
                           strcmp(url, "/api/v1/cases/batch") == 0
                       ? srv->o.max_import
                       : srv->o.max_body;
        if (strcmp(url, "/portal/api/reports") == 0 || strcmp(url, "/portal/api/material") == 0)
            r->limit = PORTAL_MAX_BODY;
        if (params_over) {
            reply_error(r, 400, "too_many_parameters", "query",
                        "at most " PL_STR(HTTP_MAX_QUERY_PARAMS) " query parameters");
            return send_reply(r);
        }
        char key[96];
        snprintf(key, sizeof key, "ip:%s", r->ip);
        if (http_rate_exceeded(key, srv->o.rate_ip)) {
            snprintf(r->extra_hdr, sizeof r->extra_hdr, "Retry-After");
            snprintf(r->extra_val, sizeof r->extra_val, "60");
            reply_error(r, 429, "rate_limited", NULL, "too many requests from this address");
            return send_reply(r);
        }
        if (strncmp(url, "/portal/", 8) == 0) {
            /* The reporter's address serves the portal's limits and nothing
             * else: not even the access log line gets it. */
            memcpy(r->portal_addr, r->ip, sizeof r->portal_addr);
            snprintf(r->ip, sizeof r->ip, "portal");
        }
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        int64_t clen = 0;
        if (cl && (pl_parse_i64(cl, 0, INT64_MAX, &clen) != 0 || (uint64_t)clen > r->limit)) {
            reply_error(r, 413, "too_large", "body", "request body too large");
            return send_reply(r);
        }
        return MHD_YES;
    }
    if (r->job == 2) /* answered by the pool: the connection was resumed */
        return send_reply(r);
    if (*upload_data_size) {
        if (r->body.len + *upload_data_size > r->limit)
            r->too_big = 1;
        else
            pl_buf_add(&r->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->too_big) {
        reply_error(r, 413, "too_large", "body", "request body too large");
        return send_reply(r);
    }
    if (srv->o.witness && strncmp(r->url, "/witness/", 9) == 0) {
        /* C2SP tlog-witness (docs/LEVELS.md): no session, the checkpoint's
         * signature is the authentication; the state lives in its own DIR. */
        if (strcmp(r->url, "/witness/add-checkpoint") != 0) {
            reply_error(r, 404, "not_found", NULL, "no such route");
        } else if (strcmp(method, "POST") != 0) {
            reply_error(r, 405, "method_not_allowed", NULL, "POST only");
        } else {
            r->status =
                pl_witness_add_checkpoint(srv->o.witness, r->body.data ? r->body.data : "",
                                          r->body.len, (int64_t)time(NULL), &r->out, &r->ctype);
        }
        return send_reply(r);
    }
    if (srv->o.bundle_origins && strncmp(r->url, "/levels/", 8) == 0) {
        /* Signed event bundles (docs/LEVELS.md §7): no session, the
         * bundle's pinned sender signature is the authentication. */
        if (strcmp(r->url, "/levels/bundles") != 0)
            reply_error(r, 404, "not_found", NULL, "no such route");
        else if (strcmp(method, "POST") != 0)
            reply_error(r, 405, "method_not_allowed", NULL, "POST only");
        else
            levels_bundle_route(r);
        return send_reply(r);
    }
    if (strncmp(r->url, "/api/", 5) == 0 || strncmp(r->url, "/portal/api/", 12) == 0) {
        if (find_route(r) != 0)
            return send_reply(r);
        if (!routes_never_writes(r->rt)) {
            if (pool_submit(srv, r) == 0)
                return MHD_YES;
            reply_error(r, 503, "unavailable", NULL, "shutting down");
            return send_reply(r);
        }
    }
    pl_err e;
    pl_err_init(&e);
    r->s = thread_store(srv, &e);
    if (!r->s) {
        reply_error(r, 503, "unavailable", NULL, "store unavailable");
        return send_reply(r);
    }
    if (r->rt) {
        dispatch(r);
        return send_reply(r);
    }
    if (strncmp(r->url, "/ledger/", 8) == 0) {
        char *q = strchr(r->url, '?');
        if (q)
            *q = 0;
        if (strcmp(method, "GET") != 0) {
            reply_error(r, 405, "method_not_allowed", NULL, "read-only");
            return send_reply(r);
        }
        if (auth_session(r) != 0) {
            reply_error(r, 401, "unauthenticated", NULL, "sign in first");
            return send_reply(r);
        }
        touch_later(r);
        if (!pl_accounts_role_has(r->who.role, "ledger:read")) {
            reply_error(r, 403, "forbidden", NULL, "your role does not allow this");
            return send_reply(r);
        }
        return serve_ledger(r, r->url + 8);
    }
    if (srv->o.web_dir && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)) {
        char *q = strchr(r->url, '?');
        if (q)
            *q = 0;
        return serve_static(r, r->url);
    }
    reply_error(r, 404, "not_found", NULL, "not found");
    return send_reply(r);
}

/* libmicrohttpd hands us its own printf format: checked by its authors. */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = 0;
    for (char *p = msg; *p; p++)
        if (*p == '"' || *p == '\\')
            *p = '\'';
    fprintf(stderr, "{\"level\":\"mhd\",\"msg\":\"%s\"}\n", msg);
}

static int read_file(const char *path, char **out, pl_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pl_err_set(e, PL_EINVAL, "%s: cannot read: %s", path, strerror(errno));
    pl_buf b;
    pl_buf_init(&b);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && b.len < (1u << 20))
        pl_buf_add(&b, buf, n);
    fclose(f);
    *out = pl_buf_detach(&b, NULL);
    return 0;
}

int pl_http_serve(const pl_http_opts *o, pl_err *e)
{
    if (sodium_init() < 0)
        return pl_err_set(e, PL_ECRYPTO, "libsodium init failed");
    /* Before any store opens: no per-allocation global mutex in SQLite,
     * which the worker threads would fight over. */
    pl_store_tune_for_threads();
    pl_accounts_register();
    server *srv = pl_calloc(1, sizeof *srv);
    srv->o = *o;
    pthread_mutex_init(&srv->wmu, NULL);
    pthread_mutex_init(&srv->conns_mu, NULL);
    pthread_mutex_init(&srv->audit_mu, NULL);
    srv->audit_tail = &srv->audit_head;
    pthread_mutex_init(&srv->gc_mu, NULL);
    pthread_cond_init(&srv->gc_cv, NULL);
    const char *gc = getenv("PLUMB_GROUP_COMMIT");
    srv->gc_enabled = !(gc && strcmp(gc, "off") == 0);
    srv->gc_stats = getenv("PLUMB_GROUP_COMMIT_STATS") != NULL;
    pthread_mutex_init(&srv->pool_mu, NULL);
    pthread_cond_init(&srv->pool_cv, NULL);
    srv->pool_tail = &srv->pool_head;
    pthread_mutex_init(&srv->ck_mu, NULL);
    pthread_cond_init(&srv->ck_cv, NULL);
    ckpt_want(srv);
    char *cert = NULL, *key = NULL;
    int rc = writer_open(srv, e);
    /* A read replica is refused at the start, in one line: sign-in,
     * sessions and the access.read events of audited reads all write
     * (docs/DEPLOY.md "Read replicas for dashboards"). A server that turns
     * read-only later (the old primary after a failover) is answered 503
     * with Retry-After, as before. */
    if (!rc) {
        int ro = pl_store_read_only(srv->w.s, e);
        if (ro > 0)
            rc = pl_err_set(e, PL_EINVAL,
                            "%s: the database server is read-only (a hot standby): plumb serve "
                            "needs the read-write URL (sign-in, sessions and the access.read "
                            "events of audited reads write); to answer the dashboard from a "
                            "read replica give it as --read-url beside the primary's --db",
                            pl_store_name(srv->w.s));
        else if (ro < 0)
            rc = ro;
    }
    /* The read replica: a PostgreSQL store of the same ledger (its
     * identity checked by the open), for the dashboard's reads only. */
    if (!rc && o->read_db) {
        pl_store *rs = NULL;
        if (strcmp(pl_store_backend(srv->w.s), "postgresql") != 0 ||
            (strncmp(o->read_db, "postgresql://", 13) != 0 &&
             strncmp(o->read_db, "postgres://", 11) != 0))
            rc = pl_err_set(e, PL_EINVAL,
                            "--read-url: a read replica is for a PostgreSQL store: give "
                            "postgresql:// URLs to both --db and --read-url");
        else if ((rc = pl_store_open(&rs, o->read_db, PL_STORE_READONLY, e)) == 0)
            pl_store_close(rs);
        else {
            char m[sizeof e->msg];
            snprintf(m, sizeof m, "%s", e->msg);
            pl_err_set(e, rc, "--read-url: %s", m);
        }
    }
    if (!rc)
        rc = pl_accounts_prepare(srv->w.s, srv->totp_key, e);
    if (!rc)
        rc = handle_key_init(srv, e);
    if (!rc && o->clock_file) {
        const char *hooks = getenv("PLUMB_TEST_HOOKS");
        if (!hooks || strcmp(hooks, "1") != 0)
            rc = pl_err_set(e, PL_EINVAL, "--clock-file is a test hook: set PLUMB_TEST_HOOKS=1");
    }
    if (!rc && (o->tls_cert || o->tls_key)) {
        if (!o->tls_cert || !o->tls_key)
            rc = pl_err_set(e, PL_EINVAL, "TLS needs both --tls-cert and --tls-key");
        else if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
            rc = pl_err_set(e, PL_EINVAL, "this libmicrohttpd has no TLS support");
        if (!rc)
            rc = read_file(o->tls_cert, &cert, e);
        if (!rc)
            rc = read_file(o->tls_key, &key, e);
        srv->tls = 1;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)o->port);
    if (!rc && inet_pton(AF_INET, o->bind, &sa.sin_addr) != 1)
        rc = pl_err_set(e, PL_EINVAL, "--bind: not an IPv4 address: %s", o->bind);
    struct MHD_Daemon *d = NULL;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (!rc) {
        /* Workers inherit the mask: only this thread takes the signals. */
        pthread_sigmask(SIG_BLOCK, &set, NULL);
        signal(SIGPIPE, SIG_IGN);
        ckpt_start(srv);
        rc = pool_start(srv, e);
    }
    if (!rc) {
        unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                         MHD_ALLOW_SUSPEND_RESUME;
        if (srv->tls)
            flags |= MHD_USE_TLS;
        struct MHD_OptionItem tls_opts[] = {
            {srv->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
            {MHD_OPTION_HTTPS_MEM_KEY, 0, key},
            {MHD_OPTION_END, 0, NULL},
        };
        /* Connection memory (headers, read and header-write buffers): MHD's
         * default 32 KiB, as the bare handler of bench/api.sh. MHD zeroes
         * the whole pool between keep-alive requests, so twice that cost
         * ~5 % of a read's CPU for nothing a request here needs. */
        d = MHD_start_daemon(
            flags, (uint16_t)o->port, NULL, NULL, &on_request, srv, MHD_OPTION_SOCK_ADDR, &sa,
            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(o->threads > 0 ? o->threads : 1),
            MHD_OPTION_NOTIFY_COMPLETED, &on_completed, srv, MHD_OPTION_URI_LOG_CALLBACK,
            &uri_check, srv, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->conn_timeout,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024, MHD_OPTION_CONNECTION_LIMIT,
            (unsigned)o->max_conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)o->conns_per_ip,
            MHD_OPTION_NOTIFY_CONNECTION, &on_connection, srv, MHD_OPTION_LISTEN_BACKLOG_SIZE,
            1024u, MHD_OPTION_EXTERNAL_LOGGER, &mhd_log, NULL, MHD_OPTION_ARRAY, tls_opts,
            MHD_OPTION_END);
        if (!d)
            rc = pl_err_set(e, PL_EIO, "cannot listen on %s:%d", o->bind, o->port);
    }
    if (!rc) {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        int port = di ? di->port : o->port;
        fprintf(stderr,
                "{\"level\":\"info\",\"msg\":\"listening\",\"url\":\"%s://%s:%d/\","
                "\"threads\":%d}\n",
                srv->tls ? "https" : "http", o->bind, port, o->threads);
        if (o->port_file) {
            char tmp[PATH_MAX];
            snprintf(tmp, sizeof tmp, "%s.tmp", o->port_file);
            FILE *f = fopen(tmp, "w");
            if (f) {
                fprintf(f, "%d\n", port);
                fclose(f);
                rename(tmp, o->port_file);
            }
        }
        /* The main thread waits for the signal and, once a second, ends
         * the connections whose headers are overdue. */
        int sig = 0;
        const struct timespec tick = {1, 0};
        while (sig <= 0) {
            sig = sigtimedwait(&set, NULL, &tick);
            if (sig > 0)
                break;
            int n = reap_slow_headers(o->header_timeout);
            if (n > 0)
                fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"header deadline\",\"closed\":%d}\n",
                        n);
        }
        fprintf(stderr, "{\"level\":\"info\",\"msg\":\"shutting down\",\"signal\":%d}\n", sig);
        MHD_quiesce_daemon(d);
        double until = mono_s() + 10.0;
        while (atomic_load(&inflight) > 0 && mono_s() < until)
            usleep(10000);
        /* No connection may stay suspended when the daemon stops: the pool
         * finishes what it holds (a long import included) first. */
        pool_stop(srv);
        MHD_stop_daemon(d);
        fprintf(stderr, "{\"level\":\"info\",\"msg\":\"stopped\",\"unfinished\":%d}\n",
                atomic_load(&inflight));
    }
    pool_stop(srv); /* if the daemon did not start; else already stopped */
    ckpt_stop(srv);
    if (key)
        sodium_memzero(key, strlen(key));
    free(cert);
    free(key);
    for (size_t i = 0; i < srv->nconns; i++)
        pl_store_close(srv->conns[i]);
    free(srv->conns);
    if (srv->gc_open) /* not left by a member (each waits for its commit) */
        group_commit(srv);
    writer_close(&srv->w);
    if (srv->w.has_signer)
        pl_signer_wipe(&srv->w.signer);
    pl_store_close(srv->w.s);
    pthread_mutex_destroy(&srv->wmu);
    pthread_mutex_destroy(&srv->conns_mu);
    pthread_mutex_destroy(&srv->audit_mu);
    pthread_mutex_destroy(&srv->gc_mu);
    pthread_cond_destroy(&srv->gc_cv);
    pthread_mutex_destroy(&srv->ck_mu);
    pthread_cond_destroy(&srv->ck_cv);
    pthread_mutex_destroy(&srv->pool_mu);
    pthread_cond_destroy(&srv->pool_cv);
    sodium_memzero(srv->totp_key, sizeof srv->totp_key);
    sodium_memzero(srv->handle_key, sizeof srv->handle_key);
    free(srv);
    return rc;
}
