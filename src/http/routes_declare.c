/*
 * routes_declare.c — declaration check rounds over HTTP
 * (/api/v1/declaration_rounds: rounds, the draw, its proof, the ranked
 * sample; /api/v1/declarations/{id}/comparison and /conclusion). Layer:
 * http, on src/declare: the library decides scope (the round's unit) and
 * state; this file adds the placement and recusal of the declaration
 * itself (src/accounts, as its own entity route) and maps the answers (400
 * naming the field, 422 for a step the state refuses, 404 outside scope).
 * Spec: docs/API.md "Declaration check rounds", docs/DECLARE.md.
 */
#include <ctype.h>
#include <string.h>

#include <microhttpd.h>

#include "../accounts/accounts.h"
#include "../declare/declare.h"
#include "../report/report.h"
#include "http_int.h"

typedef struct caller {
    pl_declare_caller c;
    http_scopes sc;
} caller;

static int caller_of(req *r, pl_store *s, caller *k, pl_err *e)
{
    int rc = http_caller_scopes(r, s, &k->sc, e);
    if (rc < 0)
        return rc;
    k->c = (pl_declare_caller){r->who.username, k->sc.v, k->sc.n, 0};
    return 0;
}

/* May the caller read declaration `id`: placed in their scope and not
 * recused (the rules of GET /api/v1/declarations/{id}, src/accounts)? On
 * the worker's connection `r->s`. */
static int decl_visible(req *r, const char *id, int *yes, pl_err *e)
{
    *yes = 0;
    const pl_accounts_place *sp = pl_accounts_place_of("declaration");
    if (!sp)
        return 0;
    char today[11];
    http_today(r->srv, today);
    int mode = pl_accounts_role_scope(r->who.role);
    pl_buf sql;
    pl_buf_init(&sql);
    pl_accounts_scope_cte_cached(&sql);
    pl_buf_adds(&sql, " SELECT count(*) FROM declarations t WHERE t.id=?");
    pl_accounts_scope_where(&sql, sp, mode, PL_ACCOUNTS_SCOPE_SET, 1);
    pl_stmt *st;
    int rc = pl_store_prepare(r->s, sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    int next = pl_accounts_scope_bind_cached(r->s, st, r->who.uid, mode, today, e);
    if (next < 0) {
        pl_stmt_finalize(st);
        return next;
    }
    pl_stmt_bind_text(st, next, id);
    rc = pl_stmt_step(st, e);
    *yes = rc == PL_ROW && pl_stmt_i64(st, 0) > 0;
    pl_stmt_finalize(st);
    return rc == PL_ROW || rc == PL_DONE ? 0 : rc;
}

/* ----------------------------------------------------------------- writes */

enum op { OP_ROUND, OP_DRAW, OP_CONCLUDE };

static int write_op(req *r, enum op op)
{
    pl_err e;
    pl_err_init(&e);
    if (!json_is_object(r->json))
        return reply_error(r, 400, "invalid", NULL, "body: must be a JSON object");
    const char *id = r->nparams ? r->params[0] : NULL;
    if (id && !http_id_ok(id))
        return reply_error(r, 400, "invalid_id", "id", "ids are 1-64 of A-Z a-z 0-9 _ . : -");
    http_sync_clock(r);
    if (op == OP_CONCLUDE) {
        int yes = 0;
        int rc = decl_visible(r, id, &yes, &e);
        if (rc)
            return reply_status(r, rc, &e);
        if (!yes)
            return reply_error(r, 404, "not_found", "id", "no such declaration in your scope");
    }
    if (op == OP_DRAW && json_object_size(r->json) != 0) {
        const char *k = json_object_iter_key(json_object_iter(r->json));
        return reply_error(r, 400, "unknown_field", k, "unknown field");
    }
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    caller k;
    int rc = caller_of(r, w->s, &k, &e);
    char rid[PL_DECLARE_ID_MAX + 1] = "";
    json_t *out = NULL;
    if (!rc) {
        switch (op) {
        case OP_ROUND:
            rc = pl_declare_round_add(w->s, w->l, w->rules, &k.c, r->json, rid, &e);
            if (!rc)
                rc = pl_declare_round_get(w->s, &k.c, rid, 1, &out, &e);
            break;
        case OP_DRAW:
            rc = pl_declare_draw(w->s, w->l, w->has_signer ? &w->signer : NULL, &k.c, id, &out, &e);
            break;
        case OP_CONCLUDE:
            rc = pl_declare_conclude(w->s, w->l, &k.c, id, r->json, &e);
            if (!rc)
                out = json_pack("{s:s, s:O, s:O}", "declaration_id", id, "conclusion",
                                json_object_get(r->json, "conclusion"), "reason",
                                json_object_get(r->json, "reason"));
            break;
        }
    }
    writer_unlock(r->srv);
    if (rc) {
        json_decref(out);
        return reply_module(r, rc, &e);
    }
    return reply_json(r, 201, out);
}

static int h_round_add(req *r)
{
    return write_op(r, OP_ROUND);
}
static int h_draw(req *r)
{
    return write_op(r, OP_DRAW);
}
static int h_conclude(req *r)
{
    return write_op(r, OP_CONCLUDE);
}

/* ------------------------------------------------------------------ reads */

enum rop { R_LIST, R_ONE, R_SAMPLE, R_PROOF, R_COMPARE };

static int read_op(req *r, enum rop op)
{
    const char *id = r->nparams ? r->params[0] : NULL;
    if (id && !http_id_ok(id))
        return reply_error(r, 400, "invalid_id", "id", "ids are 1-64 of A-Z a-z 0-9 _ . : -");
    pl_err e;
    pl_err_init(&e);
    caller k;
    int rc = caller_of(r, r->s, &k, &e);
    json_t *out = NULL;
    if (!rc && op == R_COMPARE) {
        int yes = 0;
        rc = decl_visible(r, id, &yes, &e);
        if (!rc && !yes)
            return reply_error(r, 404, "not_found", "id", "no such declaration in your scope");
    }
    if (!rc) {
        switch (op) {
        case R_LIST: rc = pl_declare_round_get(r->s, &k.c, NULL, 0, &out, &e); break;
        case R_ONE: rc = pl_declare_round_get(r->s, &k.c, id, 1, &out, &e); break;
        case R_SAMPLE: rc = pl_declare_sample(r->s, &k.c, id, &out, &e); break;
        case R_COMPARE: rc = pl_declare_compare(r->s, &k.c, id, &out, &e); break;
        case R_PROOF: {
            pl_ledger *l = NULL;
            rc = pl_ledger_open(&l, r->s, &e);
            if (!rc)
                rc = pl_declare_draw_verify(r->s, l, &k.c, id, &out, &e);
            pl_ledger_free(l);
            break;
        }
        }
    }
    /* The sample lists declarations: those the caller may not read
     * (outside scope, recused) are left out. */
    if (!rc && op == R_SAMPLE) {
        json_t *keep = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(out, i, x)
        {
            int yes = 0;
            if ((rc = decl_visible(r, json_string_value(json_object_get(x, "declaration_id")), &yes,
                                   &e)))
                break;
            if (yes)
                json_array_append(keep, x);
        }
        json_decref(out);
        out = keep;
    }
    if (!rc && op == R_COMPARE) {
        json_t *ids = json_pack("[s]", id);
        rc = audit_read(r, "declaration", ids);
        json_decref(ids);
    }
    if (rc) {
        json_decref(out);
        return reply_module(r, rc, &e);
    }
    if (op == R_LIST || op == R_SAMPLE)
        out = json_pack("{s:o, s:I}", "items", out, "total", (json_int_t)json_array_size(out));
    return reply_json(r, 200, out);
}

static int h_rounds(req *r)
{
    return read_op(r, R_LIST);
}
static int h_round(req *r)
{
    return read_op(r, R_ONE);
}
static int h_sample(req *r)
{
    return read_op(r, R_SAMPLE);
}
static int h_proof(req *r)
{
    return read_op(r, R_PROOF);
}
static int h_compare(req *r)
{
    return read_op(r, R_COMPARE);
}

/* The round's report (PDF or workbook): the round in the caller's scope,
 * its drawn declarations as the sample route shows them (those the caller
 * may not read are left out), docs/DECLARE.md "Round report". */
static int visible_cb(void *ctx, const char *id, int *yes, pl_err *e)
{
    return decl_visible(ctx, id, yes, e);
}

static int round_report(req *r, int as_pdf)
{
    const char *id = r->params[0];
    if (!http_id_ok(id))
        return reply_error(r, 400, "invalid_id", "id", "ids are 1-64 of A-Z a-z 0-9 _ . : -");
    int english = http_lang_arg(r);
    if (english < 0)
        return 0;
    if (as_pdf && !pl_declare_pdf_available())
        return reply_error(r, 501, "not_implemented", NULL, "this server was built without PDF");
    pl_err e;
    pl_err_init(&e);
    caller k;
    json_t *rep = NULL;
    char today[11];
    http_today(r->srv, today);
    pl_report_opts o = {.english = english, .today = today};
    int rc = caller_of(r, r->s, &k, &e);
    int txn = pl_store_exec(r->s, "BEGIN", NULL) == 0;
    if (!rc)
        rc = pl_report_round(r->s, &k.c, id, visible_cb, r, &o, &rep, &e);
    if (txn && pl_store_exec(r->s, "COMMIT", NULL) != 0)
        pl_store_exec(r->s, "ROLLBACK", NULL);
    if (rc)
        return reply_module(r, rc, &e);
    /* The ranked declarations are named with their scores: a read of
     * each, as the comparison's (DESIGN.md §8). */
    json_t *ids = json_array(), *x;
    size_t i;
    json_array_foreach(json_object_get(rep, "ranked"), i, x)
        json_array_append(ids, json_object_get(x, "declaration_id"));
    rc = json_array_size(ids) ? audit_read(r, "declaration", ids) : 0;
    json_decref(ids);
    if (rc) {
        json_decref(rep);
        return reply_status(r, rc, NULL);
    }
    pl_buf out;
    pl_buf_init(&out);
    rc =
        as_pdf ? pl_report_pdf(rep, english, &out, &e) : pl_report_xlsx_buf(rep, english, &out, &e);
    json_decref(rep);
    if (rc) {
        pl_buf_release(&out);
        return reply_status(r, rc, &e);
    }
    return as_pdf ? http_reply_bytes(r, "application/pdf", "round-report.pdf", 1, &out)
                  : http_reply_bytes(
                        r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "round-report.xlsx", 0, &out);
}

static int h_round_report_pdf(req *r)
{
    return round_report(r, 1);
}
static int h_round_report_xlsx(req *r)
{
    return round_report(r, 0);
}

static const route declare_routes[] = {
    {"GET", "/api/v1/declaration_rounds", "declaration_check:read", NULL, h_rounds,
     "Declaration check rounds whose unit is in scope", 0},
    {"POST", "/api/v1/declaration_rounds", "declaration_check:write", NULL, h_round_add,
     "Open a check round and fix its eligible list {year, unit_id, population: all|top, "
     "candidates, reason}",
     1},
    {"GET", "/api/v1/declaration_rounds/{id}", "declaration_check:read", NULL, h_round,
     "One round with its eligible list", 0},
    {"POST", "/api/v1/declaration_rounds/{id}/draw", "declaration_check:write", NULL, h_draw,
     "Draw the sample: seed = root of the first signed checkpoint after the eligible list {}", 1},
    {"GET", "/api/v1/declaration_rounds/{id}/proof", "declaration_check:read", NULL, h_proof,
     "Re-derive the draw from the ledger: match or mismatch, with the problems", 0},
    {"GET", "/api/v1/declaration_rounds/{id}/report.pdf", "declaration_check:read", NULL,
     h_round_report_pdf,
     "The round's report as a PDF: population, draw, classes, scores, ranked list, conclusions, "
     "self-corrections ?lang=",
     0},
    {"GET", "/api/v1/declaration_rounds/{id}/report.xlsx", "declaration_check:read", NULL,
     h_round_report_xlsx, "The round's report as a workbook, one sheet per breakdown ?lang=", 0},
    {"GET", "/api/v1/declaration_rounds/{id}/sample", "declaration_check:read", NULL, h_sample,
     "The drawn declarations the caller may read, ranked by comparison score", 0},
    {"GET", "/api/v1/declarations/{id}/comparison", "declaration_check:read", NULL, h_compare,
     "Item-by-item comparison of a drawn declaration: declared | registry | class, score", 0},
    {"POST", "/api/v1/declarations/{id}/conclusion", "declaration_check:write", NULL, h_conclude,
     "The officer's conclusion {conclusion: truthful|omission|concealment, reason}", 1},
};

const route *routes_declare(size_t *n)
{
    *n = sizeof declare_routes / sizeof declare_routes[0];
    return declare_routes;
}
