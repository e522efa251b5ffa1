/*
 * opinion.c — integrity opinions (廉政意见回复) for a slate of appointment
 * candidates: the proposal (no objection / defer / not to be promoted)
 * with its reasons drawn from the integrity file's records, the office's
 * amendment with a recorded reason, the signed issue as a ledger event
 * (a re-issue supersedes the previous issue, which stays as history); the
 * "opinion.*" projections of migration 0117; the opinions' PDF. Layer:
 * declare (on store, ledger, rules' parameters). Spec: DESIGN.md §6
 * "Integrity file", docs/DECLARE.md "Integrity opinion".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../rules/rules.h"
#include "declare.h"
#include "declare_int.h"

/* ------------------------------------------------------------- helpers */

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void today(char out[11])
{
    char t[32];
    pl_time_format_clock(t, pl_time_now());
    memcpy(out, t, 10);
    out[10] = 0;
}

static int step_done(pl_stmt *st, pl_err *e)
{
    int rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return rc == PL_DONE || rc == PL_ROW ? 0 : rc;
}

static int append(pl_ledger *l, const char *type, const char *actor, const char *id,
                  json_t *payload, pl_err *e)
{
    json_t *subjects = json_pack("[s]", id);
    pl_event ev = {.type = type, .actor = actor, .subjects = subjects, .payload = payload};
    int rc = pl_ledger_append_normal(l, &ev, NULL, e);
    json_decref(subjects);
    json_decref(payload);
    return rc;
}

static int finish(pl_store *s, int rc, pl_err *e)
{
    if (rc) {
        pl_store_rollback(s);
        return rc;
    }
    return pl_store_commit(s, e);
}

static const char *const OPINIONS[] = {"no_objection", "defer", "not_promoted", NULL};

static int opinion_rank(const char *o)
{
    for (int i = 0; OPINIONS[i]; i++)
        if (o && !strcmp(o, OPINIONS[i]))
            return i;
    return -1;
}

/* Labels of opinions and reason kinds (docs/DECLARE.md "Integrity opinion"). */
static const char *label(const char *code, int en)
{
    static const struct {
        const char *code, *zh, *en;
    } t[] = {
        {"no_objection", "无异议", "no objection"},
        {"defer", "暂缓", "defer"},
        {"not_promoted", "不宜提拔", "not to be promoted"},
        {"clue", "有未办结的问题线索", "an open clue"},
        {"sanction", "处分影响期内", "a sanction within its influence period"},
        {"org_measure", "组织处理影响期内",
         "an organisational measure within its influence period"},
        {"concealment", "个人有关事项报告核查结论为瞒报", "a declaration concluded as concealment"},
        {"omission", "个人有关事项报告核查结论为漏报", "a declaration concluded as omission"},
        {"unconcluded", "个人有关事项报告已抽中尚无核查结论",
         "a declaration drawn for checking, not yet concluded"},
        {"red_warning", "红色风险预警", "a red risk warning"},
        {"draft", "草稿", "draft"},
        {"issued", "已出具", "issued"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (code && !strcmp(code, t[i].code))
            return en ? t[i].en : t[i].zh;
    return code ? code : "";
}

/* Is person `pid` placed in the caller's scope (person_units: a post of a
 * unit of a scope subtree, or kin of such a holder; docs/SECURITY.md)? */
static int person_in_scope(pl_store *s, const pl_declare_caller *c, const char *pid, int *yes,
                           pl_err *e)
{
    *yes = c->all;
    for (size_t i = 0; i < c->nscopes && !*yes; i++) {
        pl_stmt *st;
        int rc = pl_store_prepare_cached(
            s,
            "WITH RECURSIVE down(id) AS (SELECT ? UNION SELECT u.id FROM units u JOIN down ON "
            "u.parent_id=down.id) SELECT count(*) FROM person_units pu JOIN down ON "
            "pu.unit_id=down.id WHERE pu.person_id=?",
            &st, e);
        if (rc)
            return rc;
        pl_stmt_bind_text(st, 1, c->scopes[i]);
        pl_stmt_bind_text(st, 2, pid);
        rc = pl_stmt_step(st, e);
        *yes = rc == PL_ROW && pl_stmt_i64(st, 0) > 0;
        pl_stmt_reset(st);
        if (rc != PL_ROW && rc != PL_DONE)
            return rc;
    }
    return 0;
}

/* --------------------------------------------------------- the proposal */

typedef struct op_params {
    int64_t sanction_months, org_months, decl_months;
} op_params;

static int op_params_of(struct pl_rules *rules, const char *unit, op_params *p, json_t **rec,
                        pl_err *e)
{
    json_t *all = NULL;
    if (rules) {
        pl_buf b;
        pl_buf_init(&b);
        int rc = pl_rules_params_for_unit(rules, unit, &b, e);
        if (!rc)
            all = json_loads(b.data, 0, NULL);
        pl_buf_release(&b);
        if (rc)
            return rc;
    }
    size_t n;
    const pl_rule_param *cat = pl_rules_params(&n);
    static const char *const names[] = {"opinion_sanction_months", "opinion_org_months",
                                        "opinion_decl_months"};
    int64_t v[3];
    *rec = json_object();
    for (int k = 0; k < 3; k++) {
        int i = pl_rules_param_index(names[k]);
        int64_t def = i >= 0 && (size_t)i < n ? cat[i].def : 0;
        v[k] = pl_declare_pint(all, names[k], def);
        json_object_set_new(*rec, names[k], json_integer(v[k]));
    }
    json_decref(all);
    p->sanction_months = v[0];
    p->org_months = v[1];
    p->decl_months = v[2];
    return 0;
}

/* Is `day` within `months` months of `from` (from <= day < from + months)? */
static int within(const char *from, const char *day, int64_t months)
{
    pl_date f, d;
    if (pl_date_parse(&f, from) || pl_date_parse(&d, day))
        return 0;
    char end[11];
    pl_date_format(end, pl_date_add_months(f, (int)months));
    char a[11];
    memcpy(a, from, 10);
    a[10] = 0;
    return strcmp(a, day) <= 0 && strcmp(day, end) < 0;
}

static void reason(json_t *rs, const char *kind, const char *ref, const char *date,
                   const char *effect, const char *detail)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "kind", kind, "ref", ref ? ref : "", "date",
                          date ? date : "", "effect", effect);
    if (detail)
        json_object_set_new(o, "detail", json_string(detail));
    json_array_append_new(rs, o);
}

/* The reasons about person `pid` on day `day` and the proposal they give:
 * the strongest effect (not_promoted > defer > no_objection). */
static int propose(pl_store *s, const char *pid, const char *day, const op_params *p,
                   json_t **reasons, const char **proposal, pl_err *e)
{
    json_t *rs = json_array();
    pl_stmt *st;
    int rc = 0;
    /* 1. open clues: received by the day, no disposition concluded by it */
    rc = pl_store_prepare_cached(
        s,
        "SELECT c.id, substr(c.received_at,1,10) FROM clues c WHERE c.subject_person_id=? AND "
        "substr(c.received_at,1,10)<=? AND NOT EXISTS (SELECT 1 FROM dispositions d WHERE "
        "d.clue_id=c.id AND d.concluded_at IS NOT NULL AND d.concluded_at<>'' AND "
        "substr(d.concluded_at,1,10)<=?) ORDER BY c.received_at, c.id",
        &st, e);
    if (!rc) {
        pl_stmt_bind_text(st, 1, pid);
        pl_stmt_bind_text(st, 2, day);
        pl_stmt_bind_text(st, 3, day);
        while ((rc = pl_stmt_step(st, e)) == PL_ROW)
            reason(rs, "clue", pl_stmt_text(st, 0), pl_stmt_text(st, 1), "defer", NULL);
        pl_stmt_reset(st);
        rc = rc == PL_DONE ? 0 : rc;
    }
    /* 2. sanctions and organisational measures within their influence period */
    if (!rc)
        rc = pl_store_prepare_cached(
            s,
            "SELECT id, measure, substr(decided_at,1,10) FROM accountability WHERE person_id=? "
            "AND measure IN ('sanction','org_measure') AND substr(decided_at,1,10)<=? "
            "ORDER BY decided_at, id",
            &st, e);
    if (!rc) {
        pl_stmt_bind_text(st, 1, pid);
        pl_stmt_bind_text(st, 2, day);
        while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
            int sanction = !strcmp(pl_stmt_text(st, 1), "sanction");
            if (within(pl_stmt_text(st, 2), day, sanction ? p->sanction_months : p->org_months))
                reason(rs, sanction ? "sanction" : "org_measure", pl_stmt_text(st, 0),
                       pl_stmt_text(st, 2), sanction ? "not_promoted" : "defer", NULL);
        }
        pl_stmt_reset(st);
        rc = rc == PL_DONE ? 0 : rc;
    }
    /* 3. declaration conclusions 瞒报 / 漏报 within opinion_decl_months */
    if (!rc)
        rc = pl_store_prepare_cached(
            s,
            "SELECT c.declaration_id, c.conclusion, substr(c.concluded_at,1,10), c.round_id FROM "
            "declaration_conclusions c JOIN declarations d ON d.id=c.declaration_id WHERE "
            "d.person_id=? AND c.conclusion IN ('omission','concealment') AND "
            "substr(c.concluded_at,1,10)<=? ORDER BY c.concluded_at, c.declaration_id",
            &st, e);
    if (!rc) {
        pl_stmt_bind_text(st, 1, pid);
        pl_stmt_bind_text(st, 2, day);
        while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
            int conceal = !strcmp(pl_stmt_text(st, 1), "concealment");
            if (within(pl_stmt_text(st, 2), day, p->decl_months))
                reason(rs, conceal ? "concealment" : "omission", pl_stmt_text(st, 0),
                       pl_stmt_text(st, 2), conceal ? "not_promoted" : "defer",
                       pl_stmt_text(st, 3));
        }
        pl_stmt_reset(st);
        rc = rc == PL_DONE ? 0 : rc;
    }
    /* 4. drawn and not concluded */
    if (!rc)
        rc = pl_store_prepare_cached(
            s,
            "SELECT x.declaration_id, substr(r.drawn_at,1,10), x.round_id FROM "
            "declaration_round_sample x JOIN declarations d ON d.id=x.declaration_id JOIN "
            "declaration_rounds r ON r.id=x.round_id WHERE d.person_id=? AND "
            "substr(r.drawn_at,1,10)<=? AND NOT EXISTS (SELECT 1 FROM declaration_conclusions c "
            "WHERE c.round_id=x.round_id AND c.declaration_id=x.declaration_id) "
            "ORDER BY r.drawn_at, x.declaration_id",
            &st, e);
    if (!rc) {
        pl_stmt_bind_text(st, 1, pid);
        pl_stmt_bind_text(st, 2, day);
        while ((rc = pl_stmt_step(st, e)) == PL_ROW)
            reason(rs, "unconcluded", pl_stmt_text(st, 0), pl_stmt_text(st, 1), "defer",
                   pl_stmt_text(st, 2));
        pl_stmt_reset(st);
        rc = rc == PL_DONE ? 0 : rc;
    }
    /* 5. open red warnings */
    if (!rc)
        rc = pl_store_prepare_cached(s,
                                     "SELECT id, substr(raised_at,1,10) FROM risk_warnings WHERE "
                                     "person_id=? AND grade='red' AND status='open' AND "
                                     "substr(raised_at,1,10)<=? ORDER BY raised_at, id",
                                     &st, e);
    if (!rc) {
        pl_stmt_bind_text(st, 1, pid);
        pl_stmt_bind_text(st, 2, day);
        while ((rc = pl_stmt_step(st, e)) == PL_ROW)
            reason(rs, "red_warning", pl_stmt_text(st, 0), pl_stmt_text(st, 1), "defer", NULL);
        pl_stmt_reset(st);
        rc = rc == PL_DONE ? 0 : rc;
    }
    if (rc) {
        json_decref(rs);
        return rc;
    }
    int best = 0;
    size_t i;
    json_t *x;
    json_array_foreach(rs, i, x)
    {
        int k = opinion_rank(jstr(x, "effect"));
        if (k > best)
            best = k;
    }
    *reasons = rs;
    *proposal = OPINIONS[best];
    return 0;
}

/* The person's unit and post on `day`: an open tenure, a top post first,
 * then the smallest unit id (the rules' "unit of a person"). */
static int placement(pl_store *s, const char *pid, const char *day, json_t *row, pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        s,
        "SELECT p.unit_id, t.post_id FROM tenures t JOIN posts p ON p.id=t.post_id WHERE "
        "t.person_id=? AND t.start_date<=? AND (t.end_date IS NULL OR t.end_date='' OR "
        "t.end_date>?) ORDER BY p.is_top DESC, p.unit_id, t.post_id LIMIT 1",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, pid);
    pl_stmt_bind_text(st, 2, day);
    pl_stmt_bind_text(st, 3, day);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        json_object_set_new(row, "unit_id", json_string(pl_stmt_text(st, 0)));
        json_object_set_new(row, "post_id", json_string(pl_stmt_text(st, 1)));
    }
    pl_stmt_reset(st);
    return rc == PL_ROW || rc == PL_DONE ? 0 : rc;
}

/* ------------------------------------------------------ the projections */

static int apply_slate(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "INSERT INTO opinion_slates(id,name,unit_id,created_by,"
                                     "created_at,ev_seq) VALUES(?,?,?,?,?,?)",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, jstr(p, "id"));
    pl_stmt_bind_text(st, 2, jstr(p, "name"));
    pl_stmt_bind_text(st, 3, jstr(p, "unit_id"));
    pl_stmt_bind_text(st, 4, ev->actor);
    pl_stmt_bind_text(st, 5, jstr(p, "at"));
    pl_stmt_bind_i64(st, 6, seq);
    if ((rc = step_done(st, e)))
        return rc;
    size_t i;
    const json_t *x;
    json_array_foreach(json_object_get(p, "candidates"), i, x)
    {
        rc = pl_store_prepare_cached(
            s,
            "INSERT INTO opinions(id,slate_id,person_id,unit_id,post_id,proposal,reasons,opinion,"
            "status,version,ev_seq) VALUES(?,?,?,?,?,?,?,?,'draft',0,?)",
            &st, e);
        if (rc)
            return rc;
        char *rs = json_dumps(json_object_get(x, "reasons"), JSON_COMPACT | JSON_SORT_KEYS);
        pl_stmt_bind_text(st, 1, jstr(x, "id"));
        pl_stmt_bind_text(st, 2, jstr(p, "id"));
        pl_stmt_bind_text(st, 3, jstr(x, "person_id"));
        if (jstr(x, "unit_id"))
            pl_stmt_bind_text(st, 4, jstr(x, "unit_id"));
        else
            pl_stmt_bind_null(st, 4);
        if (jstr(x, "post_id"))
            pl_stmt_bind_text(st, 5, jstr(x, "post_id"));
        else
            pl_stmt_bind_null(st, 5);
        pl_stmt_bind_text(st, 6, jstr(x, "proposal"));
        pl_stmt_bind_text(st, 7, rs ? rs : "[]");
        pl_stmt_bind_text(st, 8, jstr(x, "proposal"));
        pl_stmt_bind_i64(st, 9, seq);
        rc = step_done(st, e);
        free(rs);
        if (rc)
            return rc;
    }
    return 0;
}

static int apply_amended(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "UPDATE opinions SET opinion=?, amend_reason=?, amended_by=?, "
                                     "amended_at=?, status='draft', ev_seq=? WHERE id=?",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, jstr(p, "opinion"));
    if (jstr(p, "reason"))
        pl_stmt_bind_text(st, 2, jstr(p, "reason"));
    else
        pl_stmt_bind_null(st, 2);
    pl_stmt_bind_text(st, 3, ev->actor);
    pl_stmt_bind_text(st, 4, jstr(p, "at"));
    pl_stmt_bind_i64(st, 5, seq);
    pl_stmt_bind_text(st, 6, jstr(p, "id"));
    return step_done(st, e);
}

static int apply_issued(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st;
    int64_t version = json_integer_value(json_object_get(p, "version"));
    int rc = pl_store_prepare_cached(s,
                                     "UPDATE opinions SET status='issued', version=?, issued_by=?, "
                                     "issued_at=?, ev_seq=? WHERE id=?",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, version);
    pl_stmt_bind_text(st, 2, ev->actor);
    pl_stmt_bind_text(st, 3, jstr(p, "at"));
    pl_stmt_bind_i64(st, 4, seq);
    pl_stmt_bind_text(st, 5, jstr(p, "id"));
    if ((rc = step_done(st, e)))
        return rc;
    if (jstr(p, "supersedes")) {
        rc = pl_store_prepare_cached(
            s, "UPDATE opinion_issues SET superseded_by=?, ev_seq=? WHERE id=?", &st, e);
        if (rc)
            return rc;
        pl_stmt_bind_text(st, 1, jstr(p, "issue_id"));
        pl_stmt_bind_i64(st, 2, seq);
        pl_stmt_bind_text(st, 3, jstr(p, "supersedes"));
        if ((rc = step_done(st, e)))
            return rc;
    }
    rc = pl_store_prepare_cached(
        s,
        "INSERT INTO opinion_issues(id,opinion_id,version,person_id,opinion,proposal,reason,"
        "issued_by,issued_at,ev_seq) VALUES(?,?,?,?,?,?,?,?,?,?)",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, jstr(p, "issue_id"));
    pl_stmt_bind_text(st, 2, jstr(p, "id"));
    pl_stmt_bind_i64(st, 3, version);
    pl_stmt_bind_text(st, 4, jstr(p, "person_id"));
    pl_stmt_bind_text(st, 5, jstr(p, "opinion"));
    pl_stmt_bind_text(st, 6, jstr(p, "proposal"));
    if (jstr(p, "reason"))
        pl_stmt_bind_text(st, 7, jstr(p, "reason"));
    else
        pl_stmt_bind_null(st, 7);
    pl_stmt_bind_text(st, 8, ev->actor);
    pl_stmt_bind_text(st, 9, jstr(p, "at"));
    pl_stmt_bind_i64(st, 10, seq);
    return step_done(st, e);
}

void pl_opinion_register(void)
{
    pl_ledger_register_type("opinion.slate_created", apply_slate);
    pl_ledger_register_type("opinion.amended", apply_amended);
    pl_ledger_register_type("opinion.issued", apply_issued);
}

/* ----------------------------------------------------------- the slate */

static int count_of(pl_store *s, const char *sql, int64_t *n, pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    rc = pl_stmt_step(st, e);
    *n = rc == PL_ROW ? pl_stmt_i64(st, 0) : 0;
    pl_stmt_reset(st);
    return rc == PL_ROW ? 0 : rc;
}

static int exists_id(pl_store *s, const char *sql, const char *id, int *yes, pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    rc = pl_stmt_step(st, e);
    *yes = rc == PL_ROW;
    pl_stmt_reset(st);
    return rc == PL_ROW || rc == PL_DONE ? 0 : rc;
}

static int slate_add(pl_store *s, pl_ledger *l, struct pl_rules *rules, const pl_declare_caller *c,
                     const json_t *in, char id_out[PL_DECLARE_ID_MAX + 1], pl_err *e)
{
    if (!json_is_object(in))
        return pl_declare_say(e, PL_EINVAL, "body", "须为 JSON 对象", "must be a JSON object");
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)in, k, v)
    {
        if (strcmp(k, "name") && strcmp(k, "unit_id") && strcmp(k, "candidates"))
            return pl_declare_say(e, PL_EINVAL, k, "未知字段", "unknown field");
    }
    const char *name = jstr(in, "name");
    if (!name || !*name || strlen(name) > 200)
        return pl_declare_say(e, PL_EINVAL, "name", "必填（名单名称，至多 200 字节）",
                              "required (the slate's name, at most 200 bytes)");
    const char *unit = jstr(in, "unit_id");
    if (!unit || !*unit || strlen(unit) > PL_DECLARE_ID_MAX)
        return pl_declare_say(e, PL_EINVAL, "unit_id", "必填（单位编号）", "required (a unit id)");
    const json_t *cands = json_object_get(in, "candidates");
    size_t nc = json_array_size(cands);
    if (!json_is_array(cands) || nc == 0 || nc > PL_OPINION_CANDIDATES_MAX)
        return pl_declare_say(e, PL_EINVAL, "candidates", "须为 1 至 %d 个人员编号的数组",
                              "must be an array of 1-%d person ids", PL_OPINION_CANDIDATES_MAX);
    int yes = 0;
    int rc = exists_id(s, "SELECT 1 FROM units WHERE id=?", unit, &yes, e);
    if (rc)
        return rc;
    if (yes && (rc = pl_declare_in_scope(s, c, unit, &yes, e)))
        return rc;
    if (!yes)
        return pl_declare_say(e, PL_ENOTFOUND, "unit_id", "单位 '%s' 不存在或不在权限范围内",
                              "unit '%s' does not exist or is outside your scope", unit);
    char day[11];
    today(day);
    op_params prm;
    json_t *recorded = NULL;
    if ((rc = op_params_of(rules, unit, &prm, &recorded, e)))
        return rc;
    int64_t nop = 0, nsl = 0;
    if ((rc = count_of(s, "SELECT count(*) FROM opinions", &nop, e)) ||
        (rc = count_of(s, "SELECT count(*) FROM opinion_slates", &nsl, e))) {
        json_decref(recorded);
        return rc;
    }
    json_t *rows = json_array();
    size_t i;
    json_array_foreach(cands, i, v)
    {
        const char *pid = json_string_value(v);
        if (!pid || !*pid || strlen(pid) > PL_DECLARE_ID_MAX) {
            rc = pl_declare_say(e, PL_EINVAL, "candidates", "第 %zu 项须为人员编号",
                                "item %zu must be a person id", i + 1);
            break;
        }
        for (size_t j = 0; j < i && !rc; j++)
            if (!strcmp(pid, json_string_value(json_array_get(cands, j))))
                rc = pl_declare_say(e, PL_EINVAL, "candidates", "人员 '%s' 重复",
                                    "person '%s' is listed twice", pid);
        if (rc)
            break;
        if ((rc = exists_id(s, "SELECT 1 FROM persons WHERE id=?", pid, &yes, e)))
            break;
        if (yes && (rc = person_in_scope(s, c, pid, &yes, e)))
            break;
        if (!yes) {
            rc = pl_declare_say(e, PL_ENOTFOUND, "candidates", "人员 '%s' 不存在或不在权限范围内",
                                "person '%s' does not exist or is outside your scope", pid);
            break;
        }
        json_t *row = json_object();
        char oid[PL_DECLARE_ID_MAX + 1];
        snprintf(oid, sizeof oid, "OP-%" PRId64, nop + 1 + (int64_t)i);
        json_object_set_new(row, "id", json_string(oid));
        json_object_set_new(row, "person_id", json_string(pid));
        json_array_append_new(rows, row);
        if ((rc = placement(s, pid, day, row, e)))
            break;
        json_t *reasons = NULL;
        const char *proposal = NULL;
        if ((rc = propose(s, pid, day, &prm, &reasons, &proposal, e)))
            break;
        json_object_set_new(row, "proposal", json_string(proposal));
        json_object_set_new(row, "reasons", reasons);
    }
    if (rc) {
        json_decref(rows);
        json_decref(recorded);
        return rc;
    }
    snprintf(id_out, PL_DECLARE_ID_MAX + 1, "OS-%" PRId64, nsl + 1);
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "id", id_out, "name", name, "unit_id",
                          unit, "at", day, "params", recorded, "candidates", rows);
    return append(l, "opinion.slate_created", c->actor, id_out, p, e);
}

int pl_opinion_slate_add(pl_store *s, pl_ledger *l, struct pl_rules *rules,
                         const pl_declare_caller *c, const json_t *in,
                         char id_out[PL_DECLARE_ID_MAX + 1], pl_err *e)
{
    int rc = pl_store_begin(s, e);
    return rc ? rc : finish(s, slate_add(s, l, rules, c, in, id_out, e), e);
}

/* --------------------------------------------------------------- reads */

static void labelled_reasons(json_t *reasons, int en)
{
    size_t i;
    json_t *x;
    json_array_foreach(reasons, i, x)
    {
        json_object_set_new(x, "label", json_string(label(jstr(x, "kind"), en)));
        json_object_set_new(x, "effect_label", json_string(label(jstr(x, "effect"), en)));
    }
}

#define OPINION_COLS                                                                               \
    "SELECT o.id, o.slate_id, o.person_id, p.name AS person_name, o.unit_id, u.name AS "           \
    "unit_name, o.post_id, po.title AS post_title, o.proposal, o.reasons, o.opinion, "             \
    "o.amend_reason, o.amended_by, o.amended_at, o.status, o.version, o.issued_by, o.issued_at "   \
    "FROM opinions o LEFT JOIN persons p ON p.id=o.person_id LEFT JOIN units u ON "                \
    "u.id=o.unit_id LEFT JOIN posts po ON po.id=o.post_id "

static json_t *opinion_row(pl_stmt *st, int en)
{
    json_t *o = json_object();
    for (int i = 0; i < pl_stmt_ncols(st); i++) {
        const char *name = pl_stmt_colname(st, i);
        if (pl_stmt_type(st, i) == PL_COL_NULL)
            json_object_set_new(o, name, json_null());
        else if (!strcmp(name, "version"))
            json_object_set_new(o, name, json_integer(pl_stmt_i64(st, i)));
        else if (!strcmp(name, "reasons")) {
            json_t *r = json_loads(pl_stmt_text(st, i), 0, NULL);
            if (!json_is_array(r)) {
                json_decref(r);
                r = json_array();
            }
            labelled_reasons(r, en);
            json_object_set_new(o, name, r);
        } else
            json_object_set_new(o, name, json_string(pl_stmt_text(st, i)));
    }
    json_object_set_new(o, "proposal_label", json_string(label(jstr(o, "proposal"), en)));
    json_object_set_new(o, "opinion_label", json_string(label(jstr(o, "opinion"), en)));
    json_object_set_new(o, "status_label", json_string(label(jstr(o, "status"), en)));
    return o;
}

static int slate_rows(pl_store *s, const char *id, json_t **out, pl_err *e)
{
    pl_stmt *st;
#define SLATE_COLS                                                                                 \
    "SELECT x.id, x.name, x.unit_id, u.name AS unit_name, x.created_by, x.created_at, "            \
    "(SELECT count(*) FROM opinions o WHERE o.slate_id=x.id) AS candidates, "                      \
    "(SELECT count(*) FROM opinions o WHERE o.slate_id=x.id AND o.status='issued') AS issued "     \
    "FROM opinion_slates x LEFT JOIN units u ON u.id=x.unit_id "
    int rc = pl_store_prepare_cached(
        s, id ? SLATE_COLS "WHERE x.id=?" : SLATE_COLS "ORDER BY x.created_at, length(x.id), x.id",
        &st, e);
    if (rc)
        return rc;
    if (id)
        pl_stmt_bind_text(st, 1, id);
    json_t *list = json_array();
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < pl_stmt_ncols(st); i++) {
            const char *name = pl_stmt_colname(st, i);
            if (pl_stmt_type(st, i) == PL_COL_NULL)
                json_object_set_new(o, name, json_null());
            else if (!strcmp(name, "candidates") || !strcmp(name, "issued"))
                json_object_set_new(o, name, json_integer(pl_stmt_i64(st, i)));
            else
                json_object_set_new(o, name, json_string(pl_stmt_text(st, i)));
        }
        json_array_append_new(list, o);
    }
    pl_stmt_reset(st);
    if (rc != PL_DONE) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return 0;
}

int pl_opinion_slate_get(pl_store *s, const pl_declare_caller *c, const char *id, int en,
                         json_t **out, pl_err *e)
{
    json_t *list = NULL;
    int rc = slate_rows(s, id, &list, e);
    if (rc)
        return rc;
    json_t *slate = NULL;
    rc = pl_declare_keep_in_scope(s, c, list, id, "没有候选人名单", "no slate", id ? &slate : out,
                                  e);
    if (rc || !id)
        return rc;
    pl_stmt *st;
    rc = pl_store_prepare_cached(s, OPINION_COLS "WHERE o.slate_id=? ORDER BY length(o.id), o.id",
                                 &st, e);
    if (rc) {
        json_decref(slate);
        return rc;
    }
    pl_stmt_bind_text(st, 1, id);
    json_t *ops = json_array();
    while ((rc = pl_stmt_step(st, e)) == PL_ROW)
        json_array_append_new(ops, opinion_row(st, en));
    pl_stmt_reset(st);
    json_object_set_new(slate, "opinions", ops);
    if (rc != PL_DONE) {
        json_decref(slate);
        return rc;
    }
    *out = slate;
    return 0;
}

/* The opinion `id` as the caller may see it (its slate in their scope). */
static int opinion_one(pl_store *s, const pl_declare_caller *c, const char *id, int en,
                       json_t **out, pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s, OPINION_COLS "WHERE o.id=?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    rc = pl_stmt_step(st, e);
    json_t *o = rc == PL_ROW ? opinion_row(st, en) : NULL;
    pl_stmt_reset(st);
    if (rc != PL_ROW && rc != PL_DONE)
        return rc;
    rc = 0;
    int yes = 0;
    if (o) {
        json_t *sl = NULL;
        rc = slate_rows(s, jstr(o, "slate_id"), &sl, e);
        const json_t *x = json_array_get(sl, 0);
        if (!rc && x)
            rc = pl_declare_in_scope(s, c, jstr(x, "unit_id"), &yes, e);
        if (x) {
            json_object_set_new(o, "slate_name", json_string(jstr(x, "name")));
            json_object_set_new(o, "slate_unit_id", json_string(jstr(x, "unit_id")));
        }
        json_decref(sl);
    }
    if (rc || !yes) {
        json_decref(o);
        return rc ? rc
                  : pl_declare_say(e, PL_ENOTFOUND, "id", "没有廉政意见 '%s'",
                                   "no integrity opinion '%s'", id);
    }
    *out = o;
    return 0;
}

int pl_opinion_get(pl_store *s, const pl_declare_caller *c, const char *id, int en, json_t **out,
                   pl_err *e)
{
    json_t *o = NULL;
    int rc = opinion_one(s, c, id, en, &o, e);
    if (rc)
        return rc;
    pl_stmt *st;
    rc = pl_store_prepare_cached(
        s,
        "SELECT id, version, opinion, proposal, reason, issued_by, issued_at, superseded_by FROM "
        "opinion_issues WHERE opinion_id=? ORDER BY version",
        &st, e);
    if (rc) {
        json_decref(o);
        return rc;
    }
    pl_stmt_bind_text(st, 1, id);
    json_t *hist = json_array();
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        json_t *h = json_object();
        for (int i = 0; i < pl_stmt_ncols(st); i++) {
            const char *name = pl_stmt_colname(st, i);
            if (pl_stmt_type(st, i) == PL_COL_NULL)
                json_object_set_new(h, name, json_null());
            else if (!strcmp(name, "version"))
                json_object_set_new(h, name, json_integer(pl_stmt_i64(st, i)));
            else
                json_object_set_new(h, name, json_string(pl_stmt_text(st, i)));
        }
        json_object_set_new(h, "opinion_label", json_string(label(jstr(h, "opinion"), en)));
        json_array_append_new(hist, h);
    }
    pl_stmt_reset(st);
    json_object_set_new(o, "issues", hist);
    if (rc != PL_DONE) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

/* -------------------------------------------------------------- writes */

static int amend(pl_store *s, pl_ledger *l, const pl_declare_caller *c, const char *id,
                 const json_t *in, pl_err *e)
{
    if (!json_is_object(in))
        return pl_declare_say(e, PL_EINVAL, "body", "须为 JSON 对象", "must be a JSON object");
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)in, k, v)
    {
        if (strcmp(k, "opinion") && strcmp(k, "reason"))
            return pl_declare_say(e, PL_EINVAL, k, "未知字段", "unknown field");
    }
    const char *op = jstr(in, "opinion");
    if (opinion_rank(op) < 0)
        return pl_declare_say(e, PL_EINVAL, "opinion", "须为 no_objection、defer 或 not_promoted",
                              "must be no_objection, defer or not_promoted");
    const json_t *jr = json_object_get(in, "reason");
    if (jr && !json_is_string(jr) && !json_is_null(jr))
        return pl_declare_say(e, PL_EINVAL, "reason", "须为文本", "must be text");
    const char *why = json_string_value(jr);
    if (why && strlen(why) > 2000)
        return pl_declare_say(e, PL_EINVAL, "reason", "至多 2000 字节", "at most 2000 bytes");
    json_t *o = NULL;
    int rc = opinion_one(s, c, id, 0, &o, e);
    if (rc)
        return rc;
    int differs = strcmp(op, jstr(o, "proposal")) != 0;
    json_decref(o);
    if (differs && (!why || !*why))
        return pl_declare_say(e, PL_EEXIST, "reason", "与系统建议不同的意见须说明理由",
                              "required when the opinion differs from the proposal");
    char day[11];
    today(day);
    json_t *p = json_pack("{s:s, s:s, s:s}", "id", id, "opinion", op, "at", day);
    if (why && *why)
        json_object_set_new(p, "reason", json_string(why));
    return append(l, "opinion.amended", c->actor, id, p, e);
}

int pl_opinion_amend(pl_store *s, pl_ledger *l, const pl_declare_caller *c, const char *id,
                     const json_t *in, pl_err *e)
{
    int rc = pl_store_begin(s, e);
    return rc ? rc : finish(s, amend(s, l, c, id, in, e), e);
}

static int issue(pl_store *s, pl_ledger *l, const pl_declare_caller *c, const char *id,
                 const json_t *in, pl_err *e)
{
    if (in && !json_is_object(in))
        return pl_declare_say(e, PL_EINVAL, "body", "须为 JSON 对象", "must be a JSON object");
    if (in && json_object_size(in))
        return pl_declare_say(e, PL_EINVAL, json_object_iter_key(json_object_iter((json_t *)in)),
                              "未知字段", "unknown field");
    json_t *o = NULL;
    int rc = opinion_one(s, c, id, 0, &o, e);
    if (rc)
        return rc;
    if (!strcmp(jstr(o, "status"), "issued")) {
        json_decref(o);
        return pl_declare_say(e, PL_EEXIST, "status", "已出具，修改后方可重新出具",
                              "already issued; amend it before issuing again");
    }
    int64_t version = json_integer_value(json_object_get(o, "version")) + 1;
    char iid[PL_DECLARE_ID_MAX + 24], prev[PL_DECLARE_ID_MAX + 24];
    snprintf(iid, sizeof iid, "%s.%" PRId64, id, version);
    snprintf(prev, sizeof prev, "%s.%" PRId64, id, version - 1);
    char day[11];
    today(day);
    json_t *p =
        json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "id", id, "issue_id", iid, "version",
                  (json_int_t)version, "person_id", jstr(o, "person_id"), "opinion",
                  jstr(o, "opinion"), "proposal", jstr(o, "proposal"), "at", day);
    if (jstr(o, "amend_reason"))
        json_object_set_new(p, "reason", json_string(jstr(o, "amend_reason")));
    if (version > 1)
        json_object_set_new(p, "supersedes", json_string(prev));
    /* the reasons as recorded, without the read-time labels */
    size_t i;
    json_t *x;
    json_t *rs = json_deep_copy(json_object_get(o, "reasons"));
    json_array_foreach(rs, i, x)
    {
        json_object_del(x, "label");
        json_object_del(x, "effect_label");
    }
    json_object_set_new(p, "reasons", rs);
    json_decref(o);
    return append(l, "opinion.issued", c->actor, id, p, e);
}

int pl_opinion_issue(pl_store *s, pl_ledger *l, const pl_declare_caller *c, const char *id,
                     const json_t *in, pl_err *e)
{
    int rc = pl_store_begin(s, e);
    return rc ? rc : finish(s, issue(s, l, c, id, in, e), e);
}

/* ----------------------------------------------------------------- PDF */

static const char *nz(const char *s)
{
    return s ? s : "";
}

static void one_text(const json_t *o, int en, pl_buf *b)
{
    pl_buf_addf(b, "## %s（%s %s）\n", nz(jstr(o, "person_name")), nz(jstr(o, "unit_name")),
                nz(jstr(o, "post_title")));
    pl_buf_addf(b, "   %s%s · %s %s\n", en ? "ID number: " : "身份证号：", nz(jstr(o, "person_id")),
                en ? "opinion" : "意见编号", nz(jstr(o, "id")));
    pl_buf_addf(b, "   %s%s（%s%s）\n", en ? "Opinion: " : "意见：", label(jstr(o, "opinion"), en),
                en ? "proposed: " : "系统建议：", label(jstr(o, "proposal"), en));
    const json_t *rs = json_object_get(o, "reasons");
    if (!json_array_size(rs))
        pl_buf_addf(b, "   %s\n",
                    en ? "Reasons: none found in the integrity file"
                       : "理由：廉政档案中未见影响事项");
    size_t i;
    const json_t *x;
    json_array_foreach(rs, i, x)
    {
        pl_buf_addf(b, "   · %s %s %s → %s\n", label(jstr(x, "kind"), en), nz(jstr(x, "ref")),
                    nz(jstr(x, "date")), label(jstr(x, "effect"), en));
    }
    if (jstr(o, "amend_reason"))
        pl_buf_addf(b, "   %s%s（%s %s）\n", en ? "Amended: " : "修改理由：",
                    jstr(o, "amend_reason"), nz(jstr(o, "amended_by")), nz(jstr(o, "amended_at")));
    if (!strcmp(nz(jstr(o, "status")), "issued"))
        pl_buf_addf(b, "   %s %s · %s %lld · %s\n", en ? "Issued" : "已出具",
                    nz(jstr(o, "issued_at")), en ? "version" : "第",
                    (long long)json_integer_value(json_object_get(o, "version")),
                    nz(jstr(o, "issued_by")));
    else
        pl_buf_addf(b, "   %s\n", en ? "Draft: not issued" : "草稿：尚未出具");
}

void pl_opinion_text(const json_t *obj, int en, pl_buf *b)
{
    const json_t *ops = json_object_get(obj, "opinions");
    if (json_is_array(ops)) {
        pl_buf_addf(b, "%s — %s\n", en ? "Integrity opinions" : "廉政意见回复",
                    nz(jstr(obj, "name")));
        pl_buf_addf(b, "%s%s · %s %s · %s%lld\n", en ? "Unit: " : "单位：",
                    nz(jstr(obj, "unit_name")), en ? "slate" : "名单", nz(jstr(obj, "id")),
                    en ? "candidates: " : "人选：",
                    (long long)json_integer_value(json_object_get(obj, "candidates")));
        size_t i;
        const json_t *o;
        json_array_foreach(ops, i, o) one_text(o, en, b);
    } else {
        pl_buf_addf(b, "%s — %s\n", en ? "Integrity opinion" : "廉政意见回复",
                    nz(jstr(obj, "person_name")));
        pl_buf_addf(b, "%s%s\n", en ? "Slate: " : "名单：", nz(jstr(obj, "slate_name")));
        one_text(obj, en, b);
    }
}

int pl_opinion_pdf(pl_store *s, json_t *obj, int en, pl_buf *out, pl_err *e)
{
    if (!json_object_get(obj, "checkpoint")) {
        int rc = pl_declare_checkpoint_json(s, obj, e);
        if (rc)
            return rc;
    }
    pl_buf text, foot;
    pl_buf_init(&text);
    pl_buf_init(&foot);
    pl_opinion_text(obj, en, &text);
    pl_buf_addf(&foot, "%s %s · ", en ? "Integrity opinion" : "廉政意见回复", nz(jstr(obj, "id")));
    pl_declare_checkpoint_footer(&foot, json_object_get(obj, "checkpoint"), en);
    int rc = pl_declare_text_pdf(&text, foot.data, en, out, e);
    pl_buf_release(&text);
    pl_buf_release(&foot);
    return rc;
}
