/*
 * link.c — candidates, scoring and decision of the linkage: each record
 * prepared once (match key, pinyin, look-alike key, block keys), candidate
 * pairs from shared blocks (sorted hash keys), each pair scored feature by
 * feature with Fellegi–Sunter weights (features.c) and decided by two
 * thresholds. Layer: link. Docs: docs/LINKAGE.md.
 */
#include "link.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utf8.h>

#include "model/model.h"

/* The most records one block key may gather; a key shared by more says
 * nothing about identity (a birth date of a whole cohort, 王伟) and would
 * cost O(n²). */
#define BLOCK_MAX 500

typedef struct prep {
    char *sep;   /* the name with separators dropped, as written */
    char *mkey;  /* pl_model_match_key */
    char *tone;  /* pinyin with tones of mkey */
    char *plain; /* pinyin without tones */
    char *look;  /* look-alike key of mkey */
} prep;

struct pl_link_set {
    const pl_link_rec *recs;
    size_t n;
    int cross_only;
    prep *p;
};

static int empty(const char *s)
{
    return !s || !*s;
}

/* The name without white space and middle-dot variants: two spellings
 * that differ only there are the same name written twice. */
static char *sep_key(const char *s)
{
    pl_buf b;
    pl_buf_init(&b);
    int32_t len = (int32_t)strlen(s);
    for (int32_t i = 0; i < len;) {
        int32_t at = i;
        UChar32 cp;
        U8_NEXT((const uint8_t *)s, i, len, cp);
        if (cp == ' ' || cp == '\t' || cp == 0x3000 || cp == 0x00B7 || cp == 0x30FB ||
            cp == 0x2022 || cp == 0x2027 || cp == 0xFF65 || cp == '-' || cp == '.')
            continue;
        pl_buf_add(&b, s + at, (size_t)(i - at));
    }
    char *r = pl_buf_detach(&b, NULL);
    return r ? r : pl_strdup("");
}

int pl_link_set_new(pl_link_set **out, const pl_link_rec *recs, size_t n, int cross_only, pl_err *e)
{
    pl_link_set *s = pl_calloc(1, sizeof *s);
    s->recs = recs;
    s->n = n;
    s->cross_only = cross_only;
    s->p = pl_calloc(n ? n : 1, sizeof *s->p);
    int rc = 0;
    pl_buf b;
    pl_buf_init(&b);
    for (size_t i = 0; i < n && !rc; i++) {
        const char *name = recs[i].name;
        if (empty(name))
            continue;
        prep *p = &s->p[i];
        p->sep = sep_key(name);
        pl_buf_reset(&b);
        if (!empty(recs[i].match_key))
            pl_buf_adds(&b, recs[i].match_key);
        else if ((rc = pl_model_match_key(&b, name, strlen(name), e))) {
            if (rc != PL_EINVAL)
                break;
            /* a name that is not UTF-8 text compares as missing */
            rc = 0;
            pl_err_init(e);
            free(p->sep);
            p->sep = NULL;
            continue;
        }
        p->mkey = pl_strdup(b.data ? b.data : "");
        pl_buf_reset(&b);
        if ((rc = pl_link_pinyin(&b, p->mkey, 1, e)))
            break;
        p->tone = pl_strdup(b.data ? b.data : "");
        pl_buf_reset(&b);
        if ((rc = pl_link_pinyin(&b, p->mkey, 0, e)))
            break;
        p->plain = pl_strdup(b.data ? b.data : "");
        pl_buf_reset(&b);
        pl_link_lookalike_key(&b, p->mkey);
        p->look = pl_strdup(b.data ? b.data : "");
    }
    pl_buf_release(&b);
    if (rc) {
        pl_link_set_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void pl_link_set_free(pl_link_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->p[i].sep);
        free(s->p[i].mkey);
        free(s->p[i].tone);
        free(s->p[i].plain);
        free(s->p[i].look);
    }
    free(s->p);
    free(s);
}

/* ------------------------------------------------------------- scoring */

static pl_link_level name_level(const prep *x, const prep *y)
{
    if (!x->mkey || !y->mkey || !*x->mkey || !*y->mkey)
        return PL_LL_MISSING;
    if (strcmp(x->sep, y->sep) == 0)
        return PL_LL_EXACT;
    if (strcmp(x->mkey, y->mkey) == 0)
        return PL_LL_TRAD_SIMP;
    if (strcmp(x->tone, y->tone) == 0 && strcmp(x->tone, x->mkey) != 0)
        return PL_LL_PINYIN_TONE;
    if (strcmp(x->plain, y->plain) == 0 && strcmp(x->plain, x->mkey) != 0)
        return PL_LL_HOMOPHONE;
    if (strcmp(x->look, y->look) == 0)
        return PL_LL_LOOKALIKE;
    double jw = pl_link_jaro_winkler(x->mkey, y->mkey);
    return jw >= 0.92 ? PL_LL_FUZZY_HIGH : jw >= 0.80 ? PL_LL_FUZZY_LOW : PL_LL_DISAGREE;
}

static int one_char_apart(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n != strlen(b))
        return 0;
    int d = 0;
    for (size_t i = 0; i < n; i++)
        d += a[i] != b[i];
    return d == 1;
}

/* A text field: the first level of exact, one character, JW ≥ 0.92,
 * JW ≥ 0.80 that the feature's weight table has, else disagreement. */
static pl_link_level text_level(int feature, const char *a, const char *b)
{
    if (empty(a) || empty(b))
        return PL_LL_MISSING;
    if (strcmp(a, b) == 0)
        return PL_LL_EXACT;
    if (pl_link_weight(feature, PL_LL_ONE_DIGIT) != 0.0 && one_char_apart(a, b))
        return PL_LL_ONE_DIGIT;
    double jw = -1;
    if (pl_link_weight(feature, PL_LL_FUZZY_HIGH) != 0.0) {
        jw = pl_link_jaro_winkler(a, b);
        if (jw >= 0.92)
            return PL_LL_FUZZY_HIGH;
    }
    if (pl_link_weight(feature, PL_LL_FUZZY_LOW) != 0.0) {
        if (jw < 0)
            jw = pl_link_jaro_winkler(a, b);
        if (jw >= 0.80)
            return PL_LL_FUZZY_LOW;
    }
    return PL_LL_DISAGREE;
}

static void add(pl_link_pair *p, int feature, pl_link_level lv)
{
    if (lv == PL_LL_MISSING)
        return;
    double w = pl_link_weight(feature, lv);
    p->f[p->nf++] = (pl_link_feature){feature, lv, w};
    p->score += w;
}

void pl_link_score(const pl_link_set *s, uint32_t a, uint32_t b, pl_link_pair *p)
{
    const pl_link_rec *x = &s->recs[a], *y = &s->recs[b];
    memset(p, 0, sizeof *p);
    p->a = a;
    p->b = b;
    add(p, PL_LF_NAME, name_level(&s->p[a], &s->p[b]));
    if (!empty(x->given) && !empty(y->given) && !empty(x->surname) && !empty(y->surname) &&
        strcmp(x->given, y->surname) == 0 && strcmp(x->surname, y->given) == 0 &&
        strcmp(x->given, x->surname) != 0) {
        add(p, PL_LF_GIVEN, PL_LL_SWAPPED);
        add(p, PL_LF_SURNAME, PL_LL_SWAPPED);
    } else {
        add(p, PL_LF_GIVEN, text_level(PL_LF_GIVEN, x->given, y->given));
        add(p, PL_LF_SURNAME, text_level(PL_LF_SURNAME, x->surname, y->surname));
    }
    add(p, PL_LF_BIRTH, pl_link_compare_birth(x->birth, y->birth));
    add(p, PL_LF_ID, pl_link_compare_id(x->id_number, y->id_number, NULL));
    add(p, PL_LF_DIVISION, text_level(PL_LF_DIVISION, x->division, y->division));
    /* company and household only agree: two records with different
     * companies can still be one person (most people hold one role) */
    if (!empty(x->company) && !empty(y->company) && strcmp(x->company, y->company) == 0)
        add(p, PL_LF_COMPANY, PL_LL_EXACT);
    if (!empty(x->household) && !empty(y->household) && strcmp(x->household, y->household) == 0)
        add(p, PL_LF_HOUSEHOLD, PL_LL_EXACT);
    for (int k = 0; k < PL_LINK_EXTRA; k++)
        add(p, PL_LF_EXTRA0 + k, text_level(PL_LF_EXTRA0 + k, x->extra[k], y->extra[k]));
}

const char *pl_link_decide(double score, double upper, double lower)
{
    return score >= upper ? "link" : score >= lower ? "review" : NULL;
}

void pl_link_explain_json(pl_buf *out, const pl_link_pair *p)
{
    pl_buf_addc(out, '[');
    for (int i = 0; i < p->nf; i++)
        pl_buf_addf(out, "%s{\"feature\":\"%s\",\"level\":\"%s\",\"weight_centibits\":%ld}",
                    i ? "," : "", pl_link_feature_name(p->f[i].feature),
                    pl_link_level_name(p->f[i].level), lround(p->f[i].weight * 100));
    pl_buf_addc(out, ']');
}

/* ------------------------------------------------------------ blocking */

typedef struct bkey {
    uint64_t h;
    uint32_t i;
} bkey;

typedef struct bkeys {
    bkey *v;
    size_t n, cap;
} bkeys;

static uint64_t fnv(char type, const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    h = (h ^ (unsigned char)type) * 1099511628211ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static void push(bkeys *k, char type, const char *s, size_t len, uint32_t i)
{
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 1024;
        k->v = pl_realloc(k->v, k->cap * sizeof *k->v);
    }
    k->v[k->n++] = (bkey){fnv(type, s, len), i};
}

static int cmp_bkey(const void *a, const void *b)
{
    const bkey *x = a, *y = b;
    return x->h < y->h ? -1 : x->h > y->h ? 1 : x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_pair(const void *a, const void *b)
{
    const pl_link_pair *x = a, *y = b;
    return x->a != y->a ? (x->a < y->a ? -1 : 1) : x->b < y->b ? -1 : x->b > y->b;
}

static void block_keys(const pl_link_set *s, uint32_t i, bkeys *k)
{
    const pl_link_rec *r = &s->recs[i];
    const prep *p = &s->p[i];
    if (!empty(r->birth)) {
        char d[9];
        const char *b = r->birth;
        size_t n = strlen(b);
        if (n == 10 && b[4] == '-') {
            memcpy(d, b, 4);
            memcpy(d + 4, b + 5, 2);
            memcpy(d + 6, b + 8, 2);
            d[8] = 0;
            b = d;
            n = 8;
        }
        push(k, 'B', b, n, i);
        if (n == 8) { /* day and month swapped lands in the same block */
            char w[8];
            memcpy(w, b, 4);
            memcpy(w + 4, b + 6, 2);
            memcpy(w + 6, b + 4, 2);
            if (memcmp(w, b, 8) != 0)
                push(k, 'B', w, 8, i);
        }
    }
    if (!empty(r->id_number)) {
        /* every one-character deletion: a substitution shares the key that
         * deletes its position, an adjacent transposition the keys that
         * delete either of its two characters */
        size_t n = strlen(r->id_number);
        if (n <= 24) {
            char d[24];
            for (size_t j = 0; j < n; j++) {
                memcpy(d, r->id_number, j);
                memcpy(d + j, r->id_number + j + 1, n - j - 1);
                push(k, 'I', d, n - 1, i);
            }
        }
    }
    if (p->mkey && *p->mkey) {
        push(k, 'N', p->mkey, strlen(p->mkey), i);
        push(k, 'P', p->plain, strlen(p->plain), i);
        push(k, 'L', p->look, strlen(p->look), i);
    }
    if (!empty(r->company))
        push(k, 'C', r->company, strlen(r->company), i);
    if (!empty(r->household))
        push(k, 'H', r->household, strlen(r->household), i);
    if (!empty(r->surname) && !empty(r->given)) {
        char t[256];
        int n = snprintf(t, sizeof t, "%s|%c", r->surname, r->given[0]);
        if (n > 0 && (size_t)n < sizeof t)
            push(k, 'S', t, (size_t)n, i);
        n = snprintf(t, sizeof t, "%s|%c", r->given, r->surname[0]);
        if (n > 0 && (size_t)n < sizeof t)
            push(k, 'S', t, (size_t)n, i);
    }
}

int pl_link_run(pl_link_set *s, double lower, pl_link_pair **pairs, size_t *npairs,
                size_t *candidates, pl_err *e)
{
    (void)e;
    bkeys k = {0};
    for (uint32_t i = 0; i < s->n; i++)
        block_keys(s, i, &k);
    if (k.n) /* qsort of NULL is undefined, even for 0 elements */
        qsort(k.v, k.n, sizeof *k.v, cmp_bkey);
    uint64_t *cand = NULL;
    size_t nc = 0, cc = 0;
    for (size_t lo = 0; lo < k.n;) {
        size_t hi = lo + 1;
        while (hi < k.n && k.v[hi].h == k.v[lo].h)
            hi++;
        if (hi - lo <= BLOCK_MAX)
            for (size_t x = lo; x < hi; x++)
                for (size_t y = x + 1; y < hi; y++) {
                    uint32_t a = k.v[x].i, b = k.v[y].i;
                    if (a == b)
                        continue;
                    if (s->cross_only && s->recs[a].source == s->recs[b].source)
                        continue;
                    if (nc == cc) {
                        cc = cc ? cc * 2 : 4096;
                        cand = pl_realloc(cand, cc * sizeof *cand);
                    }
                    cand[nc++] = (uint64_t)a << 32 | b;
                }
        lo = hi;
    }
    free(k.v);
    if (nc)
        qsort(cand, nc, sizeof *cand, cmp_u64);
    size_t uniq = 0;
    for (size_t i = 0; i < nc; i++)
        if (i == 0 || cand[i] != cand[i - 1])
            cand[uniq++] = cand[i];
    pl_link_pair *out = NULL;
    size_t no = 0, co = 0;
    pl_link_pair p;
    for (size_t i = 0; i < uniq; i++) {
        pl_link_score(s, (uint32_t)(cand[i] >> 32), (uint32_t)cand[i], &p);
        if (p.score < lower)
            continue;
        if (no == co) {
            co = co ? co * 2 : 256;
            out = pl_realloc(out, co * sizeof *out);
        }
        out[no++] = p;
    }
    free(cand);
    if (no)
        qsort(out, no, sizeof *out, cmp_pair);
    *pairs = out;
    *npairs = no;
    if (candidates)
        *candidates = uniq;
    return 0;
}
