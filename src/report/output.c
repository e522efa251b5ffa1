/*
 * output.c — the reports as printed pages and workbooks: each report
 * (findings.c, round.c) is first laid out as a list of tables (a title,
 * headers, rows of text, counts and money in 元), which the PDF (pdf.h:
 * headings, tables, a bar chart of the months) and the XLSX writer
 * (libxlsxwriter: one sheet per table, headers bold and frozen, numbers as
 * numbers) both draw. Layer: report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "pdf.h"
#include "report.h"
#include "report_int.h"

#define T(zh, en) (en_ ? (en) : (zh))

static const char *js(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static json_int_t ji(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* Money cell: 元 as a JSON real (fen / 100; exact for |fen| < 2^53). */
static json_t *yuan(json_int_t fen)
{
    return json_real((double)fen / 100.0);
}

/* A table: {sheet, title, head: [..], widths: [..], rows: [[cell..]]}. */
static json_t *table(json_t *tables, const char *sheet, const char *title)
{
    json_t *t = json_pack("{s:s, s:s, s:[], s:[], s:[]}", "sheet", sheet, "title", title, "head",
                          "widths", "rows");
    json_array_append_new(tables, t);
    return t;
}

static void col(json_t *t, const char *name, double width)
{
    json_array_append_new(json_object_get(t, "head"), json_string(name));
    json_array_append_new(json_object_get(t, "widths"), json_real(width));
}

static json_t *row(json_t *t)
{
    json_t *r = json_array();
    json_array_append_new(json_object_get(t, "rows"), r);
    return r;
}

static void kv(json_t *t, const char *k, json_t *v)
{
    json_t *r = row(t);
    json_array_append_new(r, json_string(k));
    json_array_append_new(r, v);
}

static json_t *checkpoint_text(const json_t *rep, int en_)
{
    const json_t *cp = json_object_get(rep, "checkpoint");
    if (!json_is_object(cp))
        return json_string(T("尚未签署检查点", "none signed yet"));
    char b[256];
    snprintf(b, sizeof b, "%s · %s %lld · %s %s", js(cp, "origin"), T("树大小", "size"),
             (long long)ji(cp, "size"), T("根哈希", "root"), js(cp, "root_hash"));
    return json_string(b);
}

/* ------------------------------------------------------- findings */

static void count_cols(json_t *t, int en_)
{
    col(t, T("发现数", "Findings"), 9);
    col(t, T("未处理", "Open"), 8);
    col(t, T("已处理", "Closed"), 8);
    col(t, T("高", "High"), 6);
    col(t, T("中", "Medium"), 7);
    col(t, T("低", "Low"), 6);
    col(t, T("涉及金额（元）", "Amount (yuan)"), 16);
}

static void count_cells(json_t *r, const json_t *o)
{
    json_array_append_new(r, json_integer(ji(o, "findings")));
    json_array_append_new(r, json_integer(ji(o, "open")));
    json_array_append_new(r, json_integer(ji(o, "closed")));
    json_array_append_new(r, json_integer(ji(o, "high")));
    json_array_append_new(r, json_integer(ji(o, "medium")));
    json_array_append_new(r, json_integer(ji(o, "low")));
    json_array_append_new(r, yuan(ji(o, "amount_fen")));
}

static json_t *findings_tables(const json_t *rep, int en_)
{
    json_t *ts = json_array(), *t, *r, *x;
    size_t i;
    const json_t *tot = json_object_get(rep, "totals"), *w = json_object_get(rep, "warnings"),
                 *tk = json_object_get(rep, "tasks"), *unit = json_object_get(rep, "unit");
    char period[32];
    snprintf(period, sizeof period, "%s — %s", js(rep, "from"), js(rep, "to"));

    t = table(ts, T("概况", "Summary"), T("概况", "Summary"));
    col(t, T("项目", "Item"), 30);
    col(t, T("数值", "Value"), 60);
    kv(t, T("报告期间（事实日期）", "Period (date of the facts)"), json_string(period));
    kv(t, T("范围", "Scope"),
       json_string(json_is_object(unit) ? js(unit, "name")
                                        : T("管辖范围内全部单位", "every unit in scope")));
    kv(t, T("制表日期", "Drawn on"), json_string(js(rep, "drawn_on")));
    kv(t, T("所依据的检查点", "Drawn from checkpoint"), checkpoint_text(rep, en_));
    kv(t, T("预警发现", "Findings"), json_integer(ji(tot, "findings")));
    kv(t, T("其中未处理", "of which open"), json_integer(ji(tot, "open")));
    kv(t, T("其中已处理", "of which closed"), json_integer(ji(tot, "closed")));
    kv(t, T("涉及金额（元）", "Amount involved (yuan)"), yuan(ji(tot, "amount_fen")));
    kv(t, T("风险预警", "Warnings"), json_integer(ji(w, "total")));
    kv(t, T("其中未关闭", "of which open"), json_integer(ji(w, "open")));
    kv(t, T("其中已关闭", "of which closed"), json_integer(ji(w, "closed")));
    kv(t, T("预警任务", "Warning tasks"), json_integer(ji(tk, "total")));
    kv(t, T("其中未办结", "of which open"), json_integer(ji(tk, "open")));
    kv(t, T("其中已办结", "of which closed"), json_integer(ji(tk, "closed")));
    kv(t, T("其中逾期", "of which overdue"), json_integer(ji(tk, "overdue")));

    t = table(ts, T("按单位", "By unit"), T("按单位统计", "Findings by unit"));
    col(t, T("单位", "Unit"), 28);
    count_cols(t, en_);
    json_array_foreach(json_object_get(rep, "by_unit"), i, x)
    {
        r = row(t);
        json_array_append_new(r, json_string(js(x, "unit_name")));
        count_cells(r, x);
    }

    t = table(ts, T("按规则", "By rule"), T("按规则统计", "Findings by rule"));
    col(t, T("规则", "Rule"), 7);
    col(t, T("规则名称", "Rule name"), 26);
    count_cols(t, en_);
    json_array_foreach(json_object_get(rep, "by_rule"), i, x)
    {
        r = row(t);
        json_array_append_new(r, json_string(js(x, "rule")));
        json_array_append_new(r, json_string(js(x, "rule_name")));
        count_cells(r, x);
    }

    t = table(ts, T("按严重程度", "By severity"), T("按严重程度统计", "Findings by severity"));
    col(t, T("严重程度", "Severity"), 12);
    col(t, T("发现数", "Findings"), 9);
    col(t, T("未处理", "Open"), 8);
    col(t, T("已处理", "Closed"), 8);
    col(t, T("涉及金额（元）", "Amount (yuan)"), 16);
    json_array_foreach(json_object_get(rep, "by_severity"), i, x)
    {
        r = row(t);
        json_array_append_new(r, json_string(js(x, "severity_label")));
        json_array_append_new(r, json_integer(ji(x, "findings")));
        json_array_append_new(r, json_integer(ji(x, "open")));
        json_array_append_new(r, json_integer(ji(x, "closed")));
        json_array_append_new(r, yuan(ji(x, "amount_fen")));
    }

    t = table(ts, T("按月趋势", "By month"),
              T("按月趋势（事实发生月份）", "Trend by month (of the facts)"));
    json_object_set_new(t, "chart", json_true());
    col(t, T("月份", "Month"), 10);
    col(t, T("发现数", "Findings"), 9);
    json_array_foreach(json_object_get(rep, "by_month"), i, x)
    {
        r = row(t);
        json_array_append_new(r, json_string(js(x, "month")));
        json_array_append_new(r, json_integer(ji(x, "findings")));
    }

    t = table(ts, T("重点单位", "Top units"), T("风险较高的单位", "Top units by risk"));
    col(t, T("序号", "No."), 5);
    col(t, T("单位", "Unit"), 28);
    col(t, T("高", "High"), 6);
    col(t, T("发现数", "Findings"), 9);
    col(t, T("未处理", "Open"), 8);
    json_array_foreach(json_object_get(rep, "top_units"), i, x)
    {
        r = row(t);
        json_array_append_new(r, json_integer((json_int_t)i + 1));
        json_array_append_new(r, json_string(js(x, "unit_name")));
        json_array_append_new(r, json_integer(ji(x, "high")));
        json_array_append_new(r, json_integer(ji(x, "findings")));
        json_array_append_new(r, json_integer(ji(x, "open")));
    }

    t = table(ts, T("重点干部", "Top leaders"), T("风险指数较高的一把手", "Top leaders by risk"));
    col(t, T("序号", "No."), 5);
    col(t, T("姓名", "Name"), 10);
    col(t, T("公民身份号码", "ID number"), 20);
    col(t, T("风险指数", "Risk index"), 10);
    col(t, T("预警等级", "Grade"), 9);
    col(t, T("状态", "Status"), 8);
    col(t, T("期间预警次数", "Warnings in period"), 10);
    json_array_foreach(json_object_get(rep, "top_leaders"), i, x)
    {
        r = row(t);
        json_array_append_new(r, json_integer((json_int_t)i + 1));
        json_array_append_new(r, json_string(js(x, "name")));
        json_array_append_new(r, json_string(js(x, "person_id")));
        json_array_append_new(r, json_real((double)ji(x, "index_x100") / 100.0));
        json_array_append_new(r, json_string(js(x, "grade_label")));
        json_array_append_new(r, json_string(js(x, "status_label")));
        json_array_append_new(r, json_integer(ji(x, "warnings")));
    }

    t = table(ts, T("预警与任务", "Warnings and tasks"),
              T("风险预警及任务", "Warnings and their tasks"));
    col(t, T("类别", "Kind"), 14);
    col(t, T("项目", "Item"), 14);
    col(t, T("未关闭/未办结", "Open"), 12);
    col(t, T("已关闭/已办结", "Closed"), 12);
    json_array_foreach(json_object_get(w, "by_grade"), i, x)
    {
        r = row(t);
        json_array_append_new(r, json_string(T("预警", "warning")));
        json_array_append_new(r, json_string(js(x, "grade_label")));
        json_array_append_new(r, json_integer(ji(x, "open")));
        json_array_append_new(r, json_integer(ji(x, "closed")));
    }
    json_array_foreach(json_object_get(tk, "by_status"), i, x)
    {
        r = row(t);
        int closed = !strcmp(js(x, "status"), "closed") || !strcmp(js(x, "status"), "done");
        json_array_append_new(r, json_string(T("任务", "task")));
        json_array_append_new(r, json_string(js(x, "status_label")));
        json_array_append_new(r, json_integer(closed ? 0 : ji(x, "tasks")));
        json_array_append_new(r, json_integer(closed ? ji(x, "tasks") : 0));
    }
    return ts;
}

/* ---------------------------------------------------------- round */

static const struct {
    const char *code, *zh, *en;
} classes[] = {{"match", "一致", "matches"},
               {"tolerance", "容差内", "within tolerance"},
               {"omission", "漏报", "omission"},
               {"concealment", "瞒报", "concealment"},
               {"unexplained", "待说明", "to be explained"},
               {"not_compared", "未比对", "not compared"}};

static json_t *round_tables(const json_t *rep, int en_)
{
    json_t *ts = json_array(), *t, *r, *x;
    size_t i;
    const json_t *rd = json_object_get(rep, "round"), *dr = json_object_get(rep, "drawn"),
                 *cn = json_object_get(rep, "conclusions"),
                 *co = json_object_get(rep, "corrections");
    t = table(ts, T("概况", "Summary"), T("概况", "Summary"));
    col(t, T("项目", "Item"), 30);
    col(t, T("数值", "Value"), 60);
    kv(t, T("抽查轮次", "Check round"), json_string(js(rd, "id")));
    kv(t, T("报告年度", "Year"), json_integer(ji(rd, "year")));
    kv(t, T("单位", "Unit"), json_string(js(rd, "unit_name")));
    kv(t, T("范围", "Population"),
       json_string(!strcmp(js(rd, "population"), "top") ? T("一把手", "top leaders")
                                                        : T("全部申报人", "all declarants")));
    kv(t, T("抽取日期", "Drawn at"),
       json_string(*js(rd, "drawn_at") ? js(rd, "drawn_at") : T("尚未抽取", "not drawn yet")));
    kv(t, T("随机种子（检查点根哈希）", "Seed (checkpoint root)"), json_string(js(rd, "seed")));
    kv(t, T("制表日期", "Drawn on"), json_string(js(rep, "drawn_on")));
    kv(t, T("所依据的检查点", "Drawn from checkpoint"), checkpoint_text(rep, en_));
    kv(t, T("应报告总体（份）", "Population (declarations)"), json_integer(ji(rep, "population")));
    kv(t, T("抽取（份）", "Drawn"), json_integer(ji(dr, "total")));
    kv(t, T("其中随机抽查", "of which random"), json_integer(ji(dr, "random")));
    kv(t, T("其中重点抽查", "of which focus"), json_integer(ji(dr, "focus")));
    kv(t, T("重点：拟提拔", "focus: promotion candidates"), json_integer(ji(dr, "candidate")));
    kv(t, T("重点：有在办线索", "focus: open clue"), json_integer(ji(dr, "open_clue")));
    kv(t, T("已比对（份）", "Compared"), json_integer(ji(rep, "compared")));
    kv(t, T("已作结论", "Conclusions recorded"), json_integer(ji(cn, "recorded")));
    kv(t, T("待作结论", "Conclusions pending"), json_integer(ji(cn, "pending")));
    char win[40] = "";
    if (*js(co, "window_from"))
        snprintf(win, sizeof win, "%s — %s", js(co, "window_from"), js(co, "window_end"));
    kv(t, T("补报窗口", "Self-correction window"), json_string(win));
    kv(t, T("窗口内补报（份）", "Corrections within the window"), json_integer(ji(co, "count")));

    t = table(ts, T("比对分类", "Classes"), T("比对结果分类（条）", "Comparison lines by class"));
    col(t, T("分类", "Class"), 16);
    col(t, T("条数", "Lines"), 9);
    for (size_t k = 0; k < sizeof classes / sizeof classes[0]; k++) {
        r = row(t);
        json_array_append_new(r, json_string(en_ ? classes[k].en : classes[k].zh));
        json_array_append_new(r,
                              json_integer(ji(json_object_get(rep, "classes"), classes[k].code)));
    }

    t = table(ts, T("得分分布", "Scores"), T("得分分布", "Score distribution"));
    json_object_set_new(t, "chart", json_true());
    col(t, T("分数段", "Score band"), 12);
    col(t, T("份数", "Declarations"), 12);
    json_array_foreach(json_object_get(rep, "score_distribution"), i, x)
    {
        r = row(t);
        json_array_append_new(r, json_string(js(x, "band")));
        json_array_append_new(r, json_integer(ji(x, "declarations")));
    }

    t = table(ts, T("排名", "Ranked"), T("按得分排名", "Ranked by score"));
    col(t, T("名次", "Rank"), 5);
    col(t, T("报告", "Declaration"), 10);
    col(t, T("姓名", "Name"), 9);
    col(t, T("抽查方式", "Basis"), 14);
    col(t, T("得分", "Score"), 6);
    for (size_t k = 0; k < 5; k++)
        col(t, en_ ? classes[k].en : classes[k].zh, 7);
    col(t, T("结论", "Conclusion"), 8);
    json_array_foreach(json_object_get(rep, "ranked"), i, x)
    {
        r = row(t);
        json_array_append_new(r, json_integer(ji(x, "rank")));
        json_array_append_new(r, json_string(js(x, "declaration_id")));
        json_array_append_new(r, json_string(js(x, "name")));
        json_array_append_new(r, json_string(js(x, "basis_label")));
        json_array_append_new(r, json_integer(ji(x, "score")));
        for (size_t k = 0; k < 5; k++)
            json_array_append_new(r,
                                  json_integer(ji(json_object_get(x, "counts"), classes[k].code)));
        json_array_append_new(r, json_string(*js(x, "conclusion_label") ? js(x, "conclusion_label")
                                                                        : T("待定", "pending")));
    }

    t = table(ts, T("结论", "Conclusions"), T("核查结论", "Conclusions"));
    col(t, T("结论", "Conclusion"), 12);
    col(t, T("份数", "Declarations"), 12);
    static const char *const cc[] = {"truthful", "omission", "concealment"};
    for (int k = 0; k < 3; k++) {
        r = row(t);
        json_array_append_new(r, json_string(pl_declare_label("conclusion", cc[k], en_)));
        json_array_append_new(r, json_integer(ji(cn, cc[k])));
    }
    r = row(t);
    json_array_append_new(r, json_string(T("待作结论", "pending")));
    json_array_append_new(r, json_integer(ji(cn, "pending")));

    t = table(ts, T("补报", "Corrections"),
              T("补报窗口内的补报", "Self-corrections within the window"));
    col(t, T("被抽查报告", "Drawn declaration"), 16);
    col(t, T("补报报告", "Correction"), 16);
    json_array_foreach(json_object_get(co, "items"), i, x)
    {
        r = row(t);
        json_array_append_new(r, json_string(js(x, "declaration_id")));
        json_array_append_new(r, json_string(js(x, "correction_id")));
    }
    return ts;
}

static json_t *tables_of(const json_t *rep, int en, const char **title)
{
    if (!strcmp(js(rep, "kind"), "round")) {
        *title = en ? "Declaration check round report" : "个人有关事项报告抽查核实情况报告";
        return round_tables(rep, en);
    }
    *title = en ? "Findings and warnings report" : "监督预警情况报告";
    return findings_tables(rep, en);
}

/* -------------------------------------------------------------- PDF */

static void cell_text(const json_t *c, char *out, size_t n)
{
    if (json_is_string(c))
        snprintf(out, n, "%s", json_string_value(c));
    else if (json_is_integer(c))
        snprintf(out, n, "%lld", (long long)json_integer_value(c));
    else if (json_is_real(c)) {
        /* money and indexes: two decimals, thousands separators */
        double v = json_real_value(c);
        pl_declare_yuan(out, (int64_t)(v * 100.0 + (v < 0 ? -0.5 : 0.5)));
    } else
        out[0] = 0;
}

typedef struct pctx {
    const json_t *rep, *tables;
    const char *title;
    int en;
} pctx;

static void draw_report(pl_pdf *p, void *ctx)
{
    pctx *c = ctx;
    pl_pdf_title(p, c->title);
    size_t i, j, k;
    json_t *t, *r, *x;
    json_array_foreach(c->tables, i, t)
    {
        const json_t *head = json_object_get(t, "head"), *rows = json_object_get(t, "rows");
        size_t nc = json_array_size(head);
        if (nc > 12)
            nc = 12;
        pl_pdf_heading(p, js(t, "title"), 40);
        double widths[12];
        const char *hs[12];
        unsigned right = 0;
        for (k = 0; k < nc; k++) {
            widths[k] = json_real_value(json_array_get(json_object_get(t, "widths"), k));
            hs[k] = json_string_value(json_array_get(head, k));
        }
        /* Numbers right-aligned: the columns whose first row is a number. */
        json_t *first = json_array_get(rows, 0);
        for (k = 0; k < nc && first; k++)
            if (json_is_number(json_array_get(first, k)))
                right |= 1u << k;
        if (json_array_size(rows) == 0) {
            const char *none = c->en ? "(none)" : "（无）";
            pl_pdf_para(p, none, strlen(none), 0);
            continue;
        }
        if (json_is_true(json_object_get(t, "chart"))) {
            size_t n = json_array_size(rows) > 60 ? 60 : json_array_size(rows);
            const char *labels[60];
            double values[60];
            for (j = 0; j < n; j++) {
                labels[j] = json_string_value(json_array_get(json_array_get(rows, j), 0));
                values[j] = (double)json_integer_value(json_array_get(json_array_get(rows, j), 1));
            }
            pl_pdf_bars(p, labels, values, (int)n);
        }
        pl_pdf_table_begin(p, (int)nc, widths, hs, right);
        json_array_foreach(rows, j, r)
        {
            char cells[12][256];
            const char *cp[12];
            for (k = 0; k < nc; k++) {
                x = json_array_get(r, k);
                cell_text(x, cells[k], sizeof cells[k]);
                cp[k] = cells[k];
            }
            pl_pdf_table_row(p, cp);
        }
        pl_pdf_table_end(p);
    }
}

int pl_report_pdf(const json_t *rep, int en, pl_buf *out, pl_err *e)
{
    const char *why = pl_pdf_unavailable();
    if (why)
        return pl_err_set(e, PL_EINTERNAL, "%s", why);
    const char *title;
    json_t *tables = tables_of(rep, en, &title);
    pl_buf foot;
    pl_buf_init(&foot);
    const json_t *cp = json_object_get(rep, "checkpoint");
    if (json_is_object(cp))
        pl_buf_addf(&foot, "%s · %s %s · %s %lld · %s %s", title,
                    en ? "drawn from checkpoint" : "取自检查点", js(cp, "origin"),
                    en ? "size" : "树大小", (long long)ji(cp, "size"), en ? "root" : "根哈希",
                    js(cp, "root_hash"));
    else
        pl_buf_addf(&foot, "%s · %s", title,
                    en ? "no checkpoint signed yet: this page cannot be checked against the log"
                       : "尚未签署检查点：本页无法与日志核对");
    pctx c = {.rep = rep, .tables = tables, .title = title, .en = en};
    int rc = pl_pdf_render(foot.data, en, draw_report, &c, out, e);
    pl_buf_release(&foot);
    json_decref(tables);
    return rc;
}

/* ------------------------------------------------------------- XLSX */

int pl_report_xlsx(const json_t *rep, int en, const char *path, pl_err *e)
{
    const char *title;
    json_t *tables = tables_of(rep, en, &title);
    lxw_workbook *wb = workbook_new(path);
    if (!wb) {
        json_decref(tables);
        return pl_err_set(e, PL_EIO, "%s: cannot create the workbook", path);
    }
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_text_wrap(bold);
    lxw_format *money = workbook_add_format(wb);
    format_set_num_format(money, "#,##0.00");
    size_t i, j, k;
    json_t *t, *r;
    json_array_foreach(tables, i, t)
    {
        lxw_worksheet *ws = workbook_add_worksheet(wb, js(t, "sheet"));
        if (!ws)
            continue;
        const json_t *head = json_object_get(t, "head");
        for (k = 0; k < json_array_size(head); k++) {
            worksheet_write_string(ws, 0, (lxw_col_t)k, json_string_value(json_array_get(head, k)),
                                   bold);
            worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k,
                                 json_real_value(json_array_get(json_object_get(t, "widths"), k)),
                                 NULL);
        }
        worksheet_freeze_panes(ws, 1, 0);
        json_array_foreach(json_object_get(t, "rows"), j, r)
        {
            for (k = 0; k < json_array_size(r); k++) {
                const json_t *c = json_array_get(r, k);
                lxw_row_t ri = (lxw_row_t)(j + 1);
                if (json_is_integer(c))
                    worksheet_write_number(ws, ri, (lxw_col_t)k, (double)json_integer_value(c),
                                           NULL);
                else if (json_is_real(c))
                    worksheet_write_number(ws, ri, (lxw_col_t)k, json_real_value(c), money);
                else
                    worksheet_write_string(ws, ri, (lxw_col_t)k,
                                           json_is_string(c) ? json_string_value(c) : "", NULL);
            }
        }
    }
    json_decref(tables);
    lxw_error err = workbook_close(wb);
    if (err != LXW_NO_ERROR)
        return pl_err_set(e, PL_EIO, "%s: %s", path, lxw_strerror(err));
    return 0;
}

int pl_report_xlsx_buf(const json_t *rep, int en, pl_buf *out, pl_err *e)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/plumb-report-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return pl_err_set(e, PL_EIO, "cannot create a temporary file in %s", dir ? dir : "/tmp");
    close(fd);
    int rc = pl_report_xlsx(rep, en, path, e);
    if (!rc) {
        FILE *f = fopen(path, "rb");
        if (!f)
            rc = pl_err_set(e, PL_EIO, "%s: cannot read back", path);
        else {
            char b[65536];
            size_t n;
            while ((n = fread(b, 1, sizeof b, f)) > 0)
                pl_buf_add(out, b, n);
            if (ferror(f))
                rc = pl_err_set(e, PL_EIO, "%s: read failed", path);
            fclose(f);
        }
    }
    unlink(path);
    return rc;
}
