/*
 * cmd_opinion.c — `plumb opinion`: integrity opinions (廉政意见回复) for a
 * slate of appointment candidates: open a slate (the proposals with their
 * reasons), list, show, amend, issue, PDF. Layer: CLI (on
 * src/declare/opinion.h). Spec: DESIGN.md §6 "Integrity file",
 * docs/DECLARE.md "Integrity opinion".
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
    "用法: plumb opinion <子命令> [选项]\n"
    "  slate        --name 名称 --unit 单位 --candidate 身份证号 [--candidate ...]\n"
    "               (新建拟任人选名单，按廉政档案提出每人的意见建议及理由)\n"
    "  slates       列出名单;  show OS-n  (名单及每人的意见)\n"
    "  get          OP-n  (一份意见及其出具历史)\n"
    "  amend        OP-n --opinion no_objection|defer|not_promoted [--reason 理由]\n"
    "               (与系统建议不同时必须说明理由)\n"
    "  issue        OP-n  (出具并签入日志; 再次出具取代前一份)\n"
    "  pdf          OS-n|OP-n -o 文件  (A4, 页脚注明检查点)\n"
    "通用选项: --db FILE  --lang zh|en  --actor 名称  --scope 单位 (可重复；默认全库)\n"
    "退出码: 0 成功, 1 输入错误, 2 内部错误\n";
static const char usage_en[] =
    "usage: plumb opinion <subcommand> [options]\n"
    "  slate        --name NAME --unit UNIT --candidate ID-NUMBER [--candidate ...]\n"
    "               (open a slate of appointment candidates; propose each opinion with its "
    "reasons)\n"
    "  slates       list the slates;  show OS-n  (the slate with each opinion)\n"
    "  get          OP-n  (one opinion with its issue history)\n"
    "  amend        OP-n --opinion no_objection|defer|not_promoted [--reason TEXT]\n"
    "               (the reason is required when the opinion differs from the proposal)\n"
    "  issue        OP-n  (issue and sign into the ledger; a re-issue supersedes)\n"
    "  pdf          OS-n|OP-n -o FILE  (A4, the checkpoint in the footer)\n"
    "common options: --db FILE  --lang zh|en  --actor NAME  --scope UNIT (repeatable; default: "
    "whole store)\n"
    "exit codes: 0 ok, 1 bad input, 2 internal error\n";

enum { O_DB = 1000, O_LANG, O_ACTOR, O_SCOPE, O_NAME, O_UNIT, O_CAND, O_OPINION, O_REASON };

static const struct option long_opts[] = {
    {"db", required_argument, NULL, O_DB},
    {"lang", required_argument, NULL, O_LANG},
    {"actor", required_argument, NULL, O_ACTOR},
    {"scope", required_argument, NULL, O_SCOPE},
    {"name", required_argument, NULL, O_NAME},
    {"unit", required_argument, NULL, O_UNIT},
    {"candidate", required_argument, NULL, O_CAND},
    {"opinion", required_argument, NULL, O_OPINION},
    {"reason", required_argument, NULL, O_REASON},
    {"out", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {0, 0, 0, 0},
};

static void print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2));
    if (s)
        puts(s);
    free(s);
}

static int write_file(const char *path, const pl_buf *b, pl_err *e)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return pl_err_set(e, PL_EINVAL, "-o: %s: cannot open for writing", path);
    int bad = fwrite(b->data, 1, b->len, f) != b->len;
    bad |= fclose(f) != 0;
    return bad ? pl_err_set(e, PL_EIO, "%s: write failed", path) : 0;
}

static int run_opinion(pl_cli *cli, int argc, char **argv)
{
    const char *usage = PL_T(cli, usage_zh, usage_en);
    const char *actor = getenv("USER"), *outf = NULL;
    const char *scopes[16];
    size_t nscopes = 0;
    int c, rc = PL_EXIT_OK;
    json_t *in = json_object(), *cands = json_array();
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", long_opts, NULL)) != -1) {
        switch (c) {
        case O_DB: cli->db = optarg; break;
        case O_LANG: cli->english = strcmp(optarg, "en") == 0; break;
        case O_ACTOR: actor = optarg; break;
        case O_SCOPE:
            if (nscopes == 16) {
                rc = pl_cli_usage(cli, "opinion",
                                  PL_T(cli, "--scope 最多16个", "at most 16 --scope"));
                goto out;
            }
            scopes[nscopes++] = optarg;
            break;
        case O_NAME: json_object_set_new(in, "name", json_string(optarg)); break;
        case O_UNIT: json_object_set_new(in, "unit_id", json_string(optarg)); break;
        case O_CAND: json_array_append_new(cands, json_string(optarg)); break;
        case O_OPINION: json_object_set_new(in, "opinion", json_string(optarg)); break;
        case O_REASON: json_object_set_new(in, "reason", json_string(optarg)); break;
        case 'o': outf = optarg; break;
        case 'h': fputs(usage, stdout); goto out;
        default:
            fprintf(stderr, "plumb opinion: %s: %s\n%s",
                    PL_T(cli, "无效选项或缺少参数", "bad option or missing argument"),
                    argv[optind - 1], usage);
            rc = PL_EXIT_USER;
            goto out;
        }
    }
    if (optind >= argc) {
        rc = pl_cli_usage(cli, "opinion", PL_T(cli, "缺少子命令", "missing subcommand"));
        goto out;
    }
    const char *sub = argv[optind++];
    const char *arg = optind < argc ? argv[optind++] : NULL;
    if (optind < argc) {
        rc = pl_cli_usage(cli, "opinion", PL_T(cli, "多余的参数", "unexpected argument"));
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
    int needs_arg = strcmp(sub, "slate") != 0 && strcmp(sub, "slates") != 0;
    int en = cli->english;
    if (st) {
        /* reported below */
    } else if (needs_arg && !arg) {
        st = pl_err_set(&e, PL_EINVAL, "%s: %s", sub, PL_T(cli, "需要一个编号", "needs an id"));
    } else if (!needs_arg && arg) {
        st = pl_err_set(&e, PL_EINVAL, "%s: %s '%s'", sub,
                        PL_T(cli, "不接受参数", "takes no argument"), arg);
    } else if (!strcmp(sub, "slate")) {
        pl_rules *rules = NULL;
        json_object_set(in, "candidates", cands);
        json_object_del(in, "opinion");
        json_object_del(in, "reason");
        if (!(st = pl_rules_new(&rules, s, l, &e)))
            st = pl_opinion_slate_add(s, l, rules, &who, in, id, &e);
        pl_rules_free(rules);
        if (!st)
            printf("%s\n", id);
    } else if (!strcmp(sub, "slates")) {
        st = pl_opinion_slate_get(s, &who, NULL, en, &res, &e);
    } else if (!strcmp(sub, "show")) {
        st = pl_opinion_slate_get(s, &who, arg, en, &res, &e);
    } else if (!strcmp(sub, "get")) {
        st = pl_opinion_get(s, &who, arg, en, &res, &e);
    } else if (!strcmp(sub, "amend")) {
        if (!json_object_get(in, "opinion"))
            json_object_set_new(in, "opinion", json_null());
        json_object_del(in, "name");
        json_object_del(in, "unit_id");
        st = pl_opinion_amend(s, l, &who, arg, in, &e);
        if (!st)
            printf("%s\n", arg);
    } else if (!strcmp(sub, "issue")) {
        json_t *empty = json_object();
        st = pl_opinion_issue(s, l, &who, arg, empty, &e);
        json_decref(empty);
        if (!st)
            printf("%s\n", arg);
    } else if (!strcmp(sub, "pdf")) {
        if (!outf)
            st = pl_err_set(&e, PL_EINVAL, "-o: %s",
                            PL_T(cli, "须指定输出文件", "an output file is required"));
        else if (!strncmp(arg, "OS-", 3))
            st = pl_opinion_slate_get(s, &who, arg, en, &res, &e);
        else
            st = pl_opinion_get(s, &who, arg, en, &res, &e);
        if (!st) {
            pl_buf pdf;
            pl_buf_init(&pdf);
            st = pl_opinion_pdf(s, res, en, &pdf, &e);
            if (!st)
                st = write_file(outf, &pdf, &e);
            pl_buf_release(&pdf);
            json_decref(res);
            res = NULL;
        }
    } else {
        st = pl_err_set(&e, PL_EINVAL, "opinion: %s '%s'",
                        PL_T(cli, "未知子命令", "unknown subcommand"), sub);
    }
    if (st)
        rc = pl_cli_fail(cli, st, &e);
    else if (res)
        print_json(res);
    json_decref(res);
    pl_ledger_free(l);
    pl_store_close(s);
out:
    json_decref(in);
    json_decref(cands);
    return rc;
}

const pl_command pl_opinion_commands[] = {
    {"opinion", "廉政意见回复：拟任人选名单、意见建议及理由、修改、出具、PDF",
     "integrity opinions: candidate slates, proposals with reasons, amend, issue, PDF",
     run_opinion},
    {NULL, NULL, NULL, NULL},
};
