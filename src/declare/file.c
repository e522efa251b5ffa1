/*
 * file.c — the integrity file (廉政档案) of one cadre as one resource,
 * read from the projections under the reader's rights (DESIGN.md §6
 * "Integrity file"; issue #18 item 3; docs/DECLARE.md "Integrity file").
 * Layer: declare. Every section is one query over one kind of record, so
 * the caller's scope and recusal SQL for that kind applies unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "../ledger/ledger.h"
#include "../model/model.h"
#include "declare.h"
#include "declare_int.h"

typedef struct fctx {
    pl_store *s;
    const pl_file_access *acc;
    int en;
    char today[11];
    pl_err *e;
    json_t *timeline; /* array of {date, section, text} */
    const struct lead *leads;
    size_t nleads;
} fctx;

static int may_read(fctx *c, const char *entity)
{
    return !c->acc || !c->acc->may_read || c->acc->may_read(c->acc->ctx, entity);
}

/* Prepare "[prefix] head [access where] tail" and bind the prefix's
 * parameters; *next gets the first index for the caller's own. */
static int q_open(fctx *c, const char *entity, const char *head, const char *tail, pl_stmt **st,
                  int *next)
{
    pl_buf sql;
    pl_buf_init(&sql);
    if (c->acc && c->acc->prefix)
        c->acc->prefix(c->acc->ctx, &sql);
    pl_buf_adds(&sql, head);
    if (c->acc && c->acc->where)
        c->acc->where(c->acc->ctx, entity, &sql);
    pl_buf_adds(&sql, " ");
    pl_buf_adds(&sql, tail);
    /* Cached: the SQL of a part depends only on the reader's scope mode,
     * so a connection keeps a few dozen statements for every file. */
    int rc = pl_store_prepare_cached(c->s, sql.data, st, c->e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    *next = 1;
    if (c->acc && c->acc->bind) {
        int k = c->acc->bind(c->acc->ctx, *st);
        if (k < 0) {
            pl_stmt_reset(*st);
            *st = NULL;
            return pl_err_set(c->e, k, "cannot check the reader's scope");
        }
        *next = k;
    }
    return 0;
}

static const char *col(pl_stmt *st, int i)
{
    return pl_stmt_type(st, i) == PL_COL_NULL ? NULL : pl_stmt_text(st, i);
}

static json_t *jstr_or_null(const char *v)
{
    return v && *v ? json_string(v) : json_null();
}

/* A stored date or time as a local date: "YYYY-MM-DD" stays; a UTC time
 * "…T…Z" becomes the date in China Standard Time (UTC+8, no DST). */
static void local_date(const char *v, char out[11])
{
    out[0] = 0;
    if (!v || strlen(v) < 10)
        return;
    int64_t t;
    if (strlen(v) > 10 && v[10] == 'T' && pl_time_parse(v, &t) == 0) {
        char iso[21];
        if (pl_time_format(iso, t + 8 * 3600))
            return; /* out stays "" */
        memcpy(out, iso, 10);
    } else {
        memcpy(out, v, 10);
    }
    out[10] = 0;
}

static void set_date(json_t *o, const char *key, const char *v)
{
    char d[11];
    local_date(v, d);
    json_object_set_new(o, key, d[0] ? json_string(d) : json_null());
}

static void set_code(fctx *c, json_t *o, const char *key, const char *domain, const char *code)
{
    json_object_set_new(o, key, jstr_or_null(code));
    char lk[64];
    snprintf(lk, sizeof lk, "%s_label", key);
    json_object_set_new(o, lk, json_string(pl_declare_label(domain, code, c->en)));
}

static void set_money(json_t *o, pl_stmt *st, int i)
{
    if (pl_stmt_type(st, i) == PL_COL_NULL) {
        json_object_set_new(o, "amount_yuan", json_null());
        return;
    }
    char y[32];
    pl_declare_yuan(y, pl_stmt_i64(st, i));
    json_object_set_new(o, "amount_yuan", json_string(y));
}

static void tl_add(fctx *c, const char *date, const char *section, const char *text, const char *id)
{
    char d[11];
    local_date(date, d);
    if (!d[0])
        return;
    json_array_append_new(c->timeline,
                          json_pack("{s:s,s:s,s:s,s:s,s:s}", "date", d, "section", section,
                                    "section_label", pl_declare_label("section", section, c->en),
                                    "text", text ? text : "", "id", id ? id : ""));
}

/* Run a prepared section query with `np` text parameters after the
 * prefix's; call `row` per row. */
typedef int (*row_fn)(fctx *c, pl_stmt *st, json_t *arr);

static int section(fctx *c, const char *entity, const char *head, const char *tail,
                   const char *const *params, int np, row_fn row, json_t *arr)
{
    pl_stmt *st = NULL;
    int k, rc = q_open(c, entity, head, tail, &st, &k);
    if (rc)
        return rc;
    for (int i = 0; i < np; i++)
        pl_stmt_bind_text(st, k + i, params[i]);
    while ((rc = pl_stmt_step(st, c->e)) == PL_ROW) {
        rc = row(c, st, arr);
        if (rc)
            break;
    }
    pl_stmt_reset(st);
    return rc == PL_DONE ? 0 : rc;
}

/* ------------------------------------------------------------- sections */

static int row_tenure(fctx *c, pl_stmt *st, json_t *arr)
{
    /* t.id, t.start_date, t.end_date, p.title, p.is_top, p.category,
     * p.portfolio, p.unit_id, u.name */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(pl_stmt_text(st, 0)));
    json_object_set_new(o, "unit_id", jstr_or_null(col(st, 7)));
    json_object_set_new(o, "unit_name", jstr_or_null(col(st, 8) ? col(st, 8) : col(st, 7)));
    json_object_set_new(o, "post_title", jstr_or_null(col(st, 3)));
    json_object_set_new(o, "is_top", json_boolean(pl_stmt_i64(st, 4) != 0));
    set_code(c, o, "category", "category", col(st, 5));
    json_object_set_new(o, "portfolio", jstr_or_null(col(st, 6)));
    set_date(o, "start_date", col(st, 1));
    set_date(o, "end_date", col(st, 2));
    json_array_append_new(arr, o);
    pl_buf t;
    pl_buf_init(&t);
    pl_buf_addf(&t, "%s %s%s", col(st, 8) ? col(st, 8) : "", col(st, 3) ? col(st, 3) : "",
                c->en ? " (took office)" : " 任职");
    tl_add(c, col(st, 1), "tenures", t.data, pl_stmt_text(st, 0));
    if (col(st, 2) && *col(st, 2)) {
        pl_buf_reset(&t);
        pl_buf_addf(&t, "%s %s%s", col(st, 8) ? col(st, 8) : "", col(st, 3) ? col(st, 3) : "",
                    c->en ? " (left office)" : " 离任");
        tl_add(c, col(st, 2), "tenures", t.data, pl_stmt_text(st, 0));
    }
    pl_buf_release(&t);
    return 0;
}

static int row_kin(fctx *c, pl_stmt *st, json_t *arr)
{
    /* t.id, t.relation, t.relative_id, r.name */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(pl_stmt_text(st, 0)));
    set_code(c, o, "relation", "relation", col(st, 1));
    json_object_set_new(o, "relative_id", jstr_or_null(col(st, 2)));
    json_object_set_new(o, "name", jstr_or_null(col(st, 3) ? col(st, 3) : col(st, 2)));
    json_object_set_new(o, "companies", json_array());
    json_array_append_new(arr, o);
    return 0;
}

static int row_company(fctx *c, pl_stmt *st, json_t *arr)
{
    /* t.id, t.person_id, h.name, t.role, t.share_bp, t.start_date,
     * t.end_date, co.name, t.company_id */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(pl_stmt_text(st, 0)));
    json_object_set_new(o, "holder_id", jstr_or_null(col(st, 1)));
    json_object_set_new(o, "holder_name", jstr_or_null(col(st, 2) ? col(st, 2) : col(st, 1)));
    set_code(c, o, "role", "role", col(st, 3));
    if (pl_stmt_type(st, 4) != PL_COL_NULL) {
        char pct[32];
        int64_t bp = pl_stmt_i64(st, 4);
        snprintf(pct, sizeof pct, "%lld.%02lld%%", (long long)(bp / 100), (long long)(bp % 100));
        json_object_set_new(o, "share", json_string(pct));
    } else {
        json_object_set_new(o, "share", json_null());
    }
    set_date(o, "start_date", col(st, 5));
    set_date(o, "end_date", col(st, 6));
    json_object_set_new(o, "company_name", jstr_or_null(col(st, 7) ? col(st, 7) : col(st, 8)));
    json_array_append_new(arr, o);
    pl_buf t;
    pl_buf_init(&t);
    pl_buf_addf(&t, "%s · %s · %s", col(st, 2) ? col(st, 2) : "",
                col(st, 7) ? col(st, 7) : (col(st, 8) ? col(st, 8) : ""),
                pl_declare_label("role", col(st, 3), c->en));
    tl_add(c, col(st, 5), "companies", t.data, pl_stmt_text(st, 0));
    pl_buf_release(&t);
    return 0;
}

static int row_declaration(fctx *c, pl_stmt *st, json_t *arr)
{
    /* t.id, t.year, t.filed_at */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(pl_stmt_text(st, 0)));
    json_object_set_new(o, "year", json_integer(pl_stmt_i64(st, 1)));
    set_date(o, "filed_at", col(st, 2));
    json_object_set_new(o, "items", json_array());
    json_object_set_new(o, "check", json_array());
    json_object_set_new(o, "check_rounds", json_array());
    json_array_append_new(arr, o);
    char t[96];
    snprintf(t, sizeof t, c->en ? "declaration for %lld filed" : "%lld 年度个人有关事项报告",
             (long long)pl_stmt_i64(st, 1));
    tl_add(c, col(st, 2), "declarations", t, pl_stmt_text(st, 0));
    return 0;
}

static int row_item(fctx *c, pl_stmt *st, json_t *arr)
{
    /* t.id, t.declaration_id, t.kind, t.holder_id, h.name, t.ref,
     * t.amount_fen, t.detail */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(pl_stmt_text(st, 0)));
    json_object_set_new(o, "declaration_id", json_string(pl_stmt_text(st, 1)));
    set_code(c, o, "kind", "item", col(st, 2));
    json_object_set_new(o, "holder_name", jstr_or_null(col(st, 4) ? col(st, 4) : col(st, 3)));
    json_object_set_new(o, "ref", jstr_or_null(col(st, 5)));
    set_money(o, st, 6);
    json_object_set_new(o, "detail", jstr_or_null(col(st, 7)));
    json_array_append_new(arr, o);
    return 0;
}

static int row_check_round(fctx *c, pl_stmt *st, json_t *arr)
{
    /* t.id, m.round_id, m.basis, m.draw_rank, k.conclusion, k.reason,
     * k.score, k.concluded_at: a check round that drew the declaration and
     * the officer's conclusion, if any (docs/DECLARE.md "Check rounds") */
    json_t *o = json_object();
    json_object_set_new(o, "declaration_id", json_string(pl_stmt_text(st, 0)));
    json_object_set_new(o, "round_id", json_string(pl_stmt_text(st, 1)));
    set_code(c, o, "basis", "draw_basis", col(st, 2));
    json_object_set_new(o, "draw_rank", json_integer(pl_stmt_i64(st, 3)));
    set_code(c, o, "conclusion", "conclusion", col(st, 4));
    json_object_set_new(o, "reason", jstr_or_null(col(st, 5)));
    json_object_set_new(o, "score", col(st, 6) ? json_integer(pl_stmt_i64(st, 6)) : json_null());
    set_date(o, "concluded_at", col(st, 7));
    json_array_append_new(arr, o);
    if (col(st, 4)) {
        char t[160];
        snprintf(t, sizeof t,
                 c->en ? "declaration check (%s): %s" : "个人有关事项报告核查（%s）：%s",
                 pl_stmt_text(st, 1), pl_declare_label("conclusion", col(st, 4), c->en));
        tl_add(c, col(st, 7), "declarations", t, pl_stmt_text(st, 0));
    }
    return 0;
}

static int row_exit(fctx *c, pl_stmt *st, json_t *arr)
{
    /* t.id, t.source, t.ref, t.observed_at, t.detail */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(pl_stmt_text(st, 0)));
    set_code(c, o, "source", "source", col(st, 1));
    json_object_set_new(o, "ref", jstr_or_null(col(st, 2)));
    set_date(o, "observed_at", col(st, 3));
    json_object_set_new(o, "detail", jstr_or_null(col(st, 4)));
    json_array_append_new(arr, o);
    char t[160];
    snprintf(t, sizeof t, "%s %s", c->en ? "exit abroad" : "出境", col(st, 2) ? col(st, 2) : "");
    tl_add(c, col(st, 3), "exits", t, pl_stmt_text(st, 0));
    return 0;
}

static int row_evaluation(fctx *c, pl_stmt *st, json_t *arr)
{
    /* t.id, t.year, t.kind, t.score, excellent, competent, basic, incompetent */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(pl_stmt_text(st, 0)));
    json_object_set_new(o, "year", json_integer(pl_stmt_i64(st, 1)));
    set_code(c, o, "kind", "evaluation", col(st, 2));
    json_object_set_new(o, "score",
                        pl_stmt_type(st, 3) == PL_COL_NULL ? json_null()
                                                           : json_integer(pl_stmt_i64(st, 3)));
    json_object_set_new(o, "votes",
                        json_pack("{s:I,s:I,s:I,s:I}", "excellent", (json_int_t)pl_stmt_i64(st, 4),
                                  "competent", (json_int_t)pl_stmt_i64(st, 5), "basic",
                                  (json_int_t)pl_stmt_i64(st, 6), "incompetent",
                                  (json_int_t)pl_stmt_i64(st, 7)));
    json_array_append_new(arr, o);
    /* An evaluation is dated by its year: the year's last day. */
    char d[16], t[96];
    snprintf(d, sizeof d, "%04lld-12-31", (long long)pl_stmt_i64(st, 1));
    snprintf(t, sizeof t, "%lld %s", (long long)pl_stmt_i64(st, 1),
             pl_declare_label("evaluation", col(st, 2), c->en));
    tl_add(c, d, "evaluations", t, pl_stmt_text(st, 0));
    return 0;
}

static int row_supervision(fctx *c, pl_stmt *st, json_t *arr)
{
    /* t.id, t.kind, t.held_at, t.notes, u.name */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(pl_stmt_text(st, 0)));
    set_code(c, o, "kind", "supervision", col(st, 1));
    set_date(o, "held_at", col(st, 2));
    json_object_set_new(o, "notes", jstr_or_null(col(st, 3)));
    json_object_set_new(o, "unit_name", jstr_or_null(col(st, 4)));
    json_array_append_new(arr, o);
    tl_add(c, col(st, 2), "supervision", pl_declare_label("supervision", col(st, 1), c->en),
           pl_stmt_text(st, 0));
    return 0;
}

/* A finding: t.id, t.rule, t.key, t.subject_kind, t.subject, t.severity,
 * t.status, t.first_seen, t.explanation_zh, t.explanation_en, u.name */
#define FINDING_COLS                                                                               \
    "t.id, t.rule, t.key, t.subject_kind, t.subject, t.severity, t.status, t.first_seen, "         \
    "t.explanation_zh, t.explanation_en, u.name"

static json_t *finding_json(fctx *c, pl_stmt *st, const char *about)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(pl_stmt_text(st, 0)));
    set_code(c, o, "rule", "rule", col(st, 1));
    json_object_set_new(o, "key", jstr_or_null(col(st, 2)));
    set_code(c, o, "about", "about", about);
    json_object_set_new(o, "unit_name", jstr_or_null(col(st, 10)));
    set_code(c, o, "severity", "severity", col(st, 5));
    set_code(c, o, "status", "status", col(st, 6));
    set_date(o, "first_seen", col(st, 7));
    json_object_set_new(o, "explanation", jstr_or_null(col(st, c->en ? 9 : 8)));
    return o;
}

static int row_finding_person(fctx *c, pl_stmt *st, json_t *arr)
{
    json_t *o = finding_json(c, st, "person");
    json_array_append_new(arr, o);
    pl_buf t;
    pl_buf_init(&t);
    pl_buf_addf(&t, "%s %s", col(st, 1), pl_declare_label("rule", col(st, 1), c->en));
    tl_add(c, col(st, 7), "findings", t.data, pl_stmt_text(st, 0));
    pl_buf_release(&t);
    return 0;
}

/* The top-post tenures of the person: where the file looks for findings
 * about units the person led. */
typedef struct lead {
    char unit[72], start[11], end[11], tenure[72];
} lead;

/* The dates of a finding's facts: the dated records its evidence cites
 * (docs/DECLARE.md "Integrity file"). */
static const struct {
    const char *table, *date;
} fact_dates[] = {
    {"decisions", "decided_at"},
    {"payments", "paid_at"},
    {"contracts", "signed_at"},
    {"meetings", "held_at"},
    {"speeches", NULL},
    {"clues", "received_at"},
    {"dispositions", "decided_at"},
    {"supervision_activities", "held_at"},
};

static int finding_dates(fctx *c, const char *fid, json_t *dates)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        c->s, "SELECT ref FROM finding_evidence WHERE finding_id=? ORDER BY ref", &st, c->e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, fid);
    json_t *refs = json_array();
    while ((rc = pl_stmt_step(st, c->e)) == PL_ROW)
        json_array_append_new(refs, json_string(pl_stmt_text(st, 0)));
    pl_stmt_reset(st);
    if (rc != PL_DONE) {
        json_decref(refs);
        return rc;
    }
    rc = 0;
    size_t i;
    json_t *r;
    json_array_foreach(refs, i, r)
    {
        const char *ref = json_string_value(r), *colon = strchr(ref, ':');
        if (!colon)
            continue;
        for (size_t k = 0; k < sizeof fact_dates / sizeof fact_dates[0]; k++) {
            size_t tl = strlen(fact_dates[k].table);
            if (!fact_dates[k].date || (size_t)(colon - ref) != tl ||
                strncmp(ref, fact_dates[k].table, tl) != 0)
                continue;
            char sql[160];
            snprintf(sql, sizeof sql, "SELECT %s FROM %s WHERE id=?", fact_dates[k].date,
                     fact_dates[k].table);
            pl_stmt *q = NULL;
            rc = pl_store_prepare_cached(c->s, sql, &q, c->e);
            if (rc)
                break;
            pl_stmt_bind_text(q, 1, colon + 1);
            rc = pl_stmt_step(q, c->e);
            if (rc == PL_ROW && col(q, 0))
                json_array_append_new(dates, json_string(pl_stmt_text(q, 0)));
            pl_stmt_reset(q);
            rc = rc < 0 ? rc : 0;
        }
        if (rc)
            break;
    }
    json_decref(refs);
    return rc;
}

static int row_finding_unit(fctx *c, pl_stmt *st, json_t *arr)
{
    const char *unit = col(st, 4);
    json_t *dates = json_array();
    int rc = finding_dates(c, pl_stmt_text(st, 0), dates);
    if (rc) {
        json_decref(dates);
        return rc;
    }
    /* No dated fact (e.g. R15's inspection gap): the day it was found. */
    if (json_array_size(dates) == 0 && col(st, 7))
        json_array_append_new(dates, json_string(col(st, 7)));
    const lead *hit = NULL;
    const char *hit_date = NULL;
    size_t i;
    json_t *d;
    json_array_foreach(dates, i, d)
    {
        char day[11];
        local_date(json_string_value(d), day);
        for (size_t k = 0; k < c->nleads && !hit; k++)
            if (unit && strcmp(c->leads[k].unit, unit) == 0 &&
                pl_model_tenure_open(c->leads[k].start, c->leads[k].end[0] ? c->leads[k].end : NULL,
                                     day)) {
                hit = &c->leads[k];
                hit_date = json_string_value(d);
            }
        if (hit)
            break;
    }
    if (hit) {
        json_t *o = finding_json(c, st, "unit");
        json_object_set_new(o, "tenure_id", json_string(hit->tenure));
        set_date(o, "fact_date", hit_date);
        json_array_append_new(arr, o);
        pl_buf t;
        pl_buf_init(&t);
        pl_buf_addf(&t, "%s %s · %s", col(st, 1), pl_declare_label("rule", col(st, 1), c->en),
                    col(st, 10) ? col(st, 10) : unit);
        tl_add(c, hit_date, "findings", t.data, pl_stmt_text(st, 0));
        pl_buf_release(&t);
    }
    json_decref(dates);
    return 0;
}

static int row_clue(fctx *c, pl_stmt *st, json_t *arr)
{
    /* t.id, t.channel, t.received_at, t.category, t.summary, u.name */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(pl_stmt_text(st, 0)));
    set_code(c, o, "channel", "channel", col(st, 1));
    set_date(o, "received_at", col(st, 2));
    set_code(c, o, "category", "clue_category", col(st, 3));
    json_object_set_new(o, "summary", jstr_or_null(col(st, 4)));
    json_object_set_new(o, "unit_name", jstr_or_null(col(st, 5)));
    json_object_set_new(o, "dispositions", json_array());
    json_array_append_new(arr, o);
    pl_buf t;
    pl_buf_init(&t);
    pl_buf_addf(&t, "%s %s",
                c->en ? "clue received:" : "受理问题线索:", col(st, 4) ? col(st, 4) : "");
    tl_add(c, col(st, 2), "clues", t.data, pl_stmt_text(st, 0));
    pl_buf_release(&t);
    return 0;
}

static int row_disposition(fctx *c, pl_stmt *st, json_t *arr)
{
    /* t.id, t.clue_id, t.method, t.decided_at, t.verified_at,
     * t.concluded_at, t.outcome */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(pl_stmt_text(st, 0)));
    json_object_set_new(o, "clue_id", json_string(pl_stmt_text(st, 1)));
    set_code(c, o, "method", "method", col(st, 2));
    set_date(o, "decided_at", col(st, 3));
    set_date(o, "verified_at", col(st, 4));
    set_date(o, "concluded_at", col(st, 5));
    set_code(c, o, "outcome", "outcome", col(st, 6));
    json_array_append_new(arr, o);
    tl_add(c, col(st, 3), "clues", pl_declare_label("method", col(st, 2), c->en),
           pl_stmt_text(st, 0));
    if (col(st, 5) && col(st, 6))
        tl_add(c, col(st, 5), "clues", pl_declare_label("outcome", col(st, 6), c->en),
               pl_stmt_text(st, 0));
    return 0;
}

/* Is `tok` (len bytes) the number of a clue in the store? */
static int is_clue_id(fctx *c, const char *tok, size_t len)
{
    pl_stmt *q = NULL;
    if (pl_store_prepare_cached(c->s, "SELECT 1 FROM clues WHERE id=?", &q, NULL) != 0)
        return 1; /* fail closed: withheld */
    pl_stmt_bind_textn(q, 1, tok, len);
    int hit = pl_stmt_step(q, NULL) == PL_ROW;
    pl_stmt_reset(q);
    return hit;
}

/* An accountability's basis is the source agency's free text and may cite
 * the clue it concluded ("线索Q433127-000104处置结论"): for a reader
 * without clue rights every clue number in it is withheld, since a clue's
 * existence is clue content (docs/SECURITY.md, docs/DECLARE.md "Who sees
 * what"). A token is a run of ASCII letters, digits and '-'. */
static json_t *basis_for(fctx *c, const char *basis)
{
    if (!basis)
        return json_null();
    if (may_read(c, "clue"))
        return json_string(basis);
    pl_buf b;
    pl_buf_init(&b);
    const char *p = basis;
    while (*p) {
        size_t n = 0;
        while (p[n] && ((p[n] >= '0' && p[n] <= '9') || (p[n] >= 'A' && p[n] <= 'Z') ||
                        (p[n] >= 'a' && p[n] <= 'z') || p[n] == '-'))
            n++;
        if (n == 0) {
            pl_buf_add(&b, p, 1);
            p++;
            continue;
        }
        if (n >= 4 && is_clue_id(c, p, n))
            pl_buf_adds(&b, c->en ? "[clue number withheld]" : "〔线索编号不予显示〕");
        else
            pl_buf_add(&b, p, n);
        p += n;
    }
    json_t *out = json_stringn(b.data ? b.data : "", b.len);
    pl_buf_release(&b);
    return out;
}

static int row_accountability(fctx *c, pl_stmt *st, json_t *arr)
{
    /* t.id, t.measure, t.decided_at, t.basis, t.clue_id */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(pl_stmt_text(st, 0)));
    set_code(c, o, "measure", "measure", col(st, 1));
    set_date(o, "decided_at", col(st, 2));
    json_object_set_new(o, "basis", basis_for(c, col(st, 3)));
    json_array_append_new(arr, o);
    const char *m = col(st, 1);
    tl_add(c, col(st, 2), m && strcmp(m, "name_clearing") == 0 ? "name_clearing" : "accountability",
           pl_declare_label("measure", m, c->en), pl_stmt_text(st, 0));
    return 0;
}

static int row_warning(fctx *c, pl_stmt *st, json_t *arr)
{
    /* t.id, t.grade, t.index_x100, t.raised_at */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(pl_stmt_text(st, 0)));
    set_code(c, o, "grade", "grade", col(st, 1));
    int64_t x = pl_stmt_i64(st, 2);
    char idx[32];
    snprintf(idx, sizeof idx, "%lld.%02lld", (long long)(x / 100), (long long)(x % 100));
    json_object_set_new(o, "index", json_string(idx));
    set_date(o, "raised_at", col(st, 3));
    json_array_append_new(arr, o);
    char t[96];
    snprintf(t, sizeof t, "%s%s %s", pl_declare_label("grade", col(st, 1), c->en),
             c->en ? " warning, index" : "预警，风险指数", idx);
    tl_add(c, col(st, 3), "warnings", t, pl_stmt_text(st, 0));
    return 0;
}

static int row_task(fctx *c, pl_stmt *st, json_t *arr)
{
    /* t.id, t.kind, t.owner_role, t.title_zh, t.title_en, t.due_date,
     * t.status, t.opened_at */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(pl_stmt_text(st, 0)));
    set_code(c, o, "kind", "task", col(st, 1));
    set_code(c, o, "owner", "owner", col(st, 2));
    json_object_set_new(o, "title", jstr_or_null(col(st, c->en ? 4 : 3)));
    set_date(o, "due_date", col(st, 5));
    set_code(c, o, "status", "status", col(st, 6));
    set_date(o, "opened_at", col(st, 7));
    json_array_append_new(arr, o);
    tl_add(c, col(st, 7), "tasks", col(st, c->en ? 4 : 3), pl_stmt_text(st, 0));
    return 0;
}

static int row_person(fctx *c, pl_stmt *st, json_t *arr)
{
    /* t.id, t.name, t.gender, t.birth_date, t.native_place */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(pl_stmt_text(st, 0)));
    json_object_set_new(o, "name", jstr_or_null(col(st, 1)));
    set_code(c, o, "gender", "gender", col(st, 2));
    set_date(o, "birth_date", col(st, 3));
    json_object_set_new(o, "native_place", jstr_or_null(col(st, 4)));
    json_array_append_new(arr, o);
    return 0;
}

/* ----------------------------------------------------------- the file */

static int tl_cmp(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int r = strcmp(json_string_value(json_object_get(x, "date")),
                   json_string_value(json_object_get(y, "date")));
    if (!r)
        r = strcmp(json_string_value(json_object_get(x, "section")),
                   json_string_value(json_object_get(y, "section")));
    if (!r)
        r = strcmp(json_string_value(json_object_get(x, "id")),
                   json_string_value(json_object_get(y, "id")));
    return r;
}

static json_t *sorted_timeline(json_t *tl)
{
    size_t n = json_array_size(tl);
    json_t **v = pl_calloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(tl, i);
    qsort(v, n, sizeof *v, tl_cmp);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(out, v[i]);
    free(v);
    return out;
}

/* Attach child rows (items, dispositions, companies) to their parents by a
 * key field. */
static void attach(json_t *parents, const char *pkey, json_t *children, const char *ckey,
                   const char *field)
{
    size_t i, j;
    json_t *p, *ch;
    json_array_foreach(parents, i, p)
    {
        const char *id = json_string_value(json_object_get(p, pkey));
        json_array_foreach(children, j, ch)
        {
            const char *k = json_string_value(json_object_get(ch, ckey));
            if (id && k && strcmp(id, k) == 0)
                json_array_append(json_object_get(p, field), ch);
        }
    }
}

int pl_declare_checkpoint_json(pl_store *s, json_t *file, pl_err *e)
{
    pl_ledger *l = NULL;
    int rc = pl_ledger_open(&l, s, e);
    if (rc)
        return rc;
    pl_buf note;
    pl_buf_init(&note);
    rc = pl_ledger_latest_checkpoint(l, &note, e);
    if (rc == PL_ENOTFOUND) {
        json_object_set_new(file, "checkpoint", json_null());
        rc = 0;
    } else if (rc == 0) {
        pl_checkpoint cp;
        const char *blank = strstr(note.data, "\n\n");
        rc = pl_checkpoint_parse(&cp, note.data, blank ? (size_t)(blank - note.data) + 1 : note.len,
                                 e);
        if (!rc) {
            char hex[2 * PL_HASH_BYTES + 1], b64[64];
            pl_hex(hex, cp.root, PL_HASH_BYTES);
            pl_b64(b64, cp.root, PL_HASH_BYTES);
            json_object_set_new(file, "checkpoint",
                                json_pack("{s:s,s:I,s:s,s:s}", "origin", cp.origin, "size",
                                          (json_int_t)cp.size, "root_hash", b64, "root_hex", hex));
        }
    }
    pl_buf_release(&note);
    pl_ledger_free(l);
    return rc;
}

int pl_declare_file(pl_store *s, const char *person_id, const pl_file_access *acc,
                    const pl_file_opts *o, json_t **out, pl_err *e)
{
    *out = NULL;
    size_t idl = person_id ? strlen(person_id) : 0;
    if (idl == 0 || idl > 64)
        return pl_err_set(e, PL_EINVAL, "id: 1-64 characters");
    fctx c = {.s = s, .acc = acc, .en = o && o->english, .e = e};
    if (o && o->today)
        snprintf(c.today, sizeof c.today, "%.10s", o->today);
    else {
        char now[21];
        pl_time_format_clock(now, pl_time_now() + 8 * 3600);
        snprintf(c.today, sizeof c.today, "%.10s", now);
    }
    const char *pp[2] = {person_id, person_id};
    json_t *file = json_object(), *tmp = json_array();
    c.timeline = json_array();
    lead *leads = NULL;
    int rc;

    /* Identity: the person must be visible, else the file does not exist. */
    rc = section(&c, "person",
                 "SELECT t.id, t.name, t.gender, t.birth_date, t.native_place FROM persons t "
                 "WHERE t.id=?",
                 "", pp, 1, row_person, tmp);
    if (rc)
        goto out;
    if (json_array_size(tmp) == 0) {
        rc = pl_err_set(e, PL_ENOTFOUND, "id: no such person");
        goto out;
    }
    json_object_set(file, "person", json_array_get(tmp, 0));
    json_object_set_new(file, "lang", json_string(c.en ? "en" : "zh-CN"));
    json_object_set_new(file, "drawn_on", json_string(c.today));
    json_t *withheld = json_array();
    json_object_set_new(file, "withheld", withheld);
    rc = pl_declare_checkpoint_json(s, file, e);
    if (rc)
        goto out;

#define SECTION(name, entity, head, tail, np, fn)                                                  \
    do {                                                                                           \
        if (!may_read(&c, entity)) {                                                               \
            json_array_append_new(withheld, json_string(name));                                    \
            break;                                                                                 \
        }                                                                                          \
        json_t *arr_ = json_array();                                                               \
        json_object_set_new(file, name, arr_);                                                     \
        rc = section(&c, entity, head, tail, pp, np, fn, arr_);                                    \
    } while (0);                                                                                   \
    if (rc)                                                                                        \
    goto out

    SECTION("tenures", "tenure",
            "SELECT t.id, t.start_date, t.end_date, p.title, p.is_top, p.category, p.portfolio, "
            "p.unit_id, u.name FROM tenures t LEFT JOIN posts p ON p.id=t.post_id LEFT JOIN units "
            "u ON u.id=p.unit_id WHERE t.person_id=?",
            "ORDER BY t.start_date, t.id", 1, row_tenure);
    SECTION("kin", "kin",
            "SELECT t.id, t.relation, t.relative_id, r.name FROM kin t LEFT JOIN persons r ON "
            "r.id=t.relative_id WHERE t.person_id=?",
            "ORDER BY t.relation, t.id", 1, row_kin);
    SECTION("companies", "company_role",
            "SELECT t.id, t.person_id, h.name, t.role, t.share_bp, t.start_date, t.end_date, "
            "co.name, t.company_id FROM company_roles t LEFT JOIN persons h ON h.id=t.person_id "
            "LEFT JOIN companies co ON co.id=t.company_id WHERE (t.person_id=? OR t.person_id IN "
            "(SELECT relative_id FROM kin WHERE person_id=?))",
            "ORDER BY t.start_date, t.id", 2, row_company);
    if (json_object_get(file, "kin") && json_object_get(file, "companies"))
        attach(json_object_get(file, "kin"), "relative_id", json_object_get(file, "companies"),
               "holder_id", "companies");
    SECTION("declarations", "declaration",
            "SELECT t.id, t.year, t.filed_at FROM declarations t WHERE t.person_id=?",
            "ORDER BY t.year, t.id", 1, row_declaration);
    if (json_object_get(file, "declarations") && may_read(&c, "declaration_item")) {
        json_t *items = json_array();
        rc = section(&c, "declaration_item",
                     "SELECT t.id, t.declaration_id, t.kind, t.holder_id, h.name, t.ref, "
                     "t.amount_fen, t.detail FROM declaration_items t LEFT JOIN persons h ON "
                     "h.id=t.holder_id WHERE t.declaration_id IN (SELECT id FROM declarations "
                     "WHERE person_id=?)",
                     "ORDER BY t.declaration_id, t.id", pp, 1, row_item, items);
        attach(json_object_get(file, "declarations"), "id", items, "declaration_id", "items");
        json_decref(items);
        if (rc)
            goto out;
    }
    /* The check rounds that drew each declaration, with the conclusion:
     * read as the declaration itself (its scope and recusal). */
    if (json_object_get(file, "declarations")) {
        json_t *checks = json_array();
        rc = section(&c, "declaration",
                     "SELECT t.id, m.round_id, m.basis, m.draw_rank, k.conclusion, k.reason, "
                     "k.score, k.concluded_at FROM declarations t JOIN declaration_round_sample m "
                     "ON m.declaration_id=t.id LEFT JOIN declaration_conclusions k ON "
                     "k.round_id=m.round_id AND k.declaration_id=t.id WHERE t.person_id=?",
                     "ORDER BY t.id, m.round_id", pp, 1, row_check_round, checks);
        attach(json_object_get(file, "declarations"), "id", checks, "declaration_id",
               "check_rounds");
        json_decref(checks);
        if (rc)
            goto out;
    }
    SECTION("exits", "registry_record",
            "SELECT t.id, t.source, t.ref, t.observed_at, t.detail FROM registry_records t "
            "WHERE t.holder_id=? AND t.kind='exit_abroad'",
            "ORDER BY t.observed_at, t.id", 1, row_exit);
    SECTION("evaluations", "evaluation",
            "SELECT t.id, t.year, t.kind, t.score, t.votes_excellent, t.votes_competent, "
            "t.votes_basic, t.votes_incompetent FROM evaluations t WHERE t.person_id=?",
            "ORDER BY t.year, t.id", 1, row_evaluation);
    SECTION("supervision", "supervision_activity",
            "SELECT t.id, t.kind, t.held_at, t.notes, u.name FROM supervision_activities t LEFT "
            "JOIN units u ON u.id=t.unit_id WHERE t.person_id=?",
            "ORDER BY t.held_at, t.id", 1, row_supervision);

    /* Findings: about the person, then about the units the person led
     * (top posts), kept when a fact falls within the tenure. The tenures
     * are read whatever the reader's tenure rights: they only select. */
    if (!may_read(&c, "finding")) {
        json_array_append_new(withheld, json_string("findings"));
    } else {
        json_t *arr = json_array();
        json_object_set_new(file, "findings", arr);
        rc = section(&c, "finding",
                     "SELECT " FINDING_COLS " FROM findings t LEFT JOIN units u ON u.id=t.unit_id "
                     "WHERE t.subject_kind='person' AND t.subject=?",
                     "ORDER BY t.first_seen, t.id", pp, 1, row_finding_person, arr);
        if (rc)
            goto out;
        /* A unit's finding placed in this file is said of the person: a
         * reader recused from the person (the "risk" kind: the person as a
         * recusal-bound subject) does not get it here, whatever the unit's
         * findings list shows them. */
        json_t *subject = json_array();
        rc = section(&c, "risk",
                     "SELECT t.id, t.name, t.gender, t.birth_date, t.native_place FROM "
                     "persons t WHERE t.id=?",
                     "", pp, 1, row_person, subject);
        size_t not_recused = json_array_size(subject);
        json_decref(subject);
        if (rc)
            goto out;
        pl_stmt *st = NULL;
        rc = pl_store_prepare(s,
                              "SELECT p.unit_id, te.start_date, te.end_date, te.id FROM tenures te "
                              "JOIN posts p ON p.id=te.post_id WHERE te.person_id=? AND "
                              "p.is_top=1 ORDER BY te.start_date, te.id",
                              &st, e);
        if (rc)
            goto out;
        pl_stmt_bind_text(st, 1, person_id);
        size_t cap = 0;
        while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
            if (c.nleads == cap) {
                cap = cap ? 2 * cap : 8;
                leads = pl_realloc(leads, cap * sizeof *leads);
            }
            lead *L = &leads[c.nleads++];
            snprintf(L->unit, sizeof L->unit, "%s", pl_stmt_text(st, 0));
            snprintf(L->start, sizeof L->start, "%.10s", pl_stmt_text(st, 1));
            snprintf(L->end, sizeof L->end, "%.10s", pl_stmt_text(st, 2));
            snprintf(L->tenure, sizeof L->tenure, "%s", pl_stmt_text(st, 3));
        }
        pl_stmt_finalize(st);
        if (rc != PL_DONE)
            goto out;
        c.leads = leads;
        for (size_t k = 0; not_recused && k < c.nleads; k++) {
            /* Each unit once: a second tenure in the same unit is checked by
             * row_finding_unit against every lead. */
            int seen = 0;
            for (size_t j = 0; j < k; j++)
                seen |= strcmp(leads[j].unit, leads[k].unit) == 0;
            if (seen)
                continue;
            const char *up[1] = {leads[k].unit};
            rc = section(&c, "finding",
                         "SELECT " FINDING_COLS " FROM findings t LEFT JOIN units u ON "
                         "u.id=t.unit_id WHERE t.subject_kind='unit' AND t.subject=?",
                         "ORDER BY t.first_seen, t.id", up, 1, row_finding_unit, arr);
            if (rc)
                goto out;
        }
        /* The check results of each declaration: its R09 (omission) and
         * R16 (late) findings. */
        json_t *decls = json_object_get(file, "declarations");
        size_t i, j;
        json_t *d, *f;
        json_array_foreach(decls, i, d)
        {
            const char *did = json_string_value(json_object_get(d, "id"));
            char r16[160];
            snprintf(r16, sizeof r16, "%s|%lld", person_id,
                     (long long)json_integer_value(json_object_get(d, "year")));
            json_array_foreach(arr, j, f)
            {
                const char *rule = json_string_value(json_object_get(f, "rule"));
                const char *key = json_string_value(json_object_get(f, "key"));
                if (rule && key &&
                    ((strcmp(rule, "R09") == 0 && strcmp(key, did) == 0) ||
                     (strcmp(rule, "R16") == 0 && strcmp(key, r16) == 0)))
                    json_array_append(json_object_get(d, "check"), f);
            }
        }
    }

    SECTION("clues", "clue",
            "SELECT t.id, t.channel, t.received_at, t.category, t.summary, u.name FROM clues t "
            "LEFT JOIN units u ON u.id=t.subject_unit_id WHERE t.subject_person_id=?",
            "ORDER BY t.received_at, t.id", 1, row_clue);
    if (json_object_get(file, "clues") && may_read(&c, "disposition")) {
        json_t *disp = json_array();
        rc = section(&c, "disposition",
                     "SELECT t.id, t.clue_id, t.method, t.decided_at, t.verified_at, "
                     "t.concluded_at, t.outcome FROM dispositions t WHERE t.clue_id IN (SELECT id "
                     "FROM clues WHERE subject_person_id=?)",
                     "ORDER BY t.decided_at, t.id", pp, 1, row_disposition, disp);
        attach(json_object_get(file, "clues"), "id", disp, "clue_id", "dispositions");
        json_decref(disp);
        if (rc)
            goto out;
    }
    SECTION("accountability", "accountability",
            "SELECT t.id, t.measure, t.decided_at, t.basis, t.clue_id FROM accountability t "
            "WHERE t.person_id=? AND t.measure<>'name_clearing'",
            "ORDER BY t.decided_at, t.id", 1, row_accountability);
    SECTION("name_clearing", "accountability",
            "SELECT t.id, t.measure, t.decided_at, t.basis, t.clue_id FROM accountability t "
            "WHERE t.person_id=? AND t.measure='name_clearing'",
            "ORDER BY t.decided_at, t.id", 1, row_accountability);
    SECTION("warnings", "warning",
            "SELECT t.id, t.grade, t.index_x100, t.raised_at FROM risk_warnings t WHERE "
            "t.person_id=?",
            "ORDER BY t.raised_at, t.id", 1, row_warning);
    SECTION("tasks", "task",
            "SELECT t.id, t.kind, t.owner_role, t.title_zh, t.title_en, t.due_date, t.status, "
            "t.opened_at FROM rule_tasks t WHERE t.person_id=?",
            "ORDER BY t.opened_at, t.id", 1, row_task);
#undef SECTION

    json_object_set_new(file, "timeline", sorted_timeline(c.timeline));
out:
    free(leads);
    json_decref(tmp);
    json_decref(c.timeline);
    if (rc) {
        json_decref(file);
        return rc;
    }
    *out = file;
    return 0;
}
