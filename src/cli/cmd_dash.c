/*
 * cmd_dash.c — `plumb dashboard`: the dashboard's numbers over the whole
 * store (the operator of the store file reads everything, as every CLI
 * read), from the same functions as GET /api/v1/dashboard: src/dash for
 * findings, leaders and rotations, pl_cases_stats for the clues (as the
 * workflow's local operator, `system`) and pl_inspect_task_stats for the
 * rectification tasks. Layer: CLI. Spec: docs/API.md "Dashboard".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../cases/cases.h"
#include "../dash/dash.h"
#include "../inspect/inspect.h"
#include "../ledger/ledger.h"
#include "../model/model.h"
#include "../store/store.h"
#include "../util/date.h"
#include "cli.h"

static const char usage_zh[] =
    "用法: plumb dashboard [--as-of 日期] [--top N] [--json] [--lang zh|en] [--db 文件]\n"
    "  工作台的全部数字 (与 GET /api/v1/dashboard 同一函数, 全库):\n"
    "  预警发现按规则、状态和事实发生月份 (docs/RULES.md \"趋势日期\"),\n"
    "  一把手风险指数前 N 名 (默认 50) 与按现行预警颜色的人数, 到期轮岗,\n"
    "  问题线索统计 (含超期), 整改任务统计 (含逾期)。\n"
    "退出码: 0 成功, 1 输入错误, 2 内部错误\n";
static const char usage_en[] =
    "usage: plumb dashboard [--as-of DATE] [--top N] [--json] [--lang zh|en] [--db FILE]\n"
    "  Every number of the dashboard (the same functions as GET /api/v1/dashboard, whole\n"
    "  store): findings by rule, status and month of their facts (docs/RULES.md \"Trend\n"
    "  dates\"), the top N leaders by risk index (default 50) and leaders by the colour\n"
    "  of their standing warning, rotations due, clue statistics (overdue included),\n"
    "  rectification task statistics (overdue included).\n"
    "exit codes: 0 ok, 1 bad input, 2 internal error\n";

static int clue_stats(pl_store *s, json_t **out, pl_err *e)
{
    pl_ledger *l = NULL;
    pl_cases *c = NULL;
    pl_cases_register();
    int rc = pl_ledger_open(&l, s, e);
    if (!rc)
        rc = pl_cases_new(&c, s, l, e);
    pl_buf b;
    pl_buf_init(&b);
    if (!rc) {
        pl_viewer v = {PL_CASES_ROLE_SYSTEM, "cli", NULL, NULL};
        rc = pl_cases_stats(c, &v, NULL, NULL, &b, e);
    }
    if (!rc && !(*out = json_loadb(b.data, b.len, 0, NULL)))
        rc = pl_err_set(e, PL_ESTORE, "dashboard: clue statistics are not JSON");
    pl_buf_release(&b);
    if (c)
        pl_cases_free(c);
    if (l)
        pl_ledger_free(l);
    return rc;
}

static int build(pl_store *s, const char *as_of, int top, json_t *doc, pl_err *e)
{
    pl_dash_viewer v = {1, 0, 0, as_of, 0};
    pl_ledger *l = NULL;
    pl_rules *r = NULL;
    json_t *part = NULL;
    int rc = pl_dash_findings(s, &v, as_of, &part, e);
    if (!rc)
        json_object_set_new(doc, "findings", part);
    if (!rc)
        rc = pl_ledger_open(&l, s, e);
    if (!rc)
        rc = pl_rules_new(&r, s, l, e);
    if (!rc && !(rc = pl_dash_leaders(s, r, &v, NULL, top, &part, e)))
        json_object_set_new(doc, "leaders", part);
    pl_dash_rules rl = {r, NULL, NULL, NULL};
    if (!rc && !(rc = pl_dash_rotations(s, &rl, &v, as_of, 12, NULL, 50, &part, e)))
        json_object_set_new(doc, "rotations", part);
    if (r)
        pl_rules_free(r);
    if (l)
        pl_ledger_free(l);
    if (!rc && !(rc = clue_stats(s, &part, e)))
        json_object_set_new(doc, "clues", part);
    if (!rc) {
        pl_inspect_caller who = {"cli", NULL, 0, 1, 1, NULL, 0, NULL, NULL};
        if (!(rc = pl_inspect_task_stats(s, &who, NULL, NULL, 10, &part, e)))
            json_object_set_new(doc, "rectification", part);
    }
    return rc;
}

static json_int_t num(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static void print_text(pl_cli *cli, json_t *doc)
{
    json_t *f = json_object_get(doc, "findings"), *ld = json_object_get(doc, "leaders");
    json_t *ro = json_object_get(doc, "rotations"), *cl = json_object_get(doc, "clues");
    json_t *rt = json_object_get(doc, "rectification");
    printf("%s %s\n", PL_T(cli, "截至", "as of"), json_string_value(json_object_get(doc, "as_of")));
    printf("%s: %lld\n", PL_T(cli, "预警发现", "findings"), (long long)num(f, "total"));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(f, "by_rule"), i, it) if (num(it, "total"))
        printf("  %s %s: %lld\n", json_string_value(json_object_get(it, "rule")),
               json_string_value(json_object_get(it, cli->english ? "name_en" : "name_zh")),
               (long long)num(it, "total"));
    printf("%s (%s):", PL_T(cli, "按事实发生月份", "by month of the facts"),
           PL_T(cli, "更早", "earlier"));
    printf(" %lld", (long long)num(f, "earlier"));
    json_array_foreach(json_object_get(f, "by_month"), i, it) printf(
        " %s=%lld", json_string_value(json_object_get(it, "month")), (long long)num(it, "total"));
    printf(" %s %lld\n", PL_T(cli, "更晚", "later"), (long long)num(f, "later"));
    json_t *g = json_object_get(ld, "by_grade");
    printf("%s: %s %lld, %s %lld, %s %lld (%s %lld)\n", PL_T(cli, "现行预警", "standing warnings"),
           PL_T(cli, "红", "red"), (long long)num(g, "red"), PL_T(cli, "黄", "yellow"),
           (long long)num(g, "yellow"), PL_T(cli, "蓝", "blue"), (long long)num(g, "blue"),
           PL_T(cli, "有风险指数的一把手", "leaders with an index"), (long long)num(ld, "total"));
    printf("%s: %lld (%s %lld)\n", PL_T(cli, "12个月内到期轮岗", "rotations due within 12 months"),
           (long long)num(ro, "total"), PL_T(cli, "已超期", "overdue"),
           (long long)num(ro, "overdue"));
    printf("%s: %lld, %s %lld, %s %lld\n", PL_T(cli, "问题线索", "clues"),
           (long long)num(cl, "total"), PL_T(cli, "在办", "open"), (long long)num(cl, "open"),
           PL_T(cli, "超期", "overdue"), (long long)num(cl, "overdue"));
    printf("%s: %lld, %s %lld\n", PL_T(cli, "整改任务", "rectification tasks"),
           (long long)num(rt, "total"), PL_T(cli, "逾期", "overdue"),
           (long long)num(rt, "overdue"));
}

static int cmd_dashboard(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"as-of", required_argument, NULL, 'a'},
                                         {"top", required_argument, NULL, 't'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"lang", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *as_of = NULL;
    int64_t top = 50;
    int json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'a': as_of = optarg; break;
        case 't':
            if (pl_parse_i64(optarg, 1, 1000, &top))
                return pl_cli_usage(cli, "dashboard",
                                    PL_T(cli, "--top 须为 1 到 1000 的整数",
                                         "--top must be an integer from 1 to 1000"));
            break;
        case 'j': json = 1; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, usage_zh, usage_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_usage(cli, "dashboard", PL_T(cli, "无效选项", "bad option"));
        }
    }
    if (optind < argc)
        return pl_cli_usage(cli, "dashboard", PL_T(cli, "多余的参数", "unexpected argument"));
    char today[21];
    pl_time_format_clock(today, pl_time_now());
    today[10] = 0;
    pl_date d;
    if (as_of && (strlen(as_of) != 10 || pl_date_parse(&d, as_of) != 0))
        return pl_cli_usage(
            cli, "dashboard",
            PL_T(cli, "--as-of 须为日期 YYYY-MM-DD", "--as-of must be a date YYYY-MM-DD"));
    if (!as_of)
        as_of = today;
    pl_err e;
    pl_err_init(&e);
    pl_model_register();
    pl_rules_register();
    pl_store *s = NULL;
    int rc = pl_store_open(&s, cli->db, 0, &e);
    if (rc)
        return pl_cli_fail(cli, rc, &e);
    json_t *doc = json_pack("{s:s, s:s}", "as_of", as_of, "today", today);
    rc = build(s, as_of, (int)top, doc, &e);
    pl_store_close(s);
    if (rc) {
        json_decref(doc);
        return pl_cli_fail(cli, rc, &e);
    }
    if (json) {
        char *j = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(j);
        free(j);
    } else {
        print_text(cli, doc);
    }
    json_decref(doc);
    return PL_EXIT_OK;
}

const pl_command pl_dash_commands[] = {
    {"dashboard", "工作台全部数字 (与网页同一定义)",
     "every dashboard number (the page's definitions)", cmd_dashboard},
    {0},
};
