/*
 * routes_cases.c — the clue workflow over HTTP (/api/v1/cases...): intake,
 * list, show (logged), dispose → verify → conclude → clear name → archive,
 * assign, notes, replies, reminders, statistics (JSON, XLSX), office keys
 * and the logged reporter-identity read. Layer: http, on src/cases only.
 * Spec: docs/API.md "Clues", docs/CASES.md (every decision is the library's).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "../cases/cases.h"
#include "../levels/escalate.h"
#include "escalation_http.h"
#include "http_int.h"

#define MAX_SCOPES 16
#define LIST_DEFAULT 50
#define LIST_MAX 500

int cases_writer_open(server *srv, writer *w, pl_err *e)
{
    if (!w->has_signer) {
        char path[1024];
        if (srv->o.key_file)
            snprintf(path, sizeof path, "%s", srv->o.key_file);
        else {
            pl_buf kb;
            pl_buf_init(&kb);
            if (pl_side_path(srv->o.db, ".key", &kb) == 0)
                snprintf(path, sizeof path, "%s", kb.data);
            else
                path[0] = 0;
            pl_buf_release(&kb);
        }
        pl_err ke;
        pl_err_init(&ke);
        w->has_signer = pl_key_read_file(&w->signer, path, &ke) == 0;
    }
    int rc = pl_cases_new(&w->cases, w->s, w->l, e);
    if (rc)
        return rc;
    pl_cases_set_rules(w->cases, w->rules);
    pl_cases_set_unlock_limit(w->cases, srv->o.lockout_after, srv->o.lockout_secs);
    if (w->has_signer)
        pl_cases_set_signer(w->cases, &w->signer);
    return 0;
}

/* ------------------------------------------------------------- viewers */

/* The caller as the library sees it, once per scope root. */
typedef struct viewers {
    pl_viewer v[MAX_SCOPES];
    char scope[MAX_SCOPES][72];
    int n;
} viewers;

/* Is unit `a` inside the subtree of unit `b` (a != b)? Its chain of
 * parents walked up one row at a time (a kept statement, a lookup by the
 * key each): the recursive CTE this replaced answered the same but built
 * two ephemeral tables for its UNION each time, ~70,000 instructions a
 * clue intake for a walk of three or four rows (docs/BENCHMARKS.md "Clue
 * intake without savepoints"). Bounded at 64 steps, as the rules' unit
 * chain (rl_unit_chain_sql): a cycle in the tree ends the walk there. */
static int unit_below(pl_store *s, const char *a, const char *b)
{
    pl_stmt *st;
    if (pl_store_prepare_cached(s, "SELECT parent_id FROM units WHERE id=?", &st, NULL))
        return 0;
    char *cur = pl_strdup(a);
    int below = 0;
    for (int depth = 0; depth < 64 && cur; depth++) {
        pl_stmt_bind_text(st, 1, cur);
        free(cur);
        cur = NULL;
        if (pl_stmt_step(st, NULL) == PL_ROW && pl_stmt_type(st, 0) != PL_COL_NULL &&
            *pl_stmt_text(st, 0))
            cur = pl_strdup(pl_stmt_text(st, 0));
        pl_stmt_reset(st);
        if (cur && !strcmp(cur, b)) {
            below = 1;
            break;
        }
    }
    free(cur);
    return below;
}

/*
 * One viewer per scope root of the user, nested roots dropped (so the
 * subtrees are disjoint and per-scope counts add up). `?scope=UNIT` narrows
 * to one root the user holds. 0, or a reply was written (-1).
 */
static int viewers_of(req *r, viewers *vs)
{
    memset(vs, 0, sizeof *vs);
    /* One role vocabulary (accounts.h): the account's role is the viewer's. */
    pl_cases_role role = r->who.role;
    pl_err e;
    pl_err_init(&e);
    char all[MAX_SCOPES][72];
    int n = pl_accounts_user_scopes(r->s, r->who.uid, all, MAX_SCOPES, &e);
    if (n < 0)
        return reply_status(r, n, &e), -1;
    const char *want = req_arg(r, "scope");
    for (int i = 0; i < n; i++) {
        int nested = 0;
        for (int j = 0; j < n && !nested; j++)
            nested = j != i && unit_below(r->s, all[i], all[j]);
        if (nested)
            continue;
        if (want && strcmp(want, all[i]) != 0)
            continue;
        memcpy(vs->scope[vs->n], all[i], sizeof vs->scope[0]);
        vs->n++;
    }
    if (want && vs->n == 0)
        return reply_error(r, 400, "bad_parameter", "scope", "not one of your units"), -1;
    for (int i = 0; i < vs->n; i++)
        vs->v[i] = (pl_viewer){role, r->who.username, r->who.person_id[0] ? r->who.person_id : NULL,
                               vs->scope[i]};
    if (vs->n == 0) {
        /* No scope: the library denies everything but the permission check
         * still answers (an empty list). */
        vs->v[0] =
            (pl_viewer){role, r->who.username, r->who.person_id[0] ? r->who.person_id : NULL, NULL};
        vs->n = 1;
    }
    return 0;
}

/* The viewer (of the user's scopes) that sees clue `id`; NULL if none. */
static const pl_viewer *viewer_for(pl_cases *c, viewers *vs, const char *id, int *err, pl_err *e)
{
    *err = 0;
    for (int i = 0; i < vs->n; i++) {
        int rc = pl_cases_visible(c, &vs->v[i], id, e);
        if (rc < 0 && rc != PL_ENOTFOUND) {
            *err = rc;
            return NULL;
        }
        if (rc > 0)
            return &vs->v[i];
    }
    return NULL;
}

/* ------------------------------------------------------------- replies */

/* Map a library status to a reply. Library messages name the field as
 * "field: reason"; that prefix becomes the error's field. */
static int cases_reply(req *r, int rc, const pl_err *e)
{
    const char *msg = e && e->msg[0] ? e->msg : pl_strerror(rc);
    char buf[48];
    switch (rc) {
    case PL_EINVAL: return reply_error(r, 400, "invalid", http_msg_field(msg, buf), msg);
    case PL_ENOTFOUND: return reply_error(r, 404, "not_found", NULL, "not found");
    case PL_EEXIST: return reply_error(r, 409, "exists", http_msg_field(msg, buf), msg);
    case PL_EDENIED: return reply_error(r, 403, "forbidden", http_msg_field(msg, buf), msg);
    case PL_ECRYPTO: return reply_error(r, 403, "wrong_passphrase", "passphrase", msg);
    default: return reply_status(r, rc, e);
    }
}

/* ------------------------------------------------------------ the body */

typedef struct field {
    const char *name;
    int required;
    int boolean;
} field;

/* A field mistake of a JSON object checked against a field list. */
typedef struct field_err {
    const char *code, *field, *msg;
} field_err;

/*
 * Check `obj` against `fields` (unknown fields and wrong types name the
 * field) and fill `out[i]` with the strings (NULL if absent) or "1"/"0"
 * for booleans. 0 ok, -1 with *fe set.
 */
static int check_fields(json_t *obj, const field *fields, size_t n, const char **out, field_err *fe)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        size_t i = 0;
        while (i < n && strcmp(fields[i].name, k) != 0)
            i++;
        if (i == n)
            return *fe = (field_err){"unknown_field", k, "unknown field"}, -1;
    }
    for (size_t i = 0; i < n; i++) {
        v = json_object_get(obj, fields[i].name);
        out[i] = NULL;
        if (!v || json_is_null(v)) {
            if (fields[i].required)
                return *fe = (field_err){"required", fields[i].name, "required"}, -1;
            continue;
        }
        if (fields[i].boolean) {
            /* As a record's flags: true/false or 0/1, nothing else. */
            if (!json_is_boolean(v) &&
                !(json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)))
                return *fe = (field_err){"invalid", fields[i].name, "must be true or false"}, -1;
            out[i] = json_is_true(v) || (json_is_integer(v) && json_integer_value(v)) ? "1" : "0";
            continue;
        }
        if (!json_is_string(v))
            return *fe = (field_err){"invalid", fields[i].name, "must be a string"}, -1;
        out[i] = json_string_value(v);
        if (fields[i].required && !*out[i])
            return *fe = (field_err){"required", fields[i].name, "required"}, -1;
    }
    return 0;
}

/* check_fields on the request body: 0 ok, -1 replied (400 naming the field). */
static int body_fields(req *r, const field *fields, size_t n, const char **out)
{
    field_err fe;
    if (check_fields(r->json, fields, n, out, &fe) == 0)
        return 0;
    return reply_error(r, 400, fe.code, fe.field, fe.msg), -1;
}

static int id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > PL_CASES_ID_MAX)
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.' || *s == ':' || *s == '-'))
            return 0;
    return 1;
}

/* ---------------------------------------------------------- the actions */

enum act {
    A_DISPOSE,
    A_VERIFY,
    A_CONCLUDE,
    A_CLEAR,
    A_ARCHIVE,
    A_ASSIGN,
    A_NOTE,
    A_REPLY,
    A_APPROVE,
    A_REFUSE,
    A_ESCALATE
};

static const field f_dispose[] = {{"method", 1, 0}, {"reason", 1, 0}};
static const field f_reason[] = {{"reason", 1, 0}};
static const field f_conclude[] = {
    {"outcome", 1, 0}, {"measure", 0, 0}, {"basis", 0, 0}, {"reason", 1, 0}};
static const field f_clear[] = {{"basis", 1, 0}};
static const field f_assign[] = {{"handler_person_id", 0, 0}, {"team", 0, 0}};
static const field f_note[] = {{"text", 1, 0}, {"sub_status", 0, 0}};
static const field f_reply[] = {{"text", 1, 0}};

static const struct {
    const field *f;
    size_t n;
} act_fields[] = {
    [A_DISPOSE] = {f_dispose, 2}, [A_VERIFY] = {f_reason, 1},  [A_CONCLUDE] = {f_conclude, 4},
    [A_CLEAR] = {f_clear, 1},     [A_ARCHIVE] = {f_reason, 1}, [A_ASSIGN] = {f_assign, 2},
    [A_NOTE] = {f_note, 2},       [A_REPLY] = {f_reply, 1},    [A_APPROVE] = {f_reason, 1},
    [A_REFUSE] = {f_reason, 1},   [A_ESCALATE] = {NULL, 0},
};

/*
 * One workflow action on clue {id}: visibility first (an invisible clue is
 * a 404 whatever the body), then the body, then the library, which decides
 * permission and state.
 */
static int act(req *r, enum act a)
{
    const char *id = r->params[0];
    if (!id_ok(id))
        return reply_error(r, 404, "not_found", NULL, "not found");
    viewers vs;
    if (viewers_of(r, &vs))
        return 0;
    http_sync_clock(r);
    pl_err e;
    pl_err_init(&e);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    int err;
    const pl_viewer *v = viewer_for(w->cases, &vs, id, &err, &e);
    if (!v) {
        writer_unlock(r->srv);
        return err ? reply_status(r, err, &e) : reply_error(r, 404, "not_found", NULL, "not found");
    }
    const char *x[4] = {0};
    if (body_fields(r, act_fields[a].f, act_fields[a].n, x)) {
        writer_unlock(r->srv);
        return 0;
    }
    int rc = 0;
    switch (a) {
    case A_DISPOSE: rc = pl_cases_dispose(w->cases, v, id, x[0], x[1], &e); break;
    case A_VERIFY: rc = pl_cases_verify(w->cases, v, id, x[0], &e); break;
    case A_CONCLUDE: {
        pl_conclusion k = {x[0], x[1], x[2], x[3]};
        rc = pl_cases_conclude(w->cases, v, id, &k, &e);
        break;
    }
    case A_CLEAR: rc = pl_cases_clear_name(w->cases, v, id, x[0], &e); break;
    case A_ARCHIVE: rc = pl_cases_archive(w->cases, v, id, x[0], &e); break;
    case A_ASSIGN:
        if (!x[0] && !x[1]) {
            writer_unlock(r->srv);
            return reply_error(r, 400, "required", "handler_person_id",
                               "give handler_person_id and/or team");
        }
        rc = pl_cases_assign(w->cases, v, id, x[0], x[1], &e);
        break;
    case A_NOTE: rc = pl_cases_note(w->cases, v, id, x[0], x[1], &e); break;
    case A_REPLY: rc = pl_cases_reply(w->cases, v, id, x[0], &e); break;
    case A_APPROVE:
    case A_REFUSE: rc = pl_cases_decide(w->cases, v, id, a == A_APPROVE, x[0], &e); break;
    case A_ESCALATE: {
        /* 报送上级 (docs/LEVELS.md §9): as `plumb escalate`, to the level
         * above of --escalation-above; the library refuses a clue an
         * office of this store handles, or one sent up already. */
        int64_t seq = 0;
        if (!r->srv->o.escalation_above) { /* after visibility: says nothing of the clue */
            writer_unlock(r->srv);
            return reply_error(r, 409, "no_level_above", NULL,
                               "this server has no level above configured (plumb serve "
                               "--escalation-above FILE) / 本服务器未配置上级");
        }
        if (!(pl_cases_role_perms(v->role) & PL_PERM_HANDLE))
            rc = pl_err_set(&e, PL_EDENIED, "role: may not escalate a clue");
        else
            rc = pl_escalate_send(w->s, w->l, id, r->srv->o.escalation_above,
                                  v->actor && *v->actor ? v->actor : "web", &seq, &e);
        break;
    }
    }
    /* A disposition or conclusion that waits for approval (docs/CASES.md
     * "Approvals") answers 202 with the step pending. */
    char pending[16] = "";
    if (!rc && (a == A_DISPOSE || a == A_CONCLUDE))
        rc = pl_cases_pending_step(w->cases, id, pending, &e);
    writer_unlock(r->srv);
    if (rc)
        return cases_reply(r, rc, &e);
    if (a == A_ESCALATE) /* committed: the relay up sends it now */
        pl_escalation_relay_wake(r->srv->o.escalation_up);
    if (pending[0])
        return reply_json(r, 202,
                          json_pack("{s:s, s:s, s:s}", "id", id, "outcome", "pending_approval",
                                    "pending_approval", pending));
    return reply_json(r, 200,
                      json_pack("{s:s, s:s}", "id", id, "outcome",
                                a == A_APPROVE    ? "approved"
                                : a == A_REFUSE   ? "refused"
                                : a == A_ESCALATE ? "escalated"
                                                  : "done"));
}

/* POST /api/v1/cases/{id}/escalate: visibility first (404), then the body,
 * then 409 no_level_above on a server without --escalation-above. */
static int h_escalate(req *r)
{
    return act(r, A_ESCALATE);
}

static int h_dispose(req *r)
{
    return act(r, A_DISPOSE);
}
static int h_approve(req *r)
{
    return act(r, A_APPROVE);
}
static int h_refuse(req *r)
{
    return act(r, A_REFUSE);
}
static int h_verify(req *r)
{
    return act(r, A_VERIFY);
}
static int h_conclude(req *r)
{
    return act(r, A_CONCLUDE);
}
static int h_clear(req *r)
{
    return act(r, A_CLEAR);
}
static int h_archive(req *r)
{
    return act(r, A_ARCHIVE);
}
static int h_assign(req *r)
{
    return act(r, A_ASSIGN);
}
static int h_note(req *r)
{
    return act(r, A_NOTE);
}
static int h_reply(req *r)
{
    return act(r, A_REPLY);
}

/* ---------------------------------------------------------------- show */

/*
 * What the clerk's pages need beside the clue (issue #16 item 5):
 * `approver` — who approves a step of this clue's handling office
 * ({role} or {person_id, name}; null when the office has none, docs/CASES.md
 * "Approvals") — and, for a viewer who may handle it, `handlers`: the
 * persons of the active accounts whose role may handle clues and who see
 * this one (scope and recusal, as pl_cases_assign and every step require),
 * by name. 0 or PL_E*.
 */
static int show_extras(writer *w, const pl_viewer *v, const char *id, json_t *o, pl_err *e)
{
    const char *office = json_string_value(json_object_get(o, "handling_unit_id"));
    json_t *appr = json_null();
    pl_stmt *st;
    int rc = pl_store_prepare(w->s,
                              "SELECT a.role, a.person_id, p.name FROM case_approvers a "
                              "LEFT JOIN persons p ON p.id = a.person_id WHERE a.office_id = ?",
                              &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, office ? office : "");
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        json_decref(appr);
        appr = json_object();
        const char *k[] = {"role", "person_id", "name"};
        for (int i = 0; i < 3; i++)
            if (pl_stmt_text(st, i)[0])
                json_object_set_new(appr, k[i], json_string(pl_stmt_text(st, i)));
    }
    pl_stmt_finalize(st);
    json_object_set_new(o, "approver", appr);
    if (rc < 0)
        return rc;
    if (!(pl_cases_role_perms(v->role) & PL_PERM_HANDLE))
        return 0;
    rc = pl_store_prepare(w->s,
                          "SELECT u.id, u.username, u.role, u.person_id, p.name FROM users u "
                          "JOIN persons p ON p.id = u.person_id WHERE u.disabled = 0 "
                          "ORDER BY p.name, u.person_id, u.username",
                          &st, e);
    if (rc)
        return rc;
    json_t *hs = json_array();
    char last[PL_CASES_ID_MAX + 1] = "";
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        int role = pl_accounts_role_parse(pl_stmt_text(st, 2));
        char person[PL_CASES_ID_MAX + 1];
        snprintf(person, sizeof person, "%s", pl_stmt_text(st, 3));
        if (role < 0 || !(pl_cases_role_perms(role) & PL_PERM_HANDLE) || !strcmp(person, last))
            continue;
        char scopes[MAX_SCOPES][72];
        char uname[128];
        snprintf(uname, sizeof uname, "%s", pl_stmt_text(st, 1));
        int ns = pl_accounts_user_scopes(w->s, pl_stmt_i64(st, 0), scopes, MAX_SCOPES, e);
        if (ns < 0) {
            rc = ns;
            break;
        }
        int sees = 0;
        for (int i = 0; i < ns && !sees; i++) {
            pl_viewer hv = {role, uname, person, scopes[i]};
            int vis = pl_cases_visible(w->cases, &hv, id, e);
            if (vis < 0 && vis != PL_ENOTFOUND) {
                rc = vis;
                break;
            }
            sees = vis > 0;
        }
        if (rc < 0 && rc != PL_ROW)
            break;
        if (sees) {
            json_array_append_new(
                hs, json_pack("{s:s, s:s}", "person_id", person, "name", pl_stmt_text(st, 4)));
            snprintf(last, sizeof last, "%s", person);
        }
    }
    pl_stmt_finalize(st);
    json_object_set_new(o, "handlers", hs);
    return rc == PL_DONE ? 0 : rc;
}

/*
 * The escalation of the clue (docs/LEVELS.md §9): `escalation` — to whom
 * it was sent up, the level above's clue number, the latest status and
 * outcome reported and when (pl_escalate_one; null when it was not sent
 * up) — and `may_escalate`: the clue has no office of this store above it
 * ("本库无上级…须报送上级"), is not merged, was not sent up yet, and this
 * server has a level above configured.
 */
static int show_escalation(server *srv, writer *w, const char *id, json_t *o, pl_err *e)
{
    json_t *esc = NULL;
    int rc = pl_escalate_one(w->s, id, &esc, e);
    if (rc)
        return rc;
    const char *office = json_string_value(json_object_get(o, "handling_unit_id"));
    const char *status = json_string_value(json_object_get(o, "status"));
    int may = !esc && srv->o.escalation_above && !(office && *office) &&
              !(status && strcmp(status, "linked") == 0);
    json_object_set_new(o, "escalation", esc ? esc : json_null());
    json_object_set_new(o, "may_escalate", json_boolean(may));
    return 0;
}

static int h_show(req *r)
{
    const char *id = r->params[0];
    if (!id_ok(id))
        return reply_error(r, 404, "not_found", NULL, "not found");
    viewers vs;
    if (viewers_of(r, &vs))
        return 0;
    http_sync_clock(r);
    pl_err e;
    pl_err_init(&e);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    int err;
    const pl_viewer *v = viewer_for(w->cases, &vs, id, &err, &e);
    pl_buf out;
    pl_buf_init(&out);
    int rc = v ? pl_cases_show(w->cases, v, id, req_arg(r, "reason"), &out, &e)
               : (err ? err : PL_ENOTFOUND);
    json_t *o = rc ? NULL : json_loadb(out.data, out.len, 0, NULL);
    pl_buf_release(&out);
    if (o)
        rc = show_extras(w, v, id, o, &e);
    if (o && !rc)
        rc = show_escalation(r->srv, w, id, o, &e);
    writer_unlock(r->srv);
    if (rc) {
        json_decref(o);
        return cases_reply(r, rc, &e);
    }
    return o ? reply_json(r, 200, o) : reply_status(r, PL_EINTERNAL, NULL);
}

/* ---------------------------------------------------------------- intake */

/* 400 with every field error of an intake: `errors` [{field, message}] in
 * the language of ?lang= (zh, en; both without it), as the portal's. */
static int intake_errors(req *r, const pl_field_error *fe, size_t n)
{
    const char *lang = req_arg(r, "lang");
    int en = lang ? (strcmp(lang, "en") == 0 ? 1 : 0) : -1;
    json_t *list = json_array();
    char m[sizeof fe[0].zh + sizeof fe[0].en + 4];
    for (size_t i = 0; i < n; i++) {
        if (en < 0)
            snprintf(m, sizeof m, "%s / %s", fe[i].zh, fe[i].en);
        else
            snprintf(m, sizeof m, "%s", en ? fe[i].en : fe[i].zh);
        json_array_append_new(list, json_pack("{s:s, s:s}", "field", fe[i].field, "message", m));
    }
    json_t *first = json_array_get(list, 0);
    json_t *err = json_pack("{s:s, s:s, s:O, s:o}", "code", "invalid", "field", fe[0].field,
                            "message", json_object_get(first, "message"), "errors", list);
    return reply_json(r, 400, json_pack("{s:o}", "error", err));
}

/* The fields of a clue, for POST /api/v1/cases and each item of a batch.
 * channel, category and summary are required: pl_cases_intake_check says
 * so with every other field error at once. */
static const field f_intake[] = {
    {"channel", 0, 0},           {"category", 0, 0},
    {"received_at", 0, 0},       {"subject_person_id", 0, 0},
    {"subject_unit_id", 0, 0},   {"subject_name", 0, 0},
    {"summary", 0, 0},           {"facts", 0, 0},
    {"real_name", 0, 1},         {"reporter_person_id", 0, 0},
    {"reporter_identity", 0, 0}, {"source_ref", 0, 0},
};
#define N_INTAKE (sizeof f_intake / sizeof f_intake[0])

static pl_clue_input intake_input(const char **x)
{
    return (pl_clue_input){
        .channel = x[0],
        .category = x[1],
        .received_at = x[2],
        .subject_person_id = x[3],
        .subject_unit_id = x[4],
        .subject_name = x[5],
        .summary = x[6],
        .facts = x[7],
        .real_name = x[8] && x[8][0] == '1',
        .reporter_person_id = x[9],
        .reporter_identity = x[10],
        .source_ref = x[11],
    };
}

/* The viewer (of the user's scopes) a clue about in->subject_unit_id is
 * filed as; NULL if that unit is outside every scope of the user. The
 * clue must be about the user's jurisdiction: its subject unit (or the
 * subject's unit) inside one of the scopes. The library then routes it,
 * possibly to the level above. */
static const pl_viewer *intake_viewer(req *r, const viewers *vs, const pl_clue_input *in)
{
    const pl_viewer *v = &vs->v[0];
    const char *unit = in->subject_unit_id;
    if (vs->n > 1 && unit) {
        for (int i = 0; i < vs->n; i++)
            if (!strcmp(unit, vs->scope[i]) || unit_below(r->s, unit, vs->scope[i]))
                v = &vs->v[i];
    }
    if (unit && v->scope_unit_id && strcmp(unit, v->scope_unit_id) != 0 &&
        !unit_below(r->s, unit, v->scope_unit_id))
        return NULL;
    return v;
}

static json_t *intake_result(const pl_clue_result *res)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:i, s:b, s:I}", "id", res->clue_id, "group_id",
                     res->group_id, "handling_unit_id", res->handling_unit_id, "linked",
                     res->linked, "overlap_pct", res->overlap_pct, "is_top", res->is_top, "seq",
                     (json_int_t)res->seq);
}

static int h_intake(req *r);

int routes_read_first(const route *rt)
{
    return rt->fn == h_intake;
}

static int h_intake(req *r)
{
    const char *x[N_INTAKE];
    if (body_fields(r, f_intake, N_INTAKE, x))
        return 0;
    viewers vs;
    if (viewers_of(r, &vs))
        return 0;
    http_sync_clock(r);
    pl_clue_input in = intake_input(x);
    pl_err e;
    pl_err_init(&e);
    /* Every field error at once (issue #16 item 5), before anything is
     * written; the first also as the single {field, message}. */
    pl_field_error fe[PL_PORTAL_MAX_ERRORS];
    size_t nfe = 0;
    int crc = pl_cases_intake_check(r->s, &in, fe, PL_PORTAL_MAX_ERRORS, &nfe, &e);
    if (crc)
        return reply_status(r, crc, &e);
    if (nfe)
        return intake_errors(r, fe, nfe);
    const pl_viewer *v = intake_viewer(r, &vs, &in);
    if (!v)
        return reply_error(r, 403, "out_of_scope", "subject_unit_id",
                           "the unit is outside your jurisdiction");
    /* The checks above read one snapshot (routes_read_first); none is held
     * while waiting for the writer and the group's commit. */
    http_read_end(r);
    /* The intake can be run again from the start (its input is all in
     * `in`, nothing of it is kept outside the store): GC_REDO, so that in a
     * group it goes without a savepoint; GC_AGAIN when a later member's
     * failure rolled the group back, then once more with a savepoint. */
    pl_clue_result res;
    int rc, grc, flags = GC_REDO;
    do {
        gc_member gm;
        pl_err_init(&e);
        writer *w = writer_lock_group(r->srv, &gm, flags, &e);
        if (!w)
            return reply_status(r, PL_ESTORE, &e);
        rc = pl_cases_intake(w->cases, v, &in, &res, &e);
        pl_err ge;
        pl_err_init(&ge);
        grc = writer_unlock_group(r->srv, &gm, &ge);
        if (grc == GC_AGAIN) {
            flags = 0;
            continue;
        }
        if (!rc && grc) {
            rc = grc;
            e = ge;
        }
    } while (grc == GC_AGAIN);
    if (rc)
        return cases_reply(r, rc, &e);
    return reply_json(r, 201, intake_result(&res));
}

/* ------------------------------------------------------- batched intake */

/* The items of a batch that failed, each {index, field, message}; the
 * first also as error.index / error.field ("clues[i].field"). */
typedef struct batch_errs {
    json_t *list;
    int lang_en; /* -1 both, 0 zh, 1 en */
} batch_errs;

static void batch_err(batch_errs *b, size_t index, const char *name, const char *msg)
{
    json_array_append_new(b->list, json_pack("{s:I, s:s, s:s}", "index", (json_int_t)index, "field",
                                             name ? name : "body", "message", msg));
}

/* Answers the batch's errors (status 400, or 403 if any item is outside
 * the caller's jurisdiction): nothing of the batch is written. */
static int batch_reply(req *r, batch_errs *b, int status, const char *code)
{
    json_t *first = json_array_get(b->list, 0);
    char path[96];
    snprintf(path, sizeof path, "clues[%lld].%s",
             (long long)json_integer_value(json_object_get(first, "index")),
             json_string_value(json_object_get(first, "field")));
    json_t *err = json_pack("{s:s, s:s, s:O, s:O, s:o}", "code", code, "field", path, "index",
                            json_object_get(first, "index"), "message",
                            json_object_get(first, "message"), "errors", b->list);
    b->list = NULL;
    return reply_json(r, status, json_pack("{s:o}", "error", err));
}

/* Marks the open (sub)transaction failed, so that its end rolls it back:
 * the batch's savepoint in a group, or its own transaction. */
static void fail_txn(pl_store *s)
{
    pl_err e;
    pl_err_init(&e);
    if (pl_store_begin(s, &e) == 0)
        pl_store_rollback(s);
}

/*
 * POST /api/v1/cases/batch {clues: [clue, ...]}: a bulk source's clues (a
 * hotline's day of calls) in one transaction, all or nothing (docs/API.md
 * "Batched intake"). Every item is checked first (its fields, as POST
 * /api/v1/cases, and the caller's jurisdiction); any mistake answers 400
 * (403 if an item is outside the jurisdiction) listing every failed item
 * by index and field, and nothing is written. Then the clues are taken in
 * order, each as POST /api/v1/cases would (dedupe within the batch too),
 * in one transaction shared with the group commit; an item the library
 * refuses rolls the whole batch back and is named in the answer.
 */
static int h_batch(req *r)
{
    json_t *items = json_object_get(r->json, "clues");
    const char *k;
    json_t *v0;
    json_object_foreach(r->json, k, v0)
    {
        if (strcmp(k, "clues") != 0)
            return reply_error(r, 400, "unknown_field", k, "unknown field");
    }
    if (!json_is_array(items))
        return reply_error(r, 400, "required", "clues", "clues: an array of clues is required");
    size_t n = json_array_size(items);
    if (n == 0)
        return reply_error(r, 400, "invalid", "clues", "clues: at least one clue");
    if (n > HTTP_CASES_BATCH_MAX)
        return reply_error(r, 400, "invalid", "clues", "clues: at most 1000 clues per request");
    viewers vs;
    if (viewers_of(r, &vs))
        return 0;
    http_sync_clock(r);
    const char *lang = req_arg(r, "lang");
    batch_errs be = {json_array(), lang ? (strcmp(lang, "en") == 0 ? 1 : 0) : -1};
    const char *(*x)[N_INTAKE] = pl_calloc(n, sizeof *x);
    pl_clue_input *in = pl_calloc(n, sizeof *in);
    const pl_viewer **who = pl_calloc(n, sizeof *who);
    pl_clue_result *res = pl_calloc(n, sizeof *res);
    int status = 400, rc = 0;
    const char *code = "invalid";
    pl_err e;
    pl_err_init(&e);
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *it = json_array_get(items, i);
        field_err fe;
        if (!json_is_object(it)) {
            batch_err(&be, i, "body", "each clue must be a JSON object");
            continue;
        }
        if (check_fields(it, f_intake, N_INTAKE, x[i], &fe) != 0) {
            batch_err(&be, i, fe.field, fe.msg);
            continue;
        }
        in[i] = intake_input(x[i]);
        pl_field_error fes[PL_PORTAL_MAX_ERRORS];
        size_t nfe = 0;
        rc = pl_cases_intake_check(r->s, &in[i], fes, PL_PORTAL_MAX_ERRORS, &nfe, &e);
        char m[sizeof fes[0].zh + sizeof fes[0].en + 4];
        for (size_t j = 0; !rc && j < nfe; j++) {
            if (be.lang_en < 0)
                snprintf(m, sizeof m, "%s / %s", fes[j].zh, fes[j].en);
            else
                snprintf(m, sizeof m, "%s", be.lang_en ? fes[j].en : fes[j].zh);
            batch_err(&be, i, fes[j].field, m);
        }
        if (rc || nfe)
            continue;
        who[i] = intake_viewer(r, &vs, &in[i]);
        if (!who[i]) {
            batch_err(&be, i, "subject_unit_id", "the unit is outside your jurisdiction");
            status = 403;
            code = "out_of_scope";
        }
    }
    if (rc) {
        reply_status(r, rc, &e);
        goto out;
    }
    if (json_array_size(be.list)) {
        batch_reply(r, &be, status, code);
        goto out;
    }
    gc_member gm;
    writer *w = writer_lock_group(r->srv, &gm, 0, &e);
    if (!w) {
        reply_status(r, PL_ESTORE, &e);
        goto out;
    }
    /* Grouping off (PLUMB_GROUP_COMMIT=off): the batch's own transaction;
     * on: the batch is one member of the group, in its savepoint. */
    int own = gm.solo;
    if (own && (rc = pl_store_begin(w->s, &e)) != 0) {
        writer_unlock(r->srv);
        reply_status(r, rc, &e);
        goto out;
    }
    size_t bad_at = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = pl_cases_intake(w->cases, who[i], &in[i], &res[i], &e);
        bad_at = i;
    }
    if (rc)
        fail_txn(w->s);
    pl_err ge;
    pl_err_init(&ge);
    int grc;
    if (own) {
        if (rc)
            pl_store_rollback(w->s), grc = 0;
        else
            grc = pl_store_commit(w->s, &ge);
        writer_unlock(r->srv);
    } else {
        grc = writer_unlock_group(r->srv, &gm, &ge);
    }
    if (rc) {
        /* A library refusal (a field, a state) names its item; a store
         * failure is the whole request's (nothing of it was stored). */
        if (rc == PL_EINVAL || rc == PL_EEXIST || rc == PL_EDENIED) {
            char f[48];
            const char *name = http_msg_field(e.msg, f);
            batch_err(&be, bad_at, name ? name : "body", e.msg);
            batch_reply(r, &be,
                        rc == PL_EDENIED  ? 403
                        : rc == PL_EEXIST ? 409
                                          : 400,
                        rc == PL_EDENIED  ? "forbidden"
                        : rc == PL_EEXIST ? "exists"
                                          : "invalid");
        } else {
            cases_reply(r, rc, &e);
        }
        goto out;
    }
    if (grc) {
        reply_status(r, PL_ESTORE, &ge);
        goto out;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = intake_result(&res[i]);
        json_object_set_new(o, "index", json_integer((json_int_t)i));
        json_array_append_new(list, o);
    }
    reply_json(r, 201, json_pack("{s:I, s:o}", "created", (json_int_t)n, "results", list));
out:
    json_decref(be.list);
    free((void *)x);
    free(in);
    free(who);
    free(res);
    return 0;
}

/* Is finding `id` inside the caller's scope and not recused (the findings'
 * placing, docs/SECURITY.md: its unit, or its subject person)? 1/0/<0. */
static int finding_visible(req *r, pl_store *s, const char *id, pl_err *e)
{
    const pl_accounts_place *sp = pl_accounts_place_of("finding");
    if (!sp)
        return 0;
    pl_buf sql;
    pl_buf_init(&sql);
    pl_accounts_scope_cte(&sql);
    pl_buf_adds(&sql, "SELECT 1 FROM findings t WHERE t.id=?");
    pl_accounts_scope_where(&sql, sp, pl_accounts_role_scope(r->who.role), "sc", 1);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s, sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    char today[11];
    http_today(r->srv, today);
    int k = pl_accounts_scope_bind(st, r->who.uid, today);
    pl_stmt_bind_text(st, k, id);
    rc = pl_stmt_step(st, e);
    pl_stmt_finalize(st);
    return rc == PL_ROW ? 1 : rc == PL_DONE ? 0 : rc;
}

static int h_from_finding(req *r)
{
    static const field f[] = {{"finding_id", 1, 0}};
    const char *x[1];
    if (body_fields(r, f, 1, x))
        return 0;
    viewers vs;
    if (viewers_of(r, &vs))
        return 0;
    http_sync_clock(r);
    pl_err e;
    pl_err_init(&e);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    /* A finding outside the caller's scope answers exactly as one that
     * does not exist: checked before anything else (an "already a clue"
     * 409 would otherwise confirm it). */
    int vis = finding_visible(r, w->s, x[0], &e);
    if (vis <= 0) {
        writer_unlock(r->srv);
        return vis < 0 ? reply_status(r, vis, &e) : cases_reply(r, PL_ENOTFOUND, NULL);
    }
    pl_clue_result res;
    int rc = PL_ENOTFOUND;
    for (int i = 0; i < vs.n && rc == PL_ENOTFOUND; i++)
        rc = pl_cases_from_finding(w->cases, &vs.v[i], x[0], &res, &e);
    writer_unlock(r->srv);
    if (rc)
        return cases_reply(r, rc, &e);
    return reply_json(r, 201,
                      json_pack("{s:s, s:s, s:s, s:b}", "id", res.clue_id, "group_id", res.group_id,
                                "handling_unit_id", res.handling_unit_id, "linked", res.linked));
}

/* ----------------------------------------------------------------- reads */

/* A pl_cases over this request's read connection (no ledger writes). */
static int reader(req *r, pl_ledger **l, pl_cases **c, pl_err *e)
{
    *c = NULL;
    int rc = pl_ledger_open(l, r->s, e);
    if (!rc && (rc = pl_cases_new(c, r->s, *l, e)) != 0) {
        pl_ledger_free(*l);
        *l = NULL;
    }
    return rc;
}

static void reader_free(pl_ledger *l, pl_cases *c)
{
    pl_cases_free(c);
    pl_ledger_free(l);
}

static int cmp_items(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    const char *rx = json_string_value(json_object_get(x, "received_at"));
    const char *ry = json_string_value(json_object_get(y, "received_at"));
    int c = strcmp(ry ? ry : "", rx ? rx : "");
    if (c)
        return c;
    const char *ix = json_string_value(json_object_get(x, "id"));
    const char *iy = json_string_value(json_object_get(y, "id"));
    return strcmp(iy ? iy : "", ix ? ix : "");
}

static enum MHD_Result unknown_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    static const char *const known[] = {
        "status", "unit_id", "subject_person_id", "overdue", "id", "limit", "offset", "scope"};
    (void)kind;
    (void)value;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i], key) == 0)
            return MHD_YES;
    *(const char **)cls = key;
    return MHD_NO;
}

/* GET /api/v1/cases: ?status= ?unit_id= ?subject_person_id= ?overdue=1
 * ?id= ?limit= ?offset= ?scope=. Newest first. */
static int h_list(req *r)
{
    const char *bad = NULL;
    MHD_get_connection_values(r->mc, MHD_GET_ARGUMENT_KIND, unknown_arg, &bad);
    if (bad)
        return reply_error(r, 400, "unknown_filter", bad, "no such field to filter on");
    int64_t limit = LIST_DEFAULT, offset = 0;
    const char *s;
    if ((s = req_arg(r, "limit")) && pl_parse_i64(s, 1, LIST_MAX, &limit))
        return reply_error(r, 400, "bad_parameter", "limit", "must be an integer in [1, 500]");
    if ((s = req_arg(r, "offset")) && pl_parse_i64(s, 0, 1000000000, &offset))
        return reply_error(r, 400, "bad_parameter", "offset", "must be a non-negative integer");
    const char *overdue = req_arg(r, "overdue");
    if (overdue && strcmp(overdue, "1") && strcmp(overdue, "0"))
        return reply_error(r, 400, "bad_parameter", "overdue", "1 or 0");
    viewers vs;
    if (viewers_of(r, &vs))
        return 0;
    http_sync_clock(r);
    char today[11];
    http_today(r->srv, today);
    pl_cases_filter f = {
        .status = req_arg(r, "status"),
        .unit_id = req_arg(r, "unit_id"),
        .subject_person_id = req_arg(r, "subject_person_id"),
        .overdue_as_of = overdue && overdue[0] == '1' ? today : NULL,
        .limit = (int)(limit + offset),
        .offset = 0,
    };
    const char *only = req_arg(r, "id");
    pl_err e;
    pl_err_init(&e);
    pl_ledger *l;
    pl_cases *c;
    int rc = reader(r, &l, &c, &e);
    if (rc)
        return reply_status(r, rc, &e);
    json_t *all = json_array();
    int64_t total = 0;
    for (int i = 0; i < vs.n && !rc; i++) {
        pl_cases_filter fi = f;
        if (only) {
            /* One clue: visible to this viewer, then found by its subject. */
            int vis = id_ok(only) ? pl_cases_visible(c, &vs.v[i], only, &e) : 0;
            if (vis < 0 && vis != PL_ENOTFOUND)
                rc = vis;
            if (vis <= 0)
                continue;
            fi.limit = 1000;
        }
        pl_buf out;
        pl_buf_init(&out);
        int64_t n = 0;
        if (only)
            rc = pl_cases_list(c, &vs.v[i], &fi, &out, &e);
        else
            rc = pl_cases_list_total(c, &vs.v[i], &fi, &out, &n, &e);
        if (!rc) {
            json_t *arr = json_loadb(out.data, out.len, 0, NULL);
            size_t j;
            json_t *it;
            json_array_foreach(arr, j, it)
            {
                if (only && strcmp(json_string_value(json_object_get(it, "id")), only) != 0)
                    continue;
                json_array_append(all, it);
                if (only)
                    n++;
            }
            json_decref(arr);
            total += n;
        }
        pl_buf_release(&out);
    }
    reader_free(l, c);
    if (rc) {
        json_decref(all);
        return cases_reply(r, rc, &e);
    }
    size_t na = json_array_size(all);
    json_t **v = pl_calloc(na ? na : 1, sizeof *v);
    for (size_t i = 0; i < na; i++)
        v[i] = json_array_get(all, i);
    if (vs.n > 1)
        qsort(v, na, sizeof *v, cmp_items);
    json_t *items = json_array(), *ids = json_array();
    for (size_t i = (size_t)offset; i < na && i < (size_t)(offset + limit); i++) {
        json_array_append(items, v[i]);
        json_array_append(ids, json_object_get(v[i], "id"));
    }
    free(v);
    json_decref(all);
    /* A list shows each clue's subject and summary: one access.read event
     * with the ids returned, as the route table says (entity "case"),
     * committed before the answer is sent. */
    rc = audit_read(r, "case", ids);
    json_decref(ids);
    if (rc) {
        json_decref(items);
        return reply_status(r, rc, NULL);
    }
    json_t *next = offset + limit < total ? json_integer(offset + limit) : json_null();
    return reply_json(r, 200,
                      json_pack("{s:o, s:I, s:I, s:o, s:I}", "items", items, "limit",
                                (json_int_t)limit, "offset", (json_int_t)offset, "next_offset",
                                next, "total", (json_int_t)total));
}

/* Add the counts of `src` into `dst` (objects of key → count, recursively). */
static void merge_counts(json_t *dst, json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach(src, k, v)
    {
        json_t *d = json_object_get(dst, k);
        if (!d)
            json_object_set(dst, k, v);
        else if (json_is_integer(d) && json_is_integer(v))
            json_object_set_new(dst, k,
                                json_integer(json_integer_value(d) + json_integer_value(v)));
        else if (json_is_object(d) && json_is_object(v))
            merge_counts(d, v);
    }
}

static int date_arg(req *r, const char *name, const char **out)
{
    *out = req_arg(r, name);
    int64_t t;
    if (*out && (strlen(*out) != 10 || pl_time_parse(*out, &t) != 0))
        return reply_error(r, 400, "bad_parameter", name, "a date YYYY-MM-DD"), -1;
    return 0;
}

/* The clue statistics of the caller in [from, to] (GET /api/v1/cases/stats,
 * and the clue panel of GET /api/v1/dashboard, which asks for the units'
 * counts and names only with ?detail=units): *out, or non-zero once the
 * error is answered. */
int routes_cases_stats(req *r, const char *from, const char *to, int units, json_t **out)
{
    *out = NULL;
    viewers vs;
    if (viewers_of(r, &vs))
        return -1;
    http_sync_clock(r);
    pl_err e;
    pl_err_init(&e);
    pl_ledger *l;
    pl_cases *c;
    int rc = reader(r, &l, &c, &e);
    if (rc) {
        reply_status(r, rc, &e);
        return -1;
    }
    json_t *all = NULL;
    for (int i = 0; i < vs.n && !rc; i++) {
        json_t *o = NULL;
        rc = pl_cases_stats_json(c, &vs.v[i], from, to, units, &o, &e);
        if (o && !all)
            all = o;
        else if (o) {
            merge_counts(all, o);
            json_decref(o);
        }
    }
    reader_free(l, c);
    if (rc) {
        json_decref(all);
        cases_reply(r, rc, &e);
        return -1;
    }
    *out = all ? all : json_object();
    return 0;
}

static int h_stats(req *r)
{
    const char *from, *to;
    if (date_arg(r, "from", &from) || date_arg(r, "to", &to))
        return 0;
    json_t *out;
    if (routes_cases_stats(r, from, to, 1, &out))
        return 0;
    return reply_json(r, 200, out);
}

int routes_cases_replica(const route *rt)
{
    return rt->fn == h_stats;
}

static int h_stats_xlsx(req *r)
{
    const char *from, *to;
    if (date_arg(r, "from", &from) || date_arg(r, "to", &to))
        return 0;
    viewers vs;
    if (viewers_of(r, &vs))
        return 0;
    if (vs.n > 1)
        return reply_error(r, 400, "bad_parameter", "scope",
                           "you hold several units: choose one with ?scope=UNIT");
    http_sync_clock(r);
    pl_err e;
    pl_err_init(&e);
    char path[] = "/tmp/plumb-stats-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return reply_status(r, PL_EIO, NULL);
    close(fd);
    pl_ledger *l;
    pl_cases *c;
    int rc = reader(r, &l, &c, &e);
    if (!rc) {
        rc = pl_cases_stats_xlsx(c, &vs.v[0], from, to, path, &e);
        reader_free(l, c);
    }
    pl_buf data;
    pl_buf_init(&data);
    if (!rc) {
        FILE *f = fopen(path, "rb");
        char buf[8192];
        size_t n;
        while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
            pl_buf_add(&data, buf, n);
        if (!f)
            rc = PL_EIO;
        else
            fclose(f);
    }
    unlink(path);
    if (rc) {
        pl_buf_release(&data);
        return cases_reply(r, rc, &e);
    }
    pl_buf_reset(&r->out);
    pl_buf_add(&r->out, data.data, data.len);
    pl_buf_release(&data);
    r->status = 200;
    r->ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    snprintf(r->extra_hdr, sizeof r->extra_hdr, "Content-Disposition");
    snprintf(r->extra_val, sizeof r->extra_val, "attachment; filename=\"clue-stats.xlsx\"");
    return 0;
}

/* ------------------------------------------------------------- reminders */

static int h_remind(req *r)
{
    static const field f[] = {{"as_of", 0, 0}};
    const char *x[1];
    if (body_fields(r, f, 1, x))
        return 0;
    viewers vs;
    if (viewers_of(r, &vs))
        return 0;
    http_sync_clock(r);
    char today[11];
    http_today(r->srv, today);
    pl_err e;
    pl_err_init(&e);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    int64_t sent = 0;
    int rc = 0;
    for (int i = 0; i < vs.n && !rc; i++) {
        int64_t n = 0;
        rc = pl_cases_remind(w->cases, &vs.v[i], x[0] ? x[0] : today, &n, &e);
        sent += n;
    }
    writer_unlock(r->srv);
    if (rc)
        return cases_reply(r, rc, &e);
    return reply_json(
        r, 200, json_pack("{s:s, s:I}", "as_of", x[0] ? x[0] : today, "sent", (json_int_t)sent));
}

/* ---------------------------------------------------------- office keys */

static int h_keygen(req *r)
{
    static const field f[] = {{"passphrase", 1, 0}};
    const char *x[1];
    const char *office = r->params[0];
    if (!id_ok(office))
        return reply_error(r, 404, "not_found", NULL, "not found");
    if (body_fields(r, f, 1, x))
        return 0;
    viewers vs;
    if (viewers_of(r, &vs))
        return 0;
    const pl_viewer *v = NULL;
    for (int i = 0; i < vs.n && !v; i++)
        if (vs.v[i].scope_unit_id &&
            (!strcmp(office, vs.scope[i]) || unit_below(r->s, office, vs.scope[i])))
            v = &vs.v[i];
    if (!v)
        return reply_error(r, 404, "not_found", NULL, "not found");
    http_sync_clock(r);
    pl_err e;
    pl_err_init(&e);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    char kid[17] = "";
    int rc = pl_cases_office_keygen(w->cases, v, office, x[0], kid, &e);
    writer_unlock(r->srv);
    if (rc)
        return cases_reply(r, rc, &e);
    return reply_json(r, 201, json_pack("{s:s, s:s}", "office_id", office, "key_id", kid));
}

/* POST /api/v1/offices/{id}/approver {role | person_id, reason}: who
 * approves for the office (docs/CASES.md "Approvals"). */
static int h_approver(req *r)
{
    static const field f[] = {{"role", 0, 0}, {"person_id", 0, 0}, {"reason", 1, 0}};
    const char *x[3];
    const char *office = r->params[0];
    if (!id_ok(office))
        return reply_error(r, 404, "not_found", NULL, "not found");
    if (body_fields(r, f, 3, x))
        return 0;
    viewers vs;
    if (viewers_of(r, &vs))
        return 0;
    const pl_viewer *v = NULL;
    for (int i = 0; i < vs.n && !v; i++)
        if (vs.v[i].scope_unit_id &&
            (!strcmp(office, vs.scope[i]) || unit_below(r->s, office, vs.scope[i])))
            v = &vs.v[i];
    if (!v)
        return reply_error(r, 404, "not_found", NULL, "not found");
    http_sync_clock(r);
    pl_err e;
    pl_err_init(&e);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    int rc = pl_cases_set_approver(w->cases, v, office, x[0], x[1], x[2], &e);
    writer_unlock(r->srv);
    if (rc)
        return cases_reply(r, rc, &e);
    json_t *o = json_pack("{s:s}", "office_id", office);
    json_object_set_new(o, x[0] ? "role" : "person_id", json_string(x[0] ? x[0] : x[1]));
    return reply_json(r, 200, o);
}

/*
 * POST /api/v1/cases/{id}/reporter {passphrase, reason}: the explicit,
 * logged unlock of the handling office's key ("office.key_unlocked"), then
 * the logged read of the sealed identity ("clue.reporter_read"). The key is
 * wiped when the request ends; nothing of it is kept by the server.
 */
static int h_reporter(req *r)
{
    static const field f[] = {{"passphrase", 1, 0}, {"reason", 1, 0}};
    const char *id = r->params[0];
    if (!id_ok(id))
        return reply_error(r, 404, "not_found", NULL, "not found");
    viewers vs;
    if (viewers_of(r, &vs))
        return 0;
    http_sync_clock(r);
    pl_err e;
    pl_err_init(&e);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    int err;
    const pl_viewer *v = viewer_for(w->cases, &vs, id, &err, &e);
    if (!v) {
        writer_unlock(r->srv);
        return err ? reply_status(r, err, &e) : reply_error(r, 404, "not_found", NULL, "not found");
    }
    const char *x[2];
    if (body_fields(r, f, 2, x)) {
        writer_unlock(r->srv);
        return 0;
    }
    char office[PL_CASES_ID_MAX + 1] = "";
    pl_stmt *st;
    int rc = pl_store_prepare_cached(w->s, "SELECT handling_unit_id FROM case_clues WHERE id=?",
                                     &st, &e);
    if (!rc) {
        pl_stmt_bind_text(st, 1, id);
        if (pl_stmt_step(st, &e) == PL_ROW && pl_stmt_text(st, 0))
            snprintf(office, sizeof office, "%s", pl_stmt_text(st, 0));
        pl_stmt_reset(st);
    }
    if (!rc && !office[0])
        rc = pl_err_set(&e, PL_ENOTFOUND, "no sealed identity");
    pl_office_key *k = NULL;
    pl_buf out;
    pl_buf_init(&out);
    /* Only the designated role may read; refuse before the unlock so that a
     * refused read leaves no unlock in the log either. */
    if (!rc && !(pl_cases_role_perms(v->role) & PL_PERM_IDENTITY))
        rc = pl_err_set(&e, PL_EDENIED, "only the designated role reads reporter identity");
    /* Too many wrong passphrases: 423 with Retry-After, as for sign-in,
     * before the (costly) key derivation. */
    int64_t wait = 0;
    int locked = rc ? 0 : pl_cases_office_unlock_locked(w->cases, v, office, &wait, &e);
    if (locked < 0)
        rc = locked;
    if (locked > 0) {
        writer_unlock(r->srv);
        snprintf(r->extra_hdr, sizeof r->extra_hdr, "Retry-After");
        snprintf(r->extra_val, sizeof r->extra_val, "%lld", (long long)wait);
        return reply_error(r, 423, "locked", "passphrase",
                           "too many wrong passphrases for this office; try again later");
    }
    if (!rc)
        rc = pl_cases_office_unlock(w->cases, v, office, x[0], x[1], &k, &e);
    if (!rc)
        rc = pl_cases_reporter_read(w->cases, v, k, id, x[1], &out, &e);
    pl_office_key_free(k);
    writer_unlock(r->srv);
    if (rc) {
        pl_buf_release(&out);
        return cases_reply(r, rc, &e);
    }
    json_t *ident = json_loadb(out.data, out.len, 0, NULL);
    if (!ident)
        ident = json_stringn(out.data, out.len);
    sodium_memzero(out.data, out.len);
    pl_buf_release(&out);
    return reply_json(r, 200, json_pack("{s:s, s:o}", "id", id, "identity", ident));
}

/* --------------------------------------------------------------- table */

static const route cases_routes[] = {
    {"GET", "/api/v1/cases", "case:list", "case", h_list,
     "Clue workflow queue: status, deadlines; ?status= ?unit_id= ?subject_person_id= ?overdue=1",
     0},
    {"POST", "/api/v1/cases", "case:intake", NULL, h_intake, "Register a clue (intake, routing)",
     1},
    {"POST", "/api/v1/cases/batch", "case:intake", NULL, h_batch,
     "Register many clues in one transaction {clues: [clue, ...]} (all or nothing)", 1},
    {"POST", "/api/v1/cases/from-finding", "case:intake", NULL, h_from_finding,
     "Turn a rule finding into a clue", 1},
    {"GET", "/api/v1/cases/stats", "case:list", NULL, h_stats,
     "Clue statistics ?from= ?to= (visible clues only)", 0},
    {"GET", "/api/v1/cases/stats.xlsx", "case:list", NULL, h_stats_xlsx,
     "Clue statistics as an Excel workbook", 0},
    {"POST", "/api/v1/cases/remind", "case:handle", NULL, h_remind,
     "Send the reminders due {as_of}", 1},
    {"GET", "/api/v1/cases/{id}", "case:read", "case", h_show,
     "One clue with its history (the read is logged)", 0},
    {"POST", "/api/v1/cases/{id}/dispose", "case:handle", "case", h_dispose,
     "Dispose {method, reason}", 1},
    {"POST", "/api/v1/cases/{id}/approve", "case:read", "case", h_approve,
     "Approve the step waiting for approval {reason} (the configured office head; not the "
     "proposer)",
     1},
    {"POST", "/api/v1/cases/{id}/refuse", "case:read", "case", h_refuse,
     "Refuse the step waiting for approval {reason}", 1},
    {"POST", "/api/v1/cases/{id}/verify", "case:handle", "case", h_verify,
     "Verification done {reason}", 1},
    {"POST", "/api/v1/cases/{id}/conclude", "case:handle", "case", h_conclude,
     "Conclude {outcome, measure, basis, reason}", 1},
    {"POST", "/api/v1/cases/{id}/clear-name", "case:handle", "case", h_clear,
     "Name clearing done {basis}", 1},
    {"POST", "/api/v1/cases/{id}/archive", "case:handle", "case", h_archive, "Archive {reason}", 1},
    {"POST", "/api/v1/cases/{id}/escalate", "case:handle", "case", h_escalate,
     "Send the clue up to the level above (报送上级, docs/LEVELS.md §9)", 1},
    {"POST", "/api/v1/cases/{id}/assign", "case:handle", "case", h_assign,
     "Assign {handler_person_id, team}", 1},
    {"POST", "/api/v1/cases/{id}/notes", "case:note", "case", h_note,
     "Handler note {text, sub_status}", 1},
    {"POST", "/api/v1/cases/{id}/replies", "case:reply", "case", h_reply,
     "Reply to the reporter {text}", 1},
    {"POST", "/api/v1/cases/{id}/reporter", "case:identity", "case", h_reporter,
     "Unlock the office key and read the sealed reporter identity {passphrase, reason} (logged)",
     1},
    {"POST", "/api/v1/offices/{id}/keys", "office_key:write", NULL, h_keygen,
     "Create an office key pair {passphrase}", 1},
    {"POST", "/api/v1/offices/{id}/approver", "office_key:write", NULL, h_approver,
     "Who approves clues about top leaders for the office {role | person_id, reason}", 1},
};

const route *routes_cases(size_t *n)
{
    *n = sizeof cases_routes / sizeof cases_routes[0];
    return cases_routes;
}
