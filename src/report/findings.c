/*
 * findings.c — the findings and warnings report for the level above
 * (报上级的预警报告, issue #18 item 6, docs/API.md "Reports"): findings by
 * unit, rule, severity and month of the facts, the top units and leaders,
 * warnings open and closed and their tasks, for a scope and a period.
 * Three scoped reads (findings with the date of their facts — the
 * dashboard's, src/dash pl_dash_fact_date_sql — and money, warnings,
 * tasks), aggregated here. Portable SQL (SQLite, PostgreSQL).
 * Layer: report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dash/dash.h"
#include "../rules/rules.h"
#include "../util/date.h"
#include "report.h"
#include "report_int.h"

/* The money records a finding's evidence may cite, as "table:id": the
 * amount involved is the sum of their amount_fen (docs/API.md "Reports"). */
static const char *const money_tables[] = {"decisions", "payments", "contracts"};

/* "(SELECT sum(v) FROM (arm UNION ALL arm ...) x)": one scalar subquery
 * over the finding's evidence, each arm an index lookup of
 * finding_evidence by finding id and of the record by its id. The date of
 * the facts is not read here: it is the dashboard's (pl_dash_fact_date_sql,
 * docs/RULES.md "Trend dates"), so the report's months are the trend's. */
static void money_subquery(pl_buf *sql)
{
    pl_buf_adds(sql, "(SELECT sum(x.v) FROM (");
    for (size_t k = 0; k < sizeof money_tables / sizeof money_tables[0]; k++) {
        size_t tl = strlen(money_tables[k]) + 1; /* "table:" */
        pl_buf_addf(sql,
                    "%sSELECT r.amount_fen AS v FROM finding_evidence fe JOIN %s r ON "
                    "r.id=substr(fe.ref, %zu) WHERE fe.finding_id=t.id AND "
                    "substr(fe.ref, 1, %zu)='%s:'",
                    k ? " UNION ALL " : "", money_tables[k], tl + 1, tl, money_tables[k]);
    }
    pl_buf_adds(sql, ") x)");
}

/* The head of a scoped query: the reader's prefix, then the unit subtree
 * "sub" when asked. */
static void head(pl_buf *sql, const pl_file_access *acc, const char *unit_id)
{
    if (acc && acc->prefix)
        acc->prefix(acc->ctx, sql);
    if (unit_id)
        pl_buf_addf(sql,
                    "%s sub(id) AS (SELECT ? UNION SELECT u.id FROM units u JOIN sub ON "
                    "u.parent_id=sub.id) ",
                    sql->len ? "," : "WITH RECURSIVE");
}

static int bind_head(pl_stmt *st, const pl_file_access *acc, const char *unit_id, pl_err *e)
{
    int next = 1;
    if (acc && acc->bind) {
        next = acc->bind(acc->ctx, st);
        if (next < 0)
            return pl_err_set(e, next, "cannot bind the reader's scope");
    }
    if (unit_id)
        pl_stmt_bind_text(st, next++, unit_id);
    return next;
}

static int may(const pl_file_access *acc, const char *entity)
{
    return !acc || !acc->may_read || acc->may_read(acc->ctx, entity);
}

static void where(pl_buf *sql, const pl_file_access *acc, const char *entity)
{
    if (acc && acc->where)
        acc->where(acc->ctx, entity, sql);
}

/* ------------------------------------------------------------ counters */

/* A row of a breakdown: counts by status and severity, money. */
static json_t *counter(json_t *map, const char *key, const char *k1, const char *v1, const char *k2,
                       const char *v2)
{
    json_t *o = json_object_get(map, key);
    if (!o) {
        o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", k1, v1, k2, v2, "findings",
                      (json_int_t)0, "open", (json_int_t)0, "closed", (json_int_t)0, "high",
                      (json_int_t)0, "medium", (json_int_t)0, "low", (json_int_t)0, "amount_fen",
                      (json_int_t)0);
        json_object_set_new(map, key, o);
    }
    return o;
}

static void bump(json_t *o, const char *k, int64_t by)
{
    json_t *v = json_object_get(o, k);
    json_object_set_new(o, k, json_integer(json_integer_value(v) + by));
}

static void count_finding(json_t *o, const char *severity, int open, int64_t amount)
{
    bump(o, "findings", 1);
    bump(o, open ? "open" : "closed", 1);
    if (severity &&
        (!strcmp(severity, "high") || !strcmp(severity, "medium") || !strcmp(severity, "low")))
        bump(o, severity, 1);
    bump(o, "amount_fen", amount);
}

static int64_t ji(const json_t *o, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(o, k));
}

static const char *js(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* Values of a map as an array sorted by `cmp`. */
static json_t *sorted(json_t *map, int (*cmp)(const void *, const void *))
{
    size_t n = json_object_size(map), i = 0;
    json_t **v = pl_malloc((n ? n : 1) * sizeof *v);
    const char *k;
    json_t *x;
    json_object_foreach(map, k, x) v[i++] = x;
    qsort(v, n, sizeof *v, cmp);
    json_t *a = json_array();
    for (i = 0; i < n; i++)
        json_array_append(a, v[i]);
    free(v);
    return a;
}

static int by_unit_name(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int c = strcmp(js(x, "unit_name"), js(y, "unit_name"));
    return c ? c : strcmp(js(x, "unit_id"), js(y, "unit_id"));
}

static int by_rule(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int d = pl_rules_parse_id(js(x, "rule")) - pl_rules_parse_id(js(y, "rule"));
    return d ? d : strcmp(js(x, "rule"), js(y, "rule"));
}

/* Top units by risk: high-severity findings, then all findings, then name. */
static int by_risk(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    if (ji(x, "high") != ji(y, "high"))
        return ji(x, "high") > ji(y, "high") ? -1 : 1;
    if (ji(x, "findings") != ji(y, "findings"))
        return ji(x, "findings") > ji(y, "findings") ? -1 : 1;
    return by_unit_name(a, b);
}

static int by_index(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    if (ji(x, "index_x100") != ji(y, "index_x100"))
        return ji(x, "index_x100") > ji(y, "index_x100") ? -1 : 1;
    return strcmp(js(x, "person_id"), js(y, "person_id"));
}

/* --------------------------------------------------------------- reads */

typedef struct fctx {
    pl_store *s;
    const pl_file_access *acc;
    const char *from, *to, *unit;
    int en, top;
    pl_err *e;
} fctx;

static int read_findings(fctx *c, json_t *rep)
{
    json_t *units = json_object(), *rules = json_object(), *sev = json_object(),
           *months = json_object();
    static const char *const sevs[] = {"high", "medium", "low"};
    for (int k = 0; k < 3; k++) {
        json_t *o = counter(sev, sevs[k], "severity", sevs[k], "severity_label",
                            pl_declare_label("severity", sevs[k], c->en));
        json_object_del(o, "high");
        json_object_del(o, "medium");
        json_object_del(o, "low");
    }
    json_t *tot = json_pack("{s:I, s:I, s:I, s:I}", "findings", (json_int_t)0, "open",
                            (json_int_t)0, "closed", (json_int_t)0, "amount_fen", (json_int_t)0);
    int rc = 0;
    if (may(c->acc, "finding")) {
        pl_buf sql;
        pl_buf_init(&sql);
        head(&sql, c->acc, c->unit);
        pl_buf_adds(&sql, "SELECT t.id, t.rule, t.severity, t.status, t.unit_id, u.name, "
                          "substr(");
        pl_buf_adds(&sql, pl_dash_fact_date_sql());
        pl_buf_adds(&sql, ", 1, 10), ");
        money_subquery(&sql);
        pl_buf_adds(&sql, " FROM findings t LEFT JOIN units u ON u.id=t.unit_id WHERE 1=1");
        where(&sql, c->acc, "finding");
        /* Counted under its unit: for a scoped reader, a unit in the
         * reader's scope (a finding placed only by its person would
         * otherwise bring a unit from outside into the rows). */
        if (c->acc) {
            pl_buf_adds(&sql, " AND t.unit_id IN (SELECT t.id FROM units t WHERE 1=1");
            where(&sql, c->acc, "unit");
            pl_buf_adds(&sql, ")");
        }
        if (c->unit)
            pl_buf_adds(&sql, " AND t.unit_id IN (SELECT id FROM sub)");
        pl_stmt *st = NULL;
        rc = pl_store_prepare(c->s, sql.data, &st, c->e);
        pl_buf_release(&sql);
        if (!rc && (rc = bind_head(st, c->acc, c->unit, c->e)) > 0)
            rc = 0;
        while (!rc && (rc = pl_stmt_step(st, c->e)) == PL_ROW) {
            rc = 0;
            /* The fact date's day as stored, as the trend takes its month
             * (docs/RULES.md "Trend dates"). */
            const char *day = pl_stmt_text(st, 6);
            pl_date dd;
            if (!day || pl_date_parse(&dd, day) != 0 || strcmp(day, c->from) < 0 ||
                strcmp(day, c->to) > 0)
                continue;
            const char *rule = pl_stmt_text(st, 1), *severity = pl_stmt_text(st, 2),
                       *status = pl_stmt_text(st, 3);
            const char *unit = pl_stmt_type(st, 4) != PL_COL_NULL ? pl_stmt_text(st, 4) : "";
            const char *uname = pl_stmt_type(st, 5) != PL_COL_NULL ? pl_stmt_text(st, 5) : "";
            int open = !strcmp(status, "open") || !strcmp(status, "acknowledged");
            int64_t amount = pl_stmt_type(st, 7) != PL_COL_NULL ? pl_stmt_i64(st, 7) : 0;
            count_finding(counter(units, unit, "unit_id", unit, "unit_name",
                                  *uname ? uname : (c->en ? "(no unit)" : "（无单位）")),
                          severity, open, amount);
            count_finding(counter(rules, rule, "rule", rule, "rule_name",
                                  pl_declare_label("rule", rule, c->en)),
                          severity, open, amount);
            json_t *so = json_object_get(sev, severity);
            if (so) {
                bump(so, "findings", 1);
                bump(so, open ? "open" : "closed", 1);
                bump(so, "amount_fen", amount);
            }
            char month[8];
            snprintf(month, sizeof month, "%.7s", day);
            json_t *m = json_object_get(months, month);
            json_object_set_new(months, month, json_integer(json_integer_value(m) + 1));
            bump(tot, "findings", 1);
            bump(tot, open ? "open" : "closed", 1);
            bump(tot, "amount_fen", amount);
        }
        if (rc == PL_DONE)
            rc = 0;
        pl_stmt_finalize(st);
    }
    if (!rc) {
        json_t *bu = sorted(units, by_unit_name), *tu = sorted(units, by_risk);
        while (json_array_size(tu) > (size_t)c->top)
            json_array_remove(tu, json_array_size(tu) - 1);
        json_object_set_new(rep, "by_unit", bu);
        json_object_set_new(rep, "top_units", tu);
        json_object_set_new(rep, "by_rule", sorted(rules, by_rule));
        json_t *bs = json_array();
        for (int k = 0; k < 3; k++)
            json_array_append(bs, json_object_get(sev, sevs[k]));
        json_object_set_new(rep, "by_severity", bs);
        /* Every month from the first to the last with a finding, gaps as 0. */
        json_t *bm = json_array();
        const char *k, *lo = NULL, *hi = NULL;
        json_t *v;
        json_object_foreach(months, k, v)
        {
            if (!lo || strcmp(k, lo) < 0)
                lo = k;
            if (!hi || strcmp(k, hi) > 0)
                hi = k;
        }
        if (lo) {
            int y = atoi(lo), mo = atoi(lo + 5), hy = atoi(hi), hm = atoi(hi + 5);
            while (y < hy || (y == hy && mo <= hm)) {
                char key[16];
                snprintf(key, sizeof key, "%04d-%02d", y, mo);
                json_array_append_new(
                    bm, json_pack("{s:s, s:I}", "month", key, "findings",
                                  (json_int_t)json_integer_value(json_object_get(months, key))));
                if (++mo > 12) {
                    mo = 1;
                    y++;
                }
            }
        }
        json_object_set_new(rep, "by_month", bm);
        json_object_set(rep, "totals", tot);
    }
    json_decref(units);
    json_decref(rules);
    json_decref(sev);
    json_decref(months);
    json_decref(tot);
    return rc;
}

static int read_warnings(fctx *c, json_t *rep)
{
    json_t *wids = json_object(), *leaders = json_object();
    static const char *const grades[] = {"red", "yellow", "blue"};
    json_t *bg = json_object();
    for (int k = 0; k < 3; k++)
        json_object_set_new(bg, grades[k],
                            json_pack("{s:s, s:s, s:I, s:I}", "grade", grades[k], "grade_label",
                                      pl_declare_label("grade", grades[k], c->en), "open",
                                      (json_int_t)0, "closed", (json_int_t)0));
    int64_t wopen = 0, wclosed = 0;
    int rc = 0;
    if (may(c->acc, "warning")) {
        pl_buf sql;
        pl_buf_init(&sql);
        head(&sql, c->acc, c->unit);
        pl_buf_adds(&sql, "SELECT t.id, t.person_id, p.name, COALESCE(t.colour, t.grade), "
                          "t.status, t.index_x100, t.raised_at FROM risk_warnings t LEFT JOIN "
                          "persons p ON p.id=t.person_id WHERE 1=1");
        where(&sql, c->acc, "warning");
        if (c->unit)
            pl_buf_adds(&sql, " AND EXISTS (SELECT 1 FROM person_units pu WHERE "
                              "pu.person_id=t.person_id AND pu.unit_id IN (SELECT id FROM sub))");
        pl_stmt *st = NULL;
        rc = pl_store_prepare(c->s, sql.data, &st, c->e);
        pl_buf_release(&sql);
        if (!rc && (rc = bind_head(st, c->acc, c->unit, c->e)) > 0)
            rc = 0;
        while (!rc && (rc = pl_stmt_step(st, c->e)) == PL_ROW) {
            rc = 0;
            char day[11];
            pl_report_local_date(pl_stmt_text(st, 6), day);
            if (!day[0] || strcmp(day, c->from) < 0 || strcmp(day, c->to) > 0)
                continue;
            const char *id = pl_stmt_text(st, 0), *pid = pl_stmt_text(st, 1),
                       *grade = pl_stmt_text(st, 3), *status = pl_stmt_text(st, 4);
            int open = strcmp(status, "closed") != 0;
            json_object_set_new(wids, id, json_true());
            open ? wopen++ : wclosed++;
            json_t *g = json_object_get(bg, grade);
            if (g)
                bump(g, open ? "open" : "closed", 1);
            /* The leader's latest warning of the period. */
            json_t *l = json_object_get(leaders, pid);
            if (!l || strcmp(js(l, "raised_at"), pl_stmt_text(st, 6)) < 0) {
                json_t *n = json_pack(
                    "{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "person_id", pid, "name",
                    pl_stmt_type(st, 2) != PL_COL_NULL ? pl_stmt_text(st, 2) : "", "index_x100",
                    (json_int_t)pl_stmt_i64(st, 5), "grade", grade, "grade_label",
                    pl_declare_label("grade", grade, c->en), "status", status, "status_label",
                    pl_declare_label("status", status, c->en), "raised_at", pl_stmt_text(st, 6),
                    "warnings", (json_int_t)(l ? ji(l, "warnings") : 0));
                json_object_set_new(leaders, pid, n);
                l = n;
            }
            bump(l, "warnings", 1);
        }
        if (rc == PL_DONE)
            rc = 0;
        pl_stmt_finalize(st);
    }
    /* The tasks of those warnings. */
    json_t *ts = json_object();
    int64_t topen = 0, tclosed = 0, toverdue = 0;
    if (!rc && json_object_size(wids) && may(c->acc, "task")) {
        pl_buf sql;
        pl_buf_init(&sql);
        head(&sql, c->acc, NULL);
        pl_buf_adds(&sql, "SELECT t.warning_id, t.status, t.overdue_at FROM rule_tasks t "
                          "WHERE 1=1");
        where(&sql, c->acc, "task");
        pl_stmt *st = NULL;
        rc = pl_store_prepare(c->s, sql.data, &st, c->e);
        pl_buf_release(&sql);
        if (!rc && (rc = bind_head(st, c->acc, NULL, c->e)) > 0)
            rc = 0;
        while (!rc && (rc = pl_stmt_step(st, c->e)) == PL_ROW) {
            rc = 0;
            if (!json_object_get(wids, pl_stmt_text(st, 0)))
                continue;
            const char *status = pl_stmt_text(st, 1);
            int closed = !strcmp(status, "closed") || !strcmp(status, "done");
            closed ? tclosed++ : topen++;
            if (!closed && pl_stmt_type(st, 2) != PL_COL_NULL)
                toverdue++;
            json_t *x = json_object_get(ts, status);
            if (!x) {
                x = json_pack("{s:s, s:s, s:I}", "status", status, "status_label",
                              pl_report_task_status(status, c->en), "tasks", (json_int_t)0);
                json_object_set_new(ts, status, x);
            }
            bump(x, "tasks", 1);
        }
        if (rc == PL_DONE)
            rc = 0;
        pl_stmt_finalize(st);
    }
    if (!rc) {
        json_t *g = json_array();
        for (int k = 0; k < 3; k++)
            json_array_append(g, json_object_get(bg, grades[k]));
        json_object_set_new(rep, "warnings",
                            json_pack("{s:I, s:I, s:I, s:o}", "total",
                                      (json_int_t)(wopen + wclosed), "open", (json_int_t)wopen,
                                      "closed", (json_int_t)wclosed, "by_grade", g));
        json_t *tl = sorted(leaders, by_index);
        while (json_array_size(tl) > (size_t)c->top)
            json_array_remove(tl, json_array_size(tl) - 1);
        json_object_set_new(rep, "top_leaders", tl);
        json_t *keys = json_array();
        const char *k;
        json_t *v;
        json_object_foreach(ts, k, v) json_array_append(keys, v);
        json_object_set_new(rep, "tasks",
                            json_pack("{s:I, s:I, s:I, s:I, s:o}", "total",
                                      (json_int_t)(topen + tclosed), "open", (json_int_t)topen,
                                      "closed", (json_int_t)tclosed, "overdue",
                                      (json_int_t)toverdue, "by_status", keys));
    }
    json_decref(bg);
    json_decref(ts);
    json_decref(wids);
    json_decref(leaders);
    return rc;
}

/* The unit of the report, in the reader's scope: {id, name}. */
static int read_unit(fctx *c, json_t *rep)
{
    if (!c->unit) {
        json_object_set_new(rep, "unit", json_null());
        return 0;
    }
    pl_buf sql;
    pl_buf_init(&sql);
    head(&sql, c->acc, NULL);
    pl_buf_adds(&sql, "SELECT t.id, t.name FROM units t WHERE t.id=?");
    if (!may(c->acc, "unit"))
        pl_buf_adds(&sql, " AND FALSE");
    where(&sql, c->acc, "unit");
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(c->s, sql.data, &st, c->e);
    pl_buf_release(&sql);
    int next = rc ? rc : bind_head(st, c->acc, NULL, c->e);
    if (next < 0) {
        pl_stmt_finalize(st);
        return next;
    }
    pl_stmt_bind_text(st, next, c->unit);
    rc = pl_stmt_step(st, c->e);
    if (rc == PL_ROW)
        json_object_set_new(
            rep, "unit",
            json_pack("{s:s, s:s}", "id", pl_stmt_text(st, 0), "name", pl_stmt_text(st, 1)));
    pl_stmt_finalize(st);
    if (rc == PL_DONE)
        return pl_report_say(c->e, PL_ENOTFOUND, "unit_id", "您的管辖范围内没有单位 '%s'",
                             "no unit '%s' in your scope", c->unit);
    return rc == PL_ROW ? 0 : rc;
}

int pl_report_findings(pl_store *s, const pl_file_access *acc, const char *from, const char *to,
                       const char *unit_id, const pl_report_opts *o, json_t **out, pl_err *e)
{
    *out = NULL;
    int en = o && o->english;
    pl_date df, dt;
    if (!from || pl_date_parse(&df, from) != 0)
        return pl_report_say(e, PL_EINVAL, "from", "须为日期 YYYY-MM-DD",
                             "must be a date YYYY-MM-DD");
    if (!to || pl_date_parse(&dt, to) != 0)
        return pl_report_say(e, PL_EINVAL, "to", "须为日期 YYYY-MM-DD",
                             "must be a date YYYY-MM-DD");
    if (strcmp(from, to) > 0)
        return pl_report_say(e, PL_EINVAL, "from", "起始日期 %s 晚于截止日期 %s",
                             "%s is after the end of the period %s", from, to);
    if (unit_id && (!*unit_id || strlen(unit_id) > 64))
        return pl_report_say(e, PL_EINVAL, "unit_id", "须为 1-64 个字符", "1-64 characters");
    fctx c = {.s = s,
              .acc = acc,
              .from = from,
              .to = to,
              .unit = unit_id,
              .en = en,
              .top = o && o->top > 0 ? o->top : PL_REPORT_TOP,
              .e = e};
    json_t *rep = json_pack("{s:s, s:s, s:s}", "kind", "findings", "from", from, "to", to);
    pl_report_drawn_on(rep, o);
    int rc = read_unit(&c, rep);
    if (!rc)
        rc = read_findings(&c, rep);
    if (!rc)
        rc = read_warnings(&c, rep);
    if (!rc)
        rc = pl_declare_checkpoint_json(s, rep, e);
    if (rc) {
        json_decref(rep);
        return rc;
    }
    *out = rep;
    return 0;
}
