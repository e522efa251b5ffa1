/*
 * cmd_escalate.c — clue escalation between levels (上级抓下级, issue #21
 * item 4): `plumb escalation keygen|sync|list` and `plumb escalate CLUE`.
 * The bundles that carry them are `plumb bundle export|import|send`
 * (cmd_levels.c). Layer: CLI over src/levels/escalate.h. Docs:
 * docs/LEVELS.md §9.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../ledger/ledger.h"
#include "../levels/escalate.h"
#include "../levels/view.h"
#include "../store/store.h"
#include "cli.h"

static int open_both(pl_cli *cli, pl_store **s, pl_ledger **l, pl_err *e)
{
    *l = NULL;
    int rc = pl_store_open(s, cli->db, 0, e);
    if (rc == 0 && (rc = pl_ledger_open(l, *s, e)) != 0) {
        pl_store_close(*s);
        *s = NULL;
    }
    return rc;
}

/* ---------------------------------------------------------------- keygen */

static const char keygen_zh[] =
    "用法: plumb escalation keygen --out FILE\n"
    "  上级纪检监察机关的线索接收密钥 (X25519, libsodium crypto_box): 私钥写入 FILE\n"
    "  (0600, 不覆盖), 打印公钥。下级在 --above 文件中固定该公钥:\n"
    "  \"<上级日志 origin> <公钥> <机关名称>\"。\n";
static const char keygen_en[] =
    "usage: plumb escalation keygen --out FILE\n"
    "  The office key the level above receives escalated clues with (X25519,\n"
    "  libsodium crypto_box): the secret to FILE (0600, never replaced), the\n"
    "  public key printed. The level below pins it in its --above file:\n"
    "  \"<origin of the level above> <public key> <office name>\".\n";

static int cmd_keygen(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"lang", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *out = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, keygen_zh, keygen_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_bad_opt(cli, argc, argv, PL_T(cli, keygen_zh, keygen_en));
        }
    }
    if (optind != argc || !out)
        return pl_cli_usage(cli, "escalation keygen", PL_T(cli, "需要 --out", "--out is required"));
    pl_err e;
    pl_err_init(&e);
    char pk[64];
    int rc = pl_escalation_keygen(out, pk, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法创建密钥", "cannot create the key");
    printf("%s\n", pk);
    return PL_EXIT_OK;
}

/* -------------------------------------------------------------- escalate */

static const char escalate_zh[] =
    "用法: plumb escalate CLUE --above FILE [--actor NAME] [--db FILE]\n"
    "  把本库无上级纪检监察机关承办的线索 (如反映本级主要负责人) 用上级机关的接收\n"
    "  公钥密封 (crypto_box_seal) 后记为 escalation.sent 事件; 下一个\n"
    "  supervisor/v1 事件包 (plumb bundle export) 把它带给上级。本库此后只见上级\n"
    "  报回的办理状态 (plumb escalation list)。\n"
    "  FILE: 一行 \"<上级日志 origin> <机关公钥> <机关名称>\"。\n";
static const char escalate_en[] =
    "usage: plumb escalate CLUE --above FILE [--actor NAME] [--db FILE]\n"
    "  Seal a clue no discipline office of this store handles (about a top leader\n"
    "  of this level) to the level above's office key (crypto_box_seal) and record\n"
    "  it as an escalation.sent event; the next supervisor/v1 bundle (plumb bundle\n"
    "  export) carries it up. From then on this store sees only the status the\n"
    "  level above reports back (plumb escalation list).\n"
    "  FILE: one line \"<origin of the level above> <office key> <office name>\".\n";

static int cmd_escalate(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"above", required_argument, NULL, 'a'}, {"actor", required_argument, NULL, 'A'},
        {"db", required_argument, NULL, 'd'},    {"lang", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},        {0, 0, 0, 0}};
    const char *above = NULL, *actor = "cli";
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'a': above = optarg; break;
        case 'A': actor = optarg; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, escalate_zh, escalate_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_bad_opt(cli, argc, argv, PL_T(cli, escalate_zh, escalate_en));
        }
    }
    if (optind != argc - 1 || !above)
        return pl_cli_usage(cli, "escalate",
                            PL_T(cli, "需要 CLUE 和 --above", "CLUE and --above are required"));
    pl_err e;
    pl_err_init(&e);
    pl_escalation_above a;
    int rc = pl_escalation_above_read(above, &a, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "上级配置无效", "bad --above file");
    pl_store *s;
    pl_ledger *l;
    rc = open_both(cli, &s, &l, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    int64_t seq = 0;
    rc = pl_escalate_send(s, l, argv[optind], &a, actor, &seq, &e);
    pl_ledger_free(l);
    pl_store_close(s);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法移送", "cannot escalate");
    printf("%s %s → %s (%s), seq %lld\n", PL_T(cli, "已密封移送", "sealed and escalated"),
           argv[optind], a.office, a.origin, (long long)seq);
    return PL_EXIT_OK;
}

/* ------------------------------------------------------------------ sync */

static const char sync_zh[] = "用法: plumb escalation sync [--actor NAME] [--db FILE]\n"
                              "  上级: 对下级报送的每条线索, 若办理状态 (状态、处置方式、结论、\n"
                              "  措施、答复数) 与上次报回的不同, 记 escalation.status 事件; 再用\n"
                              "  plumb bundle export --policy escalation/v1 --for ORIGIN 报回。\n";
static const char sync_en[] =
    "usage: plumb escalation sync [--actor NAME] [--db FILE]\n"
    "  The level above: for every clue escalated from below whose state (status,\n"
    "  method, outcome, measure, number of replies) differs from what was last\n"
    "  reported, record an escalation.status event; send them down with plumb\n"
    "  bundle export --policy escalation/v1 --for ORIGIN.\n";

static int cmd_sync(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"actor", required_argument, NULL, 'A'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"lang", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *actor = "cli";
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'A': actor = optarg; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, sync_zh, sync_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_bad_opt(cli, argc, argv, PL_T(cli, sync_zh, sync_en));
        }
    }
    if (optind != argc)
        return pl_cli_usage(cli, "escalation sync", PL_T(cli, "多余的参数", "extra arguments"));
    pl_err e;
    pl_err_init(&e);
    pl_store *s;
    pl_ledger *l;
    int rc = open_both(cli, &s, &l, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    int64_t n = 0;
    rc = pl_escalate_sync(s, l, actor, &n, &e);
    pl_ledger_free(l);
    pl_store_close(s);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "同步失败", "sync failed");
    printf("%s %lld\n", PL_T(cli, "新的办理状态报告", "status reports recorded"), (long long)n);
    return PL_EXIT_OK;
}

/* ------------------------------------------------------------------ list */

static const char list_zh[] = "用法: plumb escalation list [--json] [--db FILE]\n"
                              "  下级: 已移送上级的线索及上级报回的办理状态 (不含线索内容)。\n";
static const char list_en[] =
    "usage: plumb escalation list [--json] [--db FILE]\n"
    "  The level below: the clues sent up and the status the level above reported\n"
    "  (never the content).\n";

static int cmd_list(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"lang", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    int json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, list_zh, list_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_bad_opt(cli, argc, argv, PL_T(cli, list_zh, list_en));
        }
    }
    if (optind != argc)
        return pl_cli_usage(cli, "escalation list", PL_T(cli, "多余的参数", "extra arguments"));
    pl_err e;
    pl_err_init(&e);
    pl_store *s;
    int rc = pl_store_open(&s, cli->db, 0, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    json_t *a = json_array();
    rc = pl_escalate_list(s, a, &e);
    pl_store_close(s);
    if (rc) {
        json_decref(a);
        return pl_cli_fail_as(cli, rc, &e, "无法读取", "cannot read");
    }
    if (json) {
        char *t = json_dumps(a, JSON_COMPACT);
        printf("%s\n", t);
        free(t);
    } else {
        size_t i;
        json_t *o;
        json_array_foreach(a, i, o)
        {
            printf("%s  %s\n", json_string_value(json_object_get(o, "clue_id")),
                   json_string_value(json_object_get(o, cli->english ? "text_en" : "text_zh")));
        }
        if (json_array_size(a) == 0)
            printf("%s\n", PL_T(cli, "无移送上级的线索", "no clue escalated"));
    }
    json_decref(a);
    return PL_EXIT_OK;
}

/* ------------------------------------------------------------- stats */

static const char stats_zh[] =
    "用法: plumb escalation publish-stats [--from DATE] [--to DATE] [--db FILE]\n"
    "  把本库线索统计 (按来源、类别、单位、处置方式、结论、月份计数, 不含线索内容)\n"
    "  记为 stats.clues_published 事件; supervisor/v1 事件包把它连同包含证明带给上级。\n";
static const char stats_en[] =
    "usage: plumb escalation publish-stats [--from DATE] [--to DATE] [--db FILE]\n"
    "  Record this store's clue statistics (counts by channel, category, unit,\n"
    "  method, outcome, month; no clue's content) as a stats.clues_published event,\n"
    "  which supervisor/v1 bundles carry up with its inclusion proof.\n";

static int cmd_stats(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
                                         {"to", required_argument, NULL, 't'},
                                         {"actor", required_argument, NULL, 'A'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"lang", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *from = NULL, *to = NULL, *actor = "cli";
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'A': actor = optarg; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, stats_zh, stats_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_bad_opt(cli, argc, argv, PL_T(cli, stats_zh, stats_en));
        }
    }
    if (optind != argc)
        return pl_cli_usage(cli, "escalation publish-stats",
                            PL_T(cli, "多余的参数", "extra arguments"));
    pl_err e;
    pl_err_init(&e);
    pl_store *s;
    pl_ledger *l;
    int rc = open_both(cli, &s, &l, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    int64_t seq = 0;
    rc = pl_escalate_publish_stats(s, l, from, to, actor, &seq, &e);
    pl_ledger_free(l);
    pl_store_close(s);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法发布统计", "cannot publish the statistics");
    printf("%s, seq %lld\n", PL_T(cli, "线索统计已记录", "clue statistics recorded"),
           (long long)seq);
    return PL_EXIT_OK;
}

/* -------------------------------------------------------------- view */

static const char view_zh[] =
    "用法: plumb levels view [--origin ORIGIN] [--person ID] [--compact] [--recompute] [--db "
    "FILE]\n"
    "  上级视角: 各下级的一把手 (职务、风险指数、预警、未结发现、任务、线索及结论)、\n"
    "  线索统计、整改事件计数, 均来自收到的事件包, 每项注明来源日志、序号和检查点。JSON。\n"
    "  --person: 某人 (含仅见于事件包者) 来自下级的廉政档案。\n"
    "  --compact: 与 GET /api/v1/levels/view 相同的字节 (不缩进, 不排序键)。\n"
    "  --recompute: 不读投影表 levels_view_items, 由收到的全部事件重新计算 (核对用)。\n";
static const char view_en[] =
    "usage: plumb levels view [--origin ORIGIN] [--person ID] [--compact] [--recompute]\n"
    "                         [--db FILE]\n"
    "  The view from above: each level below's top leaders (post, risk index,\n"
    "  warnings, open findings, tasks, clues and outcomes), clue statistics and\n"
    "  rectification counts, from the bundles received, each item with its origin\n"
    "  log, seq and checkpoint. JSON. --person: one person's file from below (a\n"
    "  person known only by bundle included). --compact: the bytes of\n"
    "  GET /api/v1/levels/view (no indent, keys in their order). --recompute:\n"
    "  compute from every received event instead of the projection\n"
    "  levels_view_items (to check it).\n";

static int cmd_view(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"origin", required_argument, NULL, 'o'}, {"person", required_argument, NULL, 'p'},
        {"db", required_argument, NULL, 'd'},     {"lang", required_argument, NULL, 'L'},
        {"compact", no_argument, NULL, 'c'},      {"recompute", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},         {0, 0, 0, 0}};
    const char *origin = NULL, *person = NULL;
    int compact = 0, recompute = 0;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': origin = optarg; break;
        case 'p': person = optarg; break;
        case 'c': compact = 1; break;
        case 'r': recompute = 1; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, view_zh, view_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_bad_opt(cli, argc, argv, PL_T(cli, view_zh, view_en));
        }
    }
    if (optind != argc)
        return pl_cli_usage(cli, "levels view", PL_T(cli, "多余的参数", "extra arguments"));
    pl_err e;
    pl_err_init(&e);
    pl_store *s;
    int rc = pl_store_open(&s, cli->db, 0, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    json_t *v = NULL;
    pl_levels_view_opts vo = {.origin = origin, .person = person, .recompute = recompute};
    rc = pl_levels_view_ex(s, &vo, &v, &e);
    pl_store_close(s);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法读取", "cannot read");
    char *t =
        compact ? json_dumps(v, JSON_COMPACT) : json_dumps(v, JSON_INDENT(1) | JSON_SORT_KEYS);
    printf("%s\n", t);
    free(t);
    json_decref(v);
    return PL_EXIT_OK;
}

/* -------------------------------------------------------------- place */

static const char place_zh[] =
    "用法: plumb levels place ORIGIN --unit UNIT [--actor NAME] [--db FILE]\n"
    "  把下级日志 ORIGIN 置于本库单位 UNIT 之下 (事件 levels.origin_placed):\n"
    "  上级视角 (GET /api/v1/levels/view、仪表盘 below) 只向范围含该单位的用户显示它;\n"
    "  未放置的下级对任何 API 用户都不显示。再次放置即更改。\n";
static const char place_en[] =
    "usage: plumb levels place ORIGIN --unit UNIT [--actor NAME] [--db FILE]\n"
    "  Place the log ORIGIN of a level below under this store's unit UNIT (event\n"
    "  levels.origin_placed): the view from above (GET /api/v1/levels/view, the\n"
    "  dashboard's below) shows it only to users whose scope holds that unit; an\n"
    "  origin placed nowhere is shown to no API user. Placing again moves it.\n";

static int cmd_place(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"unit", required_argument, NULL, 'u'}, {"actor", required_argument, NULL, 'A'},
        {"db", required_argument, NULL, 'd'},   {"lang", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},       {0, 0, 0, 0}};
    const char *unit = NULL, *actor = "cli";
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'u': unit = optarg; break;
        case 'A': actor = optarg; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, place_zh, place_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_bad_opt(cli, argc, argv, PL_T(cli, place_zh, place_en));
        }
    }
    if (optind != argc - 1)
        return pl_cli_usage(cli, "levels place",
                            PL_T(cli, "需要一个 ORIGIN", "one ORIGIN is needed"));
    if (!unit)
        return pl_cli_usage(cli, "levels place", PL_T(cli, "缺少 --unit", "--unit is missing"));
    pl_err e;
    pl_err_init(&e);
    pl_store *s;
    pl_ledger *l;
    int rc = open_both(cli, &s, &l, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    int64_t seq = 0;
    rc = pl_levels_place(s, l, argv[optind], unit, actor, &seq, &e);
    pl_ledger_free(l);
    pl_store_close(s);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法放置", "cannot place");
    printf("%s %s → %s, seq %lld\n", PL_T(cli, "已放置", "placed"), argv[optind], unit,
           (long long)seq);
    return PL_EXIT_OK;
}

const pl_command pl_escalate_commands[] = {
    {"escalation publish-stats", "把线索统计记为事件, 随事件包报上级",
     "record the clue statistics as an event for the level above", cmd_stats},
    {"levels place", "把下级日志置于本库某单位之下 (上级视角的范围)",
     "place a level below's log under a unit of this store (the view's scope)", cmd_place},
    {"levels view", "上级视角: 各下级一把手、预警、发现、线索统计 (JSON)",
     "the view from above: each level below's leaders, warnings, findings (JSON)", cmd_view},
    {"escalate", "把无上级承办的线索密封移送上级 (上级抓下级)",
     "seal a clue with no office above here and send it up", cmd_escalate},
    {"escalation keygen", "上级机关的线索接收密钥", "the level above's office key for clues",
     cmd_keygen},
    {"escalation sync", "上级: 记录下级报送线索的新办理状态",
     "the level above: record new status of clues from below", cmd_sync},
    {"escalation list", "下级: 已移送线索及上级报回的状态",
     "the level below: clues sent up and their reported status", cmd_list},
    {0},
};
