/*
 * cmd_rules.c — the rule commands of `plumb`: sweep, findings, explain,
 * finding ack|resolve|dismiss, profile set|list|show, risk, warnings,
 * tasks, and rules check (engine vs SQL reference vs truth.json).
 * Layer: CLI (on src/rules/rules.h). Spec: DESIGN.md §6, docs/RULES.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../ledger/ledger.h"
#include "../model/model.h"
#include "../rules/rules.h"
#include "../store/store.h"
#include "../inspect/tasks.h"
#include "cli.h"

/* ------------------------------------------------------------- plumbing */

typedef struct env {
    pl_store *s;
    pl_ledger *l;
    pl_rules *r;
} env;

static int env_open(pl_cli *cli, env *v, pl_err *e)
{
    memset(v, 0, sizeof *v);
    pl_model_register();
    pl_rules_register();
    int rc = pl_store_open(&v->s, cli->db, 0, e);
    if (!rc)
        rc = pl_ledger_open(&v->l, v->s, e);
    if (!rc)
        rc = pl_rules_new(&v->r, v->s, v->l, e);
    return rc;
}

static void env_close(env *v)
{
    pl_rules_free(v->r);
    pl_ledger_free(v->l);
    pl_store_close(v->s);
}

enum {
    O_DB = 1000,
    O_LANG,
    O_ASOF,
    O_RULE,
    O_UNIT,
    O_STATUS,
    O_REASON,
    O_TOP,
    O_JSON,
    O_REGION,
    O_LEVEL,
    O_KIND,
    O_INDUSTRY,
    O_LABEL,
    O_PARAM,
    O_TRUTH,
    O_SUBJECT,
    O_ACTOR,
    O_LIMIT,
    O_DRYRUN
};

static const struct option long_opts[] = {
    {"db", required_argument, NULL, O_DB},
    {"lang", required_argument, NULL, O_LANG},
    {"as-of", required_argument, NULL, O_ASOF},
    {"rule", required_argument, NULL, O_RULE},
    {"unit", required_argument, NULL, O_UNIT},
    {"status", required_argument, NULL, O_STATUS},
    {"subject", required_argument, NULL, O_SUBJECT},
    {"reason", required_argument, NULL, O_REASON},
    {"top", required_argument, NULL, O_TOP},
    {"limit", required_argument, NULL, O_LIMIT},
    {"json", no_argument, NULL, O_JSON},
    {"region", required_argument, NULL, O_REGION},
    {"level", required_argument, NULL, O_LEVEL},
    {"kind", required_argument, NULL, O_KIND},
    {"industry", required_argument, NULL, O_INDUSTRY},
    {"label", required_argument, NULL, O_LABEL},
    {"param", required_argument, NULL, O_PARAM},
    {"set", required_argument, NULL, O_PARAM},
    {"truth", required_argument, NULL, O_TRUTH},
    {"actor", required_argument, NULL, O_ACTOR},
    {"dry-run", no_argument, NULL, O_DRYRUN},
    {"help", no_argument, NULL, 'h'},
    {0, 0, 0, 0},
};

typedef struct opts {
    const char *as_of, *rule, *unit, *status, *subject, *reason, *region, *level, *kind, *industry,
        *label, *truth, *actor;
    int top, limit, json, dry_run;
    json_t *params;
    int nparams_bad;
    char bad_param[256];
} opts;

/* Parse options; returns -1 to continue or an exit code. */
static int parse(pl_cli *cli, int argc, char **argv, const char *usage, opts *o)
{
    memset(o, 0, sizeof *o);
    o->params = json_object();
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        int64_t v;
        switch (c) {
        case O_DB: cli->db = optarg; break;
        case O_LANG: cli->english = strcmp(optarg, "en") == 0; break;
        case O_ASOF: o->as_of = optarg; break;
        case O_RULE: o->rule = optarg; break;
        case O_UNIT: o->unit = optarg; break;
        case O_STATUS: o->status = optarg; break;
        case O_SUBJECT: o->subject = optarg; break;
        case O_REASON: o->reason = optarg; break;
        case O_REGION: o->region = optarg; break;
        case O_LEVEL: o->level = optarg; break;
        case O_KIND: o->kind = optarg; break;
        case O_INDUSTRY: o->industry = optarg; break;
        case O_LABEL: o->label = optarg; break;
        case O_TRUTH: o->truth = optarg; break;
        case O_ACTOR: o->actor = optarg; break;
        case O_JSON: o->json = 1; break;
        case O_DRYRUN: o->dry_run = 1; break;
        case O_TOP:
        case O_LIMIT:
            if (pl_parse_i64(optarg, 0, 1000000000, &v) != 0) {
                json_decref(o->params);
                return pl_cli_usage(
                    cli, argv[0], PL_T(cli, "数量应为非负整数", "expected a non-negative integer"));
            }
            if (c == O_TOP)
                o->top = (int)v;
            else
                o->limit = (int)v;
            break;
        case O_PARAM: {
            const char *eq = strchr(optarg, '=');
            if (eq && eq - optarg == 9 && !strncmp(optarg, "r18_areas", 9) &&
                pl_parse_i64(eq + 1, INT64_MIN, INT64_MAX, &v) != 0) {
                /* the areas of R18 as portfolio codes (docs/RULES.md R18) */
                uint32_t mask;
                pl_err pe;
                pl_err_init(&pe);
                if (pl_model_portfolio_parse(eq + 1, &mask, &pe) != 0) {
                    fprintf(stderr, "plumb: r18_areas: %s\n", pe.msg);
                    json_decref(o->params);
                    return PL_EXIT_USER;
                }
                json_object_set_new(o->params, "r18_areas", json_integer(mask));
                break;
            }
            if (!eq || eq == optarg || pl_parse_i64(eq + 1, INT64_MIN, INT64_MAX, &v) != 0) {
                fprintf(stderr, "plumb: %s: %s\n",
                        PL_T(cli, "参数应写作 名称=整数", "a parameter is written name=integer"),
                        optarg);
                json_decref(o->params);
                return PL_EXIT_USER;
            }
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(eq - optarg), optarg);
            json_object_set_new(o->params, name, json_integer(v));
            break;
        }
        case 'h':
            fputs(usage, stdout);
            json_decref(o->params);
            return PL_EXIT_OK;
        default:
            fprintf(stderr, "plumb: %s: %s\n%s",
                    PL_T(cli, "无效选项或缺少参数", "bad option or missing argument"),
                    optind > 0 && optind <= argc ? argv[optind - 1] : "?", usage);
            json_decref(o->params);
            return PL_EXIT_USER;
        }
    }
    return -1;
}

static int finish(pl_cli *cli, env *v, opts *o, int rc, const pl_err *e)
{
    env_close(v);
    json_decref(o->params);
    return rc ? pl_cli_fail(cli, rc, e) : PL_EXIT_OK;
}

static void print_rule_table(pl_cli *cli, const int64_t *a, const char *ha, const int64_t *b,
                             const char *hb, const int64_t *c, const char *hc)
{
    size_t n;
    const pl_rule_info *ri = pl_rules_catalogue(&n);
    printf("%-5s %-44s %8s", PL_T(cli, "规则", "rule"), PL_T(cli, "名称", "name"), ha);
    if (b)
        printf(" %8s", hb);
    if (c)
        printf(" %8s", hc);
    printf("\n");
    int64_t ta = 0, tb = 0, tc = 0;
    for (size_t i = 0; i < n; i++) {
        printf("%-5s %-44s %8lld", ri[i].id, cli->english ? ri[i].name_en : ri[i].id,
               (long long)a[i + 1]);
        ta += a[i + 1];
        if (b) {
            printf(" %8lld", (long long)b[i + 1]);
            tb += b[i + 1];
        }
        if (c) {
            printf(" %8lld", (long long)c[i + 1]);
            tc += c[i + 1];
        }
        printf("\n");
    }
    printf("%-5s %-44s %8lld", "", PL_T(cli, "合计", "total"), (long long)ta);
    if (b)
        printf(" %8lld", (long long)tb);
    if (c)
        printf(" %8lld", (long long)tc);
    printf("\n");
}

/* ---------------------------------------------------------------- sweep */

static const char sweep_usage_zh[] =
    "用法: plumb sweep [--as-of YYYY-MM-DD] [--db FILE]\n"
    "  按该日期 (默认今天) 对每个主体评估每条规则 (R01-R17), 把新增、变化与已消除的发现\n"
    "  记为账本事件, 然后重算风险指数, 生成预警与任务; 最后每个逾期任务把其预警升一级颜色\n"
    "  (docs/RULES.md \"Tasks and 研判\")。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char sweep_usage[] =
    "usage: plumb sweep [--as-of YYYY-MM-DD] [--db FILE]\n"
    "  Evaluate every rule (R01-R17) over every subject as of the date (default\n"
    "  today), record new, changed and resolved findings as ledger events, then\n"
    "  recompute the risk index and raise warnings and tasks; then every task past\n"
    "  its due date raises its warning one colour (docs/RULES.md \"Tasks and 研判\").\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_sweep(pl_cli *cli, int argc, char **argv)
{
    opts o;
    int x = parse(cli, argc, argv, PL_T(cli, sweep_usage_zh, sweep_usage), &o);
    if (x >= 0)
        return x;
    env v;
    pl_err e;
    pl_err_init(&e);
    int rc = env_open(cli, &v, &e);
    pl_rules_stats st;
    if (!rc)
        rc = pl_rules_sweep(v.r, o.as_of, &st, &e);
    if (!rc && pl_rules_snapshot_rejected(v.r))
        fprintf(
            stderr, "plumb: %s\n",
            PL_T(cli,
                 "警告: 规则快照 MAC 校验失败 (被改动), 未使用, 已改从投影表读取; 原文件保留为 "
                 "*.rules-snapshot.rejected",
                 "warning: the rules snapshot failed its MAC (modified), was not used and the "
                 "projections were read instead; the file is kept as *.rules-snapshot.rejected"));
    if (!rc) {
        print_rule_table(cli, st.per_rule, PL_T(cli, "成立", "holding"), NULL, NULL, NULL, NULL);
        printf("%s: %lld %s, %lld %s, %lld %s; %lld %s, %lld %s (%.0f + %.0f + %.0f ms)\n",
               PL_T(cli, "变化", "changes"), (long long)st.raised, PL_T(cli, "新发现", "raised"),
               (long long)st.updated, PL_T(cli, "更新", "updated"), (long long)st.resolved,
               PL_T(cli, "已消除", "resolved"), (long long)st.warnings,
               PL_T(cli, "预警", "warnings"), (long long)st.tasks, PL_T(cli, "任务", "tasks"),
               st.load_ms, st.eval_ms, st.reconcile_ms);
    }
    /* The clock of the warnings' tasks (docs/RULES.md "Tasks and 研判"): a
     * task past its due date raises its warning one colour, as an event. */
    int64_t late = 0;
    char day[21];
    if (!o.as_of) {
        pl_time_format_clock(day, pl_time_now());
        day[10] = 0;
    }
    if (!rc)
        rc = pl_tasks_overdue(v.s, v.l, "sweep", o.as_of ? o.as_of : day, &late, &e);
    if (!rc && late)
        printf("%s: %lld\n", PL_T(cli, "逾期任务升级预警", "overdue tasks raising their warning"),
               (long long)late);
    return finish(cli, &v, &o, rc, &e);
}

/* ------------------------------------------------------------- findings */

static const char findings_usage_zh[] =
    "用法: plumb findings [--rule R] [--unit U] [--status S] [--subject ID] [--limit N] [--json]\n"
    "  列出发现 (默认: 未消除的)。--status open|acknowledged|resolved|dismissed|all。\n"
    "  --unit 匹配发现的单位或主体。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char findings_usage[] =
    "usage: plumb findings [--rule R] [--unit U] [--status S] [--subject ID] [--limit N] [--json]\n"
    "  List findings (default: those not resolved). --status open|acknowledged|\n"
    "  resolved|dismissed|all. --unit matches the finding's unit or subject.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_findings(pl_cli *cli, int argc, char **argv)
{
    opts o;
    int x = parse(cli, argc, argv, PL_T(cli, findings_usage_zh, findings_usage), &o);
    if (x >= 0)
        return x;
    env v;
    pl_err e;
    pl_err_init(&e);
    char rid[8] = "";
    if (o.rule) {
        int n = pl_rules_parse_id(o.rule);
        if (!n) {
            json_decref(o.params);
            return pl_cli_usage(cli, "findings",
                                PL_T(cli, "规则应为 R01..R17", "the rule is R01..R17"));
        }
        snprintf(rid, sizeof rid, "R%02d", n);
    }
    const char *status = o.status ? o.status : "";
    if (*status && strcmp(status, "all") && strcmp(status, "open") &&
        strcmp(status, "acknowledged") && strcmp(status, "resolved") &&
        strcmp(status, "dismissed")) {
        json_decref(o.params);
        return pl_cli_usage(cli, "findings",
                            PL_T(cli, "状态应为 open|acknowledged|resolved|dismissed|all",
                                 "status is open|acknowledged|resolved|dismissed|all"));
    }
    int rc = env_open(cli, &v, &e);
    pl_stmt *st = NULL;
    if (!rc)
        rc = pl_store_prepare(
            v.s,
            "SELECT id, rule, severity, status, subject, unit_id, first_seen, key, "
            "explanation_zh, explanation_en FROM findings WHERE (? = '' OR rule = ?) AND "
            "(? = '' OR unit_id = ? OR subject = ?) AND (? = '' OR subject = ?) AND "
            "(CASE WHEN ? = '' THEN status <> 'resolved' WHEN ? = 'all' THEN TRUE ELSE status = ? "
            "END) ORDER BY rule, CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 "
            "END, id",
            &st, &e);
    if (!rc) {
        /* Each filter's value for each of its placeholders (plain `?`). */
        const char *unit = o.unit ? o.unit : "", *subject = o.subject ? o.subject : "";
        const char *args[] = {rid, rid, unit, unit, unit, subject, subject, status, status, status};
        for (int i = 0; i < (int)(sizeof args / sizeof args[0]); i++)
            pl_stmt_bind_text(st, i + 1, args[i]);
        json_t *arr = o.json ? json_array() : NULL;
        int n = 0;
        while ((rc = pl_stmt_step(st, &e)) == PL_ROW) {
            if (o.limit && n >= o.limit)
                continue;
            n++;
            if (arr) {
                json_array_append_new(
                    arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", pl_stmt_text(st, 0),
                                   "rule", pl_stmt_text(st, 1), "severity", pl_stmt_text(st, 2),
                                   "status", pl_stmt_text(st, 3), "subject", pl_stmt_text(st, 4),
                                   "first_seen", pl_stmt_text(st, 6), "key", pl_stmt_text(st, 7),
                                   "explanation", pl_stmt_text(st, cli->english ? 9 : 8)));
            } else {
                printf("%s  %s  %-6s %-12s %s\n    %s\n", pl_stmt_text(st, 0), pl_stmt_text(st, 1),
                       pl_stmt_text(st, 2), pl_stmt_text(st, 3), pl_stmt_text(st, 6),
                       pl_stmt_text(st, cli->english ? 9 : 8));
            }
        }
        pl_stmt_finalize(st);
        if (rc >= 0) {
            rc = 0;
            if (arr) {
                char *s = json_dumps(arr, JSON_INDENT(2));
                puts(s);
                free(s);
            } else {
                printf("%d %s\n", n, PL_T(cli, "条发现", "findings"));
            }
        }
        json_decref(arr);
    }
    return finish(cli, &v, &o, rc, &e);
}

/* -------------------------------------------------------------- explain */

static const char explain_usage_zh[] =
    "用法: plumb explain FINDING [--json]\n"
    "  显示一条发现: 规则、主体、严重程度、所用参数与参数方案、证据记录、说明及其历史。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char explain_usage[] =
    "usage: plumb explain FINDING [--json]\n"
    "  Show one finding: rule, subject, severity, the parameters and profile\n"
    "  used, the evidence records, the explanation and its history.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_explain(pl_cli *cli, int argc, char **argv)
{
    opts o;
    int x = parse(cli, argc, argv, PL_T(cli, explain_usage_zh, explain_usage), &o);
    if (x >= 0)
        return x;
    if (optind >= argc) {
        json_decref(o.params);
        return pl_cli_usage(cli, "explain", PL_T(cli, "缺少发现编号", "missing finding id"));
    }
    const char *id = argv[optind];
    env v;
    pl_err e;
    pl_err_init(&e);
    int rc = env_open(cli, &v, &e);
    pl_stmt *st = NULL;
    if (!rc)
        rc = pl_store_prepare(v.s,
                              "SELECT rule, key, subject, subject_kind, unit_id, severity, params, "
                              "profile, evidence, explanation_zh, explanation_en, first_seen, "
                              "evaluated_at, status, status_reason, status_at FROM findings "
                              "WHERE id = ?",
                              &st, &e);
    if (!rc) {
        pl_stmt_bind_text(st, 1, id);
        rc = pl_stmt_step(st, &e);
        if (rc == PL_DONE)
            rc = pl_err_set(&e, PL_ENOTFOUND, "%s '%s'", PL_T(cli, "没有发现", "no finding"), id);
        else if (rc == PL_ROW) {
            rc = 0;
            int rule = pl_rules_parse_id(pl_stmt_text(st, 0));
            size_t n;
            const pl_rule_info *ri = pl_rules_catalogue(&n);
            printf("%s %s  %s %s (%s)\n", id, pl_stmt_text(st, 0),
                   rule ? (cli->english ? ri[rule - 1].name_en : ri[rule - 1].name_zh) : "",
                   PL_T(cli, "严重程度", "severity"), pl_stmt_text(st, 5));
            printf("%s: %s (%s)   %s: %s\n", PL_T(cli, "对象", "subject"), pl_stmt_text(st, 2),
                   pl_stmt_text(st, 3), PL_T(cli, "单位", "unit"), pl_stmt_text(st, 4));
            printf("%s: %s\n", PL_T(cli, "说明", "explanation"),
                   pl_stmt_text(st, cli->english ? 10 : 9));
            printf("%s: %s   %s: %s\n", PL_T(cli, "参数", "parameters"), pl_stmt_text(st, 6),
                   PL_T(cli, "配置", "profile"), pl_stmt_text(st, 7));
            printf("%s: %s\n", PL_T(cli, "证据", "evidence"), pl_stmt_text(st, 8));
            printf("%s: %s   %s: %s   %s: %s%s%s\n", PL_T(cli, "首次发现", "first seen"),
                   pl_stmt_text(st, 11), PL_T(cli, "最近评估", "evaluated"), pl_stmt_text(st, 12),
                   PL_T(cli, "状态", "status"), pl_stmt_text(st, 13),
                   pl_stmt_type(st, 14) != PL_COL_NULL ? " — " : "",
                   pl_stmt_type(st, 14) != PL_COL_NULL ? pl_stmt_text(st, 14) : "");
        }
        pl_stmt_finalize(st);
        st = NULL;
    }
    if (!rc)
        rc = pl_store_prepare(v.s,
                              "SELECT seq, type, status, severity, reason, at FROM finding_events "
                              "WHERE finding_id = ? ORDER BY seq",
                              &st, &e);
    if (!rc) {
        pl_stmt_bind_text(st, 1, id);
        printf("%s:\n", PL_T(cli, "历史", "history"));
        while ((rc = pl_stmt_step(st, &e)) == PL_ROW)
            printf("  #%lld %s %s %s %s\n", (long long)pl_stmt_i64(st, 0), pl_stmt_text(st, 5),
                   pl_stmt_text(st, 1), pl_stmt_text(st, 3), pl_stmt_text(st, 4));
        rc = rc < 0 ? rc : 0;
        pl_stmt_finalize(st);
    }
    return finish(cli, &v, &o, rc, &e);
}

/* --------------------------------------------------------- finding xxx */

static const char finding_usage_zh[] =
    "用法: plumb finding ack|resolve|dismiss FINDING [--reason TEXT] [--actor NAME]\n"
    "  把发现的状态变更记为账本事件。resolve 与 dismiss 须给出 --reason。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char finding_usage[] =
    "usage: plumb finding ack|resolve|dismiss FINDING [--reason TEXT] [--actor NAME]\n"
    "  Record a status change of a finding as a ledger event. resolve and\n"
    "  dismiss need --reason.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int finding_status(pl_cli *cli, int argc, char **argv, const char *status)
{
    opts o;
    int x = parse(cli, argc, argv, PL_T(cli, finding_usage_zh, finding_usage), &o);
    if (x >= 0)
        return x;
    if (optind >= argc) {
        json_decref(o.params);
        return pl_cli_usage(cli, "finding", PL_T(cli, "缺少发现编号", "missing finding id"));
    }
    env v;
    pl_err e;
    pl_err_init(&e);
    int rc = env_open(cli, &v, &e);
    if (!rc)
        rc = pl_rules_finding_status(v.r, argv[optind], status, o.reason, o.actor, &e);
    if (!rc)
        printf("%s %s\n", argv[optind], status);
    return finish(cli, &v, &o, rc, &e);
}

static int cmd_ack(pl_cli *cli, int argc, char **argv)
{
    return finding_status(cli, argc, argv, "acknowledged");
}
static int cmd_resolve(pl_cli *cli, int argc, char **argv)
{
    return finding_status(cli, argc, argv, "resolved");
}
static int cmd_dismiss(pl_cli *cli, int argc, char **argv)
{
    return finding_status(cli, argc, argv, "dismissed");
}

/* -------------------------------------------------------------- profile */

static const char profile_set_usage_zh[] =
    "用法: plumb profile set NAME [--region CODE] [--level L] [--kind K] [--industry I]\n"
    "                        [--label TEXT] --param name=value ... --reason TEXT\n"
    "                        [--actor NAME] [--dry-run]\n"
    "  新建或替换一个参数方案, 并重新评估其所设参数涉及的规则。未给出的选择条件匹配任何单位;\n"
    "  每个参数取匹配的最具体方案的值 (docs/RULES.md)。须给出理由。先试算此变更会消除\n"
    "  多少发现: 超过现行阈值 (profile_approval_findings), 或变更设置的正是该阈值时, 存为\n"
    "  待另一人审批的提议 (`plumb profile approve`); 否则直接记录 (profile.set)。\n"
    "  --dry-run: 只打印影响。`plumb profile params` 列出各参数、默认值与取值范围。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char profile_set_usage[] =
    "usage: plumb profile set NAME [--region CODE] [--level L] [--kind K] [--industry I]\n"
    "                         [--label TEXT] --param name=value ... --reason TEXT\n"
    "                         [--actor NAME] [--dry-run]\n"
    "  Create or replace a profile and re-evaluate the rules whose parameters it\n"
    "  sets. Selectors left out match any unit; the most specific matching\n"
    "  profile wins per parameter (docs/RULES.md). A reason is required. A dry\n"
    "  run first counts the findings the change would resolve: above the\n"
    "  threshold in force (profile_approval_findings), or when the change sets\n"
    "  that threshold, it is stored as a pending proposal for another person\n"
    "  (`plumb profile approve`); otherwise it is recorded (profile.set).\n"
    "  --dry-run: print the impact only. `plumb profile params` lists the\n"
    "  parameters, defaults and ranges.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static void print_impact(pl_cli *cli, const pl_profile_impact *im, int with_threshold)
{
    printf("%s: %lld %s, %lld %s, %lld %s", PL_T(cli, "影响", "impact"), (long long)im->resolved,
           PL_T(cli, "条发现将消除", "findings resolved"), (long long)im->raised,
           PL_T(cli, "条新发现", "raised"), (long long)im->updated, PL_T(cli, "条更新", "updated"));
    if (with_threshold)
        printf("; %s %lld", PL_T(cli, "须批准阈值", "approval threshold"),
               (long long)im->threshold);
    printf("\n");
}

static int cmd_profile_set(pl_cli *cli, int argc, char **argv)
{
    opts o;
    int x = parse(cli, argc, argv, PL_T(cli, profile_set_usage_zh, profile_set_usage), &o);
    if (x >= 0)
        return x;
    if (optind >= argc) {
        json_decref(o.params);
        return pl_cli_usage(cli, "profile set", PL_T(cli, "缺少配置名称", "missing profile name"));
    }
    pl_profile p = {.name = argv[optind],
                    .label = o.label,
                    .region = o.region,
                    .level = o.level,
                    .kind = o.kind,
                    .industry = o.industry,
                    .params = o.params,
                    .reason = o.reason};
    env v;
    pl_err e;
    pl_err_init(&e);
    int rc = pl_rules_profile_check(&p, &e); /* before opening: a clear message */
    if (!rc && (!o.reason || !*o.reason))
        rc = pl_err_set(
            &e, PL_EINVAL, "%s",
            PL_T(cli, "--reason: 修改配置须说明理由", "--reason: a profile change needs a reason"));
    if (rc) {
        json_decref(o.params);
        return pl_cli_fail(cli, rc, &e);
    }
    rc = env_open(cli, &v, &e);
    if (!rc && o.as_of)
        rc = pl_rules_set_as_of(v.r, o.as_of, &e);
    pl_profile_impact im;
    if (!rc)
        rc = pl_rules_profile_submit(v.r, &p, o.actor, o.dry_run, &im, &e);
    if (!rc) {
        print_impact(cli, &im, 1);
        if (o.dry_run)
            printf("%s %s\n",
                   im.needs_approval ? PL_T(cli, "试算: 须另一人批准", "dry run: needs approval")
                                     : PL_T(cli, "试算: 可直接设置", "dry run: would be recorded"),
                   p.name);
        else if (im.proposal[0])
            printf("%s %s (%s)\n", PL_T(cli, "已提交待批准:", "proposal pending approval:"),
                   im.proposal, p.name);
        else
            printf("%s %s\n", PL_T(cli, "已设置配置", "profile set:"), p.name);
    }
    return finish(cli, &v, &o, rc, &e);
}

static const char profile_approve_usage_zh[] =
    "用法: plumb profile approve ID --actor NAME [--reason NOTE]\n"
    "  以 NAME 的身份批准待审的参数方案提议 ID 并施行 (profile.set 注明该提议); NAME 不得是\n"
    "  提议人 (双人复核)。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char profile_approve_usage[] =
    "usage: plumb profile approve ID --actor NAME [--reason NOTE]\n"
    "  Approve pending profile proposal ID as NAME, who must not be its\n"
    "  proposer (four eyes), and apply it (profile.set naming the proposal).\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static const char profile_reject_usage_zh[] =
    "用法: plumb profile reject ID --reason TEXT [--actor NAME]\n"
    "  驳回 (或撤回) 待审的参数方案提议 ID。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char profile_reject_usage[] =
    "usage: plumb profile reject ID --reason TEXT [--actor NAME]\n"
    "  Reject (or withdraw) pending profile proposal ID.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int profile_decide(pl_cli *cli, int argc, char **argv, int approve)
{
    const char *usage = approve ? PL_T(cli, profile_approve_usage_zh, profile_approve_usage)
                                : PL_T(cli, profile_reject_usage_zh, profile_reject_usage);
    const char *cmd = approve ? "profile approve" : "profile reject";
    opts o;
    int x = parse(cli, argc, argv, usage, &o);
    if (x >= 0)
        return x;
    if (optind >= argc) {
        json_decref(o.params);
        return pl_cli_usage(cli, cmd, PL_T(cli, "缺少提议编号", "missing proposal id"));
    }
    if (approve && (!o.actor || !*o.actor)) {
        json_decref(o.params);
        return pl_cli_usage(cli, cmd,
                            PL_T(cli, "--actor: 须写明批准人", "--actor: name the approver"));
    }
    env v;
    pl_err e;
    pl_err_init(&e);
    int rc = env_open(cli, &v, &e);
    if (!rc && o.as_of)
        rc = pl_rules_set_as_of(v.r, o.as_of, &e);
    pl_profile_impact im;
    if (!rc)
        rc = approve ? pl_rules_profile_approve(v.r, argv[optind], o.actor, o.reason, &im, &e)
                     : pl_rules_profile_reject(v.r, argv[optind], o.actor, o.reason, &e);
    if (!rc && approve) {
        print_impact(cli, &im, 0);
        printf("%s %s\n", PL_T(cli, "已批准并设置:", "approved and applied:"), argv[optind]);
    } else if (!rc) {
        printf("%s %s\n", PL_T(cli, "已驳回:", "rejected:"), argv[optind]);
    }
    return finish(cli, &v, &o, rc, &e);
}

static int cmd_profile_approve(pl_cli *cli, int argc, char **argv)
{
    return profile_decide(cli, argc, argv, 1);
}

static int cmd_profile_reject(pl_cli *cli, int argc, char **argv)
{
    return profile_decide(cli, argc, argv, 0);
}

static const char profile_proposals_usage_zh[] =
    "用法: plumb profile proposals [--status pending|applied|rejected]\n"
    "  列出参数方案提议: 编号、状态、方案、影响、提议人、理由。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char profile_proposals_usage[] =
    "usage: plumb profile proposals [--status pending|applied|rejected]\n"
    "  List profile proposals: id, status, profile, impact, proposer, reason.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_profile_proposals(pl_cli *cli, int argc, char **argv)
{
    opts o;
    int x =
        parse(cli, argc, argv, PL_T(cli, profile_proposals_usage_zh, profile_proposals_usage), &o);
    if (x >= 0)
        return x;
    env v;
    pl_err e;
    pl_err_init(&e);
    int rc = env_open(cli, &v, &e);
    pl_stmt *st = NULL;
    if (!rc)
        rc = pl_store_prepare(v.s,
                              "SELECT id, status, name, impact_resolved, threshold, proposed_by, "
                              "COALESCE(decided_by,''), reason FROM rule_profile_proposals "
                              "WHERE (? = '' OR status = ?) ORDER BY ev_seq",
                              &st, &e);
    if (!rc) {
        pl_stmt_bind_text(st, 1, o.status ? o.status : "");
        pl_stmt_bind_text(st, 2, o.status ? o.status : "");
        while ((rc = pl_stmt_step(st, &e)) == PL_ROW)
            printf("%s  %s  %s  %s=%lld/%lld  %s=%s  %s=%s  %s\n", pl_stmt_text(st, 0),
                   pl_stmt_text(st, 1), pl_stmt_text(st, 2), PL_T(cli, "消除/阈值", "resolves"),
                   (long long)pl_stmt_i64(st, 3), (long long)pl_stmt_i64(st, 4),
                   PL_T(cli, "提议人", "by"), pl_stmt_text(st, 5), PL_T(cli, "决定人", "decided"),
                   pl_stmt_text(st, 6), pl_stmt_text(st, 7));
        rc = rc < 0 ? rc : 0;
        pl_stmt_finalize(st);
    }
    return finish(cli, &v, &o, rc, &e);
}

static const char profile_list_usage_zh[] = "用法: plumb profile list\n"
                                            "  列出参数方案。\n"
                                            "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char profile_list_usage[] = "usage: plumb profile list\n  List the profiles.\n"
                                         "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_profile_list(pl_cli *cli, int argc, char **argv)
{
    opts o;
    int x = parse(cli, argc, argv, PL_T(cli, profile_list_usage_zh, profile_list_usage), &o);
    if (x >= 0)
        return x;
    env v;
    pl_err e;
    pl_err_init(&e);
    int rc = env_open(cli, &v, &e);
    pl_stmt *st = NULL;
    if (!rc)
        rc = pl_store_prepare(v.s,
                              "SELECT name, region, level, kind, industry, params, "
                              "COALESCE(label,'') FROM rule_profiles ORDER BY name",
                              &st, &e);
    if (!rc) {
        while ((rc = pl_stmt_step(st, &e)) == PL_ROW)
            printf("%s  region=%s level=%s kind=%s industry=%s  %s  %s\n", pl_stmt_text(st, 0),
                   pl_stmt_text(st, 1), pl_stmt_text(st, 2), pl_stmt_text(st, 3),
                   pl_stmt_text(st, 4), pl_stmt_text(st, 5), pl_stmt_text(st, 6));
        rc = rc < 0 ? rc : 0;
        pl_stmt_finalize(st);
    }
    return finish(cli, &v, &o, rc, &e);
}

static const char profile_show_usage_zh[] =
    "用法: plumb profile show [--unit U]\n"
    "  单位 U 现行的参数 (默认: 内置默认值), 及所施行的参数方案。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char profile_show_usage[] =
    "usage: plumb profile show [--unit U]\n"
    "  The parameters in force for unit U (default: the built-in defaults),\n"
    "  with the profiles applied.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_profile_show(pl_cli *cli, int argc, char **argv)
{
    opts o;
    int x = parse(cli, argc, argv, PL_T(cli, profile_show_usage_zh, profile_show_usage), &o);
    if (x >= 0)
        return x;
    env v;
    pl_err e;
    pl_err_init(&e);
    int rc = env_open(cli, &v, &e);
    pl_buf b;
    pl_buf_init(&b);
    if (!rc)
        rc = pl_rules_params_for_unit(v.r, o.unit, &b, &e);
    if (!rc)
        puts(b.data);
    pl_buf_release(&b);
    return finish(cli, &v, &o, rc, &e);
}

static const char profile_params_usage_zh[] =
    "用法: plumb profile params\n"
    "  列出每个方案参数: 默认值、取值范围、涉及规则、含义。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char profile_params_usage[] =
    "usage: plumb profile params\n  List every profile "
    "parameter: default, range, rules, meaning.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_profile_params(pl_cli *cli, int argc, char **argv)
{
    opts o;
    int x = parse(cli, argc, argv, PL_T(cli, profile_params_usage_zh, profile_params_usage), &o);
    if (x >= 0)
        return x;
    json_decref(o.params);
    size_t n;
    const pl_rule_param *ps = pl_rules_params(&n);
    for (size_t i = 0; i < n; i++) {
        printf("%-30s %12lld  [%lld, %lld]  %-5s %s", ps[i].name, (long long)ps[i].def,
               (long long)ps[i].min, (long long)ps[i].max, ps[i].rules,
               cli->english ? ps[i].doc_en : ps[i].doc_zh);
        if (ps[i].def_level[0])
            printf("  (province %lld, prefecture %lld, county %lld, township %lld)",
                   (long long)ps[i].def_level[0], (long long)ps[i].def_level[1],
                   (long long)ps[i].def_level[2], (long long)ps[i].def_level[3]);
        printf("\n");
    }
    return PL_EXIT_OK;
}

/* ----------------------------------------------------------------- risk */

static const char risk_usage_zh[] =
    "用法: plumb risk [--top N] [--as-of YYYY-MM-DD] [--json]\n"
    "  一把手的风险指数 (发现按严重程度加权, 每过一个半衰期减半), 从高到低, 附说明该数值的分项。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char risk_usage[] =
    "usage: plumb risk [--top N] [--as-of YYYY-MM-DD] [--json]\n"
    "  Risk index of top leaders (findings weighted by severity and halved every\n"
    "  half-life), highest first, with the breakdown that explains the number.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

/* 蓝/黄/红 (DESIGN.md §6) in Chinese, the grade's own name in English. */
static const char *grade_text(pl_cli *cli, const char *g)
{
    if (!g || cli->english)
        return g ? g : "";
    return strcmp(g, "red") == 0      ? "红"
           : strcmp(g, "yellow") == 0 ? "黄"
           : strcmp(g, "blue") == 0   ? "蓝"
           : strcmp(g, "none") == 0   ? "无"
                                      : g;
}

static int cmd_risk(pl_cli *cli, int argc, char **argv)
{
    opts o;
    int x = parse(cli, argc, argv, PL_T(cli, risk_usage_zh, risk_usage), &o);
    if (x >= 0)
        return x;
    env v;
    pl_err e;
    pl_err_init(&e);
    int rc = env_open(cli, &v, &e);
    pl_buf b;
    pl_buf_init(&b);
    if (!rc)
        rc = pl_rules_risk(v.r, o.as_of, o.top ? o.top : 10, &b, &e);
    if (!rc && o.json) {
        puts(b.data);
    } else if (!rc) {
        json_t *arr = json_loads(b.data, 0, NULL);
        size_t i;
        json_t *it;
        json_array_foreach(arr, i, it)
        {
            printf("%2zu. %s %s (%s)  %s %.2f  %s %s\n", i + 1,
                   json_string_value(json_object_get(it, "name")),
                   json_string_value(json_object_get(it, "person")),
                   json_string_value(json_object_get(it, "unit")),
                   PL_T(cli, "风险指数", "risk index"),
                   (double)json_integer_value(json_object_get(it, "index_x100")) / 100.0,
                   PL_T(cli, "等级", "grade"),
                   grade_text(cli, json_string_value(json_object_get(it, "grade"))));
            size_t j;
            json_t *b2;
            json_array_foreach(json_object_get(it, "breakdown"), j, b2)
            {
                printf(
                    "      %s %s %-6s %s %.2f × 0.5^(%lld/%lld) = %.2f\n",
                    json_string_value(json_object_get(b2, "finding")),
                    json_string_value(json_object_get(b2, "rule")),
                    json_string_value(json_object_get(b2, "severity")), PL_T(cli, "权重", "weight"),
                    (double)json_integer_value(json_object_get(b2, "weight_x100")) / 100.0,
                    (long long)json_integer_value(json_object_get(b2, "age_days")),
                    (long long)json_integer_value(json_object_get(b2, "half_life_days")),
                    (double)json_integer_value(json_object_get(b2, "contribution_x100")) / 100.0);
            }
        }
        json_decref(arr);
    }
    pl_buf_release(&b);
    return finish(cli, &v, &o, rc, &e);
}

static int list_query(pl_cli *cli, int argc, char **argv, const char *usage, const char *sql,
                      int ncols)
{
    opts o;
    int x = parse(cli, argc, argv, usage, &o);
    if (x >= 0)
        return x;
    env v;
    pl_err e;
    pl_err_init(&e);
    int rc = env_open(cli, &v, &e);
    pl_stmt *st = NULL;
    if (!rc)
        rc = pl_store_prepare(v.s, sql, &st, &e);
    if (!rc) {
        int n = 0;
        while ((rc = pl_stmt_step(st, &e)) == PL_ROW) {
            for (int i = 0; i < ncols; i++)
                printf("%s%s", i ? "  " : "", pl_stmt_text(st, i));
            printf("\n");
            n++;
        }
        rc = rc < 0 ? rc : 0;
        pl_stmt_finalize(st);
        if (!rc)
            printf("%d\n", n);
    }
    return finish(cli, &v, &o, rc, &e);
}

static const char warnings_usage_zh[] = "用法: plumb warnings\n"
                                        "  巡检 (sweep) 产生的风险预警 (蓝/黄/红), 最新的在前。\n"
                                        "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char warnings_usage[] =
    "usage: plumb warnings\n  Risk warnings (blue/yellow/red) raised by sweeps, newest first.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_warnings(pl_cli *cli, int argc, char **argv)
{
    return list_query(cli, argc, argv, PL_T(cli, warnings_usage_zh, warnings_usage),
                      "SELECT w.id, w.raised_at, w.grade, w.person_id, COALESCE(p.name,''), "
                      /* the index with two decimals in portable SQL (index_x100, a
                       * sum of non-negative contributions: docs/RULES.md) */
                      "CAST(w.index_x100 / 100 AS TEXT) || '.' || "
                      "CASE WHEN w.index_x100 % 100 < 10 THEN '0' ELSE '' END || "
                      "CAST(w.index_x100 % 100 AS TEXT) FROM risk_warnings w LEFT JOIN "
                      "persons p ON p.id = w.person_id ORDER BY w.ev_seq DESC",
                      6);
}

static const char tasks_usage_zh[] = "用法: plumb tasks\n"
                                     "  预警产生的任务: 责任角色、到期日、应办事项。\n"
                                     "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char tasks_usage[] =
    "usage: plumb tasks\n  Tasks opened by warnings: owner role, due date, what to do.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_tasks(pl_cli *cli, int argc, char **argv)
{
    return list_query(cli, argc, argv, PL_T(cli, tasks_usage_zh, tasks_usage),
                      "SELECT id, status, due_date, owner_role, person_id, kind, title_zh, "
                      "title_en FROM rule_tasks ORDER BY due_date, id",
                      8);
}

/* ---------------------------------------------------------------- check */

static const char check_usage_zh[] =
    "用法: plumb rules check [--as-of YYYY-MM-DD] [--truth DIR/truth.json] [--rule R]\n"
    "  在同一存储上分别用 C 引擎与 SQL 参照实现评估规则 (给出 truth.json 时再与之比对);\n"
    "  按规则打印一张表及最先的差异。有差异时退出码为 1。不记录任何内容。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char check_usage[] =
    "usage: plumb rules check [--as-of YYYY-MM-DD] [--truth DIR/truth.json] [--rule R]\n"
    "  Evaluate the rules with the C engine and with the SQL reference on the\n"
    "  same store (and compare with truth.json if given); print a table per\n"
    "  rule and the first differences. Exit 1 if they differ. Records nothing.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

/* Compare two finding sets and print "A = B (n findings...)" or "A vs B:"
 * with the differences. Returns 1 if they differ. */
static int report_compare(const char *an, const pl_finding_set *a, const char *bn,
                          const pl_finding_set *b, int with_evidence)
{
    pl_buf d;
    pl_buf_init(&d);
    int differ = pl_finding_set_compare(a, b, with_evidence, &d) != 0;
    if (differ)
        printf("%s vs %s:\n%s", an, bn, d.data);
    else
        printf("%s = %s (%zu findings%s)\n", an, bn, a->n,
               with_evidence ? ", evidence included" : "");
    pl_buf_release(&d);
    return differ;
}

static int cmd_check(pl_cli *cli, int argc, char **argv)
{
    opts o;
    int x = parse(cli, argc, argv, PL_T(cli, check_usage_zh, check_usage), &o);
    if (x >= 0)
        return x;
    env v;
    pl_err e;
    pl_err_init(&e);
    unsigned mask = 0;
    if (o.rule) {
        int n = pl_rules_parse_id(o.rule);
        if (!n) {
            json_decref(o.params);
            return pl_cli_usage(cli, "rules check", "the rule is R01..R17");
        }
        mask = 1u << n;
    }
    int rc = env_open(cli, &v, &e);
    pl_finding_set eng = {0}, ref = {0}, truth = {0};
    pl_rules_stats st;
    memset(&st, 0, sizeof st);
    if (!rc)
        rc = pl_rules_evaluate(v.r, o.as_of, &eng, &st, &e);
    if (!rc)
        rc = pl_rules_reference(v.r, o.as_of, mask, &ref, NULL, &e);
    if (!rc && o.truth)
        rc = pl_finding_set_load_truth(o.truth, &truth, &e);
    int bad = 0;
    if (!rc) {
        if (mask) {
            size_t k = 0;
            for (size_t i = 0; i < eng.n; i++)
                if (mask & (1u << eng.v[i].rule))
                    eng.v[k++] = eng.v[i];
                else {
                    /* dropped: free its strings */
                    free(eng.v[i].key);
                    free(eng.v[i].subject);
                    for (size_t j = 0; j < eng.v[i].nevidence; j++)
                        free(eng.v[i].evidence[j]);
                    free(eng.v[i].evidence);
                }
            eng.n = k;
        }
        int64_t ce[PL_RULES_COUNT + 1] = {0}, cr[PL_RULES_COUNT + 1] = {0},
                                    ct[PL_RULES_COUNT + 1] = {0};
        for (size_t i = 0; i < eng.n; i++)
            ce[eng.v[i].rule]++;
        for (size_t i = 0; i < ref.n; i++)
            cr[ref.v[i].rule]++;
        for (size_t i = 0; i < truth.n; i++)
            ct[truth.v[i].rule]++;
        print_rule_table(cli, ce, "engine", cr, "sql", o.truth ? ct : NULL, "truth");
        bad |= report_compare("engine", &eng, "sql", &ref, 1);
        if (o.truth) {
            int with_ev = 0;
            for (size_t i = 0; i < truth.n && !with_ev; i++)
                with_ev = truth.v[i].nevidence > 0;
            bad |= report_compare("engine", &eng, "truth", &truth, with_ev);
        }
        printf("engine: load %.1f ms, evaluate %.1f ms\n", st.load_ms, st.eval_ms);
    }
    pl_finding_set_release(&eng);
    pl_finding_set_release(&ref);
    pl_finding_set_release(&truth);
    if (!rc && bad) {
        env_close(&v);
        json_decref(o.params);
        return PL_EXIT_USER;
    }
    return finish(cli, &v, &o, rc, &e);
}

/* ------------------------------------------------------- replay check */

static const char replay_usage_zh[] =
    "用法: plumb rules replay-check [--as-of YYYY-MM-DD] [--truth DIR/truth.json]\n"
    "  把存储的账本事件逐一应用到一个新的内存存储, 每次之后运行增量引擎, 再把它记录的\n"
    "  发现与对结果的完整评估 (以及 truth.json) 比对。有差异时退出码为 1。存储只读不写。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char replay_usage[] =
    "usage: plumb rules replay-check [--as-of YYYY-MM-DD] [--truth DIR/truth.json]\n"
    "  Apply the store's ledger events one by one to a fresh in-memory store,\n"
    "  running the incremental engine after each, then compare the findings it\n"
    "  recorded with a full evaluation of the result (and with truth.json).\n"
    "  Exit 1 if they differ. The store is only read.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_replay_check(pl_cli *cli, int argc, char **argv)
{
    opts o;
    int x = parse(cli, argc, argv, PL_T(cli, replay_usage_zh, replay_usage), &o);
    if (x >= 0)
        return x;
    env v;
    pl_err e;
    pl_err_init(&e);
    int rc = env_open(cli, &v, &e);
    pl_store *mem = NULL;
    pl_ledger *ml = NULL;
    pl_rules *mr = NULL;
    if (!rc)
        rc = pl_store_open_memory(&mem, &e);
    if (!rc)
        rc = pl_ledger_open(&ml, mem, &e);
    if (!rc)
        rc = pl_rules_new(&mr, mem, ml, &e);
    if (!rc)
        rc = pl_rules_set_as_of(mr, o.as_of ? o.as_of : "2026-06-30", &e);
    if (!rc)
        pl_rules_attach(mr); /* the ledger runs the engine after each append */
    int64_t n = rc ? 0 : pl_ledger_size(v.l), applied = 0;
    for (int64_t seq = 0; seq < n && !rc; seq++) {
        pl_event_rec rec;
        rc = pl_ledger_get(v.l, seq, &rec, &e);
        if (rc)
            break;
        json_t *h = json_loads(rec.header, 0, NULL);
        json_t *p = rec.payload ? json_loads(rec.payload, 0, NULL) : NULL;
        const char *type = json_string_value(json_object_get(h, "type"));
        /* rule outputs are not replayed: the engine produces its own */
        if (p && type && strncmp(type, "finding.", 8) && strncmp(type, "warning.", 8) &&
            strncmp(type, "task.", 5) && strcmp(type, "ledger.purged")) {
            int64_t t = 0;
            pl_time_parse(json_string_value(json_object_get(h, "time")), &t);
            pl_event ev = {.type = type,
                           .actor = json_string_value(json_object_get(h, "actor")),
                           .time = t,
                           .subjects = json_object_get(h, "subjects"),
                           .payload = p};
            int64_t mseq = 0;
            rc = pl_store_begin(mem, &e);
            if (!rc)
                rc = pl_ledger_append(ml, &ev, &mseq, &e);
            if (!rc)
                rc = pl_store_commit(mem, &e);
            else
                pl_store_rollback(mem);
            applied++;
        }
        json_decref(h);
        json_decref(p);
        pl_event_rec_release(&rec);
    }
    pl_finding_set cur = {0}, all = {0}, truth = {0};
    if (!rc)
        rc = pl_rules_current(mr, &cur, &e);
    if (!rc)
        rc = pl_rules_evaluate(mr, o.as_of ? o.as_of : "2026-06-30", &all, NULL, &e);
    if (!rc && o.truth)
        rc = pl_finding_set_load_truth(o.truth, &truth, &e);
    int bad = 0;
    if (!rc) {
        int64_t ci[PL_RULES_COUNT + 1] = {0}, ca[PL_RULES_COUNT + 1] = {0},
                                    ct[PL_RULES_COUNT + 1] = {0};
        for (size_t i = 0; i < cur.n; i++)
            ci[cur.v[i].rule]++;
        for (size_t i = 0; i < all.n; i++)
            ca[all.v[i].rule]++;
        for (size_t i = 0; i < truth.n; i++)
            ct[truth.v[i].rule]++;
        printf("%lld %s\n", (long long)applied,
               PL_T(cli, "个事件逐一应用", "events applied one by one"));
        print_rule_table(cli, ci, "incr", ca, "sweep", o.truth ? ct : NULL, "truth");
        bad |= report_compare("incremental", &cur, "sweep", &all, 1);
        if (o.truth)
            bad |= report_compare("incremental", &cur, "truth", &truth, 1);
    }
    pl_finding_set_release(&cur);
    pl_finding_set_release(&all);
    pl_finding_set_release(&truth);
    pl_rules_free(mr);
    pl_ledger_free(ml);
    pl_store_close(mem);
    if (!rc && bad) {
        env_close(&v);
        json_decref(o.params);
        return PL_EXIT_USER;
    }
    return finish(cli, &v, &o, rc, &e);
}

const pl_command pl_rules_commands[] = {
    {"sweep", "全面评估全部规则", "evaluate every rule (full sweep)", cmd_sweep},
    {"findings", "列出发现", "list findings", cmd_findings},
    {"explain", "解释一条发现", "explain a finding", cmd_explain},
    {"finding ack", "确认发现", "acknowledge a finding", cmd_ack},
    {"finding resolve", "标记发现已解决", "mark a finding resolved", cmd_resolve},
    {"finding dismiss", "驳回发现(需理由)", "dismiss a finding (with a reason)", cmd_dismiss},
    {"profile set", "设置差异化参数配置", "set a parameter profile", cmd_profile_set},
    {"profile approve", "批准参数配置变更提议(四眼原则)", "approve a profile proposal (four eyes)",
     cmd_profile_approve},
    {"profile reject", "驳回参数配置变更提议", "reject a profile proposal", cmd_profile_reject},
    {"profile proposals", "列出参数配置变更提议", "list profile proposals", cmd_profile_proposals},
    {"profile list", "列出参数配置", "list profiles", cmd_profile_list},
    {"profile show", "查看单位适用的参数", "parameters in force for a unit", cmd_profile_show},
    {"profile params", "列出全部参数及范围", "list parameters, defaults, ranges",
     cmd_profile_params},
    {"risk", "一把手风险指数", "risk index of top leaders", cmd_risk},
    {"warnings", "风险预警", "risk warnings", cmd_warnings},
    {"tasks", "预警任务", "tasks opened by warnings", cmd_tasks},
    {"rules check", "引擎与SQL参照/真值比对", "engine vs SQL reference vs truth", cmd_check},
    {"rules replay-check", "逐事件增量评估与全面评估比对", "incremental (event by event) vs sweep",
     cmd_replay_check},
    {0},
};
