/*
 * cmd_link.c — `plumb link run` (link the store's persons: proposals as
 * ledger events) and `plumb link review` (the human review queue: list the
 * pairs side by side, or record a judgement same / not_same / unsure).
 * Layer: CLI (on src/link/link.h). Docs: docs/LINKAGE.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../ledger/ledger.h"
#include "../link/link.h"
#include "../rules/rules.h"
#include "../store/store.h"
#include "cli.h"

static const char run_zh[] =
    "用法: plumb link run [--db 文件] [--lang zh|en]\n"
    "  关联库中的人员记录: 按出生日期、身份证号、姓名键、拼音、公司、家庭分块,\n"
    "  逐项比较并按 Fellegi-Sunter 权重计分; 不低于上阈值的自动关联, 介于两阈值之间\n"
    "  的进入人工复核队列 (阈值: 档案参数 link_upper_centibits、link_lower_centibits)。\n"
    "  每个提议是一条 link.proposed 账本事件; 已人工判断的配对不再提议。\n"
    "  无可靠身份号码的人员登记记录 (person_records) 只与人员关联, 记为\n"
    "  person_records:编号。\n"
    "退出码: 0 成功, 1 输入错误, 2 内部错误\n";
static const char run_en[] =
    "usage: plumb link run [--db FILE] [--lang zh|en]\n"
    "  Link the store's person records: blocked by birth date, ID number, name key,\n"
    "  pinyin, company and household, compared feature by feature and scored with\n"
    "  Fellegi-Sunter weights; at or above the upper threshold they are linked, between\n"
    "  the thresholds they go to the human review queue (profile parameters\n"
    "  link_upper_centibits, link_lower_centibits). Each proposal is a link.proposed\n"
    "  ledger event; a pair already judged is never proposed again. Person records\n"
    "  without a reliable ID (person_records) are linked to persons only, named\n"
    "  person_records:ID.\n"
    "exit codes: 0 ok, 1 bad input, 2 internal error\n";

static const char review_zh[] =
    "用法: plumb link review [--status review|linked|same|not_same|unsure|all]\n"
    "                        [--limit N] [--json] [--db 文件] [--lang zh|en]\n"
    "       plumb link review 人员A 人员B same|not_same|unsure [--reason 文本] [--as 姓名]\n"
    "  第一种: 列出待复核的配对 (两条记录并排、得分与各项特征)。\n"
    "  第二种: 记录人工判断 (link.judged 账本事件): same 为同一人 (关联), not_same 为\n"
    "  不同人 (不再提议), unsure 为无法判断 (留在队列)。\n"
    "退出码: 0 成功, 1 输入错误 (如判断不是 same/not_same/unsure, 配对不存在), 2 内部错误\n";
static const char review_en[] =
    "usage: plumb link review [--status review|linked|same|not_same|unsure|all]\n"
    "                         [--limit N] [--json] [--db FILE] [--lang zh|en]\n"
    "       plumb link review PERSON_A PERSON_B same|not_same|unsure [--reason TEXT] [--as NAME]\n"
    "  The first lists the pairs waiting for review (the two records side by side, the\n"
    "  score and each feature). The second records a human judgement (a link.judged\n"
    "  ledger event): same links them, not_same keeps them apart (never proposed again),\n"
    "  unsure leaves the pair in the queue.\n"
    "exit codes: 0 ok, 1 bad input (e.g. a judgement other than same/not_same/unsure, an\n"
    "unknown pair), 2 internal error\n";

static int cmd_link_run(pl_cli *cli, int argc, char **argv)
{
    int r = pl_cli_simple_opts(cli, argc, argv, PL_T(cli, run_zh, run_en));
    if (r >= 0)
        return r;
    if (optind < argc)
        return pl_cli_usage(cli, "link run", PL_T(cli, "多余的参数", "unexpected argument"));
    pl_err e;
    pl_err_init(&e);
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    pl_rules *rules = NULL;
    int rc = pl_store_open(&s, cli->db, 0, &e);
    if (!rc)
        rc = pl_ledger_open(&l, s, &e);
    /* links feed the rules (R04): each event re-checks what it touches */
    if (!rc && !(rc = pl_rules_new(&rules, s, l, &e)))
        pl_rules_attach(rules);
    double upper = 0, lower = 0;
    pl_link_stats st = {0};
    if (!rc)
        rc = pl_link_thresholds(s, &upper, &lower, &e);
    if (!rc)
        rc = pl_link_store_run(s, l, "cli", upper, lower, &st, &e);
    pl_rules_free(rules);
    pl_ledger_free(l);
    pl_store_close(s);
    if (rc)
        return pl_cli_fail(cli, rc, &e);
    printf(PL_T(cli,
                "人员 %zu, 登记记录 %zu, 候选配对 %zu; 新关联 %zu, 新进入复核 %zu, 已人工判断跳过 "
                "%zu, 未变 %zu (阈值 %.2f / %.2f 比特)\n",
                "persons %zu, records %zu, candidate pairs %zu; newly linked %zu, newly in review "
                "%zu, judged (skipped) %zu, unchanged %zu (thresholds %.2f / %.2f bits)\n"),
           st.persons, st.records, st.candidates, st.linked, st.review, st.skipped_judged,
           st.unchanged, upper, lower);
    return PL_EXIT_OK;
}

static const char *status_label(pl_cli *cli, const char *s)
{
    if (!strcmp(s, "review"))
        return PL_T(cli, "待复核", "review");
    if (!strcmp(s, "linked"))
        return PL_T(cli, "已自动关联", "linked");
    if (!strcmp(s, "same"))
        return PL_T(cli, "同一人", "same");
    if (!strcmp(s, "not_same"))
        return PL_T(cli, "不同人", "not same");
    if (!strcmp(s, "unsure"))
        return PL_T(cli, "无法判断", "unsure");
    return s;
}

static const char *js(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static int cmd_link_review(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"status", required_argument, NULL, 's'},
                                         {"limit", required_argument, NULL, 'n'},
                                         {"reason", required_argument, NULL, 'r'},
                                         {"as", required_argument, NULL, 'a'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"lang", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *status = NULL, *reason = NULL, *as = "cli";
    int64_t limit = 50;
    int json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's': status = optarg; break;
        case 'n':
            if (pl_parse_i64(optarg, 1, 1000, &limit))
                return pl_cli_usage(cli, "link review",
                                    PL_T(cli, "--limit 须为 1 到 1000 的整数",
                                         "--limit must be an integer from 1 to 1000"));
            break;
        case 'r': reason = optarg; break;
        case 'a': as = optarg; break;
        case 'j': json = 1; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, review_zh, review_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_usage(cli, "link review", PL_T(cli, "无效选项", "bad option"));
        }
    }
    int npos = argc - optind;
    if (npos != 0 && npos != 3)
        return pl_cli_usage(cli, "link review",
                            PL_T(cli, "判断须给出: 人员A 人员B same|not_same|unsure",
                                 "a judgement takes: PERSON_A PERSON_B same|not_same|unsure"));
    pl_err e;
    pl_err_init(&e);
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    int rc = pl_store_open(&s, cli->db, 0, &e);
    if (rc)
        return pl_cli_fail(cli, rc, &e);
    if (npos == 3) {
        pl_rules *rules = NULL;
        rc = pl_ledger_open(&l, s, &e);
        if (!rc && !(rc = pl_rules_new(&rules, s, l, &e)))
            pl_rules_attach(rules);
        if (!rc)
            rc = pl_link_judge(s, l, as, argv[optind], argv[optind + 1], argv[optind + 2], reason,
                               &e);
        pl_rules_free(rules);
        pl_ledger_free(l);
        pl_store_close(s);
        if (rc)
            return pl_cli_fail(cli, rc, &e);
        printf("%s: %s %s — %s\n", PL_T(cli, "已记录判断", "judgement recorded"), argv[optind],
               argv[optind + 1], status_label(cli, argv[optind + 2]));
        return PL_EXIT_OK;
    }
    json_t *rows = json_array();
    rc = pl_link_list(s, status, (int)limit, 0, rows, &e);
    pl_store_close(s);
    if (rc) {
        json_decref(rows);
        return pl_cli_fail(cli, rc, &e);
    }
    if (json) {
        char *j = json_dumps(rows, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(j);
        free(j);
    } else {
        size_t i;
        json_t *it;
        json_array_foreach(rows, i, it)
        {
            const json_t *a = json_object_get(it, "a"), *b = json_object_get(it, "b");
            printf("%s  %.2f  %s\n", status_label(cli, js(it, "status")),
                   json_integer_value(json_object_get(it, "score_centibits")) / 100.0,
                   PL_T(cli, "(比特)", "(bits)"));
            printf("  A %s  %s  %s  %s\n", js(a, "id"), js(a, "name"), js(a, "birth_date"),
                   js(a, "native_place"));
            printf("  B %s  %s  %s  %s", js(b, "id"), js(b, "name"), js(b, "birth_date"),
                   js(b, "native_place"));
            if (!strcmp(js(b, "kind"), "record")) /* the ID as written, the role */
                printf("  %s %s  %s %s %s", PL_T(cli, "登记号码", "ID as written"),
                       js(b, "id_as_written"), js(b, "company_name"), js(b, "role"),
                       js(b, "household")[0] ? js(b, "household") : "");
            printf("\n");
            size_t k;
            json_t *f;
            printf("  ");
            json_array_foreach(json_object_get(it, "features"), k, f)
            {
                printf("%s%s=%s(%+.2f)", k ? " " : "", js(f, "feature"), js(f, "level"),
                       json_integer_value(json_object_get(f, "weight_centibits")) / 100.0);
            }
            printf("\n");
        }
        if (!json_array_size(rows))
            puts(PL_T(cli, "队列为空", "the queue is empty"));
    }
    json_decref(rows);
    return PL_EXIT_OK;
}

const pl_command pl_link_commands[] = {
    {"link run", "人员关联: 计算候选配对并提议关联", "person linkage: score candidate pairs",
     cmd_link_run},
    {"link review", "人员关联复核队列: 列出或记录人工判断",
     "person linkage review queue: list, or record a judgement", cmd_link_review},
    {0},
};
