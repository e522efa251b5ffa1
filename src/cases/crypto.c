/*
 * crypto.c — the secrets of the clue workflow, libsodium only: office key
 * pairs (X25519 crypto_box; the secret under crypto_secretbox with an
 * argon2id-derived key), sealed reporter identity (crypto_box_seal), the
 * logged unlock and identity read, receipt codes (randombytes, Luhn check
 * digit, BLAKE2b lookup hash), and attachment checks by magic bytes.
 * Layer: cases.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cases_int.h"

/* Argon2id limits for the office passphrase: 3 passes over 64 MiB (the
 * minimum under PLUMB_TEST_PWHASH_MIN). Stored with the key's secret, so an
 * unlock derives under the limits the key was made with. */
#define OFFICE_OPSLIMIT pl_pwhash_opslimit(crypto_pwhash_OPSLIMIT_MODERATE)
#define OFFICE_MEMLIMIT pl_pwhash_memlimit(crypto_pwhash_MEMLIMIT_INTERACTIVE)

struct pl_office_key {
    char office_id[PL_CASES_ID_MAX + 1];
    char key_id[17];
    uint8_t pk[crypto_box_PUBLICKEYBYTES];
    uint8_t *sk; /* sodium_malloc'd, read-only after unlock */
};

static int sodium_ready(pl_err *e)
{
    if (sodium_init() < 0)
        return pl_err_set(e, PL_ECRYPTO, "libsodium failed to initialise");
    return 0;
}

static void key_id_of(char out[17], const uint8_t pk[crypto_box_PUBLICKEYBYTES])
{
    uint8_t h[32];
    crypto_generichash(h, sizeof h, pk, crypto_box_PUBLICKEYBYTES, NULL, 0);
    pl_hex(out, h, 8);
}

static void secret_hash(char out[65], const uint8_t *salt, const uint8_t *nonce, const uint8_t *box,
                        size_t boxlen)
{
    crypto_hash_sha256_state st;
    uint8_t h[32];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, salt, crypto_pwhash_SALTBYTES);
    crypto_hash_sha256_update(&st, nonce, crypto_secretbox_NONCEBYTES);
    crypto_hash_sha256_update(&st, box, boxlen);
    crypto_hash_sha256_final(&st, h);
    pl_hex(out, h, 32);
}

int pl_cases_office_keygen(pl_cases *c, const pl_viewer *v, const char *office_id,
                           const char *passphrase, char key_id_out[17], pl_err *e)
{
    int rc = cs_require(c, v, PL_PERM_KEYS, NULL, e);
    if (rc || (rc = sodium_ready(e)))
        return rc;
    if (!office_id || !*office_id)
        return pl_err_set(e, PL_EINVAL, "office: a unit id is required / 须指定纪检监察机关");
    int64_t n = 0;
    rc =
        pl_store_query_i64(c->s, &n, e, "SELECT count(*) FROM units WHERE id = ?", office_id, NULL);
    if (rc)
        return rc;
    if (!n)
        return pl_err_set(e, PL_EINVAL, "office %s: no such unit / 单位不存在", office_id);
    /* Identities are sealed to the discipline office that handles a clue
     * (routing finds units of kind discipline): a key for any other unit
     * would only let its holders read what was never theirs to read. */
    rc = pl_store_query_i64(c->s, &n, e,
                            "SELECT count(*) FROM units WHERE id = ? AND kind = 'discipline'",
                            office_id, NULL);
    if (rc)
        return rc;
    if (!n)
        return pl_err_set(e, PL_EINVAL,
                          "office_id: unit %s is not a discipline office (kind discipline) / "
                          "单位 %s 不是纪检监察机关",
                          office_id, office_id);
    if (!passphrase || strlen(passphrase) < 12)
        return pl_err_set(e, PL_EINVAL,
                          "office passphrase: at least 12 characters / 口令至少12个字符");
    uint8_t pk[crypto_box_PUBLICKEYBYTES];
    uint8_t *sk = sodium_malloc(crypto_box_SECRETKEYBYTES);
    uint8_t *kek = sodium_malloc(crypto_secretbox_KEYBYTES);
    if (!sk || !kek) {
        sodium_free(sk);
        sodium_free(kek);
        return pl_err_set(e, PL_ENOMEM, "out of guarded memory");
    }
    uint8_t salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES];
    uint8_t box[crypto_box_SECRETKEYBYTES + crypto_secretbox_MACBYTES];
    crypto_box_keypair(pk, sk);
    randombytes_buf(salt, sizeof salt);
    randombytes_buf(nonce, sizeof nonce);
    pl_pwhash_enter();
    int hrc = crypto_pwhash(kek, crypto_secretbox_KEYBYTES, passphrase, strlen(passphrase), salt,
                            OFFICE_OPSLIMIT, OFFICE_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13);
    pl_pwhash_leave();
    if (hrc != 0) {
        sodium_free(sk);
        sodium_free(kek);
        return pl_err_set(e, PL_ENOMEM, "argon2id: out of memory");
    }
    crypto_secretbox_easy(box, sk, crypto_box_SECRETKEYBYTES, nonce, kek);
    sodium_free(sk);
    sodium_free(kek);
    char kid[17], sh[65], pkb[64];
    key_id_of(kid, pk);
    secret_hash(sh, salt, nonce, box, sizeof box);
    pl_b64(pkb, pk, sizeof pk);
    rc = pl_store_begin(c->s, e);
    if (rc)
        return rc;
    pl_stmt *st;
    rc = pl_store_prepare_cached(c->s,
                                 "INSERT INTO office_key_secrets(key_id,salt,nonce,opslimit,"
                                 "memlimit,box) VALUES(?,?,?,?,?,?)",
                                 &st, e);
    if (!rc) {
        pl_stmt_bind_text(st, 1, kid);
        pl_stmt_bind_blob(st, 2, salt, sizeof salt);
        pl_stmt_bind_blob(st, 3, nonce, sizeof nonce);
        pl_stmt_bind_i64(st, 4, (int64_t)OFFICE_OPSLIMIT);
        pl_stmt_bind_i64(st, 5, (int64_t)OFFICE_MEMLIMIT);
        pl_stmt_bind_blob(st, 6, box, sizeof box);
        rc = pl_stmt_step(st, e);
        pl_stmt_reset(st);
        rc = rc == PL_DONE ? 0 : rc;
    }
    if (!rc) {
        json_t *p = json_pack("{s:s,s:s,s:s,s:s,s:s}", "office_id", office_id, "key_id", kid,
                              "public_key", pkb, "secret_sha256", sh, "algorithm",
                              "x25519-xsalsa20poly1305 (crypto_box_seal)");
        rc = cs_append(c, "office.key_created", cs_actor(v), json_pack("[s,s]", office_id, kid), p,
                       NULL, e);
    }
    if (rc) {
        pl_store_rollback(c->s);
        return rc;
    }
    rc = pl_store_commit(c->s, e);
    if (!rc && key_id_out)
        memcpy(key_id_out, kid, 17);
    return rc;
}

/* Is `unit` inside the viewer's scope? 1/0/<0. */
static int in_scope(pl_cases *c, const pl_viewer *v, const char *unit, pl_err *e)
{
    if (!v->scope_unit_id || !*v->scope_unit_id)
        return v->role == PL_CASES_ROLE_SYSTEM;
    int64_t n = 0;
    int rc = pl_store_query_i64(c->s, &n, e,
                                "WITH RECURSIVE up(id) AS (SELECT ? UNION SELECT u.parent_id FROM "
                                "units u JOIN up ON u.id = up.id WHERE u.parent_id IS NOT NULL) "
                                "SELECT count(*) FROM up WHERE id = ?",
                                unit, v->scope_unit_id, NULL);
    return rc ? rc : n > 0;
}

/*
 * Passphrase guessing (issue #15): each wrong office passphrase is an
 * "office.unlock_failed" event (case_access_log kind unlock_failed, on the
 * auditors' access log), and after unlock_max_failures of them in a row by
 * one user for one office, with the last within unlock_lock_secs, the user
 * may not try again until that time has passed (as sign-in locks an
 * account). A successful unlock starts the count anew. The count is read
 * from the log itself, so it survives restarts and needs no other state.
 */
int pl_cases_office_unlock_locked(pl_cases *c, const pl_viewer *v, const char *office_id,
                                  int64_t *retry_after, pl_err *e)
{
    if (retry_after)
        *retry_after = 0;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        c->s,
        "SELECT count(*), max(at) FROM case_access_log WHERE actor = ? AND office_id = ? AND "
        "kind = 'unlock_failed' AND seq > COALESCE((SELECT max(seq) FROM case_access_log "
        "WHERE actor = ? AND office_id = ? AND kind = 'key_unlocked'), 0)",
        &st, e);
    if (rc)
        return rc;
    const char *actor = cs_actor(v);
    pl_stmt_bind_text(st, 1, actor);
    pl_stmt_bind_text(st, 2, office_id ? office_id : "");
    pl_stmt_bind_text(st, 3, actor);
    pl_stmt_bind_text(st, 4, office_id ? office_id : "");
    int64_t failures = 0, last = 0;
    if ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        failures = pl_stmt_i64(st, 0);
        const char *at = pl_stmt_text(st, 1);
        if (at && pl_time_parse(at, &last) != 0)
            last = 0;
    }
    pl_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (failures < c->unlock_max_failures)
        return 0;
    int64_t left = last + c->unlock_lock_secs - pl_time_now();
    if (left <= 0)
        return 0;
    if (retry_after)
        *retry_after = left;
    return 1;
}

int pl_cases_office_unlock(pl_cases *c, const pl_viewer *v, const char *office_id,
                           const char *passphrase, const char *reason, pl_office_key **out,
                           pl_err *e)
{
    *out = NULL;
    int rc = cs_require(c, v, PL_PERM_KEYS, NULL, e);
    if (rc || (rc = sodium_ready(e)))
        return rc;
    if (!reason || !*reason)
        return pl_err_set(e, PL_EINVAL, "unlock: a reason is required / 解锁须写明理由");
    rc = in_scope(c, v, office_id ? office_id : "", e);
    if (rc < 0)
        return rc;
    if (!rc)
        return pl_err_set(e, PL_EDENIED, "office %s is outside your scope / 不在管辖范围内",
                          office_id ? office_id : "");
    int64_t wait = 0;
    rc = pl_cases_office_unlock_locked(c, v, office_id, &wait, e);
    if (rc < 0)
        return rc;
    if (rc)
        return pl_err_set(e, PL_EDENIED,
                          "passphrase: too many wrong passphrases for office %s; try again in "
                          "%lld s / 口令错误次数过多，请 %lld 秒后再试",
                          office_id, (long long)wait, (long long)wait);
    pl_stmt *st;
    rc = pl_store_prepare_cached(
        c->s,
        "SELECT k.key_id, k.public_key, k.secret_sha256, s.salt, s.nonce, s.opslimit, "
        "s.memlimit, s.box FROM office_keys k JOIN office_key_secrets s ON s.key_id = k.key_id "
        "WHERE k.office_id = ? ORDER BY k.ev_seq DESC LIMIT 1",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, office_id);
    rc = pl_stmt_step(st, e);
    if (rc != PL_ROW) {
        pl_stmt_reset(st);
        return rc < 0 ? rc
                      : pl_err_set(e, PL_ENOTFOUND,
                                   "office %s has no key: run plumb office keygen / 该机关尚无密钥",
                                   office_id);
    }
    pl_office_key *k = pl_calloc(1, sizeof *k);
    cs_copy(k->office_id, sizeof k->office_id, office_id);
    cs_copy(k->key_id, sizeof k->key_id, pl_stmt_text(st, 0));
    const char *pkb = pl_stmt_text(st, 1);
    char sh_want[65];
    cs_copy(sh_want, sizeof sh_want, pl_stmt_text(st, 2));
    size_t saltn, noncen, boxn;
    const uint8_t *salt = pl_stmt_blob(st, 3, &saltn);
    uint8_t salt_c[crypto_pwhash_SALTBYTES], nonce_c[crypto_secretbox_NONCEBYTES];
    uint8_t box[crypto_box_SECRETKEYBYTES + crypto_secretbox_MACBYTES];
    int bad = saltn != sizeof salt_c;
    if (!bad)
        memcpy(salt_c, salt, saltn);
    const uint8_t *nonce = pl_stmt_blob(st, 4, &noncen);
    bad |= noncen != sizeof nonce_c;
    if (!bad)
        memcpy(nonce_c, nonce, noncen);
    unsigned long long ops = (unsigned long long)pl_stmt_i64(st, 5);
    size_t mem = (size_t)pl_stmt_i64(st, 6);
    const uint8_t *b = pl_stmt_blob(st, 7, &boxn);
    bad |= boxn != sizeof box;
    if (!bad)
        memcpy(box, b, boxn);
    bad |= pl_unb64(k->pk, sizeof k->pk, pkb, strlen(pkb)) != (long)sizeof k->pk;
    pl_stmt_reset(st);
    char sh[65];
    if (!bad) {
        secret_hash(sh, salt_c, nonce_c, box, sizeof box);
        bad = sodium_memcmp(sh, sh_want, 64) != 0;
    }
    if (bad) {
        rc = pl_err_set(e, PL_ECORRUPT, "office %s key %s: stored secret does not match the ledger",
                        office_id, k->key_id);
        free(k);
        return rc;
    }
    uint8_t *kek = sodium_malloc(crypto_secretbox_KEYBYTES);
    k->sk = sodium_malloc(crypto_box_SECRETKEYBYTES);
    if (!kek || !k->sk) {
        sodium_free(kek);
        pl_office_key_free(k);
        return pl_err_set(e, PL_ENOMEM, "out of guarded memory");
    }
    rc = 0;
    pl_pwhash_enter();
    int hrc = crypto_pwhash(kek, crypto_secretbox_KEYBYTES, passphrase ? passphrase : "",
                            passphrase ? strlen(passphrase) : 0, salt_c, ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13);
    pl_pwhash_leave();
    if (hrc != 0)
        rc = pl_err_set(e, PL_ENOMEM, "argon2id: out of memory");
    else if (crypto_secretbox_open_easy(k->sk, box, sizeof box, nonce_c, kek) != 0)
        rc = pl_err_set(e, PL_ECRYPTO, "office %s: wrong passphrase / 口令错误", office_id);
    sodium_free(kek);
    if (rc == PL_ECRYPTO) {
        /* Recorded, with who and why, before the refusal is answered. */
        json_t *p = json_pack("{s:s,s:s,s:s,s:s}", "office_id", office_id, "key_id", k->key_id,
                              "role", pl_cases_role_name(v->role), "reason", reason);
        if (v->person_id && *v->person_id)
            json_object_set_new(p, "person_id", json_string(v->person_id));
        pl_err ae;
        pl_err_init(&ae);
        int arc = cs_append(c, "office.unlock_failed", cs_actor(v), json_pack("[s]", office_id), p,
                            NULL, &ae);
        if (arc) {
            pl_office_key_free(k);
            *e = ae;
            return arc;
        }
    }
    if (rc) {
        pl_office_key_free(k);
        return rc;
    }
    sodium_mprotect_readonly(k->sk);
    json_t *p = json_pack("{s:s,s:s,s:s,s:s}", "office_id", office_id, "key_id", k->key_id, "role",
                          pl_cases_role_name(v->role), "reason", reason);
    if (v->person_id && *v->person_id)
        json_object_set_new(p, "person_id", json_string(v->person_id));
    rc = cs_append(c, "office.key_unlocked", cs_actor(v), json_pack("[s]", office_id), p, NULL, e);
    if (rc) {
        pl_office_key_free(k);
        return rc;
    }
    *out = k;
    return 0;
}

void pl_office_key_free(pl_office_key *k)
{
    if (!k)
        return;
    sodium_free(k->sk); /* zeroes the memory */
    sodium_memzero(k, sizeof *k);
    free(k);
}

int cs_seal_for_office(pl_cases *c, const char *office_id, const char *msg, json_t **out, pl_err *e)
{
    *out = NULL;
    int rc = sodium_ready(e);
    if (rc)
        return rc;
    pl_stmt *st;
    rc = pl_store_prepare_cached(
        c->s, "SELECT key_id, public_key FROM office_keys WHERE office_id = ? ORDER BY key_id", &st,
        e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, office_id);
    json_t *arr = json_array();
    size_t len = strlen(msg);
    uint8_t *box = pl_malloc(len + crypto_box_SEALBYTES);
    char *b64 = pl_malloc(pl_b64_len(len + crypto_box_SEALBYTES));
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        uint8_t pk[crypto_box_PUBLICKEYBYTES];
        const char *pkb = pl_stmt_text(st, 1);
        if (pl_unb64(pk, sizeof pk, pkb, strlen(pkb)) != (long)sizeof pk) {
            rc = pl_err_set(e, PL_ECORRUPT, "office %s: bad public key", office_id);
            break;
        }
        crypto_box_seal(box, (const uint8_t *)msg, len, pk);
        pl_b64(b64, box, len + crypto_box_SEALBYTES);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "key_id", pl_stmt_text(st, 0),
                                             "office_id", office_id, "box", b64));
    }
    pl_stmt_reset(st);
    free(box);
    free(b64);
    if (rc == PL_DONE)
        rc = 0;
    if (!rc && json_array_size(arr) == 0)
        rc = pl_err_set(e, PL_EINVAL,
                        "office %s has no public key to seal the reporter identity to: run plumb "
                        "office keygen / 承办机关 %s 尚无公钥，无法加密举报人信息",
                        office_id, office_id);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

int pl_cases_reporter_read(pl_cases *c, const pl_viewer *v, const pl_office_key *k,
                           const char *clue_id, const char *reason, pl_buf *out, pl_err *e)
{
    int rc = cs_require(c, v, PL_PERM_IDENTITY | PL_PERM_READ, clue_id, e);
    if (rc)
        return rc;
    if (!k || !k->sk)
        return pl_err_set(e, PL_EDENIED, "the office key is not unlocked / 须先解锁机关密钥");
    if (!reason || !*reason)
        return pl_err_set(e, PL_EINVAL, "a reason is required / 须写明理由");
    cs_clue g;
    if ((rc = cs_load(c, clue_id, &g, e)))
        return rc;
    if (strcmp(g.handling_unit_id, k->office_id) != 0)
        return pl_err_set(e, PL_EDENIED,
                          "clue %s is handled by %s, not by office %s / 非承办机关密钥", clue_id,
                          g.handling_unit_id[0] ? g.handling_unit_id : "-", k->office_id);
    pl_stmt *st;
    rc = pl_store_prepare_cached(
        c->s, "SELECT box FROM case_sealed WHERE clue_id = ? AND key_id = ?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, clue_id);
    pl_stmt_bind_text(st, 2, k->key_id);
    rc = pl_stmt_step(st, e);
    if (rc != PL_ROW) {
        pl_stmt_reset(st);
        return rc < 0 ? rc
                      : pl_err_set(e, PL_ENOTFOUND,
                                   "clue %s has no reporter identity sealed to key %s", clue_id,
                                   k->key_id);
    }
    const char *b64 = pl_stmt_text(st, 0);
    size_t cap = strlen(b64);
    uint8_t *box = pl_malloc(cap + 1);
    long n = pl_unb64(box, cap, b64, strlen(b64));
    pl_stmt_reset(st);
    if (n < (long)crypto_box_SEALBYTES) {
        free(box);
        return pl_err_set(e, PL_ECORRUPT, "clue %s: sealed identity is damaged", clue_id);
    }
    size_t mlen = (size_t)n - crypto_box_SEALBYTES;
    char *msg = sodium_malloc(mlen + 1);
    if (!msg) {
        free(box);
        return pl_err_set(e, PL_ENOMEM, "out of guarded memory");
    }
    if (crypto_box_seal_open((uint8_t *)msg, box, (unsigned long long)n, k->pk, k->sk) != 0) {
        free(box);
        sodium_free(msg);
        return pl_err_set(e, PL_ECRYPTO, "clue %s: the sealed identity does not open with key %s",
                          clue_id, k->key_id);
    }
    msg[mlen] = 0;
    free(box);
    json_t *p =
        json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", clue_id, "office_id", k->office_id, "key_id",
                  k->key_id, "role", pl_cases_role_name(v->role), "reason", reason);
    if (v->person_id && *v->person_id)
        json_object_set_new(p, "person_id", json_string(v->person_id));
    rc = cs_append(c, "clue.reporter_read", cs_actor(v), json_pack("[s]", clue_id), p, NULL, e);
    if (!rc)
        pl_buf_add(out, msg, mlen);
    sodium_free(msg);
    return rc;
}

/* --------------------------------------------------------------- receipts */

/* Luhn check digit of the first `n` digits. */
static int luhn_digit(const char *d, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int x = d[n - 1 - i] - '0';
        if (i % 2 == 0) {
            x *= 2;
            if (x > 9)
                x -= 9;
        }
        sum += x;
    }
    return (10 - sum % 10) % 10;
}

int pl_cases_receipt_valid(const char *r)
{
    if (!r || strlen(r) != PL_CASES_RECEIPT_DIGITS)
        return 0;
    for (int i = 0; i < PL_CASES_RECEIPT_DIGITS; i++)
        if (r[i] < '0' || r[i] > '9')
            return 0;
    return luhn_digit(r, PL_CASES_RECEIPT_DIGITS - 1) == r[PL_CASES_RECEIPT_DIGITS - 1] - '0';
}

void cs_receipt_new(char out[PL_CASES_RECEIPT_DIGITS + 1]);
void cs_receipt_new(char out[PL_CASES_RECEIPT_DIGITS + 1])
{
    if (sodium_init() < 0)
        abort(); /* cannot happen after the first successful init */
    out[0] = (char)('1' + randombytes_uniform(9)); /* no leading zero */
    for (int i = 1; i < PL_CASES_RECEIPT_DIGITS - 1; i++)
        out[i] = (char)('0' + randombytes_uniform(10));
    out[PL_CASES_RECEIPT_DIGITS - 1] = (char)('0' + luhn_digit(out, PL_CASES_RECEIPT_DIGITS - 1));
    out[PL_CASES_RECEIPT_DIGITS] = 0;
}

void cs_receipt_hash(char out[65], const char *receipt)
{
    static const uint8_t key[] = "plumbline receipt lookup v1 ...";
    uint8_t h[32];
    crypto_generichash(h, sizeof h, (const uint8_t *)receipt, strlen(receipt), key, 32);
    pl_hex(out, h, 32);
}

/* ------------------------------------------------------------ attachments */

static int utf8_text(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t b = p[i];
        if (b < 0x80) {
            if (b == 0 || (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f'))
                return 0;
            i++;
            continue;
        }
        int len = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || i + (size_t)len > n || (len == 2 && b < 0xC2))
            return 0;
        for (int k = 1; k < len; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
        i += (size_t)len;
    }
    return 1;
}

static const char *sniff(const uint8_t *p, size_t n)
{
    if (n >= 5 && !memcmp(p, "%PDF-", 5))
        return "pdf";
    if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
        return "png";
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return "jpg";
    if (n >= 4 && !memcmp(p, "PK\x03\x04", 4)) {
        if (memmem(p, n, "word/document.xml", 17) && memmem(p, n, "[Content_Types].xml", 19))
            return "docx";
        return NULL;
    }
    if (utf8_text(p, n))
        return "txt";
    return NULL;
}

static const char *ext_kind(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return NULL;
    char ext[8];
    size_t n = strnlen(dot + 1, sizeof ext);
    if (n == 0 || n >= sizeof ext)
        return NULL;
    /* The terminator is written apart from the loop: gcc -O3 could not see
     * that a loop to i <= n stays inside ext (-Wstringop-overflow). */
    for (size_t i = 0; i < n; i++)
        ext[i] = (char)tolower((unsigned char)dot[1 + i]);
    ext[n] = 0;
    static const char *const map[][2] = {{"pdf", "pdf"}, {"jpg", "jpg"}, {"jpeg", "jpg"},
                                         {"png", "png"}, {"txt", "txt"}, {"docx", "docx"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(ext, map[i][0]))
            return map[i][1];
    return NULL;
}

int pl_cases_attachment_check(const pl_attachment *a, const char **kind_out, pl_err *e)
{
    const char *name = a->name && *a->name ? a->name : "(unnamed)";
    if (strlen(name) > 255 || strpbrk(name, "/\\") ||
        !utf8_text((const uint8_t *)name, strlen(name)))
        return pl_err_set(
            e, PL_EINVAL,
            "附件名称无效（不得含路径分隔符，最长255字节） / attachment name '%.60s' is "
            "invalid (no path separators, at most 255 bytes)",
            name);
    if (a->len == 0 || !a->data)
        return pl_err_set(e, PL_EINVAL, "附件“%s”为空文件 / attachment '%s' is empty", name, name);
    if (a->len > PL_CASES_ATTACH_MAX)
        return pl_err_set(e, PL_EINVAL,
                          "附件“%s”大小 %.1f MiB，超过 10 MiB 上限 / attachment '%s' is %.1f MiB, "
                          "over the 10 MiB limit",
                          name, (double)a->len / 1048576.0, name, (double)a->len / 1048576.0);
    const char *want = ext_kind(name);
    if (!want)
        return pl_err_set(e, PL_EINVAL,
                          "附件“%s”的类型不允许（仅限 pdf、jpg、png、txt、docx） / attachment "
                          "'%s': file type not allowed (only pdf, jpg, png, txt, docx)",
                          name, name);
    const char *got = sniff(a->data, a->len);
    if (!got || strcmp(got, want) != 0)
        return pl_err_set(e, PL_EINVAL,
                          "附件“%s”的内容不是 %s 文件%s%s / attachment '%s': content is not a %s "
                          "file%s%s",
                          name, want, got ? "，而是 " : "", got ? got : "", name, want,
                          got ? " but " : "", got ? got : "");
    if (kind_out)
        *kind_out = want;
    return 0;
}

int cs_store_attachments(pl_cases *c, const pl_attachment *a, size_t n, json_t **out, pl_err *e)
{
    *out = NULL;
    if (n > PL_CASES_ATTACH_COUNT)
        return pl_err_set(e, PL_EINVAL, "附件过多（最多10个） / more than 10 attachments");
    json_t *arr = json_array();
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *kind;
        rc = pl_cases_attachment_check(&a[i], &kind, e);
        if (rc)
            break;
        uint8_t h[32];
        char hex[65];
        crypto_hash_sha256(h, a[i].data, a[i].len);
        pl_hex(hex, h, 32);
        pl_stmt *st;
        rc = pl_store_prepare_cached(
            c->s, "INSERT INTO case_blobs(sha256, data) VALUES(?,?) ON CONFLICT DO NOTHING", &st,
            e);
        if (rc)
            break;
        pl_stmt_bind_text(st, 1, hex);
        pl_stmt_bind_blob(st, 2, a[i].data, a[i].len);
        rc = pl_stmt_step(st, e);
        pl_stmt_reset(st);
        if (rc != PL_DONE)
            break;
        rc = 0;
        json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:s}", "name", a[i].name, "kind", kind,
                                             "size", (json_int_t)a[i].len, "sha256", hex));
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

/* The ids of the attachments that reference blob `sha` ("(none)" if none). */
static void blob_users(pl_store *s, const char *sha, pl_buf *out)
{
    pl_stmt *st;
    size_t n = 0;
    if (pl_store_prepare(s, "SELECT id FROM case_attachments WHERE sha256 = ? ORDER BY id", &st,
                         NULL) == 0) {
        pl_stmt_bind_text(st, 1, sha);
        while (pl_stmt_step(st, NULL) == PL_ROW && n < 5)
            pl_buf_addf(out, "%s%s", n++ ? ", " : "", pl_stmt_text(st, 0));
        pl_stmt_finalize(st);
    }
    if (!n)
        pl_buf_adds(out, "(none)");
}

int pl_cases_blobs_verify(pl_store *s, int64_t *blobs, pl_err *e)
{
    *blobs = 0;
    pl_stmt *st;
    /* Every attachment the ledger records has its blob. */
    int rc =
        pl_store_prepare(s,
                         "SELECT a.id, a.sha256 FROM case_attachments a WHERE NOT EXISTS "
                         "(SELECT 1 FROM case_blobs b WHERE b.sha256 = a.sha256) ORDER BY a.id",
                         &st, e);
    if (rc)
        return rc;
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW)
        rc = pl_err_set(e, PL_ECORRUPT, "attachment %s: its blob %s is missing from case_blobs",
                        pl_stmt_text(st, 0), pl_stmt_text(st, 1));
    pl_stmt_finalize(st);
    if (rc != PL_DONE)
        return rc;
    /* Every blob's bytes hash to its key. */
    rc = pl_store_prepare(s, "SELECT sha256, data FROM case_blobs ORDER BY sha256", &st, e);
    if (rc)
        return rc;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        size_t n;
        const void *d = pl_stmt_blob(st, 1, &n);
        uint8_t h[32];
        char hex[65];
        crypto_hash_sha256(h, d ? d : (const void *)"", d ? n : 0);
        pl_hex(hex, h, 32);
        const char *key = pl_stmt_text(st, 0);
        if (!key || strlen(key) != 64 || sodium_memcmp(hex, key, 64) != 0) {
            pl_buf users;
            pl_buf_init(&users);
            blob_users(s, key ? key : "", &users);
            rc = pl_err_set(e, PL_ECORRUPT,
                            "attachment blob %s (attachment %s): content hashes to %s, not to "
                            "its sha256",
                            key ? key : "(null)", users.data, hex);
            pl_buf_release(&users);
            break;
        }
        ++*blobs;
    }
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc;
}

int pl_cases_check(pl_cases *c, pl_err *e)
{
    int64_t nblobs;
    int rc = pl_cases_blobs_verify(c->s, &nblobs, e);
    if (rc)
        return rc;
    pl_stmt *st;
    rc = pl_store_prepare(c->s,
                          "SELECT k.key_id, k.secret_sha256, s.salt, s.nonce, s.box FROM "
                          "office_keys k LEFT JOIN office_key_secrets s ON s.key_id = k.key_id",
                          &st, e);
    if (rc)
        return rc;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        size_t ns, nn, nb;
        const uint8_t *salt = pl_stmt_blob(st, 2, &ns), *nonce = pl_stmt_blob(st, 3, &nn),
                      *box = pl_stmt_blob(st, 4, &nb);
        char hex[65] = "";
        if (salt && nonce && box && ns == crypto_pwhash_SALTBYTES &&
            nn == crypto_secretbox_NONCEBYTES)
            secret_hash(hex, salt, nonce, box, nb);
        if (strcmp(hex, pl_stmt_text(st, 1)) != 0) {
            rc =
                pl_err_set(e, PL_ECORRUPT, "office key %s: stored secret does not match the ledger",
                           pl_stmt_text(st, 0));
            break;
        }
    }
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc;
}
