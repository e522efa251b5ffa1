/*
 * users.c — staff accounts: creation with an argon2id password hash
 * (libsodium crypto_pwhash_str) and a fresh TOTP secret, password policy,
 * role, scope, person link and disabling. Every change is a "user.changed"
 * ledger event whose projection is users and user_scopes; the secrets
 * (password hash, sealed TOTP secret) and the sign-in counters live in
 * user_secrets, never in the ledger. Also the projections of "user.grant"
 * (four eyes) and "access.read" (audited reads) and that event's append.
 * Layer: accounts, used by `plumb user` and the /api/v1/users routes.
 * Spec: docs/SECURITY.md.
 */
#include <ctype.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "accounts.h"

int pl_accounts_password_check(const char *username, const char *password, pl_err *e)
{
    size_t n = password ? strlen(password) : 0;
    if (n < 12)
        return pl_err_set(e, PL_EINVAL, "password: at least 12 characters");
    if (n > 256)
        return pl_err_set(e, PL_EINVAL, "password: at most 256 bytes");
    int lo = 0, up = 0, dg = 0, ot = 0;
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)password; *p; p++) {
        if ((*p & 0xC0) != 0x80)
            chars++;
        if (*p >= 'a' && *p <= 'z')
            lo = 1;
        else if (*p >= 'A' && *p <= 'Z')
            up = 1;
        else if (*p >= '0' && *p <= '9')
            dg = 1;
        else
            ot = 1;
    }
    if (chars < 16 && lo + up + dg + ot < 3)
        return pl_err_set(e, PL_EINVAL,
                          "password: use three of lower case, upper case, digits and symbols, "
                          "or at least 16 characters");
    if (username && *username && strcasestr(password, username))
        return pl_err_set(e, PL_EINVAL, "password: must not contain the user name");
    return 0;
}

static int username_ok(const char *u)
{
    size_t n = u ? strlen(u) : 0;
    if (n < 3 || n > 64)
        return 0;
    for (const char *p = u; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' || *p == '.' ||
              *p == '-'))
            return 0;
    return 1;
}

static int exists(pl_store *s, const char *sql, const char *id, pl_err *e)
{
    int64_t one;
    int rc = pl_store_query_i64(s, &one, e, sql, id, NULL);
    if (rc == PL_ENOTFOUND)
        return 0;
    return rc ? rc : 1;
}

static int user_id(pl_store *s, const char *username, int64_t *out, pl_err *e)
{
    int rc = pl_store_query_i64(s, out, e, "SELECT id FROM users WHERE username=?", username, NULL);
    if (rc == PL_ENOTFOUND)
        return pl_err_set(e, PL_ENOTFOUND, "user '%s' not found", username ? username : "");
    return rc;
}

/* Run `sql` with optional text parameters t1, t2, then the integer i1. */
static int exec1(pl_store *s, pl_err *e, const char *sql, int64_t i1, const char *t1,
                 const char *t2)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s, sql, &st, e);
    if (rc)
        return rc;
    int k = 1;
    if (t1)
        pl_stmt_bind_text(st, k++, t1);
    if (t2)
        pl_stmt_bind_text(st, k++, t2);
    pl_stmt_bind_i64(st, k, i1);
    rc = pl_stmt_step(st, e);
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc;
}

static int end_sessions(pl_store *s, int64_t uid, pl_err *e)
{
    return pl_accounts_sessions_end(s, uid, e);
}

/* The "user.changed" event: every change of an account, without its
 * secrets. Its projection (apply_user) writes users and user_scopes. The
 * subject is the user name, which the ledger turns into a keyed handle. */
static int record(pl_ledger *l, const char *actor, const char *username, json_t *payload, pl_err *e)
{
    json_object_set_new(payload, "username", json_string(username));
    json_t *subjects = json_pack("[s]", username);
    pl_event ev = {.type = "user.changed",
                   .actor = actor && *actor ? actor : "cli",
                   .subjects = subjects,
                   .payload = payload};
    int rc = pl_ledger_append(l, &ev, NULL, e);
    json_decref(subjects);
    json_decref(payload);
    return rc;
}

static int check_scopes(pl_store *s, const char *const *scopes, size_t n, pl_err *e)
{
    for (size_t i = 0; i < n; i++) {
        int x = exists(s, "SELECT 1 FROM units WHERE id=?", scopes[i], e);
        if (x < 0)
            return x;
        if (!x)
            return pl_err_set(e, PL_EINVAL, "scope: unit '%s' not found", scopes[i]);
    }
    return 0;
}

static json_t *scope_array(const char *const *scopes, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(scopes[i]));
    return a;
}

static int finish(pl_store *s, int rc, pl_err *e)
{
    if (rc) {
        pl_store_rollback(s);
        return rc;
    }
    return pl_store_commit(s, e);
}

int pl_accounts_user_add(pl_store *s, pl_ledger *l, const char *username, const char *role,
                         const char *person_id, const char *const *scopes, size_t nscopes,
                         const char *password, const char *actor, pl_accounts_new_user *out,
                         pl_err *e)
{
    if (sodium_init() < 0)
        return pl_err_set(e, PL_ECRYPTO, "libsodium init failed");
    if (!username_ok(username))
        return pl_err_set(e, PL_EINVAL, "username: 3-64 characters of a-z, 0-9, '_', '.', '-'");
    if (pl_accounts_role_parse(role) < 0)
        return pl_err_set(e, PL_EINVAL, "role: unknown role '%s'", role ? role : "");
    int rc = pl_accounts_password_check(username, password, e);
    if (rc)
        return rc;
    uint8_t key[PL_TOTP_KEY_BYTES];
    rc = pl_accounts_prepare(s, key, e);
    if (rc)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    pl_pwhash_enter();
    int hrc = crypto_pwhash_str(hash, password, strlen(password),
                                pl_pwhash_opslimit(crypto_pwhash_OPSLIMIT_INTERACTIVE),
                                pl_pwhash_memlimit(crypto_pwhash_MEMLIMIT_INTERACTIVE));
    pl_pwhash_leave();
    if (hrc != 0) {
        sodium_memzero(key, sizeof key);
        return pl_err_set(e, PL_ENOMEM, "argon2id: out of memory");
    }
    uint8_t secret[PL_TOTP_SECRET_BYTES], box[128];
    size_t blen = 0;
    randombytes_buf(secret, sizeof secret);
    pl_accounts_base32(out->totp_base32, sizeof out->totp_base32, secret, sizeof secret);
    snprintf(out->otpauth_uri, sizeof out->otpauth_uri,
             "otpauth://totp/Plumbline:%s?secret=%s&issuer=Plumbline&algorithm=SHA1&digits=6&"
             "period=30",
             username, out->totp_base32);
    rc = pl_store_begin(s, e);
    if (rc)
        goto wipe;
    int x = exists(s, "SELECT 1 FROM users WHERE username=?", username, e);
    if (x < 0)
        rc = x;
    else if (x)
        rc = pl_err_set(e, PL_EEXIST, "user '%s' already exists", username);
    if (!rc && person_id && *person_id) {
        x = exists(s, "SELECT 1 FROM persons WHERE id=?", person_id, e);
        if (x <= 0)
            rc =
                x < 0 ? x : pl_err_set(e, PL_EINVAL, "person_id: person '%s' not found", person_id);
    }
    if (!rc)
        rc = check_scopes(s, scopes, nscopes, e);
    /* The id travels in the event, so replay gives every account the id its
     * secrets and sessions are keyed by. */
    if (!rc)
        rc = pl_store_query_i64(s, &out->id, e,
                                "SELECT COALESCE(MAX(x), 0) + 1 FROM (SELECT id AS x FROM users "
                                "UNION ALL SELECT user_id FROM user_secrets) AS u",
                                NULL);
    if (!rc)
        rc = record(l, actor, username,
                    json_pack("{s:s, s:I, s:s, s:s?, s:o}", "action", "created", "id",
                              (json_int_t)out->id, "role", role, "person_id",
                              person_id && *person_id ? person_id : NULL, "scopes",
                              scope_array(scopes, nscopes)),
                    e);
    if (!rc) {
        pl_accounts_totp_seal(key, out->id, secret, sizeof secret, box, sizeof box, &blen);
        pl_stmt *st = NULL;
        rc = pl_store_prepare(
            s, "INSERT INTO user_secrets(user_id, pw_hash, totp_box) VALUES(?,?,?)", &st, e);
        if (!rc) {
            pl_stmt_bind_i64(st, 1, out->id);
            pl_stmt_bind_text(st, 2, hash);
            pl_stmt_bind_blob(st, 3, box, blen);
            rc = pl_stmt_step(st, e) == PL_DONE ? 0 : PL_ESTORE;
            pl_stmt_finalize(st);
        }
    }
    rc = finish(s, rc, e);
wipe:
    sodium_memzero(hash, sizeof hash);
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(key, sizeof key);
    if (rc)
        sodium_memzero(out, sizeof *out);
    return rc;
}

int pl_accounts_user_passwd(pl_store *s, pl_ledger *l, const char *username, const char *password,
                            const char *actor, pl_err *e)
{
    if (sodium_init() < 0)
        return pl_err_set(e, PL_ECRYPTO, "libsodium init failed");
    int rc = pl_accounts_password_check(username, password, e);
    if (rc)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    pl_pwhash_enter();
    int hrc = crypto_pwhash_str(hash, password, strlen(password),
                                pl_pwhash_opslimit(crypto_pwhash_OPSLIMIT_INTERACTIVE),
                                pl_pwhash_memlimit(crypto_pwhash_MEMLIMIT_INTERACTIVE));
    pl_pwhash_leave();
    if (hrc != 0)
        return pl_err_set(e, PL_ENOMEM, "argon2id: out of memory");
    int64_t uid = 0;
    rc = pl_store_begin(s, e);
    if (rc)
        return rc;
    rc = user_id(s, username, &uid, e);
    if (!rc)
        rc = exec1(s, e,
                   "UPDATE user_secrets SET pw_hash=?, failed_logins=0, locked_until=0 "
                   "WHERE user_id=?",
                   uid, hash, NULL);
    if (!rc)
        rc = end_sessions(s, uid, e);
    if (!rc)
        rc = record(l, actor, username, json_pack("{s:s}", "action", "password_set"), e);
    sodium_memzero(hash, sizeof hash);
    return finish(s, rc, e);
}

int pl_accounts_user_role(pl_store *s, pl_ledger *l, const char *username, const char *role,
                          const char *actor, pl_err *e)
{
    if (pl_accounts_role_parse(role) < 0)
        return pl_err_set(e, PL_EINVAL, "role: unknown role '%s'", role ? role : "");
    int64_t uid = 0;
    int rc = pl_store_begin(s, e);
    if (rc)
        return rc;
    rc = user_id(s, username, &uid, e);
    if (!rc)
        rc = end_sessions(s, uid, e);
    if (!rc)
        rc = record(l, actor, username, json_pack("{s:s, s:s}", "action", "role_set", "role", role),
                    e);
    return finish(s, rc, e);
}

int pl_accounts_user_scope(pl_store *s, pl_ledger *l, const char *username,
                           const char *const *scopes, size_t nscopes, const char *actor, pl_err *e)
{
    int64_t uid = 0;
    int rc = pl_store_begin(s, e);
    if (rc)
        return rc;
    rc = user_id(s, username, &uid, e);
    if (!rc)
        rc = check_scopes(s, scopes, nscopes, e);
    if (!rc)
        rc = end_sessions(s, uid, e);
    if (!rc)
        rc = record(
            l, actor, username,
            json_pack("{s:s, s:o}", "action", "scope_set", "scopes", scope_array(scopes, nscopes)),
            e);
    return finish(s, rc, e);
}

int pl_accounts_user_disable(pl_store *s, pl_ledger *l, const char *username, int disabled,
                             const char *actor, pl_err *e)
{
    int64_t uid = 0;
    int rc = pl_store_begin(s, e);
    if (rc)
        return rc;
    rc = user_id(s, username, &uid, e);
    /* Enabling also clears a lockout (operational state, not an event). */
    if (!rc && !disabled)
        rc = exec1(s, e, "UPDATE user_secrets SET failed_logins=0, locked_until=0 WHERE user_id=?",
                   uid, NULL, NULL);
    if (!rc && disabled)
        rc = end_sessions(s, uid, e);
    if (!rc)
        rc = record(l, actor, username,
                    json_pack("{s:s}", "action", disabled ? "disabled" : "enabled"), e);
    return finish(s, rc, e);
}

int pl_accounts_user_person(pl_store *s, pl_ledger *l, const char *username, const char *person_id,
                            const char *actor, pl_err *e)
{
    int64_t uid = 0;
    int rc = pl_store_begin(s, e);
    if (rc)
        return rc;
    rc = user_id(s, username, &uid, e);
    if (!rc && person_id && *person_id) {
        int x = exists(s, "SELECT 1 FROM persons WHERE id=?", person_id, e);
        if (x <= 0)
            rc =
                x < 0 ? x : pl_err_set(e, PL_EINVAL, "person_id: person '%s' not found", person_id);
    }
    if (!rc)
        rc = end_sessions(s, uid, e);
    if (!rc)
        rc = record(l, actor, username,
                    json_pack("{s:s, s:s?}", "action", "person_set", "person_id",
                              person_id && *person_id ? person_id : NULL),
                    e);
    return finish(s, rc, e);
}

/* ------------------------------------------------ four eyes on one's own account
 * An administrator's change of their own role, scopes or person link is a
 * pending grant ("user.grant" requested), applied when another
 * administrator approves it ("user.grant" approved, then the user.changed
 * events, all in one transaction). docs/SECURITY.md "Accounts and sign-in". */

static int grant_event(pl_ledger *l, const char *actor, const char *username, json_t *payload,
                       pl_err *e)
{
    json_object_set_new(payload, "username", json_string(username));
    json_t *subjects = json_pack("[s]", username);
    pl_event ev = {.type = "user.grant", .actor = actor, .subjects = subjects, .payload = payload};
    int rc = pl_ledger_append(l, &ev, NULL, e);
    json_decref(subjects);
    json_decref(payload);
    return rc;
}

/* The scopes of a changes object as a C array (at most 64). */
static int grant_scopes(const json_t *arr, const char **out, size_t *n, pl_err *e)
{
    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) > 64)
        return pl_err_set(e, PL_EINVAL, "scopes: an array of unit ids");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        out[i] = json_string_value(json_array_get(arr, i));
        if (!out[i])
            return pl_err_set(e, PL_EINVAL, "scopes: an array of unit ids");
    }
    *n = json_array_size(arr);
    return 0;
}

static int grant_check(pl_store *s, const json_t *changes, pl_err *e)
{
    const char *role = json_string_value(json_object_get(changes, "role"));
    if (json_object_get(changes, "role") && pl_accounts_role_parse(role) < 0)
        return pl_err_set(e, PL_EINVAL, "role: unknown role '%s'", role ? role : "");
    const json_t *sa = json_object_get(changes, "scopes");
    if (sa) {
        const char *scopes[64];
        size_t n = 0;
        int rc = grant_scopes(sa, scopes, &n, e);
        if (!rc)
            rc = check_scopes(s, scopes, n, e);
        if (rc)
            return rc;
    }
    const char *pid = json_string_value(json_object_get(changes, "person_id"));
    if (pid && *pid) {
        int x = exists(s, "SELECT 1 FROM persons WHERE id=?", pid, e);
        if (x <= 0)
            return x < 0 ? x : pl_err_set(e, PL_EINVAL, "person_id: person '%s' not found", pid);
    }
    return 0;
}

int pl_accounts_grant_request(pl_store *s, pl_ledger *l, const char *username,
                              const json_t *changes, const char *actor, int64_t *id_out, pl_err *e)
{
    int rc = pl_store_begin(s, e);
    if (rc)
        return rc;
    int64_t uid = 0;
    rc = user_id(s, username, &uid, e);
    if (!rc)
        rc = grant_check(s, changes, e);
    if (!rc)
        rc = pl_store_query_i64(s, id_out, e, "SELECT COALESCE(MAX(id), 0) + 1 FROM user_grants",
                                NULL);
    if (!rc)
        rc = grant_event(l, actor, username,
                         json_pack("{s:s, s:I, s:O, s:s}", "action", "requested", "id",
                                   (json_int_t)*id_out, "changes", changes, "requested_by", actor),
                         e);
    return finish(s, rc, e);
}

/* Is `a` the same person as `b`: the same account, or two accounts linked
 * to one person? */
static int same_person(pl_store *s, const char *a, const char *b, pl_err *e)
{
    if (strcmp(a, b) == 0)
        return 1;
    int64_t n = 0;
    pl_stmt *st = NULL;
    int rc =
        pl_store_prepare(s,
                         "SELECT COUNT(*) FROM users x JOIN users y ON x.person_id=y.person_id "
                         "WHERE x.username=? AND y.username=? AND x.person_id<>''",
                         &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, a);
    pl_stmt_bind_text(st, 2, b);
    if (pl_stmt_step(st, e) == PL_ROW)
        n = pl_stmt_i64(st, 0);
    pl_stmt_finalize(st);
    return n > 0;
}

/* Applies a grant's changes (the nested functions end the sessions). */
static int grant_apply(pl_store *s, pl_ledger *l, const char *username, const json_t *changes,
                       const char *actor, pl_err *e)
{
    int rc = 0;
    const json_t *v;
    if ((v = json_object_get(changes, "role")) != NULL)
        rc = pl_accounts_user_role(s, l, username, json_string_value(v), actor, e);
    if (!rc && (v = json_object_get(changes, "scopes")) != NULL) {
        const char *scopes[64];
        size_t n = 0;
        rc = grant_scopes(v, scopes, &n, e);
        if (!rc)
            rc = pl_accounts_user_scope(s, l, username, scopes, n, actor, e);
    }
    if (!rc && (v = json_object_get(changes, "person_id")) != NULL)
        rc = pl_accounts_user_person(s, l, username, json_string_value(v), actor, e);
    if (!rc && (v = json_object_get(changes, "disabled")) != NULL)
        rc = pl_accounts_user_disable(s, l, username, json_is_true(v), actor, e);
    return rc;
}

int pl_accounts_grant_decide(pl_store *s, pl_ledger *l, int64_t id, int approve, const char *actor,
                             pl_err *e)
{
    int rc = pl_store_begin(s, e);
    if (rc)
        return rc;
    pl_stmt *st = NULL;
    char username[72] = "", by[72] = "", status[16] = "";
    json_t *changes = NULL;
    rc = pl_store_prepare(
        s, "SELECT username, requested_by, status, changes FROM user_grants WHERE id=?", &st, e);
    if (!rc) {
        pl_stmt_bind_i64(st, 1, id);
        rc = pl_stmt_step(st, e);
        if (rc == PL_ROW) {
            snprintf(username, sizeof username, "%s", pl_stmt_text(st, 0));
            snprintf(by, sizeof by, "%s", pl_stmt_text(st, 1));
            snprintf(status, sizeof status, "%s", pl_stmt_text(st, 2));
            changes = json_loads(pl_stmt_text(st, 3), 0, NULL);
            rc = 0;
        } else if (rc == PL_DONE) {
            rc = pl_err_set(e, PL_ENOTFOUND, "grant %lld not found", (long long)id);
        }
        pl_stmt_finalize(st);
    }
    if (!rc && strcmp(status, "pending") != 0)
        rc = pl_err_set(e, PL_EEXIST, "grant %lld is already %s", (long long)id, status);
    if (!rc && !changes)
        rc = pl_err_set(e, PL_ECORRUPT, "user_grants %lld: changes is not JSON", (long long)id);
    if (!rc && approve) {
        int same = same_person(s, actor, by, e);
        if (same < 0)
            rc = same;
        else if (same)
            rc = pl_err_set(e, PL_EDENIED,
                            "four eyes: a grant is approved by another administrator than %s", by);
    }
    if (!rc)
        rc = grant_event(l, actor, username,
                         json_pack("{s:s, s:I, s:s}", "action", approve ? "approved" : "refused",
                                   "id", (json_int_t)id, "decided_by", actor),
                         e);
    if (!rc && approve)
        rc = grant_apply(s, l, username, changes, actor, e);
    json_decref(changes);
    return finish(s, rc, e);
}

/* Projection of "user.grant": user_grants. */
static int apply_grant(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    const char *action = json_string_value(json_object_get(p, "action"));
    const json_t *jid = json_object_get(p, "id");
    const char *username = json_string_value(json_object_get(p, "username"));
    if (!action || !json_is_integer(jid) || !username)
        return pl_err_set(e, PL_EINVAL, "event %lld (user.grant): action, id, username required",
                          (long long)seq);
    char at[21];
    int rc = pl_time_format_e(at, ev->time, e);
    if (rc)
        return rc;
    pl_stmt *st = NULL;
    if (strcmp(action, "requested") == 0) {
        const char *by = json_string_value(json_object_get(p, "requested_by"));
        pl_buf changes;
        pl_buf_init(&changes);
        rc = pl_json_canonical(&changes, json_object_get(p, "changes"), e);
        if (!rc && !by)
            rc = pl_err_set(e, PL_EINVAL, "event %lld (user.grant): requested_by required",
                            (long long)seq);
        if (!rc)
            rc = pl_store_prepare(s,
                                  "INSERT INTO user_grants(id, username, changes, requested_by, "
                                  "requested_at, status, ev_seq) VALUES(?,?,?,?,?,'pending',?)",
                                  &st, e);
        if (!rc) {
            pl_stmt_bind_i64(st, 1, json_integer_value(jid));
            pl_stmt_bind_text(st, 2, username);
            pl_stmt_bind_text(st, 3, changes.data);
            pl_stmt_bind_text(st, 4, by);
            pl_stmt_bind_text(st, 5, at);
            pl_stmt_bind_i64(st, 6, seq);
        }
        pl_buf_release(&changes);
        if (rc)
            return rc;
    } else if (strcmp(action, "approved") == 0 || strcmp(action, "refused") == 0) {
        rc = pl_store_prepare(s,
                              "UPDATE user_grants SET status=?, decided_by=?, decided_at=?, "
                              "ev_seq=? WHERE id=? AND status='pending'",
                              &st, e);
        if (rc)
            return rc;
        pl_stmt_bind_text(st, 1, action);
        pl_stmt_bind_text(st, 2, json_string_value(json_object_get(p, "decided_by")));
        pl_stmt_bind_text(st, 3, at);
        pl_stmt_bind_i64(st, 4, seq);
        pl_stmt_bind_i64(st, 5, json_integer_value(jid));
    } else {
        return pl_err_set(e, PL_EINVAL, "event %lld (user.grant): unknown action", (long long)seq);
    }
    rc = pl_stmt_step(st, e);
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc < 0 ? rc : PL_ESTORE;
}

/* --------------------------------------------------- user.changed projection */

static int apply_fail(pl_err *e, int64_t seq, const char *what)
{
    return pl_err_set(e, PL_EINVAL, "event %lld (user.changed): %s", (long long)seq, what);
}

static int apply_scopes(pl_store *s, int64_t seq, int64_t uid, const json_t *scopes, pl_err *e)
{
    if (scopes && !json_is_array(scopes))
        return apply_fail(e, seq, "payload.scopes must be an array");
    int rc = exec1(s, e, "DELETE FROM user_scopes WHERE user_id=?", uid, NULL, NULL);
    size_t i;
    const json_t *v;
    json_array_foreach(scopes, i, v)
    {
        if (rc)
            break;
        if (!json_is_string(v))
            return apply_fail(e, seq, "payload.scopes must hold unit ids");
        pl_stmt *st = NULL;
        rc = pl_store_prepare_cached(
            s,
            "INSERT INTO user_scopes(user_id, unit_id, ev_seq) VALUES(?,?,?) "
            "ON CONFLICT DO NOTHING",
            &st, e);
        if (rc)
            break;
        pl_stmt_bind_i64(st, 1, uid);
        pl_stmt_bind_text(st, 2, json_string_value(v));
        pl_stmt_bind_i64(st, 3, seq);
        rc = pl_stmt_step(st, e);
        pl_stmt_reset(st);
        rc = rc == PL_DONE ? 0 : rc < 0 ? rc : PL_ESTORE;
    }
    return rc;
}

/* Projection of "user.changed": users and user_scopes. Deterministic in
 * (seq, event): times are the event's, the id the payload's (events from
 * before 0062 carry none: the next rowid, as they were given then). */
static int apply_user(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    const char *action = json_string_value(json_object_get(p, "action"));
    const char *username = json_string_value(json_object_get(p, "username"));
    if (!action || !username)
        return apply_fail(e, seq, "payload.action and payload.username are required");
    char at[21];
    int rc = pl_time_format_e(at, ev->time, e);
    if (rc)
        return rc;
    if (strcmp(action, "created") == 0) {
        const char *role = json_string_value(json_object_get(p, "role"));
        const json_t *jid = json_object_get(p, "id");
        if (!role)
            return apply_fail(e, seq, "payload.role is required");
        if (jid && (!json_is_integer(jid) || json_integer_value(jid) < 1))
            return apply_fail(e, seq, "payload.id must be a positive integer");
        pl_stmt *st = NULL;
        rc = pl_store_prepare(s,
                              "INSERT INTO users(id, username, role, person_id, disabled, "
                              "created_at, pw_changed_at, ev_seq) VALUES(?,?,?,?,0,?,?,?)",
                              &st, e);
        if (rc)
            return rc;
        if (jid)
            pl_stmt_bind_i64(st, 1, json_integer_value(jid));
        else
            pl_stmt_bind_null(st, 1);
        pl_stmt_bind_text(st, 2, username);
        pl_stmt_bind_text(st, 3, role);
        pl_stmt_bind_text(st, 4, json_string_value(json_object_get(p, "person_id")));
        pl_stmt_bind_text(st, 5, at);
        pl_stmt_bind_text(st, 6, at);
        pl_stmt_bind_i64(st, 7, seq);
        rc = pl_stmt_step(st, e);
        pl_stmt_finalize(st);
        if (rc != PL_DONE)
            return rc < 0 ? rc : PL_ESTORE;
        int64_t uid = 0;
        rc = user_id(s, username, &uid, e);
        if (!rc)
            rc = apply_scopes(s, seq, uid, json_object_get(p, "scopes"), e);
        return rc;
    }
    int64_t uid = 0;
    rc = user_id(s, username, &uid, e);
    if (rc == PL_ENOTFOUND)
        return apply_fail(e, seq, "no such user");
    if (rc)
        return rc;
    pl_stmt *st = NULL;
    if (strcmp(action, "scope_set") == 0) {
        rc = apply_scopes(s, seq, uid, json_object_get(p, "scopes"), e);
        if (rc)
            return rc;
        rc = pl_store_prepare(s, "UPDATE users SET ev_seq=? WHERE id=?", &st, e);
        if (rc)
            return rc;
        pl_stmt_bind_i64(st, 1, seq);
        pl_stmt_bind_i64(st, 2, uid);
    } else if (strcmp(action, "role_set") == 0 || strcmp(action, "person_set") == 0 ||
               strcmp(action, "password_set") == 0) {
        const char *sql = "UPDATE users SET pw_changed_at=?, ev_seq=? WHERE id=?", *val = at;
        if (strcmp(action, "role_set") == 0) {
            sql = "UPDATE users SET role=?, ev_seq=? WHERE id=?";
            val = json_string_value(json_object_get(p, "role"));
            if (!val)
                return apply_fail(e, seq, "payload.role is required");
        } else if (strcmp(action, "person_set") == 0) {
            sql = "UPDATE users SET person_id=?, ev_seq=? WHERE id=?";
            val = json_string_value(json_object_get(p, "person_id"));
        }
        rc = pl_store_prepare(s, sql, &st, e);
        if (rc)
            return rc;
        pl_stmt_bind_text(st, 1, val);
        pl_stmt_bind_i64(st, 2, seq);
        pl_stmt_bind_i64(st, 3, uid);
    } else if (strcmp(action, "disabled") == 0 || strcmp(action, "enabled") == 0) {
        rc = pl_store_prepare(s, "UPDATE users SET disabled=?, ev_seq=? WHERE id=?", &st, e);
        if (rc)
            return rc;
        pl_stmt_bind_i64(st, 1, action[0] == 'd');
        pl_stmt_bind_i64(st, 2, seq);
        pl_stmt_bind_i64(st, 3, uid);
    } else {
        return apply_fail(e, seq, "unknown payload.action");
    }
    rc = pl_stmt_step(st, e);
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc < 0 ? rc : PL_ESTORE;
}

/* access.read projection: one row per audited read. */
static int apply_access(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    char at[21];
    int rc = pl_time_format_e(at, ev->time, e);
    if (rc)
        return rc;
    char *ids = json_dumps(json_object_get(p, "ids"), JSON_COMPACT);
    pl_stmt *st = NULL;
    rc = pl_store_prepare_cached(s,
                                 "INSERT INTO access_log(seq, username, role, entity, "
                                 "record_ids, route, at, ev_seq) VALUES(?,?,?,?,?,?,?,?)",
                                 &st, e);
    if (!rc) {
        pl_stmt_bind_i64(st, 1, seq);
        pl_stmt_bind_text(st, 2, json_string_value(json_object_get(p, "username")));
        pl_stmt_bind_text(st, 3, json_string_value(json_object_get(p, "role")));
        pl_stmt_bind_text(st, 4, json_string_value(json_object_get(p, "entity")));
        pl_stmt_bind_text(st, 5, ids ? ids : "[]");
        pl_stmt_bind_text(st, 6, json_string_value(json_object_get(p, "route")));
        pl_stmt_bind_text(st, 7, at);
        pl_stmt_bind_i64(st, 8, seq);
        rc = pl_stmt_step(st, e) == PL_DONE ? 0 : PL_ESTORE;
    }
    free(ids);
    if (rc && !e->msg[0])
        pl_err_set(e, rc, "access_log: insert failed");
    return rc;
}

int pl_accounts_access_read(pl_ledger *l, const pl_accounts_read *rd, pl_err *e)
{
    json_t *payload =
        json_pack("{s:s, s:s, s:s, s:O, s:s}", "username", rd->username, "role", rd->role, "entity",
                  rd->entity, "ids", rd->ids, "route", rd->route ? rd->route : "");
    if (!payload)
        return pl_err_set(e, PL_ENOMEM, "access.read: out of memory");
    pl_event ev = {.type = "access.read",
                   .actor = rd->username,
                   .time = rd->time,
                   .subjects = rd->ids,
                   .payload = payload};
    int rc = pl_ledger_append(l, &ev, NULL, e);
    json_decref(payload);
    return rc;
}

void pl_accounts_register(void)
{
    if (!pl_ledger_type_known("access.read"))
        pl_ledger_register_type("access.read", apply_access);
    if (!pl_ledger_type_known("user.changed"))
        pl_ledger_register_type("user.changed", apply_user);
    if (!pl_ledger_type_known("user.grant"))
        pl_ledger_register_type("user.grant", apply_grant);
}
