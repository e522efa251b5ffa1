/*
 * routes_inspect.c — inspection and rectification over HTTP
 * (/api/v1/inspection_rounds, /inspection_problems, /rectification_tasks
 * and the task steps progress, signoff, sendback, reopen). Layer: http, on
 * src/inspect only: the library decides scope and state, this file maps
 * its answers (400 naming the field, 422 for a step the task's state
 * refuses, 404 outside scope). Spec: docs/API.md "Inspection", docs/INSPECT.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "../inspect/inspect.h"
#include "http_int.h"

#define LIST_DEFAULT 50
#define LIST_MAX 500

/* The caller as the library sees it: the user's scope roots, and the team's
 * internal notes only for a role that holds inspection:notes. */
typedef struct caller {
    pl_inspect_caller c;
    http_scopes sc;
} caller;

static int caller_of(req *r, pl_store *s, caller *k, pl_err *e)
{
    int rc = http_caller_scopes(r, s, &k->sc, e);
    if (rc < 0)
        return rc;
    /* Recusal applies to everyone but the unit's own staff, who report
     * progress on their unit's tasks (they are its subject by design). */
    k->c = (pl_inspect_caller){r->who.username,
                               k->sc.v,
                               k->sc.n,
                               0,
                               pl_accounts_role_has(r->who.role, "inspection:notes"),
                               r->who.person_id[0] ? r->who.person_id : NULL,
                               !pl_accounts_role_has(r->who.role, "rectification:progress"),
                               pl_accounts_role_name(r->who.role),
                               NULL};
    return 0;
}

/* A library status as a reply; the message's "field: " prefix names the
 * field. PL_EEXIST is a step the record's state refuses: 422. */
/* ----------------------------------------------------------------- writes */

enum op {
    OP_ROUND,
    OP_PROBLEM,
    OP_CRITICISM,
    OP_TASK,
    OP_PROGRESS,
    OP_SIGNOFF,
    OP_SENDBACK,
    OP_REOPEN,
    OP_APPROVE,
    OP_REFUSE,
    OP_APPROVER
};

/* The start of a write: a JSON object body, the test clock, the writer
 * locked and the caller's scopes read on the writer's connection (the state
 * the decision is made on) into `k`, the status into `rc`. NULL when a
 * reply was written already. */
static writer *write_begin(req *r, caller *k, int *rc, pl_err *e)
{
    pl_err_init(e);
    if (!json_is_object(r->json)) {
        reply_error(r, 400, "invalid", NULL, "body: must be a JSON object");
        return NULL;
    }
    http_sync_clock(r);
    writer *w = writer_lock(r->srv, e);
    if (!w) {
        reply_status(r, PL_ESTORE, e);
        return NULL;
    }
    *rc = caller_of(r, w->s, k, e);
    return w;
}

/* The end of a write: the writer unlocked, then the error or `rec`. */
static int write_end(req *r, int rc, const pl_err *e, json_t *rec, int status)
{
    writer_unlock(r->srv);
    if (rc) {
        json_decref(rec);
        return reply_module(r, rc, e);
    }
    return reply_json(r, status, rec);
}

static int write_op(req *r, enum op op)
{
    pl_err e;
    caller k;
    int rc = 0;
    writer *w = write_begin(r, &k, &rc, &e);
    if (!w)
        return 0;
    char id[PL_INSPECT_ID_MAX + 1] = "";
    const char *tid = r->nparams ? r->params[0] : NULL;
    int pending = 0;
    json_t *rec = NULL;
    if (!rc) {
        switch (op) {
        case OP_ROUND: rc = pl_inspect_round_add(w->s, w->l, &k.c, r->json, id, &e); break;
        case OP_PROBLEM: rc = pl_inspect_problem_add(w->s, w->l, &k.c, r->json, id, &e); break;
        case OP_CRITICISM: rc = pl_inspect_criticism_add(w->s, w->l, &k.c, r->json, id, &e); break;
        case OP_TASK: rc = pl_inspect_task_add(w->s, w->l, &k.c, r->json, id, &e); break;
        case OP_PROGRESS: rc = pl_inspect_progress(w->s, w->l, &k.c, tid, r->json, &e); break;
        case OP_SIGNOFF:
            rc = pl_inspect_signoff_p(w->s, w->l, &k.c, tid, r->json, &pending, &e);
            break;
        case OP_APPROVE: rc = pl_inspect_decide(w->s, w->l, &k.c, tid, 1, r->json, &e); break;
        case OP_REFUSE: rc = pl_inspect_decide(w->s, w->l, &k.c, tid, 0, r->json, &e); break;
        case OP_APPROVER:
            rc = pl_inspect_set_approver(w->s, w->l, &k.c, tid, r->json, &e);
            if (!rc)
                rec = json_pack("{s:s}", "office_id", tid);
            writer_unlock(r->srv);
            return rc ? reply_module(r, rc, &e) : reply_json(r, 200, rec);
        case OP_SENDBACK: rc = pl_inspect_sendback(w->s, w->l, &k.c, tid, r->json, &e); break;
        case OP_REOPEN: rc = pl_inspect_reopen(w->s, w->l, &k.c, tid, r->json, &e); break;
        }
    }
    if (!rc) {
        pl_inspect_kind kind = op == OP_ROUND       ? PL_INSPECT_ROUND
                               : op == OP_PROBLEM   ? PL_INSPECT_PROBLEM
                               : op == OP_CRITICISM ? PL_INSPECT_CRITICISM
                                                    : PL_INSPECT_TASK;
        rc = pl_inspect_get(w->s, &k.c, kind, id[0] ? id : tid, &rec, &e);
    }
    if (!rc && pending)
        json_object_set_new(rec, "outcome", json_string("pending_approval"));
    return write_end(r, rc, &e, rec, op <= OP_TASK ? 201 : pending ? 202 : 200);
}

/*
 * POST /api/v1/inspection_problems/{id}/handover: the problem becomes a
 * clue of the workflow (the writer's src/cases handle), as the inspection
 * role of the clue library (intake), within the scope root holding the
 * problem's unit.
 */
static int h_handover(req *r)
{
    pl_err e;
    caller k;
    int rc = 0;
    writer *w = write_begin(r, &k, &rc, &e);
    if (!w)
        return 0;
    const char *root = NULL;
    if (!rc) {
        /* The clue library takes one scope root: the one whose subtree
         * holds the problem's unit (the first, if several do). */
        for (size_t i = 0; i < k.c.nscopes && !root; i++) {
            pl_inspect_caller one = k.c;
            one.scopes = &k.sc.v[i];
            one.nscopes = 1;
            json_t *o = NULL;
            pl_err ie;
            pl_err_init(&ie);
            if (pl_inspect_get(w->s, &one, PL_INSPECT_PROBLEM, r->params[0], &o, &ie) == 0)
                root = k.sc.v[i];
            json_decref(o);
        }
    }
    char clue[PL_CASES_ID_MAX + 1] = "";
    if (!rc) {
        pl_viewer v = {PL_CASES_ROLE_INSPECTION, r->who.username,
                       r->who.person_id[0] ? r->who.person_id : NULL, root};
        rc = pl_inspect_handover(w->s, w->l, w->cases, &v, &k.c, r->params[0], r->json, clue, &e);
    }
    json_t *rec = NULL;
    if (!rc)
        rc = pl_inspect_get(w->s, &k.c, PL_INSPECT_PROBLEM, r->params[0], &rec, &e);
    return write_end(r, rc, &e, rec, 201);
}

static int h_round_add(req *r)
{
    return write_op(r, OP_ROUND);
}
static int h_problem_add(req *r)
{
    return write_op(r, OP_PROBLEM);
}
static int read_op(req *r, pl_inspect_kind kind, int one);
static int overdue_arg(req *r, int *overdue);

static int h_criticism_add(req *r)
{
    return write_op(r, OP_CRITICISM);
}
static int h_criticisms(req *r)
{
    return read_op(r, PL_INSPECT_CRITICISM, 0);
}
static int h_criticism(req *r)
{
    return read_op(r, PL_INSPECT_CRITICISM, 1);
}
static int h_task_add(req *r)
{
    return write_op(r, OP_TASK);
}
static int h_progress(req *r)
{
    return write_op(r, OP_PROGRESS);
}
static int h_signoff(req *r)
{
    return write_op(r, OP_SIGNOFF);
}
static int h_sendback(req *r)
{
    return write_op(r, OP_SENDBACK);
}
static int h_reopen(req *r)
{
    return write_op(r, OP_REOPEN);
}
static int h_approve(req *r)
{
    return write_op(r, OP_APPROVE);
}
static int h_refuse(req *r)
{
    return write_op(r, OP_REFUSE);
}
static int h_approver(req *r)
{
    return write_op(r, OP_APPROVER);
}

/* ------------------------------------------------------------------ reads */

/* The ledger workbook's arguments (the round's route ignores round_id). */
static enum MHD_Result unknown_xlsx_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    (void)kind;
    (void)value;
    static const char *const ok[] = {"round_id", "status", "unit_id", "overdue", "lang", NULL};
    for (const char *const *p = ok; *p; p++)
        if (strcmp(*p, key) == 0)
            return MHD_YES;
    *(const char **)cls = key;
    return MHD_NO;
}

static enum MHD_Result unknown_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    (void)value;
    static const char *const ok[] = {"round_id", "problem_id", "status",  "unit_id",
                                     "limit",    "offset",     "overdue", NULL};
    for (const char *const *p = ok; *p; p++)
        if (strcmp(*p, key) == 0)
            return MHD_YES;
    *(const char **)cls = key;
    return MHD_NO;
}

/* ?overdue=1|0 (tasks not signed off whose deadline is before today);
 * nonzero when a reply was written. */
static int overdue_arg(req *r, int *overdue)
{
    const char *a = req_arg(r, "overdue");
    *overdue = 0;
    if (!a || !*a || strcmp(a, "0") == 0)
        return 0;
    if (strcmp(a, "1") == 0) {
        *overdue = 1;
        return 0;
    }
    reply_error(r, 400, "bad_parameter", "overdue", "must be 1 or 0");
    return 1;
}

/* The reads' scope (docs/INSPECT.md §4 "How a list is read"): the
 * connection's cached closure of the caller's scope (one probe per row) —
 * or none at all when the closure is every unit of the store: the caller
 * then reads as the whole store (`all`), the same rows without a probe.
 * Every row's unit is a unit of the store, because a task's, problem's or
 * round's units are checked to exist when written (the workflow and the
 * register import), and a unit's row is removed only by a purge of its
 * event (ledger.purged): so a store with a purge is always probed. The
 * closure being every unit is exact only within the read transaction it
 * was checked in (pl_accounts_scope_whole: a unit added after the check
 * under another root would otherwise count as in scope), so the shortcut
 * is taken only when this request runs in one (routes_inspect_read_txn). */
static int scoped_reads(req *r, caller *k, pl_err *e)
{
    if (!k->c.nscopes)
        return 0;
    int rc = pl_accounts_scope_sync(r->s, r->who.uid, e);
    if (rc)
        return rc;
    k->c.scope_set = PL_ACCOUNTS_SCOPE_SET;
    if (!r->in_txn || !pl_accounts_scope_whole(r->s))
        return 0;
    pl_stmt *st = NULL;
    if ((rc = pl_store_prepare_cached(r->s, "SELECT count(*) FROM ledger_purges", &st, e)))
        return rc;
    rc = pl_stmt_step(st, e);
    int purged = rc == PL_ROW && pl_stmt_i64(st, 0) > 0;
    pl_stmt_reset(st);
    if (rc != PL_ROW)
        return rc < 0 ? rc : PL_ESTORE;
    k->c.all = !purged;
    return 0;
}

/* A list's page written row by row (pl_inspect_list_rows): the plan of
 * the statement's columns made on the first row; every column but
 * "evidence" is free text, written as a string whatever it holds. */
typedef struct list_out {
    req *r;
    int64_t rows;
    rowjson_plan plan;
} list_out;

static int list_row(void *ctx, pl_stmt *st, int overdue)
{
    list_out *lo = ctx;
    if (lo->rows == 0) {
        rowjson_plan_init(&lo->plan, st, NULL);
        for (int i = 0; i < lo->plan.ncols; i++)
            lo->plan.plain[i] = strcmp(pl_stmt_colname(st, i), "evidence") != 0;
    }
    pl_buf *out = &lo->r->out;
    if (lo->rows++)
        pl_buf_addc(out, ',');
    if (lo->plan.ok) {
        rowjson_row_plan(out, st, &lo->plan, NULL, NULL);
    } else { /* never for these lists (distinct names): an error, not a guess */
        return PL_EINTERNAL;
    }
    if (overdue >= 0) {
        /* The task's "overdue" mark, the object's last key. */
        out->len--;
        pl_buf_adds(out, out->data[out->len - 1] == '{' ? "\"overdue\":" : ",\"overdue\":");
        pl_buf_adds(out, overdue ? "true}" : "false}");
    }
    return 0;
}

static int read_op(req *r, pl_inspect_kind kind, int one)
{
    const char *bad = NULL;
    MHD_get_connection_values(r->mc, MHD_GET_ARGUMENT_KIND, unknown_arg, &bad);
    if (bad)
        return reply_error(r, 400, "unknown_filter", bad, "no such field to filter on");
    int64_t limit = LIST_DEFAULT, offset = 0;
    const char *a;
    if (!one && (a = req_arg(r, "limit")) && pl_parse_i64(a, 1, LIST_MAX, &limit))
        return reply_error(r, 400, "bad_parameter", "limit", "must be an integer in [1, 500]");
    if (!one && (a = req_arg(r, "offset")) && pl_parse_i64(a, 0, 1000000000, &offset))
        return reply_error(r, 400, "bad_parameter", "offset", "must be a non-negative integer");
    int overdue = 0;
    if (!one && overdue_arg(r, &overdue))
        return 0;
    http_sync_clock(r); /* "overdue" is as of today (the test clock) */
    pl_err e;
    pl_err_init(&e);
    caller k;
    int rc = caller_of(r, r->s, &k, &e);
    /* Reads place each row by the connection's cached scope closure (one
     * probe per row, src/accounts/scope.c), not by a walk up the unit tree
     * per row: the same units, the user's roots and their subtrees; and
     * not at all when the closure is every unit (scoped_reads). */
    if (!rc)
        rc = scoped_reads(r, &k, &e);
    json_t *out = NULL;
    if (!rc && one) {
        rc = pl_inspect_get(r->s, &k.c, kind, r->params[0], &out, &e);
    } else if (!rc) {
        pl_inspect_filter f = {req_arg(r, "round_id"),
                               req_arg(r, "problem_id"),
                               req_arg(r, "status"),
                               req_arg(r, "unit_id"),
                               limit,
                               offset,
                               overdue};
        /* The page straight from the rows into the reply (rowjson.c), as
         * the registry's lists: {items, limit, offset, next_offset, total},
         * the objects pl_inspect_list would give. */
        list_out lo = {r, 0, {0}};
        reply_direct(r);
        pl_buf_grow(&r->out, (size_t)limit * 512);
        pl_buf_adds(&r->out, "{\"items\":[");
        int64_t total = 0;
        rc = pl_inspect_list_rows(r->s, &k.c, kind, &f, &total, list_row, &lo, &e);
        if (lo.rows)
            rowjson_plan_free(&lo.plan);
        if (!rc) {
            pl_buf_addf(&r->out,
                        "],\"limit\":%lld,\"offset\":%lld,\"next_offset\":", (long long)limit,
                        (long long)offset);
            if (offset + limit < total)
                pl_buf_addf(&r->out, "%lld", (long long)(offset + limit));
            else
                pl_buf_adds(&r->out, "null");
            pl_buf_addf(&r->out, ",\"total\":%lld}", (long long)total);
            return 0;
        }
    }
    if (rc)
        return reply_module(r, rc, &e);
    return reply_json(r, 200, out);
}

static int h_rounds(req *r)
{
    return read_op(r, PL_INSPECT_ROUND, 0);
}
static int h_round(req *r)
{
    return read_op(r, PL_INSPECT_ROUND, 1);
}
static int h_problems(req *r)
{
    return read_op(r, PL_INSPECT_PROBLEM, 0);
}
static int h_problem(req *r)
{
    return read_op(r, PL_INSPECT_PROBLEM, 1);
}
static int h_tasks(req *r)
{
    return read_op(r, PL_INSPECT_TASK, 0);
}
static int h_task(req *r)
{
    return read_op(r, PL_INSPECT_TASK, 1);
}

/*
 * GET /api/v1/rectification_tasks/stats ?round_id= ?unit_id=: the
 * dashboard's numbers in one request (docs/INSPECT.md §7a) — the counts of
 * the list GET /api/v1/rectification_tasks for the same caller (scope,
 * recusal) and filters, per status, overdue and pending approval, and the
 * first 10 overdue tasks.
 */
static enum MHD_Result unknown_stats_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                         const char *value)
{
    (void)kind;
    (void)value;
    if (strcmp(key, "round_id") == 0 || strcmp(key, "unit_id") == 0)
        return MHD_YES;
    *(const char **)cls = key;
    return MHD_NO;
}

static int h_task_stats(req *r)
{
    const char *bad = NULL;
    MHD_get_connection_values(r->mc, MHD_GET_ARGUMENT_KIND, unknown_stats_arg, &bad);
    if (bad)
        return reply_error(r, 400, "unknown_filter", bad, "no such field to filter on");
    json_t *out;
    if (routes_task_stats(r, req_arg(r, "round_id"), req_arg(r, "unit_id"), &out))
        return 0;
    return reply_json(r, 200, out);
}

/* The rectification statistics of the caller (GET
 * /api/v1/rectification_tasks/stats and the rectification panels of GET
 * /api/v1/dashboard): *out, or non-zero once the error is answered. */
int routes_task_stats(req *r, const char *round_id, const char *unit_id, json_t **out)
{
    *out = NULL;
    http_sync_clock(r); /* "overdue" is as of today (the test clock) */
    pl_err e;
    pl_err_init(&e);
    caller k;
    int rc = caller_of(r, r->s, &k, &e);
    if (!rc)
        rc = scoped_reads(r, &k, &e);
    if (!rc)
        rc = pl_inspect_task_stats(r->s, &k.c, round_id, unit_id, 10, out, &e);
    if (rc) {
        reply_module(r, rc, &e);
        return -1;
    }
    return 0;
}

/* -------------------------------------------------------- ledger (Excel) */

/*
 * The rectification ledger (整改台账) as an Excel workbook: of one round
 * (GET /api/v1/inspection_rounds/{id}/ledger.xlsx: the round must be in
 * the caller's scope — one of its units —, else 404 naming id), or of the
 * whole store (GET /api/v1/rectification_tasks.xlsx ?round_id= ?unit_id=
 * ?status= ?overdue=). The rows are the JSON list's for the same caller
 * and filters: scope and recusal as GET /api/v1/rectification_tasks.
 * ?lang=en for English headers and labels (default zh-CN).
 */
static int ledger_xlsx(req *r, int of_round)
{
    const char *bad = NULL;
    MHD_get_connection_values(r->mc, MHD_GET_ARGUMENT_KIND, unknown_xlsx_arg, &bad);
    if (bad)
        return reply_error(r, 400, "unknown_filter", bad, "no such field to filter on");
    const char *lang = req_arg(r, "lang");
    int english = 0;
    if (lang && strcmp(lang, "en") == 0)
        english = 1;
    else if (lang && strcmp(lang, "zh-CN") != 0 && strcmp(lang, "zh") != 0)
        return reply_error(r, 400, "bad_parameter", "lang", "lang is zh-CN or en");
    int overdue = 0;
    if (overdue_arg(r, &overdue))
        return 0;
    http_sync_clock(r);
    pl_err e;
    pl_err_init(&e);
    caller k;
    int rc = caller_of(r, r->s, &k, &e);
    const char *round = of_round ? r->params[0] : req_arg(r, "round_id");
    if (!rc && of_round) {
        json_t *o = NULL;
        pl_inspect_caller rc_scope = k.c;
        /* The round by its units alone (a unit's staff read their round's
         * ledger though not the round's record). */
        rc_scope.recuse = 0;
        rc = pl_inspect_get(r->s, &rc_scope, PL_INSPECT_ROUND, round, &o, &e);
        json_decref(o);
    }
    if (rc)
        return reply_module(r, rc, &e);
    pl_inspect_filter f = {round, NULL, req_arg(r, "status"), req_arg(r, "unit_id"), 0, 0, overdue};
    char path[] = "/tmp/plumb-ledger-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return reply_status(r, PL_EIO, NULL);
    close(fd);
    rc = pl_inspect_ledger_xlsx(r->s, &k.c, &f, english, path, NULL, &e);
    pl_buf data;
    pl_buf_init(&data);
    if (!rc) {
        FILE *fp = fopen(path, "rb");
        char buf[8192];
        size_t n;
        while (fp && (n = fread(buf, 1, sizeof buf, fp)) > 0)
            pl_buf_add(&data, buf, n);
        if (!fp)
            rc = PL_EIO;
        else
            fclose(fp);
    }
    unlink(path);
    if (rc) {
        pl_buf_release(&data);
        return reply_module(r, rc, &e);
    }
    pl_buf_reset(&r->out);
    pl_buf_add(&r->out, data.data, data.len);
    pl_buf_release(&data);
    r->status = 200;
    r->ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    snprintf(r->extra_hdr, sizeof r->extra_hdr, "Content-Disposition");
    /* The round's id is checked by the library (it exists in scope): a
     * plain token, safe in the header. */
    if (of_round && strlen(round) <= 20 && !strpbrk(round, "\"\r\n;"))
        snprintf(r->extra_val, sizeof r->extra_val, "attachment; filename=\"ledger-%.20s.xlsx\"",
                 round);
    else
        snprintf(r->extra_val, sizeof r->extra_val, "attachment; filename=\"ledger.xlsx\"");
    return 0;
}

static int h_round_ledger(req *r)
{
    return ledger_xlsx(r, 1);
}
static int h_tasks_xlsx(req *r)
{
    return ledger_xlsx(r, 0);
}

/* ------------------------------------------------------------------ table */

static const route inspect_routes[] = {
    {"GET", "/api/v1/inspection_rounds", "inspection:read", NULL, h_rounds,
     "Inspection rounds with a unit in scope ?unit_id=", 0},
    {"POST", "/api/v1/inspection_rounds", "inspection:write", NULL, h_round_add,
     "Record a round {round_no, level, team, leader_person_id, start_date, end_date, units, "
     "reason}",
     1},
    {"GET", "/api/v1/inspection_rounds/{id}", "inspection:read", NULL, h_round,
     "One round with its units", 0},
    {"GET", "/api/v1/inspection_problems", "inspection:read", NULL, h_problems,
     "Problems found ?round_id= ?unit_id= (team notes for the inspection office only)", 0},
    {"POST", "/api/v1/inspection_problems", "inspection:write", NULL, h_problem_add,
     "Record a problem {round_id, unit_id, person_id, category, description, found_at, "
     "evidence, team_notes, reason}",
     1},
    {"GET", "/api/v1/inspection_problems/{id}", "inspection:read", NULL, h_problem,
     "One problem with its tasks", 0},
    {"POST", "/api/v1/inspection_problems/{id}/handover", "inspection:write", NULL, h_handover,
     "Hand the problem to the discipline office as a clue (移交问题线索) {reason}", 1},
    {"GET", "/api/v1/criticism_items", "inspection:read", NULL, h_criticisms,
     "Criticism items of democratic life meetings ?unit_id=", 0},
    {"POST", "/api/v1/criticism_items", "inspection:write", NULL, h_criticism_add,
     "Record a criticism item (民主生活会) {activity_id, person_id, description, reason}", 1},
    {"GET", "/api/v1/criticism_items/{id}", "inspection:read", NULL, h_criticism,
     "One criticism item with its tasks", 0},
    {"GET", "/api/v1/rectification_tasks", "rectification:read", NULL, h_tasks,
     "Rectification tasks in scope ?round_id= ?problem_id= ?status= ?unit_id= ?overdue=1", 0},
    {"GET", "/api/v1/rectification_tasks/stats", "rectification:read", NULL, h_task_stats,
     "Counts of the tasks list in one request ?round_id= ?unit_id=: total, per status, overdue, "
     "pending_approval, overdue_items (first 10)",
     0},
    {"GET", "/api/v1/rectification_tasks.xlsx", "rectification:read", NULL, h_tasks_xlsx,
     "The rectification ledger (整改台账) as Excel ?round_id= ?status= ?unit_id= ?overdue=1 "
     "?lang=en: the list's rows",
     0},
    {"GET", "/api/v1/inspection_rounds/{id}/ledger.xlsx", "rectification:read", NULL,
     h_round_ledger, "A round's rectification ledger (整改台账) as Excel ?lang=en", 0},
    {"POST", "/api/v1/rectification_tasks", "rectification:write", NULL, h_task_add,
     "Open a task {problem_id, owner_unit_id, responsible_person_id, measures, deadline, "
     "reason}",
     1},
    {"GET", "/api/v1/rectification_tasks/{id}", "rectification:read", NULL, h_task,
     "One task with its problem (no team notes) and history", 0},
    {"POST", "/api/v1/rectification_tasks/{id}/progress", "rectification:progress", NULL,
     h_progress, "Report progress {text, evidence: [{name, sha256} | {entity, id}]}", 1},
    {"POST", "/api/v1/rectification_tasks/{id}/signoff", "rectification:write", NULL, h_signoff,
     "Sign off (销号) {reason}: needs evidence since (re)opened or sent back, else 422", 1},
    {"POST", "/api/v1/rectification_tasks/{id}/sendback", "rectification:write", NULL, h_sendback,
     "Send back {reason}", 1},
    {"POST", "/api/v1/rectification_tasks/{id}/reopen", "rectification:write", NULL, h_reopen,
     "Re-open a signed-off task at 回头看 {reason} (recurrence counted)", 1},
    {"POST", "/api/v1/rectification_tasks/{id}/approve", "rectification:read", NULL, h_approve,
     "Approve the sign-off waiting on a top leader's unit's task {reason}: only the configured "
     "head, never the proposer",
     1},
    {"POST", "/api/v1/rectification_tasks/{id}/refuse", "rectification:read", NULL, h_refuse,
     "Refuse the sign-off waiting on a task {reason}: the task stays", 1},
    {"POST", "/api/v1/inspection_offices/{id}/approver", "inspection:write", NULL, h_approver,
     "Who approves the sign-off of a top leader's unit's task in this unit's subtree "
     "{role | person_id, reason}",
     1},
};

/* The plain reads (lists, single records, the dashboard's counts): they
 * only read the worker's connection (the scope closure is a temporary
 * table of its own), so they run in one read transaction on the worker, as
 * the registry's lists do (routes_read_txn), and not on the pool. */
int routes_inspect_read_txn(const route *rt)
{
    static const handler_fn ro[] = {h_rounds,    h_round, h_problems, h_problem,   h_criticisms,
                                    h_criticism, h_tasks, h_task,     h_task_stats};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
        if (rt->fn == ro[i])
            return 1;
    return 0;
}

const route *routes_inspect(size_t *n)
{
    *n = sizeof inspect_routes / sizeof inspect_routes[0];
    return inspect_routes;
}
