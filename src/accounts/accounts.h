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
/** The session of `token_hash`: 0, PL_ENOTFOUND, or PL_E*. Served from
 * the calling thread's cache only while the database is unchanged
 * (pl_store_read_version); times are the caller's to check. */
int pl_accounts_session_lookup(pl_store *s, const char *token_hash, pl_accounts_session *out,
                               pl_err *e);
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
