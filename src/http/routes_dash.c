/*
 * routes_dash.c — the dashboard's aggregates: rotations due (R01's rule
 * applied forward in time with each unit's profile) and findings counted by
 * rule, status and month. Layer: http, on src/rules and the projections.
 * Spec: docs/API.md "Dashboard", docs/RULES.md R01; scope as docs/SECURITY.md.
 */
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "http_int.h"

#define ROT_LIMIT_DEFAULT 50
#define ROT_LIMIT_MAX 500
#define TREND_MONTHS 12

/* Only the named query parameters are allowed: a 400 naming the other. */
typedef struct allowed_ctx {
    const char *const *names;
    const char *bad;
} allowed_ctx;

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    (void)value;
    allowed_ctx *c = cls;
    for (const char *const *n = c->names; *n; n++)
        if (strcmp(*n, key) == 0)
            return MHD_YES;
    c->bad = key;
    return MHD_NO;
}

static int args_or_reply(req *r, const char *const *names)
{
    allowed_ctx c = {names, NULL};
    MHD_get_connection_values(r->mc, MHD_GET_ARGUMENT_KIND, check_arg, &c);
    if (c.bad) {
        reply_error(r, 400, "unknown_filter", c.bad, "unknown parameter");
        return -1;
    }
    return 0;
}

static int int_arg_or_reply(req *r, const char *name, int64_t lo, int64_t hi, int64_t def,
                            int64_t *out)
{
    const char *v = req_arg(r, name);
    *out = def;
    if (v && pl_parse_i64(v, lo, hi, out) != 0) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be an integer in [%lld, %lld]", (long long)lo,
                 (long long)hi);
        reply_error(r, 400, "bad_parameter", name, msg);
        return -1;
    }
    return 0;
}

/* ?as_of=YYYY-MM-DD, default today (the server's clock). */
static int as_of_or_reply(req *r, pl_date *out)
{
    const char *v = req_arg(r, "as_of");
    char today[11];
    if (!v) {
        http_today(r->srv, today);
        v = today;
    }
    if (pl_date_parse(out, v) != 0 || strlen(v) != 10) {
        reply_error(r, 400, "bad_parameter", "as_of", "must be a date YYYY-MM-DD");
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------- rotations */

/* R01's posts: the top post, or a sensitive category (docs/RULES.md R01). */
#define R01_POSTS                                                                                  \
    "(p.is_top=1 OR p.category IN ('finance','personnel','approval','enforcement','audit',"        \
    "'procurement','engineering'))"

typedef struct rotation {
    json_t *row;
    char due[11];
} rotation;

static int cmp_rotation(const void *a, const void *b)
{
    const rotation *x = a, *y = b;
    int c = strcmp(x->due, y->due);
    if (c)
        return c;
    return strcmp(json_string_value(json_object_get(x->row, "tenure_id")),
                  json_string_value(json_object_get(y->row, "tenure_id")));
}

/* The R01 parameters of every unit in `units` (an object unit → null),
 * filled in place with {top, sensitive, profile}; under the writer's lock. */
static int unit_params(req *r, json_t *units, pl_err *e)
{
    writer *w = writer_lock(r->srv, e);
    if (!w)
        return PL_ESTORE;
    int rc = 0;
    const char *unit;
    json_t *v;
    pl_buf out;
    pl_buf_init(&out);
    json_object_foreach(units, unit, v)
    {
        pl_buf_reset(&out);
        rc = pl_rules_params_for_unit(w->rules, unit, &out, e);
        if (rc)
            break;
        json_t *p = json_loadb(out.data, out.len, 0, NULL);
        if (!p) {
            rc = pl_err_set(e, PL_ESTORE, "routes_dash: parameters of unit '%s'", unit);
            break;
        }
        json_object_set_new(units, unit, p);
    }
    pl_buf_release(&out);
    writer_unlock(r->srv);
    return rc;
}

static const char *const rotation_args[] = {"months", "as_of", "limit", "unit_id", NULL};

int h_rotations(req *r)
{
    int64_t months, limit;
    pl_date d;
    if (args_or_reply(r, rotation_args) || int_arg_or_reply(r, "months", 0, 120, 12, &months) ||
        int_arg_or_reply(r, "limit", 1, ROT_LIMIT_MAX, ROT_LIMIT_DEFAULT, &limit) ||
        as_of_or_reply(r, &d))
        return 0;
    char as_of[11], until[11], today[11];
    pl_date_format(as_of, d);
    pl_date_format(until, pl_date_add_months(d, (int)months));
    http_today(r->srv, today);
    const char *unit_filter = req_arg(r, "unit_id");

    /* Open tenures at D in R01's posts, visible to the caller exactly as
     * GET /api/v1/tenures decides (the tenure's access spec). */
    const pl_accounts_place *sp = pl_accounts_place_of("tenure");
    pl_buf sql;
    pl_buf_init(&sql);
    pl_accounts_scope_cte(&sql);
    pl_buf_adds(&sql, "SELECT t.id, t.person_id, pe.name, t.post_id, p.title, p.is_top, "
                      "p.category, p.unit_id, u.name, t.start_date FROM tenures t "
                      "JOIN posts p ON p.id=t.post_id JOIN units u ON u.id=p.unit_id "
                      "LEFT JOIN persons pe ON pe.id=t.person_id "
                      "WHERE " PL_TENURE_OPEN_AT("t") " AND " R01_POSTS);
    if (unit_filter)
        pl_buf_adds(&sql, " AND p.unit_id=?");
    pl_accounts_scope_where(&sql, sp, pl_accounts_role_scope(r->who.role), "sc", 1);
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(r->s, sql.data, &st, &e);
    pl_buf_release(&sql);
    if (rc)
        return reply_status(r, rc, &e);
    int k = pl_accounts_scope_bind(st, r->who.uid, today);
    pl_stmt_bind_text(st, k++, as_of);
    pl_stmt_bind_text(st, k++, as_of);
    if (unit_filter)
        pl_stmt_bind_text(st, k, unit_filter);
    json_t *rows = json_array(), *units = json_object();
    while ((rc = pl_stmt_step(st, &e)) == PL_ROW) {
        json_t *o = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:b, s:s, s:s, s:s, s:s}", "tenure_id",
                              pl_stmt_text(st, 0), "person_id", pl_stmt_text(st, 1), "person_name",
                              pl_stmt_type(st, 2) == PL_COL_NULL ? NULL : pl_stmt_text(st, 2),
                              "post_id", pl_stmt_text(st, 3), "post_title", pl_stmt_text(st, 4),
                              "is_top", (int)pl_stmt_i64(st, 5), "category", pl_stmt_text(st, 6),
                              "unit_id", pl_stmt_text(st, 7), "unit_name", pl_stmt_text(st, 8),
                              "start_date", pl_stmt_text(st, 9));
        if (!o)
            continue;
        json_object_set(units, pl_stmt_text(st, 7), json_null());
        json_array_append_new(rows, o);
    }
    pl_stmt_reset(st);
    if (rc < 0) {
        json_decref(rows);
        json_decref(units);
        return reply_status(r, rc, &e);
    }
    rc = unit_params(r, units, &e);
    if (rc) {
        json_decref(rows);
        json_decref(units);
        return reply_status(r, rc, &e);
    }

    /* Due = start + years (top or sensitive, the unit's profile); keep
     * those due on or before D + months. */
    size_t n = json_array_size(rows), nkeep = 0;
    rotation *keep = pl_calloc(n ? n : 1, sizeof *keep);
    int64_t overdue = 0;
    size_t i;
    json_t *o;
    json_array_foreach(rows, i, o)
    {
        json_t *p = json_object_get(units, json_string_value(json_object_get(o, "unit_id")));
        int top = json_is_true(json_object_get(o, "is_top"));
        const char *pname = top ? "r01_top_years" : "r01_sensitive_years";
        int64_t years = json_integer_value(json_object_get(p, pname));
        pl_date start;
        if (years <= 0 ||
            pl_date_parse(&start, json_string_value(json_object_get(o, "start_date"))))
            continue; /* a start date the model would not have let in */
        char due[11];
        pl_date_format(due, pl_date_add_months(start, (int)(years * 12)));
        if (strcmp(due, until) > 0)
            continue;
        int is_overdue = strcmp(due, as_of) <= 0;
        overdue += is_overdue;
        json_object_set_new(o, "years", json_integer(years));
        json_object_set_new(o, "due_date", json_string(due));
        json_object_set_new(o, "overdue", json_boolean(is_overdue));
        json_object_set_new(o, "profile", json_incref(json_object_get(p, "_profile")));
        keep[nkeep].row = o;
        memcpy(keep[nkeep].due, due, sizeof due);
        nkeep++;
    }
    qsort(keep, nkeep, sizeof *keep, cmp_rotation);
    json_t *items = json_array();
    for (size_t j = 0; j < nkeep && (int64_t)j < limit; j++)
        json_array_append(items, keep[j].row);
    free(keep);
    json_decref(rows);
    json_decref(units);
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:o}", "as_of", as_of, "until",
                                until, "months", (json_int_t)months, "total", (json_int_t)nkeep,
                                "overdue", (json_int_t)overdue, "limit", (json_int_t)limit, "items",
                                items));
}

/* ------------------------------------------------------ findings stats */

static const char *const stats_args[] = {"as_of", NULL};

/* The visible findings' (rule, status, month of first_seen) groups. */
static int findings_groups(req *r, const char *today, json_t **out, pl_err *e)
{
    const pl_accounts_place *sp = pl_accounts_place_of("finding");
    pl_buf sql;
    pl_buf_init(&sql);
    pl_accounts_scope_cte(&sql);
    pl_buf_adds(&sql, "SELECT t.rule, t.status, substr(t.first_seen,1,7), t.severity, count(*) "
                      "FROM findings t WHERE TRUE");
    pl_accounts_scope_where(&sql, sp, pl_accounts_role_scope(r->who.role), "sc", 1);
    pl_buf_adds(&sql, " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4");
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(r->s, sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    pl_accounts_scope_bind(st, r->who.uid, today);
    json_t *groups = json_array();
    while ((rc = pl_stmt_step(st, e)) == PL_ROW)
        json_array_append_new(
            groups, json_pack("{s:s, s:s, s:s, s:s, s:I}", "rule", pl_stmt_text(st, 0), "status",
                              pl_stmt_text(st, 1), "month", pl_stmt_text(st, 2), "severity",
                              pl_stmt_text(st, 3), "n", (json_int_t)pl_stmt_i64(st, 4)));
    pl_stmt_reset(st);
    if (rc < 0) {
        json_decref(groups);
        return rc;
    }
    *out = groups;
    return 0;
}

static void add_count(json_t *obj, const char *key, json_int_t n)
{
    json_t *v = json_object_get(obj, key);
    json_object_set_new(obj, key, json_integer(json_integer_value(v) + n));
}

int h_findings_stats(req *r)
{
    pl_date d;
    if (args_or_reply(r, stats_args) || as_of_or_reply(r, &d))
        return 0;
    char as_of[11], today[11];
    pl_date_format(as_of, d);
    http_today(r->srv, today);
    pl_err e;
    pl_err_init(&e);
    json_t *groups = NULL;
    int rc = findings_groups(r, today, &groups, &e);
    if (rc)
        return reply_status(r, rc, &e);

    /* Every rule of the catalogue, with zeros, in order. */
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
    /* The last TREND_MONTHS months up to D's month, oldest first. */
    json_t *by_month = json_array(), *month_ix = json_object();
    for (int i = TREND_MONTHS - 1; i >= 0; i--) {
        pl_date m = pl_date_add_months((pl_date){d.year, d.month, 1}, -i);
        char key[11];
        pl_date_format(key, m);
        key[7] = 0;
        json_t *o = json_pack("{s:s, s:i, s:{}}", "month", key, "total", 0, "by_rule");
        json_object_set(month_ix, key, o);
        json_array_append_new(by_month, o);
    }
    json_t *by_status = json_object(), *by_severity = json_object();
    json_int_t total = 0;
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g)
    {
        const char *rule = json_string_value(json_object_get(g, "rule"));
        const char *status = json_string_value(json_object_get(g, "status"));
        const char *sev = json_string_value(json_object_get(g, "severity"));
        const char *month = json_string_value(json_object_get(g, "month"));
        json_int_t n = json_integer_value(json_object_get(g, "n"));
        total += n;
        add_count(by_status, status, n);
        add_count(by_severity, sev, n);
        json_t *ro = json_object_get(rule_ix, rule);
        if (ro) {
            add_count(ro, "total", n);
            add_count(json_object_get(ro, "by_status"), status, n);
            add_count(json_object_get(ro, "by_severity"), sev, n);
        }
        json_t *mo = json_object_get(month_ix, month);
        if (mo) {
            add_count(mo, "total", n);
            add_count(json_object_get(mo, "by_rule"), rule, n);
        }
    }
    json_decref(groups);
    json_decref(rule_ix);
    json_decref(month_ix);
    return reply_json(r, 200,
                      json_pack("{s:s, s:I, s:o, s:o, s:o, s:o}", "as_of", as_of, "total", total,
                                "by_status", by_status, "by_severity", by_severity, "by_rule",
                                by_rule, "by_month", by_month));
}
