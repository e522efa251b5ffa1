/*
 * link.c — candidates, scoring and decision of the linkage: each record
 * prepared once (match key, pinyin, look-alike key, block keys), candidate
 * pairs from shared blocks (sorted hash keys), each pair scored feature by
 * feature with Fellegi–Sunter weights (features.c) and decided by two
 * thresholds. Layer: link. Docs: docs/LINKAGE.md.
 */
#include "link.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    int threads; /* for pl_link_run: the sorts and the scoring */
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

/* ------------------------------------------------------------- threads */

int pl_link_default_threads(void)
{
    const char *v = getenv("PLUMB_LINK_THREADS");
    if (v && *v) {
        long t = strtol(v, NULL, 10);
        if (t >= 1 && t <= 64)
            return (int)t;
    }
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c < 1 ? 1 : c > 8 ? 8 : (int)c;
}

#define MAX_THREADS 64

typedef struct tjob {
    void (*fn)(void *, int);
    void *arg;
    int t;
} tjob;

static void *tjob_main(void *p)
{
    tjob *j = p;
    j->fn(j->arg, j->t);
    return NULL;
}

/* Run fn(arg, t) for t = 0..nt-1, t = 0 on the calling thread; a part
 * whose thread cannot be started runs on the caller afterwards. */
static void run_threads(int nt, void (*fn)(void *, int), void *arg)
{
    pthread_t th[MAX_THREADS];
    tjob jobs[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (int t = 1; t < nt; t++) {
        jobs[t] = (tjob){fn, arg, t};
        started[t] = pthread_create(&th[t], NULL, tjob_main, &jobs[t]) == 0;
    }
    fn(arg, 0);
    for (int t = 1; t < nt; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            fn(arg, t);
    }
}

/* ------------------------------------------------------------- prepare */

/* Records are taken in chunks from a shared counter, so a thread that
 * starts late (or opens the transliterator first) takes fewer. */
#define PREP_CHUNK 256

typedef struct prep_job {
    pl_link_set *s;
    atomic_size_t next_a, next_b;
    pthread_barrier_t *bar;
    int nt;
    /* per thread: the first failing record's index and its error */
    size_t fail_at[MAX_THREADS];
    int rc[MAX_THREADS];
    pl_err err[MAX_THREADS];
} prep_job;

/* Phase A: the name without separators, the match key, the look-alike key. */
static int prep_a(pl_link_set *s, size_t i, pl_buf *b, pl_err *e)
{
    const char *name = s->recs[i].name;
    if (empty(name))
        return 0;
    prep *p = &s->p[i];
    p->sep = sep_key(name);
    pl_buf_reset(b);
    if (!empty(s->recs[i].match_key))
        pl_buf_adds(b, s->recs[i].match_key);
    else {
        int rc = pl_model_match_key(b, name, strlen(name), e);
        if (rc) {
            if (rc != PL_EINVAL)
                return rc;
            /* a name that is not UTF-8 text compares as missing */
            pl_err_init(e);
            free(p->sep);
            p->sep = NULL;
            return 0;
        }
    }
    p->mkey = pl_strdup(b->data ? b->data : "");
    pl_buf_reset(b);
    pl_link_lookalike_key(b, p->mkey);
    p->look = pl_strdup(b->data ? b->data : "");
    return 0;
}

/* Phase B: the pinyin of the match key, with and without tones. */
static int prep_b(pl_link_set *s, size_t i, pl_buf *b, pl_buf *c, pl_err *e)
{
    prep *p = &s->p[i];
    if (!p->mkey)
        return 0;
    pl_buf_reset(b);
    pl_buf_reset(c);
    int rc = pl_link_pinyin2(b, c, p->mkey, e);
    if (rc)
        return rc;
    p->tone = pl_strdup(b->data ? b->data : "");
    p->plain = pl_strdup(c->data ? c->data : "");
    return 0;
}

static void prep_fail(prep_job *j, int t, size_t i, int rc, const pl_err *e)
{
    if (!j->rc[t] || i < j->fail_at[t]) {
        j->rc[t] = rc;
        j->fail_at[t] = i;
        j->err[t] = *e;
    }
}

static void prep_thread(void *arg, int t)
{
    prep_job *j = arg;
    pl_link_set *s = j->s;
    pl_buf b, c;
    pl_buf_init(&b);
    pl_buf_init(&c);
    pl_err e;
    pl_err_init(&e);
    int rc;
    /* the last thread opens ICU's transliterator while the others start
     * on the match keys (OpenCC) */
    if (t == j->nt - 1 && (rc = pl_link_pinyin_open(&e)))
        prep_fail(j, t, 0, rc, &e);
    for (;;) {
        size_t lo = atomic_fetch_add(&j->next_a, PREP_CHUNK);
        if (lo >= s->n)
            break;
        size_t hi = lo + PREP_CHUNK < s->n ? lo + PREP_CHUNK : s->n;
        for (size_t i = lo; i < hi; i++)
            if ((rc = prep_a(s, i, &b, &e))) {
                prep_fail(j, t, i, rc, &e);
                pl_err_init(&e);
            }
    }
    if (j->bar)
        pthread_barrier_wait(j->bar);
    for (;;) {
        size_t lo = atomic_fetch_add(&j->next_b, PREP_CHUNK);
        if (lo >= s->n)
            break;
        size_t hi = lo + PREP_CHUNK < s->n ? lo + PREP_CHUNK : s->n;
        for (size_t i = lo; i < hi; i++)
            if ((rc = prep_b(s, i, &b, &c, &e))) {
                prep_fail(j, t, i, rc, &e);
                pl_err_init(&e);
            }
    }
    pl_buf_release(&b);
    pl_buf_release(&c);
}

int pl_link_set_new(pl_link_set **out, const pl_link_rec *recs, size_t n, int cross_only, pl_err *e)
{
    return pl_link_set_new_threads(out, recs, n, cross_only, 0, e);
}

int pl_link_set_new_threads(pl_link_set **out, const pl_link_rec *recs, size_t n, int cross_only,
                            int threads, pl_err *e)
{
    pl_link_set *s = pl_calloc(1, sizeof *s);
    s->recs = recs;
    s->n = n;
    s->cross_only = cross_only;
    s->threads = threads > 0 ? threads : pl_link_default_threads();
    if (s->threads > MAX_THREADS)
        s->threads = MAX_THREADS;
    s->p = pl_calloc(n ? n : 1, sizeof *s->p);
    /* no more threads than chunks of records */
    int nt = s->threads;
    size_t chunks = (n + PREP_CHUNK - 1) / PREP_CHUNK;
    if ((size_t)nt > chunks)
        nt = chunks ? (int)chunks : 1;
    prep_job *j = pl_calloc(1, sizeof *j);
    j->s = s;
    j->nt = nt;
    atomic_init(&j->next_a, 0);
    atomic_init(&j->next_b, 0);
    pthread_barrier_t bar;
    if (nt > 1 && pthread_barrier_init(&bar, NULL, (unsigned)nt) == 0)
        j->bar = &bar;
    else
        nt = j->nt = 1;
    run_threads(nt, prep_thread, j);
    if (j->bar)
        pthread_barrier_destroy(&bar);
    /* the error of the lowest failing record, as one thread reports it */
    int rc = 0, ft = -1;
    for (int t = 0; t < nt; t++)
        if (j->rc[t] && (ft < 0 || j->fail_at[t] < j->fail_at[ft]))
            ft = t;
    if (ft >= 0) {
        rc = j->rc[ft];
        if (e)
            *e = j->err[ft];
    }
    free(j);
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

/* Merge the nt sorted runs of src ([bounds[t], bounds[t+1]), each sorted
 * by cmp) into dst: the order a single sort gives (cmp is a total order;
 * equal elements are equal bytes). */
static void merge_runs(void *dst, const void *src, size_t size, const size_t *bounds, int nt,
                       int (*cmp)(const void *, const void *))
{
    size_t at[MAX_THREADS];
    for (int t = 0; t < nt; t++)
        at[t] = bounds[t];
    char *d = dst;
    const char *sv = src;
    for (;;) {
        int best = -1;
        for (int t = 0; t < nt; t++)
            if (at[t] < bounds[t + 1] &&
                (best < 0 || cmp(sv + at[t] * size, sv + at[best] * size) < 0))
                best = t;
        if (best < 0)
            break;
        memcpy(d, sv + at[best] * size, size);
        d += size;
        at[best]++;
    }
}

typedef struct run_job {
    pl_link_set *s;
    int nt;
    bkeys k[MAX_THREADS]; /* block keys of each thread's records, sorted */
    uint64_t *cand;       /* candidate pairs (a << 32 | b) */
    size_t bounds[MAX_THREADS + 1];
    double lower;
    pl_link_pair *out[MAX_THREADS]; /* each thread's scored pairs ≥ lower */
    size_t no[MAX_THREADS];
} run_job;

static void keys_thread(void *arg, int t)
{
    run_job *j = arg;
    size_t lo = j->s->n * (size_t)t / (size_t)j->nt, hi = j->s->n * (size_t)(t + 1) / (size_t)j->nt;
    for (size_t i = lo; i < hi; i++)
        block_keys(j->s, (uint32_t)i, &j->k[t]);
    if (j->k[t].n) /* qsort of NULL is undefined, even for 0 elements */
        qsort(j->k[t].v, j->k[t].n, sizeof *j->k[t].v, cmp_bkey);
}

static void cand_sort_thread(void *arg, int t)
{
    run_job *j = arg;
    size_t n = j->bounds[t + 1] - j->bounds[t];
    if (n)
        qsort(j->cand + j->bounds[t], n, sizeof *j->cand, cmp_u64);
}

static void score_thread(void *arg, int t)
{
    run_job *j = arg;
    size_t co = 0;
    pl_link_pair p;
    for (size_t i = j->bounds[t]; i < j->bounds[t + 1]; i++) {
        pl_link_score(j->s, (uint32_t)(j->cand[i] >> 32), (uint32_t)j->cand[i], &p);
        if (p.score < j->lower)
            continue;
        if (j->no[t] == co) {
            co = co ? co * 2 : 256;
            j->out[t] = pl_realloc(j->out[t], co * sizeof *j->out[t]);
        }
        j->out[t][j->no[t]++] = p;
    }
}

/* Split [0, n) into nt contiguous parts. */
static void split(size_t *bounds, size_t n, int nt)
{
    for (int t = 0; t <= nt; t++)
        bounds[t] = n * (size_t)t / (size_t)nt;
}

int pl_link_run(pl_link_set *s, double lower, pl_link_pair **pairs, size_t *npairs,
                size_t *candidates, pl_err *e)
{
    (void)e;
    run_job *j = pl_calloc(1, sizeof *j);
    j->s = s;
    j->lower = lower;
    int nt = s->threads > 0 ? s->threads : 1;
    if ((size_t)nt > s->n)
        nt = s->n ? (int)s->n : 1;
    j->nt = nt;
    /* block keys of each thread's records, sorted there, then merged */
    run_threads(nt, keys_thread, j);
    bkeys k = {0};
    size_t kb[MAX_THREADS + 1];
    kb[0] = 0;
    for (int t = 0; t < nt; t++)
        kb[t + 1] = kb[t] + j->k[t].n;
    k.n = kb[nt];
    if (nt == 1) {
        k = j->k[0];
    } else if (k.n) {
        bkey *all = pl_malloc(k.n * sizeof *all);
        for (int t = 0; t < nt; t++) {
            if (j->k[t].n)
                memcpy(all + kb[t], j->k[t].v, j->k[t].n * sizeof *all);
            free(j->k[t].v);
        }
        k.v = pl_malloc(k.n * sizeof *k.v);
        merge_runs(k.v, all, sizeof *all, kb, nt, cmp_bkey);
        free(all);
    } else {
        for (int t = 0; t < nt; t++)
            free(j->k[t].v);
    }
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
    /* the candidates sorted in nt parts, then merged */
    j->cand = cand;
    split(j->bounds, nc, nt);
    run_threads(nt, cand_sort_thread, j);
    if (nt > 1 && nc) {
        uint64_t *m = pl_malloc(nc * sizeof *m);
        merge_runs(m, cand, sizeof *cand, j->bounds, nt, cmp_u64);
        free(cand);
        cand = j->cand = m;
    }
    size_t uniq = 0;
    for (size_t i = 0; i < nc; i++)
        if (i == 0 || cand[i] != cand[i - 1])
            cand[uniq++] = cand[i];
    /* each thread scores a contiguous part; the parts in order */
    split(j->bounds, uniq, nt);
    run_threads(nt, score_thread, j);
    size_t no = 0;
    for (int t = 0; t < nt; t++)
        no += j->no[t];
    pl_link_pair *out = NULL;
    if (nt == 1) {
        out = j->out[0];
    } else if (no) {
        out = pl_malloc(no * sizeof *out);
        size_t at = 0;
        for (int t = 0; t < nt; t++) {
            if (j->no[t])
                memcpy(out + at, j->out[t], j->no[t] * sizeof *out);
            at += j->no[t];
            free(j->out[t]);
        }
    } else {
        for (int t = 0; t < nt; t++)
            free(j->out[t]);
    }
    free(cand);
    free(j);
    if (no)
        qsort(out, no, sizeof *out, cmp_pair);
    *pairs = out;
    *npairs = no;
    if (candidates)
        *candidates = uniq;
    return 0;
}
