/*
 * store.c — the linkage over the store: persons (with their match keys,
 * company roles and households) and the person records without a reliable
 * ID (migration 0140) linked, each proposal a
 * "link.proposed" event and each human judgement a "link.judged" event,
 * both projected into person_links (migration 0129). A judged pair is
 * never proposed again. Layer: link. Docs: docs/LINKAGE.md "Review queue".
 */
#include "link.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static int exec_step(pl_stmt *st, pl_err *e)
{
    int r = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return r == PL_DONE ? 0 : r;
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* ---------------------------------------------------------- projections */

static int apply_proposed(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s,
        "INSERT INTO person_links(a, b, status, score_centibits, features, proposed_at, ev_seq) "
        "VALUES(?,?,?,?,?,?,?) ON CONFLICT(a, b) DO UPDATE SET status=excluded.status, "
        "score_centibits=excluded.score_centibits, features=excluded.features, "
        "proposed_at=excluded.proposed_at, ev_seq=excluded.ev_seq",
        &st, e);
    if (rc)
        return rc;
    char at[21];
    rc = pl_time_format_e(at, ev->time, e);
    if (rc)
        return rc;
    char *features = json_dumps(json_object_get(p, "features"), JSON_COMPACT);
    pl_stmt_bind_text(st, 1, jstr(p, "a"));
    pl_stmt_bind_text(st, 2, jstr(p, "b"));
    pl_stmt_bind_text(st, 3, strcmp(jstr(p, "decision"), "link") == 0 ? "linked" : "review");
    pl_stmt_bind_i64(st, 4, json_integer_value(json_object_get(p, "score_centibits")));
    pl_stmt_bind_text(st, 5, features ? features : "[]");
    pl_stmt_bind_text(st, 6, at);
    pl_stmt_bind_i64(st, 7, seq);
    rc = exec_step(st, e);
    free(features);
    return rc;
}

static int apply_judged(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s,
                                     "UPDATE person_links SET status=?, judged_by=?, judged_at=?, "
                                     "reason=?, ev_seq=? WHERE a=? AND b=?",
                                     &st, e);
    if (rc)
        return rc;
    char at[21];
    rc = pl_time_format_e(at, ev->time, e);
    if (rc)
        return rc;
    const char *reason = json_string_value(json_object_get(p, "reason"));
    pl_stmt_bind_text(st, 1, jstr(p, "judgement"));
    pl_stmt_bind_text(st, 2, ev->actor ? ev->actor : "");
    pl_stmt_bind_text(st, 3, at);
    if (reason)
        pl_stmt_bind_text(st, 4, reason);
    else
        pl_stmt_bind_null(st, 4);
    pl_stmt_bind_i64(st, 5, seq);
    pl_stmt_bind_text(st, 6, jstr(p, "a"));
    pl_stmt_bind_text(st, 7, jstr(p, "b"));
    return exec_step(st, e);
}

void pl_link_register(void)
{
    pl_ledger_register_type("link.proposed", apply_proposed);
    pl_ledger_register_type("link.judged", apply_judged);
}

/* ------------------------------------------------------------ thresholds */

int pl_link_thresholds(pl_store *st, double *upper, double *lower, pl_err *e)
{
    *upper = PL_LINK_UPPER_DEFAULT;
    *lower = PL_LINK_LOWER_DEFAULT;
    /* the profile that applies everywhere (every selector empty) */
    pl_stmt *q = NULL;
    int rc = pl_store_prepare(st,
                              "SELECT params FROM rule_profiles WHERE region='' AND level='' "
                              "AND kind='' AND industry='' AND (scope IS NULL OR scope='' "
                              "OR scope='[]') ORDER BY name",
                              &q, e);
    if (rc)
        return rc;
    while ((rc = pl_stmt_step(q, e)) == PL_ROW) {
        json_t *p = json_loads(pl_stmt_text(q, 0), 0, NULL);
        json_t *u = json_object_get(p, "link_upper_centibits");
        json_t *l = json_object_get(p, "link_lower_centibits");
        if (json_is_integer(u))
            *upper = json_integer_value(u) / 100.0;
        if (json_is_integer(l))
            *lower = json_integer_value(l) / 100.0;
        json_decref(p);
    }
    pl_stmt_finalize(q);
    return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------------ run */

typedef struct person {
    char *id, *name, *birth, *division, *mkey, *company, *household;
    char *id_number; /* a record's ID as written (persons: NULL, the id is) */
} person;

static void person_release(person *p)
{
    free(p->id), free(p->name), free(p->birth), free(p->division);
    free(p->mkey), free(p->company), free(p->household), free(p->id_number);
}

static char *dup_col(pl_stmt *q, int col)
{
    const char *t = pl_stmt_text(q, col);
    return t && *t ? pl_strdup(t) : NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(((const person *)a)->id, ((const person *)b)->id);
}

static person *find(person *v, size_t n, const char *id)
{
    person key = {.id = (char *)id};
    return bsearch(&key, v, n, sizeof *v, cmp_str);
}

static int load(pl_store *st, person **out, size_t *nout, size_t *nrec_out, pl_err *e)
{
    pl_stmt *q = NULL;
    person *v = NULL;
    size_t n = 0, cap = 0;
    int rc = pl_store_prepare(st,
                              "SELECT p.id, p.name, p.birth_date, p.native_place, m.match_key "
                              "FROM persons p LEFT JOIN match_keys m ON m.entity='person' AND "
                              "m.id=p.id ORDER BY p.id",
                              &q, e);
    if (rc)
        return rc;
    while ((rc = pl_stmt_step(q, e)) == PL_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            v = pl_realloc(v, cap * sizeof *v);
        }
        v[n++] = (person){dup_col(q, 0), dup_col(q, 1), dup_col(q, 2), dup_col(q, 3),
                          dup_col(q, 4), NULL,          NULL,          NULL};
    }
    pl_stmt_finalize(q);
    if (rc < 0)
        goto fail;
    /* ORDER BY p.id is the backend's collation; bsearch needs strcmp's */
    if (n)
        qsort(v, n, sizeof *v, cmp_str);
    /* one company per person (the smallest id): enough to block on */
    if ((rc = pl_store_prepare(st,
                               "SELECT person_id, MIN(company_id) FROM company_roles "
                               "GROUP BY person_id",
                               &q, e)))
        goto fail;
    while ((rc = pl_stmt_step(q, e)) == PL_ROW) {
        person *p = find(v, n, pl_stmt_text(q, 0));
        if (p && !p->company)
            p->company = dup_col(q, 1);
    }
    pl_stmt_finalize(q);
    if (rc < 0)
        goto fail;
    /* a household as the police register knows it: a register row
     * (person_records) with a 户号 whose ID as written is a person's id
     * places that person in it (docs/LINKAGE.md "Records without a
     * reliable ID") */
    if ((rc = pl_store_prepare(st,
                               "SELECT id_as_written, MIN(household) FROM person_records WHERE "
                               "household IS NOT NULL AND household<>'' AND id_as_written IS NOT "
                               "NULL GROUP BY id_as_written",
                               &q, e)))
        goto fail;
    while ((rc = pl_stmt_step(q, e)) == PL_ROW) {
        person *p = find(v, n, pl_stmt_text(q, 0));
        if (p && !p->household)
            p->household = dup_col(q, 1);
    }
    pl_stmt_finalize(q);
    if (rc < 0)
        goto fail;
    /* else a household: the spouse pair, named by the smaller id */
    if ((rc = pl_store_prepare(st, "SELECT person_id, relative_id FROM kin WHERE relation='spouse'",
                               &q, e)))
        goto fail;
    while ((rc = pl_stmt_step(q, e)) == PL_ROW) {
        const char *x = pl_stmt_text(q, 0), *y = pl_stmt_text(q, 1);
        const char *h = strcmp(x, y) < 0 ? x : y;
        person *p = find(v, n, x), *r = find(v, n, y);
        if (p && !p->household)
            p->household = pl_strdup(h);
        if (r && !r->household)
            r->household = pl_strdup(h);
    }
    pl_stmt_finalize(q);
    if (rc < 0)
        goto fail;
    /* the register rows without a reliable ID, after the persons (not in
     * the range find() searches), keyed "person_records:<id>" */
    size_t np = n;
    if ((rc = pl_store_prepare(st,
                               "SELECT r.id, r.name, r.birth_date, r.division_code, m.match_key, "
                               "r.company_id, r.household, r.id_as_written FROM person_records r "
                               "LEFT JOIN match_keys m ON m.entity='person_record' AND m.id=r.id "
                               "ORDER BY r.id",
                               &q, e)))
        goto fail;
    while ((rc = pl_stmt_step(q, e)) == PL_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            v = pl_realloc(v, cap * sizeof *v);
        }
        pl_buf key;
        pl_buf_init(&key);
        pl_buf_addf(&key, "%s%s", PL_LINK_RECORD_PREFIX, pl_stmt_text(q, 0));
        v[n++] = (person){pl_buf_detach(&key, NULL),
                          dup_col(q, 1),
                          dup_col(q, 2),
                          dup_col(q, 3),
                          dup_col(q, 4),
                          dup_col(q, 5),
                          dup_col(q, 6),
                          dup_col(q, 7)};
    }
    pl_stmt_finalize(q);
    if (rc < 0)
        goto fail;
    *out = v;
    *nout = n;
    *nrec_out = n - np;
    return 0;
fail:
    for (size_t i = 0; i < n; i++)
        person_release(&v[i]);
    free(v);
    return rc;
}

static int is_record(const char *key)
{
    return strncmp(key, PL_LINK_RECORD_PREFIX, sizeof PL_LINK_RECORD_PREFIX - 1) == 0;
}

/* The pair's recorded status and score, or NULL status if none. */
static int recorded(pl_store *st, const char *a, const char *b, char *status, size_t cap,
                    int64_t *score, pl_err *e)
{
    pl_stmt *q = NULL;
    int rc = pl_store_prepare_cached(
        st, "SELECT status, score_centibits FROM person_links WHERE a=? AND b=?", &q, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(q, 1, a);
    pl_stmt_bind_text(q, 2, b);
    status[0] = 0;
    rc = pl_stmt_step(q, e);
    if (rc == PL_ROW) {
        snprintf(status, cap, "%s", pl_stmt_text(q, 0));
        *score = pl_stmt_i64(q, 1);
        rc = 0;
    }
    pl_stmt_reset(q);
    return rc < 0 ? rc : 0;
}

int pl_link_store_run(pl_store *st, pl_ledger *l, const char *actor, double upper, double lower,
                      pl_link_stats *stats, pl_err *e)
{
    memset(stats, 0, sizeof *stats);
    person *v = NULL;
    size_t n = 0;
    pl_link_rec *recs = NULL;
    pl_link_set *set = NULL;
    pl_link_pair *pairs = NULL;
    size_t np = 0;
    int rc = pl_store_begin(st, e);
    if (rc)
        return rc;
    size_t nrec = 0;
    if ((rc = load(st, &v, &n, &nrec, e)))
        goto out;
    stats->persons = n - nrec;
    stats->records = nrec;
    recs = pl_calloc(n ? n : 1, sizeof *recs);
    for (size_t i = 0; i < n; i++)
        recs[i] = (pl_link_rec){.key = v[i].id,
                                .name = v[i].name,
                                .birth = v[i].birth,
                                .id_number = v[i].id_number       ? v[i].id_number
                                             : is_record(v[i].id) ? NULL
                                                                  : v[i].id,
                                .division = v[i].division,
                                .company = v[i].company,
                                .household = v[i].household,
                                .match_key = v[i].mkey};
    if ((rc = pl_link_set_new(&set, recs, n, 0, e)))
        goto out;
    if ((rc = pl_link_run(set, lower, &pairs, &np, &stats->candidates, e)))
        goto out;
    pl_buf fx;
    pl_buf_init(&fx);
    for (size_t i = 0; i < np && !rc; i++) {
        const pl_link_pair *p = &pairs[i];
        const char *a = v[p->a].id, *b = v[p->b].id;
        if (is_record(a) && is_record(b))
            continue; /* records are linked to persons, not to each other */
        if (strcmp(a, b) > 0) {
            const char *t = a;
            a = b;
            b = t;
        }
        const char *decision = pl_link_decide(p->score, upper, lower);
        int64_t score = lround(p->score * 100);
        char status[16];
        int64_t old = 0;
        if ((rc = recorded(st, a, b, status, sizeof status, &old, e)))
            break;
        if (strcmp(status, "same") == 0 || strcmp(status, "not_same") == 0 ||
            strcmp(status, "unsure") == 0) {
            stats->skipped_judged++;
            continue;
        }
        const char *want = strcmp(decision, "link") == 0 ? "linked" : "review";
        if (strcmp(status, want) == 0 && old == score) {
            stats->unchanged++;
            continue;
        }
        pl_buf_reset(&fx);
        pl_link_explain_json(&fx, p);
        json_t *features = json_loads(fx.data, 0, NULL);
        json_t *payload = json_pack("{s:s,s:s,s:s,s:I,s:o}", "a", a, "b", b, "decision", decision,
                                    "score_centibits", (json_int_t)score, "features",
                                    features ? features : json_array());
        json_t *subjects = json_pack("[s,s]", a, b);
        pl_event ev = {
            .type = "link.proposed", .actor = actor, .subjects = subjects, .payload = payload};
        rc = pl_ledger_append(l, &ev, NULL, e);
        json_decref(payload);
        json_decref(subjects);
        if (!rc) {
            if (*want == 'l')
                stats->linked++;
            else
                stats->review++;
        }
    }
    pl_buf_release(&fx);
out:
    if (rc)
        pl_store_rollback(st);
    else
        rc = pl_store_commit(st, e);
    free(pairs);
    pl_link_set_free(set);
    free(recs);
    for (size_t i = 0; i < n; i++)
        person_release(&v[i]);
    free(v);
    return rc;
}

/* ---------------------------------------------------------------- judge */

int pl_link_judge(pl_store *st, pl_ledger *l, const char *actor, const char *a, const char *b,
                  const char *judgement, const char *reason, pl_err *e)
{
    if (!a || !*a)
        return pl_err_set(e, PL_EINVAL, "a: required (the first person's id)");
    if (!b || !*b)
        return pl_err_set(e, PL_EINVAL, "b: required (the second person's id)");
    if (!judgement || (strcmp(judgement, "same") != 0 && strcmp(judgement, "not_same") != 0 &&
                       strcmp(judgement, "unsure") != 0))
        return pl_err_set(e, PL_EINVAL, "judgement: must be same, not_same or unsure");
    if (reason && strlen(reason) > 2000)
        return pl_err_set(e, PL_EINVAL, "reason: longer than 2000 bytes");
    if (strcmp(a, b) > 0) {
        const char *t = a;
        a = b;
        b = t;
    }
    int rc = pl_store_begin(st, e);
    if (rc)
        return rc;
    char status[16];
    int64_t score = 0;
    if ((rc = recorded(st, a, b, status, sizeof status, &score, e)))
        goto out;
    if (!status[0]) {
        rc = pl_err_set(e, PL_ENOTFOUND, "a, b: no proposed link between %s and %s", a, b);
        goto out;
    }
    json_t *payload = json_pack("{s:s,s:s,s:s}", "a", a, "b", b, "judgement", judgement);
    if (reason && *reason)
        json_object_set_new(payload, "reason", json_string(reason));
    json_t *subjects = json_pack("[s,s]", a, b);
    pl_event ev = {.type = "link.judged", .actor = actor, .subjects = subjects, .payload = payload};
    rc = pl_ledger_append(l, &ev, NULL, e);
    json_decref(payload);
    json_decref(subjects);
out:
    if (rc)
        pl_store_rollback(st);
    else
        rc = pl_store_commit(st, e);
    return rc;
}

/* ----------------------------------------------------------------- list */

/* One side of a pair: a person's columns (id, name, gender, birth date,
 * native place), or a record's when the side is a person record. */
#define SIDE_COLS 16
#define SIDE_SQL(p, r, c, k)                                                                       \
    "l." k ", " p ".name, " p ".gender, " p ".birth_date, " p ".native_place, " r ".id, " r        \
    ".name, " r ".gender, " r ".birth_date, " r ".division_code, " r ".id_as_written, " r          \
    ".source, " r ".household, " r ".company_id, " r ".role, " c ".name"
static json_t *side(pl_stmt *q, int col)
{
    json_t *o = json_object();
    static const char *const names[] = {"id", "name", "gender", "birth_date", "native_place"};
    static const char *const rnames[] = {
        "name",   "gender",    "birth_date", "native_place", "id_as_written",
        "source", "household", "company_id", "role",         "company_name"};
    const char *rid = pl_stmt_text(q, col + 5);
    int rec = rid && *rid;
    json_object_set_new(o, "kind", json_string(rec ? "record" : "person"));
    json_object_set_new(o, "id", json_string(pl_stmt_text(q, col)));
    if (rec) {
        json_object_set_new(o, "record_id", json_string(pl_stmt_text(q, col + 5)));
        for (int i = 0; i < 10; i++) {
            const char *t = pl_stmt_text(q, col + 6 + i);
            json_object_set_new(o, rnames[i], t ? json_string(t) : json_null());
        }
        return o;
    }
    for (int i = 1; i < 5; i++) {
        const char *t = pl_stmt_text(q, col + i);
        json_object_set_new(o, names[i], t ? json_string(t) : json_null());
    }
    return o;
}

int pl_link_list(pl_store *st, const char *status, int limit, int offset, json_t *out, pl_err *e)
{
    static const char *const known[] = {"review", "linked", "same", "not_same", "unsure", "all"};
    if (!status)
        status = "review";
    size_t k;
    for (k = 0; k < sizeof known / sizeof *known; k++)
        if (strcmp(status, known[k]) == 0)
            break;
    if (k == sizeof known / sizeof *known)
        return pl_err_set(e, PL_EINVAL,
                          "status: must be review, linked, same, not_same, unsure or all");
    pl_stmt *q = NULL;
    int rc = pl_store_prepare(
        st,
        "SELECT " SIDE_SQL("pa", "ra", "ca", "a") ", " SIDE_SQL(
            "pb", "rb", "cb",
            "b") ", "
                 "l.status, l.score_centibits, l.features, l.proposed_at, l.judged_by, "
                 "l.judged_at, "
                 "l.reason FROM person_links l LEFT JOIN persons pa ON pa.id=l.a "
                 "LEFT JOIN persons pb ON pb.id=l.b "
                 "LEFT JOIN person_records ra ON ra.id = CASE WHEN l.a LIKE 'person_records:%' "
                 "THEN substr(l.a, 16) END LEFT JOIN companies ca ON ca.id=ra.company_id "
                 "LEFT JOIN person_records rb ON rb.id = CASE WHEN l.b LIKE 'person_records:%' "
                 "THEN substr(l.b, 16) END LEFT JOIN companies cb ON cb.id=rb.company_id "
                 "WHERE (CAST(? AS TEXT)='all' OR l.status=?) "
                 "ORDER BY l.score_centibits DESC, l.a, l.b LIMIT ? OFFSET ?",
        &q, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(q, 1, status);
    pl_stmt_bind_text(q, 2, status);
    pl_stmt_bind_i64(q, 3, limit);
    pl_stmt_bind_i64(q, 4, offset);
    while ((rc = pl_stmt_step(q, e)) == PL_ROW) {
        json_t *o = json_object();
        const int c = 2 * SIDE_COLS;
        json_object_set_new(o, "a", side(q, 0));
        json_object_set_new(o, "b", side(q, SIDE_COLS));
        json_object_set_new(o, "status", json_string(pl_stmt_text(q, c)));
        json_object_set_new(o, "score_centibits", json_integer(pl_stmt_i64(q, c + 1)));
        json_t *f = json_loads(pl_stmt_text(q, c + 2), 0, NULL);
        json_object_set_new(o, "features", f ? f : json_array());
        json_object_set_new(o, "proposed_at", json_string(pl_stmt_text(q, c + 3)));
        for (int i = 0; i < 3; i++) {
            const char *t = pl_stmt_text(q, c + 4 + i);
            static const char *const nm[] = {"judged_by", "judged_at", "reason"};
            json_object_set_new(o, nm[i], t ? json_string(t) : json_null());
        }
        json_array_append_new(out, o);
    }
    pl_stmt_finalize(q);
    return rc < 0 ? rc : 0;
}
