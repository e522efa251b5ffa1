/*
 * note.c — Ed25519 keys, C2SP signed-note (golang.org/x/mod/sumdb/note key
 * and signature formats), C2SP tlog-checkpoint bodies, and the ledger's
 * signed, stored checkpoints and witness co-signatures. Layer: ledger.
 * Specs: c2sp.org/signed-note, c2sp.org/tlog-checkpoint.
 */
#include "ledger_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

/* ------------------------------------------------------------ UTF-8 */

/* Decode one UTF-8 code point (strict: no overlongs, surrogates or values
 * above U+10FFFF). Returns its length, or 0 if invalid. */
static size_t utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    unsigned char c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* Go's unicode.IsSpace. */
static int is_unicode_space(uint32_t c)
{
    switch (c) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000: return 1;
    default: return c >= 0x2000 && c <= 0x200A;
    }
}

int pl_note_name_valid(const char *name, size_t len)
{
    if (len == 0 || len >= PL_KEY_NAME_MAX)
        return 0;
    const unsigned char *p = (const unsigned char *)name;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t k = utf8_next(p + i, len - i, &c);
        if (k == 0 || c == '+' || c == 0 || is_unicode_space(c))
            return 0;
        i += k;
    }
    return 1;
}

/* Strict standard base64: decodes and re-encodes to the same text. */
static long b64_strict(uint8_t *out, size_t cap, const char *s, size_t len)
{
    if (len == 0 || len % 4 != 0)
        return -1;
    long n = pl_unb64(out, cap, s, len);
    if (n < 0)
        return -1;
    size_t elen = pl_b64_len((size_t)n);
    char *chk = pl_malloc(elen);
    pl_b64(chk, out, (size_t)n);
    int ok = strlen(chk) == len && memcmp(chk, s, len) == 0;
    free(chk);
    return ok ? n : -1;
}

/* ------------------------------------------------------------- keys */

/* SHA-256(name || "\n" || alg || pk)[:4]: the signed-note key ID with the
 * signature type byte `alg` (0x01 Ed25519 note signature, 0x04 Ed25519
 * cosignature/v1, c2sp.org/tlog-cosignature). */
static uint32_t key_id_alg(const char *name, uint8_t alg, const uint8_t pk[PL_PUBKEY_BYTES])
{
    crypto_hash_sha256_state st;
    uint8_t h[32];
    const uint8_t sep[2] = {'\n', alg};
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
    crypto_hash_sha256_update(&st, sep, 2);
    crypto_hash_sha256_update(&st, pk, PL_PUBKEY_BYTES);
    crypto_hash_sha256_final(&st, h);
    return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

uint32_t pl_note_key_id(const char *name, const uint8_t pk[PL_PUBKEY_BYTES])
{
    return key_id_alg(name, PL_ALG_ED25519, pk);
}

uint32_t pl_cosig_key_id(const char *name, const uint8_t pk[PL_PUBKEY_BYTES])
{
    return key_id_alg(name, PL_ALG_COSIG_V1, pk);
}

static int set_name(char dst[PL_KEY_NAME_MAX], const char *name, pl_err *e)
{
    size_t n = strlen(name);
    if (!pl_note_name_valid(name, n))
        return pl_err_set(e, PL_EINVAL,
                          "key name '%s' is invalid (non-empty, no spaces, no '+', < %d bytes)",
                          name, PL_KEY_NAME_MAX);
    memcpy(dst, name, n + 1);
    return 0;
}

int pl_signer_from_seed(pl_signer *out, const char *name, const uint8_t seed[32], pl_err *e)
{
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return pl_err_set(e, PL_EINTERNAL, "libsodium failed to initialise");
    int rc = set_name(out->name, name, e);
    if (rc)
        return rc;
    crypto_sign_seed_keypair(out->pk, out->sk, seed);
    out->key_id = pl_note_key_id(out->name, out->pk);
    return 0;
}

int pl_signer_generate(pl_signer *out, const char *name, pl_err *e)
{
    uint8_t seed[32];
    if (sodium_init() < 0)
        return pl_err_set(e, PL_EINTERNAL, "libsodium failed to initialise");
    randombytes_buf(seed, sizeof seed);
    int rc = pl_signer_from_seed(out, name, seed, e);
    sodium_memzero(seed, sizeof seed);
    return rc;
}

void pl_signer_wipe(pl_signer *s)
{
    sodium_memzero(s, sizeof *s);
}

void pl_signer_verifier(pl_verifier *out, const pl_signer *s)
{
    memset(out, 0, sizeof *out);
    memcpy(out->name, s->name, sizeof out->name);
    out->key_id = s->key_id;
    memcpy(out->pk, s->pk, PL_PUBKEY_BYTES);
    out->alg = PL_ALG_ED25519;
}

void pl_cosig_verifier(pl_verifier *out, const pl_signer *s)
{
    pl_signer_verifier(out, s);
    out->alg = PL_ALG_COSIG_V1;
    out->key_id = pl_cosig_key_id(s->name, s->pk);
}

static void add_key(pl_buf *out, const char *name, uint32_t id, uint8_t alg, const uint8_t key[32])
{
    uint8_t raw[33];
    char b64[64];
    raw[0] = alg;
    memcpy(raw + 1, key, 32);
    pl_b64(b64, raw, sizeof raw);
    pl_buf_addf(out, "%s+%08x+%s", name, id, b64);
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(b64, sizeof b64);
}

void pl_signer_format(pl_buf *out, const pl_signer *s)
{
    pl_buf_adds(out, "PRIVATE+KEY+");
    add_key(out, s->name, s->key_id, PL_ALG_ED25519, s->sk); /* sk starts with the seed */
}

void pl_verifier_format(pl_buf *out, const pl_verifier *v)
{
    add_key(out, v->name, v->key_id, v->alg == PL_ALG_COSIG_V1 ? PL_ALG_COSIG_V1 : PL_ALG_ED25519,
            v->pk);
}

/* Split "name+hex8+base64(alg||key32)"; fills name, id and key. `alg`
 * in: 0 to accept only 0x01, else accept 0x01 or 0x04; out: the type byte. */
static int parse_key(const char *k, char name[PL_KEY_NAME_MAX], uint32_t *id, uint8_t key[32],
                     uint8_t *alg, const char *what, pl_err *e)
{
    const char *p1 = strchr(k, '+');
    const char *p2 = p1 ? strchr(p1 + 1, '+') : NULL;
    if (!p1 || !p2 || p2 - p1 - 1 != 8 || !pl_note_name_valid(k, (size_t)(p1 - k)))
        return pl_err_set(e, PL_EINVAL, "malformed %s key", what);
    memcpy(name, k, (size_t)(p1 - k));
    name[p1 - k] = 0;
    char hex[9];
    memcpy(hex, p1 + 1, 8);
    hex[8] = 0;
    uint8_t idb[4];
    if (pl_unhex(idb, 4, hex) != 0)
        return pl_err_set(e, PL_EINVAL, "malformed %s key: bad key ID", what);
    *id = (uint32_t)idb[0] << 24 | (uint32_t)idb[1] << 16 | (uint32_t)idb[2] << 8 | idb[3];
    uint8_t raw[64];
    long n = b64_strict(raw, sizeof raw, p2 + 1, strlen(p2 + 1));
    if (n != 33)
        return pl_err_set(e, PL_EINVAL, "malformed %s key: key is not base64(0x01 || 32 bytes)",
                          what);
    if (raw[0] != PL_ALG_ED25519 && !(*alg && raw[0] == PL_ALG_COSIG_V1))
        return pl_err_set(e, PL_EINVAL, "%s key: unknown algorithm %u (only Ed25519, 1%s)", what,
                          raw[0], *alg ? ", or cosignature/v1, 4" : "");
    *alg = raw[0];
    memcpy(key, raw + 1, 32);
    sodium_memzero(raw, sizeof raw);
    return 0;
}

static int verifier_parse(pl_verifier *out, const char *vkey, uint8_t any, pl_err *e)
{
    memset(out, 0, sizeof *out);
    out->alg = any;
    int rc = parse_key(vkey, out->name, &out->key_id, out->pk, &out->alg, "verifier", e);
    if (rc)
        return rc;
    if (key_id_alg(out->name, out->alg, out->pk) != out->key_id)
        return pl_err_set(e, PL_EINVAL, "verifier key %s: key ID does not match the key",
                          out->name);
    return 0;
}

int pl_verifier_parse(pl_verifier *out, const char *vkey, pl_err *e)
{
    return verifier_parse(out, vkey, 0, e);
}

int pl_verifier_parse_witness(pl_verifier *out, const char *vkey, pl_err *e)
{
    return verifier_parse(out, vkey, 1, e);
}

int pl_signer_parse(pl_signer *out, const char *skey, pl_err *e)
{
    memset(out, 0, sizeof *out);
    if (strncmp(skey, "PRIVATE+KEY+", 12) != 0)
        return pl_err_set(e, PL_EINVAL, "malformed private key (no PRIVATE+KEY+ prefix)");
    char name[PL_KEY_NAME_MAX];
    uint32_t id = 0;
    uint8_t seed[32];
    uint8_t alg = 0;
    int rc = parse_key(skey + 12, name, &id, seed, &alg, "private", e);
    if (rc == 0)
        rc = pl_signer_from_seed(out, name, seed, e);
    sodium_memzero(seed, sizeof seed);
    if (rc == 0 && out->key_id != id) {
        pl_signer_wipe(out);
        rc = pl_err_set(e, PL_EINVAL, "private key %s: key ID does not match the key", name);
    }
    return rc;
}

int pl_key_write_file(const pl_signer *s, const char *path, pl_err *e)
{
    pl_buf b;
    pl_buf_init(&b);
    pl_signer_format(&b, s);
    pl_buf_addc(&b, '\n');
    int rc = pl_secret_file_create(path, "key file", b.data, b.len, e);
    sodium_memzero(b.data, b.len);
    pl_buf_release(&b);
    return rc;
}

int pl_key_read_file(pl_signer *out, const char *path, pl_err *e)
{
    memset(out, 0, sizeof *out);
    char buf[1024];
    int rc = pl_secret_file_read(path, "key file", 0, buf, sizeof buf, e);
    if (rc == 0) {
        rc = pl_signer_parse(out, buf, e);
        if (rc)
            pl_ledger__wrap(e, rc, "%s", path);
    }
    sodium_memzero(buf, sizeof buf);
    return rc;
}

/* ------------------------------------------------------------ notes */

void pl_note_release(pl_note *n)
{
    if (!n)
        return;
    free(n->text);
    free(n->sigs);
    memset(n, 0, sizeof *n);
}

static int malformed(pl_err *e, const char *why)
{
    return pl_err_set(e, PL_EINVAL, "malformed note: %s", why);
}

int pl_note_parse(pl_note *out, const char *msg, size_t len, pl_err *e)
{
    memset(out, 0, sizeof *out);
    if (len > PL_NOTE_MAX)
        return malformed(e, "too large");
    const unsigned char *p = (const unsigned char *)msg;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t k = utf8_next(p + i, len - i, &c);
        if (k == 0)
            return malformed(e, "invalid UTF-8");
        if (c < 0x20 && c != '\n')
            return malformed(e, "control character");
        i += k;
    }
    /* The text ends at the last blank line. */
    size_t split = 0;
    int found = 0;
    for (size_t i = len; i >= 2; i--)
        if (msg[i - 2] == '\n' && msg[i - 1] == '\n') {
            split = i - 2;
            found = 1;
            break;
        }
    if (!found)
        return malformed(e, "no blank line before the signatures");
    const char *sigs = msg + split + 2;
    size_t slen = len - split - 2;
    if (slen == 0 || sigs[slen - 1] != '\n')
        return malformed(e, "no signature lines, or no final newline");
    size_t cap = 0;
    for (size_t i = 0; i < slen; i++)
        cap += sigs[i] == '\n';
    if (cap > PL_NOTE_MAX_SIGS)
        return malformed(e, "too many signatures");
    out->sigs = pl_calloc(cap, sizeof *out->sigs);
    static const char prefix[] = "\xe2\x80\x94 "; /* em dash, space */
    for (size_t i = 0; i < slen;) {
        const char *line = sigs + i;
        const char *nl = memchr(line, '\n', slen - i);
        size_t ll = (size_t)(nl - line);
        i += ll + 1;
        if (ll < 4 || memcmp(line, prefix, 4) != 0) {
            pl_note_release(out);
            return malformed(e, "signature line does not start with an em dash and a space");
        }
        line += 4;
        ll -= 4;
        const char *sp = memchr(line, ' ', ll);
        if (!sp || !pl_note_name_valid(line, (size_t)(sp - line))) {
            pl_note_release(out);
            return malformed(e, "bad key name in signature line");
        }
        pl_note_sig *sg = &out->sigs[out->nsigs];
        size_t nlen = (size_t)(sp - line);
        memcpy(sg->name, line, nlen);
        sg->name[nlen] = 0;
        const char *b = sp + 1;
        size_t blen = ll - nlen - 1;
        uint8_t raw[4 + sizeof sg->sig];
        long n = b64_strict(raw, sizeof raw, b, blen);
        if (n < 5) {
            pl_note_release(out);
            return malformed(e, "bad signature encoding");
        }
        sg->key_id =
            (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
        sg->sig_len = (size_t)n - 4;
        memcpy(sg->sig, raw + 4, sg->sig_len);
        out->nsigs++;
    }
    out->text = pl_strndup(msg, split + 1);
    out->text_len = split + 1;
    return 0;
}

void pl_cosig_message(pl_buf *out, uint64_t ts, const char *text, size_t len)
{
    pl_buf_addf(out, "cosignature/v1\ntime %llu\n", (unsigned long long)ts);
    pl_buf_add(out, text, len);
}

/* c2sp.org/tlog-cosignature: signature = u64 big-endian timestamp ||
 * Ed25519 signature over "cosignature/v1\ntime <ts>\n" || note text. */
static int cosig_valid(const pl_note_sig *s, const char *text, size_t len, const uint8_t pk[32])
{
    if (s->sig_len != 8 + PL_SIG_BYTES)
        return 0;
    uint64_t ts = 0;
    for (int i = 0; i < 8; i++)
        ts = ts << 8 | s->sig[i];
    if (ts > (uint64_t)INT64_MAX)
        return 0;
    pl_buf m;
    pl_buf_init(&m);
    pl_cosig_message(&m, ts, text, len);
    int ok = crypto_sign_verify_detached(s->sig + 8, (const uint8_t *)m.data, m.len, pk) == 0;
    pl_buf_release(&m);
    return ok;
}

int pl_note_verify(const pl_note *n, const pl_verifier *v, pl_err *e)
{
    int found = 0;
    for (size_t i = 0; i < n->nsigs; i++) {
        const pl_note_sig *s = &n->sigs[i];
        if (s->key_id != v->key_id || strcmp(s->name, v->name) != 0)
            continue;
        found = 1;
        int ok = v->alg == PL_ALG_COSIG_V1
                     ? cosig_valid(s, n->text, n->text_len, v->pk)
                     : s->sig_len == PL_SIG_BYTES &&
                           crypto_sign_verify_detached(s->sig, (const uint8_t *)n->text,
                                                       n->text_len, v->pk) == 0;
        if (!ok)
            return pl_err_set(e, PL_ECRYPTO, "invalid signature for key %s+%08x", v->name,
                              v->key_id);
    }
    if (!found)
        return pl_err_set(e, PL_ENOTFOUND, "no signature by key %s+%08x", v->name, v->key_id);
    return 0;
}

static void add_sig_line(pl_buf *out, const char *name, uint32_t id, const uint8_t *sig, size_t len)
{
    uint8_t *raw = pl_malloc(4 + len);
    raw[0] = (uint8_t)(id >> 24);
    raw[1] = (uint8_t)(id >> 16);
    raw[2] = (uint8_t)(id >> 8);
    raw[3] = (uint8_t)id;
    memcpy(raw + 4, sig, len);
    char *b64 = pl_malloc(pl_b64_len(4 + len));
    pl_b64(b64, raw, 4 + len);
    pl_buf_addf(out, "\xe2\x80\x94 %s %s\n", name, b64);
    free(raw);
    free(b64);
}

void pl_cosig_sign_line(pl_buf *out, const pl_signer *s, const char *text, size_t len, uint64_t ts)
{
    pl_buf m;
    pl_buf_init(&m);
    pl_cosig_message(&m, ts, text, len);
    uint8_t sig[8 + PL_SIG_BYTES];
    for (int i = 0; i < 8; i++)
        sig[i] = (uint8_t)(ts >> (56 - 8 * i));
    crypto_sign_detached(sig + 8, NULL, (const uint8_t *)m.data, m.len, s->sk);
    pl_buf_release(&m);
    add_sig_line(out, s->name, pl_cosig_key_id(s->name, s->pk), sig, sizeof sig);
}

int pl_note_sign(pl_buf *out, const pl_note *n, const pl_signer *s, pl_err *e)
{
    if (n->text_len == 0 || n->text[n->text_len - 1] != '\n')
        return malformed(e, "text does not end with a newline");
    uint8_t sig[PL_SIG_BYTES];
    crypto_sign_detached(sig, NULL, (const uint8_t *)n->text, n->text_len, s->sk);
    pl_buf_add(out, n->text, n->text_len);
    pl_buf_addc(out, '\n');
    for (size_t i = 0; i < n->nsigs; i++) {
        const pl_note_sig *g = &n->sigs[i];
        if (g->key_id == s->key_id && strcmp(g->name, s->name) == 0)
            continue;
        add_sig_line(out, g->name, g->key_id, g->sig, g->sig_len);
    }
    add_sig_line(out, s->name, s->key_id, sig, sizeof sig);
    return 0;
}

/* ------------------------------------------------------- checkpoints */

void pl_checkpoint_format(pl_buf *out, const pl_checkpoint *cp)
{
    char b64[64];
    pl_b64(b64, cp->root, PL_HASH_BYTES);
    pl_buf_addf(out, "%s\n%lld\n%s\n", cp->origin, (long long)cp->size, b64);
}

int pl_checkpoint_parse(pl_checkpoint *out, const char *text, size_t len, pl_err *e)
{
    memset(out, 0, sizeof *out);
    if (len == 0 || text[len - 1] != '\n')
        return pl_err_set(e, PL_EINVAL, "malformed checkpoint: text does not end in newline");
    const char *line[3];
    size_t ll[3];
    size_t i = 0;
    int nl = 0;
    while (i < len) {
        const char *nlp = memchr(text + i, '\n', len - i);
        size_t l = (size_t)(nlp - (text + i));
        if (l == 0)
            return pl_err_set(e, PL_EINVAL, "malformed checkpoint: empty line %d", nl + 1);
        if (nl < 3) {
            line[nl] = text + i;
            ll[nl] = l;
        }
        nl++;
        i += l + 1;
    }
    if (nl < 3)
        return pl_err_set(e, PL_EINVAL, "malformed checkpoint: fewer than 3 lines");
    if (ll[0] >= sizeof out->origin)
        return pl_err_set(e, PL_EINVAL, "malformed checkpoint: origin too long");
    memcpy(out->origin, line[0], ll[0]);
    out->origin[ll[0]] = 0;
    if (memchr(out->origin, 0, ll[0]))
        return pl_err_set(e, PL_EINVAL, "malformed checkpoint: NUL in origin");
    char num[24];
    if (ll[1] > 19 || (ll[1] > 1 && line[1][0] == '0'))
        return pl_err_set(e, PL_EINVAL, "malformed checkpoint: bad tree size");
    memcpy(num, line[1], ll[1]);
    num[ll[1]] = 0;
    for (size_t k = 0; k < ll[1]; k++)
        if (num[k] < '0' || num[k] > '9')
            return pl_err_set(e, PL_EINVAL, "malformed checkpoint: bad tree size");
    if (pl_parse_i64(num, 0, INT64_MAX, &out->size) != 0)
        return pl_err_set(e, PL_EINVAL, "malformed checkpoint: bad tree size");
    uint8_t raw[48];
    if (b64_strict(raw, sizeof raw, line[2], ll[2]) != PL_HASH_BYTES)
        return pl_err_set(e, PL_EINVAL,
                          "malformed checkpoint: root hash is not base64 of 32 bytes");
    memcpy(out->root, raw, PL_HASH_BYTES);
    return 0;
}

/* ------------------------------------------------- identity in the store */

static int meta_get(pl_store *s, const char *key, pl_buf *out, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s, "SELECT value FROM plumb_meta WHERE key=?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, key);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        pl_buf_adds(out, pl_stmt_text(st, 0));
        rc = 0;
    } else if (rc == PL_DONE) {
        rc = PL_ENOTFOUND;
    }
    pl_stmt_finalize(st);
    return rc;
}

int pl_ledger_identity(pl_ledger *l, pl_verifier *out, pl_err *e)
{
    pl_buf b;
    pl_buf_init(&b);
    int rc = meta_get(l->s, "ledger_verifier_key", &b, e);
    if (rc == PL_ENOTFOUND)
        rc = pl_err_set(e, PL_ENOTFOUND, "%s: the store has no ledger key; run `plumb init`",
                        pl_store_name(l->s));
    else if (rc == 0) {
        rc = pl_verifier_parse(out, b.data, e);
        if (rc)
            pl_ledger__wrap(e, PL_ECORRUPT, "plumb_meta ledger_verifier_key");
    }
    pl_buf_release(&b);
    return rc;
}

static int exec_bind(pl_store *s, const char *sql, const char *a, const char *b, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s, sql, &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, a);
    if (b)
        pl_stmt_bind_text(st, 2, b);
    rc = pl_stmt_step(st, e);
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc;
}

int pl_ledger_set_identity(pl_ledger *l, const pl_verifier *v, pl_err *e)
{
    pl_buf b;
    pl_buf_init(&b);
    int rc = meta_get(l->s, "ledger_verifier_key", &b, e);
    if (rc == 0) {
        rc = pl_err_set(e, PL_EEXIST, "%s: already initialised (ledger key %s)",
                        pl_store_name(l->s), b.data);
        pl_buf_release(&b);
        return rc;
    }
    if (rc != PL_ENOTFOUND) {
        pl_buf_release(&b);
        return rc;
    }
    pl_buf_reset(&b);
    pl_verifier_format(&b, v);
    rc = pl_store_begin(l->s, e);
    if (rc == 0)
        rc = exec_bind(l->s, "INSERT INTO plumb_meta(key,value) VALUES('ledger_origin',?)", v->name,
                       NULL, e);
    if (rc == 0)
        rc = exec_bind(l->s, "INSERT INTO plumb_meta(key,value) VALUES('ledger_verifier_key',?)",
                       b.data, NULL, e);
    if (rc == 0)
        rc = pl_store_commit(l->s, e);
    else
        pl_store_rollback(l->s);
    pl_buf_release(&b);
    return rc;
}

/* --------------------------------------------- stored checkpoints, cosign */

int pl_ledger_latest_checkpoint(pl_ledger *l, pl_buf *out, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(l->s, "SELECT note FROM ledger_checkpoints ORDER BY id DESC LIMIT 1",
                              &st, e);
    if (rc)
        return rc;
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        size_t n = 0;
        const char *t = pl_stmt_textn(st, 0, &n);
        pl_buf_add(out, t, n);
        rc = 0;
    } else if (rc == PL_DONE) {
        rc = pl_err_set(e, PL_ENOTFOUND, "no checkpoint yet; run `plumb checkpoint`");
    }
    pl_stmt_finalize(st);
    return rc;
}

/* The last stored checkpoint must still match the tree: a log never signs
 * a checkpoint inconsistent with one it signed before. */
static int check_last_checkpoint(pl_ledger *l, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(
        l->s, "SELECT id, size, root_hash FROM ledger_checkpoints ORDER BY id DESC LIMIT 1", &st,
        e);
    if (rc)
        return rc;
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        int64_t id = pl_stmt_i64(st, 0), size = pl_stmt_i64(st, 1);
        size_t n = 0;
        const void *r = pl_stmt_blob(st, 2, &n);
        uint8_t want[PL_HASH_BYTES], have[PL_HASH_BYTES];
        int ok = r && n == PL_HASH_BYTES;
        if (ok)
            memcpy(want, r, PL_HASH_BYTES);
        rc = ok ? pl_ledger_root(l, size, have, e) : 0;
        if (rc == 0 && (!ok || memcmp(want, have, PL_HASH_BYTES) != 0))
            rc = pl_err_set(e, PL_ECORRUPT,
                            "checkpoint #%lld (size %lld) does not match the log; refusing to "
                            "sign; run `plumb verify`",
                            (long long)id, (long long)size);
    } else if (rc == PL_DONE) {
        rc = 0;
    }
    pl_stmt_finalize(st);
    return rc;
}

static int store_checkpoint(pl_ledger *l, const pl_checkpoint *cp, const char *note,
                            int64_t *id_out, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(
        l->s, "INSERT INTO ledger_checkpoints(size, root_hash, note, created_at) VALUES(?,?,?,?)",
        &st, e);
    if (rc)
        return rc;
    char ts[21];
    pl_time_format_clock(ts, pl_time_now());
    pl_stmt_bind_i64(st, 1, cp->size);
    pl_stmt_bind_blob(st, 2, cp->root, PL_HASH_BYTES);
    pl_stmt_bind_text(st, 3, note);
    pl_stmt_bind_text(st, 4, ts);
    rc = pl_stmt_step(st, e);
    pl_stmt_finalize(st);
    if (rc != PL_DONE)
        return rc;
    if (id_out)
        return pl_store_query_i64(l->s, id_out, e, "SELECT max(id) FROM ledger_checkpoints", NULL);
    return 0;
}

/* DESIGN.md §4: each signed checkpoint is itself recorded in the log, as
 * the event right after the tree it signs (seq == size), so a store that
 * lost its checkpoint rows, or its tail up to a later checkpoint, still
 * holds the evidence (verify.c). The payload also carries a check value of
 * the subject key, so a replaced key is caught too. */
static int record_checkpoint(pl_ledger *l, const pl_checkpoint *cp, const char *note, pl_err *e)
{
    char root[2 * PL_HASH_BYTES + 1], check[33];
    pl_hex(root, cp->root, PL_HASH_BYTES);
    json_t *payload =
        json_pack("{s:I,s:s,s:s}", "size", (json_int_t)cp->size, "root_hash", root, "note", note);
    if (!payload)
        return pl_err_set(e, PL_EINTERNAL, "checkpoint: cannot build its ledger event");
    int rc = pl_ledger__subject_key_check(l, 1, check, e);
    if (rc == 0)
        json_object_set_new(payload, "subject_key_check", json_string(check));
    json_t *subjects = json_array();
    pl_event ev = {.type = PL_LEDGER_CHECKPOINT_TYPE,
                   .actor = "ledger",
                   .subjects = subjects,
                   .payload = payload};
    int64_t seq = -1;
    if (rc == 0)
        rc = pl_ledger_append(l, &ev, &seq, e);
    if (rc == 0 && seq != cp->size)
        rc = pl_err_set(e, PL_EINTERNAL, "checkpoint of size %lld recorded as event %lld",
                        (long long)cp->size, (long long)seq);
    json_decref(payload);
    json_decref(subjects);
    return rc;
}

int pl_ledger_checkpoint_current(pl_ledger *l, int64_t size)
{
    int64_t n = pl_ledger_size(l);
    if (n == size)
        return 1;
    if (n != size + 1)
        return 0;
    pl_event_rec r;
    if (pl_ledger_get(l, size, &r, NULL) != 0)
        return 0;
    int own = strcmp(r.type, PL_LEDGER_CHECKPOINT_TYPE) == 0;
    pl_event_rec_release(&r);
    return own;
}

int pl_ledger_checkpoint(pl_ledger *l, const pl_signer *s, pl_buf *note_out, int64_t *id_out,
                         pl_err *e)
{
    pl_verifier me;
    int rc = pl_ledger_identity(l, &me, e);
    if (rc)
        return rc;
    if (me.key_id != s->key_id || strcmp(me.name, s->name) != 0 ||
        memcmp(me.pk, s->pk, PL_PUBKEY_BYTES) != 0)
        return pl_err_set(e, PL_ECRYPTO, "key %s+%08x is not this log's key %s+%08x", s->name,
                          s->key_id, me.name, me.key_id);
    rc = pl_store_begin(l->s, e);
    if (rc)
        return rc;
    pl_checkpoint cp;
    memset(&cp, 0, sizeof cp);
    snprintf(cp.origin, sizeof cp.origin, "%s", me.name);
    pl_buf body, note;
    pl_buf_init(&body);
    pl_buf_init(&note);
    rc = pl_ledger__ensure(l, e);
    if (rc == 0)
        rc = check_last_checkpoint(l, e);
    if (rc == 0) {
        cp.size = l->size;
        rc = pl_ledger_root(l, cp.size, cp.root, e);
    }
    if (rc == 0) {
        pl_checkpoint_format(&body, &cp);
        pl_note n = {.text = body.data, .text_len = body.len};
        rc = pl_note_sign(&note, &n, s, e);
    }
    if (rc == 0)
        rc = store_checkpoint(l, &cp, note.data, id_out, e);
    if (rc == 0)
        rc = record_checkpoint(l, &cp, note.data, e);
    if (rc == 0)
        rc = pl_store_commit(l->s, e);
    else
        pl_store_rollback(l->s);
    if (rc == 0)
        pl_buf_add(note_out, note.data, note.len);
    pl_buf_release(&body);
    pl_buf_release(&note);
    return rc;
}

int pl_ledger_cosign(pl_ledger *l, const char *text, size_t len, const pl_verifier *log_key,
                     const pl_signer *witness, pl_buf *out, pl_err *e)
{
    pl_note n;
    pl_checkpoint cp;
    int rc = pl_note_parse(&n, text, len, e);
    if (rc)
        return rc;
    pl_buf signed_note;
    pl_buf_init(&signed_note);
    rc = pl_note_verify(&n, log_key, e);
    if (rc == PL_ENOTFOUND)
        rc = pl_err_set(e, PL_ECRYPTO, "checkpoint is not signed by the log key %s+%08x",
                        log_key->name, log_key->key_id);
    if (rc == 0)
        rc = pl_checkpoint_parse(&cp, n.text, n.text_len, e);
    if (rc == 0 && strcmp(cp.origin, log_key->name) != 0)
        rc = pl_err_set(e, PL_EINVAL, "checkpoint origin '%s' is not the log key name '%s'",
                        cp.origin, log_key->name);
    if (rc == 0 && l) {
        uint8_t root[PL_HASH_BYTES];
        rc = pl_ledger_root(l, cp.size, root, e);
        if (rc == 0 && memcmp(root, cp.root, PL_HASH_BYTES) != 0)
            rc = pl_err_set(e, PL_ECORRUPT,
                            "checkpoint (size %lld) does not match this log; not cosigning",
                            (long long)cp.size);
    }
    if (rc == 0)
        rc = pl_note_sign(&signed_note, &n, witness, e);
    if (rc == 0 && l) {
        /* Replace the stored note (same body) or keep a new row. */
        pl_stmt *st = NULL;
        rc = pl_store_begin(l->s, e);
        if (rc == 0)
            rc =
                pl_store_prepare(l->s, "UPDATE ledger_checkpoints SET note=? WHERE note=?", &st, e);
        if (rc == 0) {
            pl_stmt_bind_text(st, 1, signed_note.data);
            pl_stmt_bind_textn(st, 2, text, len);
            rc = pl_stmt_step(st, e);
            rc = rc == PL_DONE ? 0 : rc;
            pl_stmt_finalize(st);
        }
        /* A new row only for a note not stored yet (the same witness
         * co-signing the same checkpoint twice changes nothing): verify
         * refuses two rows with one note. */
        int64_t same = 0;
        if (rc == 0 && pl_store_changes(l->s) == 0)
            rc = pl_store_query_i64(l->s, &same, e,
                                    "SELECT count(*) FROM ledger_checkpoints WHERE note = ?",
                                    signed_note.data, NULL);
        if (rc == 0 && pl_store_changes(l->s) == 0 && same == 0)
            rc = store_checkpoint(l, &cp, signed_note.data, NULL, e);
        if (rc == 0)
            rc = pl_store_commit(l->s, e);
        else
            pl_store_rollback(l->s);
    }
    if (rc == 0)
        pl_buf_add(out, signed_note.data, signed_note.len);
    pl_buf_release(&signed_note);
    pl_note_release(&n);
    return rc;
}
