/*
 * login.c — the store side of signing in: argon2id password check (the
 * same work for an unknown name), RFC 6238 TOTP with replay protection,
 * lockout of accounts (user_secrets) and of unknown names (login_failures,
 * migration 0076), 256-bit session tokens stored hashed, sessions ended.
 * Layer: accounts. The HTTP side (cookies, CSRF, replies) is
 * src/http/auth.c. Spec: docs/SECURITY.md, DESIGN.md §8.
 */
#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "accounts.h"

void pl_accounts_token_hash(char out[65], const char *token)
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    pl_hex(out, h, sizeof h);
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy[crypto_pwhash_STRBYTES];

/* The dummy is made under the same limits as new users' hashes (under
 * PLUMB_TEST_PWHASH_MIN both sides are the minimum), so an unknown name
 * still costs what a known one does. */
static void make_dummy(void)
{
    uint8_t pw[16];
    randombytes_buf(pw, sizeof pw);
    pl_pwhash_enter();
    if (crypto_pwhash_str(dummy, (const char *)pw, sizeof pw,
                          pl_pwhash_opslimit(crypto_pwhash_OPSLIMIT_INTERACTIVE),
                          pl_pwhash_memlimit(crypto_pwhash_MEMLIMIT_INTERACTIVE)) != 0)
        dummy[0] = 0;
    pl_pwhash_leave();
}

/* Counts a failed sign-in: on the account, or on the name's handle when
 * there is no account. Best effort, as a failure is answered anyway. */
static void count_failure(pl_store *s, int found, int64_t uid, const char *name_key, int64_t failed,
                          const pl_accounts_login_opts *o, pl_err *e)
{
    failed++;
    int64_t until = failed >= o->lockout_after ? o->now + o->lockout_secs : 0;
    pl_stmt *up = NULL;
    if (found && pl_store_prepare(s,
                                  "UPDATE user_secrets SET failed_logins=?, locked_until=? "
                                  "WHERE user_id=?",
                                  &up, e) == 0) {
        pl_stmt_bind_i64(up, 1, until ? 0 : failed);
        pl_stmt_bind_i64(up, 2, until);
        pl_stmt_bind_i64(up, 3, uid);
        pl_stmt_step(up, e);
        pl_stmt_finalize(up);
    }
    /* An expired lockout with no count left is the same as no row: such
     * rows go, so the table holds only names failing now. */
    if (!found &&
        pl_store_prepare(s, "DELETE FROM login_failures WHERE locked_until>0 AND locked_until<=?",
                         &up, e) == 0) {
        pl_stmt_bind_i64(up, 1, o->now);
        pl_stmt_step(up, e);
        pl_stmt_finalize(up);
    }
    if (!found && pl_store_prepare(s,
                                   "INSERT INTO login_failures(name_key, failed, locked_until) "
                                   "VALUES(?,?,?) ON CONFLICT(name_key) DO UPDATE SET "
                                   "failed=excluded.failed, locked_until=excluded.locked_until",
                                   &up, e) == 0) {
        pl_stmt_bind_text(up, 1, name_key);
        pl_stmt_bind_i64(up, 2, until ? 0 : failed);
        pl_stmt_bind_i64(up, 3, until);
        pl_stmt_step(up, e);
        pl_stmt_finalize(up);
    }
}

int pl_accounts_login(pl_store *s, const uint8_t key[PL_TOTP_KEY_BYTES], const char *user,
                      const char *pw, const char *code, const pl_accounts_login_opts *o,
                      pl_accounts_login_result *out, pl_err *e)
{
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return pl_err_set(e, PL_ECRYPTO, "libsodium init failed");
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s,
                              "SELECT u.id, x.pw_hash, x.totp_box, x.totp_last_step, "
                              "x.failed_logins, x.locked_until, u.disabled, u.role, "
                              "COALESCE(u.person_id,'') FROM users u JOIN user_secrets x ON "
                              "x.user_id=u.id WHERE u.username=?",
                              &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, user);
    int found = pl_stmt_step(st, e) == PL_ROW;
    int64_t uid = 0, last_step = 0, failed = 0, locked = 0, disabled = 0;
    char hash[crypto_pwhash_STRBYTES] = "";
    uint8_t box[128];
    size_t boxlen = 0;
    if (found) {
        uid = pl_stmt_i64(st, 0);
        snprintf(hash, sizeof hash, "%s", pl_stmt_text(st, 1));
        const void *b = pl_stmt_blob(st, 2, &boxlen);
        if (!b || boxlen > sizeof box)
            boxlen = 0;
        else
            memcpy(box, b, boxlen);
        last_step = pl_stmt_i64(st, 3);
        failed = pl_stmt_i64(st, 4);
        locked = pl_stmt_i64(st, 5);
        disabled = pl_stmt_i64(st, 6);
        snprintf(out->role, sizeof out->role, "%s", pl_stmt_text(st, 7));
        snprintf(out->person_id, sizeof out->person_id, "%s", pl_stmt_text(st, 8));
    }
    pl_stmt_finalize(st);
    /* A name without an account has failures and a lockout too (0076),
     * counted like an account's, so that a lockout does not tell which
     * names exist. */
    if (!found) {
        rc = pl_store_prepare(s, "SELECT failed, locked_until FROM login_failures WHERE name_key=?",
                              &st, e);
        if (rc)
            return rc;
        pl_stmt_bind_text(st, 1, o->name_key);
        if (pl_stmt_step(st, e) == PL_ROW) {
            failed = pl_stmt_i64(st, 0);
            locked = pl_stmt_i64(st, 1);
        }
        pl_stmt_finalize(st);
    }
    if (locked > o->now) {
        sodium_memzero(box, sizeof box);
        sodium_memzero(hash, sizeof hash);
        memset(out, 0, sizeof *out);
        out->locked = 1;
        return PL_EDENIED;
    }
    /* An unknown user costs the same argon2id work as a known one. */
    pthread_once(&dummy_once, make_dummy);
    pl_pwhash_enter();
    int pw_ok = crypto_pwhash_str_verify(found ? hash : dummy, pw, strlen(pw)) == 0;
    pl_pwhash_leave();
    /* A hash made under other limits than production's (a store that ran
     * under PLUMB_TEST_PWHASH_MIN) is made again at the next good sign-in
     * without the variable, so test limits never stay in production use. */
    int rehash = found && pw_ok && !pl_pwhash_test_limits() &&
                 crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
    int totp_ok = 0;
    int64_t step = 0;
    if (found && pw_ok) {
        uint8_t secret[128];
        size_t n = 0;
        if (pl_accounts_totp_unseal(key, uid, box, boxlen, secret, sizeof secret, &n)) {
            /* Checked at start-up: a secret that does not open now was
             * changed underneath us (or sealed by another key). */
            sodium_memzero(hash, sizeof hash);
            sodium_memzero(box, sizeof box);
            memset(out, 0, sizeof *out);
            pl_buf path;
            pl_buf_init(&path);
            pl_accounts_totp_key_path(s, &path, NULL);
            pl_err_set(e, PL_ECRYPTO, "user %lld: the TOTP secret does not open with %s",
                       (long long)uid, path.data ? path.data : "the TOTP key");
            pl_buf_release(&path);
            return PL_ECRYPTO;
        }
        totp_ok = pl_accounts_totp_verify(secret, n, code, o->now, last_step, &step) == 0;
        sodium_memzero(secret, sizeof secret);
    }
    sodium_memzero(box, sizeof box);
    sodium_memzero(hash, sizeof hash);
    if (!found || !pw_ok || !totp_ok || disabled) {
        count_failure(s, found, uid, o->name_key, failed, o, e);
        memset(out, 0, sizeof *out);
        return PL_EDENIED;
    }
    /* Claim the TOTP step atomically: a code is good once. */
    pl_stmt *up = NULL;
    rc = pl_store_prepare(s,
                          "UPDATE user_secrets SET totp_last_step=?, failed_logins=0, "
                          "locked_until=0 WHERE user_id=? AND totp_last_step<?",
                          &up, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(up, 1, step);
    pl_stmt_bind_i64(up, 2, uid);
    pl_stmt_bind_i64(up, 3, step);
    rc = pl_stmt_step(up, e);
    pl_stmt_finalize(up);
    if (rc != PL_DONE)
        return rc < 0 ? rc : PL_ESTORE;
    if (pl_store_changes(s) != 1) {
        memset(out, 0, sizeof *out);
        return PL_EDENIED;
    }
    if (rehash) {
        char nh[crypto_pwhash_STRBYTES];
        pl_pwhash_enter();
        int hrc = crypto_pwhash_str(nh, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                    crypto_pwhash_MEMLIMIT_INTERACTIVE);
        pl_pwhash_leave();
        if (hrc != 0)
            return pl_err_set(e, PL_ENOMEM, "argon2id: out of memory");
        rc = pl_store_prepare(s, "UPDATE user_secrets SET pw_hash=? WHERE user_id=?", &up, e);
        if (!rc) {
            pl_stmt_bind_text(up, 1, nh);
            pl_stmt_bind_i64(up, 2, uid);
            rc = pl_stmt_step(up, e);
            pl_stmt_finalize(up);
            rc = rc == PL_DONE ? 0 : rc < 0 ? rc : PL_ESTORE;
        }
        sodium_memzero(nh, sizeof nh);
        if (rc) {
            memset(out, 0, sizeof *out);
            return rc;
        }
    }
    uint8_t raw[32], csrf_raw[32];
    randombytes_buf(raw, sizeof raw);
    randombytes_buf(csrf_raw, sizeof csrf_raw);
    char th[65];
    sodium_bin2base64(out->token, sizeof out->token, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    pl_hex(out->csrf, csrf_raw, sizeof csrf_raw);
    pl_accounts_token_hash(th, out->token);
    sodium_memzero(raw, sizeof raw);
    rc = pl_store_prepare(s,
                          "INSERT INTO sessions(token_hash, user_id, csrf, created_at, last_seen) "
                          "VALUES(?,?,?,?,?)",
                          &up, e);
    if (!rc) {
        pl_stmt_bind_text(up, 1, th);
        pl_stmt_bind_i64(up, 2, uid);
        pl_stmt_bind_text(up, 3, out->csrf);
        pl_stmt_bind_i64(up, 4, o->now);
        pl_stmt_bind_i64(up, 5, o->now);
        rc = pl_stmt_step(up, e);
        pl_stmt_finalize(up);
        rc = rc == PL_DONE ? 0 : rc < 0 ? rc : PL_ESTORE;
    }
    if (rc) {
        sodium_memzero(out, sizeof *out);
        return rc;
    }
    out->uid = uid;
    return 0;
}

int pl_accounts_password_verify(pl_store *s, int64_t uid, const char *password, pl_err *e)
{
    if (sodium_init() < 0)
        return pl_err_set(e, PL_ECRYPTO, "libsodium init failed");
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s, "SELECT pw_hash FROM user_secrets WHERE user_id=?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, uid);
    char hash[crypto_pwhash_STRBYTES] = "";
    if (pl_stmt_step(st, e) == PL_ROW)
        snprintf(hash, sizeof hash, "%s", pl_stmt_text(st, 0));
    pl_stmt_finalize(st);
    pl_pwhash_enter();
    rc = !hash[0] || !password || crypto_pwhash_str_verify(hash, password, strlen(password)) != 0
             ? PL_EDENIED
             : 0;
    pl_pwhash_leave();
    sodium_memzero(hash, sizeof hash);
    return rc;
}
