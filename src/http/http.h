/*
 * http.h — the HTTP API of Plumbline (DESIGN.md §1 roles, §8 security):
 * `plumb serve` on libmicrohttpd (epoll, a thread pool sized to the cores),
 * JSON with jansson under /api/v1, the C2SP tlog-tiles of the ledger under
 * /ledger/, sign-in by session cookie with CSRF, and access control = role
 * permission ∧ scope ∧ not recused. The accounts themselves (users,
 * passwords, TOTP, sessions, roles, the access.read event) are
 * src/accounts/accounts.h, which this includes.
 *
 * The route table and the role table are the single description of who may
 * do what (src/http/routes.c, src/accounts/roles.c); `pl_http_permissions_json`
 * dumps them for the access-matrix test and the OpenAPI document is built
 * from the same table. The manual is docs/API.md; the model docs/SECURITY.md.
 */
#ifndef PL_HTTP_H
#define PL_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "../accounts/accounts.h"
#include "../ledger/ledger.h"
#include "../store/store.h"
#include "../util/util.h"

/**
 * Append the permission table as JSON to `out`: {"roles": {role: {"scope":
 * "subtree"|"self"|"none", "permissions": [...]}}, "routes": [{"method",
 * "path", "permission", "scoped", "recusal", "entity"}]}. Thread-safe.
 */
void pl_http_permissions_json(pl_buf *out);

/** Append the OpenAPI 3.0 document of every route to `out`. Thread-safe. */
void pl_http_openapi_json(pl_buf *out);

/* --------------------------------------------------------------- server */

/** Options of pl_http_serve (defaults in brackets, see `plumb serve --help`). */
typedef struct pl_http_opts {
    const char *db; /**< store path */
    /** A PostgreSQL read replica for the dashboard's read-only GETs
     * (routes_replica), or NULL: everything on `db`. */
    const char *read_db;
    const char *bind;      /**< address [127.0.0.1] */
    int port;              /**< [8080]; 0 = any free port */
    const char *port_file; /**< write the bound port here once listening */
    int threads;           /**< worker threads [number of cores] */
    const char *web_dir;   /**< static files for / (may be NULL) */
    const char *tls_cert;  /**< PEM files: serve HTTPS (GnuTLS) */
    const char *tls_key;
    const char *key_file; /**< ledger signing key for checkpoints [db.key] */
    size_t max_body;      /**< bytes [1 MiB]; import uploads [16 MiB] */
    size_t max_import;
    int conn_timeout;       /**< seconds of silence before a client is dropped [15] */
    int header_timeout;     /**< seconds a request may take to send its headers,
                                 counted from accept or the previous answer [10];
                                 0 = no deadline */
    int max_conns;          /**< connections at once [1000] */
    int conns_per_ip;       /**< connections at once per client address [100]; 0 = no
                                 limit (behind a reverse proxy every client is its
                                 address) */
    int busy_wait;          /**< seconds a write waits for another writer (a CLI
                                 import) before 503 store busy [10] */
    int rate_ip;            /**< requests per minute per address [6000] */
    int rate_user;          /**< requests per minute per account [3000] */
    int rate_login;         /**< login attempts per minute per address [20] */
    int lockout_after;      /**< consecutive failures [5] */
    int lockout_secs;       /**< [900] */
    int idle_secs;          /**< session idle timeout [1800] */
    int session_secs;       /**< absolute session lifetime [43200] */
    const char *clock_file; /**< tests only (PLUMB_TEST_HOOKS=1): time from file */
    int quiet;              /**< no access log */
    /** If set, POST /witness/add-checkpoint is this C2SP tlog-witness
     * (src/ledger/witness.h, docs/LEVELS.md). */
    struct pl_witness *witness;
    /** If set, POST /levels/bundles imports signed event bundles from these
     * supervised origins, requiring a cosignature by one of the witnesses,
     * and answers with a receipt signed by the log key (docs/LEVELS.md §7). */
    const struct pl_levels_origin *bundle_origins;
    size_t nbundle_origins;
    const struct pl_verifier *bundle_witnesses;
    size_t nbundle_witnesses;
    /** With bundle_origins: the office escalation key and office of the
     * clues escalated from below (src/levels/escalate.h); NULL: none. */
    const struct pl_escalation_recv *escalation;
    /** The level above clues are sent up to (POST /api/v1/cases/{id}/escalate,
     * `plumb serve --escalation-above FILE`); NULL: none. */
    const struct pl_escalation_above *escalation_above;
    /** The relay up (`--escalation-up`, escalation_http.h): woken by a
     * clue escalated through the API; NULL: none. */
    struct pl_escalation_relay *escalation_up;
} pl_http_opts;

/** Fill `o` with the defaults. */
void pl_http_opts_default(pl_http_opts *o);

/**
 * Run the server until SIGTERM or SIGINT, then stop accepting, let the
 * requests in flight finish (at most 10 s) and return 0. Access logs go to
 * stderr as one JSON object per line (never secrets). Returns a negative
 * PL_E* code with `e` filled if it cannot start.
 */
int pl_http_serve(const pl_http_opts *o, pl_err *e);

#endif
