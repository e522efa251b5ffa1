/*
 * repair.c — normalisation and repair of one value on ingest, every change
 * reported (issue #19 item 2; docs/IMPORT.md "Repairs"). Layer: ingest,
 * before the model's validation. Unicode NFKC and character properties:
 * ICU; GBK/GB2312/GB18030 re-encoding: glibc iconv and ICU (encoding.c).
 * Damage that cannot be undone without guessing is refused, never guessed.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include "ingest.h"
#include "ingest_int.h"

/* ----------------------------------------------------- code point text */

typedef struct cpv {
    uint32_t *v;
    size_t n, cap;
} cpv;

static void cpv_push(cpv *c, uint32_t cp)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->v = pl_realloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n++] = cp;
}

/* Strict UTF-8 → code points; -1 if invalid (the model reports it). */
static int cpv_from(cpv *c, const char *s, size_t len)
{
    c->n = 0;
    for (int32_t i = 0; i < (int32_t)len;) {
        UChar32 cp;
        U8_NEXT((const uint8_t *)s, i, (int32_t)len, cp);
        if (cp < 0)
            return -1;
        cpv_push(c, (uint32_t)cp);
    }
    return 0;
}

static void utf8_add(pl_buf *b, uint32_t cp)
{
    uint8_t tmp[4];
    int32_t k = 0;
    UBool err = 0;
    U8_APPEND((uint8_t *)tmp, k, 4, (UChar32)cp, err);
    if (!err)
        pl_buf_add(b, tmp, (size_t)k);
}

static void cpv_utf8(pl_buf *b, const uint32_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        utf8_add(b, v[i]);
}

static int cpv_eq(const cpv *a, const cpv *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->v, b->v, a->n * sizeof *a->v) == 0);
}

static int is_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F) || cp == 0x3007;
}

static int is_space_cp(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == 0x3000 || cp == 0x00A0 ||
           (cp > 0x7F && u_isUWhiteSpace((UChar32)cp));
}

static int is_ascii_letter(uint32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

/* ------------------------------------------------------------- notes */

typedef struct rctx {
    pl_repair_note_fn note;
    void *ctx;
} rctx;

/* Report one step's change as an excerpt around it: the changed span
 * with up to 8 characters of context each side (the whole value when it
 * is short), "…" where cut. */
static void note_change(const rctx *r, const char *what, const cpv *before, const cpv *after)
{
    if (!r->note || cpv_eq(before, after))
        return;
    size_t pre = 0;
    while (pre < before->n && pre < after->n && before->v[pre] == after->v[pre])
        pre++;
    size_t suf = 0;
    while (suf < before->n - pre && suf < after->n - pre &&
           before->v[before->n - 1 - suf] == after->v[after->n - 1 - suf])
        suf++;
    size_t ctxn = 8, from = pre > ctxn ? pre - ctxn : 0;
    if (before->n <= 40 && after->n <= 40)
        from = 0, ctxn = 40;
    pl_buf b, a;
    pl_buf_init(&b);
    pl_buf_init(&a);
    const cpv *vs[2] = {before, after};
    pl_buf *out[2] = {&b, &a};
    for (int k = 0; k < 2; k++) {
        const cpv *v = vs[k];
        size_t end = v->n - suf + (suf > ctxn ? ctxn : suf);
        if (end - from > 80)
            end = from + 80;
        if (from > 0)
            pl_buf_adds(out[k], "…");
        cpv_utf8(out[k], v->v + from, end - from);
        if (end < v->n)
            pl_buf_adds(out[k], "…");
    }
    r->note(r->ctx, what, b.data, a.data);
    pl_buf_release(&b);
    pl_buf_release(&a);
}

/* --------------------------------------------------- codes: NFKC, X */

static int nfkc(cpv *c)
{
    size_t i;
    for (i = 0; i < c->n && c->v[i] < 0x80; i++)
        ;
    if (i == c->n)
        return 0;
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *nf = unorm2_getNFKCInstance(&st);
    if (U_FAILURE(st))
        return PL_EINTERNAL;
    UChar *u = pl_malloc((2 * c->n + 1) * sizeof(UChar));
    int32_t ulen = 0;
    for (size_t k = 0; k < c->n; k++)
        U16_APPEND_UNSAFE(u, ulen, (UChar32)c->v[k]);
    int32_t cap = 4 * ulen + 16;
    UChar *n = pl_malloc((size_t)cap * sizeof(UChar));
    int32_t nlen = unorm2_normalize(nf, u, ulen, n, cap, &st);
    if (U_SUCCESS(st)) {
        c->n = 0;
        for (int32_t k = 0; k < nlen;) {
            UChar32 cp;
            U16_NEXT(n, k, nlen, cp);
            cpv_push(c, (uint32_t)cp);
        }
    }
    free(u);
    free(n);
    return U_FAILURE(st) ? PL_EINTERNAL : 0;
}

/* ------------------------------------------------------ pinyin notes */

static int is_tone_vowel(uint32_t cp)
{
    static const uint32_t tones[] = {0x101, 0xE1,  0x1CE, 0xE0,  0x113, 0xE9,  0x11B,
                                     0xE8,  0x12B, 0xED,  0x1D0, 0xEC,  0x14D, 0xF3,
                                     0x1D2, 0xF2,  0x16B, 0xFA,  0x1D4, 0xF9,  0x1D6,
                                     0x1D8, 0x1DA, 0x1DC, 0x144, 0x148, 0x1F9, 0x1E3F};
    for (size_t i = 0; i < sizeof tones / sizeof tones[0]; i++)
        if (tones[i] == cp)
            return 1;
    return 0;
}

/* A Han character followed by "(" pinyin syllable ")" — lower-case
 * letters, ü, at least one vowel with a tone mark, at most 7 letters —
 * in ASCII or full-width parentheses: the annotation is dropped. */
static void strip_pinyin(cpv *c)
{
    size_t w = 0;
    for (size_t i = 0; i < c->n; i++) {
        c->v[w++] = c->v[i];
        if (!is_han(c->v[i]) || i + 1 >= c->n || (c->v[i + 1] != '(' && c->v[i + 1] != 0xFF08))
            continue;
        size_t j = i + 2, tones = 0;
        while (j < c->n && j - (i + 2) <= 7) {
            uint32_t cp = c->v[j];
            if (is_tone_vowel(cp))
                tones++;
            else if (!((cp >= 'a' && cp <= 'z') || cp == 0xFC))
                break;
            j++;
        }
        size_t letters = j - (i + 2);
        if (j < c->n && (c->v[j] == ')' || c->v[j] == 0xFF09) && tones == 1 && letters >= 1 &&
            letters <= 7)
            i = j; /* skip "(…)" */
    }
    c->n = w;
}

/* ------------------------------------------------------------- names */

static void fold_fullwidth(cpv *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i] >= 0xFF01 && c->v[i] <= 0xFF5E)
            c->v[i] -= 0xFEE0;
}

static int is_dot_variant(uint32_t cp)
{
    return cp == 0x30FB || cp == 0x2022 || cp == 0x2027 || cp == 0xFF65 || cp == 0x2219 ||
           cp == 0x22C5 || cp == 0x2E31 || cp == 0x0387;
}

static int is_dot_hyphen(uint32_t cp)
{
    return cp == '-' || cp == 0x2010 || cp == 0x2011 || cp == 0x2012 || cp == 0x2013 ||
           cp == 0x2014 || cp == 0x2015 || cp == 0x2043 || cp == 0xFE63 || cp == 0xFF0D ||
           cp == '.' || cp == 0xFF0E;
}

/* Middle-dot variants → U+00B7; in a person's name also a dot-like
 * hyphen or '.' between two Han characters. */
static void unify_dots(cpv *c, int person)
{
    for (size_t i = 0; i < c->n; i++) {
        if (is_dot_variant(c->v[i]))
            c->v[i] = 0x00B7;
        else if (person && is_dot_hyphen(c->v[i]) && i > 0 && i + 1 < c->n && is_han(c->v[i - 1]) &&
                 is_han(c->v[i + 1]))
            c->v[i] = 0x00B7;
    }
}

static int han_or_dot(uint32_t cp)
{
    return is_han(cp) || cp == 0x00B7;
}

/* Trim; drop white space between two Han characters (or a Han character
 * and '·'); collapse other runs to one ASCII space (Latin parts kept). */
static void depad(cpv *c)
{
    size_t w = 0, i = 0;
    while (i < c->n && is_space_cp(c->v[i]))
        i++;
    while (i < c->n) {
        if (!is_space_cp(c->v[i])) {
            c->v[w++] = c->v[i++];
            continue;
        }
        size_t j = i;
        while (j < c->n && is_space_cp(c->v[j]))
            j++;
        if (j == c->n)
            break; /* trailing */
        int drop = w > 0 && han_or_dot(c->v[w - 1]) && han_or_dot(c->v[j]);
        if (!drop)
            c->v[w++] = ' ';
        i = j;
    }
    c->n = w;
}

/* -------------------------------------- GB18030 read as Latin-1/CP1252 */

static const uint32_t CP1252[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

/* The byte a Latin-1 or CP1252 decoder turned into cp, or -1. */
static int byte_of(uint32_t cp)
{
    if (cp < 0x100)
        return (int)cp;
    for (int k = 0; k < 32; k++)
        if (CP1252[k] == cp)
            return 0x80 + k;
    return -1;
}

/* A character that ordinary Chinese text does not hold but a Latin-1 or
 * CP1252 reading of GB18030 bytes does: C1 controls, accented letters,
 * CP1252's rarer signs. Not · × ÷ ° ± ¥ § © ® or “ ” ‘ ’ … — – •. */
static int is_marker(uint32_t cp)
{
    if (cp >= 0x80 && cp <= 0x9F)
        return 1;
    if (cp >= 0xA1 && cp <= 0xFF)
        return !(cp == 0xB7 || cp == 0xD7 || cp == 0xF7 || cp == 0xB0 || cp == 0xB1 || cp == 0xA5 ||
                 cp == 0xA7 || cp == 0xA9 || cp == 0xAE);
    if (cp > 0xFF && byte_of(cp) >= 0)
        return !(cp == 0x2018 || cp == 0x2019 || cp == 0x201C || cp == 0x201D || cp == 0x2026 ||
                 cp == 0x2013 || cp == 0x2014 || cp == 0x2022);
    return 0;
}

static int is_cjk_text(uint32_t cp)
{
    return is_han(cp) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFFEF) ||
           (cp >= 0x2010 && cp <= 0x2027) || cp == 0x00B7 || cp == 0x00D7;
}

/* Decoded text that reads as Chinese: every non-ASCII character CJK text,
 * at least one Han, and no Latin letter glued to a Han character (a false
 * reading of Latin text such as Müller gives M?ler). */
static int reads_chinese(const cpv *d)
{
    int han = 0;
    for (size_t i = 0; i < d->n; i++) {
        uint32_t cp = d->v[i];
        if (cp >= 0x80 && !is_cjk_text(cp))
            return 0;
        if (cp < 0x20 && cp != '\t')
            return 0;
        if (is_han(cp)) {
            han = 1;
            if ((i > 0 && is_ascii_letter(d->v[i - 1])) ||
                (i + 1 < d->n && is_ascii_letter(d->v[i + 1])))
                return 0;
        }
    }
    return han;
}

static void excerpt(pl_buf *b, const uint32_t *v, size_t n)
{
    if (n > 24) {
        cpv_utf8(b, v, 24);
        pl_buf_adds(b, "…");
    } else {
        cpv_utf8(b, v, n);
    }
}

static int latin_mojibake(cpv *c, pl_err *e)
{
    cpv out = {0};
    pl_buf bytes, dec;
    pl_buf_init(&bytes);
    pl_buf_init(&dec);
    int rc = 0;
    size_t i = 0;
    while (i < c->n) {
        if (byte_of(c->v[i]) < 0 || c->v[i] < 0x20) {
            cpv_push(&out, c->v[i++]);
            continue;
        }
        size_t j = i, markers = 0, nonspace = 0, c1 = 0, pairs = 0;
        while (j < c->n && byte_of(c->v[j]) >= 0 && c->v[j] >= 0x20) {
            if (is_marker(c->v[j])) {
                markers++;
                c1 += c->v[j] < 0xA0;
                pairs += j > i && is_marker(c->v[j - 1]);
            }
            nonspace += c->v[j] != ' ';
            j++;
        }
        if (!markers) {
            while (i < j)
                cpv_push(&out, c->v[i++]);
            continue;
        }
        pl_buf_reset(&bytes);
        for (size_t k = i; k < j; k++)
            pl_buf_addc(&bytes, (char)byte_of(c->v[k]));
        size_t bad = 0;
        pl_err ig;
        pl_err_init(&ig);
        cpv d = {0};
        int clean = pl_ingest__gb_check(bytes.data, bytes.len, &bad, &ig) == 0;
        if (clean) {
            pl_buf_reset(&dec);
            clean = pl_ingest_to_utf8(&dec, bytes.data, bytes.len, PL_ENC_GB18030, &ig) == 0 &&
                    cpv_from(&d, dec.data, dec.len) == 0 && reads_chinese(&d);
        }
        if (clean) {
            for (size_t k = 0; k < d.n; k++)
                cpv_push(&out, d.v[k]);
            free(d.v);
            i = j;
            continue;
        }
        free(d.v);
        /* Not a clean reading. Damage, or Latin text (José, Grüße)? */
        int glued = (i > 0 && is_han(c->v[i - 1]) && is_marker(c->v[i])) ||
                    (j < c->n && is_han(c->v[j]) && is_marker(c->v[j - 1]));
        if (c1 || glued || (pairs && 2 * markers >= nonspace)) {
            pl_buf ex;
            pl_buf_init(&ex);
            excerpt(&ex, c->v + i, j - i);
            rc = pl_err_set(e, PL_EINVAL,
                            "looks like GB18030 text read as Latin-1/CP1252 ('%s'), but its bytes "
                            "do not decode to Chinese text: cannot repair it unambiguously; "
                            "correct it at the source",
                            ex.data);
            pl_buf_release(&ex);
            goto out;
        }
        while (i < j)
            cpv_push(&out, c->v[i++]);
    }
    free(c->v);
    *c = out;
    out.v = NULL;
out:
    free(out.v);
    pl_buf_release(&bytes);
    pl_buf_release(&dec);
    return rc;
}

/* --------------------------------------- GBK decoded one byte out of step */

typedef struct gbk_cvt {
    iconv_t enc, dec, gb2312;
} gbk_cvt;

static int gbk_open(gbk_cvt *g)
{
    g->enc = iconv_open("GBK", "UTF-8");
    g->dec = iconv_open("UTF-8", "GBK");
    g->gb2312 = iconv_open("GB2312", "UTF-8");
    return g->enc == (iconv_t)-1 || g->dec == (iconv_t)-1 || g->gb2312 == (iconv_t)-1 ? -1 : 0;
}

static void gbk_close(gbk_cvt *g)
{
    if (g->enc != (iconv_t)-1)
        iconv_close(g->enc);
    if (g->dec != (iconv_t)-1)
        iconv_close(g->dec);
    if (g->gb2312 != (iconv_t)-1)
        iconv_close(g->gb2312);
}

/* Convert one code point with cd; bytes written to out (up to 8), or -1. */
static int cvt_cp(iconv_t cd, uint32_t cp, char *out)
{
    char in[4];
    int32_t k = 0;
    UBool err = 0;
    U8_APPEND((uint8_t *)in, k, 4, (UChar32)cp, err);
    if (err)
        return -1;
    char *ip = in, *op = out;
    size_t il = (size_t)k, ol = 8;
    iconv(cd, NULL, NULL, NULL, NULL);
    if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || il)
        return -1;
    return (int)(8 - ol);
}

/* One GBK double-byte character → its code point, or 0. */
static uint32_t gbk_pair(iconv_t dec, unsigned char lead, unsigned char trail)
{
    char in[2] = {(char)lead, (char)trail}, out[8];
    char *ip = in, *op = out;
    size_t il = 2, ol = sizeof out;
    iconv(dec, NULL, NULL, NULL, NULL);
    if (lead < 0x81 || iconv(dec, &ip, &il, &op, &ol) == (size_t)-1 || il)
        return 0;
    int32_t i = 0, n = (int32_t)(sizeof out - ol);
    UChar32 cp;
    U8_NEXT((const uint8_t *)out, i, n, cp);
    return cp > 0 && i == n ? (uint32_t)cp : 0;
}

/* How common a character is: 2 for GB 2312's first level (the 3,755 most
 * used Han characters, lead bytes B0-D7) and its Chinese punctuation (row
 * A1: 、。“”《》…), 1 for the rest of GB 2312, 0 otherwise; a traditional
 * form counts as its simplified form (OpenCC t2s) would. */
static int gb2312_level(gbk_cvt *g, uint32_t cp)
{
    char b[8];
    if (cvt_cp(g->gb2312, cp, b) != 2)
        return 0;
    unsigned char lead = (unsigned char)b[0];
    return lead == 0xA1 || (lead >= 0xB0 && lead <= 0xD7) ? 2 : 1;
}

static int commonness(gbk_cvt *g, uint32_t cp)
{
    if (cp < 0x80)
        return 0;
    int lvl = gb2312_level(g, cp);
    if (lvl || !is_han(cp))
        return lvl;
    pl_buf in, s;
    pl_buf_init(&in);
    pl_buf_init(&s);
    utf8_add(&in, cp);
    pl_err ig;
    pl_err_init(&ig);
    if (pl_model_t2s(&s, in.data, in.len, &ig) == 0 && strcmp(s.data, in.data) != 0) {
        cpv d = {0};
        if (cpv_from(&d, s.data, s.len) == 0 && d.n == 1)
            lvl = gb2312_level(g, d.v[0]);
        free(d.v);
    }
    pl_buf_release(&in);
    pl_buf_release(&s);
    return lvl;
}

static int hexval(uint32_t cp)
{
    if (cp >= '0' && cp <= '9')
        return (int)(cp - '0');
    if (cp >= 'a' && cp <= 'f')
        return (int)(cp - 'a' + 10);
    if (cp >= 'A' && cp <= 'F')
        return (int)(cp - 'A' + 10);
    return -1;
}

static int is_ascii_punct(uint32_t cp)
{
    return cp >= 0x21 && cp <= 0x7E && !is_ascii_letter(cp) && !(cp >= '0' && cp <= '9');
}

/*
 * A decoder that lost one byte of GBK text goes out of step: it pairs each
 * trail byte with the next lead byte (“一把手” A1B0 D2BB B0D1 CAD6 A1B1 read
 * from B0 gives 耙话咽帧…), until a trail byte in the ASCII range comes out
 * as a letter (FC 68 黨 → …屈h) and it is back in step. The lost byte shows
 * as '?' or U+FFFD before the run, or as an escape \xHH. Re-encoding the
 * run as GBK (a '!' etc. as the full-width form a folder made of it) and
 * pairing the bytes one step later gives the text back — all of it when
 * the lost byte is known (\xHH), all but the first character otherwise:
 * then the value is refused, with the reading, since that character
 * cannot be known (。 A1A3 and 保 B1A3 share their trail byte).
 */
static int gbk_shift(cpv *c, int *repaired, pl_err *e)
{
    gbk_cvt g = {(iconv_t)-1, (iconv_t)-1, (iconv_t)-1};
    cpv out = {0}, run = {0};
    pl_buf bytes;
    pl_buf_init(&bytes);
    int rc = 0;
    *repaired = 0;
    int opened = 0;
    size_t i = 0;
    while (i < c->n) {
        uint32_t cp = c->v[i];
        int lost = -1; /* the lost byte when known */
        size_t start = i, body;
        if (cp == '?' || cp == 0xFFFD) {
            body = i + 1;
        } else if (cp == '\\' && i + 3 < c->n && c->v[i + 1] == 'x' && hexval(c->v[i + 2]) >= 0 &&
                   hexval(c->v[i + 3]) >= 0 &&
                   (lost = hexval(c->v[i + 2]) * 16 + hexval(c->v[i + 3])) >= 0x81 && lost < 0xFF) {
            body = i + 4;
        } else {
            cpv_push(&out, c->v[i++]);
            continue;
        }
        if (!opened) {
            opened = 1;
            if (gbk_open(&g)) {
                rc = pl_err_set(e, PL_EINTERNAL, "iconv GBK unavailable");
                goto out;
            }
        }
        /* The run: non-ASCII GBK characters and ASCII punctuation, then
         * one ASCII character of 0x40-0x7E followed by a non-ASCII one. */
        pl_buf_reset(&bytes);
        size_t j = body, nonascii = 0;
        char b[8];
        while (j < c->n) {
            uint32_t x = c->v[j];
            if (x >= 0x80 || is_ascii_punct(x)) {
                int k = cvt_cp(g.enc, x < 0x80 ? x + 0xFEE0 : x, b);
                if (k != 2)
                    break;
                pl_buf_add(&bytes, b, 2);
                nonascii += x >= 0x80;
                j++;
                continue;
            }
            break;
        }
        int tail = j < c->n && c->v[j] >= 0x40 && c->v[j] <= 0x7E &&
                   (j + 1 == c->n || c->v[j + 1] >= 0x80);
        size_t end = j + (size_t)tail;
        if (tail)
            pl_buf_addc(&bytes, (char)c->v[j]);
        /* Realign: (lost, B0), (B1, B2), … */
        run.n = 0;
        int ok = nonascii >= 2 && tail && bytes.len % 2 == 1;
        uint32_t first = 0;
        int lvl, score = 0, damaged_score = 0;
        if (ok && lost >= 0) {
            first = gbk_pair(g.dec, (unsigned char)lost, (unsigned char)bytes.data[0]);
            ok = first && (lvl = commonness(&g, first)) > 0;
            score += ok && lvl == 2;
        }
        for (size_t k = 1; ok && k + 1 < bytes.len; k += 2) {
            uint32_t x =
                gbk_pair(g.dec, (unsigned char)bytes.data[k], (unsigned char)bytes.data[k + 1]);
            ok = x && (lvl = commonness(&g, x)) > 0;
            if (ok) {
                cpv_push(&run, x);
                score += lvl == 2;
            }
        }
        /* The reading must read better than the text as given: more of the
         * most used characters and Chinese punctuation. Ordinary text with a
         * '?' re-paired reads no better (?好不I → 貌籌: 2 against 2), damage gives
         * back its punctuation (?!耙话咽帧笔屈h → “一把手”是黨: 7 against 6). */
        for (size_t k = body; ok && k < j; k++)
            damaged_score += commonness(&g, c->v[k]) == 2;
        ok = ok && score > damaged_score;
        if (!ok) {
            cpv_push(&out, c->v[i++]);
            continue;
        }
        if (lost < 0) {
            pl_buf dmg, rd;
            pl_buf_init(&dmg);
            pl_buf_init(&rd);
            excerpt(&dmg, c->v + start, end - start);
            pl_buf_adds(&rd, "?");
            excerpt(&rd, run.v, run.n);
            rc = pl_err_set(e, PL_EINVAL,
                            "looks like GBK text decoded one byte out of step ('%s' re-aligned "
                            "reads '%s'), but the character at '?' is lost: cannot repair it "
                            "unambiguously; correct it at the source",
                            dmg.data, rd.data);
            pl_buf_release(&dmg);
            pl_buf_release(&rd);
            goto out;
        }
        cpv_push(&out, first);
        for (size_t k = 0; k < run.n; k++)
            cpv_push(&out, run.v[k]);
        *repaired = 1;
        i = end;
    }
    free(c->v);
    *c = out;
    out.v = NULL;
out:
    if (opened)
        gbk_close(&g);
    free(out.v);
    free(run.v);
    pl_buf_release(&bytes);
    return rc;
}

/* ------------------------------------------------------------- repair */

pl_repair_class pl_ingest_repair_class(int field_type)
{
    switch ((pl_field_type)field_type) {
    case PL_F_ID:
    case PL_F_USCC:
    case PL_F_DIVISION:
    case PL_F_DATE:
    case PL_F_INT:
    case PL_F_MONEY: return PL_REPAIR_CODE;
    case PL_F_CITIZEN_ID:
    case PL_F_ID_WRITTEN: return PL_REPAIR_CITIZEN_ID;
    case PL_F_NAME: return PL_REPAIR_NAME;
    case PL_F_PERSON_NAME: return PL_REPAIR_PERSON_NAME;
    case PL_F_TEXT: return PL_REPAIR_TEXT;
    default: return PL_REPAIR_NONE;
    }
}

static void cpv_copy(cpv *dst, const cpv *src)
{
    dst->n = 0;
    for (size_t i = 0; i < src->n; i++)
        cpv_push(dst, src->v[i]);
}

/* Could free text hold something to repair? Only if it has a '?', '\\'
 * or U+FFFD (GBK out of step), a '(' or '（' (pinyin), or a character of
 * U+0080-U+02FF or U+2000-U+21FF (Latin-1/CP1252 readings). Most text
 * has none: it is copied without decoding. */
static int text_may_need_repair(const char *in, size_t len)
{
    const unsigned char *p = (const unsigned char *)in;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        if (c == '?' || c == '\\' || c == '(' || (c >= 0xC2 && c <= 0xCB))
            return 1;
        if (c == 0xE2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x87)
            return 1;
        if (c == 0xEF && i + 2 < len &&
            ((p[i + 1] == 0xBC && p[i + 2] == 0x88) || (p[i + 1] == 0xBF && p[i + 2] == 0xBD)))
            return 1;
    }
    return 0;
}

int pl_ingest_repair(pl_buf *out, const char *in, size_t len, pl_repair_class cls,
                     pl_repair_note_fn note, void *ctx, pl_err *e)
{
    rctx r = {note, ctx};
    /* Fast path: ASCII needs no repair, except an ID's check character
     * 'x' and a name's surrounding blanks. */
    size_t k;
    for (k = 0; k < len && (unsigned char)in[k] < 0x80; k++)
        ;
    int ascii = k == len;
    if (cls == PL_REPAIR_NONE || len == 0 ||
        (ascii && (cls == PL_REPAIR_CODE || cls == PL_REPAIR_TEXT)) ||
        (cls == PL_REPAIR_TEXT && !text_may_need_repair(in, len)) ||
        (ascii && cls == PL_REPAIR_CITIZEN_ID && in[len - 1] != 'x') ||
        (ascii && (cls == PL_REPAIR_NAME || cls == PL_REPAIR_PERSON_NAME) && in[0] != ' ' &&
         in[0] != '\t' && in[len - 1] != ' ' && in[len - 1] != '\t')) {
        pl_buf_add(out, in, len);
        return 0;
    }
    cpv c = {0}, prev = {0};
    if (cpv_from(&c, in, len) != 0) { /* invalid UTF-8: the model says so */
        free(c.v);
        pl_buf_add(out, in, len);
        return 0;
    }
    int rc = 0;
    cpv_copy(&prev, &c);
    if (cls == PL_REPAIR_CODE || cls == PL_REPAIR_CITIZEN_ID) {
        if ((rc = nfkc(&c)) != 0) {
            rc = pl_err_set(e, PL_EINTERNAL, "ICU NFKC unavailable");
            goto out;
        }
        note_change(&r, "full-width or compatibility characters normalised (NFKC)", &prev, &c);
        if (cls == PL_REPAIR_CITIZEN_ID) {
            size_t n = c.n;
            while (n && is_space_cp(c.v[n - 1]))
                n--;
            if (n && (c.v[n - 1] == 'x' || c.v[n - 1] == 0x00D7)) {
                cpv_copy(&prev, &c);
                c.v[n - 1] = 'X';
                note_change(&r, "ID check character written as X", &prev, &c);
            }
        }
        goto done;
    }
    /* Text: first undo the encoding damage, on the text as read. */
    if ((rc = latin_mojibake(&c, e)) != 0)
        goto out;
    note_change(&r, "GB18030 text read as Latin-1/CP1252 repaired", &prev, &c);
    cpv_copy(&prev, &c);
    int shifted = 0;
    if ((rc = gbk_shift(&c, &shifted, e)) != 0)
        goto out;
    note_change(&r, "GBK text decoded one byte out of step repaired", &prev, &c);
    cpv_copy(&prev, &c);
    strip_pinyin(&c);
    note_change(&r, "pinyin annotation removed", &prev, &c);
    if (cls == PL_REPAIR_NAME || cls == PL_REPAIR_PERSON_NAME) {
        cpv_copy(&prev, &c);
        fold_fullwidth(&c);
        note_change(&r, "full-width characters folded", &prev, &c);
        cpv_copy(&prev, &c);
        unify_dots(&c, cls == PL_REPAIR_PERSON_NAME);
        note_change(&r, "middle dot unified to U+00B7", &prev, &c);
        cpv_copy(&prev, &c);
        depad(&c);
        note_change(&r, "name trimmed and de-padded", &prev, &c);
    }
done:
    cpv_utf8(out, c.v, c.n);
out:
    free(c.v);
    free(prev.v);
    return rc;
}
