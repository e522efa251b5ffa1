/*
 * cjson.c — canonical JSON encoding (sorted keys, no whitespace, NFC strings,
 * integers only) and ICU NFC normalisation. Layer: util.
 * The ledger hashes these bytes, so the encoding must never change.
 */
#include "util.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#define PL_ONES 0x0101010101010101ull
#define PL_HIGHS 0x8080808080808080ull

static inline uint64_t load64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* 1 if every byte of s is below 0x80 (eight at a time): pure ASCII is its
 * own NFC, and valid UTF-8. */
static int is_ascii(const char *s, size_t len)
{
    size_t i = 0;
    while (i + 8 <= len && !(load64(s + i) & PL_HIGHS))
        i += 8;
    while (i < len && (unsigned char)s[i] < 0x80)
        i++;
    return i == len;
}

int pl_utf8_nfc(pl_buf *out, const char *s, size_t len, pl_err *e)
{
    /* Fast path: pure ASCII is already NFC. */
    if (is_ascii(s, len)) {
        pl_buf_add(out, s, len);
        return 0;
    }
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&st);
    if (U_FAILURE(st))
        return pl_err_set(e, PL_EINTERNAL, "ICU NFC unavailable: %s", u_errorName(st));
    int32_t ulen = 0;
    u_strFromUTF8(NULL, 0, &ulen, s, (int32_t)len, &st);
    if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
        return pl_err_set(e, PL_EINVAL, "invalid UTF-8");
    st = U_ZERO_ERROR;
    UChar *u = pl_malloc(((size_t)ulen + 1) * sizeof(UChar));
    u_strFromUTF8(u, ulen + 1, NULL, s, (int32_t)len, &st);
    if (U_FAILURE(st)) {
        free(u);
        return pl_err_set(e, PL_EINVAL, "invalid UTF-8");
    }
    int rc = 0;
    UChar *n = NULL;
    if (unorm2_isNormalized(nfc, u, ulen, &st) && U_SUCCESS(st)) {
        pl_buf_add(out, s, len);
        goto out;
    }
    st = U_ZERO_ERROR;
    int32_t ncap = ulen * 3 + 16;
    n = pl_malloc((size_t)ncap * sizeof(UChar));
    int32_t nlen = unorm2_normalize(nfc, u, ulen, n, ncap, &st);
    if (U_FAILURE(st)) {
        rc = pl_err_set(e, PL_EINVAL, "cannot normalise: %s", u_errorName(st));
        goto out;
    }
    int32_t blen = 0;
    st = U_ZERO_ERROR;
    u_strToUTF8(NULL, 0, &blen, n, nlen, &st);
    st = U_ZERO_ERROR;
    pl_buf_grow(out, (size_t)blen);
    u_strToUTF8(out->data + out->len, blen + 1, NULL, n, nlen, &st);
    if (U_FAILURE(st)) {
        rc = pl_err_set(e, PL_EINVAL, "cannot encode: %s", u_errorName(st));
        goto out;
    }
    out->len += (size_t)blen;
    out->data[out->len] = 0;
out:
    free(u);
    free(n);
    return rc;
}

/* Eight bytes at a time (SWAR): the word at p, and whether one of its
 * bytes is below 0x20, '"' or '\\' (exact: (v - 0x01..) & ~v & 0x80..
 * is non-zero iff a byte of v is zero, and likewise for "below n"; the
 * XORs keep each byte's high bit, so one ~x serves the three). */
static inline uint64_t special8(uint64_t x)
{
    uint64_t q = x ^ (PL_ONES * '"'), b = x ^ (PL_ONES * '\\');
    return ((x - PL_ONES * 0x20) | (q - PL_ONES) | (b - PL_ONES)) & ~x & PL_HIGHS;
}

/* The first byte at or after i that JSON escapes; len if none. */
static size_t next_special(const char *s, size_t i, size_t len)
{
    for (; i + 8 <= len; i += 8) {
        uint64_t m = special8(load64(s + i));
        if (!m)
            continue;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* The lowest flagged byte is exact (a borrow only reaches the
         * bytes above a true one): the first special of this word. */
        return i + (size_t)__builtin_ctzll(m) / 8;
#else
        break;
#endif
    }
    for (; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\')
            break;
    }
    return i;
}

/* A string escaped into `out`, written in place: each run of plain bytes
 * (found eight at a time) with one memcpy, room for an escape made as it
 * comes. A pl_buf_add per escape and a byte-at-a-time scan were a tenth
 * of a bundle import's CPU, whose levels.received payloads hold the
 * origin's header, a JSON text full of quotes (docs/BENCHMARKS.md "The
 * import after wt-levels4"). The output is the same byte for byte. */
static void add_string(pl_buf *out, const char *s, size_t len)
{
    static const char hexd[] = "0123456789abcdef";
    /* Room for a quote or backslash escaped at every byte of a short
     * string (the origin's header in a levels.received payload is full of
     * them), so that an escape rarely has to grow the buffer. */
    pl_buf_grow(out, (len <= 65536 ? 2 * len : len) + 2);
    char *w = out->data + out->len;
    *w++ = '"';
    for (size_t i = 0;;) {
        size_t j = next_special(s, i, len);
        memcpy(w, s + i, j - i);
        w += j - i;
        if (j == len)
            break;
        /* Room for this escape (at most 6), the rest and the quote. */
        size_t at = (size_t)(w - out->data);
        if (out->cap - at < 6 + (len - j - 1) + 2) {
            out->len = at;
            pl_buf_grow(out, 6 + (len - j - 1) + 1);
            w = out->data + at;
        }
        unsigned char c = (unsigned char)s[j];
        w = pl_json_escape_byte(w, c, hexd);
        i = j + 1;
    }
    *w++ = '"';
    out->len = (size_t)(w - out->data);
    out->data[out->len] = 0;
}

/* Set when a string of the value being encoded was not NFC (its encoding
 * differs from the text): pl_json_canonical_changed reads it. Per thread:
 * encode is reentrant only through itself. */
static _Thread_local int nfc_changed;

static int nfc_string(pl_buf *out, const char *s, size_t len, const char *path, pl_err *e)
{
    if (is_ascii(s, len)) { /* its own NFC: escaped straight, no copy */
        add_string(out, s, len);
        return 0;
    }
    pl_buf tmp;
    pl_buf_init(&tmp);
    pl_err inner;
    pl_err_init(&inner);
    int rc = pl_utf8_nfc(&tmp, s, len, &inner);
    if (rc == 0 && (tmp.len != len || (len && memcmp(tmp.data, s, len) != 0)))
        nfc_changed = 1;
    if (rc == 0)
        add_string(out, tmp.data, tmp.len);
    else
        pl_err_set(e, rc, "%s: %s", path, inner.msg[0] ? inner.msg : "invalid string");
    pl_buf_release(&tmp);
    return rc;
}

/* One string in canonical form, as pl_json_canonical writes a string
 * value (NFC, then escaped); pure ASCII is its own NFC. */
int pl_json_canonical_string(pl_buf *out, const char *s, size_t len, pl_err *e)
{
    return nfc_string(out, s, len, "string", e);
}

struct kv {
    const char *key;
    size_t klen;
    json_t *val;
};

static int cmp_kv(const void *a, const void *b)
{
    const struct kv *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    return (x->klen > y->klen) - (x->klen < y->klen);
}

static int encode(pl_buf *out, const json_t *v, pl_buf *path, int depth, pl_err *e)
{
    if (depth > 64)
        return pl_err_set(e, PL_EINVAL, "%s: nesting deeper than 64", path->len ? path->data : "$");
    switch (json_typeof(v)) {
    case JSON_NULL: pl_buf_adds(out, "null"); return 0;
    case JSON_TRUE: pl_buf_adds(out, "true"); return 0;
    case JSON_FALSE: pl_buf_adds(out, "false"); return 0;
    case JSON_INTEGER: pl_buf_add_i64(out, (int64_t)json_integer_value(v)); return 0;
    case JSON_REAL:
        return pl_err_set(e, PL_EINVAL, "%s: real numbers are not allowed (use integers)",
                          path->len ? path->data : "$");
    case JSON_STRING:
        return nfc_string(out, json_string_value(v), json_string_length(v),
                          path->len ? path->data : "$", e);
    case JSON_ARRAY: {
        pl_buf_addc(out, '[');
        size_t plen = path->len;
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                pl_buf_addc(out, ',');
            pl_buf_addc(path, '[');
            pl_buf_add_i64(path, (int64_t)i);
            pl_buf_addc(path, ']');
            int rc = encode(out, json_array_get(v, i), path, depth + 1, e);
            path->len = plen;
            path->data[plen] = 0;
            if (rc)
                return rc;
        }
        pl_buf_addc(out, ']');
        return 0;
    }
    case JSON_OBJECT: {
        size_t n = json_object_size(v), i = 0;
        struct kv *kvs = pl_calloc(n, sizeof *kvs);
        const char *k;
        size_t klen;
        json_t *val;
        void *tmp;
        int rc = 0;
        (void)tmp;
        json_object_keylen_foreach_safe((json_t *)v, tmp, k, klen, val)
        {
            kvs[i].key = k;
            kvs[i].klen = klen;
            kvs[i].val = val;
            i++;
        }
        /* Keys are compared after NFC so that two spellings of one key
         * cannot both appear; jansson keys are compared as raw bytes here,
         * and non-NFC keys are rejected to keep ordering unambiguous. */
        qsort(kvs, n, sizeof *kvs, cmp_kv);
        pl_buf_addc(out, '{');
        size_t plen = path->len;
        for (i = 0; i < n && rc == 0; i++) {
            if (i)
                pl_buf_addc(out, ',');
            if (!is_ascii(kvs[i].key, kvs[i].klen)) { /* an ASCII key is its own NFC */
                pl_buf nk;
                pl_buf_init(&nk);
                rc = pl_utf8_nfc(&nk, kvs[i].key, kvs[i].klen, e);
                if (rc == 0 && (nk.len != kvs[i].klen || memcmp(nk.data, kvs[i].key, nk.len)))
                    rc = pl_err_set(e, PL_EINVAL, "%s: object key is not NFC",
                                    path->len ? path->data : "$");
                else if (rc)
                    pl_err_set(e, rc, "%s: object key is not valid UTF-8",
                               path->len ? path->data : "$");
                pl_buf_release(&nk);
                if (rc)
                    break;
            }
            add_string(out, kvs[i].key, kvs[i].klen);
            pl_buf_addc(out, ':');
            pl_buf_addc(path, '.');
            pl_buf_add(path, kvs[i].key, kvs[i].klen);
            rc = encode(out, kvs[i].val, path, depth + 1, e);
            path->len = plen;
            path->data[plen] = 0;
        }
        free(kvs);
        if (rc)
            return rc;
        pl_buf_addc(out, '}');
        return 0;
    }
    }
    return pl_err_set(e, PL_EINVAL, "unknown JSON type");
}

int pl_json_canonical(pl_buf *out, const json_t *v, pl_err *e)
{
    pl_buf path;
    pl_buf_init(&path);
    pl_buf_adds(&path, "$");
    size_t start = out->len;
    int rc = encode(out, v, &path, 0, e);
    pl_buf_release(&path);
    if (rc) {
        out->len = start;
        if (out->cap)
            out->data[start] = 0;
    }
    return rc;
}

int pl_json_canonical_changed(pl_buf *out, const json_t *v, int *changed, pl_err *e)
{
    nfc_changed = 0;
    int rc = pl_json_canonical(out, v, e);
    *changed = nfc_changed;
    return rc;
}
