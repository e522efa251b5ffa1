/*
 * link_bench.c — bench/link: the person linkage's quality and speed
 * (src/link, docs/LINKAGE.md) for docs/BENCHMARKS.md "Linkage":
 *  1. FEBRL datasets 1–3 (../shared/data/febrl): pairwise precision, recall
 *     and F1 of the auto links (score ≥ upper) against the published truth
 *     (rec-N-org and rec-N-dup-K with the same N are one person);
 *  2. the linkage variants `plumb gen` plants with their truth
 *     (DIR/truth.json "links", src/gen/gen_link.c: padding, middle dot,
 *     traditional, pinyin, homophone, look-alike, day/month swapped, and
 *     near misses), counted at the lower threshold (every record carries a
 *     valid ID: found = linked or queued); and the two kinds the store
 *     cannot hold — one ID digit wrong, two ID digits transposed — planted
 *     here in memory and counted as auto links (score ≥ upper);
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

#include <jansson.h>
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

/* id → index over a sorted copy */
typedef struct idx {
    const char *id;
    size_t i;
} idx;

static int cmp_idx(const void *a, const void *b)
{
    return strcmp(((const idx *)a)->id, ((const idx *)b)->id);
}

static long idx_find(const idx *v, size_t n, const char *id)
{
    idx k = {id, 0};
    const idx *r = bsearch(&k, v, n, sizeof *v, cmp_idx);
    return r ? (long)r->i : -1;
}

/* The generator's kinds (src/gen/gen_link.c), in truth.json order. */
#define GK_MAX 16

static void timing(rows *base, double lower);

/*
 * The generated data set's persons, each with its smallest company (from
 * market/company_roles.csv, as `plumb link run` reads the store), and the
 * pairs truth.json "links" lists (plumb gen plants them: src/gen/gen_link.c).
 * Every record carries a valid citizen ID, so two records of one person
 * carry two valid IDs and never reach the upper threshold alone
 * (docs/LINKAGE.md): a pair counts as found at or above the LOWER threshold
 * (linked or queued for review), as tests/cli/link_gen_truth.sh counts it
 * in the store. Then the bench's own planting, only of what the generator
 * cannot plant — an ID with one wrong digit or two transposed digits (no
 * person of the store can carry an ID failing GB 11643's check): a copy of
 * every 40th person with such an ID, its name and birth date, counted at
 * the UPPER threshold (an auto link).
 */
static int chinese(const char *dir, double upper, double lower)
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
    /* the time first, with the pinyin cache still cold */
    timing(&base, lower);
    idx *ix = calloc(base.n, sizeof *ix);
    for (size_t i = 0; i < base.n; i++)
        ix[i] = (idx){base.v[i].f[0], i};
    qsort(ix, base.n, sizeof *ix, cmp_idx);
    char **company = calloc(base.n, sizeof *company);
    rows cr = {0}; /* id,company_id,person_id,… */
    {
        char p[1024];
        snprintf(p, sizeof p, "%s/market/company_roles.csv", dir);
        read_persons(p, &cr);
        for (size_t i = 0; i < cr.n; i++) {
            long k = cr.v[i].nf > 2 ? idx_find(ix, base.n, cr.v[i].f[2]) : -1;
            if (k >= 0 && (!company[k] || strcmp(cr.v[i].f[1], company[k]) < 0))
                company[k] = cr.v[i].f[1];
        }
    }
    char p[1024];
    snprintf(p, sizeof p, "%s/truth.json", dir);
    json_t *truth = json_load_file(p, 0, NULL);
    json_t *links = json_object_get(truth, "links");
    if (!json_is_array(links)) {
        fprintf(stderr,
                "link_bench: %s has no \"links\" (a data set of plumb gen before issue #19 "
                "item 4)\n",
                p);
        return -1;
    }
    pl_link_rec *recs = calloc(base.n, sizeof *recs);
    for (size_t i = 0; i < base.n; i++) {
        char **c = base.v[i].f;
        recs[i] = (pl_link_rec){.key = c[0],
                                .name = c[1],
                                .birth = c[3],
                                .id_number = c[0],
                                .division = base.v[i].nf > 4 ? c[4] : NULL,
                                .company = company[i]};
    }
    double t0 = now_s();
    pl_err e;
    pl_err_init(&e);
    pl_link_set *set = NULL;
    pl_link_pair *pairs = NULL;
    size_t np = 0, cand = 0;
    if (pl_link_set_new(&set, recs, base.n, 0, &e) ||
        pl_link_run(set, lower, &pairs, &np, &cand, &e)) {
        fprintf(stderr, "link: %s\n", e.msg);
        return -1;
    }
    double secs = now_s() - t0;
    /* the planted records and the truth's pairs (record indexes) */
    char *planted = calloc(base.n, 1);
    size_t nt = json_array_size(links), ntrue = 0;
    long(*tp_pairs)[2] = calloc(nt ? nt : 1, sizeof *tp_pairs);
    int *tsame = calloc(nt ? nt : 1, sizeof *tsame);
    const char *kname[GK_MAX] = {0};
    size_t kn[GK_MAX] = {0}, kfound[GK_MAX] = {0}, kauto[GK_MAX] = {0};
    int *tkind = calloc(nt ? nt : 1, sizeof *tkind);
    for (size_t i = 0; i < nt; i++) {
        json_t *x = json_array_get(links, i);
        long a = idx_find(ix, base.n, json_string_value(json_object_get(x, "a")));
        long b = idx_find(ix, base.n, json_string_value(json_object_get(x, "b")));
        if (a < 0 || b < 0) {
            fprintf(stderr, "link_bench: truth.json links[%zu]: a record not in the files\n", i);
            return -1;
        }
        planted[b] = 1;
        tp_pairs[i][0] = a < b ? a : b;
        tp_pairs[i][1] = a < b ? b : a;
        tsame[i] = json_is_true(json_object_get(x, "same"));
        ntrue += (size_t)tsame[i];
        const char *k = json_string_value(json_object_get(x, "kind"));
        int g = 0;
        while (g < GK_MAX && kname[g] && strcmp(kname[g], k ? k : "?"))
            g++;
        if (g == GK_MAX)
            g = GK_MAX - 1;
        if (!kname[g])
            kname[g] = k ? k : "?";
        tkind[i] = g;
        kn[g]++;
    }
    size_t found = 0, tp = 0, autos = 0, auto_tp = 0;
    for (size_t i = 0; i < np; i++) {
        if (!planted[pairs[i].a] && !planted[pairs[i].b])
            continue;
        found++;
        autos += pairs[i].score >= upper;
        for (size_t t = 0; t < nt; t++)
            if (tp_pairs[t][0] == (long)pairs[i].a && tp_pairs[t][1] == (long)pairs[i].b) {
                if (tsame[t]) {
                    tp++;
                    auto_tp += pairs[i].score >= upper;
                }
                kfound[tkind[t]]++;
                kauto[tkind[t]] += pairs[i].score >= upper;
                break;
            }
    }
    double prec = found ? (double)tp / (double)found : 1.0;
    double rec = ntrue ? (double)tp / (double)ntrue : 1.0;
    printf("| generated truth (%s) | %zu | %zu | %zu | %zu | %zu | %zu | %.4f | %.4f | %.3f |\n",
           dir, base.n, ntrue, nt - ntrue, cand, tp, found - tp, prec, rec, secs);
    printf("\nby kind (found = at or above the lower threshold; auto = at or above the upper):");
    for (int g = 0; g < GK_MAX && kname[g]; g++)
        printf(" %s %zu/%zu (auto %zu)", kname[g], kfound[g], kn[g], kauto[g]);
    printf("\nauto links among them: %zu (%zu true)\n", autos, auto_tp);
    free(pairs);
    pl_link_set_free(set);

    /* the bench's own planting: the ID kinds the store cannot carry */
    rows all = {0};
    for (size_t i = 0; i < base.n; i++) {
        row x = base.v[i];
        x.truth = (long)i;
        rows_push(&all, x);
    }
    size_t nid[2] = {0};
    int kind = 0;
    for (size_t i = 0; i < base.n; i += 40) {
        if (planted[i])
            continue;
        row o = base.v[i];
        row v = {0};
        v.nf = 5;
        v.truth = (long)i;
        char *id = strdup(o.f[0]);
        int ok = 1;
        if (kind == 0) {
            size_t q = 6 + rnd() % 11; /* a body digit after the division code */
            id[q] = (char)('0' + (id[q] - '0' + 1 + (int)(rnd() % 9)) % 10);
        } else {
            ok = 0;
            for (int tries = 0; tries < 20 && !ok; tries++) {
                size_t q = 6 + rnd() % 10;
                if (id[q] != id[q + 1]) {
                    char t = id[q];
                    id[q] = id[q + 1];
                    id[q + 1] = t;
                    ok = 1;
                }
            }
        }
        if (!ok) {
            free(id);
            continue;
        }
        v.f[0] = id;
        v.f[1] = strdup(o.f[1]);
        v.f[2] = strdup(o.f[2]);
        v.f[3] = strdup(o.f[3]);
        v.f[4] = strdup(o.nf > 4 ? o.f[4] : "");
        rows_push(&all, v);
        nid[kind]++;
        kind ^= 1;
    }
    pl_link_rec *r2 = calloc(all.n, sizeof *r2);
    for (size_t i = 0; i < all.n; i++) {
        char **c = all.v[i].f;
        r2[i] = (pl_link_rec){
            .key = c[0], .name = c[1], .birth = c[3], .id_number = c[0], .division = c[4]};
    }
    t0 = now_s();
    if (pl_link_set_new(&set, r2, all.n, 0, &e) ||
        pl_link_run(set, lower, &pairs, &np, &cand, &e)) {
        fprintf(stderr, "link: %s\n", e.msg);
        return -1;
    }
    double secs2 = now_s() - t0;
    size_t id_true = all.n - base.n, id_tp = 0, id_fp = 0;
    for (size_t i = 0; i < np; i++) {
        if (pairs[i].score < upper || (pairs[i].a < base.n && pairs[i].b < base.n))
            continue;
        int same = all.v[pairs[i].a].truth == all.v[pairs[i].b].truth;
        id_tp += same;
        id_fp += !same;
    }
    double p2 = id_tp + id_fp ? (double)id_tp / (double)(id_tp + id_fp) : 1.0;
    double r2v = id_true ? (double)id_tp / (double)id_true : 1.0;
    printf("\n| bench-planted IDs (%s) | %zu | one digit %zu, transposed %zu | %zu | %zu | %zu | "
           "%.4f | %.4f | %.3f |\n",
           dir, all.n, nid[0], nid[1], cand, id_tp, id_fp, p2, r2v, secs2);
    free(pairs);
    pl_link_set_free(set);
    free(r2);
    for (size_t i = base.n; i < all.n; i++)
        for (int k = 0; k < all.v[i].nf; k++)
            free(all.v[i].f[k]);
    free(all.v);
    free(recs), free(planted), free(tp_pairs), free(tsame), free(tkind), free(company), free(ix);
    json_decref(truth);
    for (size_t i = 0; i < cr.n; i++)
        for (int k = 0; k < cr.v[i].nf; k++)
            free(cr.v[i].f[k]);
    free(cr.v);
    for (size_t i = 0; i < base.n; i++)
        for (int k = 0; k < base.v[i].nf; k++)
            free(base.v[i].f[k]);
    free(base.v);
    return prec >= 0.995 && rec >= 0.99 && p2 >= 0.995 && r2v >= 0.99 ? 0 : 1;
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
        printf("\n| data | records | true pairs | near misses | candidates | TP | FP | precision | "
               "recall | seconds |\n|---|---|---|---|---|---|---|---|---|---|\n");
        int r = chinese(gdir, upper, lower);
        if (r < 0)
            return 2;
        if (r > 0)
            fail = 1;
    }
    return fail;
}
