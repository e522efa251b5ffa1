/*
 * http.h — the HTTP API of Plumbline (DESIGN.md §1 roles, §8 security):
 * `plumb serve` on libmicrohttpd (epoll, a thread pool sized to the cores),
 * JSON with jansson under /api/v1, the C2SP tlog-tiles of the ledger under
 * /ledger/, staff accounts (argon2id passwords, RFC 6238 TOTP, sessions,
 * CSRF), and access control = role permission ∧ scope ∧ not recused.
 *
 * The route table and the role table are the single description of who may
 * do what (src/http/routes.c, src/http/access.c); `pl_http_permissions_json`
 * dumps them for the access-matrix test and the OpenAPI document is built
 * from the same table. The manual is docs/API.md; the model docs/SECURITY.md.
 */
#ifndef PL_HTTP_H
#define PL_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "../ledger/ledger.h"
#include "../store/store.h"
#include "../util/util.h"

/* ---------------------------------------------------------------- roles */

/** The staff roles of DESIGN.md §1 (reporters use the portal). */
typedef enum pl_role {
    PL_ROLE_CADRE = 0,
    PL_ROLE_DISCIPLINE,
    PL_ROLE_INSPECTION,
    PL_ROLE_PETITION,
    PL_ROLE_DATA_PROVIDER,
    PL_ROLE_LEADER,
    PL_ROLE_SUBJECT,
    PL_ROLE_AUDITOR,
    PL_ROLE_ADMIN,
    PL_ROLE_COUNT
} pl_role;

/** "cadre_officer", ... ; NULL for an out-of-range role. */
const char *pl_http_role_name(int role);
/** Role of a name, or -1. */
int pl_http_role_parse(const char *name);

/** Register the ledger event types of this module ("access.read",
 * "user.changed"). Idempotent; call at start-up like pl_model_register(). */
void pl_http_register(void);

/**
 * Append the permission table as JSON to `out`: {"roles": {role: {"scope":
 * "subtree"|"self"|"none", "permissions": [...]}}, "routes": [{"method",
 * "path", "permission", "scoped", "recusal", "entity"}]}. Thread-safe.
 */
void pl_http_permissions_json(pl_buf *out);

/** Append the OpenAPI 3.0 document of every route to `out`. Thread-safe. */
void pl_http_openapi_json(pl_buf *out);

/* ------------------------------------------------------------- accounts */

/** Password policy (docs/SECURITY.md): 12..256 bytes, at least three of
 * lower/upper/digit/other (or 16+ characters), not containing the user name.
 * 0 or PL_EINVAL with the reason in `e`. */
int pl_http_password_check(const char *username, const char *password, pl_err *e);

/**
 * TOTP secrets at rest (src/http/secrets.c): sealed with XChaCha20-Poly1305
 * (the user id as associated data) under a 32-byte key in "<db>.totp.key"
 * (mode 0600) beside the store, never in the database or the ledger.
 */
#define PL_TOTP_KEY_BYTES 32
/** Append "<db>.totp.key" of store `s` to `out`; PL_EINVAL for a memory store. */
int pl_http_totp_key_path(pl_store *s, pl_buf *out, pl_err *e);
/**
 * Ready the accounts of `s` for use and load its TOTP key into `key`: the
 * key file is created if missing and no secret is sealed yet; missing while
 * secrets are sealed is PL_ENOTFOUND, a key that does not open them
 * PL_ECRYPTO, a file readable by others PL_EDENIED. Secrets an older store
 * kept in clear are then sealed (and the file vacuumed). 0 or PL_E*.
 */
int pl_http_accounts_prepare(pl_store *s, uint8_t key[PL_TOTP_KEY_BYTES], pl_err *e);
/** Seal `n` secret bytes for user `uid` into out (nonce || ciphertext ||
 * tag, n + 40 bytes); PL_EINVAL if `cap` is too small. */
int pl_http_totp_seal(const uint8_t key[PL_TOTP_KEY_BYTES], int64_t uid, const uint8_t *secret,
                      size_t n, uint8_t *out, size_t cap, size_t *len);
/** Open a sealed secret of user `uid`; PL_ECRYPTO if the key, the user or
 * the bytes do not match. */
int pl_http_totp_unseal(const uint8_t key[PL_TOTP_KEY_BYTES], int64_t uid, const uint8_t *box,
                        size_t boxlen, uint8_t *secret, size_t cap, size_t *n);

/** What pl_http_user_add returns: the new account's TOTP secret. */
typedef struct pl_http_new_user {
    int64_t id;
    char totp_base32[40]; /**< RFC 4648 base32 of the 20-byte secret */
    char otpauth_uri[512];
} pl_http_new_user;

/**
 * Account administration. Each call runs in one transaction of store `s`
 * and appends a "user.changed" event (no secrets) to ledger `l` (of `s`),
 * whose projection writes users and user_scopes; the password hash, the
 * sealed TOTP secret and the sign-in counters are in user_secrets.
 *
 * Create an account (argon2id hash, fresh TOTP secret sealed under the key
 * of pl_http_accounts_prepare, which this calls). `scopes` are unit
 * ids (subtree roots), `person_id` links the account to a person (for
 * recusal and the subject role; may be NULL). Records a "user.changed"
 * event with `actor`. PL_EEXIST if the name is taken; PL_EINVAL on a bad
 * role, name, password or unknown unit/person.
 */
int pl_http_user_add(pl_store *s, pl_ledger *l, const char *username, const char *role,
                     const char *person_id, const char *const *scopes, size_t nscopes,
                     const char *password, const char *actor, pl_http_new_user *out, pl_err *e);
/** Set a new password (policy checked); ends the user's sessions. */
int pl_http_user_passwd(pl_store *s, pl_ledger *l, const char *username, const char *password,
                        const char *actor, pl_err *e);
/** Change the role; ends the user's sessions. */
int pl_http_user_role(pl_store *s, pl_ledger *l, const char *username, const char *role,
                      const char *actor, pl_err *e);
/** Replace the scopes (unit ids that must exist); ends the user's sessions. */
int pl_http_user_scope(pl_store *s, pl_ledger *l, const char *username, const char *const *scopes,
                       size_t nscopes, const char *actor, pl_err *e);
/** Disable (1) or enable (0) an account; disabling ends its sessions. */
int pl_http_user_disable(pl_store *s, pl_ledger *l, const char *username, int disabled,
                         const char *actor, pl_err *e);
/** Link the account to a person (NULL or "" to unlink). */
int pl_http_user_person(pl_store *s, pl_ledger *l, const char *username, const char *person_id,
                        const char *actor, pl_err *e);

/* ----------------------------------------------------------------- TOTP */

#define PL_TOTP_SECRET_BYTES 20
#define PL_TOTP_STEP 30
#define PL_TOTP_DIGITS 6

/**
 * RFC 4226 HOTP with HMAC-SHA1 (nettle): the `digits`-digit code of
 * `counter`. `digits` 6..8.
 */
uint32_t pl_totp_hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits);
/** RFC 6238 TOTP (SHA-1, T0 = 0, step X seconds) at unix time `t`. */
uint32_t pl_totp_code(const uint8_t *key, size_t keylen, int64_t t, int step, int digits);
/** RFC 4648 base32 (no padding) of `n` bytes into out (cap bytes). */
int pl_totp_base32(char *out, size_t cap, const uint8_t *in, size_t n);
/** Decode base32 (case-insensitive, padding ignored); length or -1. */
long pl_totp_unbase32(uint8_t *out, size_t cap, const char *s);
/**
 * Check `code` ("123456") against steps t-1..t+1 that are later than
 * `last_step` (replay protection). On success returns 0 and *step_out is
 * the matched step; PL_EDENIED otherwise.
 */
int pl_totp_verify(const uint8_t *key, size_t keylen, const char *code, int64_t t,
                   int64_t last_step, int64_t *step_out);

/* --------------------------------------------------------------- server */

/** Options of pl_http_serve (defaults in brackets, see `plumb serve --help`). */
typedef struct pl_http_opts {
    const char *db;        /**< store path */
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
