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
 *     valid ID: found = linked or queued); and the person records the
 *     generator plants (ID one digit wrong, two digits transposed, no ID,
 *     same household, and their near misses), counted as auto links
 *     (score ≥ upper);
 *  3. 10,000 × 10,000 records (two sides, cross pairs only): the time of
 *     preparing and linking.
 *  4. weights estimated by EM on training sets and scored on held-out ones
 *     (--em-train, --em-test: below, "EM-fitted weights").
 * Layer: bench. Usage: link_bench [--febrl DIR] [--gen DIR] [--sample N]
 *   [--upper BITS] [--lower BITS] [--check F1]
 *   [--em-train LIST --em-test LIST] (comma lists; a .csv is a FEBRL file,
 *   anything else a generated directory)
 * --sample N reads the first N rows of each FEBRL file (the suite's bounded
 * run); --check F1 exits 1 if a FEBRL file's F1 is below F1.
 */
#include <math.h>
#include <stdint.h>
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

static int same_threads(const char *what, const pl_link_rec *recs, size_t n, int cross,
                        double lower);

/* --timing-only: the 10,000 × 10,000 time alone (for perf); --threads N:
 * the threads pl_link_set_new_threads gets there (0 = the default). */
static int g_timing_only, g_threads;
/* --same-threads N: link each data set with 1 and with N threads as well
 * and exit 1 unless the two results are identical (tests/cli/link_threads.sh). */
static int g_same_threads, g_same_fail;

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
    if (g_same_threads > 1) {
        const char *base = strrchr(path, '/');
        same_threads(base ? base + 1 : path, recs, r.n, 0, lower);
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
#define GK_MAX 32

static void timing(rows *base, double lower);

/*
 * The generated data set's persons, each with its smallest company (from
 * market/company_roles.csv, as `plumb link run` reads the store), and the
 * pairs truth.json "links" lists (plumb gen plants them: src/gen/gen_link.c).
 * Every record carries a valid citizen ID, so two records of one person
 * carry two valid IDs and never reach the upper threshold alone
 * (docs/LINKAGE.md): a pair counts as found at or above the LOWER threshold
 * (linked or queued for review), as tests/cli/link_gen_truth.sh counts it
 * in the store. The person records (person_records.csv: register rows
 * without a reliable ID — the ID as written with one wrong digit or two
 * transposed digits, no ID, a household — and their near misses) are
 * linked to the persons in the same run, as `plumb link run` does, and
 * counted at the UPPER threshold (found = an auto link), as
 * link_gen_truth.sh counts them.
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
    if (g_timing_only) {
        for (size_t i = 0; i < base.n; i++)
            for (int k = 0; k < base.v[i].nf; k++)
                free(base.v[i].f[k]);
        free(base.v);
        return 0;
    }
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
    /* the person records (person_records.csv of the market and police
     * registers: id,source,name,gender,birth_date,id_as_written,
     * division_code,household,company_id,…), after the persons, keyed
     * "person_records:<id>" as the store names them; a police row whose ID
     * as written is a person's id gives that person its household (户号),
     * as `plumb link run` reads the store (docs/LINKAGE.md) */
    size_t npers = base.n;
    rows rr = {0};
    {
        static const char *const rf[] = {"market/person_records.csv", "police/person_records.csv"};
        for (int i = 0; i < 2; i++) {
            snprintf(p, sizeof p, "%s/%s", dir, rf[i]);
            read_persons(p, &rr);
        }
    }
    size_t ntot = npers + rr.n;
    char **household = calloc(ntot ? ntot : 1, sizeof *household);
    char **rkey = calloc(rr.n ? rr.n : 1, sizeof *rkey);
    for (size_t i = 0; i < rr.n; i++) {
        char **c = rr.v[i].f;
        size_t len = strlen(c[0]) + 16;
        rkey[i] = malloc(len);
        snprintf(rkey[i], len, "person_records:%s", c[0]);
        long k = rr.v[i].nf > 7 && *c[7] && *c[5] ? idx_find(ix, npers, c[5]) : -1;
        if (k >= 0 && (!household[k] || strcmp(c[7], household[k]) < 0))
            household[k] = c[7];
    }
    idx *ix2 = calloc(ntot ? ntot : 1, sizeof *ix2);
    for (size_t i = 0; i < ntot; i++)
        ix2[i] = (idx){i < npers ? base.v[i].f[0] : rkey[i - npers], i};
    qsort(ix2, ntot, sizeof *ix2, cmp_idx);
    pl_link_rec *recs = calloc(ntot ? ntot : 1, sizeof *recs);
    for (size_t i = 0; i < npers; i++) {
        char **c = base.v[i].f;
        recs[i] = (pl_link_rec){.key = c[0],
                                .name = c[1],
                                .birth = c[3],
                                .id_number = c[0],
                                .division = base.v[i].nf > 4 ? c[4] : NULL,
                                .company = company[i],
                                .household = household[i]};
    }
    for (size_t i = 0; i < rr.n; i++) {
        char **c = rr.v[i].f;
        int nf = rr.v[i].nf;
        recs[npers + i] = (pl_link_rec){.key = rkey[i],
                                        .name = nf > 2 ? c[2] : NULL,
                                        .birth = nf > 4 ? c[4] : NULL,
                                        .id_number = nf > 5 ? c[5] : NULL,
                                        .division = nf > 6 ? c[6] : NULL,
                                        .household = nf > 7 ? c[7] : NULL,
                                        .company = nf > 8 ? c[8] : NULL};
    }
    if (g_same_threads > 1)
        same_threads(dir, recs, ntot, 0, lower);
    double t0 = now_s();
    pl_err e;
    pl_err_init(&e);
    pl_link_set *set = NULL;
    pl_link_pair *pairs = NULL;
    size_t np = 0, cand = 0;
    if (pl_link_set_new(&set, recs, ntot, 0, &e) ||
        pl_link_run(set, lower, &pairs, &np, &cand, &e)) {
        fprintf(stderr, "link: %s\n", e.msg);
        return -1;
    }
    double secs = now_s() - t0;
    /* the planted records and the truth's pairs (record indexes) */
    char *planted = calloc(ntot ? ntot : 1, 1);
    size_t nt = json_array_size(links), ntrue[2] = {0}, nnear[2] = {0};
    long(*tp_pairs)[2] = calloc(nt ? nt : 1, sizeof *tp_pairs);
    int *tsame = calloc(nt ? nt : 1, sizeof *tsame);
    const char *kname[GK_MAX] = {0};
    size_t kn[GK_MAX] = {0}, kfound[GK_MAX] = {0}, kauto[GK_MAX] = {0};
    int *tkind = calloc(nt ? nt : 1, sizeof *tkind);
    for (size_t i = 0; i < nt; i++) {
        json_t *x = json_array_get(links, i);
        long a = idx_find(ix2, ntot, json_string_value(json_object_get(x, "a")));
        long b = idx_find(ix2, ntot, json_string_value(json_object_get(x, "b")));
        if (a < 0 || b < 0) {
            fprintf(stderr, "link_bench: truth.json links[%zu]: a record not in the files\n", i);
            return -1;
        }
        planted[b] = 1;
        tp_pairs[i][0] = a < b ? a : b;
        tp_pairs[i][1] = a < b ? b : a;
        tsame[i] = json_is_true(json_object_get(x, "same"));
        int isrec = (size_t)b >= npers;
        ntrue[isrec] += (size_t)tsame[i];
        nnear[isrec] += (size_t)!tsame[i];
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
    /* persons (every one with a valid ID): found at the lower threshold;
     * person records (no reliable ID): found = linked, at the upper one */
    size_t found[2] = {0}, tp[2] = {0}, autos = 0, auto_tp = 0;
    for (size_t i = 0; i < np; i++) {
        size_t a = pairs[i].a, b = pairs[i].b;
        if (a >= npers && b >= npers)
            continue; /* records are linked to persons only */
        if (!planted[a] && !planted[b])
            continue;
        int isrec = a >= npers || b >= npers;
        int is_auto = pairs[i].score >= upper;
        if (isrec && !is_auto)
            continue;
        found[isrec]++;
        autos += !isrec && is_auto;
        size_t lo = a < b ? a : b, hi = a < b ? b : a;
        for (size_t t = 0; t < nt; t++)
            if (tp_pairs[t][0] == (long)lo && tp_pairs[t][1] == (long)hi) {
                if (tsame[t]) {
                    tp[isrec]++;
                    auto_tp += !isrec && is_auto;
                }
                kfound[tkind[t]]++;
                kauto[tkind[t]] += is_auto;
                break;
            }
    }
    double prec = found[0] ? (double)tp[0] / (double)found[0] : 1.0;
    double rec = ntrue[0] ? (double)tp[0] / (double)ntrue[0] : 1.0;
    double p2 = found[1] ? (double)tp[1] / (double)found[1] : 1.0;
    double r2v = ntrue[1] ? (double)tp[1] / (double)ntrue[1] : 1.0;
    printf(
        "| generated truth, persons (%s) | %zu | %zu | %zu | %zu | %zu | %zu | %.4f | %.4f | %.3f "
        "|\n",
        dir, ntot, ntrue[0], nnear[0], cand, tp[0], found[0] - tp[0], prec, rec, secs);
    printf("| generated truth, person records (%s) | %zu | %zu | %zu | %zu | %zu | %zu | %.4f | "
           "%.4f | %.3f |\n",
           dir, ntot, ntrue[1], nnear[1], cand, tp[1], found[1] - tp[1], p2, r2v, secs);
    printf("\nby kind (found: persons at or above the lower threshold, person records at or "
           "above the upper; auto = at or above the upper):");
    for (int g = 0; g < GK_MAX && kname[g]; g++)
        printf(" %s %zu/%zu (auto %zu)", kname[g], kfound[g], kn[g], kauto[g]);
    printf("\nauto links among the persons' pairs: %zu (%zu true)\n", autos, auto_tp);
    free(pairs);
    pl_link_set_free(set);
    for (size_t i = 0; i < rr.n; i++) {
        free(rkey[i]);
        for (int k = 0; k < rr.v[i].nf; k++)
            free(rr.v[i].f[k]);
    }
    free(rr.v), free(rkey), free(household), free(ix2);
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
    int nt = g_threads > 0 ? g_threads : pl_link_default_threads();
    if (pl_link_set_new_threads(&set, recs, n, 1, nt, &e)) {
        fprintf(stderr, "link: %s\n", e.msg);
        return;
    }
    double t1 = now_s();
    pl_link_run(set, lower, &pairs, &np, &cand, &e);
    double t2 = now_s(), c2 = cpu_s();
    printf("10,000 × 10,000 (cross pairs only, %d thread%s, caches cold): prepare %.3f s, block "
           "+ score %.3f s, total %.3f s; %zu candidate pairs, %zu at or above the lower "
           "threshold; CPU %.3f s\n\n",
           nt, nt == 1 ? "" : "s", t1 - t0, t2 - t1, t2 - t0, cand, np, c2 - c0);
    free(pairs);
    pl_link_set_free(set);
    if (g_same_threads > 1)
        same_threads("10,000 × 10,000", recs, n, 1, lower);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(recs);
}

/* The data set linked on one thread and on g_same_threads threads: the
 * same candidates, the same pairs in the same order, the same scores
 * (bit for bit) and features. Prints one line; 1 if they differ. */
static int same_threads(const char *what, const pl_link_rec *recs, size_t n, int cross,
                        double lower)
{
    pl_link_pair *p[2] = {NULL, NULL};
    size_t np[2] = {0, 0}, cand[2] = {0, 0};
    int nt[2] = {1, g_same_threads};
    for (int r = 0; r < 2; r++) {
        pl_err e;
        pl_err_init(&e);
        pl_link_set *set = NULL;
        if (pl_link_set_new_threads(&set, recs, n, cross, nt[r], &e) ||
            pl_link_run(set, lower, &p[r], &np[r], &cand[r], &e)) {
            fprintf(stderr, "link: %s\n", e.msg);
            pl_link_set_free(set);
            free(p[0]);
            return 1;
        }
        pl_link_set_free(set);
    }
    const char *diff = NULL;
    size_t at = 0;
    if (cand[0] != cand[1])
        diff = "candidate count";
    else if (np[0] != np[1])
        diff = "pair count";
    for (size_t i = 0; !diff && i < np[0]; i++) {
        const pl_link_pair *x = &p[0][i], *y = &p[1][i];
        at = i;
        if (x->a != y->a || x->b != y->b)
            diff = "pair";
        else if (memcmp(&x->score, &y->score, sizeof x->score) != 0)
            diff = "score";
        else if (x->nf != y->nf)
            diff = "feature count";
        for (int f = 0; !diff && f < x->nf; f++)
            if (x->f[f].feature != y->f[f].feature || x->f[f].level != y->f[f].level ||
                memcmp(&x->f[f].weight, &y->f[f].weight, sizeof x->f[f].weight) != 0)
                diff = "feature";
    }
    if (diff)
        printf("threads 1 ≠ %d on %s: %s differs (1 thread: %zu candidates, %zu pairs; %d "
               "threads: %zu candidates, %zu pairs; first at pair %zu)\n",
               nt[1], what, diff, cand[0], np[0], nt[1], cand[1], np[1], at);
    else
        printf("threads 1 = %d on %s: %zu records, %zu candidates, %zu pairs identical\n", nt[1],
               what, n, cand[0], np[0]);
    free(p[0]);
    free(p[1]);
    if (diff)
        g_same_fail = 1;
    return diff ? 1 : 0;
}

/* ------------------------------------------------- EM-fitted weights */

/*
 * Fellegi–Sunter m and u estimated by EM (Winkler 1988, "Using the EM
 * algorithm for weight computation in the Fellegi-Sunter model of record
 * linkage", Proc. Section on Survey Research Methods, ASA, 667–671; Jaro
 * 1989, "Advances in record-linkage methodology as applied to matching
 * the 1985 census of Tampa, Florida", JASA 84(406), 414–420): two latent
 * classes (match, non-match) over the candidate pairs, the features
 * conditionally independent given the class, each feature's levels a
 * multinomial per class; a missing feature contributes nothing. The
 * labels are not used by EM; the thresholds for the fitted weights are
 * chosen on the training sets (the F1-best cut), then applied unchanged to
 * the held-out sets.
 */
typedef struct gpair {
    uint8_t lv[PL_LF_COUNT]; /* 0 = missing */
    double hand;             /* the score with the hand table */
    int8_t truth;            /* 1 same, 0 not, -1 unknown (not scored) */
} gpair;

typedef struct gset {
    char name[96];
    gpair *v;
    size_t n, cap;
    size_t ntrue; /* true pairs in the whole set (recall's denominator) */
    int found;    /* 0: FEBRL, auto links (≥ upper); 1: generated, found (≥ lower) */
} gset;

static void gset_add(gset *g, const pl_link_pair *p, int truth)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 4096;
        g->v = realloc(g->v, g->cap * sizeof *g->v);
    }
    gpair *x = &g->v[g->n++];
    memset(x, 0, sizeof *x);
    for (int k = 0; k < p->nf; k++)
        if (p->f[k].feature >= 0 && p->f[k].feature < PL_LF_COUNT)
            x->lv[p->f[k].feature] = (uint8_t)p->f[k].level;
    x->hand = p->score;
    x->truth = (int8_t)truth;
}

/* Every candidate pair of a FEBRL file (all records), labelled. */
static int em_febrl(const char *path, gset *g)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char line[1024];
    rows r = {0};
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
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
    pl_err e;
    pl_err_init(&e);
    pl_link_set *set = NULL;
    pl_link_pair *pairs = NULL;
    size_t np = 0, cand = 0;
    if (pl_link_set_new(&set, recs, r.n, 0, &e) ||
        pl_link_run(set, -1e18, &pairs, &np, &cand, &e)) {
        fprintf(stderr, "link: %s\n", e.msg);
        return -1;
    }
    const char *b = strrchr(path, '/');
    snprintf(g->name, sizeof g->name, "FEBRL %s", b ? b + 1 : path);
    for (size_t i = 0; i < r.n; i++)
        for (size_t j = i + 1; j < r.n; j++)
            g->ntrue += r.v[i].truth == r.v[j].truth;
    for (size_t i = 0; i < np; i++)
        gset_add(g, &pairs[i], r.v[pairs[i].a].truth == r.v[pairs[i].b].truth);
    free(pairs);
    pl_link_set_free(set);
    free(recs);
    for (size_t i = 0; i < r.n; i++)
        for (int k = 0; k < r.v[i].nf; k++)
            free(r.v[i].f[k]);
    free(r.v);
    return 0;
}

/* Every candidate pair of a generated data set; labelled when a planted
 * record of truth.json "links" is in it (1 for its true pair, else 0). */
static int em_gen(const char *dir, gset *g)
{
    rows base = {0};
    static const char *const files[] = {"org/persons.csv", "police/persons.csv",
                                        "market/persons.csv"};
    char p[1024];
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        read_persons(p, &base);
    }
    idx *ix = calloc(base.n ? base.n : 1, sizeof *ix);
    for (size_t i = 0; i < base.n; i++)
        ix[i] = (idx){base.v[i].f[0], i};
    qsort(ix, base.n, sizeof *ix, cmp_idx);
    char **company = calloc(base.n ? base.n : 1, sizeof *company);
    rows cr = {0};
    snprintf(p, sizeof p, "%s/market/company_roles.csv", dir);
    read_persons(p, &cr);
    for (size_t i = 0; i < cr.n; i++) {
        long k = cr.v[i].nf > 2 ? idx_find(ix, base.n, cr.v[i].f[2]) : -1;
        if (k >= 0 && (!company[k] || strcmp(cr.v[i].f[1], company[k]) < 0))
            company[k] = cr.v[i].f[1];
    }
    snprintf(p, sizeof p, "%s/truth.json", dir);
    json_t *truth = json_load_file(p, 0, NULL);
    json_t *links = json_object_get(truth, "links");
    if (!json_is_array(links)) {
        fprintf(stderr, "link_bench: %s has no \"links\"\n", p);
        return -1;
    }
    char *planted = calloc(base.n ? base.n : 1, 1);
    long *mate = calloc(base.n ? base.n : 1, sizeof *mate); /* planted b → its a if same */
    size_t nt = json_array_size(links);
    for (size_t i = 0; i < nt; i++) {
        json_t *x = json_array_get(links, i);
        const char *bid = json_string_value(json_object_get(x, "b"));
        if (bid && !strncmp(bid, "person_records:", 15))
            continue; /* EM is fitted on the persons (every one with a valid ID) */
        long a = idx_find(ix, base.n, json_string_value(json_object_get(x, "a")));
        long b = idx_find(ix, base.n, bid);
        if (a < 0 || b < 0)
            return -1;
        planted[b] = 1;
        mate[b] = json_is_true(json_object_get(x, "same")) ? a + 1 : 0;
        g->ntrue += json_is_true(json_object_get(x, "same"));
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
    pl_err e;
    pl_err_init(&e);
    pl_link_set *set = NULL;
    pl_link_pair *pairs = NULL;
    size_t np = 0, cand = 0;
    if (pl_link_set_new(&set, recs, base.n, 0, &e) ||
        pl_link_run(set, -1e18, &pairs, &np, &cand, &e)) {
        fprintf(stderr, "link: %s\n", e.msg);
        return -1;
    }
    const char *b = strrchr(dir, '/');
    snprintf(g->name, sizeof g->name, "generated %s", b ? b + 1 : dir);
    g->found = 1;
    for (size_t i = 0; i < np; i++) {
        uint32_t x = pairs[i].a, y = pairs[i].b;
        int t = -1;
        if (planted[x] || planted[y])
            t = (planted[y] && mate[y] == (long)x + 1) || (planted[x] && mate[x] == (long)y + 1);
        gset_add(g, &pairs[i], t);
    }
    free(pairs);
    pl_link_set_free(set);
    free(recs), free(planted), free(mate), free(company), free(ix);
    json_decref(truth);
    for (size_t i = 0; i < cr.n; i++)
        for (int k = 0; k < cr.v[i].nf; k++)
            free(cr.v[i].f[k]);
    free(cr.v);
    for (size_t i = 0; i < base.n; i++)
        for (int k = 0; k < base.v[i].nf; k++)
            free(base.v[i].f[k]);
    free(base.v);
    return 0;
}

static double em_m[PL_LF_COUNT][PL_LL_COUNT], em_u[PL_LF_COUNT][PL_LL_COUNT];
static double em_p;

static double em_score(const gpair *x)
{
    double s = 0;
    for (int f = 0; f < PL_LF_COUNT; f++)
        if (x->lv[f])
            s += log2(em_m[f][x->lv[f]] / em_u[f][x->lv[f]]);
    return s;
}

/* EM over the training pairs; returns the iterations run. */
static int em_fit(gset *const *tr, int ntr)
{
    static double cnt[PL_LF_COUNT][PL_LL_COUNT];
    size_t N = 0;
    memset(cnt, 0, sizeof cnt);
    for (int s = 0; s < ntr; s++)
        for (size_t i = 0; i < tr[s]->n; i++, N++)
            for (int f = 0; f < PL_LF_COUNT; f++)
                if (tr[s]->v[i].lv[f])
                    cnt[f][tr[s]->v[i].lv[f]]++;
    /* start: u = the levels' frequencies over all pairs; m = 0.9 on
     * "exact", the rest shared evenly over the levels seen; p = 0.05 */
    for (int f = 0; f < PL_LF_COUNT; f++) {
        double tot = 0;
        int seen = 0;
        for (int l = 1; l < PL_LL_COUNT; l++)
            tot += cnt[f][l], seen += cnt[f][l] > 0;
        for (int l = 1; l < PL_LL_COUNT; l++) {
            em_u[f][l] = tot > 0 && cnt[f][l] > 0 ? cnt[f][l] / tot : 1e-9;
            if (cnt[f][l] <= 0)
                em_m[f][l] = 1e-9;
            else if (l == PL_LL_EXACT)
                em_m[f][l] = seen > 1 ? 0.9 : 1.0;
            else
                em_m[f][l] = cnt[f][PL_LL_EXACT] > 0 ? 0.1 / (seen - 1) : 1.0 / seen;
        }
    }
    em_p = 0.05;
    static double sm[PL_LF_COUNT][PL_LL_COUNT], su[PL_LF_COUNT][PL_LL_COUNT];
    int it;
    for (it = 1; it <= 1000; it++) {
        memset(sm, 0, sizeof sm);
        memset(su, 0, sizeof su);
        double sg = 0;
        double lp = log(em_p / (1 - em_p));
        for (int s = 0; s < ntr; s++)
            for (size_t i = 0; i < tr[s]->n; i++) {
                const gpair *x = &tr[s]->v[i];
                double lo = lp;
                for (int f = 0; f < PL_LF_COUNT; f++)
                    if (x->lv[f])
                        lo += log(em_m[f][x->lv[f]] / em_u[f][x->lv[f]]);
                double gm = lo > 40 ? 1.0 : lo < -40 ? 0.0 : 1.0 / (1.0 + exp(-lo));
                sg += gm;
                for (int f = 0; f < PL_LF_COUNT; f++)
                    if (x->lv[f]) {
                        sm[f][x->lv[f]] += gm;
                        su[f][x->lv[f]] += 1 - gm;
                    }
            }
        double delta = fabs(sg / (double)N - em_p);
        em_p = sg / (double)N;
        for (int f = 0; f < PL_LF_COUNT; f++) {
            double tm = 0, tu = 0;
            for (int l = 1; l < PL_LL_COUNT; l++)
                tm += sm[f][l], tu += su[f][l];
            for (int l = 1; l < PL_LL_COUNT; l++) {
                if (cnt[f][l] <= 0)
                    continue;
                /* a small floor so that no level gets ±∞ bits */
                double m = tm > 0 ? (sm[f][l] + 1e-3) / (tm + 1e-3 * PL_LL_COUNT) : em_m[f][l];
                double u = tu > 0 ? (su[f][l] + 1e-3) / (tu + 1e-3 * PL_LL_COUNT) : em_u[f][l];
                delta = fmax(delta, fabs(m - em_m[f][l]));
                delta = fmax(delta, fabs(u - em_u[f][l]));
                em_m[f][l] = m;
                em_u[f][l] = u;
            }
        }
        if (delta < 1e-9)
            break;
    }
    return it;
}

typedef struct prf {
    double p, r, f1;
    size_t tp, fp;
} prf;

static prf em_eval(const gset *g, int em, double cut)
{
    size_t tp = 0, fp = 0;
    for (size_t i = 0; i < g->n; i++) {
        const gpair *x = &g->v[i];
        if (x->truth < 0)
            continue;
        double s = em ? em_score(x) : x->hand;
        if (s >= cut) {
            tp += x->truth == 1;
            fp += x->truth == 0;
        }
    }
    prf o = {0};
    o.tp = tp, o.fp = fp;
    o.p = tp + fp ? (double)tp / (double)(tp + fp) : 1.0;
    o.r = g->ntrue ? (double)tp / (double)g->ntrue : 1.0;
    o.f1 = o.p + o.r > 0 ? 2 * o.p * o.r / (o.p + o.r) : 0;
    return o;
}

static int cmp_dbl_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The F1-best cut of the fitted weights on a training set. */
static double em_cut(const gset *g)
{
    double *sc = malloc((g->n ? g->n : 1) * sizeof *sc);
    size_t n = 0;
    for (size_t i = 0; i < g->n; i++)
        if (g->v[i].truth >= 0)
            sc[n++] = em_score(&g->v[i]);
    qsort(sc, n, sizeof *sc, cmp_dbl_desc);
    double best = 0, cut = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && sc[i + 1] == sc[i])
            continue;
        prf o = em_eval(g, 1, sc[i]);
        if (o.f1 > best)
            best = o.f1, cut = sc[i];
    }
    free(sc);
    return cut;
}

/* --em-train FEBRL1,GENDIR --em-test FEBRL2,FEBRL3,GENDIR2 (comma lists:
 * a path ending .csv is a FEBRL file, else a generated directory). */
static int em_load(const char *list, gset *sets, int max)
{
    char *dup = strdup(list), *save = NULL;
    int n = 0;
    for (char *t = strtok_r(dup, ",", &save); t && n < max; t = strtok_r(NULL, ",", &save)) {
        size_t L = strlen(t);
        memset(&sets[n], 0, sizeof sets[n]);
        int rc = L > 4 && !strcmp(t + L - 4, ".csv") ? em_febrl(t, &sets[n]) : em_gen(t, &sets[n]);
        if (rc) {
            free(dup);
            return -1;
        }
        n++;
    }
    free(dup);
    return n;
}

/* The fitted model of one domain: FEBRL-like (Latin names, addresses) or
 * generated (Chinese names, valid IDs). The two share features (birth
 * date, ID) whose meaning differs — a different valid ID is the norm
 * among the generated records — so each domain is fitted on its own
 * training set, as a deployment would fit it on its own data. */
typedef struct em_model {
    double m[PL_LF_COUNT][PL_LL_COUNT], u[PL_LF_COUNT][PL_LL_COUNT];
    double p, cut;
    int it, fitted;
    char train[96];
    size_t npairs;
} em_model;

static void em_use(const em_model *md)
{
    memcpy(em_m, md->m, sizeof em_m);
    memcpy(em_u, md->u, sizeof em_u);
    em_p = md->p;
}

static int em_run(const char *train, const char *test, double upper, double lower)
{
    gset tr[4], te[8];
    int ntr = em_load(train, tr, 4), nte = em_load(test, te, 8);
    if (ntr <= 0 || nte < 0)
        return -1;
    static em_model md[2]; /* [found]: 0 FEBRL-like, 1 generated */
    for (int d = 0; d < 2; d++) {
        gset *trp[4];
        int n = 0;
        for (int i = 0; i < ntr; i++)
            if (tr[i].found == d)
                trp[n++] = &tr[i];
        if (!n)
            continue;
        md[d].it = em_fit(trp, n);
        md[d].fitted = 1;
        memcpy(md[d].m, em_m, sizeof em_m);
        memcpy(md[d].u, em_u, sizeof em_u);
        md[d].p = em_p;
        /* the cut: F1-best on the first training set of the domain */
        md[d].cut = em_cut(trp[0]);
        snprintf(md[d].train, sizeof md[d].train, "%s", trp[0]->name);
        for (int i = 0; i < n; i++)
            md[d].npairs += trp[i]->n;
        printf("\nEM (Winkler 1988, Jaro 1989) on the %zu candidate pairs of %s%s: %d "
               "iterations, p = %.5f; cut chosen on it (F1-best at the %s threshold): %.2f bits "
               "(hand table: %.2f)\n\n",
               md[d].npairs, md[d].train, n > 1 ? " and more" : "", md[d].it, md[d].p,
               d ? "lower" : "upper", md[d].cut, d ? lower : upper);
        printf("| feature | level | m (EM) | u (EM) | weight EM (bits) | weight hand (bits) |\n"
               "|---|---|---|---|---|---|\n");
        for (int f = 0; f < PL_LF_COUNT; f++)
            for (int l = 1; l < PL_LL_COUNT; l++) {
                int seen = 0;
                for (int i = 0; i < n && !seen; i++)
                    for (size_t k = 0; k < trp[i]->n && !seen; k++)
                        seen = trp[i]->v[k].lv[f] == l;
                if (!seen)
                    continue;
                printf("| %s | %s | %.5g | %.5g | %+.2f | %+.2f |\n", pl_link_feature_name(f),
                       pl_link_level_name((pl_link_level)l), em_m[f][l], em_u[f][l],
                       log2(em_m[f][l] / em_u[f][l]), pl_link_weight(f, (pl_link_level)l));
            }
    }
    printf("\n| set | role | counted at | precision EM | recall EM | F1 EM | precision hand | "
           "recall hand | F1 hand |\n|---|---|---|---|---|---|---|---|---|\n");
    for (int pass = 0; pass < 2; pass++) {
        gset *v = pass ? te : tr;
        int n = pass ? nte : ntr;
        for (int i = 0; i < n; i++) {
            const em_model *m = &md[v[i].found];
            double ch = v[i].found ? lower : upper;
            prf h = em_eval(&v[i], 0, ch), a = {0};
            if (m->fitted) {
                em_use(m);
                a = em_eval(&v[i], 1, m->cut);
            }
            printf("| %s | %s | %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f |\n", v[i].name,
                   pass ? "held out" : "training (in-sample)",
                   v[i].found ? "found (lower)" : "auto link (upper)", a.p, a.r, a.f1, h.p, h.r,
                   h.f1);
        }
    }
    for (int i = 0; i < ntr; i++)
        free(tr[i].v);
    for (int i = 0; i < nte; i++)
        free(te[i].v);
    return 0;
}

int main(int argc, char **argv)
{
    const char *fdir = NULL, *gdir = NULL, *em_train = NULL, *em_test = NULL;
    size_t sample = 0;
    double upper = PL_LINK_UPPER_DEFAULT, lower = PL_LINK_LOWER_DEFAULT, check = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--febrl"))
            fdir = argv[i + 1];
        else if (!strcmp(argv[i], "--gen"))
            gdir = argv[i + 1];
        else if (!strcmp(argv[i], "--em-train"))
            em_train = argv[i + 1];
        else if (!strcmp(argv[i], "--em-test"))
            em_test = argv[i + 1];
        else if (!strcmp(argv[i], "--sample"))
            sample = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--upper"))
            upper = strtod(argv[i + 1], NULL);
        else if (!strcmp(argv[i], "--lower"))
            lower = strtod(argv[i + 1], NULL);
        else if (!strcmp(argv[i], "--check"))
            check = strtod(argv[i + 1], NULL);
        else if (!strcmp(argv[i], "--timing-only"))
            g_timing_only = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads"))
            g_threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--same-threads"))
            g_same_threads = atoi(argv[i + 1]);
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
    if (em_train && em_run(em_train, em_test ? em_test : "", upper, lower))
        return 2;
    return fail || g_same_fail;
}
