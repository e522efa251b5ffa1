/*
 * encoding.c — input encodings of imports: byte-order marks, UTF-8
 * validation (RFC 3629 §4 well-formed sequences) and GB18030-2005 decoding
 * through ICU converters (ucnv). Layer: ingest (above util).
 */
#include <string.h>
#include <strings.h>

#include <unicode/ucnv.h>

#include "ingest.h"
#include "ingest_int.h"

int pl_ingest_encoding_parse(const char *name, pl_encoding *out)
{
    if (strcasecmp(name, "auto") == 0)
        *out = PL_ENC_AUTO;
    else if (strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0)
        *out = PL_ENC_UTF8;
    else if (strcasecmp(name, "gb18030") == 0 || strcasecmp(name, "gbk") == 0 ||
             strcasecmp(name, "gb2312") == 0 || strcasecmp(name, "cp936") == 0)
        *out = PL_ENC_GB18030;
    else
        return PL_EINVAL;
    return 0;
}

const char *pl_ingest_encoding_name(pl_encoding enc)
{
    switch (enc) {
    case PL_ENC_UTF8: return "UTF-8";
    case PL_ENC_GB18030: return "GB18030";
    default: return "auto";
    }
}

/* RFC 3629 §4: the second byte's range depends on the lead byte; later
 * continuation bytes are always 80..BF. */
size_t pl_ingest_utf8_valid_prefix(const char *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    size_t i = 0;
    while (i < len) {
        /* ASCII fast path, eight bytes at a time. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            need = 1;
        else if (c == 0xE0)
            need = 2, lo = 0xA0;
        else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
            need = 2;
        else if (c == 0xED)
            need = 2, hi = 0x9F;
        else if (c == 0xF0)
            need = 3, lo = 0x90;
        else if (c >= 0xF1 && c <= 0xF3)
            need = 3;
        else if (c == 0xF4)
            need = 3, hi = 0x8F;
        else
            return i;
        if (i + need >= len)
            return i; /* truncated at the end */
        if (p[i + 1] < lo || p[i + 1] > hi)
            return i;
        for (size_t k = 2; k <= need; k++)
            if (p[i + k] < 0x80 || p[i + k] > 0xBF)
                return i;
        i += need + 1;
    }
    return len;
}

int64_t pl_ingest__count_lines(const char *data, size_t len)
{
    int64_t n = 0;
    const char *p = data, *end = data + len;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

size_t pl_ingest__bom(const char *data, size_t len, pl_encoding *enc, pl_err *e)
{
    const unsigned char *p = (const unsigned char *)data;
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        *enc = PL_ENC_UTF8;
        return 3;
    }
    if (len >= 4 && p[0] == 0x84 && p[1] == 0x31 && p[2] == 0x95 && p[3] == 0x33) {
        *enc = PL_ENC_GB18030;
        return 4;
    }
    if (len >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) {
        pl_err_set(e, PL_EINVAL, "line 1: UTF-16 is not supported (save the file as UTF-8)");
        return (size_t)-1;
    }
    return 0;
}

static UConverter *open_gb(int stop_on_error, pl_err *e)
{
    UErrorCode st = U_ZERO_ERROR;
    UConverter *c = ucnv_open("GB18030", &st);
    if (U_FAILURE(st)) {
        pl_err_set(e, PL_EINTERNAL, "ICU: cannot open the GB18030 converter: %s", u_errorName(st));
        return NULL;
    }
    if (stop_on_error) {
        ucnv_setToUCallBack(c, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &st);
        if (U_FAILURE(st)) {
            ucnv_close(c);
            pl_err_set(e, PL_EINTERNAL, "ICU: %s", u_errorName(st));
            return NULL;
        }
    }
    return c;
}

int pl_ingest__gb_check(const char *data, size_t len, size_t *bad_off, pl_err *e)
{
    UConverter *c = open_gb(1, e);
    if (!c)
        return PL_EINTERNAL;
    UChar scratch[4096];
    const char *src = data, *end = data + len;
    int rc = 0;
    for (;;) {
        UErrorCode st = U_ZERO_ERROR;
        UChar *t = scratch;
        ucnv_toUnicode(c, &t, scratch + 4096, &src, end, NULL, 1, &st);
        if (st == U_BUFFER_OVERFLOW_ERROR)
            continue;
        if (U_FAILURE(st)) {
            /* src is just past the offending bytes: report the first of them. */
            char bad[8];
            int8_t nbad = sizeof bad;
            UErrorCode st2 = U_ZERO_ERROR;
            ucnv_getInvalidChars(c, bad, &nbad, &st2);
            size_t off = (size_t)(src - data);
            if (U_SUCCESS(st2) && nbad > 0 && (size_t)nbad <= off)
                off -= (size_t)nbad;
            *bad_off = off;
            rc = PL_EINVAL;
        }
        break;
    }
    ucnv_close(c);
    return rc;
}

int pl_ingest_to_utf8(pl_buf *out, const char *in, size_t len, pl_encoding enc, pl_err *e)
{
    if (enc != PL_ENC_GB18030) {
        pl_buf_add(out, in, len);
        return 0;
    }
    UErrorCode st = U_ZERO_ERROR;
    UConverter *gb = open_gb(1, e);
    if (!gb)
        return PL_EINTERNAL;
    UConverter *u8 = ucnv_open("UTF-8", &st);
    if (U_FAILURE(st)) {
        ucnv_close(gb);
        return pl_err_set(e, PL_EINTERNAL, "ICU: cannot open the UTF-8 converter: %s",
                          u_errorName(st));
    }
    UChar pivot[2048];
    UChar *ps = pivot, *pt = pivot;
    const char *src = in, *end = in + len;
    int rc = 0;
    /* GB18030 needs at most 3 UTF-8 bytes per 2 input bytes (4 per 4). */
    pl_buf_grow(out, len + len / 2 + 16);
    for (int reset = 1;; reset = 0) {
        char *t = out->data + out->len;
        char *tlimit = out->data + out->cap - 1;
        st = U_ZERO_ERROR;
        ucnv_convertEx(u8, gb, &t, tlimit, &src, end, pivot, &ps, &pt, pivot + 2048, reset, 1, &st);
        out->len = (size_t)(t - out->data);
        out->data[out->len] = 0;
        if (st == U_BUFFER_OVERFLOW_ERROR) {
            pl_buf_grow(out, out->cap);
            continue;
        }
        if (U_FAILURE(st))
            rc = pl_err_set(e, PL_EINVAL, "byte %zu: not valid GB18030 (%s)", (size_t)(src - in),
                            u_errorName(st));
        break;
    }
    ucnv_close(u8);
    ucnv_close(gb);
    return rc;
}

int pl_ingest_detect(const char *data, size_t len, pl_encoding declared, pl_encoding *enc,
                     size_t *bom, int64_t *bad_line, pl_err *e)
{
    pl_encoding by_bom = PL_ENC_AUTO;
    size_t skip = pl_ingest__bom(data, len, &by_bom, e);
    if (skip == (size_t)-1) {
        if (bad_line)
            *bad_line = 1;
        return PL_EINVAL;
    }
    *bom = skip;
    if (by_bom != PL_ENC_AUTO)
        declared = by_bom;
    const char *p = data + skip;
    size_t n = len - skip;
    if (declared != PL_ENC_GB18030) {
        size_t ok = pl_ingest_utf8_valid_prefix(p, n);
        if (ok == n) {
            *enc = PL_ENC_UTF8;
            return 0;
        }
        size_t gbad = 0;
        if (declared == PL_ENC_AUTO && pl_ingest__gb_check(p, n, &gbad, NULL) == 0) {
            *enc = PL_ENC_GB18030;
            return 0;
        }
        int64_t line = 1 + pl_ingest__count_lines(data, skip + ok);
        if (bad_line)
            *bad_line = line;
        return pl_err_set(e, PL_EINVAL, "line %lld: not valid UTF-8 (use --encoding gb18030?)",
                          (long long)line);
    }
    size_t bad = 0;
    int rc = pl_ingest__gb_check(p, n, &bad, e);
    if (rc == PL_EINVAL) {
        int64_t line = 1 + pl_ingest__count_lines(data, skip + bad);
        if (bad_line)
            *bad_line = line;
        return pl_err_set(e, PL_EINVAL, "line %lld: not valid GB18030", (long long)line);
    }
    if (rc)
        return rc;
    *enc = PL_ENC_GB18030;
    return 0;
}
