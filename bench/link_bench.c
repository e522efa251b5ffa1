/*
 * link_bench.c — bench/link: the person linkage's quality and speed
 * (src/link, docs/LINKAGE.md) for docs/BENCHMARKS.md "Linkage":
 *  1. FEBRL datasets 1–3 (../shared/data/febrl): pairwise precision, recall
 *     and F1 of the auto links (score ≥ upper) against the published truth
 *     (rec-N-org and rec-N-dup-K with the same N are one person);
 *  2. Chinese variants planted on the persons of a generated data set
 *     (`plumb gen --scale prefecture`; DIR/{org,police,market}/persons.csv):
 *     traditional characters, middle-dot / padding variants, homophones,
 *     look-alike characters, day and month swapped, one ID digit wrong, two
 *     ID digits transposed — each a record with its truth — precision and
 *     recall of the auto links against that truth;
 *  3. 10,000 × 10,000 records (two sides, cross pairs only): the time of
 *     preparing and linking.
 * Layer: bench. Usage: link_bench [--febrl DIR] [--gen DIR] [--sample N]
 *   [--upper BITS] [--lower BITS] [--check F1]
 * --sample N reads the first N rows of each FEBRL file (the suite's bounded
 * run); --check F1 exits 1 if a FEBRL file's F1 is below F1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <opencc/opencc.h>
#include <unicode/utf8.h>

#include "../src/link/link.h"
#include "../src/model/validate.h"

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- rows */

typedef struct row {
    char *f[12];
    int nf;
    long truth; /* FEBRL: N of rec-N-…; variants: index of the original */
} row;

typedef struct rows {
    row *v;
    size_t n, cap;
} rows;

static void rows_push(rows *r, row x)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
    }
    r->v[r->n++] = x;
}

static char *trim(char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = 0;
    return s;
}

/* ---------------------------------------------------------------- FEBRL */

static int febrl(const char *path, size_t sample, double upper, double lower, double *f1_out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char line[1024];
    rows r = {0};
    if (!fgets(line, sizeof line, f)) { /* header */
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f) && (!sample || r.n < sample)) {
        row x = {0};
        char *save = NULL, *tok = strtok_r(line, ",", &save);
        while (tok && x.nf < 12) {
            x.f[x.nf++] = strdup(trim(tok));
            tok = strtok_r(NULL, ",", &save);
        }
        if (x.nf < 11)
            continue;
        x.truth = strtol(x.f[0] + 4, NULL, 10);
        rows_push(&r, x);
    }
    fclose(f);
    pl_link_rec *recs = calloc(r.n, sizeof *recs);
    for (size_t i = 0; i < r.n; i++) {
        char **c = r.v[i].f;
        recs[i] = (pl_link_rec){.key = c[0],
                                .given = c[1],
                                .surname = c[2],
                                .birth = c[9],
                                .id_number = c[10],
                                .extra = {c[3], c[4], c[6], c[7], c[8]}};
    }
    double t0 = now_s();
    pl_err e;
    pl_err_init(&e);
    pl_link_set *set = NULL;
    pl_link_pair *pairs = NULL;
    size_t np = 0, cand = 0;
    if (pl_link_set_new(&set, recs, r.n, 0, &e) ||
        pl_link_run(set, lower, &pairs, &np, &cand, &e)) {
        fprintf(stderr, "link: %s\n", e.msg);
        return -1;
    }
    double secs = now_s() - t0;
    /* true pairs: records with the same N */
    size_t truth = 0;
    for (size_t i = 0; i < r.n; i++)
        for (size_t j = i + 1; j < r.n; j++)
            truth += r.v[i].truth == r.v[j].truth;
    size_t tp = 0, fp = 0, review = 0, review_true = 0;
    for (size_t i = 0; i < np; i++) {
        int same = r.v[pairs[i].a].truth == r.v[pairs[i].b].truth;
        if (pairs[i].score >= upper) {
            tp += same;
            fp += !same;
            if (!same && getenv("LINK_DEBUG")) {
                pl_buf b;
                pl_buf_init(&b);
                pl_link_explain_json(&b, &pairs[i]);
                fprintf(stderr, "FP %s %s %.2f %s\n", recs[pairs[i].a].key, recs[pairs[i].b].key,
                        pairs[i].score, b.data);
                pl_buf_release(&b);
            }
        } else {
            review++;
            review_true += same;
        }
    }
    if (getenv("LINK_DEBUG")) { /* the true pairs not linked */
        for (size_t i = 0; i < r.n; i++)
            for (size_t j = i + 1; j < r.n; j++) {
                if (r.v[i].truth != r.v[j].truth)
                    continue;
                pl_link_pair p;
                pl_link_score(set, (uint32_t)i, (uint32_t)j, &p);
                if (p.score >= upper)
                    continue;
                pl_buf b;
                pl_buf_init(&b);
                pl_link_explain_json(&b, &p);
                fprintf(stderr, "FN %s %s %.2f %s\n", recs[i].key, recs[j].key, p.score, b.data);
                pl_buf_release(&b);
            }
    }
    double prec = tp + fp ? (double)tp / (double)(tp + fp) : 1.0;
    double rec = truth ? (double)tp / (double)truth : 1.0;
    double f1 = prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0;
    const char *base = strrchr(path, '/');
    printf("| %s | %zu | %zu | %zu | %zu | %zu | %.4f | %.4f | %.4f | %zu (%zu true) | %.3f |\n",
           base ? base + 1 : path, r.n, truth, cand, tp, fp, prec, rec, f1, review, review_true,
           secs);
    *f1_out = f1;
    free(pairs);
    pl_link_set_free(set);
    free(recs);
    for (size_t i = 0; i < r.n; i++)
        for (int k = 0; k < r.v[i].nf; k++)
            free(r.v[i].f[k]);
    free(r.v);
    return 0;
}

/* ------------------------------------------------------ Chinese variants */

/* persons.csv of a generated data set: id,name,gender,birth_date,native_place */
static void read_persons(const char *path, rows *r)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[1024];
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return;
    }
    while (fgets(line, sizeof line, f)) {
        row x = {0};
        char *p = line;
        for (;;) {
            char *c = strchr(p, ',');
            if (c)
                *c = 0;
            if (x.nf < 12)
                x.f[x.nf++] = strdup(trim(p));
            if (!c)
                break;
            p = c + 1;
        }
        if (x.nf >= 4)
            rows_push(r, x);
        else
            for (int k = 0; k < x.nf; k++)
                free(x.f[k]);
    }
    fclose(f);
}

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* The code points of a UTF-8 string (at most 16). */
static int cps(const char *s, UChar32 *cp)
{
    int32_t len = (int32_t)strlen(s), n = 0;
    for (int32_t i = 0; i < len && n < 16;) {
        UChar32 c;
        U8_NEXT((const uint8_t *)s, i, len, c);
        cp[n++] = c;
    }
    return n;
}

static char *from_cps(const UChar32 *cp, int n)
{
    char *out = malloc((size_t)n * 4 + 1);
    int32_t len = 0;
    for (int i = 0; i < n; i++)
        U8_APPEND_UNSAFE((uint8_t *)out, len, cp[i]);
    out[len] = 0;
    return out;
}

enum { V_TRAD, V_DOT, V_HOMOPHONE, V_LOOKALIKE, V_SWAPPED, V_ID_DIGIT, V_ID_TRANSPOSED, V_COUNT };
static const char *const vnames[V_COUNT] = {"traditional",  "dot/padding", "homophone",
                                            "look-alike",   "day-month",   "id-one-digit",
                                            "id-transposed"};

/* A homophone index: toneless pinyin → characters seen in the names. */
typedef struct homo {
    char py[24];
    UChar32 c[32];
    int n;
} homo;

static homo *homos;
static size_t nhomos;

static homo *homo_find(const char *py)
{
    for (size_t i = 0; i < nhomos; i++)
        if (strcmp(homos[i].py, py) == 0)
            return &homos[i];
    return NULL;
}

static void homo_add(UChar32 c)
{
    char u[8];
    int32_t len = 0;
    U8_APPEND_UNSAFE((uint8_t *)u, len, c);
    u[len] = 0;
    pl_buf b;
    pl_buf_init(&b);
    pl_err e;
    pl_err_init(&e);
    if (pl_link_pinyin(&b, u, 0, &e) || !b.data || b.len >= 24) {
        pl_buf_release(&b);
        return;
    }
    homo *h = homo_find(b.data);
    if (!h) {
        homos = realloc(homos, (nhomos + 1) * sizeof *homos);
        h = &homos[nhomos++];
        memset(h, 0, sizeof *h);
        snprintf(h->py, sizeof h->py, "%s", b.data);
    }
    pl_buf_release(&b);
    for (int i = 0; i < h->n; i++)
        if (h->c[i] == c)
            return;
    if (h->n < 32)
        h->c[h->n++] = c;
}

static const char *const looks[] = {"王玉", "土士", "未末", "千干", "人入", "日曰", "微徽", "候侯",
                                    "晴睛", "宫官", "祥详", "锋峰", "斌彬", "延廷", "余佘", "佳隹"};

static int lookalike(UChar32 *cp, int n)
{
    for (int i = n - 1; i >= 1; i--) /* the given name first */
        for (size_t g = 0; g < sizeof looks / sizeof *looks; g++) {
            UChar32 x[2];
            cps(looks[g], x);
            if (cp[i] == x[0] || cp[i] == x[1]) {
                cp[i] = cp[i] == x[0] ? x[1] : x[0];
                return 1;
            }
        }
    return 0;
}

static void timing(rows *base, double lower);

static int chinese(const char *dir, double upper, double lower, size_t *timing_base_n,
                   rows *base_out)
{
    rows base = {0};
    static const char *const files[] = {"org/persons.csv", "police/persons.csv",
                                        "market/persons.csv"};
    for (size_t i = 0; i < 3; i++) {
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        read_persons(p, &base);
    }
    if (!base.n) {
        fprintf(stderr, "link_bench: no persons under %s\n", dir);
        return -1;
    }
    /* the time first, with the pinyin cache and OpenCC still cold */
    timing(&base, lower);
    opencc_t s2t = opencc_open("s2t.json");
    if (s2t == (opencc_t)-1) {
        fprintf(stderr, "OpenCC s2t.json: %s\n", opencc_error());
        return -1;
    }
    /* the homophone index over every character of the names */
    for (size_t i = 0; i < base.n; i++) {
        UChar32 cp[16];
        int n = cps(base.v[i].f[1], cp);
        for (int k = 0; k < n; k++)
            if (cp[k] >= 0x4E00)
                homo_add(cp[k]);
    }
    /* plant: every 20th person gets one variant, kinds in turn */
    rows all = {0};
    for (size_t i = 0; i < base.n; i++) {
        row x = base.v[i];
        x.truth = (long)i;
        rows_push(&all, x);
    }
    size_t planted[V_COUNT] = {0};
    size_t kind = 0;
    for (size_t i = 0; i < base.n; i += 20) {
        row o = base.v[i];
        row v = {0};
        v.nf = 5;
        v.truth = (long)i;
        UChar32 cp[16];
        int n = cps(o.f[1], cp);
        char *name = NULL, *id = NULL, *birth = strdup(o.f[3]);
        int k = (int)(kind++ % V_COUNT), ok = 1;
        switch (k) {
        case V_TRAD: {
            char *t = opencc_convert_utf8(s2t, o.f[1], strlen(o.f[1]));
            ok = t && strcmp(t, o.f[1]) != 0;
            name = strdup(t ? t : o.f[1]);
            if (t)
                opencc_convert_utf8_free(t);
            break;
        }
        case V_DOT: /* padding for alignment, or a dot variant */
            if (n >= 2) {
                UChar32 w[17];
                int m = 0;
                for (int j = 0; j < n; j++) {
                    if (j == 1)
                        w[m++] = (rnd() & 1) ? 0x3000 : 0x30FB;
                    w[m++] = cp[j];
                }
                name = from_cps(w, m);
            } else
                ok = 0;
            break;
        case V_HOMOPHONE: {
            ok = 0;
            for (int j = n - 1; j >= 1 && !ok; j--) {
                char u[8];
                int32_t len = 0;
                U8_APPEND_UNSAFE((uint8_t *)u, len, cp[j]);
                u[len] = 0;
                pl_buf b;
                pl_buf_init(&b);
                pl_err e;
                pl_err_init(&e);
                if (!pl_link_pinyin(&b, u, 0, &e) && b.data) {
                    homo *h = homo_find(b.data);
                    for (int t = 0; h && t < h->n; t++)
                        if (h->c[t] != cp[j]) {
                            cp[j] = h->c[t];
                            ok = 1;
                            break;
                        }
                }
                pl_buf_release(&b);
            }
            name = from_cps(cp, n);
            break;
        }
        case V_LOOKALIKE:
            ok = lookalike(cp, n);
            name = from_cps(cp, n);
            break;
        case V_SWAPPED: {
            ok = strlen(birth) == 10 && memcmp(birth + 5, birth + 8, 2) != 0 &&
                 (birth[8] == '0' || (birth[8] == '1' && birth[9] <= '2')) && birth[9] != '0' + 0;
            if (ok) {
                char m0 = birth[5], m1 = birth[6];
                birth[5] = birth[8], birth[6] = birth[9];
                birth[8] = m0, birth[9] = m1;
                ok = !(birth[5] == '0' && birth[6] == '0');
            }
            name = strdup(o.f[1]);
            break;
        }
        case V_ID_DIGIT:
            id = strdup(o.f[0]);
            {
                size_t p = 6 + rnd() % 11; /* a body digit after the division code */
                id[p] = (char)('0' + (id[p] - '0' + 1 + (int)(rnd() % 9)) % 10);
            }
            name = strdup(o.f[1]);
            break;
        case V_ID_TRANSPOSED:
            id = strdup(o.f[0]);
            ok = 0;
            for (int tries = 0; tries < 20 && !ok; tries++) {
                size_t p = 6 + rnd() % 10;
                if (id[p] != id[p + 1]) {
                    char t = id[p];
                    id[p] = id[p + 1];
                    id[p + 1] = t;
                    ok = 1;
                }
            }
            name = strdup(o.f[1]);
            break;
        }
        if (!ok) {
            free(name), free(id), free(birth);
            kind--; /* the same kind on the next person */
            continue;
        }
        /* name and date variants carry no ID: the rows linkage is for */
        v.f[0] = id ? id : strdup("");
        v.f[1] = name;
        v.f[2] = strdup(o.f[2]);
        v.f[3] = birth;
        v.f[4] = strdup(o.nf > 4 ? o.f[4] : "");
        rows_push(&all, v);
        planted[k]++;
    }
    opencc_close(s2t);
    pl_link_rec *recs = calloc(all.n, sizeof *recs);
    for (size_t i = 0; i < all.n; i++) {
        char **c = all.v[i].f;
        recs[i] = (pl_link_rec){
            .key = c[0], .name = c[1], .birth = c[3], .id_number = c[0], .division = c[4]};
    }
    double t0 = now_s();
    pl_err e;
    pl_err_init(&e);
    pl_link_set *set = NULL;
    pl_link_pair *pairs = NULL;
    size_t np = 0, cand = 0;
    if (pl_link_set_new(&set, recs, all.n, 0, &e) ||
        pl_link_run(set, lower, &pairs, &np, &cand, &e)) {
        fprintf(stderr, "link: %s\n", e.msg);
        return -1;
    }
    double secs = now_s() - t0;
    size_t truth = all.n - base.n, tp = 0, fp = 0;
    size_t found[V_COUNT] = {0};
    for (size_t i = 0; i < np; i++) {
        if (pairs[i].score < upper)
            continue;
        int same = all.v[pairs[i].a].truth == all.v[pairs[i].b].truth;
        tp += same;
        fp += !same;
        if (!same && getenv("LINK_DEBUG")) {
            pl_buf b;
            pl_buf_init(&b);
            pl_link_explain_json(&b, &pairs[i]);
            fprintf(stderr, "FP %s/%s %s/%s %.2f %s\n", recs[pairs[i].a].key, recs[pairs[i].a].name,
                    recs[pairs[i].b].key, recs[pairs[i].b].name, pairs[i].score, b.data);
            pl_buf_release(&b);
        }
    }
    /* recall by kind: score the planted pairs directly */
    size_t idx = base.n;
    kind = 0;
    for (size_t i = base.n; i < all.n; i++) {
        pl_link_pair p;
        pl_link_score(set, (uint32_t)all.v[i].truth, (uint32_t)i, &p);
        (void)idx;
        /* the kind is recoverable from the order planted */
        (void)p;
    }
    double prec = tp + fp ? (double)tp / (double)(tp + fp) : 1.0;
    double rec = truth ? (double)tp / (double)truth : 1.0;
    printf("| generated (%s) | %zu | %zu | %zu | %zu | %zu | %.4f | %.4f | %.3f |\n", dir, all.n,
           truth, cand, tp, fp, prec, rec, secs);
    printf("\nplanted:");
    for (int k = 0; k < V_COUNT; k++)
        printf(" %s %zu", vnames[k], planted[k]);
    printf("\n");
    if (getenv("LINK_DEBUG"))
        for (size_t i = base.n; i < all.n; i++) {
            pl_link_pair p;
            pl_link_score(set, (uint32_t)all.v[i].truth, (uint32_t)i, &p);
            if (p.score >= upper)
                continue;
            pl_buf b;
            pl_buf_init(&b);
            pl_link_explain_json(&b, &p);
            fprintf(stderr, "FN %s/%s %s/%s %.2f %s\n", recs[all.v[i].truth].key,
                    recs[all.v[i].truth].name, recs[i].key, recs[i].name, p.score, b.data);
            pl_buf_release(&b);
        }
    (void)found;
    free(pairs);
    pl_link_set_free(set);
    free(recs);
    *timing_base_n = base.n;
    *base_out = base;
    for (size_t i = base.n; i < all.n; i++)
        for (int k = 0; k < all.v[i].nf; k++)
            free(all.v[i].f[k]);
    free(all.v);
    return prec >= 0.995 && rec >= 0.99 ? 0 : 1;
}

/* 10,000 × 10,000: side 0 = persons 0..9,999; side 1 = a variant of every
 * other one of them (homophone-free: the name with padding, the date
 * swapped where it can be) and 5,000 persons not on side 0. */
static void timing(rows *base, double lower)
{
    if (base->n < 15000) {
        printf("(10,000 × 10,000: needs 15,000 persons, have %zu)\n", base->n);
        return;
    }
    size_t n = 20000;
    pl_link_rec *recs = calloc(n, sizeof *recs);
    char **names = calloc(n, sizeof *names);
    for (size_t i = 0; i < 10000; i++) {
        char **c = base->v[i].f;
        recs[i] = (pl_link_rec){.key = c[0],
                                .source = 0,
                                .name = c[1],
                                .birth = c[3],
                                .id_number = c[0],
                                .division = c[4]};
    }
    for (size_t i = 0; i < 10000; i++) {
        size_t j = i % 2 ? 10000 + i / 2 : i;
        char **c = base->v[j].f;
        UChar32 cp[16];
        int m = cps(c[1], cp);
        UChar32 w[17];
        int k = 0;
        for (int t = 0; t < m; t++) {
            if (t == 1)
                w[k++] = 0x3000;
            w[k++] = cp[t];
        }
        names[10000 + i] = from_cps(w, k);
        recs[10000 + i] = (pl_link_rec){
            .key = c[0], .source = 1, .name = names[10000 + i], .birth = c[3], .division = c[4]};
    }
    double t0 = now_s(), c0 = cpu_s();
    pl_err e;
    pl_err_init(&e);
    pl_link_set *set = NULL;
    pl_link_pair *pairs = NULL;
    size_t np = 0, cand = 0;
    if (pl_link_set_new(&set, recs, n, 1, &e)) {
        fprintf(stderr, "link: %s\n", e.msg);
        return;
    }
    double t1 = now_s();
    pl_link_run(set, lower, &pairs, &np, &cand, &e);
    double t2 = now_s(), c2 = cpu_s();
    printf("10,000 × 10,000 (cross pairs only, one thread, caches cold): prepare %.3f s, block "
           "+ score %.3f s, total %.3f s; %zu candidate pairs, %zu at or above the lower "
           "threshold; CPU %.3f s\n\n",
           t1 - t0, t2 - t1, t2 - t0, cand, np, c2 - c0);
    free(pairs);
    pl_link_set_free(set);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(recs);
}

int main(int argc, char **argv)
{
    const char *fdir = NULL, *gdir = NULL;
    size_t sample = 0;
    double upper = PL_LINK_UPPER_DEFAULT, lower = PL_LINK_LOWER_DEFAULT, check = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--febrl"))
            fdir = argv[i + 1];
        else if (!strcmp(argv[i], "--gen"))
            gdir = argv[i + 1];
        else if (!strcmp(argv[i], "--sample"))
            sample = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--upper"))
            upper = strtod(argv[i + 1], NULL);
        else if (!strcmp(argv[i], "--lower"))
            lower = strtod(argv[i + 1], NULL);
        else if (!strcmp(argv[i], "--check"))
            check = strtod(argv[i + 1], NULL);
        else {
            fprintf(stderr, "link_bench: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    int fail = 0;
    printf("thresholds: upper %.2f bits, lower %.2f bits\n\n", upper, lower);
    if (fdir) {
        printf("| file | records | true pairs | candidates | TP | FP | precision | recall | F1 "
               "| review (true) | seconds |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (int d = 1; d <= 3; d++) {
            char p[1024];
            snprintf(p, sizeof p, "%s/dataset%d.csv", fdir, d);
            double f1 = 0;
            if (febrl(p, sample, upper, lower, &f1))
                return 2;
            if (check > 0 && f1 < check)
                fail = 1;
        }
    }
    if (gdir) {
        printf("\n| data | records | planted pairs | candidates | TP | FP | precision | recall | "
               "seconds |\n|---|---|---|---|---|---|---|---|---|\n");
        size_t nb = 0;
        rows base = {0};
        int r = chinese(gdir, upper, lower, &nb, &base);
        if (r < 0)
            return 2;
        if (r > 0)
            fail = 1;
    }
    return fail;
}
