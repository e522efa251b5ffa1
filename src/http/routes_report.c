/*
 * routes_report.c — the printed reports over HTTP: GET
 * /api/v1/reports/findings.pdf and .xlsx (the findings and warnings report
 * for the level above, read with the reader's rights of routes_file.c);
 * the round report's routes are beside the rounds (routes_declare.c).
 * Layer: http, on src/report. Spec: docs/API.md "Reports".
 */
#include <string.h>

#include <microhttpd.h>

#include "../declare/declare.h"
#include "../report/report.h"
#include "http_int.h"

int http_reply_bytes(req *r, const char *ctype, const char *filename, int inline_, pl_buf *data)
{
    r->status = 200;
    pl_buf_reset(&r->out);
    pl_buf_add(&r->out, data->data, data->len);
    pl_buf_release(data);
    r->ctype = ctype;
    snprintf(r->extra_hdr, sizeof r->extra_hdr, "Content-Disposition");
    snprintf(r->extra_val, sizeof r->extra_val, "%s; filename=\"%.40s\"",
             inline_ ? "inline" : "attachment", filename);
    return 0;
}

int http_lang_arg(req *r)
{
    const char *lang = req_arg(r, "lang");
    if (!lang || strcmp(lang, "zh-CN") == 0 || strcmp(lang, "zh") == 0)
        return 0;
    if (strcmp(lang, "en") == 0)
        return 1;
    reply_error(r, 400, "invalid", "lang", "lang is zh-CN or en");
    return -1;
}

static enum MHD_Result unknown_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    (void)value;
    static const char *const ok[] = {"from", "to", "unit_id", "lang", NULL};
    for (const char *const *p = ok; *p; p++)
        if (strcmp(*p, key) == 0)
            return MHD_YES;
    *(const char **)cls = key;
    return MHD_NO;
}

static int report_reply(req *r, int rc, const pl_err *e)
{
    const char *msg = e && e->msg[0] ? e->msg : pl_strerror(rc);
    char buf[48];
    const char *field = http_msg_field(msg, buf);
    switch (rc) {
    case PL_EINVAL: return reply_error(r, 400, "invalid", field, msg);
    case PL_ENOTFOUND: return reply_error(r, 404, "not_found", field, msg);
    default: return reply_status(r, rc, e);
    }
}

/* The findings report: ?from=&to= (required, YYYY-MM-DD) &unit_id= &lang=. */
static int findings_report(req *r, int as_pdf)
{
    const char *bad = NULL;
    MHD_get_connection_values(r->mc, MHD_GET_ARGUMENT_KIND, unknown_arg, &bad);
    if (bad)
        return reply_error(r, 400, "unknown_filter", bad, "no such parameter");
    int english = http_lang_arg(r);
    if (english < 0)
        return 0;
    const char *from = req_arg(r, "from"), *to = req_arg(r, "to"), *unit = req_arg(r, "unit_id");
    if (!from || !*from)
        return reply_error(r, 400, "invalid", "from", "from: required (YYYY-MM-DD)");
    if (!to || !*to)
        return reply_error(r, 400, "invalid", "to", "to: required (YYYY-MM-DD)");
    if (unit && !http_id_ok(unit))
        return reply_error(r, 400, "invalid_id", "unit_id", "ids are 1-64 of A-Z a-z 0-9 _ . : -");
    if (as_pdf && !pl_declare_pdf_available())
        return reply_error(r, 501, "not_implemented", NULL, "this server was built without PDF");
    http_reader fr;
    pl_file_access acc;
    http_reader_access(r, &fr, &acc);
    pl_report_opts o = {.english = english, .today = fr.today};
    pl_err e;
    pl_err_init(&e);
    json_t *rep = NULL;
    /* One read transaction: every count and the checkpoint from one
     * snapshot of the store. */
    int txn = pl_store_exec(r->s, "BEGIN", NULL) == 0;
    int rc = pl_report_findings(r->s, &acc, from, to, unit && *unit ? unit : NULL, &o, &rep, &e);
    if (txn && pl_store_exec(r->s, "COMMIT", NULL) != 0)
        pl_store_exec(r->s, "ROLLBACK", NULL);
    if (rc)
        return report_reply(r, rc, &e);
    pl_buf out;
    pl_buf_init(&out);
    rc =
        as_pdf ? pl_report_pdf(rep, english, &out, &e) : pl_report_xlsx_buf(rep, english, &out, &e);
    json_decref(rep);
    if (rc) {
        pl_buf_release(&out);
        return reply_status(r, rc, &e);
    }
    return as_pdf ? http_reply_bytes(r, "application/pdf", "findings-report.pdf", 1, &out)
                  : http_reply_bytes(
                        r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "findings-report.xlsx", 0, &out);
}

static int h_findings_pdf(req *r)
{
    return findings_report(r, 1);
}

static int h_findings_xlsx(req *r)
{
    return findings_report(r, 0);
}

static const route report_routes[] = {
    {"GET", "/api/v1/reports/findings.pdf", "finding:read", NULL, h_findings_pdf,
     "The findings and warnings report for the level above as a PDF ?from=&to=&unit_id=&lang=", 0},
    {"GET", "/api/v1/reports/findings.xlsx", "finding:read", NULL, h_findings_xlsx,
     "The findings and warnings report for the level above as a workbook ?from=&to=&unit_id=&lang=",
     0},
};

const route *routes_report(size_t *n)
{
    *n = sizeof report_routes / sizeof report_routes[0];
    return report_routes;
}
