/*
 * render.c — the integrity file as text and as a printable PDF (A4, Noto
 * Sans CJK embedded, page numbers, the checkpoint in every footer) with
 * cairo + pango on the shared page of src/report/pdf.h (DESIGN.md §6,
 * issue #18 item 3; docs/DECLARE.md "Integrity file"). Layer: declare.
 * Without pangocairo in the build pl_declare_file_pdf says so and fails.
 */
#include <stdlib.h>
#include <string.h>

#include "../report/pdf.h"
#include "declare.h"

/* ------------------------------------------------------------ text */

static const char *js(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* "start — end" with "至今" / "present" for an open end. */
static void span(pl_buf *b, const json_t *o, const char *from, const char *to, int en)
{
    pl_buf_addf(b, "%s — %s", js(o, from), *js(o, to) ? js(o, to) : (en ? "present" : "至今"));
}

/* Lines starting with "## " are section headings; "   " starts a
 * sub-line. The PDF renders the same lines. */
static void heading(pl_buf *b, const char *section, int en)
{
    pl_buf_addf(b, "## %s\n", pl_declare_label("section", section, en));
}

static void none(pl_buf *b, const json_t *arr, int en)
{
    if (json_array_size(arr) == 0)
        pl_buf_addf(b, "%s\n", en ? "(none)" : "(无)");
}

void pl_declare_file_text(const json_t *f, int en, pl_buf *b)
{
    const json_t *p = json_object_get(f, "person"), *cp = json_object_get(f, "checkpoint");
    size_t i, j;
    json_t *x, *y;
    pl_buf_addf(b, "%s · %s\n", en ? "Integrity file" : "廉政档案", js(p, "name"));
    pl_buf_addf(b, "%s: %s  %s: %s  %s: %s  %s: %s\n", en ? "ID number" : "公民身份号码",
                js(p, "id"), en ? "gender" : "性别", js(p, "gender_label"),
                en ? "born" : "出生日期", js(p, "birth_date"), en ? "native place" : "籍贯区划",
                js(p, "native_place"));
    pl_buf_addf(b, "%s: %s\n", en ? "Drawn on" : "制档日期", js(f, "drawn_on"));
    if (json_is_object(cp))
        pl_buf_addf(b, "%s: %s · %s %lld · %s %s\n", en ? "Checkpoint" : "检查点", js(cp, "origin"),
                    en ? "size" : "树大小",
                    (long long)json_integer_value(json_object_get(cp, "size")),
                    en ? "root" : "根哈希", js(cp, "root_hash"));
    else
        pl_buf_addf(b, "%s\n", en ? "Checkpoint: none signed yet" : "检查点: 尚未签署检查点");

    if ((x = json_object_get(f, "tenures"))) {
        heading(b, "tenures", en);
        none(b, x, en);
        json_array_foreach(x, i, y)
        {
            span(b, y, "start_date", "end_date", en);
            pl_buf_addf(b, "  %s %s%s · %s\n", js(y, "unit_name"), js(y, "post_title"),
                        json_is_true(json_object_get(y, "is_top")) ? (en ? " (top)" : " (一把手)")
                                                                   : "",
                        js(y, "category_label"));
        }
    }
    if ((x = json_object_get(f, "kin"))) {
        heading(b, "kin", en);
        none(b, x, en);
        json_array_foreach(x, i, y)
        {
            pl_buf_addf(b, "%s %s\n", js(y, "relation_label"), js(y, "name"));
            json_t *co;
            json_array_foreach(json_object_get(y, "companies"), j, co)
            {
                pl_buf_addf(b, "   %s %s %s ", js(co, "company_name"), js(co, "role_label"),
                            js(co, "share"));
                span(b, co, "start_date", "end_date", en);
                pl_buf_adds(b, "\n");
            }
        }
    }
    if ((x = json_object_get(f, "companies"))) {
        heading(b, "companies", en);
        none(b, x, en);
        json_array_foreach(x, i, y)
        {
            pl_buf_addf(b, "%s · %s %s %s ", js(y, "holder_name"), js(y, "company_name"),
                        js(y, "role_label"), js(y, "share"));
            span(b, y, "start_date", "end_date", en);
            pl_buf_adds(b, "\n");
        }
    }
    if ((x = json_object_get(f, "declarations"))) {
        heading(b, "declarations", en);
        none(b, x, en);
        json_array_foreach(x, i, y)
        {
            pl_buf_addf(b, "[%s] %lld %s · %s %s\n", js(y, "id"),
                        (long long)json_integer_value(json_object_get(y, "year")),
                        en ? "declaration" : "年度报告", en ? "filed" : "填报于",
                        js(y, "filed_at"));
            json_t *it;
            json_array_foreach(json_object_get(y, "items"), j, it)
            {
                pl_buf_addf(b, "   %s · %s · %s", js(it, "kind_label"), js(it, "holder_name"),
                            js(it, "ref"));
                if (*js(it, "amount_yuan"))
                    pl_buf_addf(b, " · %s %s", js(it, "amount_yuan"), en ? "yuan" : "元");
                if (*js(it, "detail"))
                    pl_buf_addf(b, " · %s", js(it, "detail"));
                pl_buf_adds(b, "\n");
            }
            json_array_foreach(json_object_get(y, "check"), j, it)
                pl_buf_addf(b, "   %s: [%s] %s %s · %s\n", en ? "check" : "核查", js(it, "id"),
                            js(it, "rule_label"), js(it, "severity_label"), js(it, "status_label"));
            json_array_foreach(json_object_get(y, "check_rounds"), j, it)
            {
                pl_buf_addf(b, "   %s: [%s] %s", en ? "check round" : "抽查", js(it, "round_id"),
                            js(it, "basis_label"));
                if (*js(it, "conclusion"))
                    pl_buf_addf(b, " · %s %s (%s) %s", en ? "conclusion" : "结论",
                                js(it, "conclusion_label"), js(it, "reason"),
                                js(it, "concluded_at"));
                pl_buf_adds(b, "\n");
            }
        }
    }
    if ((x = json_object_get(f, "exits"))) {
        heading(b, "exits", en);
        none(b, x, en);
        json_array_foreach(x, i, y)
            pl_buf_addf(b, "%s %s · %s %s\n", js(y, "observed_at"), js(y, "ref"),
                        js(y, "source_label"), js(y, "detail"));
    }
    if ((x = json_object_get(f, "evaluations"))) {
        heading(b, "evaluations", en);
        none(b, x, en);
        json_array_foreach(x, i, y)
        {
            json_t *v = json_object_get(y, "votes");
            pl_buf_addf(b, "%lld %s", (long long)json_integer_value(json_object_get(y, "year")),
                        js(y, "kind_label"));
            if (json_is_integer(json_object_get(y, "score")))
                pl_buf_addf(b, " · %s %lld", en ? "score" : "得分",
                            (long long)json_integer_value(json_object_get(y, "score")));
            pl_buf_addf(b, " · %s %lld/%lld/%lld/%lld\n",
                        en ? "excellent/competent/basic/incompetent" : "优秀/称职/基本称职/不称职",
                        (long long)json_integer_value(json_object_get(v, "excellent")),
                        (long long)json_integer_value(json_object_get(v, "competent")),
                        (long long)json_integer_value(json_object_get(v, "basic")),
                        (long long)json_integer_value(json_object_get(v, "incompetent")));
        }
    }
    if ((x = json_object_get(f, "supervision"))) {
        heading(b, "supervision", en);
        none(b, x, en);
        json_array_foreach(x, i, y)
            pl_buf_addf(b, "%s %s · %s %s\n", js(y, "held_at"), js(y, "kind_label"),
                        js(y, "unit_name"), js(y, "notes"));
    }
    if ((x = json_object_get(f, "findings"))) {
        heading(b, "findings", en);
        none(b, x, en);
        json_array_foreach(x, i, y)
        {
            pl_buf_addf(b, "[%s] %s %s · %s · %s · %s", js(y, "id"), js(y, "rule"),
                        js(y, "rule_label"), js(y, "severity_label"), js(y, "status_label"),
                        js(y, "about_label"));
            if (*js(y, "unit_name"))
                pl_buf_addf(b, " %s", js(y, "unit_name"));
            if (*js(y, "fact_date"))
                pl_buf_addf(b, " (%s %s)", en ? "fact of" : "事实日期", js(y, "fact_date"));
            pl_buf_addf(b, "\n   %s\n", js(y, "explanation"));
        }
    }
    if ((x = json_object_get(f, "clues"))) {
        heading(b, "clues", en);
        none(b, x, en);
        json_array_foreach(x, i, y)
        {
            pl_buf_addf(b, "[%s] %s %s · %s · %s\n", js(y, "id"), js(y, "received_at"),
                        js(y, "channel_label"), js(y, "category_label"), js(y, "summary"));
            json_t *d;
            json_array_foreach(json_object_get(y, "dispositions"), j, d)
            {
                pl_buf_addf(b, "   %s %s", js(d, "decided_at"), js(d, "method_label"));
                if (*js(d, "outcome"))
                    pl_buf_addf(b, " → %s %s", js(d, "outcome_label"), js(d, "concluded_at"));
                pl_buf_adds(b, "\n");
            }
        }
    }
    const char *acc[] = {"accountability", "name_clearing"};
    for (int k = 0; k < 2; k++)
        if ((x = json_object_get(f, acc[k]))) {
            heading(b, acc[k], en);
            none(b, x, en);
            json_array_foreach(x, i, y) pl_buf_addf(b, "%s %s · %s\n", js(y, "decided_at"),
                                                    js(y, "measure_label"), js(y, "basis"));
        }
    if ((x = json_object_get(f, "warnings"))) {
        heading(b, "warnings", en);
        none(b, x, en);
        json_array_foreach(x, i, y)
            pl_buf_addf(b, "[%s] %s %s · %s %s\n", js(y, "id"), js(y, "raised_at"),
                        js(y, "grade_label"), en ? "index" : "风险指数", js(y, "index"));
    }
    if ((x = json_object_get(f, "tasks"))) {
        heading(b, "tasks", en);
        none(b, x, en);
        json_array_foreach(x, i, y) pl_buf_addf(
            b, "[%s] %s %s · %s · %s %s · %s\n", js(y, "id"), js(y, "opened_at"), js(y, "title"),
            js(y, "owner_label"), en ? "due" : "期限", js(y, "due_date"), js(y, "status_label"));
    }
    if ((x = json_object_get(f, "timeline"))) {
        heading(b, "timeline", en);
        json_array_foreach(x, i, y)
            pl_buf_addf(b, "%s  %s · %s\n", js(y, "date"), js(y, "section_label"), js(y, "text"));
    }
}

/* ------------------------------------------------------------- PDF */

/* The text's lines on the shared page (src/report/pdf.h): the first line
 * is the title, "## " a heading, "   " an indented line. */
static void draw_text(pl_pdf *p, void *ctx)
{
    const pl_buf *text = ctx;
    const char *s = text->data, *end = text->data + text->len;
    int first = 1;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
        if (first) {
            char *t = pl_malloc(len + 1);
            memcpy(t, s, len);
            t[len] = 0;
            pl_pdf_title(p, t);
            free(t);
            first = 0;
        } else if (len >= 3 && strncmp(s, "## ", 3) == 0) {
            char *t = pl_malloc(len - 2);
            memcpy(t, s + 3, len - 3);
            t[len - 3] = 0;
            pl_pdf_heading(p, t, 0);
            free(t);
        } else if (len >= 3 && strncmp(s, "   ", 3) == 0) {
            pl_pdf_para(p, s + 3, len - 3, 1);
        } else {
            pl_pdf_para(p, s, len, 0);
        }
        s = nl ? nl + 1 : end;
    }
}

int pl_declare_pdf_available(void)
{
    return pl_pdf_available();
}

int pl_declare_text_pdf(const pl_buf *text, const char *footer, int en, pl_buf *out, pl_err *e)
{
    const char *why = pl_pdf_unavailable();
    if (why)
        return pl_err_set(e, PL_EINTERNAL, "%s", why);
    return pl_pdf_render(footer, en, draw_text, (void *)text, out, e);
}

void pl_declare_checkpoint_footer(pl_buf *foot, const json_t *cp, int en)
{
    if (json_is_object(cp))
        pl_buf_addf(foot, "%s %s · %s %lld · %s %s", en ? "drawn from checkpoint" : "取自检查点",
                    js(cp, "origin"), en ? "size" : "树大小",
                    (long long)json_integer_value(json_object_get(cp, "size")),
                    en ? "root" : "根哈希", js(cp, "root_hash"));
    else
        pl_buf_adds(foot,
                    en ? "no checkpoint signed yet: this page cannot be checked against the log"
                       : "尚未签署检查点：本页无法与日志核对");
}

int pl_declare_file_pdf(const json_t *file, int en, pl_buf *out, pl_err *e)
{
    const char *why = pl_pdf_unavailable();
    if (why)
        return pl_err_set(e, PL_EINTERNAL, "%s", why);
    pl_buf text, foot;
    pl_buf_init(&text);
    pl_buf_init(&foot);
    pl_declare_file_text(file, en, &text);
    const json_t *p = json_object_get(file, "person");
    pl_buf_addf(&foot, "%s %s · ", en ? "Integrity file of" : "廉政档案", js(p, "name"));
    pl_declare_checkpoint_footer(&foot, json_object_get(file, "checkpoint"), en);
    int rc = pl_declare_text_pdf(&text, foot.data, en, out, e);
    pl_buf_release(&text);
    pl_buf_release(&foot);
    return rc;
}
