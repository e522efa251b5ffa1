/*
 * secrets.c — TOTP secrets at rest: sealed with XChaCha20-Poly1305 (libsodium
 * AEAD, the user id as associated data) under a server key kept in the file
 * "<db>.totp.key" beside the store (mode 0600, created on first need, never
 * in the database, never logged), and the one-time sealing of secrets an
 * older store kept in clear. Layer: accounts. Spec: docs/SECURITY.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "accounts.h"

#define KEY_MAGIC "plumb-totp-key-1 "
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

int pl_accounts_totp_key_path(pl_store *s, pl_buf *out, pl_err *e)
{
    if (!s || pl_store_side_path(s, ".totp.key", out) != 0)
        return pl_err_set(e, PL_EINVAL,
                          "TOTP key: the store has no file to keep a key beside: give "
                          "--state-dir DIR (or PLUMB_STATE_DIR)");
    return 0;
}

static int key_write(const char *path, uint8_t key[PL_TOTP_KEY_BYTES], pl_err *e)
{
    return pl_hexkey_create(path, "TOTP key file", KEY_MAGIC, key, PL_TOTP_KEY_BYTES, e);
}

static int key_read(const char *path, uint8_t key[PL_TOTP_KEY_BYTES], pl_err *e)
{
    return pl_hexkey_read(path, "TOTP key file", 0, KEY_MAGIC, key, PL_TOTP_KEY_BYTES, e);
}

static void assoc(char ad[48], int64_t uid)
{
    snprintf(ad, 48, "plumb-totp:%lld", (long long)uid);
}

int pl_accounts_totp_seal(const uint8_t key[PL_TOTP_KEY_BYTES], int64_t uid, const uint8_t *secret,
                          size_t n, uint8_t *out, size_t cap, size_t *len)
{
    if (cap < NONCE_BYTES + n + TAG_BYTES)
        return PL_EINVAL;
    char ad[48];
    assoc(ad, uid);
    randombytes_buf(out, NONCE_BYTES);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + NONCE_BYTES, &clen, secret, n,
                                               (const uint8_t *)ad, strlen(ad), NULL, out, key);
    *len = NONCE_BYTES + (size_t)clen;
    return 0;
}

int pl_accounts_totp_unseal(const uint8_t key[PL_TOTP_KEY_BYTES], int64_t uid, const uint8_t *box,
                            size_t boxlen, uint8_t *secret, size_t cap, size_t *n)
{
    if (boxlen < NONCE_BYTES + TAG_BYTES || cap < boxlen - NONCE_BYTES - TAG_BYTES)
        return PL_ECRYPTO;
    char ad[48];
    assoc(ad, uid);
    unsigned long long mlen = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(secret, &mlen, NULL, box + NONCE_BYTES,
                                                   boxlen - NONCE_BYTES, (const uint8_t *)ad,
                                                   strlen(ad), box, key) != 0)
        return PL_ECRYPTO;
    *n = (size_t)mlen;
    return 0;
}

/* Seal the secrets an older store kept in clear (user_secrets.totp_clear,
 * copied there by migration 0062), then VACUUM and truncate the WAL so the
 * clear text does not linger in free pages or old frames. */
static int seal_legacy(pl_store *s, const uint8_t key[PL_TOTP_KEY_BYTES], pl_err *e)
{
    int64_t n = 0;
    int rc = pl_store_query_i64(
        s, &n, e, "SELECT COUNT(*) FROM user_secrets WHERE totp_clear IS NOT NULL", NULL);
    if (rc || n == 0)
        return rc;
    rc = pl_store_begin(s, e);
    if (rc)
        return rc;
    pl_stmt *st = NULL, *up = NULL;
    rc = pl_store_prepare(
        s, "SELECT user_id, totp_clear FROM user_secrets WHERE totp_clear IS NOT NULL", &st, e);
    if (!rc)
        rc = pl_store_prepare(
            s, "UPDATE user_secrets SET totp_box=?, totp_clear=NULL WHERE user_id=?", &up, e);
    while (!rc && (rc = pl_stmt_step(st, e)) == PL_ROW) {
        int64_t uid = pl_stmt_i64(st, 0);
        uint8_t secret[64], box[128];
        size_t blen = 0;
        long m = pl_accounts_unbase32(secret, sizeof secret, pl_stmt_text(st, 1));
        if (m <= 0) {
            rc = pl_err_set(e, PL_ECORRUPT, "user_secrets: user %lld: TOTP secret is not base32",
                            (long long)uid);
            break;
        }
        pl_accounts_totp_seal(key, uid, secret, (size_t)m, box, sizeof box, &blen);
        sodium_memzero(secret, sizeof secret);
        pl_stmt_reset(up);
        pl_stmt_bind_blob(up, 1, box, blen);
        pl_stmt_bind_i64(up, 2, uid);
        rc = pl_stmt_step(up, e);
        rc = rc == PL_DONE ? 0 : rc < 0 ? rc : PL_ESTORE;
    }
    if (rc == PL_DONE)
        rc = 0;
    pl_stmt_finalize(st);
    pl_stmt_finalize(up);
    if (rc) {
        pl_store_rollback(s);
        return rc;
    }
    rc = pl_store_commit(s, e);
    if (!rc)
        rc = pl_store_compact(s, e);
    return rc;
}

int pl_accounts_prepare(pl_store *s, uint8_t key[PL_TOTP_KEY_BYTES], pl_err *e)
{
    if (sodium_init() < 0)
        return pl_err_set(e, PL_ECRYPTO, "libsodium init failed");
    pl_buf path;
    pl_buf_init(&path);
    int rc = pl_accounts_totp_key_path(s, &path, e);
    int64_t sealed = 0, uid = 0;
    if (!rc)
        rc = pl_store_query_i64(
            s, &sealed, e, "SELECT COUNT(*) FROM user_secrets WHERE totp_box IS NOT NULL", NULL);
    if (!rc) {
        rc = key_read(path.data, key, e);
        if (rc == PL_ENOTFOUND && sealed == 0) {
            /* First need: no secret is sealed yet, so a new key loses nothing. */
            pl_err_init(e);
            randombytes_buf(key, PL_TOTP_KEY_BYTES);
            rc = key_write(path.data, key, e);
            if (rc == PL_EEXIST) /* another process made it first */
                rc = key_read(path.data, key, e);
        } else if (rc == PL_ENOTFOUND) {
            rc = pl_err_set(e, PL_ENOTFOUND,
                            "%s: TOTP key file missing; the store holds %lld sealed TOTP "
                            "secret(s) that only this key opens (restore it from the backup of "
                            "the store)",
                            path.data, (long long)sealed);
        }
    }
    /* A wrong key is found now, not at someone's sign-in. */
    if (!rc && sealed > 0) {
        pl_stmt *st = NULL;
        rc = pl_store_prepare(s,
                              "SELECT user_id, totp_box FROM user_secrets WHERE totp_box IS NOT "
                              "NULL ORDER BY user_id LIMIT 1",
                              &st, e);
        if (!rc && pl_stmt_step(st, e) == PL_ROW) {
            uid = pl_stmt_i64(st, 0);
            size_t blen = 0, n = 0;
            const uint8_t *box = pl_stmt_blob(st, 1, &blen);
            uint8_t secret[128];
            if (pl_accounts_totp_unseal(key, uid, box, blen, secret, sizeof secret, &n) != 0)
                rc = pl_err_set(e, PL_ECRYPTO,
                                "%s: this key does not open the TOTP secrets of the store "
                                "(wrong key file, or the store was copied without its key)",
                                path.data);
            sodium_memzero(secret, sizeof secret);
        }
        pl_stmt_finalize(st);
    }
    if (!rc)
        rc = seal_legacy(s, key, e);
    if (rc)
        sodium_memzero(key, PL_TOTP_KEY_BYTES);
    pl_buf_release(&path);
    return rc;
}
