/*
 * routes_opinion.c — integrity opinions (廉政意见回复) over HTTP:
 * /api/v1/opinion_slates (a slate of appointment candidates, its opinions,
 * its PDF) and /api/v1/opinions/{id} (one opinion, .pdf, amend, issue).
 * Layer: http, on src/declare/opinion.h: the library decides scope (the
 * slate's unit, the candidates' placement) and state; this file adds the
 * reader's recusal from each candidate (src/accounts, as GET
 * /api/v1/persons/{id}) and maps the answers (400 naming the field, 422
 * for a step the state refuses, 404 outside scope or recused).
 * Spec: docs/API.md "Integrity opinions", docs/DECLARE.md "Integrity opinion".
 */
#include <string.h>

#include <microhttpd.h>

#include "../accounts/accounts.h"
#include "../declare/declare.h"
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

static int lang_of(req *r, int *en)
{
    const char *lang = req_arg(r, "lang");
    *en = lang && strcmp(lang, "en") == 0;
    return !lang || *en || strcmp(lang, "zh-CN") == 0 || strcmp(lang, "zh") == 0;
}

/* May the caller read an opinion about person `id`: the person placed in
 * their scope and the caller not recused from them (the person as a
 * recusal-bound subject, "risk" in src/accounts: an opinion states clues,
 * sanctions and declaration conclusions, as the integrity file does)? */
static int person_visible(req *r, const char *id, int *yes, pl_err *e)
{
    *yes = 0;
    const pl_accounts_place *sp = pl_accounts_place_of("risk");
    if (!sp || !id)
        return 0;
    char today[11];
    http_today(r->srv, today);
    int mode = pl_accounts_role_scope(r->who.role);
    pl_buf sql;
    pl_buf_init(&sql);
    pl_accounts_scope_cte_cached(&sql);
    pl_buf_adds(&sql, " SELECT count(*) FROM persons t WHERE t.id=?");
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

/* The slate's opinions about persons the caller may read, as "items". */
static int slate_visible(req *r, json_t *slate, pl_err *e)
{
    json_t *keep = json_array();
    size_t i;
    json_t *x;
    int rc = 0;
    json_array_foreach(json_object_get(slate, "opinions"), i, x)
    {
        int yes = 0;
        if ((rc = person_visible(r, json_string_value(json_object_get(x, "person_id")), &yes, e)))
            break;
        if (yes)
            json_array_append(keep, x);
    }
    json_object_del(slate, "opinions");
    json_object_set_new(slate, "total", json_integer((json_int_t)json_array_size(keep)));
    json_object_set_new(slate, "items", keep);
    return rc;
}

static int reply_pdf(req *r, json_t *obj, int en, const char *name)
{
    if (!pl_declare_pdf_available()) {
        json_decref(obj);
        return reply_error(r, 501, "not_implemented", NULL, "this server was built without PDF");
    }
    /* the PDF's text reads "opinions" (the slate) */
    json_t *items = json_object_get(obj, "items");
    if (items)
        json_object_set(obj, "opinions", items);
    pl_err e;
    pl_err_init(&e);
    pl_buf pdf;
    pl_buf_init(&pdf);
    int rc = pl_opinion_pdf(r->s, obj, en, &pdf, &e);
    json_decref(obj);
    if (rc) {
        pl_buf_release(&pdf);
        return reply_status(r, rc, &e);
    }
    r->status = 200;
    pl_buf_reset(&r->out);
    pl_buf_add(&r->out, pdf.data, pdf.len);
    pl_buf_release(&pdf);
    r->ctype = "application/pdf";
    snprintf(r->extra_hdr, sizeof r->extra_hdr, "Content-Disposition");
    snprintf(r->extra_val, sizeof r->extra_val, "inline; filename=\"%s\"", name);
    return 0;
}

/* ------------------------------------------------------------------ reads */

static int h_slates(req *r)
{
    int en;
    if (!lang_of(r, &en))
        return reply_error(r, 400, "invalid", "lang", "lang is zh-CN or en");
    pl_err e;
    pl_err_init(&e);
    caller k;
    json_t *out = NULL;
    int rc = caller_of(r, r->s, &k, &e);
    if (!rc)
        rc = pl_opinion_slate_get(r->s, &k.c, NULL, en, &out, &e);
    if (rc)
        return reply_module(r, rc, &e);
    return reply_json(
        r, 200, json_pack("{s:o, s:I}", "items", out, "total", (json_int_t)json_array_size(out)));
}

static int slate_one(req *r, int pdf)
{
    const char *id = r->params[0];
    if (!http_id_ok(id))
        return reply_error(r, 400, "invalid_id", "id", "ids are 1-64 of A-Z a-z 0-9 _ . : -");
    int en;
    if (!lang_of(r, &en))
        return reply_error(r, 400, "invalid", "lang", "lang is zh-CN or en");
    pl_err e;
    pl_err_init(&e);
    caller k;
    json_t *out = NULL;
    int rc = caller_of(r, r->s, &k, &e);
    if (!rc)
        rc = pl_opinion_slate_get(r->s, &k.c, id, en, &out, &e);
    if (!rc)
        rc = slate_visible(r, out, &e);
    if (rc) {
        json_decref(out);
        return reply_module(r, rc, &e);
    }
    if (pdf)
        return reply_pdf(r, out, en, "integrity-opinions.pdf");
    return reply_json(r, 200, out);
}

static int h_slate(req *r)
{
    return slate_one(r, 0);
}

static int h_slate_pdf(req *r)
{
    return slate_one(r, 1);
}

/* The opinion of the path ({id} or {id}.pdf) if the caller may read it:
 * its slate in scope, its person readable (else 404). */
static int opinion_of(req *r, const char *id, int en, json_t **out, pl_err *e)
{
    caller k;
    int rc = caller_of(r, r->s, &k, e);
    if (!rc)
        rc = pl_opinion_get(r->s, &k.c, id, en, out, e);
    if (rc)
        return rc;
    int yes = 0;
    rc = person_visible(r, json_string_value(json_object_get(*out, "person_id")), &yes, e);
    if (!rc && !yes)
        rc = pl_err_set(e, PL_ENOTFOUND, "id: no integrity opinion '%s' in your scope", id);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static int h_opinion(req *r)
{
    char id[80];
    snprintf(id, sizeof id, "%s", r->params[0]);
    size_t n = strlen(id);
    int pdf = n > 4 && strcmp(id + n - 4, ".pdf") == 0;
    if (pdf)
        id[n - 4] = 0;
    if (!http_id_ok(id))
        return reply_error(r, 400, "invalid_id", "id", "ids are 1-64 of A-Z a-z 0-9 _ . : -");
    int en;
    if (!lang_of(r, &en))
        return reply_error(r, 400, "invalid", "lang", "lang is zh-CN or en");
    pl_err e;
    pl_err_init(&e);
    json_t *out = NULL;
    int rc = opinion_of(r, id, en, &out, &e);
    if (rc)
        return reply_module(r, rc, &e);
    if (pdf)
        return reply_pdf(r, out, en, "integrity-opinion.pdf");
    return reply_json(r, 200, out);
}

/* ----------------------------------------------------------------- writes */

enum op { OP_SLATE, OP_AMEND, OP_ISSUE };

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
    if (op == OP_SLATE) {
        /* every candidate readable by the caller (scope, recusal): else 404
         * naming candidates, nothing written */
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(r->json, "candidates"), i, x)
        {
            if (!json_is_string(x))
                continue; /* refused by the library, naming candidates */
            int yes = 0;
            int rc = person_visible(r, json_string_value(x), &yes, &e);
            if (rc)
                return reply_status(r, rc, &e);
            if (!yes)
                return reply_error(r, 404, "not_found", "candidates",
                                   "candidates: a person outside your scope or not found");
        }
    } else {
        json_t *o = NULL;
        int rc = opinion_of(r, id, 0, &o, &e);
        json_decref(o);
        if (rc)
            return reply_module(r, rc, &e);
    }
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    caller k;
    int rc = caller_of(r, w->s, &k, &e);
    char sid[PL_DECLARE_ID_MAX + 1] = "";
    if (!rc) {
        switch (op) {
        case OP_SLATE:
            rc = pl_opinion_slate_add(w->s, w->l, w->rules, &k.c, r->json, sid, &e);
            break;
        case OP_AMEND: rc = pl_opinion_amend(w->s, w->l, &k.c, id, r->json, &e); break;
        case OP_ISSUE: rc = pl_opinion_issue(w->s, w->l, &k.c, id, r->json, &e); break;
        }
    }
    writer_unlock(r->srv);
    if (rc)
        return reply_module(r, rc, &e);
    json_t *out = NULL;
    if (op == OP_SLATE) {
        rc = caller_of(r, r->s, &k, &e);
        if (!rc)
            rc = pl_opinion_slate_get(r->s, &k.c, sid, 0, &out, &e);
        if (!rc)
            rc = slate_visible(r, out, &e);
    } else {
        rc = opinion_of(r, id, 0, &out, &e);
    }
    if (rc) {
        json_decref(out);
        return reply_module(r, rc, &e);
    }
    return reply_json(r, op == OP_SLATE ? 201 : 200, out);
}

static int h_slate_add(req *r)
{
    return write_op(r, OP_SLATE);
}
static int h_amend(req *r)
{
    return write_op(r, OP_AMEND);
}
static int h_issue(req *r)
{
    return write_op(r, OP_ISSUE);
}

static const route opinion_routes[] = {
    {"GET", "/api/v1/opinion_slates", "opinion:read", NULL, h_slates,
     "Slates of appointment candidates whose unit is in scope", 0},
    {"POST", "/api/v1/opinion_slates", "opinion:write", NULL, h_slate_add,
     "Open a slate and propose each candidate's integrity opinion {name, unit_id, candidates}", 1},
    {"GET", "/api/v1/opinion_slates/{id}", "opinion:read", NULL, h_slate,
     "One slate with the opinions (items) about the candidates the caller may read", 0},
    {"GET", "/api/v1/opinion_slates/{id}/opinions.pdf", "opinion:read", NULL, h_slate_pdf,
     "The slate's opinions as a PDF (A4, checkpoint in the footer)", 0},
    {"GET", "/api/v1/opinions/{id}", "opinion:read", NULL, h_opinion,
     "One integrity opinion with its issue history ({id}.pdf: as a PDF)", 0},
    {"POST", "/api/v1/opinions/{id}/amend", "opinion:write", NULL, h_amend,
     "Amend the opinion {opinion: no_objection|defer|not_promoted, reason} (reason required when "
     "it differs from the proposal)",
     1},
    {"POST", "/api/v1/opinions/{id}/issue", "opinion:write", NULL, h_issue,
     "Issue (sign) the opinion into the ledger {}; a re-issue supersedes the previous one", 1},
};

const route *routes_opinion(size_t *n)
{
    *n = sizeof opinion_routes / sizeof opinion_routes[0];
    return opinion_routes;
}
