/*
 * clues_bench.c — intake of N clues (default 100,000: county scale ×100)
 * through the library (pl_cases_intake: validation, dedupe, routing, the
 * clue.* events and the registry rows) next to the plain event append rate
 * (pl_ledger_append of one event with a payload of the same size), both in
 * batches of 1,000 per transaction on a file store; prints the ratio.
 * Then the durable references of the API's group commit: one event per
 * transaction and one clue per transaction (2,000 each, an fsync each).
 * Layer: bench. Usage: clues_bench [N] [DB-PATH]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "../src/cases/cases.h"
#include "../src/ledger/ledger.h"
#include "../src/model/model.h"
#include "../src/store/store.h"

#define UNITS 200
#define PERSONS 20000
#define BATCH 1000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A GB 11643 citizen ID (ISO 7064 MOD 11-2 check character). */
static void citizen_id(char out[19], int signed_n)
{
    unsigned n = (unsigned)signed_n; /* non-negative: bounds every field */
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    snprintf(out, 19, "433127%04u%02u%02u%03u", 1960 + n % 40, 1 + n % 12, 1 + n % 28,
             n / 1000 % 1000);
    /* make the sequence part unique per n */
    snprintf(out + 14, 5, "%03u", n % 1000);
    char body[18];
    memcpy(body, out, 17);
    body[17] = 0;
    int s = 0;
    for (int i = 0; i < 17; i++)
        s += (body[i] - '0') * w[i];
    out[17] = "10X98765432"[s % 11];
    out[18] = 0;
}

static int die(const char *what, const pl_err *e)
{
    fprintf(stderr, "clues_bench: %s: %s\n", what, e->msg);
    return 2;
}

static int record(pl_registry *r, const char *entity, json_t *row, pl_err *e)
{
    int rc = pl_registry_record(r, pl_model_entity(entity), row, "bench", NULL, NULL, NULL, e);
    json_decref(row);
    return rc;
}

/* One clue through the library, its fields drawn from *x. 0 or PL_E*. */
static int intake_one(pl_cases *c, const pl_viewer *v, uint32_t *x, long *linked, pl_err *e)
{
    static const char *const channels[] = {"online",     "letter",        "visit",   "phone",
                                           "inspection", "investigation", "meeting", "audit"};
    static const char *const cats[] = {"power", "money", "personnel", "conduct", "other"};
    static const char *const deeds[] = {"违规发放津贴补贴", "安排亲属承揽工程", "公款吃喝",
                                        "收受购物卡",       "违规使用公车",     "插手招投标",
                                        "违规提拔亲信",     "超标准接待"};
    *x = *x * 1103515245u + 12345u;
    uint32_t r = *x;
    int p = (int)((r >> 8) % PERSONS);
    char pid[19], facts[200], date[11];
    citizen_id(pid, p);
    snprintf(facts, sizeof facts, "第%u号：该同志%s，涉及金额约%u万元，发生于%u年", r % 7u,
             deeds[(r >> 4) % 8], (r >> 12) % 90 + 10, 2019 + (r >> 20) % 7);
    snprintf(date, sizeof date, "2025-%02u-%02u", 1 + (r >> 3) % 12, 1 + (r >> 9) % 28);
    pl_clue_input in = {.channel = channels[(r >> 16) % 8],
                        .category = cats[(r >> 24) % 5],
                        .received_at = date,
                        .subject_person_id = pid,
                        .summary = deeds[(r >> 4) % 8],
                        .facts = facts};
    pl_clue_result res;
    int rc = pl_cases_intake(c, v, &in, &res, e);
    if (rc == 0)
        *linked += res.linked;
    return rc;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
    const char *path = argc > 2 ? argv[2] : "/tmp/clues_bench.db";
    if (n <= 0)
        n = 100000;
    char p2[512];
    snprintf(p2, sizeof p2, "%s-append", path);
    const char *paths[2] = {path, p2};
    for (int i = 0; i < 2; i++) {
        char x[600];
        unlink(paths[i]);
        snprintf(x, sizeof x, "%s-wal", paths[i]);
        unlink(x);
        snprintf(x, sizeof x, "%s-shm", paths[i]);
        unlink(x);
    }
    pl_cases_register();
    pl_ledger_register_type("bench.tick", NULL);
    pl_err e;
    pl_err_init(&e);
    pl_time_set_now(1767603600); /* 2026-01-05T09:00:00Z */
    /* ---------------------------------------------------- plain append */
    pl_store *s;
    pl_ledger *l;
    if (pl_store_open(&s, p2, PL_STORE_CREATE, &e) || pl_ledger_open(&l, s, &e))
        return die("open", &e);
    json_t *payload = json_pack(
        "{s:s,s:s,s:s}", "summary", "反映某局长违规发放津贴补贴", "facts",
        "某局长2025年违规发放津贴补贴，涉及金额约20万元，并安排亲属承揽工程", "channel", "letter");
    json_t *subj = json_pack("[s]", "CL-2026-0000001");
    double t0 = now_s();
    for (long i = 0; i < n; i += BATCH) {
        if (pl_store_begin(s, &e))
            return die("begin", &e);
        for (long k = i; k < i + BATCH && k < n; k++) {
            json_object_set_new(payload, "n", json_integer(k));
            pl_event ev = {
                .type = "bench.tick", .actor = "bench", .subjects = subj, .payload = payload};
            if (pl_ledger_append(l, &ev, NULL, &e))
                return die("append", &e);
        }
        if (pl_store_commit(s, &e))
            return die("commit", &e);
    }
    double t_append = now_s() - t0;
    /* The durable append of one event per transaction (one fsync each):
     * what a write path that commits each request alone can reach on this
     * disk, the reference of the API's group commit (bench/clues_api.sh). */
    long n1 = n < 2000 ? n : 2000;
    double t1tx = now_s();
    for (long k = 0; k < n1; k++) {
        json_object_set_new(payload, "n", json_integer(n + k));
        pl_event ev = {
            .type = "bench.tick", .actor = "bench", .subjects = subj, .payload = payload};
        if (pl_ledger_append(l, &ev, NULL, &e))
            return die("append", &e);
    }
    t1tx = now_s() - t1tx;
    json_decref(payload);
    json_decref(subj);
    pl_ledger_free(l);
    pl_store_close(s);
    /* ------------------------------------------------------- fixture */
    pl_registry *reg;
    pl_cases *c;
    if (pl_store_open(&s, path, PL_STORE_CREATE, &e) || pl_ledger_open(&l, s, &e) ||
        pl_registry_new(&reg, s, l, &e) || pl_cases_new(&c, s, l, &e))
        return die("open", &e);
    double tf = now_s();
    if (pl_store_begin(s, &e))
        return die("begin", &e);
    int rc = record(reg, "unit",
                    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", "U0", "name", "中共某县委",
                              "division_code", "433127", "level", "county", "kind", "party",
                              "industry", "党委"),
                    &e);
    if (!rc)
        rc = record(reg, "unit",
                    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", "CD", "parent_id", "U0",
                              "name", "某县纪委监委", "division_code", "433127", "level", "county",
                              "kind", "discipline", "industry", "纪检"),
                    &e);
    char id[32], post[32], ten[32], pid[19];
    for (int u = 1; u <= UNITS && !rc; u++) {
        snprintf(id, sizeof id, "U%d", u);
        rc = record(reg, "unit",
                    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", id, "parent_id", "U0", "name",
                              "某单位", "division_code", "433127", "level", "county", "kind",
                              "department", "industry", "行业"),
                    &e);
    }
    for (int p = 0; p < PERSONS && !rc; p++) {
        citizen_id(pid, p);
        int u = 1 + p % UNITS;
        snprintf(post, sizeof post, "P%d", p);
        snprintf(ten, sizeof ten, "T%d", p);
        snprintf(id, sizeof id, "U%d", u);
        rc = record(reg, "person",
                    json_pack("{s:s,s:s,s:s,s:s}", "id", pid, "name", "某某", "gender", "M",
                              "birth_date", "1970-01-01"),
                    &e);
        if (!rc)
            rc = record(reg, "post",
                        json_pack("{s:s,s:s,s:s,s:s,s:i,s:s}", "id", post, "unit_id", id, "title",
                                  p < UNITS ? "局长" : "干部", "rank", "section", "is_top",
                                  p < UNITS, "category", "general"),
                        &e);
        if (!rc)
            rc = record(reg, "tenure",
                        json_pack("{s:s,s:s,s:s,s:s}", "id", ten, "person_id", pid, "post_id", post,
                                  "start_date", "2015-01-01"),
                        &e);
    }
    if (rc || pl_store_commit(s, &e))
        return die("fixture", &e);
    tf = now_s() - tf;
    /* --------------------------------------------------------- intake */
    pl_viewer v = {.role = PL_CASES_ROLE_SYSTEM, .actor = "bench"};
    uint32_t x = 42;
    long linked = 0;
    int64_t ev0 = pl_ledger_size(l);
    double t1 = now_s();
    for (long i = 0; i < n; i += BATCH) {
        if (pl_store_begin(s, &e))
            return die("begin", &e);
        for (long k = i; k < i + BATCH && k < n; k++)
            if (intake_one(c, &v, &x, &linked, &e))
                return die("intake", &e);
        if (pl_store_commit(s, &e))
            return die("commit", &e);
    }
    double t_intake = now_s() - t1;
    int64_t events = pl_ledger_size(l) - ev0;
    /* The durable intake of one clue per transaction (one fsync each):
     * the same work as the API's POST /api/v1/cases without HTTP, the
     * session and the group commit, a clue committed alone. */
    long linked1 = 0;
    double t1c = now_s();
    for (long k = 0; k < n1; k++) {
        if (pl_store_begin(s, &e))
            return die("begin", &e);
        if (intake_one(c, &v, &x, &linked1, &e))
            return die("intake", &e);
        if (pl_store_commit(s, &e))
            return die("commit", &e);
    }
    t1c = now_s() - t1c;
    double ra = (double)n / t_append, ri = (double)n / t_intake;
    printf("clues_bench: %ld clues, %d units, %d persons (fixture %.1f s)\n", n, UNITS + 2, PERSONS,
           tf);
    printf("plain event append: %10.0f events/s (%.2f s)\n", ra, t_append);
    printf("append, 1 per transaction: %10.0f events/s (%.2f s for %ld)\n", (double)n1 / t1tx, t1tx,
           n1);
    printf("clue intake:        %10.0f clues/s  (%.2f s; %lld events, %.2f per clue; %ld linked)\n",
           ri, t_intake, (long long)events, (double)events / (double)n, linked);
    printf("clue intake, 1 per transaction: %10.0f clues/s (%.2f s for %ld; %ld linked)\n",
           (double)n1 / t1c, t1c, n1, linked1);
    printf("ratio append/intake: %.2f (per event: %.2f)\n", ra / ri,
           ra / ((double)events / t_intake));
    pl_cases_free(c);
    pl_registry_free(reg);
    pl_ledger_free(l);
    pl_store_close(s);
    return 0;
}
