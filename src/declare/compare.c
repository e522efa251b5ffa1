/*
 * compare.c — the item-by-item comparison of a drawn declaration with the
 * registry records of the person, spouse and minor children, its classes
 * (一致 / 容差内 / 漏报 / 瞒报 / 待说明) and weighted score, the ranked
 * sample and the officer's conclusion (with the 补报 window). Layer:
 * declare. Spec: DESIGN.md §6 "Declarations", docs/DECLARE.md "Classes".
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "declare.h"
#include "declare_int.h"

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const char *const class_codes[] = {"match",       "tolerance",   "omission",
                                          "concealment", "unexplained", "not_compared"};
static const char *const class_zh[] = {"一致", "容差内", "漏报", "瞒报", "待说明", "未比对"};
enum { C_MATCH, C_TOLERANCE, C_OMISSION, C_CONCEALMENT, C_UNEXPLAINED, C_NOT_COMPARED, C_N };

/* The drawn context of a declaration: its latest round with a sample row. */
typedef struct drawn_ctx {
    char round_id[PL_DECLARE_ID_MAX + 1], unit[PL_DECLARE_ID_MAX + 1];
    char person[PL_DECLARE_ID_MAX + 1], drawn_at[16], basis[16];
    int64_t year;
    json_t *params;
} drawn_ctx;

/* PL_ENOTFOUND (naming `field`) when the declaration is in no drawn sample
 * the caller may see. */
static int load_drawn(pl_store *s, const pl_declare_caller *c, const char *decl, const char *field,
                      drawn_ctx *d, pl_err *e)
{
    memset(d, 0, sizeof *d);
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        s,
        "SELECT r.id, r.unit_id, x.person_id, x.year, r.drawn_at, r.params, m.basis "
        "FROM declaration_round_sample m JOIN declaration_rounds r ON r.id=m.round_id "
        "JOIN declarations x ON x.id=m.declaration_id WHERE m.declaration_id=? "
        "ORDER BY r.drawn_at DESC, r.eligible_seq DESC",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, decl);
    int found = 0;
    while (!found && (rc = pl_stmt_step(st, e)) == PL_ROW) {
        int yes = 0;
        const char *unit = pl_stmt_text(st, 1);
        /* in_scope uses another cached statement: safe while this one steps */
        if ((rc = pl_declare_in_scope(s, c, unit, &yes, e)))
            break;
        if (!yes)
            continue;
        found = 1;
        snprintf(d->round_id, sizeof d->round_id, "%s", pl_stmt_text(st, 0));
        snprintf(d->unit, sizeof d->unit, "%s", unit);
        snprintf(d->person, sizeof d->person, "%s", pl_stmt_text(st, 2));
        d->year = pl_stmt_i64(st, 3);
        snprintf(d->drawn_at, sizeof d->drawn_at, "%s", pl_stmt_text(st, 4));
        d->params = json_loads(pl_stmt_text(st, 5), 0, NULL);
        snprintf(d->basis, sizeof d->basis, "%s", pl_stmt_text(st, 6));
    }
    pl_stmt_reset(st);
    if (rc != PL_ROW && rc != PL_DONE)
        return rc;
    if (!found)
        return pl_declare_say(
            e, field && strcmp(field, "id") ? PL_EINVAL : PL_ENOTFOUND, field ? field : "id",
            "申报 '%s' 未被抽中（不在任何已抽取的抽查样本中）",
            "declaration '%s' was not drawn (in no drawn check round's sample)", decl);
    return 0;
}

typedef struct item {
    char *id, *kind, *holder, *ref;
    int64_t amount; /* -1: none */
    int used;
} item;

static char *dup(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char *p = pl_malloc(n + 1);
    memcpy(p, s ? s : "", n + 1);
    return p;
}

static json_t *line(const char *kind, const char *holder, const char *relation, const char *ref,
                    int64_t declared, int64_t registry, const char *item_id, const char *rec_id,
                    const char *observed, int cls)
{
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind", kind, "holder_id", holder, "relation",
                  relation, "ref", ref, "class", class_codes[cls], "class_label", class_zh[cls]);
    json_object_set_new(o, "declared_fen", declared >= 0 ? json_integer(declared) : json_null());
    json_object_set_new(o, "registry_fen", registry >= 0 ? json_integer(registry) : json_null());
    json_object_set_new(o, "item_id", item_id ? json_string(item_id) : json_null());
    json_object_set_new(o, "record_id", rec_id ? json_string(rec_id) : json_null());
    json_object_set_new(o, "observed_at", observed ? json_string(observed) : json_null());
    return o;
}

/* The class of an amount declared against the registry's (both in fen). */
static int amount_class(int64_t declared, int64_t registry, const json_t *params)
{
    if (declared < 0)
        declared = 0;
    if (declared == registry)
        return C_MATCH;
    int64_t diff = declared > registry ? declared - registry : registry - declared;
    if (diff * 100 <= pl_declare_pint(params, "r09_securities_tolerance_pct", 10) * registry)
        return C_TOLERANCE;
    if (declared > registry)
        return C_UNEXPLAINED;
    return diff * 100 <= pl_declare_pint(params, "decl_conceal_pct", 50) * registry ? C_OMISSION
                                                                                    : C_CONCEALMENT;
}

/* The comparison proper (docs/DECLARE.md "Classes"). */
static int compare(pl_store *s, const char *decl, const drawn_ctx *d, json_t **out, pl_err *e)
{
    char yend[32], ystr[32], minor[32];
    snprintf(yend, sizeof yend, "%04" PRId64 "-12-31", d->year);
    snprintf(ystr, sizeof ystr, "%04" PRId64, d->year);
    snprintf(minor, sizeof minor, "%04" PRId64 "-12-31", d->year - 18);
    /* The household: self, spouses (either direction), minor children. */
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        s,
        "SELECT ?, 'self', 0 UNION SELECT relative_id, 'spouse', 0 FROM kin WHERE person_id=? "
        "AND relation='spouse' UNION SELECT person_id, 'spouse', 0 FROM kin WHERE relative_id=? "
        "AND relation='spouse' UNION SELECT k.relative_id, 'child', CASE WHEN ch.birth_date>? "
        "THEN 0 ELSE 1 END FROM kin k JOIN persons ch ON ch.id=k.relative_id WHERE "
        "k.person_id=? AND k.relation='child'",
        &st, e);
    if (rc)
        return rc;
    for (int i = 1; i <= 3; i++)
        pl_stmt_bind_text(st, i, d->person);
    pl_stmt_bind_text(st, 4, minor);
    pl_stmt_bind_text(st, 5, d->person);
    json_t *house = json_array();
    int spouses = 0;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        /* [holder, relation, kin_only]: an adult child counts for kin_abroad
         * (a child's residence abroad) only */
        const char *hid = pl_stmt_text(st, 0);
        int kin_only = (int)pl_stmt_i64(st, 2);
        json_t *dupe = NULL, *hm0;
        size_t h0;
        json_array_foreach(
            house, h0, hm0) if (!strcmp(json_string_value(json_array_get(hm0, 0)), hid)) dupe = hm0;
        if (dupe) {
            if (!kin_only)
                json_array_set_new(dupe, 2, json_integer(0));
            continue;
        }
        json_array_append_new(house, json_pack("[s,s,i]", hid, pl_stmt_text(st, 1), kin_only));
        spouses += !strcmp(pl_stmt_text(st, 1), "spouse");
    }
    pl_stmt_reset(st);
    if (rc != PL_DONE) {
        json_decref(house);
        return rc;
    }
    /* Items: the declaration's and its corrections' (补报: same person and
     * year, filed on or after the draw). */
    item *items = NULL;
    size_t nitems = 0, cap = 0;
    rc = pl_store_prepare_cached(
        s,
        "SELECT i.id, i.kind, i.holder_id, i.ref, i.amount_fen FROM declaration_items i "
        "JOIN declarations x ON x.id=i.declaration_id WHERE x.id=? OR (x.person_id=? AND "
        "x.year=? AND x.id<>? AND x.filed_at>=?) ORDER BY i.id",
        &st, e);
    if (!rc) {
        pl_stmt_bind_text(st, 1, decl);
        pl_stmt_bind_text(st, 2, d->person);
        pl_stmt_bind_i64(st, 3, d->year);
        pl_stmt_bind_text(st, 4, decl);
        pl_stmt_bind_text(st, 5, d->drawn_at);
        while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
            if (nitems == cap) {
                cap = cap ? 2 * cap : 16;
                items = pl_realloc(items, cap * sizeof *items);
            }
            item *it = &items[nitems++];
            it->id = dup(pl_stmt_text(st, 0));
            it->kind = dup(pl_stmt_text(st, 1));
            it->holder = dup(pl_stmt_text(st, 2));
            it->ref = dup(pl_stmt_text(st, 3));
            it->amount = pl_stmt_type(st, 4) == PL_COL_NULL ? -1 : pl_stmt_i64(st, 4);
            it->used = 0;
        }
        pl_stmt_reset(st);
        rc = rc == PL_DONE ? 0 : rc;
    }
    json_t *lines = json_array();
    int64_t counts[C_N] = {0};
    int64_t conceal_fen = pl_declare_pint(d->params, "decl_conceal_yuan", 300000) * 100;
    size_t h;
    json_t *hm;
    json_array_foreach(house, h, hm)
    {
        if (rc)
            break;
        const char *holder = json_string_value(json_array_get(hm, 0));
        const char *rel = json_string_value(json_array_get(hm, 1));
        int64_t kin_only = json_integer_value(json_array_get(hm, 2));
        rc = pl_store_prepare_cached(
            s,
            "SELECT r.id, r.kind, r.ref, r.amount_fen, r.observed_at, "
            "(SELECT count(*) FROM company_roles cr WHERE cr.person_id=r.holder_id AND "
            "cr.company_id=r.ref) AS roles, "
            "(SELECT count(*) FROM company_roles cr WHERE cr.person_id=r.holder_id AND "
            "cr.company_id=r.ref AND cr.end_date IS NOT NULL AND cr.end_date<>'' AND "
            "cr.end_date<=?) AS ended "
            "FROM registry_records r WHERE r.holder_id=? AND (r.kind='kin_abroad' OR ?=0) AND ("
            "(r.kind IN ('real_estate','company_role','vehicle','securities','passport',"
            "'kin_abroad') AND "
            "r.observed_at<=? AND (r.ended_at IS NULL OR r.ended_at='' OR r.ended_at>?)) OR "
            "(r.kind='exit_abroad' AND "
            "substr(r.observed_at,1,4)=?) OR (r.kind='income' AND substr(r.observed_at,1,4)=? "
            "AND r.holder_id=?)) ORDER BY r.kind, r.ref, r.id",
            &st, e);
        if (rc)
            break;
        pl_stmt_bind_text(st, 1, yend);
        pl_stmt_bind_text(st, 2, holder);
        pl_stmt_bind_i64(st, 3, kin_only);
        pl_stmt_bind_text(st, 4, yend);
        pl_stmt_bind_text(st, 5, yend);
        pl_stmt_bind_text(st, 6, ystr);
        pl_stmt_bind_text(st, 7, ystr);
        pl_stmt_bind_text(st, 8, d->person);
        char prev[512] = "";
        while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
            const char *rid = pl_stmt_text(st, 0), *kind = pl_stmt_text(st, 1),
                       *ref = pl_stmt_text(st, 2), *obs = pl_stmt_text(st, 4);
            int64_t amount = pl_stmt_type(st, 3) == PL_COL_NULL ? -1 : pl_stmt_i64(st, 3);
            char key[512];
            snprintf(key, sizeof key, "%s|%s", kind, ref);
            if (!strcmp(key, prev))
                continue; /* one record per (kind, ref), as R09 */
            snprintf(prev, sizeof prev, "%s", key);
            /* A company role that ended on or before 31 Dec is not held at
             * the reporting date: nothing to declare. */
            if (!strcmp(kind, "company_role") && pl_stmt_i64(st, 5) > 0 &&
                pl_stmt_i64(st, 5) == pl_stmt_i64(st, 6))
                continue;
            item *it = NULL;
            for (size_t k = 0; k < nitems && !it; k++)
                if (!items[k].used && !strcmp(items[k].kind, kind) && !strcmp(items[k].ref, ref))
                    it = &items[k];
            int cls;
            int with_amount = !strcmp(kind, "securities") || !strcmp(kind, "income");
            if (it) {
                it->used = 1;
                cls = with_amount && amount >= 0 ? amount_class(it->amount, amount, d->params)
                                                 : C_MATCH;
            } else if (!strcmp(kind, "real_estate") || !strcmp(kind, "company_role") ||
                       (amount >= 0 && amount >= conceal_fen))
                cls = C_CONCEALMENT;
            else
                cls = C_OMISSION;
            counts[cls]++;
            json_array_append_new(lines, line(kind, holder, rel, ref, it ? it->amount : -1, amount,
                                              it ? it->id : NULL, rid, obs, cls));
        }
        pl_stmt_reset(st);
        rc = rc == PL_DONE ? 0 : rc;
    }
    if (!rc) {
        /* Marriage: the registry's spouse rows against a marriage item. */
        item *it = NULL;
        for (size_t k = 0; k < nitems && !it; k++)
            if (!items[k].used && !strcmp(items[k].kind, "marriage"))
                it = &items[k];
        if (it || spouses) {
            int cls = it && spouses ? C_MATCH : spouses ? C_OMISSION : C_UNEXPLAINED;
            if (it)
                it->used = 1;
            counts[cls]++;
            json_array_append_new(lines, line("marriage", d->person, "self",
                                              it ? it->ref : (spouses ? "spouse" : ""), -1, -1,
                                              it ? it->id : NULL, NULL, NULL, cls));
        }
        /* Declared, not in the registry: to be explained (income with no
         * registry source is shown, not compared). */
        for (size_t k = 0; k < nitems; k++) {
            if (items[k].used)
                continue;
            int cls = !strcmp(items[k].kind, "income") ? C_NOT_COMPARED : C_UNEXPLAINED;
            counts[cls]++;
            const char *rel = "self";
            json_array_foreach(house, h, hm) if (!strcmp(json_string_value(json_array_get(hm, 0)),
                                                         items[k].holder)) rel =
                json_string_value(json_array_get(hm, 1));
            json_array_append_new(lines, line(items[k].kind, items[k].holder, rel, items[k].ref,
                                              items[k].amount, -1, items[k].id, NULL, NULL, cls));
        }
    }
    for (size_t k = 0; k < nitems; k++) {
        free(items[k].id);
        free(items[k].kind);
        free(items[k].holder);
        free(items[k].ref);
    }
    free(items);
    json_decref(house);
    if (rc) {
        json_decref(lines);
        return rc;
    }
    int64_t score = counts[C_TOLERANCE] * pl_declare_pint(d->params, "decl_w_tolerance", 1) +
                    counts[C_OMISSION] * pl_declare_pint(d->params, "decl_w_omission", 5) +
                    counts[C_CONCEALMENT] * pl_declare_pint(d->params, "decl_w_concealment", 20) +
                    counts[C_UNEXPLAINED] * pl_declare_pint(d->params, "decl_w_unexplained", 2);
    json_t *cj = json_object();
    for (int k = 0; k < C_N; k++)
        json_object_set_new(cj, class_codes[k], json_integer(counts[k]));
    *out = json_pack("{s:s, s:s, s:I, s:s, s:s, s:o, s:o, s:I}", "declaration_id", decl,
                     "person_id", d->person, "year", (json_int_t)d->year, "round_id", d->round_id,
                     "basis", d->basis, "lines", lines, "counts", cj, "score", (json_int_t)score);
    return 0;
}

int pl_declare_compare(pl_store *s, const pl_declare_caller *c, const char *decl_id, json_t **out,
                       pl_err *e)
{
    drawn_ctx d;
    int rc = load_drawn(s, c, decl_id, "id", &d, e);
    if (!rc)
        rc = compare(s, decl_id, &d, out, e);
    json_decref(d.params);
    return rc;
}

static int by_score(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int64_t sx = json_integer_value(json_object_get(x, "score")),
            sy = json_integer_value(json_object_get(y, "score"));
    if (sx != sy)
        return sx > sy ? -1 : 1;
    return strcmp(jstr(x, "declaration_id"), jstr(y, "declaration_id"));
}

int pl_declare_sample(pl_store *s, const pl_declare_caller *c, const char *id, json_t **out,
                      pl_err *e)
{
    json_t *round = NULL;
    int rc = pl_declare_round_get(s, c, id, 0, &round, e);
    if (rc)
        return rc;
    json_decref(round);
    pl_stmt *st;
    rc = pl_store_prepare(s,
                          "SELECT m.declaration_id, m.basis, m.draw_rank, x.person_id, "
                          "k.conclusion FROM declaration_round_sample m JOIN declarations x ON "
                          "x.id=m.declaration_id LEFT JOIN declaration_conclusions k ON "
                          "k.round_id=m.round_id AND k.declaration_id=m.declaration_id "
                          "WHERE m.round_id=? ORDER BY m.draw_rank",
                          &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    json_t *rows = json_array();
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        json_t *o = json_pack("{s:s, s:s, s:I, s:s}", "declaration_id", pl_stmt_text(st, 0),
                              "basis", pl_stmt_text(st, 1), "draw_rank",
                              (json_int_t)pl_stmt_i64(st, 2), "person_id", pl_stmt_text(st, 3));
        json_object_set_new(o, "conclusion",
                            pl_stmt_type(st, 4) != PL_COL_NULL ? json_string(pl_stmt_text(st, 4))
                                                               : json_null());
        json_array_append_new(rows, o);
    }
    pl_stmt_finalize(st);
    if (rc != PL_DONE) {
        json_decref(rows);
        return rc;
    }
    rc = 0;
    size_t n = json_array_size(rows), i;
    json_t **v = pl_malloc((n ? n : 1) * sizeof *v);
    for (i = 0; i < n && !rc; i++) {
        json_t *o = json_array_get(rows, i), *cmp = NULL;
        rc = pl_declare_compare(s, c, jstr(o, "declaration_id"), &cmp, e);
        if (!rc) {
            json_object_set(o, "score", json_object_get(cmp, "score"));
            json_object_set(o, "counts", json_object_get(cmp, "counts"));
            json_decref(cmp);
        }
        v[i] = o;
    }
    if (!rc) {
        qsort(v, n, sizeof *v, by_score);
        *out = json_array();
        for (i = 0; i < n; i++)
            json_array_append(*out, v[i]);
    }
    free(v);
    json_decref(rows);
    return rc;
}

/* ---------------------------------------------------------- conclusion */

static int conclude(pl_store *s, pl_ledger *l, const pl_declare_caller *c, const char *decl,
                    const json_t *in, pl_err *e)
{
    if (!json_is_object(in))
        return pl_declare_say(e, PL_EINVAL, "body", "须为 JSON 对象", "must be a JSON object");
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)in, k,
                        v) if (strcmp(k, "conclusion") &&
                               strcmp(k, "reason")) return pl_declare_say(e, PL_EINVAL, k,
                                                                          "未知字段",
                                                                          "unknown field");
    const char *concl = jstr(in, "conclusion"), *reason = jstr(in, "reason");
    if (!concl ||
        (strcmp(concl, "truthful") && strcmp(concl, "omission") && strcmp(concl, "concealment")))
        return pl_declare_say(e, PL_EINVAL, "conclusion",
                              "须为 truthful（如实）、omission（漏报）或 concealment（瞒报）",
                              "must be truthful, omission or concealment");
    if (!reason || !*reason || strlen(reason) > 20000)
        return pl_declare_say(e, PL_EINVAL, "reason", "必填（结论理由）", "required (the reason)");
    drawn_ctx d;
    int rc = load_drawn(s, c, decl, "declaration_id", &d, e);
    if (rc)
        return rc;
    pl_stmt *st;
    rc = pl_store_prepare_cached(s,
                                 "SELECT count(*) FROM declaration_conclusions WHERE round_id=? "
                                 "AND declaration_id=?",
                                 &st, e);
    int64_t n = 0;
    if (!rc) {
        pl_stmt_bind_text(st, 1, d.round_id);
        pl_stmt_bind_text(st, 2, decl);
        rc = pl_stmt_step(st, e);
        n = rc == PL_ROW ? pl_stmt_i64(st, 0) : 0;
        pl_stmt_reset(st);
        rc = rc == PL_ROW ? 0 : rc;
    }
    if (!rc && n > 0)
        rc = pl_declare_say(e, PL_EEXIST, "declaration_id", "申报 '%s' 已有核查结论（%s）",
                            "declaration '%s' already has a conclusion (%s)", decl, d.round_id);
    char now[32], wend[11] = "";
    pl_time_format_clock(now, pl_time_now());
    now[10] = 0;
    if (!rc) {
        pl_date dd;
        if (pl_date_parse(&dd, d.drawn_at) == 0)
            pl_date_format(wend, pl_date_add_days(dd, (int32_t)pl_declare_pint(
                                                          d.params, "decl_correction_days", 30)));
        int64_t corrections = 0;
        rc = pl_store_prepare_cached(s,
                                     "SELECT count(*) FROM declarations WHERE person_id=? AND "
                                     "year=? AND id<>? AND filed_at>=?",
                                     &st, e);
        if (!rc) {
            pl_stmt_bind_text(st, 1, d.person);
            pl_stmt_bind_i64(st, 2, d.year);
            pl_stmt_bind_text(st, 3, decl);
            pl_stmt_bind_text(st, 4, d.drawn_at);
            rc = pl_stmt_step(st, e);
            corrections = rc == PL_ROW ? pl_stmt_i64(st, 0) : 0;
            pl_stmt_reset(st);
            rc = rc == PL_ROW ? 0 : rc;
        }
        if (!rc && corrections == 0 && strcmp(now, wend) < 0)
            rc = pl_declare_say(
                e, PL_EEXIST, "correction_window",
                "补报期至 %s 结束（抽取日 %s），本人未补报：期满前不能作出结论",
                "the self-correction window runs until %s (drawn %s) and no correction was "
                "filed: no conclusion before it ends",
                wend, d.drawn_at);
    }
    json_t *cmp = NULL;
    if (!rc)
        rc = compare(s, decl, &d, &cmp, e);
    if (!rc) {
        json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:O, s:s}", "round_id", d.round_id,
                              "declaration_id", decl, "conclusion", concl, "reason", reason,
                              "score", json_object_get(cmp, "score"), "at", now);
        json_t *subjects = json_pack("[s]", decl);
        pl_event ev = {
            .type = "declare.concluded", .actor = c->actor, .subjects = subjects, .payload = p};
        rc = pl_ledger_append_normal(l, &ev, NULL, e);
        json_decref(subjects);
        json_decref(p);
    }
    json_decref(cmp);
    json_decref(d.params);
    return rc;
}

int pl_declare_conclude(pl_store *s, pl_ledger *l, const pl_declare_caller *c, const char *decl_id,
                        const json_t *in, pl_err *e)
{
    int rc = pl_store_begin(s, e);
    if (rc)
        return rc;
    rc = conclude(s, l, c, decl_id, in, e);
    if (rc) {
        pl_store_rollback(s);
        return rc;
    }
    return pl_store_commit(s, e);
}
