/*
 * cmd_tasks.c — `plumb task` (the warnings' tasks: list, show, assign,
 * reassign, accept, progress, close, overdue) and `plumb judge` (the 研判
 * meeting: record, list, show). Layer: CLI (on src/inspect/tasks.h). The
 * CLI is the local operator: the whole store, may assign; a step only the
 * assignee may take needs --as USER. Spec: docs/RULES.md "Tasks and 研判".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../inspect/tasks.h"
#include "../ledger/ledger.h"
#include "../store/store.h"
#include "cli.h"

static const char task_usage_zh[] =
    "用法: plumb task <子命令> [选项]\n"
    "  list     [--status 状态] [--assignee 账号]   预警任务（按到期日）\n"
    "  show     任务编号                            任务、预警颜色与历史\n"
    "  assign   任务编号 --user 账号 [--reason 理由] [--due 日期]\n"
    "  reassign 任务编号 --user 账号 --reason 理由 [--due 日期]\n"
    "  accept   任务编号 --as 账号 [--text 说明]    （承办人接受）\n"
    "  progress 任务编号 --as 账号 --text 进展 [--evidence 实体:ID | 文件名=sha256 ...]\n"
    "  close    任务编号 --reason 理由 --evidence ... [--as 账号]\n"
    "  overdue  [--as-of 日期]                      逾期任务将预警升一级（事件）\n"
    "状态: open 待分派 → assigned 已分派 → accepted 已接受 → in_progress 办理中 → closed 已关闭\n"
    "通用选项: --db FILE  --lang zh|en  --json FILE（输入为 JSON 对象，同 API 请求体）\n"
    "退出码: 0 成功, 1 输入错误, 2 内部错误\n";
static const char task_usage_en[] =
    "usage: plumb task <subcommand> [options]\n"
    "  list     [--status STATUS] [--assignee USER]   the warnings' tasks, by due date\n"
    "  show     TASK                                  a task, its warning's colour, history\n"
    "  assign   TASK --user USER [--reason TEXT] [--due DATE]\n"
    "  reassign TASK --user USER --reason TEXT [--due DATE]\n"
    "  accept   TASK --as USER [--text TEXT]          (the assignee accepts)\n"
    "  progress TASK --as USER --text TEXT [--evidence ENTITY:ID | NAME=SHA256 ...]\n"
    "  close    TASK --reason TEXT --evidence ... [--as USER]\n"
    "  overdue  [--as-of DATE]                        raise the warning of each late task (event)\n"
    "status: open → assigned → accepted → in_progress → closed\n"
    "common options: --db FILE  --lang zh|en  --json FILE (the input as a JSON object, as the "
    "API's body)\n"
    "exit codes: 0 ok, 1 bad input, 2 internal error\n";
static const char judge_usage_zh[] =
    "用法: plumb judge <子命令> [选项]\n"
    "  record   --json FILE（- 为标准输入）[--as 账号]  记录研判会：\n"
    "           {\"held_on\":日期, \"attendees\":[{\"user\":账号}|{\"person_id\":身份证号}],\n"
    "            \"notes\":文本, \"decisions\":[{\"warning_id\",\"decision\":keep 维持|lower "
    "降级|\n"
    "            raise 升级|open_clue 立线索|close 关闭, \"reason\"}]}\n"
    "  list                                  研判会记录（新的在前）\n"
    "  show     JM-n                          一次研判会\n"
    "通用选项: --db FILE  --lang zh|en\n";
static const char judge_usage_en[] =
    "usage: plumb judge <subcommand> [options]\n"
    "  record   --json FILE (- = stdin) [--as USER]  record a 研判 meeting:\n"
    "           {\"held_on\": DATE, \"attendees\": [{\"user\"} | {\"person_id\"}], \"notes\",\n"
    "            \"decisions\": [{\"warning_id\", \"decision\": keep|lower|raise|open_clue|close,\n"
    "            \"reason\"}]}\n"
    "  list                                  the meetings, newest first\n"
    "  show     JM-n                          one meeting\n"
    "common options: --db FILE  --lang zh|en\n";

enum {
    O_DB = 1000,
    O_LANG,
    O_JSON,
    O_AS,
    O_USER,
    O_REASON,
    O_DUE,
    O_TEXT,
    O_EVIDENCE,
    O_STATUS,
    O_ASSIGNEE,
    O_ASOF
};

static const struct option long_opts[] = {
    {"db", required_argument, NULL, O_DB},
    {"lang", required_argument, NULL, O_LANG},
    {"json", required_argument, NULL, O_JSON},
    {"as", required_argument, NULL, O_AS},
    {"user", required_argument, NULL, O_USER},
    {"reason", required_argument, NULL, O_REASON},
    {"due", required_argument, NULL, O_DUE},
    {"text", required_argument, NULL, O_TEXT},
    {"evidence", required_argument, NULL, O_EVIDENCE},
    {"status", required_argument, NULL, O_STATUS},
    {"assignee", required_argument, NULL, O_ASSIGNEE},
    {"as-of", required_argument, NULL, O_ASOF},
    {"help", no_argument, NULL, 'h'},
    {0, 0, 0, 0},
};

/* "entity:id" → {"entity","id"}; "name=sha256" → {"name","sha256"}. */
static json_t *evidence_item(const char *arg)
{
    const char *eq = strrchr(arg, '='), *colon = strchr(arg, ':');
    if (eq)
        return json_pack("{s:s%, s:s}", "name", arg, (size_t)(eq - arg), "sha256", eq + 1);
    if (colon)
        return json_pack("{s:s%, s:s}", "entity", arg, (size_t)(colon - arg), "id", colon + 1);
    return json_string(arg); /* refused by the library, naming evidence */
}

static int print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (s)
        printf("%s\n", s);
    free(s);
    return PL_EXIT_OK;
}

static int run(pl_cli *cli, int argc, char **argv, int judge)
{
    const char *usage =
        judge ? PL_T(cli, judge_usage_zh, judge_usage_en) : PL_T(cli, task_usage_zh, task_usage_en);
    const char *json_file = NULL, *as = NULL, *status = NULL, *assignee = NULL, *as_of = NULL;
    json_t *in = json_object(), *evidence = json_array();
    int rc = PL_EXIT_OK;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (ch) {
        case O_DB: cli->db = optarg; break;
        case O_LANG: cli->english = strcmp(optarg, "en") == 0; break;
        case O_JSON: json_file = optarg; break;
        case O_AS: as = optarg; break;
        case O_USER: json_object_set_new(in, "user", json_string(optarg)); break;
        case O_REASON: json_object_set_new(in, "reason", json_string(optarg)); break;
        case O_DUE: json_object_set_new(in, "due_date", json_string(optarg)); break;
        case O_TEXT: json_object_set_new(in, "text", json_string(optarg)); break;
        case O_EVIDENCE: json_array_append_new(evidence, evidence_item(optarg)); break;
        case O_STATUS: status = optarg; break;
        case O_ASSIGNEE: assignee = optarg; break;
        case O_ASOF: as_of = optarg; break;
        case 'h':
            fputs(usage, stdout);
            json_decref(in);
            json_decref(evidence);
            return PL_EXIT_OK;
        default:
            json_decref(in);
            json_decref(evidence);
            return pl_cli_usage(cli, judge ? "judge" : "task", NULL);
        }
    }
    const char *sub = optind < argc ? argv[optind] : NULL;
    const char *id = optind + 1 < argc ? argv[optind + 1] : NULL;
    if (!sub) {
        json_decref(in);
        json_decref(evidence);
        return pl_cli_usage(cli, judge ? "judge" : "task",
                            PL_T(cli, "缺少子命令", "missing subcommand"));
    }
    if (json_array_size(evidence))
        json_object_set(in, "evidence", evidence);
    pl_err e;
    pl_err_init(&e);
    int st = 0;
    if (json_file) {
        json_error_t je;
        json_t *f = strcmp(json_file, "-") == 0 ? json_loadf(stdin, 0, &je)
                                                : json_load_file(json_file, 0, &je);
        if (!f || !json_is_object(f))
            st = pl_err_set(&e, PL_EINVAL, "%s:%d: %s", json_file, je.line,
                            f ? PL_T(cli, "须为 JSON 对象", "must be a JSON object") : je.text);
        else
            json_object_update(in, f);
        json_decref(f);
    }
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    pl_cases *cases = NULL;
    if (!st)
        st = pl_store_open(&s, cli->db, 0, &e);
    if (!st)
        st = pl_ledger_open(&l, s, &e);
    pl_tasks_caller who = {as ? as : "cli", NULL, 0, 1, NULL, 0, 1};
    json_t *res = NULL;
    char jid[PL_TASKS_ID_MAX + 1] = "";
    int need_id =
        strcmp(sub, "list") != 0 && strcmp(sub, "overdue") != 0 && strcmp(sub, "record") != 0;
    if (!st && need_id && !id)
        st = pl_err_set(&e, PL_EINVAL, "%s: %s", sub, PL_T(cli, "缺少编号", "missing id"));
    if (st) {
        /* nothing more */
    } else if (judge && strcmp(sub, "record") == 0) {
        st = pl_cases_new(&cases, s, l, &e);
        pl_viewer v = {PL_CASES_ROLE_SYSTEM, who.actor, NULL, NULL};
        if (!st)
            st = pl_tasks_judgement_record(s, l, cases, &v, &who, in, jid, &e);
        if (!st)
            st = pl_tasks_judgement_get(s, &who, jid, &res, &e);
    } else if (judge && strcmp(sub, "list") == 0) {
        st = pl_tasks_judgement_get(s, &who, NULL, &res, &e);
    } else if (judge && strcmp(sub, "show") == 0) {
        st = pl_tasks_judgement_get(s, &who, id, &res, &e);
    } else if (!judge && strcmp(sub, "list") == 0) {
        st = pl_tasks_list(s, &who, status, assignee, &res, &e);
    } else if (!judge && strcmp(sub, "show") == 0) {
        st = pl_tasks_get(s, &who, id, &res, &e);
    } else if (!judge && strcmp(sub, "overdue") == 0) {
        char day[21];
        pl_time_format_clock(day, pl_time_now());
        day[10] = 0;
        int64_t n = 0;
        st = pl_tasks_overdue(s, l, "clock", as_of ? as_of : day, &n, &e);
        if (!st)
            printf("%s: %lld\n",
                   PL_T(cli, "逾期任务升级预警", "overdue tasks raising their warning"),
                   (long long)n);
    } else if (!judge && (strcmp(sub, "assign") == 0 || strcmp(sub, "reassign") == 0)) {
        st = pl_tasks_assign(s, l, &who, id, in, sub[0] == 'r', &e);
    } else if (!judge && strcmp(sub, "accept") == 0) {
        st = pl_tasks_accept(s, l, &who, id, in, &e);
    } else if (!judge && strcmp(sub, "progress") == 0) {
        st = pl_tasks_progress(s, l, &who, id, in, &e);
    } else if (!judge && strcmp(sub, "close") == 0) {
        st = pl_tasks_close(s, l, &who, id, in, &e);
    } else {
        st = pl_err_set(&e, PL_EINVAL, "%s: %s '%s'", judge ? "judge" : "task",
                        PL_T(cli, "未知子命令", "unknown subcommand"), sub);
    }
    /* A step's answer is the task as it now is. */
    if (!st && !res && !judge && need_id)
        st = pl_tasks_get(s, &who, id, &res, &e);
    if (st)
        rc = pl_cli_fail(cli, st, &e);
    else if (res)
        rc = print_json(res);
    json_decref(res);
    pl_cases_free(cases);
    pl_ledger_free(l);
    pl_store_close(s);
    json_decref(in);
    json_decref(evidence);
    return rc;
}

static int run_task(pl_cli *cli, int argc, char **argv)
{
    return run(cli, argc, argv, 0);
}

static int run_judge(pl_cli *cli, int argc, char **argv)
{
    return run(cli, argc, argv, 1);
}

const pl_command pl_tasks_commands[] = {
    {"task", "预警任务：分派、接受、进展、关闭、改派、逾期升级",
     "the warnings' tasks: assign, accept, progress, close, reassign, overdue", run_task},
    {"judge", "研判会：记录参会人员与对每条预警的决定",
     "the 研判 meeting: attendees and a decision per warning", run_judge},
    {NULL, NULL, NULL, NULL},
};
