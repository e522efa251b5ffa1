/*
 * totp.c — one-time passwords for the staff second factor.
 * Layer: accounts. Spec: RFC 4226 (HOTP, dynamic truncation), RFC 6238
 * (TOTP, HMAC-SHA1 for authenticator-app compatibility; SHA-1 from nettle),
 * RFC 4648 base32 for the secret.
 */
#include <string.h>

#include <nettle/hmac.h>
#include <sodium.h>

#include "accounts.h"

uint32_t pl_accounts_hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits)
{
    uint8_t msg[8], mac[SHA1_DIGEST_SIZE];
    for (int i = 7; i >= 0; i--) {
        msg[i] = (uint8_t)(counter & 0xff);
        counter >>= 8;
    }
    struct hmac_sha1_ctx ctx;
    hmac_sha1_set_key(&ctx, keylen, key);
    hmac_sha1_update(&ctx, sizeof msg, msg);
    hmac_sha1_digest(&ctx, SHA1_DIGEST_SIZE, mac);
    int off = mac[SHA1_DIGEST_SIZE - 1] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | (uint32_t)mac[off + 3];
    uint32_t mod = 1;
    for (int i = 0; i < digits; i++)
        mod *= 10;
    sodium_memzero(&ctx, sizeof ctx);
    return bin % mod;
}

uint32_t pl_accounts_totp_code(const uint8_t *key, size_t keylen, int64_t t, int step, int digits)
{
    if (t < 0)
        t = 0;
    return pl_accounts_hotp(key, keylen, (uint64_t)(t / step), digits);
}

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int pl_accounts_base32(char *out, size_t cap, const uint8_t *in, size_t n)
{
    size_t need = (n * 8 + 4) / 5 + 1, o = 0;
    if (cap < need)
        return PL_EINVAL;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = B32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[o++] = B32[(acc << (5 - bits)) & 31];
    out[o] = 0;
    return 0;
}

long pl_accounts_unbase32(uint8_t *out, size_t cap, const char *s)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (; *s; s++) {
        char c = *s;
        if (c == '=' || c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        const char *p = strchr(B32, c);
        if (!p || !c)
            return -1;
        acc = (acc << 5) | (uint32_t)(p - B32);
        bits += 5;
        if (bits >= 8) {
            if (o >= cap)
                return -1;
            out[o++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    return (long)o;
}

int pl_accounts_totp_verify(const uint8_t *key, size_t keylen, const char *code, int64_t t,
                            int64_t last_step, int64_t *step_out)
{
    if (!code || strlen(code) != PL_TOTP_DIGITS)
        return PL_EDENIED;
    uint32_t want = 0;
    for (const char *p = code; *p; p++) {
        if (*p < '0' || *p > '9')
            return PL_EDENIED;
        want = want * 10 + (uint32_t)(*p - '0');
    }
    int64_t now_step = t / PL_TOTP_STEP;
    int found = 0;
    int64_t step = 0;
    /* Check every window (no early exit) so timing does not tell which. */
    for (int64_t s = now_step - 1; s <= now_step + 1; s++) {
        if (s < 0)
            continue;
        uint32_t c = pl_accounts_hotp(key, keylen, (uint64_t)s, PL_TOTP_DIGITS);
        if (c == want && s > last_step && !found) {
            found = 1;
            step = s;
        }
    }
    if (!found)
        return PL_EDENIED;
    if (step_out)
        *step_out = step;
    return 0;
}
