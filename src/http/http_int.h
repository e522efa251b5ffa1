/*
 * http_int.h — private pieces shared by the files of src/http: the request,
 * the route table, the access specification of each entity, the server.
 * Layer: http. Not part of the public API.
 */
#ifndef PL_HTTP_INT_H
#define PL_HTTP_INT_H

#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>

#include <jansson.h>

#include "../ledger/ledger.h"
#include "../model/model.h"
#include "../rules/rules.h"
#include "../store/store.h"
#include "http.h"

struct MHD_Connection;

/* Role scope modes (pl_accounts_role_scope). */
enum { SCOPE_NONE = PL_SCOPE_NONE, SCOPE_SUBTREE = PL_SCOPE_SUBTREE, SCOPE_SELF = PL_SCOPE_SELF };

/* Where records sit in the unit tree and the scope/recusal SQL are
 * src/accounts/scope.c (pl_accounts_place_of, pl_accounts_scope_*). */

/** The signed-in user of a request. */
typedef struct principal {
    int64_t uid;
    char username[72];
    int role;
    char person_id[72];
    char csrf[72];
    char token_hash[72];
} principal;

typedef struct server server;

/** A request's membership of a commit group (writer_lock_group). */
typedef struct gc_member {
    int solo;  /**< grouping off: plain lock */
    int first; /**< opened the group: no savepoint (nothing before it to keep) */
    int bare;  /**< joined a group of members that can all be run again: no savepoint */
    int done, rc;
    sem_t sem; /**< posted by the group's commit, once rc and done are set */
    struct gc_member *next;
} gc_member;

/** One HTTP request in progress (per connection, freed when done). */
typedef struct req {
    server *srv;
    struct MHD_Connection *mc;
    char method[8];
    char *url;
    pl_buf body;
    int too_big;
    size_t limit;
    int status;
    pl_buf out;
    const char *ctype;
    char cookie[256];
    char extra_hdr[128];
    char extra_val[64];
    principal who;
    int authed;
    char ip[64];
    double t0;
    json_t *json;
    pl_store *s;
    char *params[4];
    int nparams;
    const struct route *rt;
    int counted;
    size_t sent;              /**< response body bytes (for the access log) */
    char portal_addr[64];     /**< portal: the client address, for its limits only */
    int in_txn;               /**< r->s is in the request's read transaction */
    int replica;              /**< the handler runs (ran) on the read replica's connection
                                   (--read-url; r->s meanwhile): read-only, no connection
                                   TEMP tables (no cached scope closure); in the access log */
    int job;                  /**< 0 on the worker, 1 with the pool, 2 answered by the pool */
    struct req *next_job;     /**< the pool's queue (server.c) */
    int64_t touch_at;         /**< session last_seen to write after it (0: none) */
    struct conn_track *track; /**< the connection's header deadline (server.c) */
} req;

typedef int (*handler_fn)(req *r);

/** One route: the single place that says who may call it. */
typedef struct route {
    const char *method;
    const char *path;   /**< "/api/v1/units/{id}" */
    const char *perm;   /**< "unit:read", "authenticated" or "public" */
    const char *entity; /**< record kind for scope/recusal, or NULL */
    handler_fn fn;
    const char *summary;
    int body; /**< takes a JSON body */
} route;

/** The route table (built once). */
const route *routes_table(size_t *n);
/** 1 if the route's handler only reads the worker connection (the list
 * and single-record reads): it may run in one read transaction. */
int routes_read_txn(const route *rt);
/** 1 if the route never waits for the writer: a plain read (routes_read_txn)
 * of an entity whose reads are not audited. Such requests run on the
 * libmicrohttpd worker; every other one on the server's pool (server.c). */
int routes_never_writes(const route *rt);
/** 1 if the route may be answered from the read replica (--read-url):
 * a GET of the dashboard's aggregates or the clue statistics, which
 * writes nothing and reads no audited record (its session is still
 * checked on the primary). */
int routes_replica(const route *rt);
/** 1 for GET /api/v1/cases/stats, the clue statistics (routes_cases.c):
 * one of routes_replica's. */
int routes_cases_replica(const route *rt);
/** The clue workflow routes (/api/v1/cases..., routes_cases.c). */
const route *routes_cases(size_t *n);
/** 1 if the route's session check and its checks before the writer lock
 * run in one read transaction on the pool's connection, which the handler
 * ends (http_read_end) before it waits for the writer: POST /api/v1/cases
 * (routes_cases.c). */
int routes_read_first(const route *rt);
/** Ends the request's read transaction, if any (server.c). */
void http_read_end(req *r);
/** Inspection and rectification routes (routes_inspect.c). */
const route *routes_inspect(size_t *n);
/** 1 if an inspection route is a plain read (routes_read_txn). */
int routes_inspect_read_txn(const route *rt);
/** The warnings' tasks and the 研判 meeting (routes_tasks.c). */
const route *routes_tasks(size_t *n);
/** The integrity file of a person, JSON and PDF (routes_file.c). */
const route *routes_file(size_t *n);
/** Declaration check rounds, the draw, comparison, conclusion (routes_declare.c). */
const route *routes_declare(size_t *n);
/** The printed reports: findings for the level above (routes_report.c). */
const route *routes_report(size_t *n);

/** A reader's rights as src/declare and src/report ask for them (the
 * role's "<entity>:read", access.c's scope and recusal over the worker's
 * cached scope closure), for request `r` (routes_file.c). */
struct pl_file_access;
typedef struct http_reader {
    req *r;
    int mode;
    char today[11];
} http_reader;
void http_reader_access(req *r, http_reader *fr, struct pl_file_access *acc);
/** Answer 200 with `data` as `ctype`, "Content-Disposition: attachment"
 * (`inline` when `inline_`) named `filename` (a plain token). Takes the
 * bytes; releases `data` (routes_report.c). */
int http_reply_bytes(req *r, const char *ctype, const char *filename, int inline_, pl_buf *data);
/** ?lang=: 0 zh-CN (absent, "zh", "zh-CN"), 1 "en", -1 after a 400 reply
 * naming "lang" (routes_report.c). */
int http_lang_arg(req *r);

/* routes_opinion.c: integrity opinions (docs/API.md "Integrity opinions"). */
const route *routes_opinion(size_t *n);
/* routes_link.c: the person linkage's review queue (docs/API.md "Linkage"). */
const route *routes_link(size_t *n);
/** An id in a path or query: 1–64 characters of [A-Za-z0-9_.:-] (routes.c). */
int http_id_ok(const char *s);

/** The global search and the unit and company profiles (routes_search.c). */
const route *routes_search(size_t *n);
/** The reporter portal routes (/portal/api/..., portal.c): public, no session. */
const route *routes_portal(size_t *n);
/** Dashboard aggregates (routes_dash.c): GET /api/v1/rotations (tenures
 * due for rotation by R01's profile parameters) and GET
 * /api/v1/findings/stats (by rule, status, month of the facts); both
 * scope-filtered. */
int h_rotations(req *r);
int h_findings_stats(req *r);
/** GET /api/v1/dashboard (routes_dash.c): every panel in one request. */
int h_dashboard(req *r);
int h_levels_view(req *r);
int h_levels_escalations(req *r);
/** The dashboard's "below" section (routes_levels.c): the view from above
 * when bundles were received, else nothing. Non-zero: replied (error). */
int h_dashboard_below(req *r, json_t *out);
/** GET /api/v1/persons/{id}/graph (routes_dash.c): the relationship graph. */
int h_person_graph(req *r);
/** The clue statistics of the caller (routes_cases.c): 0 and *out, or
 * non-zero once the error is answered. */
int routes_cases_stats(req *r, const char *from, const char *to, int units, json_t **out);
/** The rectification statistics of the caller (routes_inspect.c): 0 and
 * *out, or non-zero once the error is answered. */
int routes_task_stats(req *r, const char *round_id, const char *unit_id, json_t **out);
/** Body limit of the portal's upload routes (attachments, base64). */
#define PORTAL_MAX_BODY (20u << 20)

struct pl_cases;

/** The writer: the one connection that appends to the ledger. */
typedef struct writer {
    pl_store *s;
    pl_ledger *l;
    pl_registry *reg;
    pl_rules *rules;
    struct pl_cases *cases; /**< the clue workflow on the writer (routes_cases.c) */
    pl_signer signer;       /**< the log key, for portal proofs (if has_signer) */
    int has_signer;
} writer;

/** Threads of the pool that runs the requests that may wait (server.c).
 * It also bounds a group commit (every member waits on a pool thread): 16,
 * so that 16 clients' clues share one commit's pages (each commit writes
 * every page it touched whole; docs/BENCHMARKS.md "The clue intake's CPU,
 * fifth pass"). argon2id on these threads is bounded apart (pl_pwhash_enter). */
#define HTTP_POOL_THREADS 16
/** Most clues in one POST /api/v1/cases/batch (routes_cases.c; its 400 says 1000). */
#define HTTP_CASES_BATCH_MAX 1000
/** Retry-After of a 503 "store busy" answer, in seconds. */
#define HTTP_BUSY_RETRY_SECS 5

struct server {
    pl_http_opts o;
    pthread_mutex_t wmu;
    writer w;
    /** Group commit of access.read events: readers queue their event, and
     * whoever holds the writer next appends every queued event in one
     * transaction (auth.c). Guarded by audit_mu, which is taken inside
     * wmu, never the other way round. */
    pthread_mutex_t audit_mu;
    struct audit_item *audit_head, **audit_tail;
    /* The pool: a queue of suspended requests, guarded by pool_mu. */
    pthread_mutex_t pool_mu;
    pthread_cond_t pool_cv;
    struct req *pool_head, **pool_tail;
    struct touch_item *touch_head; /**< session touches left by the workers */
    int pool_quit;
    int pool_n;
    pthread_t pool_th[HTTP_POOL_THREADS];
    /* Group commit (server.c): gc_open and the transaction on w.s are
     * guarded by wmu; the members waiting for the group's commit, the
     * waiter count and the counters by gc_mu (taken inside wmu, or alone). */
    int gc_enabled, gc_stats;
    int gc_open;
    int gc_redo_ok; /**< every member of the open group so far can be run again (GC_REDO) */
    pthread_mutex_t gc_mu;
    pthread_cond_t gc_cv;
    gc_member *gc_head;
    int gc_waiters; /**< threads waiting for wmu */
    int64_t gc_groups, gc_members, gc_largest, gc_cur;
    int64_t
        gc_redone; /**< groups rolled back for a bare member's failure, their members run again */
    /* Checkpoints off the writer's path (server.c ckpt_main): the writer's
     * connection does not checkpoint (SQLite: its WAL hook replaces it); a
     * thread of its own does, when the writer's WAL hook asks (ck_due). */
    pthread_mutex_t ck_mu;
    pthread_cond_t ck_cv;
    pthread_t ck_th;
    int ck_started, ck_running, ck_quit, ck_due;
    int ck_mark;   /**< WAL frames at the last request (the WAL hook's, wmu held) */
    int ck_frames; /**< frames between requests: CK_BYTES of the store's pages */
    pthread_mutex_t conns_mu;
    pl_store **conns;
    size_t nconns, capconns;
    int tls;
    uint8_t totp_key[PL_TOTP_KEY_BYTES]; /**< opens user_secrets.totp_box (accounts) */
    uint8_t handle_key[16];              /**< keys http_handle (server.c) */
};

/** The log handle of `id` ("h:" + 32 hex digits: BLAKE2b-128 keyed by a
 * key derived at start-up from the ledger's subject key, which is in no
 * log): what the request log and the sign-in counters of unknown names
 * show instead of an id or a name. Stable for a store; thread-safe. */
#define HTTP_HANDLE_LEN 35
void http_handle(server *srv, const char *id, char out[HTTP_HANDLE_LEN]);

/** Open the writer's clue workflow handle (routes_cases.c); 0 or PL_E*. */
int cases_writer_open(server *srv, writer *w, pl_err *e);
/** POST /levels/bundles (routes_levels.c): no session; fills r's reply. */
void levels_bundle_route(req *r);

/** Lock the writer and bring it up to date with the log; NULL on error.
 * An open group (below) is committed first: what runs under writer_lock
 * sees no transaction of the server's own. */
writer *writer_lock(server *srv, pl_err *e);
void writer_unlock(server *srv);

/**
 * Group commit (docs/LEDGER.md "Group commit"): a write that takes the
 * writer with writer_lock_group runs inside a SAVEPOINT of the group's
 * one transaction; writer_unlock_group ends the savepoint (a member whose
 * own write failed is rolled back to it alone), then either commits the
 * group (no other request is waiting for the writer: the one COMMIT, one
 * fsync) or leaves that to the last member and waits. It returns only
 * once the transaction that holds this member has committed: 0, or the
 * commit's PL_E* code (every member of a failed group gets it). The
 * handler answers after it, so no write is acknowledged before its
 * commit. `m` is the caller's (stack) record of its membership.
 * PLUMB_GROUP_COMMIT=off makes both plain writer_lock/unlock.
 *
 * flags GC_REDO: the caller can run its write again from the start (it
 * loops while writer_unlock_group answers GC_AGAIN, the second time
 * without GC_REDO). Such a member, in a group whose members so far can
 * all be run again, takes no savepoint (the savepoint's whole-page copies
 * were ~15 % of a clue's instructions): if its write fails, the group's
 * transaction is rolled back whole and the members before it, all still
 * waiting for their commit, are told GC_AGAIN and run again in a new
 * group; nothing of theirs was acknowledged (docs/LEDGER.md "Group
 * commit"). Without GC_REDO a member keeps its savepoint and no later
 * member of its group goes without one.
 */
#define GC_REDO 1
#define GC_AGAIN 1 /**< writer_unlock_group: rolled back for another member; run again */
writer *writer_lock_group(server *srv, gc_member *m, int flags, pl_err *e);
int writer_unlock_group(server *srv, gc_member *m, pl_err *e);

/* Replies (routes.c uses them, server.c sends). All return 0. */
int reply_json(req *r, int status, json_t *v); /* steals v */
int reply_error(req *r, int status, const char *code, const char *field, const char *msg);
/** Map a PL_E* status to a reply; never leaks SQL: the message is generic
 * for store errors and logged to stderr instead. */
int reply_status(req *r, int rc, const pl_err *e);
/* The modules' error answer (declarations, opinions, inspection): 400
 * invalid, 403 forbidden, 422 unprocessable (PL_EEXIST), 404 not found, each
 * naming the field the module's message starts with; anything else as
 * reply_status. */
int reply_module(req *r, int rc, const pl_err *e);

/* The caller's scope units, read once per request for a module's caller
 * struct (routes_declare, routes_opinion, routes_inspect, routes_tasks). */
#define HTTP_MAX_SCOPES 16
typedef struct http_scopes {
    const char *v[HTTP_MAX_SCOPES];
    char buf[HTTP_MAX_SCOPES][72];
    size_t n;
} http_scopes;
int http_caller_scopes(req *r, pl_store *s, http_scopes *sc, pl_err *e);
/** Query argument of the request (NULL if absent). */
const char *req_arg(req *r, const char *name);

/** Rate limit of `limit` requests a minute per `key` (a token bucket of
 * `limit` tokens refilled evenly over the minute): 1 if this request is
 * over. `_at` takes the monotonic clock in seconds (`now` > 0; tests). */
int http_rate_exceeded(const char *key, int limit);
int http_rate_exceeded_at(const char *key, int limit, double now);

/* rowjson.c: result rows straight into a reply buffer, as jansson would
 * dump row objects (the read path; see the file's header). */
/** Append `s` as a JSON string; -1 (out unchanged) if not valid UTF-8. */
int rowjson_string(pl_buf *out, const char *s, size_t len);
/** 1 if the statement's column names are distinct (else use jansson). */
int rowjson_columns_ok(pl_stmt *st);
/** Append the current row of `st` as a JSON object (ev_seq and NULLs left
 * out). If `key_text`, it receives the text of column `key` when that was
 * written as a JSON string (valid until the next step), else NULL. -1 (and
 * nothing written) if the names repeat or there are too many columns. */
int rowjson_row(pl_buf *out, pl_stmt *st, const char *key, const char **key_text, size_t *key_len);
/** What rowjson_row works out once per statement: each column's
 * ',"name":' prefix, the columns left out, the key column. */
#define ROWJSON_MAXCOLS 96
typedef struct rowjson_plan {
    int ok; /**< names distinct and at most ROWJSON_MAXCOLS: usable */
    int ncols, key;
    unsigned char skip[ROWJSON_MAXCOLS];
    /** 1: the column is text written as a string even when it parses as
     * JSON (free text); 0 (rowjson_plan_init): JSON text is embedded. */
    unsigned char plain[ROWJSON_MAXCOLS];
    size_t off[ROWJSON_MAXCOLS + 1];
    pl_buf names;
} rowjson_plan;
void rowjson_plan_init(rowjson_plan *p, pl_stmt *st, const char *key);
void rowjson_plan_free(rowjson_plan *p);
/** rowjson_row with a plan of the same statement (p->ok must be 1). */
void rowjson_row_plan(pl_buf *out, pl_stmt *st, const rowjson_plan *p, const char **key_text,
                      size_t *key_len);
/** Append `v` dumped compact by jansson. */
void rowjson_json(pl_buf *out, const json_t *v);
/** Start a 200 JSON reply written straight into r->out (empties it). */
void reply_direct(req *r);

/* auth.c */
/** Authenticate by cookie; 0 ok (r->who filled), else PL_EDENIED. */
int auth_session(req *r);
/** Write the last_seen touch auth_session left for after the request's
 * read transaction (r->touch_at; nothing if 0), on r->s. */
void auth_touch(req *r);
int h_login(req *r);
int h_logout(req *r);
int h_me(req *r);
int h_password(req *r);
/** Unix seconds now (honours the test clock). */
int64_t http_now(server *srv);
/** "YYYY-MM-DD" of now into out[11]. */
void http_today(server *srv, char out[11]);
/** With the test clock (--clock-file), make it the libraries' clock too
 * (event dates, deadlines, reminders, the portal's hourly limits). */
void http_sync_clock(req *r);
/** The field a library message names by its prefix "field: " (lower-case
 * letters and '_'), copied into `out`; returns `out`, or NULL if none. */
const char *http_msg_field(const char *msg, char out[48]);
/** Append an access.read event for `ids` (JSON array of strings). */
int audit_read(req *r, const char *entity, json_t *ids);
/** GET /api/v1/findings/{id}?expand=evidence (routes_evidence.c): add
 * evidence_records, comparison and params_labelled to the finding's row. */
int finding_expand_evidence(req *r, json_t *finding);

#endif
