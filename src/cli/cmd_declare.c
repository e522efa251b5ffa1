/*
 * cmd_declare.c — `plumb declare`: declaration check rounds, the draw and
 * its re-derivation (--verify), the ranked sample, the comparison and the
 * officer's conclusion. Layer: CLI (on src/declare/declare.h).
 * Spec: DESIGN.md §6 "Declarations", docs/DECLARE.md "Check rounds".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../declare/declare.h"
#include "../ledger/ledger.h"
#include "../rules/rules.h"
#include "../store/store.h"
#include "cli.h"

static const char usage_zh[] =
    "用法: plumb declare <子命令> [选项]\n"
    "  round        --year 年度 --unit 单位 [--population all|top] [--candidate 身份证号 ...]\n"
    "               [--reason 理由]   (新建抽查轮次，确定并记录可抽名单)\n"
    "  rounds       列出抽查轮次;  round-show DR-n  (含可抽名单)\n"
    "  draw         DR-n [--key 日志密钥]  (以名单之后首个签名检查点的根哈希为种子抽取)\n"
    "  draw         DR-n --verify  (仅凭日志重新推导抽取结果: 一致 match / 不一致 mismatch)\n"
    "  sample       DR-n   (抽中的申报，按比对得分排序)\n"
    "  compare      申报编号   (逐项比对: 申报 | 登记 | 类别)\n"
    "  conclude     申报编号 --conclusion truthful|omission|concealment --reason 理由\n"
    "通用选项: --db FILE  --lang zh|en  --actor 名称  --scope 单位 (可重复；默认全库)\n"
    "退出码: 0 成功 (--verify: 一致), 1 输入错误或不一致, 2 内部错误\n";
static const char usage_en[] =
    "usage: plumb declare <subcommand> [options]\n"
    "  round        --year YEAR --unit UNIT [--population all|top] [--candidate ID-NUMBER ...]\n"
    "               [--reason TEXT]   (open a check round; fixes and records the eligible list)\n"
    "  rounds       list the rounds;  round-show DR-n  (with the eligible list)\n"
    "  draw         DR-n [--key LOG.key]  (seed: root of the first signed checkpoint after the "
    "list)\n"
    "  draw         DR-n --verify  (re-derive the draw from the ledger alone: match / mismatch)\n"
    "  sample       DR-n   (the drawn declarations ranked by comparison score)\n"
    "  compare      DECLARATION   (item by item: declared | registry | class)\n"
    "  conclude     DECLARATION --conclusion truthful|omission|concealment --reason TEXT\n"
    "common options: --db FILE  --lang zh|en  --actor NAME  --scope UNIT (repeatable; default: "
    "whole store)\n"
    "exit codes: 0 ok (--verify: match), 1 bad input or mismatch, 2 internal error\n";

enum {
    O_DB = 1000,
    O_LANG,
    O_ACTOR,
    O_SCOPE,
    O_YEAR,
    O_UNIT,
    O_POP,
    O_CAND,
    O_REASON,
    O_KEY,
    O_VERIFY,
    O_CONCL
};

static const struct option long_opts[] = {
    {"db", required_argument, NULL, O_DB},
    {"lang", required_argument, NULL, O_LANG},
    {"actor", required_argument, NULL, O_ACTOR},
    {"scope", required_argument, NULL, O_SCOPE},
    {"year", required_argument, NULL, O_YEAR},
    {"unit", required_argument, NULL, O_UNIT},
    {"population", required_argument, NULL, O_POP},
    {"candidate", required_argument, NULL, O_CAND},
    {"reason", required_argument, NULL, O_REASON},
    {"key", required_argument, NULL, O_KEY},
    {"verify", no_argument, NULL, O_VERIFY},
    {"conclusion", required_argument, NULL, O_CONCL},
    {"help", no_argument, NULL, 'h'},
    {0, 0, 0, 0},
};

static int print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2));
    if (s)
        puts(s);
    free(s);
    return PL_EXIT_OK;
}

static int run_declare(pl_cli *cli, int argc, char **argv)
{
    const char *usage = PL_T(cli, usage_zh, usage_en);
    const char *actor = getenv("USER"), *keyf = NULL;
    const char *scopes[16];
    size_t nscopes = 0;
    int verify = 0, c, rc = PL_EXIT_OK;
    json_t *in = json_object(), *cands = json_array();
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case O_DB: cli->db = optarg; break;
        case O_LANG: cli->english = strcmp(optarg, "en") == 0; break;
        case O_ACTOR: actor = optarg; break;
        case O_SCOPE:
            if (nscopes == 16) {
                rc = pl_cli_usage(cli, "declare",
                                  PL_T(cli, "--scope 最多16个", "at most 16 --scope"));
                goto out;
            }
            scopes[nscopes++] = optarg;
            break;
        case O_YEAR: {
            char *end = NULL;
            long long y = strtoll(optarg, &end, 10);
            if (!*optarg || *end)
                json_object_set_new(in, "year", json_string(optarg)); /* refused, naming it */
            else
                json_object_set_new(in, "year", json_integer(y));
            break;
        }
        case O_UNIT: json_object_set_new(in, "unit_id", json_string(optarg)); break;
        case O_POP: json_object_set_new(in, "population", json_string(optarg)); break;
        case O_CAND: json_array_append_new(cands, json_string(optarg)); break;
        case O_REASON: json_object_set_new(in, "reason", json_string(optarg)); break;
        case O_CONCL: json_object_set_new(in, "conclusion", json_string(optarg)); break;
        case O_KEY: keyf = optarg; break;
        case O_VERIFY: verify = 1; break;
        case 'h': fputs(usage, stdout); goto out;
        default:
            fprintf(stderr, "plumb declare: %s: %s\n%s",
                    PL_T(cli, "无效选项或缺少参数", "bad option or missing argument"),
                    argv[optind - 1], usage);
            rc = PL_EXIT_USER;
            goto out;
        }
    }
    if (optind >= argc) {
        rc = pl_cli_usage(cli, "declare", PL_T(cli, "缺少子命令", "missing subcommand"));
        goto out;
    }
    const char *sub = argv[optind++];
    const char *arg = optind < argc ? argv[optind++] : NULL;
    if (optind < argc) {
        rc = pl_cli_usage(cli, "declare", PL_T(cli, "多余的参数", "unexpected argument"));
        goto out;
    }
    if (!actor || !*actor)
        actor = "cli";
    pl_declare_caller who = {actor, scopes, nscopes, nscopes == 0};
    pl_err e;
    pl_err_init(&e);
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    int st = pl_store_open(&s, cli->db, 0, &e);
    if (!st)
        st = pl_ledger_open(&l, s, &e);
    json_t *res = NULL;
    char id[PL_DECLARE_ID_MAX + 1] = "";
    int mismatch = 0;
    int needs_arg = strcmp(sub, "round") != 0 && strcmp(sub, "rounds") != 0;
    if (st) {
        /* reported below */
    } else if (needs_arg && !arg) {
        st = pl_err_set(&e, PL_EINVAL, "%s: %s", sub, PL_T(cli, "需要一个编号", "needs an id"));
    } else if (!needs_arg && arg) {
        st = pl_err_set(&e, PL_EINVAL, "%s: %s '%s'", sub,
                        PL_T(cli, "不接受参数", "takes no argument"), arg);
    } else if (!strcmp(sub, "round")) {
        pl_rules *rules = NULL;
        if (json_array_size(cands))
            json_object_set(in, "candidates", cands);
        if (!(st = pl_rules_new(&rules, s, l, &e)))
            st = pl_declare_round_add(s, l, rules, &who, in, id, &e);
        pl_rules_free(rules);
        if (!st)
            printf("%s\n", id);
    } else if (!strcmp(sub, "rounds")) {
        st = pl_declare_round_get(s, &who, NULL, 0, &res, &e);
    } else if (!strcmp(sub, "round-show")) {
        st = pl_declare_round_get(s, &who, arg, 1, &res, &e);
    } else if (!strcmp(sub, "draw") && verify) {
        st = pl_declare_draw_verify(s, l, &who, arg, &res, &e);
        if (!st) {
            mismatch = strcmp(json_string_value(json_object_get(res, "result")), "match") != 0;
            fprintf(stderr, "%s\n",
                    mismatch ? PL_T(cli, "不一致：抽取结果无法由日志重新推导",
                                    "mismatch: the draw cannot be re-derived from the ledger")
                             : PL_T(cli, "一致：抽取结果已由日志重新推导",
                                    "match: the draw is re-derived from the ledger"));
        }
    } else if (!strcmp(sub, "draw")) {
        pl_signer key;
        int have_key = 0;
        char *kp = keyf ? NULL : pl_cli_log_key_path(cli);
        const char *path = keyf ? keyf : kp;
        if (path) {
            pl_err ke;
            pl_err_init(&ke);
            have_key = pl_key_read_file(&key, path, &ke) == 0;
            if (keyf && !have_key)
                st = pl_err_set(&e, ke.code, "%s", ke.msg);
        }
        free(kp);
        if (!st)
            st = pl_declare_draw(s, l, have_key ? &key : NULL, &who, arg, &res, &e);
        if (have_key)
            pl_signer_wipe(&key);
    } else if (!strcmp(sub, "sample")) {
        st = pl_declare_sample(s, &who, arg, &res, &e);
    } else if (!strcmp(sub, "compare")) {
        st = pl_declare_compare(s, &who, arg, &res, &e);
    } else if (!strcmp(sub, "conclude")) {
        st = pl_declare_conclude(s, l, &who, arg, in, &e);
        if (!st)
            printf("%s\n", arg);
    } else {
        st = pl_err_set(&e, PL_EINVAL, "declare: %s '%s'",
                        PL_T(cli, "未知子命令", "unknown subcommand"), sub);
    }
    if (st)
        rc = pl_cli_fail(cli, st, &e);
    else {
        if (res)
            print_json(res);
        rc = mismatch ? PL_EXIT_USER : PL_EXIT_OK;
    }
    json_decref(res);
    pl_ledger_free(l);
    pl_store_close(s);
out:
    json_decref(in);
    json_decref(cands);
    return rc;
}

const pl_command pl_declare_commands[] = {
    {"declare", "个人有关事项报告抽查：轮次、可验证抽取、逐项比对、核查结论",
     "declaration checks: rounds, the verifiable draw, item-by-item comparison, conclusions",
     run_declare},
    {NULL, NULL, NULL, NULL},
};
