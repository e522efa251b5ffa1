/*
 * routes_file.c — GET /api/v1/persons/{id}/file and /file.pdf: the
 * integrity file (廉政档案) as one resource, read with the access rules of
 * each of its parts (access.c) and rendered by src/declare. Layer: http.
 * Spec: DESIGN.md §6 "Integrity file", docs/API.md "Integrity file".
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "../accounts/accounts.h"
#include "../declare/declare.h"
#include "http_int.h"

/* The reader's rights as src/declare and src/report ask for them: the
 * role's "<entity>:read", and the scope and recusal SQL of access.c for
 * the entity, over the worker's cached scope closure. */
static int fr_may_read(void *ctx, const char *entity)
{
    http_reader *fr = ctx;
    char perm[64];
    snprintf(perm, sizeof perm, "%s:read", entity);
    return pl_accounts_role_has(fr->r->who.role, perm) && pl_accounts_place_of(entity) != NULL;
}

static void fr_prefix(void *ctx, pl_buf *sql)
{
    (void)ctx;
    pl_accounts_scope_cte_cached(sql);
}

static void fr_where(void *ctx, const char *entity, pl_buf *sql)
{
    http_reader *fr = ctx;
    const pl_accounts_place *sp = pl_accounts_place_of(entity);
    if (!sp) { /* fail closed: an unknown kind of record is not shown */
        pl_buf_adds(sql, " AND FALSE");
        return;
    }
    pl_accounts_scope_where(sql, sp, fr->mode, PL_ACCOUNTS_SCOPE_SET, 1);
}

static int fr_bind(void *ctx, pl_stmt *st)
{
    http_reader *fr = ctx;
    return pl_accounts_scope_bind_cached(fr->r->s, st, fr->r->who.uid, fr->mode, fr->today, NULL);
}

void http_reader_access(req *r, http_reader *fr, pl_file_access *acc)
{
    *fr = (http_reader){.r = r, .mode = pl_accounts_role_scope(r->who.role)};
    http_today(r->srv, fr->today);
    *acc = (pl_file_access){.ctx = fr,
                            .may_read = fr_may_read,
                            .prefix = fr_prefix,
                            .where = fr_where,
                            .bind = fr_bind};
}

/* The ids of `section`'s rows (and of `sub` rows inside them) into ids. */
static void ids_of(const json_t *file, const char *section, const char *sub, json_t *ids)
{
    size_t i, j;
    json_t *x, *y;
    json_array_foreach(json_object_get(file, section), i, x)
    {
        if (!sub)
            json_array_append(ids, json_object_get(x, "id"));
        else
            json_array_foreach(json_object_get(x, sub), j, y)
                json_array_append(ids, json_object_get(y, "id"));
    }
}

static int audit_file(req *r, const json_t *file)
{
    static const struct {
        const char *entity, *section, *sub;
    } audited[] = {{"declaration", "declarations", NULL},
                   {"declaration_item", "declarations", "items"},
                   {"clue", "clues", NULL}};
    int rc = 0;
    for (size_t k = 0; k < sizeof audited / sizeof audited[0] && !rc; k++) {
        json_t *ids = json_array();
        ids_of(file, audited[k].section, audited[k].sub, ids);
        rc = audit_read(r, audited[k].entity, ids);
        json_decref(ids);
    }
    return rc;
}

/* May the reader see the person's risk (the "risk" kind: the person as a
 * recusal-bound subject, as GET /api/v1/risk shows them)? */
static int risk_visible(http_reader *fr, const char *pid)
{
    if (!pl_accounts_role_has(fr->r->who.role, "risk:read"))
        return 0;
    pl_buf sql;
    pl_buf_init(&sql);
    fr_prefix(fr, &sql);
    pl_buf_adds(&sql, "SELECT t.id FROM persons t WHERE TRUE");
    fr_where(fr, "risk", &sql);
    pl_buf_adds(&sql, " AND t.id=?");
    pl_stmt *st = NULL;
    int ok = 0;
    if (pl_store_prepare_cached(fr->r->s, sql.data, &st, NULL) == 0) {
        int k = fr_bind(fr, st);
        if (k > 0) {
            pl_stmt_bind_text(st, k, pid);
            ok = pl_stmt_step(st, NULL) == PL_ROW;
        }
        pl_stmt_reset(st);
    }
    pl_buf_release(&sql);
    return ok;
}

/* Largest contribution first, then by finding id: one order on both
 * engines (the engine reads the findings in no particular order). */
static int cmp_part(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    json_int_t cx = json_integer_value(json_object_get(x, "contribution_x100"));
    json_int_t cy = json_integer_value(json_object_get(y, "contribution_x100"));
    if (cx != cy)
        return cx < cy ? 1 : -1;
    const char *fx = json_string_value(json_object_get(x, "finding"));
    const char *fy = json_string_value(json_object_get(y, "finding"));
    return strcmp(fx ? fx : "", fy ? fy : "");
}

static json_t *sorted_parts(json_t *parts)
{
    size_t n = json_array_size(parts);
    json_t **v = pl_malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(parts, i);
    qsort(v, n, sizeof *v, cmp_part);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(out, v[i]);
    free(v);
    json_decref(parts);
    return out;
}

/* The file's `risk` (issue #16 item 6): the person's risk index as a top
 * leader with its breakdown, from the rules engine's own computation
 * (pl_rules_risk, the code GET /api/v1/risk and the sweep's warnings use),
 * each part labelled and marked with the file section that holds its
 * finding (`about`: person or unit; null when the file does not list it).
 * No key when the reader may not see the person's risk; {index_x100: 0,
 * grade: "none", breakdown: []} when the person is not a top leader today
 * or has no counted finding. docs/RULES.md "Risk index breakdown". */
static int file_risk(req *r, http_reader *fr, const char *pid, int english, json_t *file)
{
    if (!risk_visible(fr, pid))
        return 0;
    pl_err e;
    pl_err_init(&e);
    pl_buf out;
    pl_buf_init(&out);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return PL_ESTORE;
    int rc = pl_rules_risk(w->rules, NULL, 0, &out, &e);
    writer_unlock(r->srv);
    if (rc) {
        pl_buf_release(&out);
        return rc;
    }
    json_t *all = json_loadb(out.data, out.len, 0, NULL);
    pl_buf_release(&out);
    json_t *mine = NULL;
    size_t i, j;
    json_t *it, *f;
    json_array_foreach(all, i, it)
    {
        const char *who = json_string_value(json_object_get(it, "person"));
        if (who && strcmp(who, pid) == 0)
            mine = it;
    }
    json_int_t index = mine ? json_integer_value(json_object_get(mine, "index_x100")) : 0;
    const char *grade = mine ? json_string_value(json_object_get(mine, "grade")) : "none";
    json_t *parts = json_array();
    json_int_t sum = 0;
    json_array_foreach(mine ? json_object_get(mine, "breakdown") : NULL, i, it)
    {
        json_t *p = json_deep_copy(it);
        const char *fid = json_string_value(json_object_get(it, "finding"));
        json_object_set_new(p, "rule_label",
                            json_string(pl_declare_label(
                                "rule", json_string_value(json_object_get(it, "rule")), english)));
        json_object_set_new(
            p, "severity_label",
            json_string(pl_declare_label(
                "severity", json_string_value(json_object_get(it, "severity")), english)));
        json_t *about = json_null();
        json_array_foreach(json_object_get(file, "findings"), j, f)
        {
            const char *id = json_string_value(json_object_get(f, "id"));
            if (fid && id && strcmp(id, fid) == 0) {
                json_decref(about);
                about = json_incref(json_object_get(f, "about"));
            }
        }
        json_object_set_new(p, "about", about);
        sum += json_integer_value(json_object_get(it, "contribution_x100"));
        json_array_append_new(parts, p);
    }
    /* The index is the exact sum rounded once; each part is rounded on its
     * own: the difference is stated, so that the parts add up. */
    if (!grade ||
        (strcmp(grade, "blue") != 0 && strcmp(grade, "yellow") != 0 && strcmp(grade, "red") != 0))
        grade = "none";
    const char *glabel = strcmp(grade, "none") != 0 ? pl_declare_label("grade", grade, english)
                         : english                  ? "below the warning grades"
                                                    : "未达预警";
    json_t *risk =
        json_pack("{s:I,s:s,s:s,s:o,s:I}", "index_x100", index, "grade", grade, "grade_label",
                  glabel, "breakdown", sorted_parts(parts), "rounding_x100", index - sum);
    json_decref(all);
    json_object_set_new(file, "risk", risk);
    return 0;
}

static int serve_file(req *r, int as_pdf)
{
    const char *id = r->params[0];
    if (!http_id_ok(id))
        return reply_error(r, 400, "invalid_id", "id", "ids are 1-64 of A-Z a-z 0-9 _ . : -");
    const char *lang = req_arg(r, "lang");
    int english = 0;
    if (lang && strcmp(lang, "en") == 0)
        english = 1;
    else if (lang && strcmp(lang, "zh-CN") != 0 && strcmp(lang, "zh") != 0)
        return reply_error(r, 400, "invalid", "lang", "lang is zh-CN or en");
    if (!as_pdf) {
        const char *acc = MHD_lookup_connection_value(r->mc, MHD_HEADER_KIND, "Accept");
        as_pdf = acc && strstr(acc, "application/pdf") != NULL;
    }
    if (as_pdf && !pl_declare_pdf_available())
        return reply_error(r, 501, "not_implemented", NULL, "this server was built without PDF");

    http_reader fr;
    pl_file_access acc;
    http_reader_access(r, &fr, &acc);
    pl_file_opts o = {.english = english, .today = fr.today};
    pl_err e;
    pl_err_init(&e);
    json_t *file = NULL;
    /* One read transaction: every section and the checkpoint from one
     * snapshot of the store. */
    int txn = pl_store_exec(r->s, "BEGIN", NULL) == 0;
    int rc = pl_declare_file(r->s, id, &acc, &o, &file, &e);
    if (txn && pl_store_exec(r->s, "COMMIT", NULL) != 0)
        pl_store_exec(r->s, "ROLLBACK", NULL);
    if (rc == PL_ENOTFOUND)
        return reply_error(r, 404, "not_found", "id", "not found");
    if (rc)
        return reply_status(r, rc, &e);
    rc = file_risk(r, &fr, id, english, file);
    if (!rc)
        rc = audit_file(r, file);
    if (rc) {
        json_decref(file);
        return reply_status(r, rc, NULL);
    }
    if (!as_pdf)
        return reply_json(r, 200, file);
    pl_buf pdf;
    pl_buf_init(&pdf);
    rc = pl_declare_file_pdf(file, english, &pdf, &e);
    json_decref(file);
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
    snprintf(r->extra_val, sizeof r->extra_val, "inline; filename=\"integrity-file.pdf\"");
    return 0;
}

static int h_person_file(req *r)
{
    return serve_file(r, 0);
}

static int h_person_file_pdf(req *r)
{
    return serve_file(r, 1);
}

static const route file_routes[] = {
    {"GET", "/api/v1/persons/{id}/file", "person:read", NULL, h_person_file,
     "The integrity file of a person: every part the caller may read (Accept: application/pdf "
     "for the PDF)",
     0},
    {"GET", "/api/v1/persons/{id}/file.pdf", "person:read", NULL, h_person_file_pdf,
     "The integrity file of a person as a PDF (A4, checkpoint in the footer)", 0},
};

const route *routes_file(size_t *n)
{
    *n = sizeof file_routes / sizeof file_routes[0];
    return file_routes;
}
