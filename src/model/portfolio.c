/*
 * portfolio.c — the areas a post is in charge of (分管领域) as structured
 * codes: the code table with its zh/en labels, parsing a list of codes, and
 * the mapping of the old free text to codes (the same keywords as migration
 * 0105_post_portfolio_codes.sql). Layer: model. Spec: DESIGN.md §5 posts,
 * §6 R18 (五不直管), docs/RULES.md R18, docs/IMPORT.md posts.
 */
#include <string.h>

#include "model.h"

/* Order is the canonical order of a normalised list and the bit of a code
 * in a mask (bit i = 1 << i); never reorder, only append. The keywords map
 * the old free text; migration 0105 (both engines) has the same ones. */
static const pl_portfolio_code codes[] = {
    {"personnel", "人事", "personnel", {"人事", "干部", NULL}},
    {"finance", "财务", "finance", {"财务", "财政", "资金", "预算", NULL}},
    {"projects", "工程项目", "engineering projects", {"工程", "项目", "基建", NULL}},
    {"approval", "行政审批", "administrative approval", {"审批", "许可", NULL}},
    {"procurement", "物资采购", "procurement", {"采购", "物资", NULL}},
    {"party_building", "党建", "party building", {"党建", NULL}},
    {"logistics", "后勤", "logistics", {"后勤", NULL}},
    {"safety", "安全生产", "work safety", {"安全", NULL}},
    {"petition", "信访维稳", "petitions and stability", {"信访", "维稳", NULL}},
    {"business", "业务", "line business", {"业务", NULL}},
    {"publicity", "宣传", "publicity", {"宣传", NULL}},
    {"discipline", "纪检", "discipline", {"纪检", "纪律", NULL}},
};
#define NCODES ((int)(sizeof codes / sizeof codes[0]))
_Static_assert(sizeof codes / sizeof codes[0] <= 31, "a portfolio mask fits in 31 bits");

const pl_portfolio_code *pl_model_portfolio_codes(size_t *n)
{
    *n = (size_t)NCODES;
    return codes;
}

int pl_model_portfolio_code_index(const char *s, size_t len)
{
    for (int i = 0; i < NCODES; i++)
        if ((strlen(codes[i].code) == len && !memcmp(codes[i].code, s, len)) ||
            (strlen(codes[i].label_zh) == len && !memcmp(codes[i].label_zh, s, len)))
            return i;
    return -1;
}

/* Length of a separator at s (ASCII , ; | space tab, or ，、；), else 0. */
static size_t sep_len(const char *s)
{
    static const char *const wide[] = {"，", "、", "；"};
    if (*s == ',' || *s == ';' || *s == '|' || *s == ' ' || *s == '\t')
        return 1;
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
        if (!strncmp(s, wide[i], strlen(wide[i])))
            return strlen(wide[i]);
    return 0;
}

int pl_model_portfolio_parse(const char *text, uint32_t *mask, pl_err *e)
{
    *mask = 0;
    const char *s = text ? text : "";
    while (*s) {
        size_t k = sep_len(s);
        if (k) {
            s += k;
            continue;
        }
        const char *t = s;
        while (*s && !sep_len(s))
            s++;
        int i = pl_model_portfolio_code_index(t, (size_t)(s - t));
        if (i < 0) {
            pl_buf b;
            pl_buf_init(&b);
            for (int j = 0; j < NCODES; j++)
                pl_buf_addf(&b, "%s%s", j ? "|" : "", codes[j].code);
            pl_err_set(e, PL_EINVAL, "'%.*s' is not a portfolio code (%s)", (int)(s - t), t,
                       b.data);
            pl_buf_release(&b);
            return PL_EINVAL;
        }
        *mask |= 1u << i;
    }
    return 0;
}

uint32_t pl_model_portfolio_from_text(const char *text)
{
    uint32_t mask = 0;
    if (!text)
        return 0;
    for (int i = 0; i < NCODES; i++)
        for (int k = 0; codes[i].keywords[k]; k++)
            if (strstr(text, codes[i].keywords[k]))
                mask |= 1u << i;
    return mask;
}

void pl_model_portfolio_format(pl_buf *out, uint32_t mask, int style)
{
    int n = 0;
    for (int i = 0; i < NCODES; i++)
        if (mask & (1u << i))
            pl_buf_addf(out, "%s%s",
                        n++ ? (style == PL_PORTFOLIO_ZH   ? "、"
                               : style == PL_PORTFOLIO_EN ? ", "
                                                          : ",")
                            : "",
                        style == PL_PORTFOLIO_ZH   ? codes[i].label_zh
                        : style == PL_PORTFOLIO_EN ? codes[i].label_en
                                                   : codes[i].code);
}
