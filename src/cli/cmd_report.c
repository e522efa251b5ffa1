/*
 * cmd_report.c — `plumb report findings|round`: the findings and warnings
 * report for the level above and the declaration check round's summary,
 * as PDF, XLSX or JSON. Layer: CLI (on src/report/report.h).
 * Spec: issue #18 item 6, docs/API.md "Reports", docs/DECLARE.md "Round
 * report". The operator of the store reads everything (as every CLI read);
 * scoped readers use GET /api/v1/reports/findings.pdf and
 * /api/v1/declaration_rounds/{id}/report.pdf.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../report/report.h"
#include "../store/store.h"
#include "cli.h"

static const char usage_zh[] =
    "用法: plumb report findings --from 日期 --to 日期 [--unit 单位] (--pdf 文件|--xlsx "
    "文件|--json)\n"
    "       plumb report round 轮次 (--pdf 文件|--xlsx 文件|--json)\n"
    "  findings  报上级的预警报告: 期间内 (按事实发生日期) 的预警发现按单位、规则、严重程度、\n"
    "            月份统计, 风险较高的单位和一把手, 风险预警 (未关闭/已关闭) 及其任务\n"
    "            --unit 只统计该单位及其下级单位\n"
    "  round     个人有关事项报告抽查轮次的核实情况: 总体、抽取 (随机/重点)、比对分类、\n"
    "            得分分布、排名、结论、补报\n"
    "  --pdf 文件   A4 PDF, 页脚注明所依据的检查点    --xlsx 文件  Excel 工作簿, 每项统计一张表\n"
    "  --json       JSON 输出到标准输出                --top N      排名列表行数 (默认 10)\n"
    "  --lang zh|en  --db 文件\n"
    "退出码: 0 成功, 1 输入错误 (如日期无效、无此单位或轮次), 2 内部错误\n";
static const char usage_en[] =
    "usage: plumb report findings --from DATE --to DATE [--unit UNIT] (--pdf FILE|--xlsx "
    "FILE|--json)\n"
    "       plumb report round ID (--pdf FILE|--xlsx FILE|--json)\n"
    "  findings  the findings and warnings report for the level above: findings whose facts\n"
    "            fall in the period by unit, rule, severity and month, the top units and\n"
    "            leaders by risk, warnings open and closed and their tasks\n"
    "            --unit  only that unit and the units below it\n"
    "  round     a declaration check round's summary: population, drawn (random / focus),\n"
    "            classes, score distribution, ranked list, conclusions, self-corrections\n"
    "  --pdf FILE   A4 PDF, the checkpoint drawn from in the footer   --xlsx FILE  a workbook,\n"
    "               one sheet per breakdown   --json  JSON on stdout   --top N  rows of the top "
    "lists (10)\n"
    "  --lang zh|en  --db FILE\n"
    "exit codes: 0 ok, 1 bad input (e.g. a bad date, no such unit or round), 2 internal error\n";

static int write_out(const char *path, const char *data, size_t len, pl_err *e)
{
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (!f)
        return pl_err_set(e, PL_EINVAL, "%s: cannot open for writing", path);
    size_t w = fwrite(data, 1, len, f);
    int bad = w != len;
    if (path)
        bad |= fclose(f) != 0;
    else
        bad |= fflush(f) != 0;
    return bad ? pl_err_set(e, PL_EIO, "%s: write failed", path ? path : "stdout") : 0;
}

static int cmd_report(pl_cli *cli, int argc, char **argv)
{
    enum { O_FROM = 256, O_TO, O_UNIT, O_PDF, O_XLSX, O_JSON, O_TOP };
    static const struct option opts[] = {{"from", required_argument, NULL, O_FROM},
                                         {"to", required_argument, NULL, O_TO},
                                         {"unit", required_argument, NULL, O_UNIT},
                                         {"pdf", required_argument, NULL, O_PDF},
                                         {"xlsx", required_argument, NULL, O_XLSX},
                                         {"json", no_argument, NULL, O_JSON},
                                         {"top", required_argument, NULL, O_TOP},
                                         {"db", required_argument, NULL, 'd'},
                                         {"lang", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *from = NULL, *to = NULL, *unit = NULL, *pdf = NULL, *xlsx = NULL;
    int outs = 0;
    int64_t top = 0;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_FROM: from = optarg; break;
        case O_TO: to = optarg; break;
        case O_UNIT: unit = optarg; break;
        case O_PDF:
            pdf = optarg;
            outs++;
            break;
        case O_XLSX:
            xlsx = optarg;
            outs++;
            break;
        case O_JSON: outs++; break;
        case O_TOP:
            if (pl_parse_i64(optarg, 1, 1000, &top) != 0)
                return pl_cli_usage(cli, "report",
                                    PL_T(cli, "--top 须为 1-1000", "--top must be 1-1000"));
            break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, usage_zh, usage_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_usage(cli, "report", PL_T(cli, "无效选项", "bad option"));
        }
    }
    if (optind >= argc)
        return pl_cli_usage(cli, "report",
                            PL_T(cli, "缺少报告种类 (findings 或 round)",
                                 "missing the kind of report (findings or round)"));
    const char *kind = argv[optind];
    int is_round = strcmp(kind, "round") == 0;
    if (!is_round && strcmp(kind, "findings") != 0)
        return pl_cli_usage(
            cli, "report",
            PL_T(cli, "报告种类须为 findings 或 round", "the kind of report is findings or round"));
    const char *round_id = NULL;
    if (is_round) {
        if (optind + 1 >= argc)
            return pl_cli_usage(cli, "report", PL_T(cli, "缺少轮次编号", "missing the round id"));
        round_id = argv[optind + 1];
        if (optind + 2 < argc)
            return pl_cli_usage(cli, "report", PL_T(cli, "多余的参数", "unexpected argument"));
        if (from || to || unit)
            return pl_cli_usage(
                cli, "report",
                PL_T(cli, "round 不接受 --from/--to/--unit", "round takes no --from/--to/--unit"));
    } else {
        if (optind + 1 < argc)
            return pl_cli_usage(cli, "report", PL_T(cli, "多余的参数", "unexpected argument"));
        if (!from)
            return pl_cli_usage(cli, "report", PL_T(cli, "缺少 --from", "missing --from"));
        if (!to)
            return pl_cli_usage(cli, "report", PL_T(cli, "缺少 --to", "missing --to"));
    }
    if (outs != 1)
        return pl_cli_usage(cli, "report",
                            PL_T(cli, "须且只须指定 --pdf、--xlsx、--json 之一",
                                 "give exactly one of --pdf, --xlsx, --json"));
    pl_err e;
    pl_err_init(&e);
    pl_store *s = NULL;
    int rc = pl_store_open(&s, cli->db, PL_STORE_READONLY, &e);
    if (rc)
        return pl_cli_fail(cli, rc, &e);
    json_t *rep = NULL;
    pl_report_opts o = {.english = cli->english, .top = (int)top};
    /* One snapshot for every count and the checkpoint. */
    int txn = pl_store_exec(s, "BEGIN", NULL) == 0;
    if (is_round) {
        pl_declare_caller all = {.actor = "cli", .all = 1};
        rc = pl_report_round(s, &all, round_id, NULL, NULL, &o, &rep, &e);
    } else {
        rc = pl_report_findings(s, NULL, from, to, unit, &o, &rep, &e);
    }
    if (txn && pl_store_exec(s, "COMMIT", NULL) != 0)
        pl_store_exec(s, "ROLLBACK", NULL);
    pl_store_close(s);
    if (rc == PL_ENOTFOUND) /* a user's error: exit 1 */
        rc = PL_EINVAL;
    if (rc)
        return pl_cli_fail(cli, rc, &e);
    pl_buf b;
    pl_buf_init(&b);
    if (pdf) {
        rc = pl_report_pdf(rep, cli->english, &b, &e);
        if (!rc)
            rc = write_out(pdf, b.data, b.len, &e);
    } else if (xlsx) {
        rc = pl_report_xlsx(rep, cli->english, xlsx, &e);
    } else {
        char *j = json_dumps(rep, JSON_INDENT(2) | JSON_SORT_KEYS);
        pl_buf_adds(&b, j);
        pl_buf_adds(&b, "\n");
        free(j);
        rc = write_out(NULL, b.data, b.len, &e);
    }
    pl_buf_release(&b);
    json_decref(rep);
    return rc ? pl_cli_fail(cli, rc, &e) : PL_EXIT_OK;
}

const pl_command pl_report_commands[] = {
    {"report", "报表: 报上级的预警报告、个人有关事项抽查轮次报告 (PDF、XLSX)",
     "reports: findings and warnings for the level above, a declaration check round (PDF, XLSX)",
     cmd_report},
    {0},
};
