/*
 * routes_tasks.c — the warnings' tasks and the 研判 meeting over HTTP
 * (/api/v1/tasks/{id} and its steps assign, reassign, accept, progress,
 * close; /api/v1/tasks/overdue; /api/v1/judgements). Layer: http, on
 * src/inspect/tasks.h: the library decides scope, recusal and state, this
 * file maps its answers (422 naming the field, 409 for a step the state
 * refuses, 403 out of reach or not the assignee, 404 for a read).
 * Spec: docs/API.md "Tasks and 研判", docs/RULES.md "Tasks and 研判".
 */
#include <string.h>

#include <microhttpd.h>

#include "../inspect/tasks.h"
#include "http_int.h"

typedef struct caller {
    pl_tasks_caller c;
    http_scopes sc;
} caller;

static int caller_of(req *r, pl_store *s, caller *k, pl_err *e)
{
    int rc = http_caller_scopes(r, s, &k->sc, e);
    if (rc < 0)
        return rc;
    k->c = (pl_tasks_caller){r->who.username,
                             k->sc.v,
                             k->sc.n,
                             0,
                             r->who.person_id[0] ? r->who.person_id : NULL,
                             1,
                             pl_accounts_role_has(r->who.role, "task:assign")};
    return 0;
}

/* The field a refusal names: the message's prefix before ": ", which may
 * index an array ("decisions[0].reason"); NULL if there is none. */
static const char *field_of(const char *msg, char out[64])
{
    const char *colon = strstr(msg, ": ");
    size_t n = colon ? (size_t)(colon - msg) : 0;
    if (n == 0 || n >= 64)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_.[]", msg[i]))
            return NULL;
    memcpy(out, msg, n);
    out[n] = 0;
    return out;
}

static int tasks_reply(req *r, int rc, const pl_err *e)
{
    const char *msg = e && e->msg[0] ? e->msg : pl_strerror(rc);
    char buf[64];
    const char *field = field_of(msg, buf);
    switch (rc) {
    case PL_EINVAL: return reply_error(r, 422, "unprocessable", field, msg);
    case PL_EEXIST: return reply_error(r, 409, "conflict", field, msg);
    case PL_EDENIED:
        return reply_error(r, 403, field && strcmp(field, "id") == 0 ? "out_of_scope" : "forbidden",
                           field, msg);
    case PL_ENOTFOUND: return reply_error(r, 404, "not_found", field, msg);
    default: return reply_status(r, rc, e);
    }
}

enum op { OP_ASSIGN, OP_REASSIGN, OP_ACCEPT, OP_PROGRESS, OP_CLOSE, OP_OVERDUE, OP_JUDGE };

static int write_op(req *r, enum op op)
{
    pl_err e;
    pl_err_init(&e);
    /* accept and the clock take an empty body */
    int empty_ok = op == OP_ACCEPT || op == OP_OVERDUE;
    if (r->json && !json_is_object(r->json))
        return reply_error(r, 400, "invalid", NULL, "body: must be a JSON object");
    if (!r->json && !empty_ok)
        return reply_error(r, 400, "invalid", NULL, "body: must be a JSON object");
    http_sync_clock(r);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    caller k;
    int rc = caller_of(r, w->s, &k, &e);
    const char *tid = r->nparams ? r->params[0] : NULL;
    char id[PL_TASKS_ID_MAX + 1] = "";
    json_t *rec = NULL;
    if (!rc) {
        switch (op) {
        case OP_ASSIGN: rc = pl_tasks_assign(w->s, w->l, &k.c, tid, r->json, 0, &e); break;
        case OP_REASSIGN: rc = pl_tasks_assign(w->s, w->l, &k.c, tid, r->json, 1, &e); break;
        case OP_ACCEPT: rc = pl_tasks_accept(w->s, w->l, &k.c, tid, r->json, &e); break;
        case OP_PROGRESS: rc = pl_tasks_progress(w->s, w->l, &k.c, tid, r->json, &e); break;
        case OP_CLOSE: rc = pl_tasks_close(w->s, w->l, &k.c, tid, r->json, &e); break;
        case OP_OVERDUE: {
            /* The clock is the server's: today, never a date of the body. */
            char day[11];
            http_today(r->srv, day);
            int64_t n = 0;
            rc = pl_tasks_overdue_in(w->s, w->l, &k.c, "clock", day, &n, &e);
            if (!rc)
                rec = json_pack("{s:s, s:I}", "as_of", day, "raised", (json_int_t)n);
            break;
        }
        case OP_JUDGE: {
            pl_viewer v = {PL_CASES_ROLE_DISCIPLINE, r->who.username,
                           r->who.person_id[0] ? r->who.person_id : NULL,
                           k.c.nscopes ? k.c.scopes[0] : NULL};
            rc = pl_tasks_judgement_record(w->s, w->l, w->cases, &v, &k.c, r->json, id, &e);
            if (!rc)
                rc = pl_tasks_judgement_get(w->s, &k.c, id, &rec, &e);
            break;
        }
        }
    }
    if (!rc && !rec)
        rc = pl_tasks_get(w->s, &k.c, tid, &rec, &e);
    writer_unlock(r->srv);
    if (rc) {
        json_decref(rec);
        return tasks_reply(r, rc, &e);
    }
    return reply_json(r, op == OP_JUDGE ? 201 : 200, rec);
}

static int h_assign(req *r)
{
    return write_op(r, OP_ASSIGN);
}
static int h_reassign(req *r)
{
    return write_op(r, OP_REASSIGN);
}
static int h_accept(req *r)
{
    return write_op(r, OP_ACCEPT);
}
static int h_progress(req *r)
{
    return write_op(r, OP_PROGRESS);
}
static int h_close(req *r)
{
    return write_op(r, OP_CLOSE);
}
static int h_overdue(req *r)
{
    return write_op(r, OP_OVERDUE);
}
static int h_judge(req *r)
{
    return write_op(r, OP_JUDGE);
}

static int read_op(req *r, int judgement)
{
    pl_err e;
    pl_err_init(&e);
    caller k;
    int rc = caller_of(r, r->s, &k, &e);
    json_t *out = NULL;
    const char *id = r->nparams ? r->params[0] : NULL;
    if (!rc && judgement)
        rc = pl_tasks_judgement_get(r->s, &k.c, id, &out, &e);
    else if (!rc)
        rc = pl_tasks_get(r->s, &k.c, id, &out, &e);
    if (rc)
        return tasks_reply(r, rc, &e);
    if (judgement && !id)
        out = json_pack("{s:o}", "items", out);
    return reply_json(r, 200, out);
}

static int h_task(req *r)
{
    return read_op(r, 0);
}
static int h_judgements(req *r)
{
    return read_op(r, 1);
}

static const route task_routes[] = {
    {"POST", "/api/v1/tasks/overdue", "task:assign", NULL, h_overdue,
     "The clock: raise the warning of every task in reach past its due date one colour (today)", 0},
    {"GET", "/api/v1/tasks/{id}", "task:read", NULL, h_task,
     "One warning task with its warning's colour, its history and the warning's history", 0},
    {"POST", "/api/v1/tasks/{id}/assign", "task:assign", NULL, h_assign,
     "Assign an open task to a user {user, reason, due_date}", 1},
    {"POST", "/api/v1/tasks/{id}/reassign", "task:assign", NULL, h_reassign,
     "Re-assign a task {user, reason, due_date}", 1},
    {"POST", "/api/v1/tasks/{id}/accept", "task:write", NULL, h_accept,
     "The assignee accepts the task {text}", 1},
    {"POST", "/api/v1/tasks/{id}/progress", "task:write", NULL, h_progress,
     "The assignee reports progress {text, evidence: [{entity, id} | {name, sha256}]}", 1},
    {"POST", "/api/v1/tasks/{id}/close", "task:write", NULL, h_close,
     "Close the task {reason, evidence} (reason and evidence required: 422)", 1},
    {"GET", "/api/v1/judgements", "judgement:read", NULL, h_judgements,
     "研判 meetings with a decision on a warning in scope", 0},
    {"POST", "/api/v1/judgements", "judgement:write", NULL, h_judge,
     "Record a 研判 meeting {held_on, attendees, notes, decisions: [{warning_id, decision: "
     "keep|lower|raise|open_clue|close, reason}]}",
     1},
    {"GET", "/api/v1/judgements/{id}", "judgement:read", NULL, h_judgements,
     "One 研判 meeting: attendees and the decisions in scope", 0},
};

const route *routes_tasks(size_t *n)
{
    *n = sizeof task_routes / sizeof task_routes[0];
    return task_routes;
}
