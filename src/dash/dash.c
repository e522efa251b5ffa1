/*
 * dash.c — the dashboard's panels as one definition each: findings by rule,
 * status and the month of their facts, leaders by index and standing
 * warning, rotations due. Layer: on store, accounts and rules; used by
 * src/http/routes_dash.c and src/cli (plumb dashboard). Spec: docs/API.md
 * "Dashboard", docs/RULES.md "Trend dates", docs/SECURITY.md scope.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../accounts/accounts.h"
#include "../util/date.h"
#include "dash.h"

/* Scope: the same CTE and conditions as the lists (routes.c list_table,
 * GET /api/v1/findings, /warnings, /tenures, /risk) — or none for the CLI. */
static void scope_start(pl_buf *sql, const pl_dash_viewer *v)
{
    if (v->all)
        return;
    if (v->cached)
        pl_accounts_scope_cte_cached(sql);
    else
        pl_accounts_scope_cte(sql);
}

static void scope_where_at(pl_buf *sql, const pl_dash_viewer *v, const pl_accounts_place *sp)
{
    if (!v->all)
        pl_accounts_scope_where(sql, sp, pl_accounts_role_scope(v->role),
                                v->cached ? PL_ACCOUNTS_SCOPE_SET : "sc", 1);
}

static void scope_where(pl_buf *sql, const pl_dash_viewer *v, const char *place)
{
    scope_where_at(sql, v, pl_accounts_place_of(place));
}

/* Bind the scope's parameters; the next index, or a negative PL_E* (the
 * cached closure could not be brought up to date: do not run). */
static int scope_bind(pl_store *s, pl_stmt *st, const pl_dash_viewer *v, pl_err *e)
{
    if (v->all)
        return 1;
    if (v->cached)
        return pl_accounts_scope_bind_cached(s, st, v->uid, pl_accounts_role_scope(v->role),
                                             v->today, e);
    return pl_accounts_scope_bind(st, v->uid, v->today);
}

static void add_count(json_t *obj, const char *key, json_int_t n)
{
    json_t *cur = json_object_get(obj, key);
    json_object_set_new(obj, key, json_integer(json_integer_value(cur) + n));
}

/* ------------------------------------------------------------ findings */

/*
 * The fact date of a finding (docs/RULES.md "Trend dates"): the latest date
 * of the evidence records the rule is about — a tenure's start for the
 * rules on holding a post, a payment's or contract's date, a decision's,
 * the year of a declaration or evaluation, a clue's receipt, a
 * disposition's conclusion, a rectification task's deadline or opening —
 * or the first day of the year a finding is about (R16, R19: the key ends
 * in "|YYYY"); else first_seen (the evaluation that observed it: R15's
 * absences, a record without a date). Evidence refs are
 * "table:id" (finding_evidence); substr() past the prefix lets each branch
 * probe the table's primary key. Portable SQL (SQLite and PostgreSQL).
 * The findings report (src/report/findings.c) dates by the same
 * expression, through pl_dash_fact_date_sql().
 */
/* clang-format off */
#define FACT_BRANCH(tbl, len, col, rules) \
    "SELECT " col " AS d FROM finding_evidence fe JOIN " tbl " x ON x.id=substr(fe.ref," len ") " \
    "WHERE fe.finding_id=t.id AND fe.ref LIKE '" tbl ":%' AND t.rule IN (" rules ")"

#define FACT_DATE \
    "COALESCE((SELECT MAX(q.d) FROM (" \
    FACT_BRANCH("tenures", "9", "x.start_date", "'R01','R02','R03','R11','R18'") " UNION ALL " \
    FACT_BRANCH("payments", "10", "x.paid_at", "'R04','R07'") " UNION ALL " \
    FACT_BRANCH("contracts", "11", "x.signed_at", "'R04','R08'") " UNION ALL " \
    FACT_BRANCH("decisions", "11", "x.decided_at", "'R05','R06','R10'") " UNION ALL " \
    FACT_BRANCH("declarations", "14", "CAST(x.year AS TEXT) || '-01-01'", "'R09','R16','R20'") " UNION ALL " \
    FACT_BRANCH("evaluations", "13", "CAST(x.year AS TEXT) || '-01-01'", "'R14'") " UNION ALL " \
    FACT_BRANCH("clues", "7", "x.received_at", "'R11','R12','R13'") " UNION ALL " \
    FACT_BRANCH("dispositions", "14", "x.concluded_at", "'R17'") " UNION ALL " \
    FACT_BRANCH("inspect_tasks", "15", "x.deadline", "'R21'") " UNION ALL " \
    FACT_BRANCH("inspect_tasks", "15", "x.opened_at", "'R22','R23'") " UNION ALL " \
    "SELECT substr(t.key, length(t.key)-3) || '-01-01' AS d WHERE t.rule IN ('R16','R19') " \
    "AND t.key LIKE '%|____'" \
    ") q WHERE q.d IS NOT NULL AND q.d <> ''), t.first_seen)"
/* clang-format on */

const char *pl_dash_fact_date_sql(void)
{
    return FACT_DATE;
}

int pl_dash_findings(pl_store *s, const pl_dash_viewer *v, const char *as_of, json_t **out,
                     pl_err *e)
{
    pl_date d;
    if (!as_of || pl_date_parse(&d, as_of) != 0)
        return pl_err_set(e, PL_EINVAL, "as_of: must be a date YYYY-MM-DD");
    pl_buf sql;
    pl_buf_init(&sql);
    scope_start(&sql, v);
    pl_buf_adds(&sql, "SELECT t.rule, t.status, t.severity, substr(" FACT_DATE ",1,7) AS m, "
                      "count(*) FROM findings t WHERE TRUE");
    scope_where(&sql, v, "finding");
    pl_buf_adds(&sql, " GROUP BY t.rule, t.status, t.severity, m");
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    int k0 = scope_bind(s, st, v, e);
    if (k0 < 0) {
        pl_stmt_reset(st);
        return k0;
    }

    size_t nrules;
    const pl_rule_info *cat = pl_rules_catalogue(&nrules);
    json_t *by_rule = json_array(), *rule_ix = json_object();
    for (size_t i = 0; i < nrules; i++) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:{}, s:{}}", "rule", cat[i].id, "name_zh",
                              cat[i].name_zh, "name_en", cat[i].name_en, "total", 0, "by_status",
                              "by_severity");
        json_object_set(rule_ix, cat[i].id, o);
        json_array_append_new(by_rule, o);
    }
    json_t *by_month = json_array(), *month_ix = json_object();
    char first[8] = "", last[8] = "";
    for (int i = PL_DASH_TREND_MONTHS - 1; i >= 0; i--) {
        char key[11];
        pl_date_format(key, pl_date_add_months((pl_date){d.year, d.month, 1}, -i));
        key[7] = 0;
        if (!first[0])
            memcpy(first, key, 8);
        memcpy(last, key, 8);
        json_t *o = json_pack("{s:s, s:i, s:{}}", "month", key, "total", 0, "by_rule");
        json_object_set(month_ix, key, o);
        json_array_append_new(by_month, o);
    }
    json_t *by_status = json_object(), *by_severity = json_object();
    json_int_t total = 0, earlier = 0, later = 0;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        const char *rule = pl_stmt_text(st, 0), *status = pl_stmt_text(st, 1);
        const char *sev = pl_stmt_text(st, 2), *month = pl_stmt_text(st, 3);
        json_int_t n = pl_stmt_i64(st, 4);
        total += n;
        add_count(by_status, status, n);
        add_count(by_severity, sev, n);
        json_t *ro = json_object_get(rule_ix, rule);
        if (ro) {
            add_count(ro, "total", n);
            add_count(json_object_get(ro, "by_status"), status, n);
            add_count(json_object_get(ro, "by_severity"), sev, n);
        }
        json_t *mo = month ? json_object_get(month_ix, month) : NULL;
        if (mo) {
            add_count(mo, "total", n);
            add_count(json_object_get(mo, "by_rule"), rule, n);
        } else if (month && strcmp(month, first) < 0) {
            earlier += n;
        } else {
            later += n;
        }
    }
    pl_stmt_reset(st);
    json_decref(rule_ix);
    json_decref(month_ix);
    if (rc < 0) {
        json_decref(by_rule);
        json_decref(by_month);
        json_decref(by_status);
        json_decref(by_severity);
        return rc;
    }
    *out =
        json_pack("{s:s, s:I, s:o, s:o, s:o, s:o, s:I, s:I, s:s}", "as_of", as_of, "total", total,
                  "by_status", by_status, "by_severity", by_severity, "by_rule", by_rule,
                  "by_month", by_month, "earlier", earlier, "later", later, "date_basis", "facts");
    return 0;
}

/* ------------------------------------------------------------- leaders */

/* The standing warning of each visible person: the latest warning (by
 * ev_seq), unless closed by 研判; its colour (NULL colour = the grade). */
static int standing_warnings(pl_store *s, const pl_dash_viewer *v, json_t *out, pl_err *e)
{
    pl_buf sql;
    pl_buf_init(&sql);
    scope_start(&sql, v);
    pl_buf_adds(&sql, "SELECT t.person_id, COALESCE(t.colour, t.grade), t.id FROM risk_warnings t "
                      "WHERE t.ev_seq=(SELECT MAX(x.ev_seq) FROM risk_warnings x WHERE "
                      "x.person_id=t.person_id) AND t.status<>'closed'");
    scope_where(&sql, v, "warning");
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    int k0 = scope_bind(s, st, v, e);
    if (k0 < 0) {
        pl_stmt_reset(st);
        return k0;
    }
    while ((rc = pl_stmt_step(st, e)) == PL_ROW)
        json_object_set_new(
            out, pl_stmt_text(st, 0),
            json_pack("{s:s, s:s}", "grade", pl_stmt_text(st, 1), "id", pl_stmt_text(st, 2)));
    pl_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

/* Is person `pid` visible under the "risk" placement (GET /api/v1/risk)? */
static int leader_visible(pl_store *s, const pl_dash_viewer *v, const char *pid, pl_err *e)
{
    if (v->all)
        return 1;
    pl_buf sql;
    pl_buf_init(&sql);
    scope_start(&sql, v);
    pl_buf_adds(&sql, "SELECT 1 FROM persons t WHERE t.id=?");
    scope_where(&sql, v, "risk");
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    int k = scope_bind(s, st, v, e);
    if (k < 0) {
        pl_stmt_reset(st);
        return k;
    }
    pl_stmt_bind_text(st, k, pid);
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return rc == PL_ROW ? 1 : rc < 0 ? rc : 0;
}

/* The persons visible under the "risk" placement among those who ever held
 * a top post, in one query (the risk index lists top leaders; the top
 * posts first, then their tenures by tenures_post, not every tenure and
 * its post): a set person → true. A leader not in it is checked alone
 * (leader_visible). */
static int visible_leaders(pl_store *s, const pl_dash_viewer *v, json_t *out, pl_err *e)
{
    pl_buf sql;
    pl_buf_init(&sql);
    scope_start(&sql, v);
    pl_buf_adds(&sql, "SELECT t.id FROM persons t WHERE t.id IN (SELECT te.person_id FROM posts p "
                      "CROSS JOIN tenures te WHERE te.post_id=p.id AND p.is_top=1)");
    scope_where(&sql, v, "risk");
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    int k0 = scope_bind(s, st, v, e);
    if (k0 < 0) {
        pl_stmt_reset(st);
        return k0;
    }
    while ((rc = pl_stmt_step(st, e)) == PL_ROW)
        json_object_set_new(out, pl_stmt_text(st, 0), json_true());
    pl_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

static int place_leader(pl_store *s, json_t *o, pl_err *e)
{
    const char *unit = json_string_value(json_object_get(o, "unit_id"));
    if (!unit || !*unit)
        return 0;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s,
        "SELECT u.name, pu.name FROM units u LEFT JOIN units pu ON pu.id=u.parent_id WHERE u.id=?",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, unit);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        json_object_set_new(o, "unit_name", json_string(pl_stmt_text(st, 0)));
        if (pl_stmt_type(st, 1) != PL_COL_NULL)
            json_object_set_new(o, "parent_name", json_string(pl_stmt_text(st, 1)));
    }
    pl_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

int pl_dash_leaders(pl_store *s, pl_rules *r, const pl_dash_viewer *v, const char *as_of, int top,
                    json_t **out, pl_err *e)
{
    json_t *standing = json_object(), *visible = json_object();
    int rc = standing_warnings(s, v, standing, e);
    if (!rc && !v->all)
        rc = visible_leaders(s, v, visible, e);
    pl_buf buf;
    pl_buf_init(&buf);
    if (!rc)
        rc = pl_rules_risk(r, as_of, 0, &buf, e);
    json_t *all = rc ? NULL : json_loadb(buf.data, buf.len, 0, NULL);
    pl_buf_release(&buf);
    if (!rc && !all)
        rc = pl_err_set(e, PL_ESTORE, "dash: the risk index is not JSON");
    json_t *items = json_array(),
           *by_grade = json_pack("{s:i, s:i, s:i}", "red", 0, "yellow", 0, "blue", 0);
    json_int_t total = 0, shown = 0;
    size_t i;
    json_t *it;
    if (!rc) {
        json_array_foreach(all, i, it)
        {
            const char *pid = json_string_value(json_object_get(it, "person"));
            if (!pid)
                continue;
            json_t *w = json_object_get(standing, pid);
            int vis = v->all || json_object_get(visible, pid) ? 1 : leader_visible(s, v, pid, e);
            if (vis < 0) {
                rc = vis;
                break;
            }
            if (!vis)
                continue;
            total++;
            if (w)
                add_count(by_grade, json_string_value(json_object_get(w, "grade")), 1);
            if (!w && shown >= top)
                continue;
            shown += !w;
            json_t *o = json_pack(
                "{s:s, s:O, s:O, s:O, s:O, s:O}", "person", pid, "name",
                json_object_get(it, "name"), "index_x100", json_object_get(it, "index_x100"),
                "index_grade", json_object_get(it, "grade"), "grade",
                w ? json_object_get(w, "grade") : json_null(), "unit_id",
                json_object_get(it, "unit") ? json_object_get(it, "unit") : json_null());
            if (w)
                json_object_set(o, "warning_id", json_object_get(w, "id"));
            json_object_del(standing, pid);
            rc = place_leader(s, o, e);
            json_array_append_new(items, o);
            if (rc)
                break;
        }
    }
    /* A standing warning of a leader the index no longer lists (no open
     * finding left): counted and listed all the same, index 0. */
    const char *pid;
    json_t *w;
    if (!rc) {
        json_object_foreach(standing, pid, w)
        {
            total++;
            add_count(by_grade, json_string_value(json_object_get(w, "grade")), 1);
            json_array_append_new(items,
                                  json_pack("{s:s, s:n, s:i, s:s, s:O, s:O, s:n}", "person", pid,
                                            "name", "index_x100", 0, "index_grade", "none", "grade",
                                            json_object_get(w, "grade"), "warning_id",
                                            json_object_get(w, "id"), "unit_id"));
        }
    }
    json_decref(all);
    json_decref(standing);
    json_decref(visible);
    if (rc) {
        json_decref(items);
        json_decref(by_grade);
        return rc;
    }
    *out = json_pack("{s:I, s:o, s:o}", "total", total, "by_grade", by_grade, "items", items);
    return 0;
}

/* ----------------------------------------------------------- rotations */

/* R01's posts: the top post, or a sensitive category (docs/RULES.md R01). */
#define R01_POSTS                                                                                  \
    "(p.is_top=1 OR p.category IN ('finance','personnel','approval','enforcement','audit',"        \
    "'procurement','engineering'))"

/* One open tenure of R01's posts as read (the columns of the query below,
 * copied into one block `mem`) and, once kept, its due date and row. */
#define ROT_COLS 10
typedef struct rotation {
    char *col[ROT_COLS]; /* NULL: the column was NULL (is_top: not copied) */
    char *mem;
    int is_top;
    json_t *row;
    json_int_t years;
    char due[11];
} rotation;

static int cmp_rotation(const void *a, const void *b)
{
    const rotation *x = a, *y = b;
    int c = strcmp(x->due, y->due);
    if (c)
        return c;
    return strcmp(x->col[0], y->col[0]); /* tenure id */
}

/* The R01 parameters of every unit in `units` (an object unit → null),
 * filled in place with {r01_top_years, r01_sensitive_years, _profile}:
 * one call for all of them (the profiles read once). */
static int unit_params(pl_rules *r, json_t *units, pl_err *e)
{
    static const char *const names[] = {"r01_top_years", "r01_sensitive_years", NULL};
    size_t n = json_object_size(units), k = 0;
    if (!n)
        return 0;
    const char **ids = pl_calloc(n, sizeof *ids);
    const char *unit;
    json_t *val;
    json_object_foreach(units, unit, val) ids[k++] = unit;
    pl_buf out;
    pl_buf_init(&out);
    int rc = pl_rules_params_for_units(r, ids, k, names, &out, e);
    json_t *all = rc ? NULL : json_loadb(out.data, out.len, 0, NULL);
    pl_buf_release(&out);
    if (!rc && !all)
        rc = pl_err_set(e, PL_ESTORE, "dash: the units' parameters are not JSON");
    for (size_t i = 0; i < k && !rc; i++)
        json_object_set(units, ids[i], json_object_get(all, ids[i]));
    json_decref(all);
    free(ids);
    return rc;
}

int pl_dash_rotations(pl_store *s, const pl_dash_rules *rl, const pl_dash_viewer *v,
                      const char *as_of, int months, const char *unit_id, int limit, json_t **out,
                      pl_err *e)
{
    pl_date d;
    if (!as_of || pl_date_parse(&d, as_of) != 0)
        return pl_err_set(e, PL_EINVAL, "as_of: must be a date YYYY-MM-DD");
    char until[11];
    pl_date_format(until, pl_date_add_months(d, months));
    pl_buf sql;
    pl_buf_init(&sql);
    scope_start(&sql, v);
    pl_buf_adds(&sql, "SELECT t.id, t.person_id, pe.name, t.post_id, p.title, p.is_top, "
                      "p.category, p.unit_id, u.name, t.start_date FROM tenures t "
                      "JOIN posts p ON p.id=t.post_id JOIN units u ON u.id=p.unit_id "
                      "LEFT JOIN persons pe ON pe.id=t.person_id "
                      "WHERE " PL_TENURE_OPEN_AT("t") " AND " R01_POSTS);
    if (unit_id)
        pl_buf_adds(&sql, " AND p.unit_id=?");
    /* A tenure's place ("tenure": the unit of its post, by a subquery per
     * row) with the post already joined: p.unit_id, the same unit. SQLite
     * then tests R01's posts before the scope, not the scope of each of
     * the 40,396 tenures first (docs/BENCHMARKS.md "Web pages"). */
    pl_accounts_place here = *pl_accounts_place_of("tenure");
    here.unit_expr = "p.unit_id";
    scope_where_at(&sql, v, &here);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    int k = scope_bind(s, st, v, e);
    if (k < 0) {
        pl_stmt_reset(st);
        return k;
    }
    pl_stmt_bind_text(st, k++, as_of);
    pl_stmt_bind_text(st, k++, as_of);
    if (unit_id)
        pl_stmt_bind_text(st, k, unit_id);
    /* The rows are kept as plain strings and only those due in the window
     * become JSON: the window holds a fraction of the prefecture's ~5,500
     * open tenures of R01's posts (docs/BENCHMARKS.md "Web pages"). */
    size_t n = 0, cap = 256;
    rotation *rows = pl_calloc(cap, sizeof *rows);
    json_t *units = json_object();
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        /* every column but the person's name (2) and is_top (5, an
         * integer) is a string the row must have (json_pack's "s": else
         * no row) */
        size_t len[ROT_COLS], total = 0;
        int missing = 0;
        for (int i = 0; i < ROT_COLS; i++) {
            int null = i == 5 || pl_stmt_type(st, i) == PL_COL_NULL;
            missing |= null && i != 2 && i != 5;
            len[i] = null ? 0 : strlen(pl_stmt_text(st, i)) + 1;
            total += len[i];
        }
        if (missing)
            continue;
        if (n == cap)
            rows = pl_realloc(rows, (cap *= 2) * sizeof *rows);
        rotation *t = &rows[n++];
        memset(t, 0, sizeof *t);
        t->is_top = (int)pl_stmt_i64(st, 5);
        char *m = t->mem = pl_malloc(total ? total : 1);
        for (int i = 0; i < ROT_COLS; i++) {
            if (!len[i])
                continue;
            memcpy(m, pl_stmt_text(st, i), len[i]);
            t->col[i] = m;
            m += len[i];
        }
        json_object_set(units, t->col[7], json_null());
    }
    pl_stmt_reset(st);
    if (rc >= 0) {
        pl_rules *r = rl->lock ? rl->lock(rl->ctx, e) : rl->r;
        rc = r ? unit_params(r, units, e) : PL_ESTORE;
        if (r && rl->lock)
            rl->unlock(rl->ctx);
    }

    /* Due = start + years (top or sensitive, the unit's profile); keep
     * those due on or before as_of + months. */
    size_t nkeep = 0;
    json_int_t overdue = 0;
    for (size_t i = 0; i < n && rc >= 0; i++) {
        rotation *t = &rows[i];
        json_t *p = json_object_get(units, t->col[7]);
        int is_top = t->is_top;
        json_int_t years = json_integer_value(
            json_object_get(p, is_top ? "r01_top_years" : "r01_sensitive_years"));
        pl_date start;
        if (years <= 0 || pl_date_parse(&start, t->col[9]))
            continue; /* a start date the model would not have let in */
        char due[11];
        pl_date_format(due, pl_date_add_months(start, (int)(years * 12)));
        if (strcmp(due, until) > 0)
            continue;
        json_t *o =
            json_pack("{s:s, s:s, s:s?, s:s, s:s, s:b, s:s, s:s, s:s, s:s}", "tenure_id", t->col[0],
                      "person_id", t->col[1], "person_name", t->col[2], "post_id", t->col[3],
                      "post_title", t->col[4], "is_top", is_top, "category", t->col[6], "unit_id",
                      t->col[7], "unit_name", t->col[8], "start_date", t->col[9]);
        if (!o)
            continue; /* text jansson refuses: no row, as before */
        int is_overdue = strcmp(due, as_of) <= 0;
        overdue += is_overdue;
        json_object_set_new(o, "years", json_integer(years));
        json_object_set_new(o, "due_date", json_string(due));
        json_object_set_new(o, "overdue", json_boolean(is_overdue));
        json_object_set_new(o, "profile", json_incref(json_object_get(p, "_profile")));
        rotation keep = *t;
        keep.row = o;
        memcpy(keep.due, due, sizeof due);
        rows[i] = rows[nkeep]; /* nkeep <= i: the kept ones first */
        rows[nkeep++] = keep;
    }
    json_t *items = json_array();
    if (rc >= 0) {
        qsort(rows, nkeep, sizeof *rows, cmp_rotation);
        for (size_t j = 0; j < nkeep && (int)j < limit; j++)
            json_array_append(items, rows[j].row);
    }
    for (size_t i = 0; i < n; i++) {
        json_decref(rows[i].row);
        free(rows[i].mem);
    }
    free(rows);
    json_decref(units);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:s, s:s, s:i, s:I, s:I, s:i, s:o}", "as_of", as_of, "until", until,
                     "months", months, "total", (json_int_t)nkeep, "overdue", overdue, "limit",
                     limit, "items", items);
    return 0;
}
