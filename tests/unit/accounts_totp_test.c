/*
 * accounts_totp_test.c — RFC 6238 TOTP and RFC 4226 HOTP (HMAC-SHA1) against
 * the published vectors, base32 (RFC 4648 §10 vectors), replay protection,
 * the password policy, and the sealing of TOTP secrets at rest (checked
 * against libsodium's own XChaCha20-Poly1305 with the documented layout). Vectors: RFC 6238
 * Appendix B (SHA-1 rows, seed "12345678901234567890"), RFC 4226 Appendix D, RFC 4648 §10.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "accounts/accounts.h"

static const uint8_t KEY[] = "12345678901234567890";

static void rfc6238_appendix_b_sha1(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        uint32_t code;
    } v[] = {
        {59, 94287082},         {1111111109, 7081804},  {1111111111, 14050471},
        {1234567890, 89005924}, {2000000000, 69279037}, {20000000000, 65353130},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_int_equal(pl_accounts_totp_code(KEY, 20, v[i].t, 30, 8), v[i].code);
}

static void rfc4226_appendix_d(void **state)
{
    (void)state;
    static const uint32_t want[] = {755224, 287082, 359152, 969429, 338314,
                                    254676, 287922, 162583, 399871, 520489};
    for (uint64_t c = 0; c < 10; c++)
        assert_int_equal(pl_accounts_hotp(KEY, 20, c, 6), want[c]);
}

static void base32_rfc4648(void **state)
{
    (void)state;
    char out[64];
    static const char *const in[] = {"f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const want[] = {"MY", "MZXQ", "MZXW6", "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI"};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(pl_accounts_base32(out, sizeof out, (const uint8_t *)in[i], strlen(in[i])),
                         0);
        assert_string_equal(out, want[i]);
        uint8_t back[16];
        long n = pl_accounts_unbase32(back, sizeof back, want[i]);
        assert_int_equal(n, (long)strlen(in[i]));
        assert_memory_equal(back, in[i], (size_t)n);
    }
    uint8_t b[8];
    assert_int_equal(pl_accounts_unbase32(b, sizeof b, "MZ1"), -1); /* '1' is not base32 */
}

static void verify_window_and_replay(void **state)
{
    (void)state;
    int64_t t = 1111111111, step = 0;
    char code[8];
    snprintf(code, sizeof code, "%06u", pl_accounts_totp_code(KEY, 20, t, 30, 6));
    assert_int_equal(pl_accounts_totp_verify(KEY, 20, code, t, 0, &step), 0);
    assert_int_equal(step, t / 30);
    /* The same step again is a replay. */
    assert_int_equal(pl_accounts_totp_verify(KEY, 20, code, t, step, NULL), PL_EDENIED);
    /* One step of clock skew either way is accepted, two are not. */
    assert_int_equal(pl_accounts_totp_verify(KEY, 20, code, t + 30, 0, NULL), 0);
    assert_int_equal(pl_accounts_totp_verify(KEY, 20, code, t - 30, 0, NULL), 0);
    assert_int_equal(pl_accounts_totp_verify(KEY, 20, code, t + 90, 0, NULL), PL_EDENIED);
    assert_int_equal(pl_accounts_totp_verify(KEY, 20, "12345", t, 0, NULL), PL_EDENIED);
    assert_int_equal(pl_accounts_totp_verify(KEY, 20, "12a456", t, 0, NULL), PL_EDENIED);
    assert_int_equal(pl_accounts_totp_verify(KEY, 20, NULL, t, 0, NULL), PL_EDENIED);
}

static void password_policy(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_accounts_password_check("alice", "Correct-Horse-9battery", &e), 0);
    assert_int_equal(pl_accounts_password_check("alice", "short1A!", &e), PL_EINVAL);
    assert_int_equal(pl_accounts_password_check("alice", "alllowercaseletters", &e), 0); /* 16+ */
    assert_int_equal(pl_accounts_password_check("alice", "lowercase12", &e), PL_EINVAL);
    assert_int_equal(pl_accounts_password_check("alice", "onlylowercase", &e), PL_EINVAL);
    assert_int_equal(pl_accounts_password_check("alice", "My-alice-Password-1", &e), PL_EINVAL);
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(pl_accounts_password_check("bob", big, &e), PL_EINVAL);
}

static void roles_round_trip(void **state)
{
    (void)state;
    for (int i = 0; i < PL_ROLE_COUNT; i++)
        assert_int_equal(pl_accounts_role_parse(pl_accounts_role_name(i)), i);
    assert_int_equal(pl_accounts_role_parse("root"), -1);
    assert_null(pl_accounts_role_name(PL_ROLE_COUNT));
}

/* docs/SECURITY.md: box = nonce(24) || ciphertext || tag(16), associated
 * data "plumb-totp:<user id>". Opened here with libsodium directly. */
static void totp_sealing(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    uint8_t key[PL_TOTP_KEY_BYTES], other[PL_TOTP_KEY_BYTES], box[128], out[64];
    randombytes_buf(key, sizeof key);
    randombytes_buf(other, sizeof other);
    size_t blen = 0, n = 0;
    assert_int_equal(pl_accounts_totp_seal(key, 7, KEY, 20, box, sizeof box, &blen), 0);
    assert_int_equal(blen, 24 + 20 + 16);
    assert_null(memmem(box, blen, KEY, 20));
    unsigned long long mlen = 0;
    static const char ad[] = "plumb-totp:7";
    assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL, box + 24,
                                                                blen - 24, (const uint8_t *)ad,
                                                                strlen(ad), box, key),
                     0);
    assert_int_equal(mlen, 20);
    assert_memory_equal(out, KEY, 20);
    /* The module opens its own box; not with another key, another user,
     * a flipped bit or a short buffer. */
    assert_int_equal(pl_accounts_totp_unseal(key, 7, box, blen, out, sizeof out, &n), 0);
    assert_int_equal(n, 20);
    assert_memory_equal(out, KEY, 20);
    assert_int_equal(pl_accounts_totp_unseal(other, 7, box, blen, out, sizeof out, &n), PL_ECRYPTO);
    assert_int_equal(pl_accounts_totp_unseal(key, 8, box, blen, out, sizeof out, &n), PL_ECRYPTO);
    box[30] ^= 1;
    assert_int_equal(pl_accounts_totp_unseal(key, 7, box, blen, out, sizeof out, &n), PL_ECRYPTO);
    box[30] ^= 1;
    assert_int_equal(pl_accounts_totp_unseal(key, 7, box, 39, out, sizeof out, &n), PL_ECRYPTO);
    assert_int_equal(pl_accounts_totp_seal(key, 7, KEY, 20, box, 50, &blen), PL_EINVAL);
    /* Two seals of one secret differ (fresh nonce). */
    uint8_t box2[128];
    size_t blen2 = 0;
    pl_accounts_totp_seal(key, 7, KEY, 20, box2, sizeof box2, &blen2);
    assert_memory_not_equal(box, box2, blen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc6238_appendix_b_sha1),
        cmocka_unit_test(rfc4226_appendix_d),
        cmocka_unit_test(base32_rfc4648),
        cmocka_unit_test(verify_window_and_replay),
        cmocka_unit_test(password_policy),
        cmocka_unit_test(roles_round_trip),
        cmocka_unit_test(totp_sealing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
