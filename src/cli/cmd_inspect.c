/*
 * cmd_inspect.c — `plumb inspect`: inspection rounds, problems,
 * rectification tasks, progress, sign-off / send-back / re-open (回头看),
 * lists and records. Layer: CLI (on src/inspect/inspect.h).
 * Spec: DESIGN.md §7b, docs/INSPECT.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../inspect/inspect.h"
#include "../ledger/ledger.h"
#include "../rules/rules.h"
#include "../store/store.h"
#include "cli.h"

#define MAX_LIST 64

static const char usage_zh[] =
    "用法: plumb inspect <子命令> [选项]\n"
    "  round-add    --round-no N --level county|prefecture --team 名称 --leader 身份证号\n"
    "               --start 日期 --end 日期 --unit 单位 [--unit 单位 ...] [--reason 理由]\n"
    "  problem-add  --round IR-n --unit 单位 --category 类别 --description 文本 --found-at 日期\n"
    "               [--person 身份证号] [--evidence 实体:ID ...] [--notes 内部备注] [--reason "
    "理由]\n"
    "  criticism-add --activity 民主生活会编号 --person 身份证号 --description 文本 [--reason "
    "理由]\n"
    "               (民主生活会批评意见，可像问题一样建整改任务: task-add --problem LM-n)\n"
    "  task-add     --problem IP-n --responsible 身份证号 --measures 文本 --deadline 日期\n"
    "               [--owner 单位] [--reason 理由]\n"
    "  progress     RT-n --text 文本 [--evidence 实体:ID | 文件名=sha256 ...]\n"
    "  signoff      RT-n --reason 理由     (销号：须有整改证据)\n"
    "  sendback     RT-n --reason 理由     (退回)\n"
    "  reopen       RT-n --reason 理由     (回头看：重新打开已销号任务)\n"
    "  approve      RT-n --reason 理由     (审批同意待审批的销号)\n"
    "  refuse       RT-n --reason 理由     (审批不同意：任务不变)\n"
    "  approver     单位 (--role 角色 | --person 身份证号) --reason 理由\n"
    "               (该单位及下级单位一把手所在单位整改任务销号的审批人)\n"
    "  list         rounds|problems|criticisms|tasks [--round IR-n] [--problem IP-n] [--unit 单位] "
    "[--status 状态]\n"
    "  show         round|problem|criticism|task ID\n"
    "  handover     IP-n --reason 理由     (移交问题线索：转为纪检监察问题线索)\n"
    "  ledger       [--round IR-n] [--unit 单位] [--status 状态] [--overdue] [--xlsx 文件]\n"
    "               (整改台账：每个整改任务一行；--xlsx 导出 Excel，否则输出 JSON)\n"
    "  stats        [--round IR-n] [--unit 单位]\n"
    "               (整改任务统计：总数、各状态数、逾期数、待审批数，JSON)\n"
    "类别: political 政治建设, power 用权, money 用财, personnel 用人, conduct 作风,\n"
    "      leadership 领导班子, top_leader 一把手\n"
    "通用选项: --db FILE  --lang zh|en  --actor 名称  --scope 单位 (可重复；默认全库)\n"
    "          --json FILE (以 JSON 对象给出输入，同 API 请求体；- 为标准输入)\n"
    "退出码: 0 成功, 1 输入错误, 2 内部错误\n";
static const char usage_en[] =
    "usage: plumb inspect <subcommand> [options]\n"
    "  round-add    --round-no N --level county|prefecture --team NAME --leader ID-NUMBER\n"
    "               --start DATE --end DATE --unit UNIT [--unit UNIT ...] [--reason TEXT]\n"
    "  problem-add  --round IR-n --unit UNIT --category CODE --description TEXT --found-at DATE\n"
    "               [--person ID-NUMBER] [--evidence ENTITY:ID ...] [--notes TEXT] [--reason "
    "TEXT]\n"
    "  criticism-add --activity ACTIVITY --person ID-NUMBER --description TEXT [--reason TEXT]\n"
    "               (democratic life meeting criticism item; takes tasks: task-add --problem "
    "LM-n)\n"
    "  task-add     --problem IP-n --responsible ID-NUMBER --measures TEXT --deadline DATE\n"
    "               [--owner UNIT] [--reason TEXT]\n"
    "  progress     RT-n --text TEXT [--evidence ENTITY:ID | NAME=SHA256 ...]\n"
    "  signoff      RT-n --reason TEXT     (sign-off 销号: needs evidence)\n"
    "  sendback     RT-n --reason TEXT     (send back)\n"
    "  reopen       RT-n --reason TEXT     (回头看: re-open a signed-off task)\n"
    "  approve      RT-n --reason TEXT     (approve a sign-off waiting for approval 审批)\n"
    "  refuse       RT-n --reason TEXT     (refuse it: the task stays)\n"
    "  approver     UNIT (--role ROLE | --person ID-NUMBER) --reason TEXT\n"
    "               (who approves the sign-off of a top leader's unit's task in UNIT's subtree)\n"
    "  list         rounds|problems|criticisms|tasks [--round IR-n] [--problem IP-n] [--unit UNIT] "
    "[--status STATUS]\n"
    "  show         round|problem|criticism|task ID\n"
    "  handover     IP-n --reason TEXT     (hand to the discipline office as a clue)\n"
    "  ledger       [--round IR-n] [--unit UNIT] [--status STATUS] [--overdue] [--xlsx FILE]\n"
    "               (rectification ledger 整改台账: one row per task; --xlsx writes Excel, "
    "else JSON)\n"
    "  stats        [--round IR-n] [--unit UNIT]\n"
    "               (task counts: total, per status, overdue, pending approval, as JSON)\n"
    "categories: political, power, money, personnel, conduct, leadership, top_leader\n"
    "common options: --db FILE  --lang zh|en  --actor NAME  --scope UNIT (repeatable; default: "
    "whole store)\n"
    "                --json FILE (the input as a JSON object, as the API's body; - = stdin)\n"
    "exit codes: 0 ok, 1 bad input, 2 internal error\n";

enum {
    O_DB = 1000,
    O_LANG,
    O_ACTOR,
    O_SCOPE,
    O_JSON,
    O_ROUND_NO,
    O_LEVEL,
    O_TEAM,
    O_LEADER,
    O_START,
    O_END,
    O_UNIT,
    O_REASON,
    O_ROUND,
    O_CATEGORY,
    O_DESCRIPTION,
    O_FOUND_AT,
    O_PERSON,
    O_EVIDENCE,
    O_NOTES,
    O_PROBLEM,
    O_RESPONSIBLE,
    O_MEASURES,
    O_DEADLINE,
    O_OWNER,
    O_TEXT,
    O_STATUS,
    O_ACTIVITY,
    O_ROLE,
    O_XLSX,
    O_OVERDUE,
};

static const struct option long_opts[] = {
    {"db", required_argument, NULL, O_DB},
    {"lang", required_argument, NULL, O_LANG},
    {"actor", required_argument, NULL, O_ACTOR},
    {"scope", required_argument, NULL, O_SCOPE},
    {"json", required_argument, NULL, O_JSON},
    {"round-no", required_argument, NULL, O_ROUND_NO},
    {"level", required_argument, NULL, O_LEVEL},
    {"team", required_argument, NULL, O_TEAM},
    {"leader", required_argument, NULL, O_LEADER},
    {"start", required_argument, NULL, O_START},
    {"end", required_argument, NULL, O_END},
    {"unit", required_argument, NULL, O_UNIT},
    {"reason", required_argument, NULL, O_REASON},
    {"round", required_argument, NULL, O_ROUND},
    {"category", required_argument, NULL, O_CATEGORY},
    {"description", required_argument, NULL, O_DESCRIPTION},
    {"found-at", required_argument, NULL, O_FOUND_AT},
    {"person", required_argument, NULL, O_PERSON},
    {"evidence", required_argument, NULL, O_EVIDENCE},
    {"notes", required_argument, NULL, O_NOTES},
    {"problem", required_argument, NULL, O_PROBLEM},
    {"responsible", required_argument, NULL, O_RESPONSIBLE},
    {"measures", required_argument, NULL, O_MEASURES},
    {"deadline", required_argument, NULL, O_DEADLINE},
    {"owner", required_argument, NULL, O_OWNER},
    {"text", required_argument, NULL, O_TEXT},
    {"status", required_argument, NULL, O_STATUS},
    {"activity", required_argument, NULL, O_ACTIVITY},
    {"role", required_argument, NULL, O_ROLE},
    {"xlsx", required_argument, NULL, O_XLSX},
    {"overdue", no_argument, NULL, O_OVERDUE},
    {"help", no_argument, NULL, 'h'},
    {0, 0, 0, 0},
};

/* Option name → body member, for the string options. */
static const struct {
    int opt;
    const char *member;
} members[] = {
    {O_ROUND_NO, "round_no"},
    {O_LEVEL, "level"},
    {O_TEAM, "team"},
    {O_LEADER, "leader_person_id"},
    {O_START, "start_date"},
    {O_END, "end_date"},
    {O_REASON, "reason"},
    {O_ROUND, "round_id"},
    {O_CATEGORY, "category"},
    {O_DESCRIPTION, "description"},
    {O_FOUND_AT, "found_at"},
    {O_PERSON, "person_id"},
    {O_NOTES, "team_notes"},
    {O_PROBLEM, "problem_id"},
    {O_RESPONSIBLE, "responsible_person_id"},
    {O_MEASURES, "measures"},
    {O_DEADLINE, "deadline"},
    {O_OWNER, "owner_unit_id"},
    {O_TEXT, "text"},
    {O_STATUS, "status"},
    {O_ACTIVITY, "activity_id"},
    {O_ROLE, "role"},
};

/* "entity:id" → {entity, id}; "name=sha256" → {name, sha256}. */
static json_t *evidence_item(const char *s)
{
    const char *eq = strrchr(s, '=');
    if (eq && strlen(eq + 1) == 64)
        return json_pack("{s:s%, s:s}", "name", s, (size_t)(eq - s), "sha256", eq + 1);
    const char *colon = strchr(s, ':');
    if (colon)
        return json_pack("{s:s%, s:s}", "entity", s, (size_t)(colon - s), "id", colon + 1);
    return json_pack("{s:s}", "evidence", s); /* refused by the library, naming the item */
}

static int print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2));
    if (s)
        puts(s);
    free(s);
    return PL_EXIT_OK;
}

static int run_inspect(pl_cli *cli, int argc, char **argv)
{
    const char *usage = PL_T(cli, usage_zh, usage_en);
    const char *actor = getenv("USER"), *json_file = NULL;
    const char *scopes[16];
    size_t nscopes = 0;
    json_t *in = json_object(), *units = json_array(), *evidence = json_array();
    const char *unit_opt = NULL, *xlsx = NULL;
    int c, rc = PL_EXIT_OK, overdue = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case O_DB: cli->db = optarg; break;
        case O_LANG: cli->english = strcmp(optarg, "en") == 0; break;
        case O_ACTOR: actor = optarg; break;
        case O_JSON: json_file = optarg; break;
        case O_SCOPE:
            if (nscopes == 16) {
                rc = pl_cli_usage(cli, "inspect",
                                  PL_T(cli, "--scope 最多16个", "at most 16 --scope"));
                goto out;
            }
            scopes[nscopes++] = optarg;
            break;
        case O_UNIT:
            json_array_append_new(units, json_string(optarg));
            unit_opt = optarg;
            break;
        case O_EVIDENCE: json_array_append_new(evidence, evidence_item(optarg)); break;
        case O_XLSX: xlsx = optarg; break;
        case O_OVERDUE: overdue = 1; break;
        case 'h': fputs(usage, stdout); goto out;
        default: {
            size_t i = 0;
            while (i < sizeof members / sizeof members[0] && members[i].opt != c)
                i++;
            if (i == sizeof members / sizeof members[0]) {
                fprintf(stderr, "plumb inspect: %s: %s\n%s",
                        PL_T(cli, "无效选项或缺少参数", "bad option or missing argument"),
                        argv[optind - 1], usage);
                rc = PL_EXIT_USER;
                goto out;
            }
            json_object_set_new(in, members[i].member, json_string(optarg));
        }
        }
    }
    if (optind >= argc) {
        rc = pl_cli_usage(cli, "inspect", PL_T(cli, "缺少子命令", "missing subcommand"));
        goto out;
    }
    const char *sub = argv[optind++];
    const char *arg = optind < argc ? argv[optind++] : NULL;
    const char *arg2 = optind < argc ? argv[optind++] : NULL;
    if (optind < argc) {
        rc = pl_cli_usage(cli, "inspect", PL_T(cli, "多余的参数", "unexpected argument"));
        goto out;
    }
    if (json_file) {
        json_error_t je;
        json_t *j = strcmp(json_file, "-") == 0 ? json_loadf(stdin, 0, &je)
                                                : json_load_file(json_file, 0, &je);
        if (!j || !json_is_object(j)) {
            fprintf(stderr, "plumb: %s:%d: %s\n", json_file, je.line,
                    j ? PL_T(cli, "须为 JSON 对象", "must be a JSON object") : je.text);
            json_decref(j);
            rc = PL_EXIT_USER;
            goto out;
        }
        json_object_update(j, in);
        json_decref(in);
        in = j;
    }
    if (!actor || !*actor)
        actor = "cli";
    pl_inspect_caller who = {actor, scopes, nscopes, nscopes == 0, 1, NULL, 0, NULL, NULL};
    pl_err e;
    pl_err_init(&e);
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    int st = pl_store_open(&s, cli->db, 0, &e);
    if (!st)
        st = pl_ledger_open(&l, s, &e);
    char id[PL_INSPECT_ID_MAX + 1] = "";
    json_t *res = NULL;
    int created = 0;
    if (st) {
        /* fall through to the report */
    } else if (!strcmp(sub, "round-add") || !strcmp(sub, "problem-add") ||
               !strcmp(sub, "criticism-add") || !strcmp(sub, "task-add")) {
        if (arg) {
            st = pl_err_set(&e, PL_EINVAL, "%s: %s '%s'", sub,
                            PL_T(cli, "不接受参数", "takes no argument"), arg);
        } else if (!strcmp(sub, "round-add")) {
            if (json_array_size(units))
                json_object_set(in, "units", units);
            st = pl_inspect_round_add(s, l, &who, in, id, &e);
        } else if (!strcmp(sub, "problem-add")) {
            if (unit_opt)
                json_object_set_new(in, "unit_id", json_string(unit_opt));
            if (json_array_size(evidence))
                json_object_set(in, "evidence", evidence);
            st = pl_inspect_problem_add(s, l, &who, in, id, &e);
        } else if (!strcmp(sub, "criticism-add")) {
            st = pl_inspect_criticism_add(s, l, &who, in, id, &e);
        } else {
            st = pl_inspect_task_add(s, l, &who, in, id, &e);
        }
        created = 1;
    } else if (!strcmp(sub, "progress") || !strcmp(sub, "signoff") || !strcmp(sub, "sendback") ||
               !strcmp(sub, "reopen") || !strcmp(sub, "approve") || !strcmp(sub, "refuse")) {
        if (!arg || arg2) {
            st = pl_err_set(&e, PL_EINVAL, "%s: %s", sub,
                            PL_T(cli, "需要一个任务编号 RT-n", "needs one task id RT-n"));
        } else if (!strcmp(sub, "progress")) {
            if (json_array_size(evidence))
                json_object_set(in, "evidence", evidence);
            st = pl_inspect_progress(s, l, &who, arg, in, &e);
        } else if (!strcmp(sub, "signoff")) {
            int pending = 0;
            st = pl_inspect_signoff_p(s, l, &who, arg, in, &pending, &e);
            if (!st && pending)
                fprintf(stderr, "%s\n",
                        PL_T(cli, "销号已提请审批，任务状态不变",
                             "the sign-off waits for approval; the task does not move"));
        } else if (!strcmp(sub, "approve") || !strcmp(sub, "refuse")) {
            st = pl_inspect_decide(s, l, &who, arg, !strcmp(sub, "approve"), in, &e);
        } else if (!strcmp(sub, "sendback")) {
            st = pl_inspect_sendback(s, l, &who, arg, in, &e);
        } else {
            st = pl_inspect_reopen(s, l, &who, arg, in, &e);
        }
        snprintf(id, sizeof id, "%s", arg ? arg : "");
        created = 1;
    } else if (!strcmp(sub, "approver")) {
        if (!arg || arg2)
            st = pl_err_set(&e, PL_EINVAL, "approver: %s",
                            PL_T(cli, "需要一个单位编号", "needs one unit id"));
        else
            st = pl_inspect_set_approver(s, l, &who, arg, in, &e);
        snprintf(id, sizeof id, "%s", arg ? arg : "");
        created = 1;
    } else if (!strcmp(sub, "handover")) {
        char clue[PL_CASES_ID_MAX + 1] = "";
        pl_cases *cases = NULL;
        pl_rules *rules = NULL;
        if (!arg || arg2)
            st = pl_err_set(&e, PL_EINVAL, "handover: %s",
                            PL_T(cli, "需要一个问题编号 IP-n", "needs one problem id IP-n"));
        else if (!(st = pl_rules_new(&rules, s, l, &e)) && !(st = pl_cases_new(&cases, s, l, &e))) {
            /* Deadlines from the rule profiles, as `plumb clue add`. */
            pl_cases_set_rules(cases, rules);
            pl_viewer v = {PL_CASES_ROLE_SYSTEM, actor, NULL, NULL};
            if (nscopes) {
                v.role = PL_CASES_ROLE_INSPECTION;
                v.scope_unit_id = scopes[0];
            }
            st = pl_inspect_handover(s, l, cases, &v, &who, arg, in, clue, &e);
        }
        pl_cases_free(cases);
        pl_rules_free(rules);
        snprintf(id, sizeof id, "%s", clue);
        created = 1;
    } else if (!strcmp(sub, "list") || !strcmp(sub, "show")) {
        const char *what = arg ? arg : "";
        pl_inspect_kind kind = PL_INSPECT_ROUND;
        int ok = 1;
        if (!strncmp(what, "round", 5))
            kind = PL_INSPECT_ROUND;
        else if (!strncmp(what, "problem", 7))
            kind = PL_INSPECT_PROBLEM;
        else if (!strncmp(what, "task", 4))
            kind = PL_INSPECT_TASK;
        else if (!strncmp(what, "criticism", 9))
            kind = PL_INSPECT_CRITICISM;
        else
            ok = 0;
        if (!ok)
            st = pl_err_set(
                &e, PL_EINVAL, "%s: %s", sub,
                PL_T(cli, "须为 rounds、problems 或 tasks", "must be rounds, problems or tasks"));
        else if (!strcmp(sub, "show")) {
            if (!arg2)
                st = pl_err_set(&e, PL_EINVAL, "show: %s",
                                PL_T(cli, "需要记录编号", "needs a record id"));
            else
                st = pl_inspect_get(s, &who, kind, arg2, &res, &e);
        } else {
            pl_inspect_filter f = {json_string_value(json_object_get(in, "round_id")),
                                   json_string_value(json_object_get(in, "problem_id")),
                                   json_string_value(json_object_get(in, "status")),
                                   unit_opt,
                                   0,
                                   0,
                                   overdue};
            if (arg2)
                st = pl_err_set(&e, PL_EINVAL, "list: %s '%s'",
                                PL_T(cli, "多余的参数", "unexpected argument"), arg2);
            else
                st = pl_inspect_list(s, &who, kind, &f, &res, NULL, &e);
        }
    } else if (!strcmp(sub, "stats")) {
        /* The dashboard's numbers (docs/INSPECT.md §7a): the API's
         * function, without the overdue rows. */
        const char *round = json_string_value(json_object_get(in, "round_id"));
        if (arg)
            st = pl_err_set(&e, PL_EINVAL, "stats: %s '%s'",
                            PL_T(cli, "多余的参数", "unexpected argument"), arg);
        else /* an unknown round (or none in scope): an error naming round_id */
            st = pl_inspect_task_stats(s, &who, round, unit_opt, 0, &res, &e);
    } else if (!strcmp(sub, "ledger")) {
        /* The rectification ledger (整改台账, docs/INSPECT.md §7). */
        pl_inspect_filter f = {json_string_value(json_object_get(in, "round_id")),
                               NULL,
                               json_string_value(json_object_get(in, "status")),
                               unit_opt,
                               0,
                               0,
                               overdue};
        int64_t n = 0;
        if (arg)
            st = pl_err_set(&e, PL_EINVAL, "ledger: %s '%s'",
                            PL_T(cli, "多余的参数", "unexpected argument"), arg);
        else if (f.round_id &&
                 (st = pl_inspect_get(s, &who, PL_INSPECT_ROUND, f.round_id, &res, &e)) != 0)
            ; /* the round must exist (in scope): its error names round */
        else if (json_decref(res), res = NULL, xlsx) {
            st = pl_inspect_ledger_xlsx(s, &who, &f, cli->english, xlsx, &n, &e);
            if (!st)
                printf(PL_T(cli, "整改台账: %lld 个整改任务 → %s\n",
                            "rectification ledger: %lld tasks → %s\n"),
                       (long long)n, xlsx);
        } else {
            st = pl_inspect_ledger(s, &who, &f, cli->english, &res, NULL, &e);
        }
    } else {
        st = pl_err_set(&e, PL_EINVAL, "inspect: %s '%s'",
                        PL_T(cli, "未知子命令", "unknown subcommand"), sub);
    }
    if (st)
        rc = pl_cli_fail(cli, st, &e);
    else if (res)
        rc = print_json(res);
    else if (created)
        printf("%s\n", id);
    json_decref(res);
    pl_ledger_free(l);
    pl_store_close(s);
out:
    json_decref(in);
    json_decref(units);
    json_decref(evidence);
    return rc;
}

const pl_command pl_inspect_commands[] = {
    {"inspect", "巡察与整改：轮次、问题、整改任务、进展、销号、退回、回头看",
     "inspection and rectification: rounds, problems, tasks, progress, sign-off, send-back, "
     "re-open",
     run_inspect},
    {NULL, NULL, NULL, NULL},
};
