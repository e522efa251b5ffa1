/*
 * accounts.h — staff accounts of Plumbline (DESIGN.md §1 roles, §3
 * src/accounts, §8 security): users and their "user.changed" events, the
 * four-eyes grants ("user.grant"), argon2id password hashes, RFC 6238 TOTP
 * with the secrets sealed at rest, sessions and their store functions, the
 * sign-in check with lockout, the role vocabulary and role → permission
 * table, and the "access.read" audit event. One access model for every
 * module: the HTTP server and the CLI both call this header; it includes
 * nothing of theirs (layer: accounts, above store and ledger, below http
 * and cli). The model is docs/SECURITY.md.
 */
#ifndef PL_ACCOUNTS_H
#define PL_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

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

/**
 * Role codes beyond the account roles, in the same vocabulary: the clue
 * workflow's local operator (the CLI, `system`) and the portal's reporter.
 * No account holds them (pl_accounts_role_parse refuses them), and
 * PL_ROLE_NONE is no role at all (denied everything).
 */
#define PL_ROLE_NONE (-1)
#define PL_ROLE_SYSTEM (PL_ROLE_COUNT + 1)
#define PL_ROLE_REPORTER (PL_ROLE_COUNT + 2)

/** "cadre_officer", ... ; NULL for an out-of-range role. */
const char *pl_accounts_role_name(int role);
/** Role of a name, or -1. */
int pl_accounts_role_parse(const char *name);

/** How a role's scope is placed in the unit tree: no records, the subtrees
 * of the account's scope units, or only the account's own person. */
enum { PL_SCOPE_NONE = 0, PL_SCOPE_SUBTREE = 1, PL_SCOPE_SELF = 2 };
/** Scope mode of a role (PL_SCOPE_*). */
int pl_accounts_role_scope(int role);
/** NULL-terminated permissions of a role ("unit:read", ...); NULL for an
 * out-of-range role. Deny by default: what is not listed is refused. */
const char *const *pl_accounts_role_perms(int role);
/** Does `role` hold permission `perm`? ("public" and "authenticated" are
 * the caller's.) */
int pl_accounts_role_has(int role, const char *perm);

/* ------------------------------------------------- scope and recusal
 * (scope.c; docs/SECURITY.md "Placing a record", "Recusal"). Every
 * fragment is SQL with `?` placeholders only; what it takes from the
 * caller (column expressions, set names) is the caller's code, never
 * request data. */

/** How the records of one entity are placed in the unit tree. */
typedef struct pl_accounts_place {
    const char *entity;      /**< model entity name or "finding", "warning", "task" */
    const char *table;       /**< table read */
    const char *unit_expr;   /**< SQL giving the record's unit (alias t), or NULL */
    const char *person_expr; /**< SQL giving the record's person, or NULL */
    int recusal;             /**< person-bound sensitive content: recusal applies */
    int audited;             /**< reads are recorded as access.read events */
    /** SQL of a SELECT giving the record's persons (alias t), or NULL: a
     * record that names its persons through links (a person record,
     * docs/SECURITY.md "Placing a record"). Placed for reads only: it is
     * in scope when one of them is, or, naming nobody in scope, for a
     * whole-store user; hidden when the user is recused from one of them.
     * Writes of such records are checked by permission alone (the links
     * come after the record). */
    const char *persons_sql;
} pl_accounts_place;

/** The placement of an entity (NULL: unscoped, e.g. companies). */
const pl_accounts_place *pl_accounts_place_of(const char *entity);
/** The user's scope roots by unit id, at most `max`, into out[i] (each
 * cut to 64 bytes); their count, or a PL_E* status (< 0). */
int pl_accounts_user_scopes(pl_store *s, int64_t uid, char (*out)[72], int max, pl_err *e);
/** Append the CTE prefix: the scope closure "sc" of user uid, all units
 * "au", and the recusal sets "me", "myopen", "rc" (6 parameters, bound by
 * pl_accounts_scope_bind). */
void pl_accounts_scope_cte(pl_buf *sql);
/** As pl_accounts_scope_cte, for the check of one record: the caller has
 * opened the WITH with a CTE "t" of one row (the record) and a comma; this
 * appends "sc" restricted to the units the record can be placed by (the
 * value of unit_expr and the units of person_expr in person_units, both
 * over t; either may be NULL), found by walking up from them instead of
 * down from the user's roots: for those units, membership in this "sc"
 * is membership in pl_accounts_scope_cte's. Then "au" and the recusal
 * sets. Parameters after t's: uid, then the 5 of pl_accounts_scope_bind
 * from its second on (uid, four dates): pl_accounts_scope_bind_row. */
void pl_accounts_scope_cte_row(pl_buf *sql, const char *unit_expr, const char *person_expr);
/** Bind pl_accounts_scope_cte_row's parameters from index k; the next. */
int pl_accounts_scope_bind_row(pl_stmt *st, int k, int64_t uid, const char *today);
/** Bind the CTE parameters at 1..6 (uid, uid, today ×4); returns the next
 * index (7). */
int pl_accounts_scope_bind(pl_stmt *st, int64_t uid, const char *today);
/** Create the per-connection TEMP table of the cached scope closure (once,
 * right after a worker opens its connection); 0 or PL_E*. Not
 * thread-safe per connection; the cache is per thread. */
int pl_accounts_scope_init(pl_store *s, pl_err *e);
/** Bring the cached closure of `s` up to date for user `uid` (refilled when
 * the user differs or the database may have changed); 0 or PL_E*. */
int pl_accounts_scope_sync(pl_store *s, int64_t uid, pl_err *e);
/** After pl_accounts_scope_sync on `s`: does the closure hold at least
 * half of the store's units? Then a scoped list is best walked in its sort
 * order (pl_accounts_scope_where_plan with walk=1) than fetched by the unit
 * index and sorted (the reasoning is in scope.c). Thread-local. */
int pl_accounts_scope_wide(pl_store *s);
/** After pl_accounts_scope_sync on `s`: is the closure exactly the
 * store's units? Then the persons in scope are the rows of persons_placed
 * (migration 0066). Exact only when the query that relies on it runs in
 * the read transaction the sync ran in. */
int pl_accounts_scope_whole(pl_store *s);
/** The cached closure as a set for pl_accounts_scope_where: read straight
 * from the table (SQLite then probes its primary key instead of copying
 * the set). */
#define PL_ACCOUNTS_SCOPE_SET "pl_scope"
/** As pl_accounts_scope_cte, without the set "sc": use
 * PL_ACCOUNTS_SCOPE_SET instead (5 parameters: uid, today ×4). Only on a
 * connection set up with pl_accounts_scope_init. */
void pl_accounts_scope_cte_cached(pl_buf *sql);
/** Sync the closure (PL_SCOPE_SUBTREE) and bind the 5 parameters of
 * pl_accounts_scope_cte_cached; returns the next index (6), or a negative
 * PL_E* when the closure could not be brought up to date (do not run the
 * query). */
int pl_accounts_scope_bind_cached(pl_store *s, pl_stmt *st, int64_t uid, int mode,
                                  const char *today, pl_err *e);
/**
 * Append " AND (...)" conditions for alias `t` of `sp` under scope `mode`
 * (PL_SCOPE_*): scope (set "sc", PL_ACCOUNTS_SCOPE_SET, or "au" for "has
 * any unit at all") and, if `recusal`, the recusal conditions (the sets of
 * the CTE). For PL_SCOPE_SELF the record's person must be the user's own
 * person; PL_SCOPE_NONE (or an unknown mode) adds " AND FALSE".
 */
void pl_accounts_scope_where(pl_buf *sql, const pl_accounts_place *sp, int mode, const char *set,
                             int recusal);
/** As pl_accounts_scope_where; with `walk`, a plain unit column
 * ("t.unit_id") is written "+t.unit_id" so that SQLite does not serve the
 * scope check from the unit index (same rows, another plan: see
 * pl_accounts_scope_wide). */
void pl_accounts_scope_where_plan(pl_buf *sql, const pl_accounts_place *sp, int mode,
                                  const char *set, int recusal, int walk);

/** Fill the temporary set `set` (created by pl_store_temp_set, empty) with
 * the closure of user `uid`'s scope roots, as "sc" of
 * pl_accounts_scope_cte: for a caller that checks many rows against it
 * (the API's import upload). 0 or PL_E*. */
int pl_accounts_scope_fill(pl_store *s, int64_t uid, const char *set, pl_err *e);

/** The parts of the recusal test of one subject (docs/CASES.md §3). */
enum {
    PL_RECUSE_SELF = 1, /**< the viewer's person is the subject */
    PL_RECUSE_KIN = 2,  /**< kin of the subject, either direction */
    PL_RECUSE_TEAM = 4, /**< the subject unit's leadership team at D */
    PL_RECUSE_ALL = 7
};
/**
 * Append the condition "person P is recused from the subject" (the chosen
 * `parts`, ORed; never NULL) over two column expressions of the caller's
 * row: `person_col` the subject person, `unit_col` the subject unit (NULL
 * there: the subject's unit at D, an open tenure, top post first). The
 * team is an open tenure of P at D in a top post of that unit or a post
 * reporting to one. The expressions must hold no placeholder; bind the
 * condition's with pl_accounts_recused_bind.
 */
void pl_accounts_recused_sql(pl_buf *sql, unsigned parts, const char *person_col,
                             const char *unit_col);
/** Bind the placeholders of pl_accounts_recused_sql(parts) from index k:
 * `person` P, `date` D ("YYYY-MM-DD"); returns the next index. */
int pl_accounts_recused_bind(pl_stmt *st, int k, unsigned parts, const char *person,
                             const char *date);

/** The alias of the one-root subtree below. */
#define PL_ACCOUNTS_SUBTREE "sub"
/** Append "`unit_col` IN (the subtree of ?)": one placeholder, the root
 * unit id. */
void pl_accounts_subtree_in(pl_buf *sql, const char *unit_col);
/** Append "WITH RECURSIVE sub(id) AS (...) " for the subtree of one root
 * (one placeholder), for a statement that tests it more than once with
 * pl_accounts_subtree_in_with (no placeholder). */
void pl_accounts_subtree_with(pl_buf *sql);
void pl_accounts_subtree_in_with(pl_buf *sql, const char *unit_col);
/** Append a condition true iff `unit_expr` is in the subtree of ? (one
 * placeholder, the root unit id), as pl_accounts_subtree_in, by walking
 * up from `unit_expr` (a column of the outer row) instead of down from the
 * root: for a test of one row, a handful of units, not every unit below
 * the root. */
void pl_accounts_unit_within(pl_buf *sql, const char *unit_expr);

/** Register the ledger event types of this module ("access.read",
 * "user.changed", "user.grant") and their projections. Idempotent; call at
 * start-up like pl_model_register(): verify and rebuild need them. */
void pl_accounts_register(void);

/* ------------------------------------------------------------- accounts */

/** Password policy (docs/SECURITY.md): 12..256 bytes, at least three of
 * lower/upper/digit/other (or 16+ characters), not containing the user name.
 * 0 or PL_EINVAL with the reason in `e`. */
int pl_accounts_password_check(const char *username, const char *password, pl_err *e);

/**
 * TOTP secrets at rest (src/accounts/secrets.c): sealed with
 * XChaCha20-Poly1305 (the user id as associated data) under a 32-byte key in
 * "<db>.totp.key" (mode 0600) beside the store, never in the database or the
 * ledger.
 */
#define PL_TOTP_KEY_BYTES 32
/** Append "<db>.totp.key" of store `s` to `out`; PL_EINVAL for a memory store. */
int pl_accounts_totp_key_path(pl_store *s, pl_buf *out, pl_err *e);
/**
 * Ready the accounts of `s` for use and load its TOTP key into `key`: the
 * key file is created if missing and no secret is sealed yet; missing while
 * secrets are sealed is PL_ENOTFOUND, a key that does not open them
 * PL_ECRYPTO, a file readable by others PL_EDENIED. Secrets an older store
 * kept in clear are then sealed (and the file vacuumed). 0 or PL_E*.
 */
int pl_accounts_prepare(pl_store *s, uint8_t key[PL_TOTP_KEY_BYTES], pl_err *e);
/** Seal `n` secret bytes for user `uid` into out (nonce || ciphertext ||
 * tag, n + 40 bytes); PL_EINVAL if `cap` is too small. */
int pl_accounts_totp_seal(const uint8_t key[PL_TOTP_KEY_BYTES], int64_t uid, const uint8_t *secret,
                          size_t n, uint8_t *out, size_t cap, size_t *len);
/** Open a sealed secret of user `uid`; PL_ECRYPTO if the key, the user or
 * the bytes do not match. */
int pl_accounts_totp_unseal(const uint8_t key[PL_TOTP_KEY_BYTES], int64_t uid, const uint8_t *box,
                            size_t boxlen, uint8_t *secret, size_t cap, size_t *n);

/** What pl_accounts_user_add returns: the new account's TOTP secret. */
typedef struct pl_accounts_new_user {
    int64_t id;
    char totp_base32[40]; /**< RFC 4648 base32 of the 20-byte secret */
    char otpauth_uri[512];
} pl_accounts_new_user;

/**
 * Account administration. Each call runs in one transaction of store `s`
 * and appends a "user.changed" event (no secrets) to ledger `l` (of `s`),
 * whose projection writes users and user_scopes; the password hash, the
 * sealed TOTP secret and the sign-in counters are in user_secrets.
 *
 * Create an account (argon2id hash, fresh TOTP secret sealed under the key
 * of pl_accounts_prepare, which this calls). `scopes` are unit
 * ids (subtree roots), `person_id` links the account to a person (for
 * recusal and the subject role; may be NULL). Records a "user.changed"
 * event with `actor`. PL_EEXIST if the name is taken; PL_EINVAL on a bad
 * role, name, password or unknown unit/person.
 */
int pl_accounts_user_add(pl_store *s, pl_ledger *l, const char *username, const char *role,
                         const char *person_id, const char *const *scopes, size_t nscopes,
                         const char *password, const char *actor, pl_accounts_new_user *out,
                         pl_err *e);
/** Set a new password (policy checked); ends the user's sessions. */
int pl_accounts_user_passwd(pl_store *s, pl_ledger *l, const char *username, const char *password,
                            const char *actor, pl_err *e);
/** Change the role; ends the user's sessions. */
int pl_accounts_user_role(pl_store *s, pl_ledger *l, const char *username, const char *role,
                          const char *actor, pl_err *e);
/** Replace the scopes (unit ids that must exist); ends the user's sessions. */
int pl_accounts_user_scope(pl_store *s, pl_ledger *l, const char *username,
                           const char *const *scopes, size_t nscopes, const char *actor, pl_err *e);
/** Disable (1) or enable (0) an account; disabling ends its sessions. */
int pl_accounts_user_disable(pl_store *s, pl_ledger *l, const char *username, int disabled,
                             const char *actor, pl_err *e);
/** Link the account to a person (NULL or "" to unlink). */
int pl_accounts_user_person(pl_store *s, pl_ledger *l, const char *username, const char *person_id,
                            const char *actor, pl_err *e);

/* Four eyes on an administrator's own account (users.c). */
/** Record a pending grant of `changes` ({role, scopes, person_id,
 * disabled}, checked) to account `username`, requested by `actor`; its id
 * in *id_out. 0, PL_ENOTFOUND, PL_EINVAL or PL_E*. */
int pl_accounts_grant_request(pl_store *s, pl_ledger *l, const char *username,
                              const json_t *changes, const char *actor, int64_t *id_out, pl_err *e);
/** Approve (apply its changes, as `actor`) or refuse pending grant `id`.
 * PL_ENOTFOUND; PL_EEXIST if already decided; PL_EDENIED if `actor`
 * approves a grant they requested (or one requested by an account linked to
 * the same person). One transaction. */
int pl_accounts_grant_decide(pl_store *s, pl_ledger *l, int64_t id, int approve, const char *actor,
                             pl_err *e);

/* Reading the accounts (query.c), for the API: no route reads the account
 * tables itself. JSON objects as docs/API.md (/api/v1/users) shows them; never
 * a secret. */
/** Append user `uid`'s scope roots (unit ids, in order) to array `arr`. */
int pl_accounts_user_scopes_json(pl_store *s, int64_t uid, json_t *arr, pl_err *e);
/** Account `uid` as a new JSON object in *out (id, username, role,
 * disabled, failed_logins, locked_until, created_at, person_id, scopes):
 * 0, PL_ENOTFOUND or PL_E*. */
int pl_accounts_user_json(pl_store *s, int64_t uid, json_t **out, pl_err *e);
/** A page of accounts in id order (only `role`'s when not NULL), appended
 * to `items`; *more = 1 when rows follow the page. 0 or PL_E*. */
int pl_accounts_users_json(pl_store *s, const char *role, int64_t limit, int64_t offset,
                           json_t *items, int *more, pl_err *e);
/** Grant `id` as a new JSON object in *out: 0, PL_ENOTFOUND or PL_E*. */
int pl_accounts_grant_json(pl_store *s, int64_t id, json_t **out, pl_err *e);
/** A page of grants, newest first, appended to `items`; *more as above. */
int pl_accounts_grants_json(pl_store *s, int64_t limit, int64_t offset, json_t *items, int *more,
                            pl_err *e);
/** The grants pending, and those requested at or after `since` (ISO
 * time): the dashboard's red flags. 0 or PL_E*. */
int pl_accounts_grant_counts(pl_store *s, const char *since, int64_t *pending, int64_t *red_flags,
                             pl_err *e);

/* ------------------------------------------------------ sign-in, sessions */

/** What pl_accounts_login checks against (the caller's clock and policy). */
typedef struct pl_accounts_login_opts {
    int64_t now;          /**< unix seconds */
    int lockout_after;    /**< consecutive failures before a lockout */
    int lockout_secs;     /**< length of a lockout */
    const char *name_key; /**< the keyed handle of "login:<name>": the
                               login_failures key of a name without an
                               account (never the name itself) */
} pl_accounts_login_opts;

/** A signed-in account: what pl_accounts_login returns on success. The
 * token goes to the client once and is stored only hashed. */
typedef struct pl_accounts_login_result {
    int64_t uid;
    char role[40];
    char person_id[72];
    char token[64]; /**< base64url of 32 random bytes (wiped by the caller) */
    char csrf[65];  /**< hex of 32 random bytes */
    int locked;     /**< with PL_EDENIED: refused as locked, nothing counted */
} pl_accounts_login_result;

/**
 * Check a sign-in (argon2id password, TOTP with replay protection through
 * totp_last_step, lockout of accounts and of unknown names alike, the same
 * argon2id work for an unknown name) and, if good, claim the TOTP step and
 * create a session. `key` opens the sealed TOTP secrets. Returns 0 (out
 * filled), PL_EDENIED (wrong name, password or code, or a disabled
 * account: the failure is counted; or out->locked = 1: the account or
 * name is locked and nothing was checked or counted), PL_ECRYPTO (a secret that does not open with
 * `key`) or a store error. The caller's transaction, if any, holds the writes.
 */
int pl_accounts_login(pl_store *s, const uint8_t key[PL_TOTP_KEY_BYTES], const char *username,
                      const char *password, const char *code, const pl_accounts_login_opts *o,
                      pl_accounts_login_result *out, pl_err *e);
/** Check `password` against user `uid`'s hash: 0, PL_EDENIED or PL_E*. */
int pl_accounts_password_verify(pl_store *s, int64_t uid, const char *password, pl_err *e);
/** The lowercase hex SHA-256 of a session token: the sessions key. */
void pl_accounts_token_hash(char out[65], const char *token);

/** The row of sessions ⋈ users of one token hash. */
typedef struct pl_accounts_session {
    int64_t uid, created, last_seen;
    int disabled;
    char csrf[72], username[72], role[40], person_id[72];
} pl_accounts_session;
/** A session's last_seen is moved at most this often (seconds), and the
 * session cache serves a row only while its last_seen is younger. */
#define PL_ACCOUNTS_TOUCH_SECS 15
/** The session of `token_hash` at time `now` (the caller's clock): 0,
 * PL_ENOTFOUND, or PL_E*. Served from the calling thread's cache while
 * accounts_generation (migration 0146: any change to sessions but the
 * last_seen touch, users, user_scopes) has not moved and the cached
 * last_seen is under PL_ACCOUNTS_TOUCH_SECS old at `now`; times are the
 * caller's to check. */
int pl_accounts_session_lookup(pl_store *s, const char *token_hash, int64_t now,
                               pl_accounts_session *out, pl_err *e);
/** Move the session's last_seen to `at` (never back). Best effort. */
void pl_accounts_session_touch(pl_store *s, const char *token_hash, int64_t at);
/** End the session of `token_hash` (expired, disabled account). Best effort. */
void pl_accounts_session_end(pl_store *s, const char *token_hash);
/** End every session of user `uid` (sign-out on every device); 0 or PL_E*. */
int pl_accounts_sessions_end(pl_store *s, int64_t uid, pl_err *e);

/* ------------------------------------------------------------ audit */

/** One read of person-bound sensitive records, for the "access.read" event. */
typedef struct pl_accounts_read {
    const char *username; /**< the reader (the event's actor) */
    const char *role;     /**< the reader's role name */
    const char *entity;   /**< "clue", "declaration", ... */
    json_t *ids;          /**< JSON array of the record ids (the subjects) */
    const char *route;    /**< the route path, or "" */
    int64_t time;         /**< unix seconds (0: the ledger's clock) */
} pl_accounts_read;
/** Append the "access.read" event of `rd` to `l` (in the caller's
 * transaction); its projection is access_log. 0 or PL_E*. */
int pl_accounts_access_read(pl_ledger *l, const pl_accounts_read *rd, pl_err *e);

/* ----------------------------------------------------------------- TOTP */

#define PL_TOTP_SECRET_BYTES 20
#define PL_TOTP_STEP 30
#define PL_TOTP_DIGITS 6

/**
 * RFC 4226 HOTP with HMAC-SHA1 (nettle): the `digits`-digit code of
 * `counter`. `digits` 6..8.
 */
uint32_t pl_accounts_hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits);
/** RFC 6238 TOTP (SHA-1, T0 = 0, step X seconds) at unix time `t`. */
uint32_t pl_accounts_totp_code(const uint8_t *key, size_t keylen, int64_t t, int step, int digits);
/** RFC 4648 base32 (no padding) of `n` bytes into out (cap bytes). */
int pl_accounts_base32(char *out, size_t cap, const uint8_t *in, size_t n);
/** Decode base32 (case-insensitive, padding ignored); length or -1. */
long pl_accounts_unbase32(uint8_t *out, size_t cap, const char *s);
/**
 * Check `code` ("123456") against steps t-1..t+1 that are later than
 * `last_step` (replay protection). On success returns 0 and *step_out is
 * the matched step; PL_EDENIED otherwise.
 */
int pl_accounts_totp_verify(const uint8_t *key, size_t keylen, const char *code, int64_t t,
                            int64_t last_step, int64_t *step_out);

#endif
