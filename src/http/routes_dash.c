/*
 * routes_dash.c — the dashboard in one request (GET /api/v1/dashboard), its
 * older single-panel routes (rotations, findings stats) and a person's
 * relationship graph, all on src/dash's one definition of each number.
 * Layer: http. Spec: docs/API.md "Dashboard", "Relationship graph";
 * docs/RULES.md "Trend dates"; scope as docs/SECURITY.md.
 */
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "../accounts/accounts.h"
#include "../dash/dash.h"
#include "http_int.h"

#define ROT_LIMIT_DEFAULT 50
#define ROT_LIMIT_MAX 500
#define TOP_DEFAULT 50
#define TOP_MAX 1000

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

/* The viewer of src/dash for the request's account. */
static pl_dash_viewer viewer_of(req *r, char today[11])
{
    http_today(r->srv, today);
    /* (the replica's connection cannot hold the cached closure's TEMP
     * table: the scope's CTE there) */
    return (pl_dash_viewer){0, r->who.uid, r->who.role, today, !r->replica};
}

/* ---------------------------------------------------------- rotations */

/* The rules model of the writer, behind its lock, for pl_dash_rules: only
 * the model's reads hold the lock, the panels' SQL runs on the request's
 * own connection without it (docs/BENCHMARKS.md "Web pages"). */
static pl_rules *rules_lock(void *ctx, pl_err *e)
{
    writer *w = writer_lock(ctx, e);
    return w ? w->rules : NULL;
}

static void rules_unlock(void *ctx)
{
    writer_unlock(ctx);
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
    char as_of[11], today[11];
    pl_date_format(as_of, d);
    pl_dash_viewer v = viewer_of(r, today);
    pl_err e;
    pl_err_init(&e);
    json_t *out = NULL;
    pl_dash_rules rl = {NULL, rules_lock, rules_unlock, r->srv};
    int rc = pl_dash_rotations(r->s, &rl, &v, as_of, (int)months, req_arg(r, "unit_id"), (int)limit,
                               &out, &e);
    if (rc)
        return reply_status(r, rc, &e);
    return reply_json(r, 200, out);
}

/* ------------------------------------------------------ findings stats */

static const char *const stats_args[] = {"as_of", NULL};

int h_findings_stats(req *r)
{
    pl_date d;
    if (args_or_reply(r, stats_args) || as_of_or_reply(r, &d))
        return 0;
    char as_of[11], today[11];
    pl_date_format(as_of, d);
    pl_dash_viewer v = viewer_of(r, today);
    pl_err e;
    pl_err_init(&e);
    json_t *out = NULL;
    int rc = pl_dash_findings(r->s, &v, as_of, &out, &e);
    if (rc)
        return reply_status(r, rc, &e);
    return reply_json(r, 200, out);
}

/* ----------------------------------------------------------- dashboard */

static const char *const dash_args[] = {"as_of", "top", "detail", NULL};

/*
 * GET /api/v1/dashboard ?as_of= ?top=: every panel the caller's role may
 * read, in one answer (issue #16 item 7): "leaders" (risk:read — the top
 * `top` by index and every leader with a standing warning, by_grade),
 * "findings" and "rotations" (finding:read), "clues" (case:list: GET
 * /api/v1/cases/stats without by_unit and unit_names unless
 * ?detail=units), "rectification" (rectification:read: GET
 * /api/v1/rectification_tasks/stats); what the role may not read is named
 * in "withheld". Each count is the one definition of src/dash, the same
 * as the list the panel opens.
 */
int h_dashboard(req *r)
{
    int64_t top;
    pl_date d;
    if (args_or_reply(r, dash_args) || int_arg_or_reply(r, "top", 1, TOP_MAX, TOP_DEFAULT, &top) ||
        as_of_or_reply(r, &d))
        return 0;
    /* ?detail=units: the clue panel with its by_unit and unit_names, which
     * the dashboard does not show (108 of its 188 kB at prefecture). */
    const char *detail = req_arg(r, "detail");
    if (detail && strcmp(detail, "units") != 0)
        return reply_error(r, 400, "bad_parameter", "detail", "the only detail is 'units'");
    char as_of[11], today[11];
    pl_date_format(as_of, d);
    pl_dash_viewer v = viewer_of(r, today);
    int role = r->who.role;
    json_t *out = json_pack("{s:s, s:s, s:[]}", "as_of", as_of, "today", today, "withheld");
    json_t *withheld = json_object_get(out, "withheld");
    pl_err e;
    pl_err_init(&e);
    int rc = 0;
    json_t *part = NULL;
    if (pl_accounts_role_has(role, "finding:read")) {
        rc = pl_dash_findings(r->s, &v, as_of, &part, &e);
        if (!rc)
            json_object_set_new(out, "findings", part);
    } else {
        json_array_append_new(withheld, json_string("findings"));
        json_array_append_new(withheld, json_string("rotations"));
    }
    int leaders =
        pl_accounts_role_has(role, "risk:read") && pl_accounts_role_has(role, "warning:read");
    if (!leaders)
        json_array_append_new(withheld, json_string("leaders"));
    if (!rc && leaders) {
        /* the standing warnings and the index read under one lock: the
         * same state of the store for both */
        writer *w = writer_lock(r->srv, &e);
        rc = w ? pl_dash_leaders(r->s, w->rules, &v, NULL, (int)top, &part, &e) : PL_ESTORE;
        if (w)
            writer_unlock(r->srv);
        if (!rc)
            json_object_set_new(out, "leaders", part);
    }
    if (!rc && pl_accounts_role_has(role, "finding:read")) {
        pl_dash_rules rl = {NULL, rules_lock, rules_unlock, r->srv};
        rc = pl_dash_rotations(r->s, &rl, &v, as_of, 12, NULL, ROT_LIMIT_DEFAULT, &part, &e);
        if (!rc)
            json_object_set_new(out, "rotations", part);
    }
    if (rc) {
        json_decref(out);
        return reply_status(r, rc, &e);
    }
    if (pl_accounts_role_has(role, "case:list")) {
        if (routes_cases_stats(r, NULL, NULL, detail != NULL, &part)) {
            json_decref(out);
            return 0;
        }
        json_object_set_new(out, "clues", part);
    } else {
        json_array_append_new(withheld, json_string("clues"));
    }
    if (pl_accounts_role_has(role, "rectification:read")) {
        if (routes_task_stats(r, NULL, NULL, &part)) {
            json_decref(out);
            return 0;
        }
        json_object_set_new(out, "rectification", part);
    } else {
        json_array_append_new(withheld, json_string("rectification"));
    }
    if (leaders && h_dashboard_below(r, out))
        return 0;
    return reply_json(r, 200, out);
}

/* ------------------------------------------------- relationship graph */

/* Run `sql` (the scope CTE first when `scoped`) with the scope bound and
 * then the text parameters `a`, `b` (NULL: none); each row to `fn`. */
typedef void (*row_fn)(pl_stmt *st, void *ctx);

static int each_row(req *r, const char *sql, const char *a, const char *b, row_fn fn, void *ctx,
                    pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(r->s, sql, &st, e);
    if (rc)
        return rc;
    char today[11];
    http_today(r->srv, today);
    int k = pl_accounts_scope_bind(st, r->who.uid, today);
    if (a)
        pl_stmt_bind_text(st, k++, a);
    if (b)
        pl_stmt_bind_text(st, k++, b);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW)
        fn(st, ctx);
    pl_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

/* The scoped SELECT of `place` with its WHERE so far: "...WHERE <cond>"
 * then the place's scope and recusal. */
static void scoped_sql(pl_buf *sql, req *r, const char *select_where, const char *place,
                       const char *tail)
{
    pl_buf_reset(sql);
    pl_accounts_scope_cte(sql);
    pl_buf_adds(sql, select_where);
    pl_accounts_scope_where(sql, pl_accounts_place_of(place), pl_accounts_role_scope(r->who.role),
                            "sc", 1);
    if (tail)
        pl_buf_adds(sql, tail);
}

typedef struct graph {
    json_t *nodes; /* id → {id, name, kind} */
    json_t *links;
    json_t *people; /* person ids in the graph */
    json_t *companies;
    const char *pid;
} graph;

static void add_node(graph *g, const char *id, const char *name, const char *kind)
{
    if (!json_object_get(g->nodes, id))
        json_object_set_new(g->nodes, id,
                            json_pack("{s:s, s:s?, s:s}", "id", id, "name", name, "kind", kind));
}

static void on_kin(pl_stmt *st, void *ctx)
{
    graph *g = ctx;
    const char *p = pl_stmt_text(st, 0), *rel = pl_stmt_text(st, 1);
    const char *other = strcmp(p, g->pid) == 0 ? rel : p;
    add_node(g, other, NULL, "kin");
    json_object_set_new(g->people, other, json_true());
    json_array_append_new(g->links, json_pack("{s:s, s:s, s:s}", "source", g->pid, "target", other,
                                              "relation", pl_stmt_text(st, 2)));
}

static void on_name(pl_stmt *st, void *ctx)
{
    json_t *node = ctx;
    json_object_set_new(node, "name", json_string(pl_stmt_text(st, 0)));
}

static void on_role(pl_stmt *st, void *ctx)
{
    graph *g = ctx;
    const char *company = pl_stmt_text(st, 0);
    add_node(g, company, pl_stmt_type(st, 3) == PL_COL_NULL ? NULL : pl_stmt_text(st, 3),
             "company");
    json_object_set_new(g->companies, company, json_true());
    json_array_append_new(g->links, json_pack("{s:s, s:s, s:s}", "source", pl_stmt_text(st, 1),
                                              "target", company, "relation", pl_stmt_text(st, 2)));
}

typedef struct pay_ctx {
    graph *g;
    const char *company;
} pay_ctx;

static void on_pay(pl_stmt *st, void *ctx)
{
    pay_ctx *pc = ctx;
    const char *unit = pl_stmt_text(st, 0);
    add_node(pc->g, unit, pl_stmt_type(st, 1) == PL_COL_NULL ? NULL : pl_stmt_text(st, 1), "unit");
    json_array_append_new(pc->g->links, json_pack("{s:s, s:s, s:s, s:I, s:I}", "source", unit,
                                                  "target", pc->company, "relation", "payment",
                                                  "count", (json_int_t)pl_stmt_i64(st, 2),
                                                  "amount_fen", (json_int_t)pl_stmt_i64(st, 3)));
}

static void on_exists(pl_stmt *st, void *ctx)
{
    (void)st;
    *(int *)ctx = 1;
}

/*
 * GET /api/v1/persons/{id}/graph: the person, their kin (both directions),
 * the companies where any of them holds a role, and per company the units
 * that paid it with the exact count and sum (SQL COUNT/SUM over every
 * payment: no page limit). Each part under its own permission and scope,
 * as the lists it replaces (kin, company_roles, payments); a part the role
 * may not read is named in "withheld". A person out of scope is 404.
 */
int h_person_graph(req *r)
{
    const char *pid = r->params[0];
    if (!http_id_ok(pid))
        return reply_error(r, 400, "invalid_id", "id", "ids are 1-64 of A-Z a-z 0-9 _ . : -");
    if (args_or_reply(r, (const char *const[]){NULL}))
        return 0;
    pl_err e;
    pl_err_init(&e);
    pl_buf sql;
    pl_buf_init(&sql);
    int role = r->who.role, seen = 0;
    scoped_sql(&sql, r, "SELECT 1 FROM persons t WHERE t.id=?", "person", NULL);
    int rc = each_row(r, sql.data, pid, NULL, on_exists, &seen, &e);
    if (!rc && !seen) {
        pl_buf_release(&sql);
        return reply_error(r, 404, "not_found", "id", "not found");
    }
    graph g = {json_object(), json_array(), json_object(), json_object(), pid};
    json_t *withheld = json_array();
    add_node(&g, pid, NULL, "person");
    json_object_set_new(g.people, pid, json_true());
    if (!rc && pl_accounts_role_has(role, "kin:read")) {
        scoped_sql(&sql, r,
                   "SELECT t.person_id, t.relative_id, t.relation FROM kin t "
                   "WHERE (t.person_id=? OR t.relative_id=?)",
                   "kin", " ORDER BY t.id");
        rc = each_row(r, sql.data, pid, pid, on_kin, &g, &e);
    } else if (!rc) {
        json_array_append_new(withheld, json_string("kin"));
    }
    /* Names of the persons: only those the caller may read (else the id). */
    const char *id;
    json_t *val;
    json_object_foreach(g.people, id, val)
    {
        if (rc)
            break;
        scoped_sql(&sql, r, "SELECT t.name FROM persons t WHERE t.id=?", "person", NULL);
        rc = each_row(r, sql.data, id, NULL, on_name, json_object_get(g.nodes, id), &e);
    }
    if (!rc && pl_accounts_role_has(role, "company_role:read")) {
        json_object_foreach(g.people, id, val)
        {
            scoped_sql(&sql, r,
                       "SELECT t.company_id, t.person_id, t.role, c.name FROM company_roles t "
                       "LEFT JOIN companies c ON c.id=t.company_id WHERE t.person_id=?",
                       "company_role", " ORDER BY t.id");
            rc = each_row(r, sql.data, id, NULL, on_role, &g, &e);
            if (rc)
                break;
        }
    } else if (!rc) {
        json_array_append_new(withheld, json_string("company_roles"));
    }
    if (!rc && pl_accounts_role_has(role, "payment:read")) {
        json_object_foreach(g.companies, id, val)
        {
            pay_ctx pc = {&g, id};
            scoped_sql(&sql, r,
                       "SELECT t.unit_id, u.name, COUNT(*), CAST(SUM(t.amount_fen) AS BIGINT) FROM "
                       "payments t "
                       "LEFT JOIN units u ON u.id=t.unit_id WHERE t.payee_company_id=?",
                       "payment", " GROUP BY t.unit_id, u.name ORDER BY t.unit_id");
            rc = each_row(r, sql.data, id, NULL, on_pay, &pc, &e);
            if (rc)
                break;
        }
    } else if (!rc) {
        json_array_append_new(withheld, json_string("payments"));
    }
    pl_buf_release(&sql);
    json_t *nodes = json_array();
    json_object_foreach(g.nodes, id, val) json_array_append(nodes, val);
    json_decref(g.nodes);
    json_decref(g.people);
    json_decref(g.companies);
    if (rc) {
        json_decref(nodes);
        json_decref(g.links);
        json_decref(withheld);
        return reply_status(r, rc, &e);
    }
    return reply_json(r, 200,
                      json_pack("{s:s, s:o, s:o, s:o}", "person", pid, "nodes", nodes, "links",
                                g.links, "withheld", withheld));
}
