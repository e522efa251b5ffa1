/*
 * namekey.c — the match key of a name: traditional → simplified Chinese
 * (OpenCC's t2s: characters and phrases), separators dropped, NFKC case
 * folded (ICU). Layer: model. Used for MATCHING only: the name is stored
 * as given and the key beside it (docs/IMPORT.md "Repairs").
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <opencc/opencc.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include "model.h"

static opencc_t t2s = (opencc_t)-1;
static pthread_once_t t2s_once = PTHREAD_ONCE_INIT;

static void t2s_open(void)
{
    t2s = opencc_open("t2s.json");
}

int pl_model_t2s(pl_buf *out, const char *s, size_t len, pl_err *e)
{
    size_t i;
    for (i = 0; i < len && (unsigned char)s[i] < 0x80; i++)
        ;
    if (i == len) { /* ASCII: nothing to convert */
        pl_buf_add(out, s, len);
        return 0;
    }
    /* OpenCC reads past the end of a truncated UTF-8 sequence (found by
     * fuzz/link_fuzz.c: "…\xe5\xbc" at the end of the input is a heap
     * over-read in its segmentation): refuse invalid UTF-8 first. */
    for (int32_t k = (int32_t)i; k < (int32_t)len;) {
        UChar32 cp;
        U8_NEXT((const uint8_t *)s, k, (int32_t)len, cp);
        if (cp < 0)
            return pl_err_set(e, PL_EINVAL, "invalid UTF-8");
    }
    pthread_once(&t2s_once, t2s_open);
    if (t2s == (opencc_t)-1)
        return pl_err_set(e, PL_EINTERNAL, "OpenCC t2s.json cannot be opened: %s", opencc_error());
    char *r = opencc_convert_utf8(t2s, s, len);
    if (!r)
        return pl_err_set(e, PL_EINTERNAL, "OpenCC: %s", opencc_error());
    pl_buf_adds(out, r);
    opencc_convert_utf8_free(r);
    return 0;
}

int pl_model_match_key(pl_buf *out, const char *name, size_t len, pl_err *e)
{
    pl_buf simp;
    pl_buf_init(&simp);
    int rc = pl_model_t2s(&simp, name, len, e);
    if (rc)
        goto out;
    /* Decode, dropping the separators that vary between sources: white
     * space, the middle dot and its variants, '-' and '.' */
    UErrorCode st = U_ZERO_ERROR;
    UChar *u = pl_malloc((simp.len + 1) * sizeof(UChar));
    int32_t ulen = 0;
    for (int32_t i = 0; i < (int32_t)simp.len;) {
        UChar32 cp;
        U8_NEXT((const uint8_t *)simp.data, i, (int32_t)simp.len, cp);
        if (cp < 0) {
            free(u);
            rc = pl_err_set(e, PL_EINVAL, "invalid UTF-8");
            goto out;
        }
        if (u_isUWhiteSpace(cp) || cp == 0x00B7 || cp == 0x30FB || cp == 0x2022 || cp == 0x2027 ||
            cp == 0xFF65 || cp == '-' || cp == '.')
            continue;
        U16_APPEND_UNSAFE(u, ulen, cp);
    }
    const UNormalizer2 *nf = unorm2_getNFKCCasefoldInstance(&st);
    UChar *n = NULL;
    if (U_SUCCESS(st)) {
        int32_t cap = ulen * 3 + 16;
        n = pl_malloc((size_t)cap * sizeof(UChar));
        int32_t nlen = unorm2_normalize(nf, u, ulen, n, cap, &st);
        if (U_SUCCESS(st)) {
            int32_t blen = 0;
            st = U_ZERO_ERROR;
            u_strToUTF8(NULL, 0, &blen, n, nlen, &st);
            st = U_ZERO_ERROR;
            pl_buf_grow(out, (size_t)blen + 1);
            u_strToUTF8(out->data + out->len, blen + 1, NULL, n, nlen, &st);
            if (U_SUCCESS(st)) {
                out->len += (size_t)blen;
                out->data[out->len] = 0;
            }
        }
    }
    free(u);
    free(n);
    if (U_FAILURE(st))
        rc = pl_err_set(e, PL_EINTERNAL, "ICU NFKC_Casefold: %s", u_errorName(st));
out:
    pl_buf_release(&simp);
    return rc;
}
