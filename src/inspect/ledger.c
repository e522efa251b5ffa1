/*
 * ledger.c — the rectification ledger (整改台账, docs/INSPECT.md §7): one
 * row per rectification task in the layout inspection offices use (序号,
 * 问题, 被巡察单位, 整改措施, 责任领导, 整改时限, 状态, 进展, 佐证材料数),
 * as JSON rows and as an Excel workbook (libxlsxwriter). The rows are
 * exactly pl_inspect_list's tasks for the caller (scope and recusal as
 * the JSON list, which also gives the names and the problem's words),
 * with the labels in the language asked for. Layer: inspect.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <xlsxwriter.h>

#include "inspect.h"
#include "inspect_int.h"

/* A task's status in words: code, zh, en. */
static const struct {
    const char *code, *zh, *en;
} statuses[] = {
    {"open", "待整改", "open"},
    {"in_progress", "整改中", "in progress"},
    {"sent_back", "退回", "sent back"},
    {"signed_off", "已销号", "signed off"},
    {"reopened", "回头看重新整改", "re-opened (re-inspection)"},
    {NULL, NULL, NULL},
};

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* "用财：description" from the list's problem_category and
 * problem_description. */
static void problem_text(json_t *o, int english)
{
    const char *cat = jstr(o, "problem_category"), *desc = jstr(o, "problem_description");
    const char *label = NULL;
    if (cat && strcmp(cat, "criticism") == 0)
        label = english ? "democratic life meeting criticism" : "民主生活会批评意见";
    for (const pl_inspect_category *k = pl_inspect_categories(); !label && cat && k->code; k++)
        if (strcmp(k->code, cat) == 0)
            label = english ? k->label_en : k->label_zh;
    size_t n = strlen(label ? label : "") + strlen(desc ? desc : "") + 8;
    char *text = pl_malloc(n);
    snprintf(text, n, "%s%s%s", label ? label : "", label ? (english ? ": " : "：") : "",
             desc ? desc : "");
    json_object_set_new(o, "problem_text", json_string(text));
    free(text);
}

static void status_text(const json_t *o, int english, char *out, size_t n)
{
    const char *st = jstr(o, "status");
    const char *label = st;
    for (size_t i = 0; statuses[i].code; i++)
        if (st && strcmp(statuses[i].code, st) == 0)
            label = english ? statuses[i].en : statuses[i].zh;
    snprintf(
        out, n, "%s%s%s", label ? label : "",
        jstr(o, "pending_signoff") ? (english ? " (sign-off awaiting approval)" : "（销号待审批）")
                                   : "",
        json_is_true(json_object_get(o, "overdue")) ? (english ? " (overdue)" : "（逾期）") : "");
}

int pl_inspect_ledger(pl_store *s, const pl_inspect_caller *c, const pl_inspect_filter *f,
                      int english, json_t **out, int64_t *total, pl_err *e)
{
    *out = NULL;
    json_t *a = NULL;
    int rc = pl_inspect_list(s, c, PL_INSPECT_TASK, f, &a, total, e);
    if (rc)
        return rc;
    size_t i;
    json_t *o;
    json_array_foreach(a, i, o)
    {
        problem_text(o, english);
        char st[160];
        status_text(o, english, st, sizeof st);
        json_object_set_new(o, "status_text", json_string(st));
    }
    *out = a;
    return 0;
}

int pl_inspect_ledger_xlsx(pl_store *s, const pl_inspect_caller *c, const pl_inspect_filter *f,
                           int english, const char *path, int64_t *nrows, pl_err *e)
{
    pl_inspect_filter all = *f;
    all.limit = 0;
    all.offset = 0;
    json_t *rows = NULL;
    int rc = pl_inspect_ledger(s, c, &all, english, &rows, NULL, e);
    if (rc)
        return rc;
    static const char *const head_zh[] = {"序号",     "问题", "被巡察单位", "整改措施",  "责任领导",
                                          "整改时限", "状态", "进展",       "佐证材料数"};
    static const char *const head_en[] = {
        "No.",      "Problem", "Unit inspected", "Measures",      "Responsible leader",
        "Deadline", "Status",  "Progress",       "Evidence items"};
    static const double widths[] = {6, 48, 24, 40, 12, 12, 16, 40, 10};
    lxw_workbook *wb = workbook_new(path);
    if (!wb) {
        json_decref(rows);
        return pl_err_set(e, PL_EIO, "%s: cannot create the workbook", path);
    }
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_text_wrap(bold);
    lxw_format *wrap = workbook_add_format(wb);
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
    lxw_worksheet *ws = workbook_add_worksheet(wb, english ? "Rectification ledger" : "整改台账");
    for (lxw_col_t k = 0; k < 9; k++) {
        worksheet_write_string(ws, 0, k, english ? head_en[k] : head_zh[k], bold);
        worksheet_set_column(ws, k, k, widths[k], NULL);
    }
    worksheet_freeze_panes(ws, 1, 0);
    size_t i;
    json_t *o;
    json_array_foreach(rows, i, o)
    {
        lxw_row_t r = (lxw_row_t)(i + 1);
        const char *progress = jstr(o, "latest_progress");
        worksheet_write_number(ws, r, 0, (double)(i + 1), wrap);
        worksheet_write_string(ws, r, 1, jstr(o, "problem_text"), wrap);
        worksheet_write_string(ws, r, 2, jstr(o, "unit_name") ? jstr(o, "unit_name") : "", wrap);
        worksheet_write_string(ws, r, 3, jstr(o, "measures"), wrap);
        worksheet_write_string(
            ws, r, 4, jstr(o, "responsible_name") ? jstr(o, "responsible_name") : "", wrap);
        worksheet_write_string(ws, r, 5, jstr(o, "deadline"), wrap);
        worksheet_write_string(ws, r, 6, jstr(o, "status_text"), wrap);
        worksheet_write_string(ws, r, 7, progress ? progress : "", wrap);
        worksheet_write_number(
            ws, r, 8, (double)json_integer_value(json_object_get(o, "evidence_count")), wrap);
    }
    if (nrows)
        *nrows = (int64_t)json_array_size(rows);
    json_decref(rows);
    lxw_error err = workbook_close(wb);
    if (err != LXW_NO_ERROR)
        return pl_err_set(e, PL_EIO, "%s: %s", path, lxw_strerror(err));
    return 0;
}
